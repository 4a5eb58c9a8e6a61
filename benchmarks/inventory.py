"""Benchmark a portfolio audit: 1,000 applications of 500 components each, in one command.

    python benchmarks/inventory.py [--applications 1000] [--components 500] [--jobs N] [--keep DIR]

Generates an inventory whose applications each have their own SBOM or
lockfile (two thirds CycloneDX JSON, one third npm package-lock.json v3),
made of components cloned from the SBOMs that real tools produced for the
tests and examples, with versions made unique so that every application
really has N distinct components; each application also declares hosting,
services and an identity provider. Then runs `depscan inventory scan` in a
fresh process (JSON, then JSON with a history recorded, then HTML) and
reports wall time, peak memory of the largest process and what came out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
    ROOT / "tests" / "fixtures" / "pipeline" / "cdxgen-python.cdx.json",
    ROOT / "examples" / "inventory" / "apps" / "data-platform" / "sbom.cdx.json",
    ROOT / "examples" / "inventory" / "apps" / "hr-intranet" / "sbom.cdx.json",
]
HOSTING = ["ovhcloud", "aws", "scaleway", "Google Cloud", "microsoft", "clever-cloud", "outscale", "hetzner"]
SERVICES = ["stripe", "brevo", "salesforce", "datadog", "sentry", "twilio", "mollie", "Plausible", "snowflake", "slack"]
IDENTITY = ["okta", "Auth0", "microsoft", "Acme in-house SSO"]
CRITICALITY = ["critical", "high", "high", "medium", "medium", "medium", "low", "low"]


def seed_components() -> list[dict]:
    """Distinct (by purl without version) package components of the seed SBOMs."""
    seen: set[str] = set()
    components = []
    for path in SEEDS:
        if not path.exists():
            continue
        stack = list(json.loads(path.read_text(encoding="utf-8")).get("components", []))
        while stack:
            component = stack.pop()
            stack.extend(component.pop("components", []) or [])
            purl = component.get("purl")
            if not purl or not component.get("name") or component.get("type") not in ("library", "framework", None):
                continue
            base = purl.split("@")[0].split("?")[0]
            if base not in seen:
                seen.add(base)
                components.append(component)
    return components


def application_components(seeds: list[dict], app: int, count: int) -> list[dict]:
    """`count` distinct components: a rotating window over the seeds, versions suffixed past one lap."""
    chosen = []
    offset = (app * 97) % len(seeds)
    for position in range(count):
        clone = dict(seeds[(offset + position) % len(seeds)])
        lap = position // len(seeds)
        version = str(clone.get("version") or "0") + (f"-b{lap}" if lap else "")
        base = clone["purl"].split("@")[0].split("?")[0]
        clone["version"] = version
        clone["purl"] = f"{base}@{version}"
        clone["bom-ref"] = clone["purl"]
        chosen.append(clone)
    return chosen


def write_cyclonedx(components: list[dict], target: Path, name: str) -> None:
    refs = [c["bom-ref"] for c in components]
    dependencies = [{"ref": ref, "dependsOn": refs[i + 1 : i + 3]} for i, ref in enumerate(refs)]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": name, "version": "1.0.0", "bom-ref": name}},
        "components": components,
        "dependencies": [{"ref": name, "dependsOn": refs[:40]}, *dependencies],
    }
    target.write_text(json.dumps(bom), encoding="utf-8")


def write_package_lock(components: list[dict], target: Path, name: str) -> None:
    packages: dict[str, dict] = {"": {"name": name, "version": "1.0.0", "dependencies": {}}}
    for position, component in enumerate(components):
        package = component["name"] if not component.get("group") else f"{component['group']}/{component['name']}"
        key = f"node_modules/{package}" if position < 250 else f"node_modules/host{position}/node_modules/{package}"
        packages[key] = {
            "version": component["version"],
            "resolved": f"https://registry.npmjs.org/{package}/-/{component['name']}-{component['version']}.tgz",
            "license": "MIT",
        }
        if position < 40:
            packages[""]["dependencies"][package] = component["version"]
    target.write_text(json.dumps({"name": name, "lockfileVersion": 3, "packages": packages}), encoding="utf-8")


def make_inventory(workdir: Path, applications: int, components: int) -> Path:
    rng = random.Random(20261123)
    seeds = seed_components()
    npm_seeds = [c for c in seeds if c["purl"].startswith("pkg:npm/")]
    lines = ['[inventory]\nname = "Benchmark portfolio"\n']
    for app in range(applications):
        name = f"app-{app:04d}"
        folder = workdir / "apps" / name
        folder.mkdir(parents=True, exist_ok=True)
        if app % 3 == 2:
            path = folder / "package-lock.json"
            write_package_lock(application_components(npm_seeds, app, components), path, name)
        else:
            path = folder / "bom.cdx.json"
            write_cyclonedx(application_components(seeds, app, components), path, name)
        services = rng.sample(SERVICES, rng.randint(1, 3))
        lines.append(
            f'[[application]]\nname = "{name}"\nowner = "team-{app % 40:02d}"\n'
            f'criticality = "{rng.choice(CRITICALITY)}"\npaths = ["{path.relative_to(workdir).as_posix()}"]\n'
            f'hosting = [{{ vendor = "{rng.choice(HOSTING)}", region = "eu" }}]\n'
            f"services = {json.dumps(services)}\nidentity = {json.dumps(rng.choice(IDENTITY))}\n"
        )
    inventory = workdir / "inventory.toml"
    inventory.write_text("\n".join(lines), encoding="utf-8")
    return inventory


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process the command ran."""
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    elapsed = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        sys.exit(f"failed ({completed.returncode}): {' '.join(command)}\n{completed.stderr.decode()[-3000:]}")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--components", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per CPU)")
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this directory")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="depscan-inventory-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    inventory = workdir / "inventory.toml"
    start = time.perf_counter()
    if not inventory.exists():
        make_inventory(workdir, args.applications, args.components)
    generated = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (workdir / "apps").rglob("*") if p.is_file()) / 1e6
    print(
        f"{args.applications} applications x {args.components} components: inputs {size:.0f} MB"
        f" (generated in {generated:.1f} s) in {workdir}"
    )
    print(f"CPUs available: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}")
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    base = [sys.executable, "-m", "depscan", "inventory", "scan", str(inventory), *jobs, "-q"]
    history = workdir / "history.sqlite"
    history.unlink(missing_ok=True)
    runs = [
        ("json", [*base, "--format", "json", "--output", str(workdir / "portfolio.json")]),
        ("json + history", [*base, "--output", str(workdir / "recorded.json"), "--history", str(history)]),
        ("html", [*base, "--format", "html", "--output", str(workdir / "portfolio.html")]),
    ]
    print(f"{'run':<16} {'wall s':>7} {'peak MB':>8}")
    for label, command in runs:
        elapsed, peak = timed(command, workdir)
        print(f"{label:<16} {elapsed:>7.2f} {peak:>8.0f}")
    portfolio = json.loads((workdir / "portfolio.json").read_text(encoding="utf-8"))
    summary = portfolio["summary"]
    print(
        f"scanned {summary['scanned']}/{summary['applications']} applications, {summary['components']} components"
        f" ({summary['components'] / max(1, summary['scanned']):.0f} per application with declared and registry"
        f" components), {len(portfolio['controllers'])} controllers, lowest level {summary['lowest_level']}"
    )


if __name__ == "__main__":
    main()
