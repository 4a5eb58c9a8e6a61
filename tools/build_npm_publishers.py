"""Build `vendor_db/npm_publishers.tsv.gz`: npm package -> repository owner, for offline scans.

Source: the npm package `all-the-package-repos` (MIT, by Zeke Sikelianos, maintained
by jsDelivr), whose `data/packages.json` maps every npm package name to its
repository URL. It is fetched ONCE with `npm pack` (one tarball from the npm
registry, no per-package requests) unless `--dataset` names a tarball or a
`packages.json` already on disk.

Only packages worth shipping are kept: those of a download-ranked list (TSV with
columns name, version, downloads_a_month; default: the workplace's npm list)
with at least `--min-downloads` a month, or the `--top` N most downloaded.
The output is a sorted, gzip-compressed TSV, deterministic (no timestamp), whose
`#` header lines record the dataset, its version and licence, and the cut.

Refresh (one command, from the repository root):

    python tools/build_npm_publishers.py

Standard library only, so that it runs before depscan is installed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from depscan.vendordb.keys import repository_owner  # noqa: E402  (the same owner key the matcher uses)

DATASET = "all-the-package-repos"
DEFAULT_RANKED = Path("/work/.library/env/packages/npm.tsv")
DEFAULT_OUTPUT = ROOT / "vendor_db" / "npm_publishers.tsv.gz"
#: forges whose URL path starts with the owner; other hosts (self-hosted, npm's own) name no owner
FORGES = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")


def fetch_dataset(workdir: Path) -> Path:
    """`npm pack all-the-package-repos` into `workdir`: one registry download."""
    result = subprocess.run(
        ["npm", "pack", DATASET, "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    name = result.stdout.strip().splitlines()[-1]
    return workdir / name


def read_dataset(path: Path) -> tuple[dict[str, str | None], dict[str, str]]:
    """(package -> repository URL, the dataset's package.json) from a tarball or a packages.json."""
    if path.suffix == ".json":
        meta_path = path.parent.parent / "package.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        return json.loads(path.read_bytes()), meta
    with tarfile.open(path, "r:gz") as archive:
        meta = json.load(_member(archive, "package/package.json"))
        packages = json.load(_member(archive, "package/data/packages.json"))
    return packages, meta


def _member(archive: tarfile.TarFile, name: str) -> io.BufferedReader:
    handle = archive.extractfile(name)
    if handle is None:
        raise SystemExit(f"{name}: not in the dataset tarball")
    return handle  # type: ignore[return-value]


def ranked_packages(path: Path, min_downloads: int, top: int | None) -> list[tuple[str, int]]:
    """(name, monthly downloads) of the packages worth shipping, most downloaded first."""
    rows: list[tuple[str, int]] = []
    with path.open(encoding="utf-8") as handle:
        next(handle, None)  # header
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or not fields[2].isdigit():
                continue
            rows.append((fields[0], int(fields[2])))
    rows.sort(key=lambda row: (-row[1], row[0]))
    if top is not None:
        return rows[:top]
    return [row for row in rows if row[1] >= min_downloads]


def build(packages: dict[str, str | None], meta: dict[str, str], ranked: list[tuple[str, int]], cut: str) -> bytes:
    """The index file: header lines, then `name<TAB>owner` sorted by name."""
    entries: dict[str, str] = {}
    for name, _downloads in ranked:
        url = packages.get(name)
        if not url:
            continue
        owner = repository_owner(url)
        if owner is None or owner.split("/", 1)[0] not in FORGES:
            continue
        entries.setdefault(name.lower(), owner)  # purls lowercase npm names: the most downloaded spelling wins
    header = [
        f"# dataset: {DATASET} {meta.get('version', '?')} (npm package, {meta.get('repository', '')})",
        f"# licence: {meta.get('license', '?')}",
        f"# selection: {cut}; {len(ranked)} packages considered, {len(entries)} with a repository owner on a forge",
        "# columns: npm package name (lowercase), repository owner (host/owner)",
        "# built by: python tools/build_npm_publishers.py",
    ]
    body = [f"{name}\t{owner}" for name, owner in sorted(entries.items())]
    text = "\n".join(header + body) + "\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, help="all-the-package-repos tarball or data/packages.json")
    parser.add_argument("--ranked", type=Path, default=DEFAULT_RANKED, help="download-ranked npm list (TSV)")
    parser.add_argument("--min-downloads", type=int, default=1000, help="monthly downloads to be kept")
    parser.add_argument("--top", type=int, help="keep the N most downloaded instead of a threshold")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.ranked.exists():
        parser.error(f"{args.ranked}: download-ranked npm list not found (give one with --ranked)")
    with tempfile.TemporaryDirectory() as tmp:
        dataset = args.dataset or fetch_dataset(Path(tmp))
        packages, meta = read_dataset(dataset)
    cut = f"top {args.top} by monthly downloads" if args.top else f"at least {args.min_downloads} downloads a month"
    ranked = ranked_packages(args.ranked, args.min_downloads, args.top)
    data = build(packages, meta, ranked, cut)
    args.output.write_bytes(data)
    print(f"{args.output}: {len(data) / 1e6:.2f} MB, from {DATASET} {meta.get('version', '?')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
