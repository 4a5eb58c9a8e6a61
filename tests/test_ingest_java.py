"""Maven POMs (properties, local parents, managed versions, scopes; XML safety) and Gradle lockfiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from depscan.ingest import read_file
from depscan.ingest.java.maven import ships
from helpers import read_error

MAVEN = FIXTURES / "maven"


def components_of(path: Path) -> dict[str, object]:
    return {c.name: c for c in read_file(path).components}


def test_module_pom_resolves_versions_through_its_local_parent():
    result = read_file(MAVEN / "multi" / "service" / "pom.xml", root=MAVEN / "multi")  # a scan of the project
    assert result.format == "maven-pom"
    found = {c.name: c for c in result.components}
    # the parent is ../pom.xml, part of the same build: not a component
    assert "eu.example.shop:shop-parent" not in found
    assert found["eu.example.shop:shop-model"].version == "2.4.0"  # ${project.groupId}, ${project.version}
    assert found["com.fasterxml.jackson.core:jackson-databind"].version == "2.17.2"  # parent's dependencyManagement
    s3 = found["software.amazon.awssdk:s3"]
    assert (s3.version, s3.purl) == (None, "pkg:maven/software.amazon.awssdk/s3")  # from a BOM: not guessed
    assert found["org.projectlombok:lombok"].version == "1.18.34"
    assert "com.google.cloud:google-cloud-storage" not in found  # commented out
    assert len(found) == 7
    assert set(result.roots) == {c.bom_ref for c in result.components}


def test_scopes_qualifiers_and_version_ranges():
    found = components_of(MAVEN / "multi" / "service" / "pom.xml")
    assert found["org.junit.jupiter:junit-jupiter"].scope == "dev"
    assert found["org.junit.jupiter:junit-jupiter"].properties["maven_scope"] == "test"
    assert found["org.projectlombok:lombok"].scope == "provided"
    epoll = found["io.netty:netty-transport-native-epoll"]
    assert epoll.scope == "optional"
    assert epoll.purl == "pkg:maven/io.netty/netty-transport-native-epoll@4.1.112.Final?classifier=linux-x86_64"
    postgresql = found["org.postgresql:postgresql"]
    assert postgresql.version is None and postgresql.properties["version_spec"] == "[42.7,43)"
    assert postgresql.scope is None  # runtime scope ships
    assert found["eu.example.shop:shop-model"].sources[0].line == 19


def test_parent_pom_reports_remote_parent_and_managed_dependencies():
    result = read_file(MAVEN / "multi" / "pom.xml")
    found = {c.name: c for c in result.components}
    parent = found["org.springframework.boot:spring-boot-starter-parent"]
    assert parent.purl == "pkg:maven/org.springframework.boot/spring-boot-starter-parent@3.3.2?type=pom"
    assert parent.properties["maven_role"] == "parent" and parent.direct is True
    bom = found["software.amazon.awssdk:bom"]
    assert (bom.version, bom.scope) == ("2.26.0", "import")  # ${aws.sdk.version} -> ${aws.version} -> 2.26.0
    managed = found["com.fasterxml.jackson.core:jackson-databind"]
    assert (managed.scope, managed.direct) == ("managed", None)


def test_parent_on_disk_with_other_coordinates_is_not_followed(tmp_path):
    (tmp_path / "pom.xml").write_text(
        "<project><modelVersion>4.0.0</modelVersion><groupId>other</groupId><artifactId>thing</artifactId>"
        "<version>1</version><properties><v>9.9</v></properties></project>"
    )
    module = tmp_path / "module"
    module.mkdir()
    (module / "pom.xml").write_text(
        "<project><modelVersion>4.0.0</modelVersion>"
        "<parent><groupId>org.acme</groupId><artifactId>acme-parent</artifactId><version>7</version></parent>"
        "<artifactId>m</artifactId><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId>"
        "<version>${v}</version></dependency></dependencies></project>"
    )
    found = components_of(module / "pom.xml")
    assert found["org.acme:acme-parent"].version == "7"  # a remote parent: reported
    assert found["g:a"].version is None and found["g:a"].properties["version_spec"] == "${v}"


def test_unresolved_coordinates_get_no_purl(tmp_path):
    path = tmp_path / "pom.xml"
    path.write_text(
        "<project><modelVersion>4.0.0</modelVersion><dependencies><dependency><groupId>${vendor.group}</groupId>"
        "<artifactId>client</artifactId><version>1.0</version></dependency></dependencies></project>"
    )
    client = components_of(path)["${vendor.group}:client"]
    assert client.purl is None and client.ecosystem == "maven" and client.version == "1.0"


def test_property_cycles_stop(tmp_path):
    path = tmp_path / "pom.xml"
    path.write_text(
        "<project><modelVersion>4.0.0</modelVersion><properties><a>${b}</a><b>${a}</b></properties>"
        "<dependencies><dependency><groupId>g</groupId><artifactId>x</artifactId><version>${a}</version>"
        "</dependency></dependencies></project>"
    )
    assert components_of(path)["g:x"].version is None


XXE = """<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<dependencies><dependency><groupId>&xxe;</groupId><artifactId>a</artifactId></dependency></dependencies></project>
"""


@pytest.mark.parametrize(
    "content, message, line",
    [
        (XXE, "unsafe XML refused", None),
        ('<project xmlns="http://maven.apache.org/POM/4.0.0">\n<modelVersion>4.0.0\n</project>', "invalid XML", 3),
        ("<wrapper><project><modelVersion>4.0.0</modelVersion></project></wrapper>", "not a Maven POM", None),
    ],
)
def test_pom_errors(tmp_path, content, message, line):
    error = read_error(tmp_path / "pom.xml", content)
    assert message in error.message
    assert error.line == line


def test_gradle_lockfile_marks_what_does_not_ship():
    result = read_file(MAVEN / "gradle" / "gradle.lockfile")
    assert result.format == "gradle-lockfile"
    found = {(c.name, c.version): c for c in result.components}
    assert len(found) == 7  # "empty=" lists configurations, not a dependency
    dev = {key for key, c in found.items() if c.scope == "dev"}
    assert dev == {
        ("com.google.code.findbugs:jsr305", "3.0.2"),  # checkstyle only: a build tool
        ("com.squareup.okhttp3:okhttp", "3.14.9"),  # benchmarks only
        ("junit:junit", "4.13.2"),
        ("org.mockito:mockito-core", "5.12.0"),  # android and unit tests
    }
    firebase = found[("com.google.firebase:firebase-messaging", "24.0.0")]
    assert firebase.scope is None  # an Android variant's runtime classpath ships
    assert firebase.properties["gradle_configurations"] == ["debugRuntimeClasspath", "releaseRuntimeClasspath"]
    assert firebase.sources[0].line == 5


def test_legacy_per_configuration_lockfile(cli):
    run = cli("scan", str(MAVEN / "gradle"), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = run.json()
    assert sorted((Path(s["path"]).name, s["components"]) for s in report["sources"]) == [
        ("compileClasspath.lockfile", 2),
        ("gradle.lockfile", 7),
    ]
    lang3 = next(c for c in report["components"] if c["name"] == "org.apache.commons:commons-lang3")
    assert lang3["purl"] == "pkg:maven/org.apache.commons/commons-lang3@3.14.0" and lang3["scope"] is None


@pytest.mark.parametrize(
    "configuration, shipped",
    [
        ("runtimeClasspath", True),
        ("compileClasspath", True),
        ("releaseRuntimeClasspath", True),
        ("compile", True),
        ("testRuntimeClasspath", False),
        ("debugAndroidTestRuntimeClasspath", False),
        ("jmhCompileClasspath", False),
        ("checkstyle", False),
        ("annotationProcessor", False),
    ],
)
def test_which_configurations_ship(configuration, shipped):
    assert ships(configuration) is shipped


def test_gradle_bad_line(tmp_path):
    error = read_error(
        tmp_path / "gradle.lockfile",
        "# This is a Gradle generated file for dependency locking.\norg.acme:only-two=compileClasspath\n",
    )
    assert error.line == 2


def test_module_pom_given_alone_does_not_read_outside_its_directory():
    """A given file's root is its directory: the parent POM above it is not read, and a warning says so."""
    result = read_file(MAVEN / "multi" / "service" / "pom.xml")
    assert any("outside the scanned directory" in w.message for w in result.warnings)
    assert "eu.example.shop:shop-parent" in {c.name for c in result.components}  # unresolved, not dropped
