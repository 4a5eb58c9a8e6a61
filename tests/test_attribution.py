"""Who a component is attributed to when several rules could speak: precision cases of issue 13.

- a domain rule on an endpoint configured in a Terraform provider block names the
  infrastructure the provider drives, never the provider's own vendor;
- a rule with `publisher` gives the component to its publisher and records the
  vendor it implies (hashicorp/aws: HashiCorp's code, AWS's infrastructure);
- an exact purl rule beats a repository owner (a package that moved to a foundation);
- npm packages with no rule get their publisher from the shipped npm index, offline.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from depscan.model import Component
from depscan.vendordb import load, npm_index

CASES = FIXTURES / "attribution"


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture vendors with the real countries and laws, so that jurisdictions are real."""
    root = tmp_path_factory.mktemp("db")
    shutil.copytree(CASES / "db", root, dirs_exist_ok=True)
    for name in ("countries.toml", "laws.toml", "registries.toml"):
        shutil.copy(ROOT / "vendor_db" / name, root / name)
    return root


def _components(cli, path: Path, db: Path) -> dict[str, dict]:
    run = cli("scan", str(path), "--vendor-db", str(db), "--no-installed", "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    return {c["name"]: c for c in run.json()["components"]}


def test_configured_endpoint_implies_the_cloud_but_does_not_attribute_the_provider(cli, fixture_db):
    components = _components(cli, CASES / "openstack-ovh", fixture_db)
    provider = components["terraform-provider-openstack/openstack"]
    assert provider["vendor"] is None  # the OpenStack provider is not CloudCo's code
    assert provider["implies"]["id"] == "cloudco"
    assert "configured" in provider["implies"]["evidence"]
    # the level of an infrastructure dependency follows who operates it: CloudCo, in France
    assert provider["level"] is not None and provider["implies"]["eu"] is True
    assert "CloudCo" in provider["level_reason"]


def test_a_rule_with_a_publisher_records_both_publisher_and_implied_infrastructure(cli, fixture_db):
    components = _components(cli, CASES / "provider-publisher", fixture_db)
    provider = components["toolco/cloudco"]
    assert provider["vendor"]["id"] == "toolco"
    assert provider["vendor"]["country"] == "US"
    assert provider["implies"]["id"] == "cloudco"
    assert provider["kind"] == "infrastructure"
    assert "CloudCo" in provider["level_reason"]  # judged by the infrastructure it drives
    own = components["toolco/random"]
    assert own["vendor"]["id"] == "toolco" and own["implies"] is None


def test_shipped_openstack_provider_on_ovh_is_not_ovhclouds_code(cli):
    tf = FIXTURES / "attribution" / "openstack-ovh-real"
    run = cli("scan", str(tf), "--no-installed", "--format", "json", "--fail-on", "none")
    provider = next(c for c in run.json()["components"] if c["name"] == "terraform-provider-openstack/openstack")
    assert provider["vendor"] is None or provider["vendor"]["id"] != "ovhcloud"
    assert provider["implies"]["id"] == "ovhcloud"


def test_exact_purl_beats_repository_owner_and_the_npm_index(cli, fixture_db):
    components = _components(cli, CASES / "npm", fixture_db)
    # declared repository github.com/bigcorp/testrunner and index owner github.com/bigcorp: the purl rule wins
    assert components["testrunner"]["vendor"]["id"] == "jsfoundation"
    assert components["testrunner"]["vendor"]["evidence"] == "purl pkg:npm/testrunner"


def test_npm_index_owner_claimed_by_a_vendor_resolves_to_it(cli, fixture_db):
    components = _components(cli, CASES / "npm", fixture_db)
    uifw = components["uifw"]
    assert uifw["vendor"]["id"] == "bigcorp"
    assert "npm publisher index" in uifw["vendor"]["evidence"]
    assert uifw["publisher"] is None


def test_npm_index_owner_without_a_vendor_is_a_publisher_with_no_jurisdiction(cli, fixture_db):
    components = _components(cli, CASES / "npm", fixture_db)
    assert components["left-pad"]["vendor"] is None
    assert components["left-pad"]["publisher"]["name"] == "github.com/stevemao"
    assert components["left-pad"]["level"] is None  # a publisher with no record carries no jurisdiction
    assert components["@scoped/thing"]["publisher"]["name"] == "gitlab.com/someone"
    assert components["not-indexed"]["vendor"] is None and components["not-indexed"]["publisher"] is None


def test_a_database_without_an_index_still_resolves(tmp_path):
    (tmp_path / "vendors").mkdir()
    shutil.copy(CASES / "db" / "vendors" / "bigcorp.toml", tmp_path / "vendors")
    assert npm_index.owner(tmp_path, "uifw") is None
    from depscan import resolve

    component = Component(name="uifw", purl="pkg:npm/uifw@1.0.0", ecosystem="npm")
    resolve.resolve([component], load(tmp_path))
    assert component.vendor is None and component.publisher is None


def test_shipped_npm_index_is_compact_sorted_and_says_its_source():
    path = ROOT / "vendor_db" / npm_index.FILE_NAME
    assert path.stat().st_size < 5_000_000
    header = npm_index.header(path)
    assert header["dataset"].startswith("all-the-package-repos ")
    assert header["licence"] == "MIT"
    lines = [line for line in gzip.decompress(path.read_bytes()).decode().splitlines() if not line.startswith("#")]
    names = [line.split("\t", 1)[0] for line in lines]
    assert names == sorted(names) and len(names) == len(set(names)) > 100_000
    assert all(line.count("\t") == 1 and "/" in line.split("\t")[1] for line in lines[:1000])


def test_npm_index_is_loaded_only_when_an_npm_component_needs_it(cli):
    code = (
        "import sys\n"
        "from depscan import resolve, vendordb\n"
        "from depscan.model import Component\n"
        "from depscan.vendordb import npm_index\n"
        "db = vendordb.load()\n"
        "resolve.resolve([Component(name='requests', purl='pkg:pypi/requests@2.0', ecosystem='pypi')], db)\n"
        "print(npm_index._load.cache_info().currsize)\n"
        "resolve.resolve([Component(name='left-pad', purl='pkg:npm/left-pad@1.3.0', ecosystem='npm')], db)\n"
        "print(npm_index._load.cache_info().currsize)\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "1"]


def test_a_download_host_is_implied_not_the_files_publisher(fixture_db):
    database = load(fixture_db)
    component = Component(
        name="tool.tar.gz",
        purl="pkg:generic/tool.tar.gz?download_url=https://files.cloudco.example/tool.tar.gz",
        ecosystem="generic",
        kind="tooling",
        endpoints=["https://files.cloudco.example/"],
    )
    vendor, implied = database.resolve_all(component)
    assert vendor is None
    assert implied is not None and implied.id == "cloudco"
    service = Component(name="CloudCo API", kind="service", endpoints=["https://api.cloudco.example/"])
    assert database.resolve(service).id == "cloudco"  # a service known only by its endpoint is its host's
