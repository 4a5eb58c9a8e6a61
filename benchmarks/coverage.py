"""Vendor coverage over the shared corpus: per ecosystem, the share of components with a vendor.

    python benchmarks/coverage.py [--corpus ../shared/corpus] [--src DIR] [--json]

Runs `depscan scan CORPUS --no-installed --format json` once (offline: no
installed metadata, no network) and prints, per ecosystem, how many components
have a vendor record, and for npm how many have a known publisher (a vendor,
or a repository owner from the shipped npm publisher index).

`--src` runs the depscan of another checkout (its `src/`, with its own
`vendor_db/`), e.g. an older commit exported with `git archive`, to give a
before/after table with the same command.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: ../shared/corpus beside the clone; a worktree one level deeper (wt/<name>) looks one level up
DEFAULT_CORPUS = next(
    (p / "shared" / "corpus" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "corpus").is_dir()),
    ROOT.parent / "shared" / "corpus",
)


def scan(corpus: Path, src: Path | None) -> list[dict[str, Any]]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())
    command = [sys.executable, "-m", "depscan", "scan", str(corpus), "--no-installed", "--format", "json"]
    command += ["--fail-on", "none"]
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    if result.returncode not in (0, 1, 3) or not result.stdout:
        sys.exit(f"depscan failed ({result.returncode}): {result.stderr.decode(errors='replace')[-2000:]}")
    return list(json.loads(result.stdout)["components"])


def share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({100 * part / whole:.1f}%)" if whole else f"{part} of 0 (n/a)"


def coverage(components: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per ecosystem; `publisher` counts a vendor or an indexed publisher."""
    total: Counter[str] = Counter()
    vendor: Counter[str] = Counter()
    publisher: Counter[str] = Counter()
    for component in components:
        ecosystem = str(component.get("ecosystem") or "other")
        total[ecosystem] += 1
        if component.get("vendor"):
            vendor[ecosystem] += 1
        if component.get("vendor") or component.get("publisher"):
            publisher[ecosystem] += 1
    return {
        "components": sum(total.values()),
        "with_vendor": sum(vendor.values()),
        "npm_components": total["npm"],
        "npm_with_publisher": publisher["npm"],
        "by_ecosystem": {
            eco: {"components": total[eco], "with_vendor": vendor[eco], "with_publisher": publisher[eco]}
            for eco in sorted(total, key=lambda e: (-total[e], e))
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--src", type=Path, help="src/ directory of another depscan checkout to measure")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        parser.error(f"{args.corpus}: corpus not found")
    result = coverage(scan(args.corpus, args.src))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{'ecosystem':<16} {'with a vendor':>26} {'with a known publisher':>28}")
    for eco, row in result["by_ecosystem"].items():
        print(
            f"{eco:<16} {share(row['with_vendor'], row['components']):>26}"
            f" {share(row['with_publisher'], row['components']):>28}"
        )
    print(f"{'all':<16} {share(result['with_vendor'], result['components']):>26}")
    print(f"npm components with a known publisher: {share(result['npm_with_publisher'], result['npm_components'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
