"""Issue 11: nothing leaks, nothing passes silently, nothing hangs. One test per class, through the real CLI."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from depscan.ingest.redact import safe_output, safe_text

TEXT_FORMATS = ("json", "sarif", "gitlab", "junit", "markdown", "csv", "html", "cyclonedx", "table")


# -- 1. reads only inside its roots ---------------------------------------------------------------------------


def test_includes_and_symlinks_outside_the_root_are_not_read(cli, tmp_path):
    outside = tmp_path / "secret.env"
    outside.write_text("TOKEN_VALUE_OUTSIDE=1\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("requests==2.31.0\n-r /proc/self/environ\n-r ../secret.env\n")
    (project / "requirements-dev.txt").symlink_to("/etc/passwd")
    run = cli("scan", str(project), "--format", "json", "--fail-on", "none", "--no-installed")
    assert run.code == 0, run.stderr
    assert "TOKEN_VALUE_OUTSIDE" not in run.stdout + run.stderr and "root:" not in run.stdout + run.stderr
    assert "PATH=" not in run.stdout + run.stderr
    sources = {Path(s["path"]).name: s for s in run.json()["sources"]}
    lines = {w["line"] for w in sources["requirements.txt"]["warnings"]}
    assert lines == {2, 3}  # one warning per include, naming the line
    assert "outside the scanned directory" in sources["requirements-dev.txt"]["warnings"][0]["message"]


# -- 2. shapes checked, nothing dropped silently ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("bom.json", '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {"a": 1}}'),
        ("sbom.spdx.json", '{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": {"a": 1}}'),
        ("package-lock.json", '{"lockfileVersion": 3, "packages": [1, 2]}'),
        ("Pipfile.lock", '{"_meta": {}, "default": [1]}'),
    ],
)
def test_a_container_of_the_wrong_type_is_an_input_error(cli, tmp_path, name, content):
    (tmp_path / name).write_text(content)
    run = cli("scan", str(tmp_path / name), "--format", "json")
    assert run.code == 3 and "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and name in errors[0]


def test_entries_of_the_wrong_type_and_duplicates_are_warnings_in_every_format(cli, tmp_path):
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            "just-a-string",
            {"name": 123},
            {"name": "a", "bom-ref": "x", "purl": "pkg:pypi/a@1"},
            {"name": "b", "bom-ref": "x", "purl": "pkg:pypi/b@1"},
        ],
    }
    text = json.dumps(bom).replace('"specVersion": "1.5"', '"specVersion": "1.4", "specVersion": "1.5"')
    (tmp_path / "bom.json").write_text(text)
    run = cli("scan", str(tmp_path / "bom.json"), "--format", "json", "--fail-on", "none", "--no-installed")
    assert run.code == 0
    messages = [w["message"] for w in run.json()["sources"][0]["warnings"]]
    assert any("string" in m for m in messages) and any("name" in m for m in messages)
    assert any("duplicate bom-ref" in m for m in messages) and any("duplicate key" in m for m in messages)
    assert "input warning(s)" in run.stderr  # the scan says it dropped something, exit 0 or not
    for format_ in ("markdown", "html", "sarif", "junit", "table"):
        shown = cli("scan", str(tmp_path / "bom.json"), "--format", format_, "--fail-on", "none", "--no-installed")
        assert "duplicate bom-ref" in shown.stdout, format_


def test_compose_images_with_unresolved_tags_are_kept(cli, tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  loki:\n    image: grafana/loki:${LOKI_VERSION}\n")
    run = cli("scan", str(tmp_path), "--format", "json", "--fail-on", "none", "--no-installed")
    names = {c["name"]: c["version"] for c in run.json()["components"]}
    assert names.get("grafana/loki", "absent") is None
    assert "tag not resolved" in run.stderr


def test_an_unreadable_subfolder_is_named(cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    (tmp_path / "requirements.txt").write_text("boto3==1.0\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        run = cli("scan", str(tmp_path), "--format", "json", "--fail-on", "none")
    finally:
        locked.chmod(0o755)
    assert "folder not searched" in run.stderr


# -- 3. one redaction for everything that leaves the process ----------------------------------------------------

_SECRET = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=12, max_size=20).map(lambda s: "S3CR" + s)
_URL_SHAPES = [
    "git::https://deploy:{s}@git.example.com/mod.git",
    "https://user:{s}@gitlab.example.com/ci.yml",
    "ssh://{s}@git.example.com/repo.git",
    "user:{s}@proxy.example.com/path",
    "https://files.example.com/p-1.0.tar.gz#sha256=abc&token={s}",
    "https://bucket.example.com/p.tgz?X-Amz-Signature={s}&a=1",
    "https://h.example.com/x?private_token={s}",
    "https://h.example.com/simple?access_token={s}",
]


def _fields_with(url: str) -> dict[str, str]:
    """One input per reader family, each carrying `url` in a URL-bearing field."""
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {
                "name": "a",
                "version": "1",
                "purl": "pkg:pypi/a@1?repository_url=" + url,
                "externalReferences": [{"type": "vcs", "url": url}],
            }
        ],
        "services": [{"name": "svc", "endpoints": [url]}],
    }
    return {
        "bom.json": json.dumps(bom),
        "requirements.txt": f"b @ {url if '://' in url else 'https://' + url}#egg=b\n",
        "go.mod": f"module x\n\ngo 1.21\n\nrequire example.com/m v1.0.0\n\nreplace example.com/m => {url} v1.0.0\n",
        "main.tf": f'module "m" {{\n  source = "{url}"\n}}\n',
        ".gitlab-ci.yml": f"include:\n  - remote: '{url}'\njob:\n  script: [echo]\n",
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=_SECRET, shape=st.sampled_from(_URL_SHAPES))
def test_secrets_in_every_url_field_reach_no_output(cli, tmp_path_factory, secret, shape):
    folder = tmp_path_factory.mktemp("leak")
    for name, content in _fields_with(shape.format(s=secret)).items():
        (folder / name).write_text(content)
    out = folder / "out"
    formats = [arg for f in (*TEXT_FORMATS, "xlsx") if f != "table" for arg in ("--format", f)]
    run = cli("scan", str(folder), *formats, "--output-dir", str(out), "--fail-on", "none", "--no-installed")
    assert "Traceback" not in run.stderr
    assert secret not in run.stdout + run.stderr
    for report in out.iterdir():
        data = report.read_bytes()
        if report.suffix == ".xlsx":
            with zipfile.ZipFile(report) as archive:
                data = b"".join(archive.read(n) for n in archive.namelist())
        assert secret.encode() not in data, report.name
    table = cli("scan", str(folder), "--format", "table", "--fail-on", "none", "--no-installed")
    assert secret not in table.stdout + table.stderr


def test_redaction_keeps_what_is_not_a_secret():
    for kept in ("nginx:1.25@sha256:abcd", "pkg:npm/%40aws-sdk/client-s3@3.0", "git@github.com:org/repo.git"):
        assert safe_text(kept) == kept
    assert safe_output("a\n\tb") == "a\n\tb"


# -- 4. control and bidi characters ---------------------------------------------------------------------------

_HOSTILE_NAME = "evil\u001b]0;pwned\u0007\u001b[2J\u001b]8;;https://x.example/\u0007link\u202ebidi\u2066"


def _hostile_bom(tmp_path: Path) -> Path:
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [{"name": _HOSTILE_NAME, "version": "1", "purl": "pkg:pypi/boto3@1.34.0"}],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(bom))
    return path


@pytest.mark.parametrize("format_", TEXT_FORMATS)
def test_controls_are_escaped_in_every_text_format(cli, tmp_path, format_):
    path = _hostile_bom(tmp_path)
    run = cli("scan", str(path), "--format", format_, "--fail-on", "none", "--no-installed")
    for raw in ("\u001b", "\u0007", "\u202e", "\u2066"):
        assert raw not in run.stdout and raw not in run.stderr, (format_, repr(raw))


def test_table_view_on_a_real_terminal_carries_no_injected_sequence(tmp_path):
    path = _hostile_bom(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "FORCE_COLOR": "1", "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "depscan", "scan", str(path), "--fail-on", "none", "--no-installed"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        close_fds=True,
    )
    os.close(child)
    output = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(main)
    text = output.decode("utf-8", errors="replace")
    assert "evil" in text  # the table did render, on a terminal, in colour
    assert "\u001b]" not in text and "\u001b[2J" not in text and "\u0007" not in text and "\u202e" not in text
    assert "\\x1b" in text  # shown, as text


# -- 5. hangs and crashes ---------------------------------------------------------------------------------------


def test_a_fifo_is_never_opened(cli, tmp_path):
    os.mkfifo(tmp_path / "poetry.lock")
    (tmp_path / "requirements.txt").write_text("boto3==1.0\n")
    run = cli("scan", str(tmp_path), "--format", "json", "--fail-on", "none", "--no-installed")
    assert "Traceback" not in run.stderr and "not a regular file" in run.stderr


def test_dev_zero_is_refused_before_any_read(cli):
    run = cli("scan", "/dev/zero", "--format", "json")
    assert run.code == 3 and "MemoryError" not in run.stderr and "not a regular file" in run.stderr


def test_a_full_stdout_ends_with_one_message(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("boto3==1.0\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open("/dev/full", "wb") as full:
        completed = subprocess.run(
            [sys.executable, "-m", "depscan", "scan", str(requirements), "--format", "json", "--no-installed"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    assert completed.returncode != 0 and "Traceback" not in completed.stderr
    assert len([line for line in completed.stderr.splitlines() if "error:" in line]) == 1


@pytest.mark.parametrize("option", ["--config", "--exemptions", "--rules"])
def test_deeply_nested_configuration_is_a_usage_error(cli, tmp_path, option):
    (tmp_path / "requirements.txt").write_text("boto3==1.0\n")
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 30000 + "]" * 30000 + "\n")
    run = cli("scan", str(tmp_path / "requirements.txt"), option, str(deep), "--format", "json")
    assert run.code == 2 and "Traceback" not in run.stderr and "nested" in run.stderr


def test_rule_templates_refuse_format_specifiers_and_attribute_access(cli, tmp_path):
    for message in ("{name:>999999999}", "{name.__class__}", "{name[0]}", "{name!r}"):
        rules = tmp_path / "rules.toml"
        rules.write_text(
            '[ruleset]\nid = "x"\ntitle = "x"\n[[rule]]\nid = "a"\ntitle = "t"\nseverity = "high"\n'
            f'message = "{message}"\n[rule.when]\nkind = "library"\n'
        )
        run = cli("rules", "validate", str(rules))
        assert run.code == 2 and "Traceback" not in run.stderr, message


# -- 6. encodings, nesting, the vendor database -----------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom_are_read(cli, tmp_path, codec):
    (tmp_path / "requirements.txt").write_bytes("boto3==1.34.0\n".encode(codec))
    run = cli("scan", str(tmp_path / "requirements.txt"), "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    assert [c["name"] for c in run.json()["components"] if c["kind"] != "registry"] == ["boto3"]


def test_deeply_nested_poetry_lock_is_a_clear_error(cli, tmp_path):
    (tmp_path / "poetry.lock").write_text("[[package]]\nname = 'a'\nx = " + "[" * 30000 + "]" * 30000 + "\n")
    run = cli("scan", str(tmp_path / "poetry.lock"), "--format", "json")
    assert run.code == 3 and "Traceback" not in run.stderr and "nested" in run.stderr


@pytest.mark.parametrize("database", ["empty", "/etc"])
def test_an_invalid_vendor_db_is_a_usage_error(cli, tmp_path, database):
    (tmp_path / "empty").mkdir()
    (tmp_path / "requirements.txt").write_text("boto3==1.0\n")
    target = str(tmp_path / "empty") if database == "empty" else database
    run = cli("scan", str(tmp_path / "requirements.txt"), "--vendor-db", target, "--format", "json")
    assert run.code == 2 and "Traceback" not in run.stderr


# -- 7. reader gaps ---------------------------------------------------------------------------------------------


def test_workflows_folder_and_requirements_folder_and_output_dir(cli, tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    )
    direct = cli("scan", str(workflows), "--format", "json", "--fail-on", "none")
    assert any(c["name"] == "actions/checkout" for c in direct.json()["components"]), direct.stderr
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("django==5.0\n")
    out = tmp_path / "reports"
    first = cli(
        "scan",
        str(tmp_path),
        "--format",
        "json",
        "--format",
        "cyclonedx",
        "--output-dir",
        str(out),
        "--fail-on",
        "none",
    )
    assert first.code == 0, first.stderr
    second = cli("scan", str(tmp_path), "--format", "json", "--fail-on", "none")
    paths = [s["path"] for s in second.json()["sources"]]
    assert any(p.endswith("requirements/base.txt") for p in paths)
    assert not any("reports" in p for p in paths)  # its own reports are not read back


def test_duplicate_yaml_keys_are_warnings(cli, tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: nginx:1.25\n  a:\n    image: redis:7\n")
    run = cli("scan", str(tmp_path / "compose.yaml"), "--format", "json", "--fail-on", "none", "--no-installed")
    warning = run.json()["sources"][0]["warnings"][0]
    assert "duplicate key 'a'" in warning["message"] and warning["line"] == 4
