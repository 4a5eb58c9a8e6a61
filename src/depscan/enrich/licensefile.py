"""Recognise the licence of a LICENSE file from its text, for packages whose metadata names none.

Deliberately small and conservative, in the spirit of licensee's exact
matchers rather than ScanCode's full detection: a handful of phrases that
only the common licence texts contain, and an answer only when exactly one
licence is recognised. Anything else stays unknown, never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

#: names packages give their licence files, most common first
LICENSE_FILE_NAMES = (
    "LICENSE",
    "LICENSE.txt",
    "LICENSE.md",
    "LICENSE.rst",
    "LICENCE",
    "LICENCE.txt",
    "LICENCE.md",
    "COPYING",
    "COPYING.txt",
    "LICENSE-MIT",
    "LICENSE-APACHE",
)
_MAX_BYTES = 64 * 1024
_COMMENT_MARKERS = re.compile(r"^[\s*#/>|;-]+", re.MULTILINE)  # licence texts pasted into comments
_SPACES = re.compile(r"\s+")

# (SPDX id, phrases that must all appear, phrases that must not), checked on lowercased, whitespace-folded text.
_SIGNATURES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Apache-2.0", ("apache license", "version 2.0", "terms and conditions for use, reproduction"), ()),
    (
        "MIT",
        (
            "permission is hereby granted, free of charge, to any person obtaining a copy",
            "the above copyright notice and this permission notice shall be included",
        ),
        (),
    ),
    (
        "MIT-0",
        ("permission is hereby granted, free of charge, to any person obtaining a copy",),
        ("the above copyright notice and this permission notice shall be included",),
    ),
    (
        "BSD-3-Clause",
        ("redistribution and use in source and binary forms", "neither the name"),
        ("advertising materials",),
    ),
    (
        "BSD-2-Clause",
        ("redistribution and use in source and binary forms",),
        ("neither the name", "advertising materials", "the names of its contributors may not be used"),
    ),
    (
        "ISC",
        (
            "permission to use, copy, modify, and/or distribute this software for any purpose",
            "provided that the above copyright notice and this permission notice appear in all copies",
        ),
        (),
    ),
    ("MPL-2.0", ("mozilla public license", "version 2.0"), ()),
    ("AGPL-3.0", ("gnu affero general public license", "version 3"), ()),
    ("LGPL-3.0", ("gnu lesser general public license", "version 3"), ()),
    ("LGPL-2.1", ("gnu lesser general public license", "version 2.1"), ()),
    ("GPL-3.0", ("gnu general public license", "version 3, 29 june 2007"), ("gnu lesser", "gnu affero")),
    ("GPL-2.0", ("gnu general public license", "version 2, june 1991"), ("gnu lesser", "gnu library")),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",), ()),
    ("EPL-2.0", ("eclipse public license - v 2.0",), ()),
    ("EPL-1.0", ("eclipse public license - v 1.0",), ()),
    ("CC0-1.0", ("cc0 1.0 universal",), ()),
    ("PSF-2.0", ("python software foundation license version 2",), ()),
    ("BUSL-1.1", ("business source license 1.1",), ()),
    ("SSPL-1.0", ("server side public license",), ()),
    ("Elastic-2.0", ("elastic license 2.0",), ()),
)


def identify(text: str) -> str | None:
    """The SPDX id of a licence text, or None when not exactly one licence is recognised."""
    uncommented = _COMMENT_MARKERS.sub(" ", text[:_MAX_BYTES].lower().replace("licence", "license"))
    folded = _SPACES.sub(" ", uncommented)
    found = [
        spdx
        for spdx, required, forbidden in _SIGNATURES
        if all(p in folded for p in required) and not any(p in folded for p in forbidden)
    ]
    return found[0] if len(found) == 1 else None


def identify_file(path: Path) -> str | None:
    """Read at most 64 KiB of a licence file and identify it; unreadable files are unknown."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_BYTES)
    except OSError:
        return None
    return identify(data.decode("utf-8", errors="replace"))


def find_in(directory: Path) -> tuple[str, Path] | None:
    """The licence of the first recognisable licence file directly in `directory`."""
    for name in LICENSE_FILE_NAMES:
        candidate = directory / name
        if candidate.is_file():
            spdx = identify_file(candidate)
            if spdx:
                return spdx, candidate
    return None
