"""Large CycloneDX 1.6 SBOMs shaped like real ones, for benchmarks and the tests that need volume.

Same shape as ../shared/tools/make_big_sbom.py (which clones the shared corpus): components cloned from
this repository's own fixtures with unique versions, and a dependency graph of a few edges per component.
Used when ../shared is absent, and by the tests, which must run on a plain clone.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [
    ROOT / "tests" / "fixtures" / "pipeline" / "syft.cdx.json",
    ROOT / "tests" / "fixtures" / "pipeline" / "cdxgen-npm.cdx.json",
]


def seed_components(paths: list[Path] | None = None) -> list[dict]:
    """Every named component of the seed SBOMs, nested ones included."""
    components = []
    for path in paths or SEEDS:
        document = json.loads(path.read_text(encoding="utf-8"))
        stack = list(document.get("components", []))
        while stack:
            component = stack.pop()
            stack.extend(component.pop("components", []) or [])
            if component.get("name"):
                components.append(component)
    return components


def make_sbom(count: int, target: Path) -> None:
    """Write `count` components: clone k of a seed gets version "<v>+k", so that every bom-ref stays unique."""
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
