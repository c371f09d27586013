"""Pure: a sentence cut into plain and highlighted pieces (the actor's and the event's words), for templates
that escape every piece."""

from __future__ import annotations

from collections.abc import Iterable


def pieces(sentence: str, marks: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(text, kind) pieces of `sentence`: kind is "" for plain text, else the kind of the mark ("actor",
    "event") whose words these are (found case-insensitively; the first and longest mark wins overlaps)."""
    folded = _fold(sentence)
    kinds: list[str] = [""] * len(sentence)
    for words, kind in sorted({(w, k) for w, k in marks if w.strip()}, key=lambda m: -len(m[0])):
        needle, start = _fold(words), 0
        while (at := folded.find(needle, start)) >= 0:
            if not any(kinds[at:at + len(needle)]):
                kinds[at:at + len(needle)] = [kind] * len(needle)
            start = at + len(needle)
    out: list[tuple[str, str]] = []
    for char, kind in zip(sentence, kinds, strict=True):
        if out and out[-1][1] == kind:
            out[-1] = (out[-1][0] + char, kind)
        else:
            out.append((char, kind))
    return out


def _fold(text: str) -> str:
    """Case-folded character by character, keeping the length (a character whose folding is longer, ß, stays)."""
    return "".join(f if len(f := c.casefold()) == 1 else c for c in text)


def spans(text: str, marked: Iterable[tuple[int, int]], kind: str = "actor") -> list[tuple[str, str]]:
    """(text, kind) pieces with the given character spans marked."""
    out: list[tuple[str, str]] = []
    at = 0
    for start, end in sorted(marked):
        if start < at or end > len(text):
            continue
        if start > at:
            out.append((text[at:start], ""))
        out.append((text[start:end], kind))
        at = end
    if at < len(text):
        out.append((text[at:], ""))
    return out
