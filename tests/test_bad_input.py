"""Bad input: one clear line naming the file, exit 3, no traceback, and the good inputs still reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

GOOD = ROOT / "examples" / "cloud-app" / "requirements.txt"

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library">
<name>&lol3;</name></component></components></bom>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library">
<name>&xxe;</name></component></components></bom>
"""

CASES = {
    "truncated.cdx.json": (b'{"bomFormat": "CycloneDX", "components": [{"name": "a", ', "invalid JSON"),
    "broken.cdx.xml": (b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component>', "invalid XML"),
    "bomb.cdx.xml": (BOMB, "unsafe XML refused"),
    "xxe.cdx.xml": (XXE, "unsafe XML refused"),
    "notes.json": (b'{"hello": "world"}', "unrecognised format"),
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary file"),
    "empty.json": (b"", "empty file"),
    "blank.txt": (b"  \n\n", "empty file"),
    "lock.json": (b'{"lockfileVersion": 3, "packages": [1, 2', "invalid JSON"),
    "requirements.txt": (b"boto3==1.0\nthis is not a requirement at all\n", "invalid requirement"),
    "deep.cdx.json": (b'{"bomFormat": "CycloneDX", "components": ' + b"[" * 5000 + b"]" * 5000 + b"}", "invalid JSON"),
}


def assert_one_clean_error(run, name: str, fragment: str) -> None:
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert name in lines[0] and fragment in lines[0], lines[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_one_line_exit_3_and_good_inputs_still_reported(cli, tmp_path, name):
    content, fragment = CASES[name]
    bad = tmp_path / name
    bad.write_bytes(content)
    run = cli("scan", str(bad), str(GOOD), "--format", "json", "--fail-on", "none")
    assert run.code == 3
    assert_one_clean_error(run, name, fragment)
    report = run.json()
    packages = [c for c in report["components"] if c["purl"]]
    assert len(packages) == 51  # the good requirements file, fully read
    errors = [s for s in report["sources"] if "error" in s]
    assert len(errors) == 1 and errors[0]["path"].endswith(name)


def test_error_line_numbers_are_given_where_known(cli, tmp_path):
    bad = tmp_path / "requirements.txt"
    bad.write_bytes(b"boto3==1.0\n\nnot valid !!\n")
    run = cli("scan", str(bad), "--format", "json")
    assert run.code == 3
    assert f"{bad}:3:" in run.stderr


def test_missing_path(cli, tmp_path):
    run = cli("scan", str(tmp_path / "nope.json"), "--format", "json")
    assert run.code == 3
    assert_one_clean_error(run, "nope.json", "no such file")


def test_directory_with_nothing_supported(cli, tmp_path):
    (tmp_path / "README.md").write_text("hello")
    run = cli("scan", str(tmp_path), "--format", "json")
    assert run.code == 3
    assert_one_clean_error(run, str(tmp_path), "no supported")


def test_huge_line_count_is_read_without_trouble(cli, tmp_path):
    big = tmp_path / "requirements.txt"
    big.write_text("".join(f"package-{i}==1.0.{i}\n" for i in range(20000)))
    run = cli("scan", str(big), "--format", "json", "--fail-on", "none")
    assert run.code == 0
    assert sum(1 for c in run.json()["components"] if c["purl"]) == 20000


def test_requirements_include_cycle_and_missing_include(cli, tmp_path):
    (tmp_path / "requirements.txt").write_text("-r other.txt\nboto3==1.0\n")
    (tmp_path / "other.txt").write_text("-r requirements.txt\nrequests==2.0\n")
    run = cli("scan", str(tmp_path / "requirements.txt"), "--format", "json", "--fail-on", "none")
    assert run.code == 0
    assert {c["name"] for c in run.json()["components"] if c["purl"]} == {"boto3", "requests"}
    (tmp_path / "requirements.txt").write_text("-r missing.txt\n")
    run = cli("scan", str(tmp_path / "requirements.txt"), "--format", "json")
    assert run.code == 3 and "missing.txt" in run.stderr and "requirements.txt:1:" in run.stderr


def test_usage_error_is_exit_2(cli):
    run = cli("scan", str(GOOD), "--fail-on", "sometimes")
    assert run.code == 2


def test_unknown_rule_set_is_exit_2(cli):
    run = cli("scan", str(GOOD), "--rules", "no-such-rules")
    assert run.code == 2 and "no-such-rules" in run.stderr and "Traceback" not in run.stderr


def test_unreadable_file_mode(cli, tmp_path):
    target = Path(tmp_path / "bom.json")
    target.write_text('{"bomFormat": "CycloneDX", "components": []}')
    target.chmod(0)
    run = cli("scan", str(target), "--format", "json")
    target.chmod(0o644)
    # root can read anything: accept either a clean read or a clean error, never a traceback
    assert "Traceback" not in run.stderr and run.code in (0, 3)


def test_directory_search_skips_files_whose_content_is_not_the_format_their_name_suggests(cli, tmp_path):
    (tmp_path / "bom.json").write_text('{"not": "an sbom"}')  # the name matches, the content does not
    (tmp_path / "requirements.txt").write_text("boto3==1.0\n")
    run = cli("scan", str(tmp_path), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    sources = {s["path"]: s for s in run.json()["sources"]}
    assert sources[str(tmp_path / "requirements.txt")]["components"] == 1
    skipped = sources[str(tmp_path / "bom.json")]  # skipped, but said: never a silent drop
    assert skipped["format"] is None and skipped["components"] == 0 and "error" not in skipped
    assert "not recognised" in skipped["warnings"][0]["message"]
    assert "bom.json" in run.stderr and "warning" in run.stderr
    named = cli("scan", str(tmp_path / "bom.json"), "--format", "json")
    assert named.code == 3 and "unrecognised format" in named.stderr


def test_directory_whose_only_candidates_are_not_supported(cli, tmp_path):
    (tmp_path / "bom.json").write_text('{"not": "an sbom"}')
    run = cli("scan", str(tmp_path), "--format", "json")
    assert run.code == 3
    errors = [line for line in run.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and str(tmp_path) in errors[0] and "no supported" in errors[0]
    assert "Traceback" not in run.stderr and "bom.json" in run.stderr  # the file passed over is named
