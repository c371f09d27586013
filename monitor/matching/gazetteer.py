"""States' names as the French, Spanish, Italian and German press write them, from the Unicode CLDR
territory names that Babel ships (pure: names in, names out).

A watched state whose name or an alias is a CLDR territory name in English (United States, Iran, Iraq)
also goes by that territory's name in the other languages the matcher stems (États-Unis, Estados
Unidos, Stati Uniti, Vereinigte Staaten; Irak): a plain watchlist need not list them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from babel import Locale

from monitor.matching.normalise import fold

LOCALES = ("fr", "es", "it", "de")  # the press languages stems.py stems, besides English


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """Territory codes by their English name, folded (countries only: two-letter codes)."""
    return {fold(name): code for code, name in Locale("en").territories.items() if len(code) == 2 and code.isalpha()}


def exonyms(names: Iterable[str]) -> list[str]:
    """The other languages' names of the state that one of `names` is in English (none if it is none)."""
    codes = _codes()
    code = next((codes[fold(n)] for n in names if fold(n) in codes), None)
    if code is None:
        return []
    return list(dict.fromkeys(Locale(language).territories[code] for language in LOCALES if code in Locale(language).territories))
