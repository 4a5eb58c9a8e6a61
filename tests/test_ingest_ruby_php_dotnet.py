"""Gemfile.lock, composer.lock and packages.lock.json: sources, direct dependencies, platforms, frameworks."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from depscan.ingest import read_file
from depscan.ingest.php.composer_lock import license_expression
from helpers import read_error

# --- Ruby ---------------------------------------------------------------------------------------------


def test_gemfile_lock_sections_and_direct_dependencies():
    result = read_file(FIXTURES / "ruby" / "app" / "Gemfile.lock")
    assert result.format == "gemfile-lock"
    gems = {c.name: c for c in result.components}
    assert len(gems) == 13
    assert "shop" not in gems  # PATH: the project's own gem
    assert {n for n, c in gems.items() if c.direct} == {
        "aws-sdk-core",
        "billing-client",  # "billing-client (~> 3.1)!" in DEPENDENCIES
        "nokogiri",
        "sovereign-auth",
        "sqlite3",
        "faraday",  # required by the PATH gem, i.e. by the project
    }
    assert gems["jmespath"].introduced_by == ["pkg:gem/aws-sdk-core@3.201.3"]
    git = gems["sovereign-auth"]
    assert git.repository == "https://github.com/example-eu/sovereign-auth.git"
    assert "vcs_url=" in git.purl and "4f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6" in git.purl
    private = gems["billing-client"]
    assert private.purl == "pkg:gem/billing-client@3.1.0?repository_url=https://gems.example.eu/private/"
    assert gems["aws-sdk-core"].purl == "pkg:gem/aws-sdk-core@3.201.3"  # rubygems.org needs no qualifier
    assert gems["aws-sdk-core"].sources[0].line == 24


def test_platform_variants_fold_into_one_gem():
    gems = {c.name: c for c in read_file(FIXTURES / "ruby" / "app" / "Gemfile.lock").components}
    nokogiri = gems["nokogiri"]
    assert (nokogiri.version, nokogiri.purl) == ("1.16.7", "pkg:gem/nokogiri@1.16.7")
    assert nokogiri.properties["platforms"] == ["aarch64-linux", "arm64-darwin", "x86_64-linux"]
    sqlite = gems["sqlite3"]  # a single, platform-specific variant: the qualifier says which
    assert (sqlite.version, sqlite.purl) == ("2.0.4", "pkg:gem/sqlite3@2.0.4?platform=x86_64-linux-gnu")
    assert gems["racc"].introduced_by == ["pkg:gem/nokogiri@1.16.7"]


def test_gemfile_lock_bad_spec_line(tmp_path):
    error = read_error(
        tmp_path / "Gemfile.lock",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake 13.0\n\nDEPENDENCIES\n  rake\n",
    )
    assert error.line == 4


# --- PHP ----------------------------------------------------------------------------------------------


def test_composer_lock_packages_dev_and_direct_from_manifest():
    result = read_file(FIXTURES / "php" / "app" / "composer.lock")
    assert result.format == "composer-lock"
    packages = {c.name: c for c in result.components}
    assert len(packages) == 7
    assert {n for n, c in packages.items() if c.direct} == {
        "aws/aws-sdk-php",
        "guzzlehttp/guzzle",
        "symfony/polyfill-mbstring",
        "phpunit/phpunit",
    }  # php and ext-json in composer.json are the platform, not packages
    assert packages["phpunit/phpunit"].scope == "dev"
    assert packages["aws/aws-sdk-php"].scope is None
    sdk = packages["aws/aws-sdk-php"]
    assert sdk.suppliers == ["Amazon Web Services"]
    assert sdk.repository == "https://github.com/aws/aws-sdk-php.git"
    assert sdk.declared_licenses == ["Apache-2.0"]
    assert packages["psr/http-message"].introduced_by == ["pkg:composer/aws/aws-sdk-php@3.316.10"]
    assert packages["example/dual-licensed"].declared_licenses == ["LGPL-2.1-only OR GPL-3.0-or-later"]
    assert packages["symfony/polyfill-mbstring"].purl == "pkg:composer/symfony/polyfill-mbstring@v1.30.0"
    # phpunit requires psr/http-client-implementation, which guzzle provides
    assert "guzzlehttp/guzzle" in result.dependencies["phpunit/phpunit"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("MIT", ["MIT"]),
        (["MIT"], ["MIT"]),
        (["LGPL-2.1-only", "GPL-3.0-or-later"], ["LGPL-2.1-only OR GPL-3.0-or-later"]),
        (["MIT", "Apache-2.0 WITH LLVM-exception"], ["MIT OR (Apache-2.0 WITH LLVM-exception)"]),
        ([], []),
        (None, []),
    ],
)
def test_composer_license_arrays_are_a_choice(value, expected):
    assert license_expression(value) == expected


# --- .NET ---------------------------------------------------------------------------------------------


def test_nuget_lock_frameworks_projects_and_direct():
    result = read_file(FIXTURES / "dotnet" / "Shop.Api" / "packages.lock.json")  # with a UTF-8 BOM
    assert result.format == "nuget-lock"
    packages = {(c.name, c.version): c for c in result.components}
    assert len(packages) == 7  # shop.domain and shop.shared are the solution's own projects
    assert {key for key, c in packages.items() if c.direct} == {
        ("AWSSDK.S3", "3.7.400"),
        ("Serilog", "4.0.1"),
        ("Serilog", "2.12.0"),
        ("Newtonsoft.Json", "13.0.3"),  # asked for by the referenced project shop.domain
    }
    core = packages[("AWSSDK.Core", "3.7.400")]
    assert core.direct is False and core.introduced_by == ["pkg:nuget/AWSSDK.S3@3.7.400"]
    assert core.properties["target_frameworks"] == ["net8.0", "netstandard2.0"]
    assert packages[("Serilog", "2.12.0")].sources[0].line == 72  # its own entry, under netstandard2.0
    assert packages[("Microsoft.Bcl.AsyncInterfaces", "1.1.0")].direct is False


def test_nuget_lock_shapes_it_does_not_know(tmp_path):
    path = tmp_path / "packages.lock.json"
    path.write_text('{"version": 1, "dependencies": {"net8.0": [], "net9.0": {"A": "not an object"}}}')
    assert read_file(path).components == []  # tolerated, nothing to report
    error = read_error(path, '{"version": 1, "dependencies": []}')
    assert "unrecognised format" in error.message
