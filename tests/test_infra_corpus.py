"""The infrastructure readers on the real files of ../shared/corpus/infra (skipped where the corpus is absent).

The expected counts were established independently of the readers, with grep
and awk over the files (distinct FROM images that are not stage names plus
COPY --from images, ADD URLs and the syntax directive; distinct `image:`
values not built locally; distinct `uses:` targets that are not `./` plus
the runner labels `runs-on` resolves to; `provider` blocks in lock files;
provider local names from required_providers, provider blocks and
resource/data type prefixes, plus non-local modules), then checked by hand.
"""

from __future__ import annotations

import pytest

from conftest import CORPUS, corpus_file
from depscan.ingest import read_file

if not CORPUS.exists():  # breadth only: the readers are covered by tests/fixtures on a plain clone
    pytest.skip("shared corpus not available (../shared/corpus)", allow_module_level=True)

#: path under corpus/ -> (format, components, of which machines: runtime infrastructure (compose images,
#: Terraform providers) or hosted CI runners, which are build chain since issue 12)
EXPECTED = {
    "infra/docker/bitwarden-server/src/Api/Dockerfile": ("dockerfile", 2, 0),
    "infra/docker/meilisearch/Dockerfile": ("dockerfile", 2, 0),
    "infra/docker/rubygems.org/Dockerfile": ("dockerfile", 4, 0),  # + syntax frontend, 2 ADD from S3
    "infra/docker/scaleway-cli/Dockerfile": ("dockerfile", 2, 0),
    "infra/docker/spring-petclinic/.devcontainer/Dockerfile": ("dockerfile", 1, 0),
    "infra/docker/warehouse/Dockerfile": ("dockerfile", 3, 0),  # node, python, syntax frontend
    "infra/docker/bitwarden-server/dev/docker-compose.yml": ("docker-compose", 11, 11),
    "infra/docker/rubygems.org/docker-compose.yml": ("docker-compose", 5, 5),
    "infra/docker/spring-petclinic/docker-compose.yml": ("docker-compose", 2, 2),
    "infra/docker/warehouse/docker-compose.yml": ("docker-compose", 8, 8),  # 9 others are built locally
    "infra/github-workflows/bitwarden-server/build.yml": ("github-actions", 20, 2),
    "infra/github-workflows/mastodon-chart/test-chart.yml": ("github-actions", 6, 1),
    "infra/github-workflows/meilisearch/publish-docker-images.yml": ("github-actions", 12, 3),
    "infra/github-workflows/meilisearch/sdks-tests.yml": ("github-actions", 14, 1),
    "infra/github-workflows/meilisearch/test-suite.yml": ("github-actions", 8, 4),
    "infra/github-workflows/scaleway-cli/nightly.yml": ("github-actions", 3, 1),
    "infra/github-workflows/scaleway-cli/release.yml": ("github-actions", 8, 1),
    "infra/github-workflows/symfony-demo/tests.yaml": ("github-actions", 5, 3),
    "infra/github-workflows/terraform-provider-scaleway/acceptance-tests.yaml": ("github-actions", 5, 1),
    "infra/gitlab-ci/fdroidserver/.gitlab-ci.yml": ("gitlab-ci", 12, 2),
    "infra/helm/mastodon-chart/Chart.yaml": ("helm-chart", 3, 0),
    "infra/helm/mastodon-chart/Chart.lock": ("helm-chart", 3, 0),
    "infra/terraform/learn-terraform-provision-aks-cluster/.terraform.lock.hcl": ("terraform-lock", 2, 1),
    "infra/terraform/learn-terraform-provision-aks-cluster/aks-cluster.tf": ("terraform", 2, 1),
    "infra/terraform/learn-terraform-provision-aks-cluster/versions.tf": ("terraform", 1, 1),
    "infra/terraform/learn-terraform-provision-eks-cluster/.terraform.lock.hcl": ("terraform-lock", 6, 1),
    "infra/terraform/learn-terraform-provision-eks-cluster/main.tf": ("terraform", 5, 1),  # aws, random, 3 modules
    "infra/terraform/learn-terraform-provision-eks-cluster/terraform.tf": ("terraform", 4, 1),
    "infra/terraform/learn-terraform-provision-gke-cluster/.terraform.lock.hcl": ("terraform-lock", 1, 1),
    "infra/terraform/learn-terraform-provision-gke-cluster/versions.tf": ("terraform", 1, 1),
    "infra/terraform/learn-terraform-provision-gke-cluster/vpc.tf": ("terraform", 1, 1),
    "infra/terraform/outscale-examples/net_vm/outscale.tf": ("terraform", 1, 1),
    "infra/terraform/outscale-examples/nginx-server/provider.tf": ("terraform", 3, 1),
    "infra/terraform/ovh-provider-examples/cloud_project_kube_example_10.tf": ("terraform", 1, 1),
    "infra/terraform/ovh-provider-examples/example_1.tf": ("terraform", 1, 1),
    "infra/terraform/ovh-public-cloud-examples/configuration/providers.tf": ("terraform", 2, 2),
    "infra/terraform/ovh-public-cloud-examples/install-csi-manila/providers.tf": ("terraform", 3, 3),
    "infra/terraform/ovh-public-cloud-examples/multi-vrack-ipsec-landing-zone/providers.tf": ("terraform", 4, 2),
    "infra/terraform/scaleway-examples/function-region_from_id.tf": ("terraform", 1, 1),
    "infra/terraform/scaleway-examples/instance-servers/main.tf": ("terraform", 1, 1),
    "infra/terraform/scaleway-serverless-triggers-getting-started/.terraform.lock.hcl": ("terraform-lock", 3, 1),
    "infra/terraform/scaleway-serverless-triggers-getting-started/main.tf": ("terraform", 2, 1),
    "infra/terraform/scaleway-serverless-triggers-getting-started/provider.tf": ("terraform", 2, 1),
}


