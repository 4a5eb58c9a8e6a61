"""Infrastructure readers on hand-written fixtures: what each format declares, and what it does not.

The fixtures under tests/fixtures/infra are minimal but realistic files of
each family (Dockerfile, Compose, Kubernetes, Helm, GitHub Actions, GitLab CI,
Terraform), written to exercise the cases the readers must get right.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from depscan.errors import InputError
from depscan.ingest import read_file
from depscan.model import Component

INFRA = FIXTURES / "infra"


def read(relative: str) -> tuple[str, dict[str, Component]]:
    result = read_file(INFRA / relative, relative)
    return result.format, {c.id: c for c in result.components}


def lines(component: Component) -> list[int | None]:
    return [location.line for location in component.sources]


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


# -- Dockerfile --------------------------------------------------------------------------------


def test_dockerfile_images_stages_args_and_downloads():
    fmt, found = read("docker/Dockerfile")
    assert fmt == "dockerfile"
    assert sorted(found) == sorted(
        [
            "pkg:docker/docker/dockerfile@1.7",
            "pkg:docker/node@20.11-bookworm-slim",
            "pkg:docker/python@sha256:4c2cf9917bd1cbacc5e9b07320025bdb7cdf2df7b0ceaccb55e9dd7e30987419",
            "pkg:docker/astral-sh/uv@0.4.18?repository_url=ghcr.io",
            "pkg:docker/tools/wheels@2024.3?repository_url=registry.example.eu:5000",
            "pkg:generic/tini?download_url=https://github.com/krallin/tini/releases/download/v0.19.0/tini",
            "pkg:github/moby/buildkit@v0.13.0",
        ]
    )
    # ARG defaults substituted, including one ARG that refers to another
    node = found["pkg:docker/node@20.11-bookworm-slim"]
    assert node.image == "node:20.11-bookworm-slim"
    assert node.properties["role"] == "build-stage"
    assert lines(node) == [10]
    # the final stage descends from "Builder" (FROM BUILDER: stage names are case-insensitive)
    python = found["pkg:docker/python@sha256:4c2cf9917bd1cbacc5e9b07320025bdb7cdf2df7b0ceaccb55e9dd7e30987419"]
    assert python.properties == {"role": "runtime-base", "tag": "3.12-slim-bookworm"}
    assert python.version.startswith("sha256:")
    assert found["pkg:docker/docker/dockerfile@1.7"].properties["role"] == "frontend"
    mount = found["pkg:docker/tools/wheels@2024.3?repository_url=registry.example.eu:5000"]
    assert mount.properties["role"] == "mount-source"  # a stage-scoped ARG re-declared without default
    tini = found["pkg:generic/tini?download_url=https://github.com/krallin/tini/releases/download/v0.19.0/tini"]
    assert tini.endpoints == ["https://github.com/"] and lines(tini) == [36]
    buildkit = found["pkg:github/moby/buildkit@v0.13.0"]  # ADD of a Git repository: its owner, not its host
    assert buildkit.repository == "https://github.com/moby/buildkit" and buildkit.endpoints == []
    assert buildkit.version == "v0.13.0"
    assert all(c.kind == "tooling" for c in found.values())
    assert all(c.direct for c in found.values())


def test_dockerfile_never_counts_stages_scratch_or_heredoc_text():
    _, found = read("docker/Dockerfile")
    names = {c.name for c in found.values()}
    assert not {"assets", "builder", "BUILDER", "scratch", "this-is-heredoc-text-not-an-instruction"} & names


def test_dockerfile_unresolved_reference_is_skipped():
    fmt, found = read("docker/app.Dockerfile")  # FROM $BASE_IMAGE has no default
    assert fmt == "dockerfile"
    assert list(found) == ["pkg:docker/dotnet/sdk@8.0?repository_url=mcr.microsoft.com"]


def test_dockerfile_platform_flag_and_escape_directive(tmp_path):
    path = write(
        tmp_path,
        "Containerfile",
        "# escape=`\nFROM --platform=linux/arm64 quay.io/centos/centos:stream9 AS base\nRUN dnf install -y `\n"
        "    git\nFROM base\n",
    )
    (component,) = read_file(path).components
    assert component.purl == "pkg:docker/centos/centos@stream9?platform=linux/arm64&repository_url=quay.io"
    assert component.properties == {"role": "runtime-base", "platform": "linux/arm64"}


def test_dockerfile_unclosed_heredoc_names_its_line(tmp_path):
    path = write(tmp_path, "Dockerfile", "FROM alpine:3.19\nRUN <<EOT\necho never closed\n")
    with pytest.raises(InputError) as caught:
        read_file(path)
    assert caught.value.line == 2 and "heredoc" in caught.value.message


# -- Compose -----------------------------------------------------------------------------------


def test_compose_services_images_with_interpolation_and_dotenv():
    fmt, found = read("docker/compose.yaml")
    assert fmt == "docker-compose"
    assert sorted(found) == sorted(
        [
            "pkg:docker/postgres@16.2-alpine",
            "pkg:docker/valkey/valkey@7.2",  # ${CACHE_IMAGE} from .env
            "pkg:docker/elasticsearch/elasticsearch@8.12.2?platform=linux/amd64&repository_url=docker.elastic.co",
            "pkg:docker/axllent/mailpit",
            "pkg:docker/edge/traefik@v3.0?repository_url=registry.example.eu",  # `export X="..."` in .env
            "pkg:docker/rabbitmq@3.13-management",
        ]
    )
    rabbit = found["pkg:docker/rabbitmq@3.13-management"]
    assert lines(rabbit) == [40, 42]  # one component, both services that use it
    search = next(c for c in found.values() if c.name == "docker.elastic.co/elasticsearch/elasticsearch")
    assert search.properties == {"role": "runtime", "platform": "linux/amd64", "comment": "pinned for the demo"}
    # images that run the application are runtime infrastructure, not the build chain
    assert all(c.kind == "infrastructure" and c.properties["role"] == "runtime" for c in found.values())


def test_compose_locally_built_images_are_not_dependencies():
    _, found = read("docker/compose.yaml")
    names = {c.name for c in found.values()}
    assert not {"shop-web", "shop-migrations", "shop-tools"} & names


def test_compose_version_1_file_without_services_key(tmp_path):
    content = "web:\n  image: nginx:1.25\n  ports: ['80:80']\nredis:\n  image: redis\n"
    path = write(tmp_path, "docker-compose.yml", content)
    assert sorted(c.purl for c in read_file(path).components) == ["pkg:docker/nginx@1.25", "pkg:docker/redis"]


# -- Kubernetes, Kustomize, Helm ---------------------------------------------------------------


def test_kubernetes_pod_specs_of_every_workload_kind():
    fmt, found = read("k8s/shop.yaml")
    assert fmt == "kubernetes"
    assert sorted(c.name for c in found.values()) == sorted(
        [
            "registry.example.eu/shop/web",  # Deployment initContainers + containers, and the Pod
            "nginx",
            "postgres",  # StatefulSet
            "quay.io/prometheus/busybox",  # CronJob
            "cr.fluentbit.io/fluent/fluent-bit",  # DaemonSet inside a List
            "gcr.io/distroless/static-debian12",  # Pod ephemeralContainers
        ]
    )
    web = next(c for c in found.values() if c.name == "registry.example.eu/shop/web")
    assert lines(web) == [23, 27, 111]
    postgres = next(c for c in found.values() if c.name == "postgres")
    assert postgres.version.startswith("sha256:6b841c8f") and postgres.properties["tag"] == "16.2"


def test_kustomization_image_overrides():
    fmt, found = read("k8s/kustomization.yaml")
    assert fmt == "kubernetes"
    assert sorted(c.image for c in found.values()) == [
        "nginx@sha256:2ee9e6f4c5e2f3f6a7c1f6fd0e5b1e6e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c",
        "registry.example.eu/mirror/postgres:16.3",
        "registry.example.eu/shop/web:1.4.3",
    ]


def test_helm_template_keeps_literal_images_only():
    fmt, found = read("helm/shop/templates/deployment.yaml")
    assert fmt == "kubernetes"
    assert [(c.purl, lines(c)) for c in found.values()] == [("pkg:docker/busybox@1.36.1", [12])]


def test_helm_chart_dependencies_and_lock():
    fmt, chart = read("helm/shop/Chart.yaml")
    assert fmt == "helm-chart"
    assert sorted(chart) == ["helm:common", "helm:postgresql@15.2.5", "helm:redis"]  # file:// is the project's own
    postgresql = chart["helm:postgresql@15.2.5"]
    assert postgresql.image == "registry-1.docker.io/bitnamicharts/postgresql:15.2.5"
    assert postgresql.kind == "tooling"
    redis = chart["helm:redis"]
    assert redis.endpoints == ["https://charts.bitnami.com/"]
    assert redis.properties["constraint"] == "~19.0" and redis.properties["alias"] == "cache"
    assert "shop" not in {c.name for c in chart.values()}  # the chart itself and its appVersion are not dependencies
    _, lock = read("helm/shop/Chart.lock")
    assert sorted(lock) == ["helm:common@2.19.1", "helm:postgresql@15.2.5", "helm:redis@19.0.2"]
    assert all(c.properties["locked"] for c in lock.values())


def test_helm_values_images():
    fmt, found = read("helm/shop/values.yaml")
    assert fmt == "helm-values"
    by_name = {c.name: c for c in found.values()}
    assert sorted(by_name) == [
        "ghcr.io/example/shop-worker",
        "quay.io/oauth2-proxy/oauth2-proxy",
        "quay.io/prometheus/statsd-exporter",
        "registry.example.eu/shop/web",
    ]
    web = by_name["registry.example.eu/shop/web"]
    assert web.version == "1.4.2" and web.properties["tag_from"] == "Chart.yaml appVersion"
    assert by_name["ghcr.io/example/shop-worker"].image == "ghcr.io/example/shop-worker:1.4.2"


# -- GitHub Actions ----------------------------------------------------------------------------


def test_github_workflow_actions_images_and_runners():
    fmt, found = read("github/.github/workflows/ci.yml")
    assert fmt == "github-actions"
    actions = {c.action for c in found.values() if c.action}
    assert actions == {
        "actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11",
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "codecov/codecov-action@v4",
        "aws-actions/configure-aws-credentials@v4",
        "example-org/shared-workflows/.github/workflows/release.yml@v2",
    }
    pinned = found["pkg:github/actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11"]
    assert pinned.properties == {"pinned": "commit", "comment": "v4.1.1"}
    assert pinned.ecosystem == "github-actions" and pinned.kind == "tooling"
    reusable = found["pkg:github/example-org/shared-workflows@v2#.github/workflows/release.yml"]
    assert reusable.properties["reusable_workflow"] is True
    images = {c.image: c.properties["role"] for c in found.values() if c.image}
    assert images == {
        "postgres:16": "ci-service",
        "valkey/valkey:7.2": "ci-service",  # both branches of `cond && 'a' || 'b'`
        "redis:7": "ci-service",
        "rhysd/actionlint:1.6.27": "action",
        "ghcr.io/example/builder:2024.03": "ci-container",
        "node:20-bookworm": "ci-container",
    }


def test_github_hosted_runners_are_build_chain_of_github_self_hosted_are_not():
    _, found = read("github/.github/workflows/ci.yml")
    runners = {c.name: c for c in found.values() if c.ecosystem == "github-runner"}
    assert {c.kind for c in runners.values()} == {"tooling"}  # a hosted runner builds the application
    # matrix.os values and include entries; the literal fallback of an expression; a third-party service
    assert sorted(runners) == [
        "buildjet-4vcpu-ubuntu-2204",
        "macos-14",
        "ubuntu-24.04",
        "ubuntu-24.04-arm",
        "windows-latest",
    ]
    assert runners["ubuntu-24.04"].suppliers == ["GitHub, Inc."]
    assert runners["buildjet-4vcpu-ubuntu-2204"].suppliers == ["BuildJet"]
    assert not any("self-hosted" in name or name in ("linux", "x64") for name in runners)


def test_github_local_actions_and_workflows_are_the_projects_own():
    _, found = read("github/.github/workflows/ci.yml")
    assert not any(c.name.startswith(".") or "docs.yml" in c.name for c in found.values())


def test_github_composite_action_metadata():
    fmt, found = read("github/.github/actions/setup/action.yml")
    assert fmt == "github-actions"
    assert sorted(c.action for c in found.values()) == [
        "actions/setup-node@60edb5dd545a775178f52524783378180af0d1f8",
        "pnpm/action-setup@v3",
    ]


def test_github_malformed_action_reference_names_its_line(tmp_path):
    path = write(tmp_path, "ci.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: x\n")
    with pytest.raises(InputError) as caught:
        read_file(path)
    assert caught.value.line == 6


# -- GitLab CI ---------------------------------------------------------------------------------


def test_gitlab_images_services_variables_and_anchors():
    fmt, found = read("gitlab/.gitlab-ci.yml")
    assert fmt == "gitlab-ci"
    images = {c.image: c.properties["role"] for c in found.values() if c.image}
    assert images == {
        "python:3.12-slim": "ci-image",  # default image, variables nested two levels deep
        "docker:26.1": "ci-image",  # through a YAML merge key
        "docker:26.1-dind": "ci-service",
        "postgres:16.2": "ci-service",
        "registry.example.eu/mirror/redis:7.2": "ci-service",
        "registry.gitlab.com/gitlab-org/cloud-deploy/aws-base:latest": "ci-image",
    }  # $CI_REGISTRY_IMAGE/publisher is GitLab's run-time variable: skipped


def test_gitlab_includes_and_hosted_runners():
    _, found = read("gitlab/.gitlab-ci.yml")
    includes = {c.name: c for c in found.values() if "include" in c.properties}
    assert sorted(includes) == [
        "$CI_SERVER_FQDN/platform/components/deploy",
        "Security/SAST.gitlab-ci.yml",
        "gitlab.com/components/secret-detection/secret-detection",
        "https://gitlab.example.eu/platform/ci-templates/-/raw/v3/child.yml",
        "https://gitlab.example.eu/platform/ci-templates/-/raw/v3/docker.yml",
        "platform/ci-library:/templates/python.yml",
        "platform/ci-library:/templates/release.yml",
    ]  # `local:` is the project's own
    assert includes["Security/SAST.gitlab-ci.yml"].suppliers == ["GitLab Inc."]
    catalog = includes["gitlab.com/components/secret-detection/secret-detection"]
    assert catalog.version == "1.1.2" and catalog.endpoints == ["https://gitlab.com/"]
    assert includes["platform/ci-library:/templates/python.yml"].version == "v5.0.1"
    runners = sorted(c.name for c in found.values() if c.ecosystem == "gitlab-runner")
    assert {c.kind for c in found.values() if c.ecosystem == "gitlab-runner"} == {"tooling"}
    assert runners == ["saas-linux-medium-amd64", "saas-linux-small-amd64"]  # not eu-runner, shop-self-hosted


# -- Terraform ---------------------------------------------------------------------------------


def test_terraform_lock_pins_each_provider():
    fmt, found = read("terraform/.terraform.lock.hcl")
    assert fmt == "terraform-lock"
    assert sorted(found) == [
        "terraform:cloudflare/cloudflare@4.26.0",
        "terraform:hashicorp/aws@5.40.0",
        "terraform:hashicorp/null@3.2.2",
        "terraform:hashicorp/random@3.6.0",
        "terraform:registry.opentofu.org/ovh/ovh@0.43.1",
        "terraform:scaleway/scaleway@2.41.3",
    ]
    ovh = found["terraform:registry.opentofu.org/ovh/ovh@0.43.1"]
    assert ovh.terraform_provider == "ovh/ovh" and ovh.kind == "infrastructure"
    assert ovh.properties["registry"] == "registry.opentofu.org"
    assert found["terraform:hashicorp/random@3.6.0"].kind == "tooling"  # a local utility provider


def test_terraform_required_providers_and_backend():
    fmt, found = read("terraform/versions.tf")
    assert fmt == "terraform"
    assert found["terraform:hashicorp/aws@5.40.0"].version == "5.40.0"  # "= 5.40.0" pins exactly
    assert found["terraform:scaleway/scaleway"].properties["constraint"] == "~> 2.41"
    backend = found["terraform:terraform-backend/s3"]
    assert backend.kind == "service" and backend.endpoints == ["https://s3.fr-par.scw.cloud"]


def test_terraform_providers_used_by_resources_blocks_and_modules():
    _, found = read("terraform/main.tf")
    providers = {c.terraform_provider: c for c in found.values() if c.terraform_provider}
    # declared in versions.tf (same module), used by provider blocks, resources and data sources
    assert sorted(providers) == [
        "cloudflare/cloudflare",
        "hashicorp/aws",
        "hashicorp/null",
        "hashicorp/random",
        "scaleway/scaleway",
    ]
    assert providers["hashicorp/null"].properties["implied"] is True  # declared nowhere: hashicorp/<name>
    assert lines(providers["scaleway/scaleway"]) == [6]
    modules = {c.name: c for c in found.values() if c.properties.get("role") == "module"}
    assert sorted(modules) == [
        "github.com/example-org/terraform-cdn",
        "https://gitlab.example.eu/platform/terraform-dns.git",
        "terraform-aws-modules/vpc/aws",
    ]  # ./modules/network is the project's own
    assert modules["terraform-aws-modules/vpc/aws"].repository == (
        "https://github.com/terraform-aws-modules/terraform-aws-vpc"
    )
    dns = modules["https://gitlab.example.eu/platform/terraform-dns.git"]
    assert dns.version == "v1.3.0" and dns.properties["subdirectory"] == "modules/zone"


def test_terraform_child_module_resolves_names_from_its_own_directory():
    _, found = read("terraform/modules/network/main.tf")
    assert list(found) == ["terraform:scaleway/scaleway"]


def test_terraform_provider_urls_become_endpoints(tmp_path):
    path = write(
        tmp_path,
        "openstack.tf",
        'provider "openstack" {\n  auth_url = "https://auth.cloud.ovh.net/v3/"\n  region = var.region\n}\n',
    )
    (component,) = read_file(path).components
    assert component.terraform_provider == "hashicorp/openstack" and component.properties["implied"]
    assert component.endpoints == ["https://auth.cloud.ovh.net/"]


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ('resource "a_b" "c" {\n  x = 1\n', 1, "never closed"),
        ("terraform {\n}\n}\n", 3, "no block open"),
        ('locals {\n  x = "unterminated\n}\n', 2, "unterminated string"),
        ("locals {\n  x = [1, 2\n}\n", 3, "'}' closes the '[' of line 2"),
        ("/* never\nclosed\n", 1, "unterminated /* comment"),
    ],
)
def test_terraform_syntax_errors_name_the_line(tmp_path, content, line, fragment):
    path = write(tmp_path, "main.tf", content)
    with pytest.raises(InputError) as caught:
        read_file(path)
    assert caught.value.line == line and fragment in caught.value.message


# -- through the CLI ---------------------------------------------------------------------------


def test_directory_scan_finds_every_infrastructure_file(cli):
    run = cli("scan", str(INFRA), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    found = {Path(s["path"]).relative_to(INFRA).as_posix(): s["format"] for s in report["sources"]}
    assert found == {
        "docker/Dockerfile": "dockerfile",
        "docker/app.Dockerfile": "dockerfile",
        "docker/compose.yaml": "docker-compose",
        "github/.github/actions/setup/action.yml": "github-actions",
        "github/.github/workflows/ci.yml": "github-actions",
        "gitlab/.gitlab-ci.yml": "gitlab-ci",
        "helm/shop/Chart.lock": "helm-chart",
        "helm/shop/Chart.yaml": "helm-chart",
        "helm/shop/values.yaml": "helm-values",
        "helm/shop/templates/deployment.yaml": "kubernetes",
        "k8s/kustomization.yaml": "kubernetes",
        "k8s/shop.yaml": "kubernetes",
        "terraform/.terraform.lock.hcl": "terraform-lock",
        "terraform/main.tf": "terraform",
        "terraform/versions.tf": "terraform",
        "terraform/modules/network/main.tf": "terraform",
        "terraform/modules/network/versions.tf": "terraform",
    }


def test_vendor_matcher_attributes_infrastructure_components(cli):
    run = cli("scan", str(INFRA / "github"), str(INFRA / "terraform"), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    by_name: dict[str, list[dict]] = {}
    for component in run.json()["components"]:
        by_name.setdefault(component["name"], []).append(component)
    vendor_of = {name: {(c["vendor"] or {}).get("id") for c in entries} for name, entries in by_name.items()}
    assert vendor_of["actions/checkout"] == {"github"}
    assert vendor_of["ubuntu-24.04"] == {"github"}  # the hosted runner, through its supplier
    assert vendor_of["hashicorp/aws"] == {"hashicorp"}  # published by HashiCorp, implies AWS
    assert vendor_of["scaleway/scaleway"] == {"scaleway"}
    runner = by_name["ubuntu-24.04"][0]
    assert runner["kind"] == "tooling"  # build chain


@pytest.mark.parametrize(
    ("relative", "candidate"),
    [
        ("Dockerfile", True),
        ("Dockerfile.dev", True),
        ("api.Dockerfile", True),
        ("Containerfile", True),
        ("Dockerfile.dockerignore", False),  # BuildKit's ignore file for that Dockerfile
        ("compose.yaml", True),
        ("docker-compose.override.yml", True),
        (".github/workflows/release.yaml", True),
        ("sub/project/.github/workflows/ci.yml", True),
        (".github/dependabot.yml", False),
        (".gitlab-ci.yml", True),
        ("deploy/web-deployment.yaml", True),
        ("k8s/overlays/prod/service.yaml", True),
        ("chart/Chart.yaml", True),
        ("chart/values.yaml", True),
        ("infra/main.tf", True),
        ("infra/.terraform.lock.hcl", True),
        ("mkdocs.yml", False),
        ("config/settings.yaml", False),
    ],
)
def test_discovery_file_names(relative, candidate):
    from depscan.ingest import _is_candidate

    assert _is_candidate(relative, relative.rsplit("/", 1)[-1]) is candidate


def test_compose_with_empty_services_has_no_components(tmp_path):
    assert read_file(write(tmp_path, "compose.yaml", "services:\n")).components == []
