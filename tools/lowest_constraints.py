"""Print pip constraints pinning every dependency of pyproject.toml to the lowest version it allows.

CI installs the project a second time with these constraints and runs the suite,
so that a user who has an old release of a dependency that pyproject.toml
admits is not broken silently (the first run takes the newest releases).

    python tools/lowest_constraints.py [--extra test] > constraints-lowest.txt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def lowest_pins(requirements: list[str]) -> list[str]:
    """`name==lowest` for each requirement with a lower bound (>= or ~= or ==), its marker kept."""
    pins: dict[str, str] = {}
    for text in requirements:
        requirement = Requirement(text)
        bounds = [s.version for s in requirement.specifier if s.operator in (">=", "~=", "==")]
        if not bounds:
            continue
        marker = f"; {requirement.marker}" if requirement.marker else ""
        pins[requirement.name.lower()] = f"{requirement.name}=={max(bounds, key=_version_key)}{marker}"
    return [pins[name] for name in sorted(pins)]


def _version_key(version: str) -> tuple[int, ...]:
    from packaging.version import Version

    return Version(version).release


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyproject", default=str(Path(__file__).resolve().parent.parent / "pyproject.toml"))
    parser.add_argument("--extra", action="append", default=[], help="optional-dependency group to include")
    args = parser.parse_args()
    project = tomllib.loads(Path(args.pyproject).read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in args.extra:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    sys.stdout.write("".join(f"{pin}\n" for pin in lowest_pins(requirements)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
