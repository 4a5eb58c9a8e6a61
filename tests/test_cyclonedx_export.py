"""The CycloneDX export, serialised directly with orjson, against cyclonedx-python-lib as the reference.

The library is no longer used to write the export (2 ms per component through its model), but it still
judges it: its CycloneDX 1.6 JSON schema validator runs on real outputs (examples/cloud-app with a syft SBOM
of it, and a generated 1,000-component SBOM), and its model rebuilds the same document from the same scan
(tests/cyclonedx_reference.py, the former implementation) to show that nothing is lost or changed.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

import cyclonedx_reference
from conftest import FIXTURES, ROOT, run_cli
from depscan.model import Component, Finding, License, ScanResult, VendorMatch
from depscan.report import RenderOptions, renderer

APP = ROOT / "examples" / "cloud-app"
SYFT = FIXTURES / "pipeline" / "syft.cdx.json"
OPTIONS = RenderOptions(tool_version="test", working_dir=str(ROOT), base_dir=str(ROOT))


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("sbomgen", ROOT / "benchmarks" / "sbomgen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "bom-1000.cdx.json"
    _generator().make_sbom(1000, path)
    return path


def scan(*paths: Path) -> ScanResult:
    from depscan import scan as scan_module
    from depscan import vendordb

    options = scan_module.ScanOptions(paths=[os.path.relpath(p, ROOT) for p in paths], fail_on="medium")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return scan_module.run(options, vendordb.load())
    finally:
        os.chdir(cwd)


def by_ref(document: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {entry["bom-ref"]: entry for entry in document.get(key, [])}


def assert_same_content(new: dict[str, Any], reference: dict[str, Any]) -> None:
    """Component by component first (a readable failure), then the whole document."""
    for key in ("components", "services"):
        ours, theirs = by_ref(new, key), by_ref(reference, key)
        assert ours.keys() == theirs.keys(), key
        for ref, entry in theirs.items():
            mine = ours[ref]
            for field in ("name", "group", "version", "purl", "licenses", "supplier", "provider", "type", "scope"):
                assert mine.get(field) == entry.get(field), (ref, field)
            assert mine.get("properties") == entry.get("properties"), ref
            assert mine.get("externalReferences") == entry.get("externalReferences"), ref
            assert mine.get("endpoints") == entry.get("endpoints"), ref
    assert new["metadata"] == reference["metadata"]
    assert new == reference  # order of components and of keys included


@pytest.mark.parametrize("inputs", ["cloud-app", "generated-1000"])
def test_export_is_valid_and_equals_the_library_reference(inputs, generated):
    result = scan(APP, SYFT) if inputs == "cloud-app" else scan(generated)
    assert len(result.components) > 300
    new = renderer("cyclonedx")(result, OPTIONS)
    reference = cyclonedx_reference.render(result, OPTIONS)
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    assert validator.validate_str(new.decode("utf-8")) is None
    assert validator.validate_str(reference.decode("utf-8")) is None
    assert_same_content(json.loads(new), json.loads(reference))
    assert renderer("cyclonedx")(result, OPTIONS) == new  # same scan, same bytes


def test_cli_export_is_byte_for_byte_deterministic(generated, tmp_path):
    outputs = []
    for run in ("first", "second"):
        target = tmp_path / f"{run}.cdx.json"
        done = run_cli("scan", str(generated), "--format", "cyclonedx", "--output", str(target), "--fail-on", "none")
        assert done.code == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0])
    assert len(document["components"]) == len({c["bom-ref"] for c in document["components"]}) > 300


def _vendor(country: str = "US") -> VendorMatch:
    return VendorMatch(
        id="acme",
        name="Acme Corp.",
        country=country,
        eu=country != "US",
        controller="acme-holding",
        controller_name="Acme Holding",
        laws=("us-cloud-act",),
        evidence="purl prefix pkg:npm/%40acme/",
        match_key="purl_prefix",
        kind="sdk",
        eu_alternatives=("ovhcloud",),
    )


def edge_cases() -> ScanResult:
    """What the corpus rarely shows: qualifiers, odd purls and URLs, services, duplicate properties."""
    mit = License(expression="MIT", category="permissive", open_source=True, declared=("MIT",))
    custom = License(expression=None, category="unknown", open_source=None, declared=("Acme EULA",))
    components = [
        Component(name="b", version="1.0 beta", purl="pkg:maven/org.acme/b@1.0%20beta?type=jar", license=mit),
        Component(name="a", version="2", purl="pkg:npm/@acme/a@2", vendor=_vendor(), kind="sdk", level=1),
        Component(name="Foo_Bar", version="1.0+local", purl="pkg:pypi/Foo_Bar@1.0%2Blocal", license=custom),
        Component(name="odd", version="1", purl="pkg:npm/x@y@1", scope="dev", properties={"k": "v", "z": 1}),
        Component(name="not-a-purl", version="3", purl="not a purl", declared_licenses=["GPL-2.0-only"]),
        Component(name="deb", version="1:2.3", purl="pkg:deb/debian/libc@1:2.3", scope="excluded"),
        Component(name="img", version="1.25", image="nginx:1.25", kind="infrastructure", suppliers=["Nginx"]),
        Component(name="repo", version="4", repository="https://git.example/a b{c}", kind="tooling"),
        Component(name="bad-repo", version="5", repository="https://git.example/%zz", kind="registry"),
        Component(
            name="api",
            version="v1",
            kind="service",
            endpoints=["https://b.example", "https://a.example", "https://a.example", "%q", "https://c d"],
            vendor=_vendor("FR"),
            license=mit,
        ),
        Component(name="api", version=None, kind="service"),
    ]
    components[3].properties["depscan:kind"] = "library"  # the same property twice: written once
    findings = [
        Finding(rule="extra-eu-sdk", severity="medium", component=components[1].id, message="m"),
        Finding(rule="r2", severity="low", component=components[1].id, message="m", exempted=True),
    ]
    summary = {"level": 1, "level_reason": "why", "components": len(components), "extra_eu": 1}
    return ScanResult(components=components, findings=findings, sources=[], summary=summary)


def test_edge_cases_equal_the_library_reference_and_validate():
    result = edge_cases()
    new = renderer("cyclonedx")(result, OPTIONS)
    reference = cyclonedx_reference.render(result, OPTIONS)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(new.decode("utf-8")) is None
    assert new == reference  # byte for byte, as on the corpus
    document = json.loads(new)
    components = by_ref(document, "components")
    assert components["pkg:pypi/Foo_Bar@1.0%2Blocal"]["purl"] == "pkg:pypi/foo-bar@1.0%2Blocal"  # canonical form
    assert components["pkg:maven/org.acme/b@1.0%20beta?type=jar"]["group"] == "org.acme"
    assert "purl" not in components["not a purl"]
    assert "externalReferences" not in components["bad-repo@5"]  # the library rejects the URL: left out
    assert components["repo@4"]["externalReferences"][0]["url"] == "https://git.example/a%20b%7Bc%7D"
    service = by_ref(document, "services")["api@v1"]
    assert service["endpoints"] == ["https://a.example", "https://b.example", "https://c%20d"]
