"""Rebuild src/depscan/locale/fr/LC_MESSAGES/depscan.po: extract every message (babel.cfg, the keywords of
depscan.i18n) and fill the French from tools/fr_translations.py. Run from the repository root:

    .venv/bin/python tools/update_catalog.py

A message without a French translation is written untranslated and listed, so that tests/test_i18n.py fails
until someone translates it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

try:  # Babel 2.15 renamed parse_mapping (which reads a babel.cfg) to parse_mapping_cfg
    from babel.messages.frontend import parse_mapping_cfg
except ImportError:  # pragma: no cover - older Babel
    from babel.messages.frontend import parse_mapping as parse_mapping_cfg
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]
#: the gettext keywords of depscan.i18n (Python) and jinja2.ext.i18n (templates)
KEYWORDS = {"tr": None, "ntr": (1, 2), "N_": None, "Text": None, "_": None, "ngettext": (1, 2)}
PO = ROOT / "src" / "depscan" / "locale" / "fr" / "LC_MESSAGES" / "depscan.po"


def extract() -> Catalog:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project="depscan", locale="fr", domain="depscan", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def main() -> int:
    sys.path.insert(0, str(ROOT / "tools"))
    from fr_translations import FR

    catalog = extract()
    missing = []
    for message in catalog:
        if not message.id:
            continue
        french = FR.get(message.id)
        if french is None:
            missing.append(message.id)
        elif isinstance(french, tuple):  # CLDR gives French three forms (one, many, other): the plural fills the rest
            message.string = (*french, *(french[-1],) * (catalog.num_plurals - len(french)))
        else:
            message.string = french
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=120, sort_output=False, omit_header=False)
    for message_id in missing:
        print(f"untranslated: {message_id!r}", file=sys.stderr)
    print(f"{PO.relative_to(ROOT)}: {len(catalog) - len(missing)} of {len(catalog)} translated")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
