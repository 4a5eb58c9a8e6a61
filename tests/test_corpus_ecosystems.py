"""The Go, Rust, Java, Ruby, PHP, .NET and SPDX 3 files of the shared corpus, read end to end.

Every count below was established without depscan, by a one-off script or
grep over the file (the method is noted per row), so a reader bug cannot
agree with itself.
"""

from __future__ import annotations

import pytest

from conftest import CORPUS, corpus_file
from depscan.ingest import read_file

if not CORPUS.exists():  # breadth only: the readers are covered by tests/fixtures on a plain clone
    pytest.skip("shared corpus not available (../shared/corpus)", allow_module_level=True)

# (corpus path, format, components, direct components or None when the format does not tell)
CASES = [
    # awk: lines of require blocks and single-line requires; direct = without "// indirect"
    ("go/scaleway-cli/go.mod", "go-mod", 209, 35),
    ("go/terraform-provider-ovh/go.mod", "go-mod", 65, 18),
    # awk '$2 !~ /\/go.mod$/' | sort -u: module@version pairs with a zip hash; direct as in go.mod beside it
    ("go/scaleway-cli/go.sum", "go-sum", 263, 35),
    ("go/terraform-provider-ovh/go.sum", "go-sum", 105, 18),
    # grep -c '^source = ' (the [[package]] entries that are not path crates); direct: tomllib script over the
    # dependencies of the source-less (workspace) crates
    ("cargo/meilisearch/Cargo.lock", "cargo-lock", 806, 164),
    ("cargo/meilisearch-lockfile-v3/Cargo.lock", "cargo-lock", 649, 141),
    # ElementTree: project/dependencies/dependency plus the remote <parent>
    ("maven/spring-petclinic/pom.xml", "maven-pom", 25, 25),
    ("maven/jabref-doi-to-bibtex/pom.xml", "maven-pom", 4, 4),
    # grep -v '^#' | grep -v '^empty=': one group:artifact:version per line
    ("maven/fabricmc-mercury/gradle.lockfile", "gradle-lockfile", 28, None),
    ("maven/jabref-pr8925/gradle.lockfile", "gradle-lockfile", 199, None),
    # awk: unique names of 4-space spec lines in GEM and GIT sections; direct: lines of DEPENDENCIES
    ("ruby/rubygems.org/Gemfile.lock", "gemfile-lock", 298, 120),
    ("ruby/rubygems.org-with-git-source/Gemfile.lock", "gemfile-lock", 310, 119),
    # json: len(packages) + len(packages-dev) = 99 + 54; direct: composer.json requires that are packages
    ("php/symfony-demo/composer.lock", "composer-lock", 153, 47),
    # json: distinct (lowercase id, resolved) of non-Project entries; direct: Direct entries plus the packages
    # the Project entries depend on
    ("dotnet/bitwarden-server/src/Api/packages.lock.json", "nuget-lock", 153, 71),
    ("dotnet/bitwarden-server/src/Core/packages.lock.json", "nuget-lock", 140, 49),
    # json: software_Package / ai_AIPackage / dataset_DatasetPackage elements, minus the root element
    # (rootElement of the SpdxDocument or its Sbom) when it has dependencies or contents; direct: packages
    # the root dependsOn or contains
    ("spdx/ai/example02/spdx3.0/sbom.spdx3.json", "spdx3-json", 1, None),
    ("spdx/software/example1/spdx3.0/example1.json", "spdx3-json", 0, None),
    ("spdx/software/example7/spdx3.0/example7-bin.spdx3.json", "spdx3-json", 0, None),
    ("spdx/software/example9/spdx3.0/appbomination.spdx3.json", "spdx3-json", 6, 3),
    ("spdx/software/example11/spdx3.0/sbom.spdx3.json", "spdx3-json", 3, 3),
    ("spdx/software/example14/spdx3.0/examplemaven-0.0.1-enriched.spdx3.json", "spdx3-json", 5, 1),
]


@pytest.mark.parametrize("relative, format_name, count, direct", CASES, ids=[c[0] for c in CASES])
def test_corpus_counts(relative, format_name, count, direct):
    result = read_file(corpus_file(relative))
    assert result.format == format_name
    assert len(result.components) == count
    assert len({c.purl or c.bom_ref for c in result.components}) == count  # no duplicates
    if direct is not None:
        assert sum(1 for c in result.components if c.direct) == direct
    assert all(c.sources and c.sources[0].line for c in result.components if format_name != "spdx3-json")


def test_spdx3_twins_of_spdx2_documents_agree():
    """The 3.0 conversions of the same documents give the same packages as their 2.x originals."""
    for three, two in [
        (
            "spdx/software/example9/spdx3.0/appbomination.spdx3.json",
            "spdx/software/example9/spdx2.2/appbomination.spdx.json",
        ),
        ("spdx/software/example11/spdx3.0/sbom.spdx3.json", "spdx/software/example11/spdx2.3/sbom.spdx.json"),
    ]:
        new = {(c.name, c.version, c.purl) for c in read_file(corpus_file(three)).components}
        old = {(c.name, c.version, c.purl) for c in read_file(corpus_file(two)).components}
        assert new == old, three


def test_corpus_go_directory_scan_merges_both_files(cli):
    directory = corpus_file("go/scaleway-cli")
    run = cli("scan", str(directory), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    golang = [c for c in report["components"] if c["ecosystem"] == "golang"]
    assert len(golang) == 263  # go.sum's 263 include go.mod's 209
    assert sum(1 for c in golang if c["direct"]) == 35
    assert sum(1 for c in golang if len(c["sources"]) == 2) == 209


def test_corpus_gemfile_platform_gems(cli):
    gems = {c.name: c for c in read_file(corpus_file("ruby/rubygems.org/Gemfile.lock")).components}
    # awk: gems whose spec lines carry a platform suffix
    assert sum(1 for c in gems.values() if "platforms" in c.properties) == 8
    assert gems["nokogiri"].purl == "pkg:gem/nokogiri@1.19.4"
    assert gems["avo-pro"].purl == "pkg:gem/avo-pro@3.32.4?repository_url=https://packager.dev/avo-hq/"
