"""Hard-wrapped copy whose lines are indented (quoted mail, wire copy, PDF text): a word cut by a hyphen
at a line end goes on after the next line's indentation ("Revolution-⏎  ary Guards"). Pure.

`close_indented_cuts` writes that indentation as soft hyphens, which the tokeniser reads as inside a
word (normalise.WRAPPED_WORD): the text keeps its length, so every span stays that of the original.
"""

from __future__ import annotations

import re

_INDENTED_CUT = re.compile(r"(?<=\w-\n)[ \t]+(?=[a-zß-ÿ\u0430-\u045f])|(?<=\w-\r\n)[ \t]+(?=[a-zß-ÿ\u0430-\u045f])")


def close_indented_cuts(text: str) -> str:
    """The text with the indentation after a line-end hyphen before a small letter made soft hyphens."""
    if "-\n" not in text and "-\r\n" not in text:
        return text
    return _INDENTED_CUT.sub(lambda m: "\xad" * len(m.group()), text)
