"""Offline enrichment: installed Python, npm, Go, Maven and Cargo metadata merged into scanned components."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, run_cli
from depscan.enrich import EnrichOptions, licensefile, run
from depscan.enrich.facts import Facts, apply, people, repository_url
from depscan.enrich.installed import InstalledOptions, golang, maven, node, python
from depscan.model import Component

EXAMPLE = ROOT / "examples" / "cloud-app"
INSTALLED = FIXTURES / "installed" / "cloud-app"
PYTHON_ENV = INSTALLED / "python-env"
SCHEMA = ROOT / "src" / "depscan" / "schemas" / "depscan-report-1.schema.json"


def _coverage(report: dict) -> tuple[int, int, int]:
    """(components, with a classified licence, with a publisher or repository), registries left out."""
    components = [c for c in report["components"] if c["kind"] != "registry"]
    licensed = sum(1 for c in components if c["license"]["category"] != "unknown")
    published = sum(1 for c in components if c["suppliers"] or c["repository"])
    return len(components), licensed, published


def _isolated(tmp_path: Path) -> dict[str, str]:
    """No package-manager cache of this machine may leak into a test."""
    return {"HOME": str(tmp_path / "home"), "GOMODCACHE": str(tmp_path / "gomod"), "CARGO_HOME": str(tmp_path / "c")}


# -- the cloud-app example, end to end -------------------------------------------------


def test_requirements_without_environment_know_nothing(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "requirements.txt", tmp_path)
    result = run_cli(
        "scan", str(tmp_path / "requirements.txt"), "-f", "json", "--fail-on", "none", env=_isolated(tmp_path)
    )
    assert result.code == 0, result.stderr
    assert _coverage(result.json()) == (51, 0, 0)


def test_requirements_with_a_venv_beside_them(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "requirements.txt", tmp_path)
    shutil.copytree(PYTHON_ENV, tmp_path / ".venv")
    result = run_cli(
        "scan", str(tmp_path / "requirements.txt"), "-f", "json", "--fail-on", "none", env=_isolated(tmp_path)
    )
    assert result.code == 0, result.stderr
    report = result.json()
    # 51 of 51 licences (mistralai's and protobuf's from their licence files), 50 of 51 publishers:
    # protobuf's metadata names an e-mail address as author and a documentation site as home page
    assert _coverage(report) == (51, 51, 50)
    by_name = {c["name"]: c for c in report["components"]}
    boto3 = by_name["boto3"]
    assert boto3["license"]["expression"] == "Apache-2.0"
    assert boto3["license"]["evidence"].startswith("installed metadata: ")
    assert boto3["license"]["evidence"].endswith("boto3-1.44.5.dist-info/METADATA")
    assert boto3["suppliers"] == ["Amazon Web Services"]
    assert boto3["repository"] == "https://github.com/boto/boto3"
    mistral = by_name["mistralai"]
    assert mistral["license"]["expression"] == "Apache-2.0"
    assert "recognised from the text of LICENSE" in mistral["license"]["evidence"]
    assert by_name["python-dateutil"]["license"]["evidence"].endswith("(from trove classifiers)")
    assert by_name["cryptography"]["license"]["expression"] == "Apache-2.0 OR BSD-3-Clause"
    assert by_name["protobuf"]["suppliers"] == [] and by_name["protobuf"]["repository"] is None
    metadata = boto3["license"]["evidence"]
    assert boto3["provenance"] == {"license": metadata, "suppliers": metadata, "repository": metadata}
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))


def test_declared_fields_have_no_provenance(tmp_path: Path) -> None:
    result = run_cli("scan", str(EXAMPLE / "package-lock.json"), "-f", "json", "--fail-on", "none")
    assert all(c["provenance"] == {} for c in result.json()["components"])


def test_repository_found_offline_decides_the_vendor_and_says_so(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "requirements.txt", tmp_path)
    shutil.copytree(PYTHON_ENV, tmp_path / "venv")
    result = run_cli("scan", str(tmp_path), "-f", "json", "--fail-on", "none", env=_isolated(tmp_path))
    assert result.code == 0, result.stderr
    httpx2 = next(c for c in result.json()["components"] if c["name"] == "httpx2")
    assert httpx2["repository"] == "https://github.com/pydantic/httpx2"
    assert httpx2["vendor"] is not None
    assert "repository owner github.com/pydantic" in httpx2["vendor"]["evidence"]
    assert "repository from installed metadata: " in httpx2["vendor"]["evidence"]


def test_python_env_option_and_no_installed(tmp_path: Path) -> None:
    requirements = str(EXAMPLE / "requirements.txt")
    given = run_cli(
        "scan",
        requirements,
        "-f",
        "json",
        "--fail-on",
        "none",
        "--python-env",
        str(PYTHON_ENV),
        env=_isolated(tmp_path),
    )
    assert given.code == 0, given.stderr
    assert _coverage(given.json()) == (51, 51, 50)
    shutil.copy(EXAMPLE / "requirements.txt", tmp_path)
    shutil.copytree(PYTHON_ENV, tmp_path / ".venv")
    off = run_cli(
        "scan", str(tmp_path / "requirements.txt"), "-f", "json", "--fail-on", "none", "--no-installed",
        env=_isolated(tmp_path),
    )  # fmt: skip
    assert off.code == 0, off.stderr
    assert _coverage(off.json()) == (51, 0, 0)


def test_python_env_that_is_not_one_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("scan", str(EXAMPLE / "requirements.txt"), "--python-env", str(tmp_path))
    assert result.code == 2
    assert "--python-env" in result.stderr and "Traceback" not in result.stderr


def test_package_lock_with_node_modules(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "package-lock.json", tmp_path)
    before = run_cli("scan", str(tmp_path / "package-lock.json"), "-f", "json", "--fail-on", "none")
    assert _coverage(before.json()) == (256, 256, 0)
    shutil.copytree(INSTALLED / "node_modules", tmp_path / "node_modules")
    after = run_cli("scan", str(tmp_path / "package-lock.json"), "-f", "json", "--fail-on", "none")
    assert after.code == 0, after.stderr
    report = after.json()
    # 44 @scaleway/sdk-* packages publish a repository with a directory and no URL, and no author
    assert _coverage(report) == (256, 256, 212)
    components = {c["purl"]: c for c in report["components"]}
    s3 = components["pkg:npm/%40aws-sdk/client-s3@3.1173.0"]
    assert s3["license"]["evidence"] == "declared"  # the lockfile declared it: never replaced
    assert s3["suppliers"] == ["AWS SDK for JavaScript Team"]
    assert s3["repository"] == "https://github.com/aws/aws-sdk-js-v3"
    # a package nested in another's node_modules, a different version from the top-level one
    nested = components["pkg:npm/debug@4.4.3"]
    assert nested["suppliers"] == ["Josh Junon"]
    assert nested["repository"] == "https://github.com/debug-js/debug"
    assert components["pkg:npm/debug@2.6.9"]["repository"] == "https://github.com/visionmedia/debug"


def test_declared_data_is_never_overwritten() -> None:
    component = Component(
        name="x", version="1", purl="pkg:pypi/x@1", declared_licenses=["MIT"], suppliers=["Declared Inc."]
    )
    facts = Facts(
        "installed metadata", "/env/x.dist-info/METADATA", ("GPL-3.0-only",), ("Someone",), "https://github.com/o/x"
    )
    assert apply(component, facts) == ["repository"]
    assert component.declared_licenses == ["MIT"] and component.suppliers == ["Declared Inc."]
    assert "license_evidence" not in component.properties
    assert component.properties["provenance"] == {"repository": "installed metadata: /env/x.dist-info/METADATA"}


def test_an_unusable_declared_licence_is_completed() -> None:
    component = Component(name="x", version="1", purl="pkg:pypi/x@1", declared_licenses=["NOASSERTION"])
    apply(component, Facts("registry (pypi)", "https://r/x/1/json", ("MIT",)))
    assert component.declared_licenses == ["MIT"]
    assert component.properties["license_evidence"] == "registry (pypi): https://r/x/1/json"


# -- readers, unit by unit ----------------------------------------------------------------


def test_metadata_reader_picks_the_best_licence_field(tmp_path: Path) -> None:
    dist = tmp_path / "site-packages" / "demo-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_bytes(
        b"Metadata-Version: 2.1\r\nName: Demo_Pkg\r\nVersion: 1.0\r\nLicense: MIT License\r\n"
        b"        \r\n        Copyright (c) 2020 someone\r\n        Permission is hereby granted\r\n"
        b"Author-email: Ann Example <ann@example.org>, bob@example.org\r\n"
        b"Project-URL: Funding, https://github.com/sponsors/ann\r\n"
        b"Project-URL: Changelog, https://github.com/ann/demo/blob/main/CHANGES.md\r\n"
        b"Home-page: https://demo.readthedocs.io\r\n\r\nlong description\nLicense: GPL\n"
    )
    (base, version, facts), *_ = list(python.read_environment(tmp_path / "site-packages"))
    assert (base, version) == ("pkg:pypi/demo-pkg", "1.0")
    assert facts.licenses == ("MIT License",)
    assert facts.suppliers == ("Ann Example",)
    assert facts.repository == "https://github.com/ann/demo"


def test_site_packages_of_a_venv_and_a_prefix(tmp_path: Path) -> None:
    (tmp_path / "env" / "lib" / "python3.12" / "site-packages" / "a-1.dist-info").mkdir(parents=True)
    (tmp_path / "win" / "Lib" / "site-packages" / "b-1.dist-info").mkdir(parents=True)
    assert [p.name for p in python.site_packages(tmp_path / "env")] == ["site-packages"]
    assert [p.parent.name for p in python.site_packages(tmp_path / "win")] == ["Lib"]
    assert python.site_packages(tmp_path / "missing") == []


def test_node_modules_reader_takes_package_roots_only(tmp_path: Path) -> None:
    modules = tmp_path / "node_modules"
    for relative, document in {
        "a/package.json": {"name": "a", "version": "1.0.0", "license": {"type": "MIT"}, "author": {"name": "Ann"}},
        "a/dist/cjs/package.json": {"type": "commonjs"},
        "@s/b/package.json": {"name": "@s/b", "version": "2.0.0", "licenses": [{"type": "ISC"}], "repository": "s/b"},
        "a/node_modules/c/package.json": {"name": "c", "version": "3.0.0", "homepage": "https://gitlab.com/g/sub/c"},
        ".bin/package.json": {"name": "bin", "version": "0"},
    }.items():
        path = modules / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
    (modules / "broken").mkdir()
    (modules / "broken" / "package.json").write_text("{not json")
    found = {(base, version): facts for base, version, facts in node.read_node_modules(modules)}
    assert set(found) == {("pkg:npm/a", "1.0.0"), ("pkg:npm/%40s/b", "2.0.0"), ("pkg:npm/c", "3.0.0")}
    assert found["pkg:npm/a", "1.0.0"].licenses == ("MIT",)
    assert found["pkg:npm/a", "1.0.0"].suppliers == ("Ann",)
    assert found["pkg:npm/%40s/b", "2.0.0"].repository == "https://github.com/s/b"
    assert found["pkg:npm/c", "3.0.0"].repository == "https://gitlab.com/g/sub/c"


def test_node_modules_symlink_cycle_terminates(tmp_path: Path) -> None:
    modules = tmp_path / "node_modules"
    (modules / "a").mkdir(parents=True)
    (modules / "a" / "package.json").write_text('{"name": "a", "version": "1.0.0"}')
    (modules / "a" / "node_modules").symlink_to(modules)
    assert [v for _, v, _ in node.read_node_modules(modules)] == ["1.0.0"]


def test_go_module_cache(tmp_path: Path) -> None:
    root = tmp_path / "mod"
    module = root / "github.com" / "!azure" / "azure-sdk-for-go@v1.2.0"
    module.mkdir(parents=True)
    (module / "LICENSE.txt").write_text(licence_text("MIT"))
    info = root / "cache" / "download" / "gopkg.in" / "yaml.v3" / "@v"
    info.mkdir(parents=True)
    (info / "v3.0.1.info").write_text(
        '{"Version": "v3.0.1", "Origin": {"VCS": "git", "URL": "https://github.com/go-yaml/yaml"}}'
    )
    azure = golang.lookup(root, "pkg:golang/github.com/Azure/azure-sdk-for-go@v1.2.0")
    assert azure is not None and azure.licenses == ("MIT",)
    yaml = golang.lookup(root, "pkg:golang/gopkg.in/yaml.v3@v3.0.1")
    assert yaml is not None and yaml.repository == "https://github.com/go-yaml/yaml" and yaml.licenses == ()
    assert golang.lookup(root, "pkg:golang/example.com/absent@v1.0.0") is None


def test_maven_repository_follows_parents(tmp_path: Path) -> None:
    root = tmp_path / "repository"
    child = root / "org" / "example" / "lib" / "1.0" / "lib-1.0.pom"
    parent = root / "org" / "example" / "parent" / "7" / "parent-7.pom"
    child.parent.mkdir(parents=True)
    parent.parent.mkdir(parents=True)
    child.write_text(
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><parent><groupId>org.example</groupId>'
        "<artifactId>parent</artifactId><version>7</version></parent><artifactId>lib</artifactId>"
        "<scm><url>${project.url}</url></scm></project>"
    )
    parent.write_text(
        "<project><licenses><license><name>The Apache Software License, Version 2.0</name></license></licenses>"
        "<organization><name>Example Corp</name></organization>"
        "<scm><url>https://github.com/example/parent</url></scm></project>"
    )
    facts = maven.lookup(root, "pkg:maven/org.example/lib@1.0")
    assert facts is not None
    assert facts.licenses == ("The Apache Software License, Version 2.0",)
    assert facts.suppliers == ("Example Corp",)
    assert facts.repository == "https://github.com/example/parent"
    assert facts.location == str(child)


def test_maven_pom_with_a_dtd_is_refused(tmp_path: Path) -> None:
    pom = tmp_path / "r" / "a" / "b" / "1" / "b-1.pom"
    pom.parent.mkdir(parents=True)
    pom.write_text(
        '<!DOCTYPE x [<!ENTITY e "boom">]><project><licenses><license><name>&e;</name></license></licenses></project>'
    )
    assert maven.lookup(tmp_path / "r", "pkg:maven/a/b@1") is None


def test_cargo_registry_and_maven_through_the_scan(tmp_path: Path) -> None:
    crate = tmp_path / "cargo" / "registry" / "src" / "index.crates.io-1949cf8c6b5b557f" / "serde-1.0.228"
    crate.mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "serde"\nversion = "1.0.228"\nlicense = "MIT OR Apache-2.0"\n'
        'authors = ["Erick Tryzelaar <erick.tryzelaar@gmail.com>", "David Tolnay <dtolnay@gmail.com>"]\n'
        'repository = "https://github.com/serde-rs/serde"\n'
    )
    components = [Component(name="serde", version="1.0.228", purl="pkg:cargo/serde@1.0.228", ecosystem="cargo")]
    options = EnrichOptions(installed=InstalledOptions(cargo_root=crate.parent.parent, maven_root=tmp_path / "no"))
    report = run(components, options)
    assert report.from_installed == 1
    assert components[0].declared_licenses == ["MIT OR Apache-2.0"]
    assert components[0].suppliers == ["Erick Tryzelaar", "David Tolnay"]
    assert components[0].properties["license_evidence"].endswith("serde-1.0.228/Cargo.toml")


def test_unversioned_component_matches_the_only_installed_version(tmp_path: Path) -> None:
    components = [Component(name="boto3", purl="pkg:pypi/boto3", ecosystem="pypi")]
    run(components, EnrichOptions(installed=InstalledOptions(python_envs=(PYTHON_ENV,), package_caches=False)))
    assert components[0].declared_licenses == ["Apache-2.0"]
    assert "version 1.44.5 installed; the input gives none" in components[0].properties["license_evidence"]


def test_version_must_match(tmp_path: Path) -> None:
    components = [Component(name="boto3", version="1.0.0", purl="pkg:pypi/boto3@1.0.0", ecosystem="pypi")]
    run(components, EnrichOptions(installed=InstalledOptions(python_envs=(PYTHON_ENV,), package_caches=False)))
    assert components[0].declared_licenses == []


# -- helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git+https://github.com/aws/aws-sdk-js-v3.git", "https://github.com/aws/aws-sdk-js-v3"),
        (
            "https://github.com/googleapis/google-cloud-python/tree/main/packages/x",
            "https://github.com/googleapis/google-cloud-python",
        ),
        ("git@github.com:owner/repo.git", "https://github.com/owner/repo"),
        ("github:owner/repo", "https://github.com/owner/repo"),
        ("expressjs/express", "https://github.com/expressjs/express"),
        ("https://gitlab.com/group/sub/project/-/tree/main", "https://gitlab.com/group/sub/project"),
        ("https://github.com/sponsors/someone", None),
        ("https://api.ovh.com", None),
        ("https://github.com/onlyowner", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_repository_url(url: str, expected: str | None) -> None:
    assert repository_url(url) == expected


def test_people() -> None:
    assert people('"Ahmed R. TAHRI" <tahri.ahmed@proton.me>') == ("Ahmed R. TAHRI",)
    assert people("protobuf@googlegroups.com") == ()
    assert people("TJ Holowaychuk <tj@vision-media.ca> (http://tjholowaychuk.com)") == ("TJ Holowaychuk",)
    assert people("Amazon Web Services", "Amazon Web Services") == ("Amazon Web Services",)


def licence_text(spdx: str) -> str:
    texts = {
        "MIT": "MIT License\n\nCopyright (c) 2024 x\n\nPermission is hereby granted, free of charge, to any person "
        "obtaining a copy\nof this software...\n\nThe above copyright notice and this permission notice shall be "
        "included in all\ncopies or substantial portions of the Software.\n",
        "ISC": "Permission to use, copy, modify, and/or distribute this software for any purpose\nwith or without "
        "fee is hereby granted, provided that the above copyright notice and this permission notice appear in all "
        "copies.",
        "BSD-2-Clause": "Redistribution and use in source and binary forms, with or without modification, are "
        "permitted provided that the following conditions are met:",
    }
    return texts[spdx]


@pytest.mark.parametrize("spdx", ["MIT", "ISC", "BSD-2-Clause"])
def test_licence_texts_are_recognised(spdx: str) -> None:
    assert licensefile.identify(licence_text(spdx)) == spdx
    assert licensefile.identify("# " + licence_text(spdx).replace("\n", "\n# ")) == spdx


def test_two_licences_in_one_file_are_not_guessed() -> None:
    assert licensefile.identify(licence_text("MIT") + licence_text("ISC")) is None
    assert licensefile.identify("All rights reserved.") is None


# -- untrusted metadata never raises ----------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600))
def test_fuzzed_metadata_files_never_raise(tmp_path: Path, data: bytes) -> None:
    dist = tmp_path / "sp" / "x-1.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_bytes(b"Name: x\nVersion: 1\n" + data)
    list(python.read_environment(tmp_path / "sp"))
    (tmp_path / "nm" / "x").mkdir(parents=True, exist_ok=True)
    (tmp_path / "nm" / "x" / "package.json").write_bytes(data)
    list(node.read_node_modules(tmp_path / "nm"))
    pom = tmp_path / "m2" / "g" / "a" / "1" / "a-1.pom"
    pom.parent.mkdir(parents=True, exist_ok=True)
    pom.write_bytes(b"<project>" + data)
    maven.lookup(tmp_path / "m2", "pkg:maven/g/a@1")
    licensefile.identify(data.decode("utf-8", errors="replace"))