RUNNERS = ("github-runner", "gitlab-runner")


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_corpus_file_counts(relative):
    path = corpus_file(relative)
    expected_format, expected_total, expected_infrastructure = EXPECTED[relative]
    result = read_file(path, relative)
    assert result.format == expected_format
    assert len(result.components) == expected_total, sorted(c.id for c in result.components)
    machines = [c for c in result.components if c.kind == "infrastructure" or c.ecosystem in RUNNERS]
    assert len(machines) == expected_infrastructure, sorted(c.id for c in machines)
    assert all(c.sources and c.sources[0].line for c in result.components)


def test_warehouse_dockerfile_stages_are_not_images():
    result = read_file(corpus_file("infra/docker/warehouse/Dockerfile"))
    roles = {c.image: c.properties["role"] for c in result.components}
    assert roles == {
        "docker/dockerfile:1": "frontend",
        "node:26.7.0-trixie": "build-stage",
        "python:3.14.7-slim-trixie": "runtime-base",  # the last stage is `FROM base`, which is python
    }


def test_rubygems_dockerfile_arg_defaults_and_s3_downloads():
    result = read_file(corpus_file("infra/docker/rubygems.org/Dockerfile"))
    by_role: dict[str, list[str]] = {}
    for component in result.components:
        by_role.setdefault(component.properties["role"], []).append(component.image or component.endpoints[0])
    assert by_role == {
        "frontend": ["docker/dockerfile:1.10"],
        "runtime-base": ["ruby:4.0.6-alpine3.23"],  # FROM ruby:$RUBY_VERSION-alpine${ALPINE_VERSION}
        "download": ["https://s3-us-west-2.amazonaws.com/", "https://s3-us-west-2.amazonaws.com/"],
    }


def test_rubygems_compose_digests_keep_the_tag_comment():
    result = read_file(corpus_file("infra/docker/rubygems.org/docker-compose.yml"))
    postgres = next(c for c in result.components if c.name == "postgres")
    assert postgres.version == "sha256:f104f501cd403abdc56cd17fab81fad0b15754e8dce818e20300a17a3628700f"
    assert postgres.properties["comment"] == "14.15"
    assert postgres.purl == f"pkg:docker/postgres@{postgres.version}"  # index.docker.io/library/ is Docker Hub


