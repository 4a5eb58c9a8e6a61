"""Settings: defaults, then a configuration file, then `DEPSCAN_*` variables, then flags.

The file is `depscan.toml` (keys at the top level) or the `[tool.depscan]`
table of `pyproject.toml`, found by walking up from the current directory
(in one directory, `depscan.toml` wins; a `pyproject.toml` without
`[tool.depscan]` is skipped), or named with `--config FILE` /
`DEPSCAN_CONFIG`. Paths in the file are relative to the file. Each setting
remembers where its value came from, so `depscan config` can say why a
scan behaved as it did.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from depscan import _toml
from depscan.errors import ConfigError

FAIL_ON_CHOICES = ("info", "low", "medium", "high", "critical", "none")
CONFIG_NAMES = ("depscan.toml", "pyproject.toml")
#: setting -> (environment variable, is a list)
SETTINGS: dict[str, tuple[str, bool]] = {
    "fail_on": ("DEPSCAN_FAIL_ON", False),
    "rules": ("DEPSCAN_RULES", True),
    "exemptions": ("DEPSCAN_EXEMPTIONS", False),
    "exclude": ("DEPSCAN_EXCLUDE", True),
    "vendor_db": ("DEPSCAN_VENDOR_DB", False),
    "qualified_vendors": ("DEPSCAN_QUALIFIED_VENDORS", True),
    "enrich": ("DEPSCAN_ENRICH", False),
    "cache_dir": ("DEPSCAN_CACHE_DIR", False),
    "lang": ("DEPSCAN_LANG", False),
}
_PATH_SETTINGS = {"exemptions", "vendor_db", "cache_dir"}
#: settings that are true or false: TOML booleans in a file, 1/0, true/false, yes/no, on/off in the environment
_BOOL_SETTINGS = {"enrich"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass
class Settings:
    """The effective settings of one run, and the origin of each."""

    fail_on: str = "high"
    rules: tuple[str, ...] = ("default",)
    exemptions: str | None = None
    exclude: tuple[str, ...] = ()
    vendor_db: str | None = None
    qualified_vendors: tuple[str, ...] = ()
    enrich: bool = False
    cache_dir: str | None = None
    lang: str | None = None  # the language of what a person reads; None: the locale's (depscan.i18n)
    config_file: str | None = None
    origins: dict[str, str] = field(default_factory=lambda: dict.fromkeys(SETTINGS, "default"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "config_file": self.config_file,
            "settings": {
                name: {
                    "value": list(value) if isinstance(value := getattr(self, name), tuple) else value,
                    "origin": self.origins[name],
                }
                for name in SETTINGS
            },
        }


def find_config(start: Path) -> Path | None:
    """The nearest `depscan.toml`, or `pyproject.toml` with a `[tool.depscan]` table, from `start` upwards."""
    for directory in (start, *start.parents):
        candidate = directory / "depscan.toml"
        if candidate.is_file():
            return candidate
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _has_tool_table(candidate):
            return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        document = _toml.loads_config(_toml.read_config_text(path))
    except (OSError, UnicodeDecodeError, _toml.TOMLDecodeError):
        return False  # not ours to judge: someone else's broken pyproject.toml must not stop a scan
    tool = document.get("tool")
    return isinstance(tool, dict) and "depscan" in tool


def load(
    config: str | None = None,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Merge defaults, the configuration file, the environment and the flags that were given (not None/empty)."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    settings = Settings()
    explicit = config or env.get("DEPSCAN_CONFIG") or None
    if explicit:
        path = Path(explicit)
        if not path.is_absolute():
            path = cwd / path
        if not path.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
    else:
        path = find_config(cwd)
    if path is not None:
        settings.config_file = str(path)
        _apply_file(settings, path)
    for name, (variable, is_list) in SETTINGS.items():
        raw = env.get(variable, "").strip()
        if raw:
            value: Any = tuple(item.strip() for item in raw.split(",") if item.strip()) if is_list else raw
            if name in _BOOL_SETTINGS:
                value = _boolean(variable, raw)
            _set(settings, name, value, variable)
    for name, value in (flags or {}).items():
        if name not in SETTINGS:
            raise KeyError(name)
        if value is None or (isinstance(value, (tuple, list)) and not value):
            continue
        _set(settings, name, tuple(value) if isinstance(value, (tuple, list)) else value, f"--{name.replace('_', '-')}")
    return settings


def _apply_file(settings: Settings, path: Path) -> None:
    try:
        document = _toml.loads_config(_toml.read_config_text(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (_toml.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    where = str(path)
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("depscan", {}) if isinstance(document.get("tool"), dict) else {}
        where += " [tool.depscan]"
    else:
        table = document
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    problems = []
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in SETTINGS:
            problems.append(f"{where}: unknown setting {key!r} (known: {', '.join(SETTINGS)})")
            continue
        is_list = SETTINGS[name][1]
        if is_list and isinstance(value, str):
            value = (value,)
        if is_list and not (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)):
            problems.append(f"{where}: {key} must be a string or a list of strings")
            continue
        if name in _BOOL_SETTINGS:
            if not isinstance(value, bool):
                problems.append(f"{where}: {key} must be true or false")
                continue
        elif not is_list and not isinstance(value, str):
            problems.append(f"{where}: {key} must be a string")
            continue
        value = _relative_to(path.parent, name, tuple(value) if is_list else value)
        try:
            _set(settings, name, value, where)
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))


def _relative_to(base: Path, name: str, value: Any) -> Any:
    """Paths in a configuration file are relative to that file; rule set names stay names."""
    if name in _PATH_SETTINGS:
        return str(base / value)
    if name == "rules":
        from depscan.policy.rules import available

        shipped = available()
        return tuple(item if item in shipped else str(base / item) for item in value)
    return value


def _boolean(origin: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{origin}: expected true or false (1/0, yes/no, on/off), got {raw!r}")


def _set(settings: Settings, name: str, value: Any, origin: str) -> None:
    if name == "fail_on" and value not in FAIL_ON_CHOICES:
        raise ConfigError(f"{origin}: fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, got {value!r}")
    if name == "lang":
        from depscan.i18n import LANGUAGES

        if value not in LANGUAGES:
            raise ConfigError(f"{origin}: lang must be one of {', '.join(LANGUAGES)}, got {value!r}")
    setattr(settings, name, value)
    settings.origins[name] = origin


def today(env: Mapping[str, str] | None = None) -> dt.date:
    """The date exemptions are checked against: DEPSCAN_TODAY (YYYY-MM-DD) when set, for tests and replays."""
    env = os.environ if env is None else env
    raw = env.get("DEPSCAN_TODAY", "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"DEPSCAN_TODAY must be a date, YYYY-MM-DD (got {raw!r})") from None
