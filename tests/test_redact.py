"""Credentials in URLs never reach a report, and configured registries replace the default one."""

from __future__ import annotations

import pytest

from depscan.ingest.redact import redact_url


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://user:s3cret@pypi.example.com/simple", "https://pypi.example.com/simple"),
        ("https://TOKEN123@npm.fury.io/acme/", "https://npm.fury.io/acme/"),
        ("https://host/pkg.tgz?token=abc&x=1", "https://host/pkg.tgz?token=REDACTED&x=1"),
        ("https://host/pkg.tgz?X-Amz-Signature=abc", "https://host/pkg.tgz?X-Amz-Signature=REDACTED"),
        ("https://files.example/p-1.0.whl#sha256=abc", "https://files.example/p-1.0.whl#sha256=abc"),
        ("git+ssh://git@github.com/org/repo.git", "git+ssh://github.com/org/repo.git"),
        ("not a url @ all", "not a url @ all"),
    ],
)
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_pipfile_lock_index_credentials_never_reach_the_report(cli, tmp_path):
    (tmp_path / "Pipfile.lock").write_text(
        '{"_meta": {"pipfile-spec": 6, "sources": [{"name": "private", '
        '"url": "https://deploy:hunter2-secret@pypi.corp.example/simple", "verify_ssl": true}]},'
        ' "default": {"boto3": {"version": "==1.34.0", "index": "private"}}, "develop": {}}'
    )
    run = cli("scan", str(tmp_path / "Pipfile.lock"), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    assert "hunter2" not in run.stdout and "deploy:" not in run.stdout
    registries = [c for c in run.json()["components"] if c["kind"] == "registry"]
    assert [r["name"] for r in registries] == ["pypi.corp.example"]  # the private index, not PyPI


def test_a_configured_default_registry_replaces_the_public_one(cli, tmp_path):
    (tmp_path / ".npmrc").write_text("registry=https://npm.pkg.github.com/\n")
    (tmp_path / "package-lock.json").write_text(
        '{"name": "a", "lockfileVersion": 3, "packages": {"": {"dependencies": {"left-pad": "1.3.0"}},'
        ' "node_modules/left-pad": {"version": "1.3.0"}}}'
    )
    run = cli("scan", str(tmp_path), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    registries = [c["name"] for c in run.json()["components"] if c["kind"] == "registry"]
    assert registries == ["https://npm.pkg.github.com"]
