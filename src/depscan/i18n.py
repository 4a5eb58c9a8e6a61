"""The language of what a person reads: gettext catalogs managed with Babel, and locale-aware numbers and dates.

English is the source language (the message ids are the English text), so English needs no catalog.
French comes from `locale/fr/LC_MESSAGES/depscan.po`, the file translators edit; it is compiled to the
binary `.mo` form in memory on first use (babel.messages.pofile / mofile), so that the wheel, the sdist
and an editable install all work from the same source file and nothing has to be built or written.

The language is chosen once per run (`activate`): `--lang`, else `lang` in the configuration, else the
locale (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them). Machine output (JSON field names,
rule ids, enum values, the JSON report as a whole) never depends on it.

Python code marks messages with `tr()` (and `ntr()` for plurals, `N_()` for a message kept untranslated
until shown); templates use `_()` and `ngettext()` from `jinja2.ext.i18n`. `tr` rather than `_`, because
`_` is also the throwaway variable of the code base, and a loop `for _, x in ...` would shadow it.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
import os
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

#: the languages depscan speaks; the first is the source language
LANGUAGES = ("en", "fr")
DOMAIN = "depscan"

_current = "en"


def locale_language(env: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set; `fr_*` gives French."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def activate(language: str | None) -> str:
    """Make `language` (or the locale's when None) the language of what follows; returns it."""
    global _current
    chosen = language or locale_language()
    if chosen not in LANGUAGES:
        raise ValueError(f"unknown language {chosen!r} (known: {', '.join(LANGUAGES)})")
    _current = chosen
    return chosen


def current() -> str:
    return _current


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalog of `language`, compiled from its .po in memory; English is the message ids themselves."""
    if language == "en":
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = resources.files("depscan").joinpath("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def tr(message: str) -> str:
    """`message` in the active language (the English text when it has no translation)."""
    return message if _current == "en" else translations(_current).gettext(message)


def ntr(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the active language (French counts 0 and 1 as singular)."""
    if _current == "en":
        return singular if count == 1 else plural
    return translations(_current).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now: it is translated where it is shown."""
    return message


def _locale() -> str:
    return "fr_FR" if _current == "fr" else "en_US"


def number(value: int | float, digits: int = 0) -> str:
    """An integer or a decimal in the locale's form: `1 234` in French; English keeps depscan's plain `1234`
    (the form its English reports always had)."""
    if _current == "en":
        return f"{value:.{digits}f}" if digits or isinstance(value, float) else str(value)
    from babel.numbers import format_decimal

    return format_decimal(round(value, digits), locale=_locale(), decimal_quantization=False)


def percent(share: float, digits: int = 0) -> str:
    """A share of 1 as a percentage: `12.5%` in English, `12,5 %` in French."""
    from decimal import Decimal

    from babel.numbers import format_percent

    rounded = Decimal(repr(round(share * 100, digits))).normalize() / 100  # 12.5, not 12.500000000000002
    return format_percent(rounded, locale=_locale(), decimal_quantization=False)


def date(value: dt.date | str) -> str:
    """A date as a person reads it: ISO in English (unchanged), `4 décembre 2026` in French."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if _current == "en":
        return value.isoformat()
    from babel.dates import format_date

    return format_date(value, format="long", locale=_locale())


def country(code: str | None, name: str) -> str:
    """A country's name in the active language, from CLDR through Babel (`États-Unis`); `name` in English."""
    if _current == "en" or not code:
        return name
    from babel import Locale

    territories: dict[str, str] = Locale.parse(_locale()).territories
    return territories.get(code.upper(), name)


class Text(str):
    """A sentence that is its English form (a str: JSON, storage and comparisons see only that) and keeps its
    message id and parameters, so that a report can say it in another language later. A parameter may itself be
    a Text, translated in turn."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Text:
        text = super().__new__(cls, msgid.format(**{key: str(value) for key, value in params.items()}))
        text.msgid = msgid
        text.params = params
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # pickled between processes of an inventory run
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Text:
    return Text(msgid, **params)


def localize(value: Any) -> str:
    """A Text in the active language; anything else as it is."""
    if isinstance(value, Text):
        template = tr(value.msgid)
        params = {key: localize(item) for key, item in value.params.items()}
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):  # a broken translation never breaks a report
            return value.msgid.format(**params)
    return value if isinstance(value, str) else str(value)
