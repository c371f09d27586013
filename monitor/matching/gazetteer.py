"""States' names as the French, Spanish, Italian and German press write them, from the Unicode CLDR
territory names that Babel ships, written out in `territories.py` (pure: names in, names out; loading
Babel's five locales would cost the daemon ≈ 8 MB for 250 names in each).

A watched state whose name or an alias is a CLDR territory name in English (United States, Iran, Iraq)
also goes by that territory's name in the other languages the matcher stems (États-Unis, Estados
Unidos, Stati Uniti, Vereinigte Staaten; Irak): a plain watchlist need not list them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from monitor.matching.normalise import fold
from monitor.matching.territories import NAMES

LOCALES = ("fr", "es", "it", "de")  # the press languages stems.py stems, besides English


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """Territory codes by their English name, folded (countries only: two-letter codes)."""
    return {fold(names[0]): code for code, names in NAMES.items()}


def exonyms(names: Iterable[str]) -> list[str]:
    """The other languages' names of the state that one of `names` is in English (none if it is none)."""
    codes = _codes()
    code = next((codes[fold(n)] for n in names if fold(n) in codes), None)
    if code is None:
        return []
    return list(dict.fromkeys(name for name in NAMES[code][1:] if name is not None))
