"""English and French: a dictionary catalog per language, chosen per request.

The catalogs are JSON files in ``locales/`` (one flat key -> text map per language, with
``{name}`` placeholders; ``en.json``, merged with any ``<part>.en.json`` beside it, e.g. the
incident register's ``incidents.en.json``); a test checks that both have every key. The language is the
``wam_lang`` cookie when set (the switch in the page footer), else the best match of the
browser's Accept-Language, else English.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal

LANGUAGES = ("en", "fr")
DEFAULT = "en"
COOKIE = "wam_lang"
LOCALES = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    texts: dict[str, str] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    for part in sorted(LOCALES.glob(f"*.{lang}.json")):
        texts.update(json.loads(part.read_text(encoding="utf-8")))
    return texts


def choose(cookie: str | None, accept_language: str | None) -> str:
    """Pick the language: the cookie, then Accept-Language (by quality), then English."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    best, best_q = DEFAULT, -1.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower()[:2]
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


class Translator:
    """``_("key", name=value)`` in templates and handlers; a missing key shows itself, never fails."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self.texts = catalog(self.lang)

    def __call__(self, key: str, /, **values: object) -> str:
        text = self.texts.get(key) or catalog(DEFAULT).get(key, key)
        return text.format(**values) if values else text

    def number(self, value: float, digits: int | None = None) -> str:
        """A number in the reader's language (1,095 / 1 095; 92.2 / 92,2), with ``digits`` decimals if given."""
        if digits is None:
            return format_decimal(value, locale=self.lang)
        return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0", locale=self.lang)
