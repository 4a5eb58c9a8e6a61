"""The GitHub Action's logic (`depscan ci github`), kept in Python so that it is tested like the rest.

action.yml maps each input to an `INPUT_<NAME>` variable, as GitHub does for JavaScript and
Docker actions, and calls this. It runs `depscan scan` (and `depscan diff` against the baseline),
writes the Markdown to `$GITHUB_STEP_SUMMARY`, the report paths to `$GITHUB_OUTPUT`, and on a
pull request posts one comment, or updates the one it posted before (found by a hidden marker),
through the REST API at `$GITHUB_API_URL`. The exit status is the scan's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the hidden line that identifies depscan's comment on a pull request
MARKER = "<!-- depscan-sovereignty-comment -->"
#: GitHub refuses comments over 65,536 characters
MAX_COMMENT = 65_000
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
ALWAYS_FORMATS = ("json", "markdown")


@dataclass
class ActionInputs:
    paths: list[str]
    fail_on: str
    rules: list[str]
    exemptions: str
    baseline: str
    formats: list[str]
    min_severity: str
    comment: bool
    output_dir: str
    token: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionInputs:
        """The action's inputs as GitHub passes them: INPUT_<NAME>, name upper-cased, dashes kept."""

        def get(name: str, default: str = "") -> str:
            value = env.get(f"INPUT_{name.upper()}", env.get(f"INPUT_{name.upper().replace('-', '_')}", ""))
            return value.strip() or default

        formats = list(dict.fromkeys([*_words(get("formats", "sarif markdown json")), *ALWAYS_FORMATS]))
        return cls(
            paths=_words(get("paths", ".")),
            fail_on=get("fail-on", "high"),
            rules=_words(get("rules")),
            exemptions=get("exemptions"),
            baseline=get("baseline"),
            formats=formats,
            min_severity=get("min-severity", "info"),
            comment=get("comment", "true").lower() in ("true", "1", "yes", "on"),
            output_dir=get("output-dir", "depscan-report"),
            token=get("token") or env.get("GITHUB_TOKEN", ""),
        )


def _words(value: str) -> list[str]:
    """Inputs are strings: several values are given on separate lines, or separated by spaces or commas."""
    return [item for item in re.split(r"[\s,]+", value) if item]


def run(env: Mapping[str, str]) -> int:
    """Everything the action does; returns the exit status of the scan."""
    inputs = ActionInputs.from_env(env)
    out = Path(inputs.output_dir)
    args = [*inputs.paths, "--output-dir", str(out), "--fail-on", inputs.fail_on, "--min-severity", inputs.min_severity]
    args.append("--quiet")
    for name in inputs.formats:
        args += ["--format", name]
    for rule in inputs.rules:
        args += ["--rules", rule]
    if inputs.exemptions:
        args += ["--exemptions", inputs.exemptions]
    baseline = inputs.baseline if inputs.baseline and Path(inputs.baseline).is_file() else ""
    if inputs.baseline and not baseline:
        _command("warning", f"baseline {inputs.baseline} not found: every finding counts (first run on this branch?)")
    if baseline:
        args += ["--baseline", baseline]
    code = _depscan("scan", *args)
    report_md = out / "report.md"
    report_json = out / "report.json"
    diff_md = out / "diff.md"
    if baseline and report_json.is_file():
        _depscan(
            "diff", baseline, str(report_json), "--format", "markdown", "--fail-on", inputs.fail_on, "-o", str(diff_md)
        )
    outputs = {"exit-code": str(code), "report-dir": str(out)}
    for key, name in (("sarif", "report.sarif"), ("json", "report.json"), ("markdown", "report.md")):
        outputs[key] = str(out / name) if (out / name).is_file() else ""
    outputs["diff"] = str(diff_md) if diff_md.is_file() else ""
    _append(env.get("GITHUB_OUTPUT"), "".join(f"{key}={value}\n" for key, value in outputs.items()))
    parts = [p.read_text(encoding="utf-8") for p in (diff_md, report_md) if p.is_file()]
    if parts:
        _append(env.get("GITHUB_STEP_SUMMARY"), "\n".join(parts))
    if inputs.comment and env.get("GITHUB_EVENT_NAME") in PULL_REQUEST_EVENTS and parts:
        body = diff_md.read_text(encoding="utf-8") if diff_md.is_file() else report_md.read_text(encoding="utf-8")
        number = pull_request_number(env)
        if number is None:
            _command("warning", "no pull request number in the event payload: no comment posted")
        elif not inputs.token:
            _command("warning", "no token: no comment posted (give the action `token`)")
        else:
            try:
                upsert_comment(
                    env.get("GITHUB_API_URL", "https://api.github.com"),
                    env.get("GITHUB_REPOSITORY", ""),
                    number,
                    body,
                    inputs.token,
                )
            except CommentError as exc:  # a fork's read-only token: the check still stands on its own
                _command("warning", f"could not comment on the pull request: {exc}")
    return code


def _depscan(*args: str) -> int:
    return subprocess.run([sys.executable, "-m", "depscan", *args], check=False).returncode


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")


def _command(kind: str, message: str) -> None:
    """A workflow command (annotation); % and line breaks escaped as GitHub requires."""
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::{kind}::{escaped}", flush=True)


def pull_request_number(env: Mapping[str, str]) -> int | None:
    """The pull request's number, from the event payload GitHub writes to $GITHUB_EVENT_PATH."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    number = (event.get("pull_request") or {}).get("number") or event.get("number")
    return number if isinstance(number, int) else None


class CommentError(Exception):
    """The REST API refused or could not be reached."""


def upsert_comment(api_url: str, repository: str, number: int, body: str, token: str) -> tuple[str, int]:
    """Post depscan's comment on the pull request, or update the one posted before; returns (action, comment id)."""
    import requests

    if len(body) > MAX_COMMENT:
        body = body[:MAX_COMMENT] + "\n\n... cut: see the job summary for the full report.\n"
    body = f"{MARKER}\n{body}"
    session = requests.Session()
    session.headers.update(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
    )
    base = f"{api_url.rstrip('/')}/repos/{repository}"
    existing = _find_comment(session, f"{base}/issues/{number}/comments")
    try:
        if existing is None:
            response = session.post(f"{base}/issues/{number}/comments", json={"body": body}, timeout=30)
            action = "created"
        else:
            response = session.patch(f"{base}/issues/comments/{existing}", json={"body": body}, timeout=30)
            action = "updated"
    except requests.RequestException as exc:
        raise CommentError(str(exc)) from None
    if response.status_code >= 300:
        raise CommentError(f"HTTP {response.status_code} from {response.url}")
    return action, int(response.json().get("id", existing or 0))


def _find_comment(session: Any, url: str) -> int | None:
    """The id of the comment holding the marker, looking through every page of the conversation."""
    import requests

    page = 1
    while True:
        try:
            response = session.get(url, params={"per_page": 100, "page": page}, timeout=30)
        except requests.RequestException as exc:
            raise CommentError(str(exc)) from None
        if response.status_code >= 300:
            raise CommentError(f"HTTP {response.status_code} from {response.url}")
        comments = response.json()
        for comment in comments:
            if MARKER in (comment.get("body") or ""):
                return int(comment["id"])
        if len(comments) < 100:
            return None
        page += 1
