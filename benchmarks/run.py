"""Benchmark a full scan of large SBOMs: wall time and peak memory, next to a bare json.load.

    python benchmarks/run.py [--sizes 10000,100000] [--keep DIR]

Generates CycloneDX 1.6 SBOMs shaped like real ones (components cloned from
tests/fixtures and examples, unique versions, a dependency graph), then runs
`depscan scan --format json` on each in a fresh process and reports what it
cost. Also times `depscan --version` (start-up).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [
    ROOT / "tests" / "fixtures" / "pipeline" / "syft.cdx.json",
    ROOT / "tests" / "fixtures" / "pipeline" / "cdxgen-npm.cdx.json",
]


def seed_components() -> list[dict]:
    components = []
    for path in SEEDS:
        document = json.loads(path.read_text(encoding="utf-8"))
        stack = list(document.get("components", []))
        while stack:
            component = stack.pop()
            stack.extend(component.pop("components", []) or [])
            if component.get("name"):
                components.append(component)
    return components


def make_sbom(count: int, target: Path) -> None:
    """Same shape as ../shared/tools/make_big_sbom.py: clones with unique versions and a graph."""
    base = seed_components()
    components = []
    for i in range(count):
        clone = json.loads(json.dumps(base[i % len(base)]))
        round_ = i // len(base)
        version = str(clone.get("version") or "0") + (f"+{round_}" if round_ else "")
        clone["version"] = version
        if clone.get("purl"):
            clone["purl"] = clone["purl"].split("@")[0].split("?")[0] + "@" + version.replace("+", "%2B")
        clone["bom-ref"] = clone.get("purl") or f"{clone['name']}@{version}#{i}"
        components.append(clone)
    dependencies = []
    for i, component in enumerate(components):
        children = {components[(i * 7 + j) % count]["bom-ref"] for j in (1, 2, 3)} - {component["bom-ref"]}
        dependencies.append({"ref": component["bom-ref"], "dependsOn": sorted(children)})
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "big-app", "version": "1.0.0", "bom-ref": "big-app"}},
        "components": components,
        "dependencies": [{"ref": "big-app", "dependsOn": [c["bom-ref"] for c in components[:50]]}, *dependencies],
    }
    target.write_text(json.dumps(bom), encoding="utf-8")


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the child (the largest child so far: run big inputs last), exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src")}  # measure this checkout
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if completed.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{completed.stderr.decode()}")
    return elapsed, max(peak, before) / 1024, completed.returncode


def bare_json_load(path: Path) -> tuple[float, float]:
    data = path.read_bytes()
    start = time.perf_counter()
    json.loads(data)
    with_gc = time.perf_counter() - start
    gc.disable()
    start = time.perf_counter()
    json.loads(data)
    without_gc = time.perf_counter() - start
    gc.enable()
    return with_gc, without_gc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--keep", type=Path, help="keep the generated SBOMs in this directory")
    args = parser.parse_args()
    depscan = [sys.executable, "-m", "depscan"]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="depscan-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    runs = [timed([*depscan, "--version"])[0] for _ in range(5)]
    print(f"depscan --version: {min(runs):.3f} s (best of 5)")
    print(f"{'components':>10} {'size MB':>8} {'json.load s':>11} {'(gc off) s':>10} {'scan s':>7} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        path = workdir / f"bom-{size}.cdx.json"
        if not path.exists():
            make_sbom(size, path)
        with_gc, without_gc = bare_json_load(path)
        elapsed, peak, _ = timed([*depscan, "scan", str(path), "--format", "json", "--fail-on", "none", "-q"])
        megabytes = path.stat().st_size / 1e6
        print(f"{size:>10} {megabytes:>8.1f} {with_gc:>11.2f} {without_gc:>10.2f} {elapsed:>7.2f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
