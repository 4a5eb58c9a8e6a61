"""Policy files are user input too: whatever bytes they hold, loading raises ConfigError or succeeds."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from depscan import config
from depscan.errors import ConfigError
from depscan.policy import exemptions, rules

# TOML-ish fragments, so that the generator reaches past the parser into the checks
FRAGMENTS = st.sampled_from(
    [
        "[[exemption]]\n",
        "[[rule]]\n",
        "[rule.when]\n",
        "[ruleset]\n",
        "[ruleset.severity]\n",
        "[tool.depscan]\n",
        'rule = "*"\n',
        'purl = "pkg:npm/@a/*"\n',
        'purl = "pkg:[\n',
        'vendor = "aws"\n',
        'reason = "r"\n',
        "expires = 2026-01-01\n",
        'expires = "2026-13-01"\n',
        "expires = 2026-01-01T10:00:00\n",
        'approved_by = "x"\n',
        'id = "r1"\n',
        'severity = "high"\n',
        "severity = 3\n",
        'kind = ["sdk", 1]\n',
        "level = { le = 2 }\n",
        'level = { le = "2" }\n',
        '"vendor.laws" = { empty = "no" }\n',
        "when = 1\n",
        'extends = "default"\n',
        "extends = [1]\n",
        'disable = ["extra-eu-sdk"]\n',
        'message = "{name} {0} {"\n',
        'fail_on = "low"\n',
        "rules = [[]]\n",
        "exclude = {}\n",
        "\x00\n",
        "\ufeff",
    ]
)
TEXTS = st.one_of(st.lists(FRAGMENTS, max_size=12).map("".join), st.text(max_size=200))


def _write(text: str) -> Path:
    with tempfile.NamedTemporaryFile("wb", suffix=".toml", delete=False) as handle:
        handle.write(text.encode("utf-8", "surrogatepass"))
    return Path(handle.name)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_exemptions_rules_and_config_never_raise_anything_else(text: str) -> None:
    path = _write(text)
    try:
        for load in (
            lambda: exemptions.load(path),
            lambda: rules.load([str(path)]),
            lambda: config.load(str(path), env={}),
        ):
            with contextlib.suppress(ConfigError):
                load()
    finally:
        path.unlink()
