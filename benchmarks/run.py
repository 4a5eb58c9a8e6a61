"""Benchmark a full scan of large SBOMs against the parser's floor: time, memory, exports and start-up.

    python benchmarks/run.py [--quick] [--huge] [--sizes 10000,100000] [--keep DIR]

Generates CycloneDX 1.6 SBOMs shaped like real ones with ../shared/tools/make_big_sbom.py (components
cloned from the shared corpus) or, on a plain clone, with benchmarks/sbomgen.py (cloned from the test
fixtures), at 10,000 and 100,000 components (--quick: 10,000 only; --huge adds 1,000,000, about 1.2 GB).
Then prints, with the machine's core count, load and Python version:

- `json.load` and `orjson.loads` of the same file (best of 3, in a fresh process);
- a full `depscan scan --format json` in a fresh process: wall time, CPU time (user + system) and peak
  RSS, each measured by a wrapper process through resource.getrusage(RUSAGE_CHILDREN), so that every
  figure is that run's own; and its ratio to `json.load` (wall, and CPU where the machine is loaded);
- the CycloneDX export against the JSON report, rendered from the same scan in one process (CPU time);
- `depscan --version` start-up (best of 5) next to a bare `python -c pass`.

The issue's targets are printed beside the figures. benchmarks/inventory.py measures the portfolio audit.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_GENERATOR = ROOT.parent / "shared" / "tools" / "make_big_sbom.py"
ENVIRONMENT = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src")}  # measure this checkout
#: targets of issue 17, as (scan / json.load) ratios and MB
TARGET_RATIO = {10_000: 3.5, 100_000: 2.0}
TARGET_PEAK_MB = {100_000: 500, 1_000_000: 2000}
TARGET_EXPORT_RATIO = 2.0

# -- child modes: each measurement runs in its own process ------------------------------------------------

_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss}))
"""


def child_loads(path: Path) -> None:
    """Best of 3 for each parser, wall time, on bytes already read."""
    import orjson

    data = path.read_bytes()
    results = {}
    for name, loads in (("json", json.loads), ("orjson", orjson.loads)):
        best = float("inf")
        for _ in range(3 if len(data) < 500_000_000 else 1):
            start = time.perf_counter()
            document = loads(data)
            best = min(best, time.perf_counter() - start)
            del document
        results[name] = best
    print(json.dumps(results))


def child_render(path: Path) -> None:
    """One scan, then the JSON report and the CycloneDX export of it, each rendered once (cold caches)."""
    sys.path.insert(0, str(ROOT / "src"))
    from depscan import scan as scan_module
    from depscan import vendordb
    from depscan.report import RenderOptions, renderer

    result = scan_module.run(scan_module.ScanOptions(paths=[str(path)], fail_on="none"), vendordb.load())
    gc.freeze()  # as `depscan scan` does before rendering
    options = RenderOptions(tool_version="bench")
    timings = {}
    for name in ("json", "cyclonedx"):
        wall, cpu = time.perf_counter(), time.process_time()
        renderer(name)(result, options)
        timings[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    print(json.dumps({"components": len(result.components), **timings}))


# -- the parent ---------------------------------------------------------------------------------------------


def measured(command: list[str]) -> dict:
    """Wall and CPU seconds and peak RSS (KB) of `command`, measured by a wrapper process of its own."""
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, env=ENVIRONMENT, check=True
    )
    figures = json.loads(completed.stdout)
    if figures["code"] != 0:
        sys.exit(f"failed ({figures['code']}): {' '.join(command)}")
    return figures


def child_json(mode: str, path: Path) -> dict:
    command = [sys.executable, __file__, mode, str(path)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, env=ENVIRONMENT, check=True).stdout)


def generate(size: int, path: Path) -> str:
    """Write the SBOM unless it is there; say which generator made it."""
    if SHARED_GENERATOR.exists():
        if not path.exists():
            subprocess.run([sys.executable, str(SHARED_GENERATOR), str(size), str(path)], check=True, stdout=2)
        return "shared/tools/make_big_sbom.py"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from sbomgen import make_sbom

        make_sbom(size, path)
    return "benchmarks/sbomgen.py"


def verdict(value: float, limit: float | None) -> str:
    if limit is None:
        return ""
    return f"(target <= {limit:g}: {'met' if value <= limit else 'NOT met'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 components only")
    parser.add_argument("--huge", action="store_true", help="add 1,000,000 components (about 1.2 GB of JSON)")
    parser.add_argument("--sizes", help="comma-separated component counts (overrides --quick and --huge)")
    parser.add_argument("--keep", type=Path, help="generate into (and reuse from) this directory")
    args = parser.parse_args()
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    else:
        sizes = [10_000] if args.quick else [10_000, 100_000]
        sizes += [1_000_000] if args.huge else []
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="depscan-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    depscan = [sys.executable, "-m", "depscan"]

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"machine: {cores} cores ({usable} usable), load average {load}; {platform.platform()}")
    print(f"python {platform.python_version()} ({platform.python_implementation()}), {sys.executable}")
    bare = min(measured([sys.executable, "-c", "pass"])["wall"] for _ in range(5))
    startup = [measured([*depscan, "--version"]) for _ in range(5)]
    best = min(s["wall"] for s in startup)
    print(f"start-up: depscan --version {best:.3f} s, python -c pass {bare:.3f} s (best of 5)")
    print()

    rows = []
    for size in sizes:
        path = workdir / f"bom-{size}.cdx.json"
        origin = generate(size, path)
        loads = child_json("--child-loads", path)
        scan = measured([*depscan, "scan", str(path), "--format", "json", "--fail-on", "none", "-q"])
        render = child_json("--child-render", path) if size <= 100_000 else None
        rows.append((size, path, origin, loads, scan, render))
        megabytes = path.stat().st_size / 1e6
        peak = scan["peak_kb"] / 1024
        print(f"== {size:,} components ({megabytes:.0f} MB, generated by {origin})")
        print(f"   json.load   {loads['json']:7.2f} s    orjson.loads {loads['orjson']:6.2f} s")
        ratio = scan["wall"] / loads["json"]
        print(f"   depscan scan --format json: {scan['wall']:.2f} s wall, {scan['cpu']:.2f} s CPU, peak {peak:.0f} MB")
        print(f"   scan / json.load: {ratio:.1f}x wall {verdict(ratio, TARGET_RATIO.get(size))}")
        print(f"                     {scan['cpu'] / loads['json']:.1f}x CPU against json.load's wall time")
        print(f"   peak RSS {peak:.0f} MB {verdict(peak, TARGET_PEAK_MB.get(size))}")
        if render:
            json_cpu, cdx_cpu = render["json"]["cpu"], render["cyclonedx"]["cpu"]
            export = cdx_cpu / json_cpu
            print(
                f"   reports of {render['components']:,} components: JSON {json_cpu:.2f} s, "
                f"CycloneDX {cdx_cpu:.2f} s CPU: {export:.1f}x {verdict(export, TARGET_EXPORT_RATIO)}"
            )
        print()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-loads":
        child_loads(Path(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--child-render":
        child_render(Path(sys.argv[2]))
    else:
        main()
