"""Language codes as people read them ("la" is Latin), from Babel's CLDR data."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError


@cache
def language_name(code: str | None) -> str:
    if not code:
        return "unknown"
    try:
        return str(Locale.parse(code).english_name or code)
    except (ValueError, UnknownLocaleError):
        return code