def test_meilisearch_matrix_runners_and_expression_tags():
    result = read_file(corpus_file("infra/github-workflows/meilisearch/test-suite.yml"))
    runners = sorted(c.name for c in result.components if c.ecosystem in RUNNERS)
    assert runners == ["macos-14", "ubuntu-22.04", "ubuntu-22.04-arm", "windows-2022"]
    sdks = read_file(corpus_file("infra/github-workflows/meilisearch/sdks-tests.yml"))
    (image,) = [c for c in sdks.components if c.image]
    assert image.name == "getmeili/meilisearch-enterprise" and image.version is None  # tag is `${{ needs... }}`
    assert len(image.sources) == 12  # one service per SDK job (grep -c)


def test_scaleway_runner_fallback_literal():
    result = read_file(corpus_file("infra/github-workflows/scaleway-cli/release.yml"))
    (runner,) = [c for c in result.components if c.ecosystem in RUNNERS]
    assert runner.name == "ubuntu-latest"  # "${{ vars.RUNS_ON || 'ubuntu-latest' }}"
    assert runner.suppliers == ["GitHub, Inc."]


def test_fdroid_gitlab_merge_keys_and_hosted_runners():
    result = read_file(corpus_file("infra/gitlab-ci/fdroidserver/.gitlab-ci.yml"))
    runners = sorted(c.name for c in result.components if c.ecosystem in RUNNERS)
    assert runners == ["saas-linux-small-amd64", "saas-macos-medium-m1"]  # not the self-managed `windows` tag
    trixie = next(c for c in result.components if c.image == "debian:trixie-slim")
    assert len(trixie.sources) == 13  # grep -c "image: debian:trixie-slim"


def test_mastodon_chart_dependencies_are_oci_artifacts():
    result = read_file(corpus_file("infra/helm/mastodon-chart/Chart.yaml"))
    assert sorted(c.image for c in result.components) == [
        "registry-1.docker.io/bitnamicharts/elasticsearch:19.19.2",
        "registry-1.docker.io/bitnamicharts/postgresql:14.2.3",
        "registry-1.docker.io/bitnamicharts/redis:22.0.7",
    ]
    assert "mastodon" not in {c.name for c in result.components}


def test_terraform_lock_and_sources_agree():
    lock = read_file(corpus_file("infra/terraform/learn-terraform-provision-eks-cluster/.terraform.lock.hcl"))
    assert sorted(c.id for c in lock.components) == [
        "terraform:hashicorp/aws@5.47.0",
        "terraform:hashicorp/cloudinit@2.3.4",
        "terraform:hashicorp/null@3.2.2",
        "terraform:hashicorp/random@3.6.1",
        "terraform:hashicorp/time@0.11.1",
        "terraform:hashicorp/tls@4.0.5",
    ]
    aks = read_file(corpus_file("infra/terraform/learn-terraform-provision-aks-cluster/aks-cluster.tf"))
    providers = {c.terraform_provider: c for c in aks.components}
    assert providers["hashicorp/azurerm"].version == "3.67.0"  # from versions.tf, the same module
    assert providers["hashicorp/random"].properties["implied"] is True  # random_pet, declared nowhere


def test_ovh_openstack_provider_points_at_ovh():
    result = read_file(
        corpus_file("infra/terraform/ovh-public-cloud-examples/multi-vrack-ipsec-landing-zone/providers.tf")
    )
    openstack = next(c for c in result.components if c.terraform_provider == "terraform-provider-openstack/openstack")
    assert openstack.endpoints == ["https://auth.cloud.ovh.net/"]
    assert [location.line for location in openstack.sources] == [7, 49, 60]


def test_whole_infra_corpus_through_the_cli(cli):
    root = corpus_file("infra")
    run = cli("scan", str(root), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    formats = sorted(source["format"] for source in report["sources"])
    # workflows are not under .github/workflows in the corpus: a directory scan does not pick them up
    assert formats.count("dockerfile") == 6 and formats.count("docker-compose") == 4
    assert formats.count("terraform") == 17 and formats.count("terraform-lock") == 4
    assert formats.count("gitlab-ci") == 1 and formats.count("helm-chart") == 2
    assert not [source for source in report["sources"] if source.get("error")]
