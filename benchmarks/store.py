"""Benchmark the shared store: many pipelines pushing at once, then the portfolio of everything pushed.

    python benchmarks/store.py [--applications 10000] [--components 500] [--writers 16]
                               [--postgres URL | --no-postgres] [--no-sqlite]

For each store (a throw-away PostgreSQL started like the tests do, with
fsync on, or --postgres URL; and a SQLite file): N applications' JSON
reports of M components each are pushed by W concurrent writer processes,
each push doing what `depscan inventory push` does after start-up (parse
the report, make its compact result, open the store, record in one
transaction, close). Then checks that no push was lost or duplicated, and
times `depscan inventory report --store URL` over all N applications in a
fresh process (wall time, peak memory). Reports come from a pool of 64
synthetic documents whose components are matched to real vendor database
records (about 60% attributed), so that controllers, extra-EU
dependencies and levels look like a real portfolio's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

KINDS = ["library"] * 16 + ["sdk", "sdk", "service", "infrastructure"]
TEMPLATES = 64


def make_reports(components: int, seed: int = 7) -> list[bytes]:
    """TEMPLATES depscan-report/1 documents of `components` components, as JSON bytes."""
    from depscan import vendordb
    from depscan.report.json_report import vendor_dict

    database = vendordb.load()
    vendor_ids = sorted(database.vendors)
    randomiser = random.Random(seed)
    documents = []
    for template in range(TEMPLATES):
        used = randomiser.sample(vendor_ids, 30)
        items = []
        extra_eu = unknown = 0
        for number in range(components):
            kind = randomiser.choice(KINDS)
            vendor = None
            if randomiser.random() < 0.6:
                match = database.describe(randomiser.choice(used), "benchmark", "purl_prefix", kind)
                vendor = vendor_dict(match)
                extra_eu += not match.eu
            else:
                unknown += 1
            items.append(
                {
                    "id": f"pkg:npm/bench-{template}-{number}@1.0.{number}",
                    "name": f"bench-{template}-{number}",
                    "version": f"1.0.{number}",
                    "purl": f"pkg:npm/bench-{template}-{number}@1.0.{number}",
                    "ecosystem": "npm",
                    "kind": kind,
                    "license": {"expression": "MIT", "category": "permissive", "open_source": True},
                    "vendor": vendor,
                    "level": randomiser.randint(0, 4) if vendor else None,
                    "sources": [{"path": "package-lock.json", "line": number + 10}],
                }
            )
        levels = [i["level"] for i in items if i["level"] is not None and i["kind"] != "library"]
        documents.append(
            orjson.dumps(
                {
                    "schema": "depscan-report/1",
                    "tool": {"name": "depscan", "version": "bench"},
                    "sources": [{"path": "package-lock.json", "format": "npm-lock", "components": components}],
                    "components": items,
                    "findings": [],
                    "summary": {
                        "components": components,
                        "extra_eu": extra_eu,
                        "non_open_source": 0,
                        "unknown_vendor": unknown,
                        "unknown_license": 0,
                        "level": min(levels) if levels else None,
                        "level_reason": "benchmark",
                        "score": {"value": randomiser.randint(10, 90)},
                        "findings": {"medium": randomiser.randint(0, 20)},
                        "indicators": {"open_source": {"known": components, "open": components}},
                    },
                }
            )
        )
    return documents


#: made once in the parent; forked writers inherit them
_REPORTS: list[bytes] = []
_COMPONENTS = [0]


def _push_one(location: str, index: int) -> float:
    """One pipeline's push, timed from the report's bytes to the committed row."""
    from depscan.inventory import pushed

    started = time.perf_counter()
    document = orjson.loads(_REPORTS[index % TEMPLATES])
    name = f"app-{index:05d}"
    result = pushed.result_from_report(document, name, "report.json")
    metadata = pushed.PushMetadata(name, owner=f"team-{index % 40}", commit=f"{index:040x}", branch="main")
    outcome = pushed.push_result(location, pushed.make_push(result, metadata, "bench"))
    if outcome != "recorded":
        raise RuntimeError(f"push {index}: {outcome}")
    return time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(location: str, label: str, applications: int, components: int, writers: int) -> dict[str, Any]:
    from depscan.inventory import storage

    global _REPORTS
    if len(_REPORTS) != TEMPLATES or components != _COMPONENTS[0]:
        _REPORTS = make_reports(components)
        _COMPONENTS[0] = components
    storage.open_store(location).close()  # the schema, once, before the clock starts
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(writers) as pool:
        ready = time.perf_counter()
        latencies = pool.starmap(_push_one, [(location, index) for index in range(applications)], chunksize=8)
    pushing = time.perf_counter() - ready
    store = storage.open_store(location)
    try:
        counts = store.counts()
        latest = store.latest()
    finally:
        store.close()
    names = [push.application for push in latest]
    assert counts == {"pushes": applications, "applications": applications}, counts
    assert names == [f"app-{index:05d}" for index in range(applications)], "a push is missing or duplicated"
    report = _time_report(location)
    figures = {
        "store": label,
        "applications": applications,
        "components_each": components,
        "writers": writers,
        "push_wall_s": round(pushing, 1),
        "pushes_per_s": round(applications / pushing, 1),
        "push_p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "push_p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "lost_or_duplicated": 0,
        "pool_start_s": round(ready - started, 1),
        **report,
    }
    print(orjson.dumps(figures).decode(), flush=True)
    return figures


#: `depscan ARGS` that reports its own peak memory (Linux)
_MEASURED = """
import sys
sys.argv = ["depscan", *sys.argv[1:]]
try:
    from depscan.cli import main
    main()
finally:  # VmHWM: this program's own peak (ru_maxrss would carry the forking parent's over exec)
    status = open("/proc/self/status").read()
    sys.stderr.write("PEAK_KB %s\\n" % status.split("VmHWM:", 1)[1].split()[0])
"""


def _time_report(location: str) -> dict[str, Any]:
    """`depscan inventory report --store` over everything, in a fresh process: wall time and peak memory."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "portfolio.json"
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-c", _MEASURED, "inventory", "report", "--store", location, "-o", str(out)],
            capture_output=True,
            text=True,
            env=environment,
        )
        wall = time.perf_counter() - started
        if completed.returncode != 0:
            raise RuntimeError(completed.stderr)
        peak = int(completed.stderr.rsplit("PEAK_KB ", 1)[1].split()[0])
        portfolio = orjson.loads(out.read_bytes())
        size = out.stat().st_size
    return {
        "report_wall_s": round(wall, 1),
        "report_peak_mb": round(peak / 1024),
        "report_applications": len(portfolio["applications"]),
        "report_mb": round(size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--components", type=int, default=500)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--postgres", help="An existing PostgreSQL URL (default: start a throw-away cluster).")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    arguments = parser.parse_args()
    shape = (arguments.applications, arguments.components, arguments.writers)
    if not arguments.no_postgres:
        import pgcluster

        url, cluster = arguments.postgres, None
        if url is None:
            url, cluster, reason = pgcluster.start(durable=True)
            if url is None:
                sys.exit(f"PostgreSQL unavailable: {reason}")
        try:
            run(url, "postgresql", *shape)
        finally:
            if cluster is not None:
                cluster.stop()
    if not arguments.no_sqlite:
        with tempfile.TemporaryDirectory() as directory:
            run(f"sqlite:///{directory}/store.sqlite", "sqlite", *shape)


if __name__ == "__main__":
    main()
