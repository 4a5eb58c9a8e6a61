"""Find the data shipped with depscan: `vendor_db/` and `rules/`.

In a wheel they live in `depscan/_data/`; in a source checkout (editable
install, tests) they live at the repository root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Return the directory `name` (`vendor_db` or `rules`) of this installation."""
    bundled = _PACKAGE / "_data" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent.parent / name
