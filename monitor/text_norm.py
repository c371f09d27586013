"""Text normalisation and tokenisation that keep character spans into the original text.

Neutral: it imports nothing of `monitor`; matching, dedup (content hashes) and stories import it.

A token is a run of letters/digits that may contain apostrophes (Kata'ib); hyphens, dashes and
whitespace separate tokens (al-Muhandis == al Muhandis). Each token's normal form is NFKC,
case-folded, accents stripped, apostrophes and possessive 's removed. Tokens with digits and
tokens inside URLs are marked unmatchable so that dates, numbers and links never produce matches.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache
from dataclasses import dataclass

TITLE_CHARS = 1_000  # a title kept at most (an article's, a feed's): a hostile 4 MB title made a 20 MB alert page
# An article's text kept at most (about 8,000 words): matching grows with the square of a text's matches in the
# worst case (a 1 MB file of watched names, one sentence, took hours); at this length it takes seconds at worst.
TEXT_CHARS = 50_000


def cut_line(line: str, width: int) -> str:
    """A line of at most `width` characters: cut at the last word's end that leaves at least half of it, with
    "…" (cut at the width when no word ends in its second half)."""
    if len(line) <= width:
        return line
    head = line[: width - 1]
    return (head.rsplit(" ", 1)[0] if " " in head[width // 2 :] else head) + "…"


def one_line_title(title: str) -> str:
    """A title on one line (runs of white space made one space), cut to TITLE_CHARS at a word's end with "…"."""
    return cut_line(" ".join(title.split()), TITLE_CHARS)


def title_or_opening(title: str, text: str, width: int = 90) -> str:
    """A title, or for an article without one (a folder's .txt file) the opening words of its text, cut to `width`
    at a word's end with "…": how alerts, listings and the web view name an article."""
    return title or cut_line(" ".join(text.split()), width)


def cut_text(text: str) -> str:
    """A text cut to TEXT_CHARS at a word's end with "…" (as it is when shorter)."""
    if len(text) <= TEXT_CHARS:
        return text
    head = text[: TEXT_CHARS - 1]
    space = max(head.rfind(" "), head.rfind("\n"))
    return (head[: space + 1] if space >= TEXT_CHARS // 2 else head) + "…"


_APOSTROPHES = "'’‘ʼʻ`´′"
_W = r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"  # word characters and combining marks (é as e + ́, Arabic vowels)
# The French and Italian words that lose their vowel before a word starting with one and are written
# joined to it by an apostrophe (l'Irak, d'Erbil, qu'Israël, dall'Isis, un'ulteriore) are words of their
# own, so that the name after them is found. English contractions (don't, o'clock, Kata'ib) are not among them.
ELIDED_WORDS = r"(?i:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|dell|dall|nell|sull|all|coll|quell|un|anch)"
ELIDED = rf"(?<![\w'’]){ELIDED_WORDS}"
RUN = rf"{_W}+(?:[{_APOSTROPHES}]{_W}+)*"  # a word of WORD when no elided word starts it
WORD = re.compile(rf"{ELIDED}(?=[{_APOSTROPHES}]{_W})|{RUN}")  # l'Irak: `l`, `Irak`
# Hard-wrapped copy: a soft hyphen (U+00AD) anywhere in a word, or a hyphen at a line end before a small
# letter (Solei-⏎mani, bal-⏎listic), is inside the word; `unwrap_word` takes them out. A hyphen at a line
# end before a capital stays a hyphen (al-⏎Muhandis). Spans stay those of the original text.
# A hyphen at a line end before a small letter cuts a word (Ira-⏎nian), unless what follows is a word that ends
# compounds (Iran-⏎backed, Tehran-⏎based, US-⏎led): that hyphen is the compound's own.
COMPOUND_ENDS = (
    "backed based led born style aligned affiliated funded sponsored linked allied made owned controlled run held friendly leaning "
    "bound era type class like related trained armed supported inspired"
).split()
_JOIN = "(?:\xad+|-\r?\n\xad*(?=[a-zß-ÿ\u0430-\u045f])(?!(?:" + "|".join(COMPOUND_ENDS) + r")\b))"  # \xad* after the line end: matching/layout.close_indented_cuts
WRAPPED_WORD = re.compile(rf"{ELIDED}(?=[{_APOSTROPHES}]{_W})|{_W}+(?:(?:[{_APOSTROPHES}]|{_JOIN}){_W}+)*")
_JOINS = re.compile(_JOIN)


def is_wrapped(text: str) -> bool:
    """Whether a text may hold a word cut by a soft hyphen or by a hyphen at a line end (a quick test)."""
    return "\xad" in text or "-\n" in text or "-\r\n" in text


def unwrap_word(word: str) -> str:
    """A word of WRAPPED_WORD as it would be written on one line: soft hyphens and line-end hyphens out."""
    return _JOINS.sub("", word) if is_wrapped(word) else word
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]+")
# Spans that are not prose: links, e-mail addresses, file names, model numbers (KH-101, MQ-9; not an aircraft's type, F-35).
# Possessive quantifiers (++) keep the scan linear; each kind is only looked for when its mark is there.
URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_FILE_EXT = r"\.(?:csv|pdf|txt|docx?|xlsx?|jpe?g|png|gif|zip|json|xml|html?)\b"
_Blanks = tuple[tuple[tuple[str | re.Pattern[str], ...], re.Pattern[str]], ...]  # (quick tests, all passed, the full pattern)
# None of them holds a space: the matcher blanks them chunk by chunk (between spaces), the same.
# Links and e-mail addresses: a one-character test first (`in` finds those fastest).
_LINKS: _Blanks = (
    ((":", "://"), URL),
    (("www.",), URL),
    (("WWW.",), URL),
    (("@",), re.compile(r"(?<!\S)[^\s@]++@\S+")),
)
_AIRCRAFT = r"(?:F|FA|A|AC|AV|EA|B|Su|MiG|Tu)-\d{1,3}[A-Z]{0,2}s?"  # a combat aircraft's type (F-16s, F-15E, B-52): prose, not a model number
# File names and model numbers.
_NAMES: _Blanks = (
    ((re.compile(r"\.[CDGHJPTXZcdghjptxz]"), re.compile(_FILE_EXT, re.I)), re.compile(r"(?<![\w-])[\w-]++" + _FILE_EXT, re.I)),
    ((re.compile(r"-\d"),), re.compile(r"(?<!\w)(?!" + _AIRCRAFT + r"(?![\w-]))\w++-\d[\w-]*+")),
)


def _blank(text: str, blanks: _Blanks) -> str:
    for marks, pattern in blanks:
        if all((mark in text) if isinstance(mark, str) else mark.search(text) for mark in marks):
            text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


_ANY_LINK = re.compile(r"://|www\.|WWW\.|@")  # one of `_LINKS`' quick tests passes only if this is found
_ANY_NAME = re.compile(r"\.[CDGHJPTXZcdghjptxz]|-\d")  # the same for `_NAMES`


def blank_non_prose(text: str) -> str:
    """The text with links, e-mail addresses, file names and model numbers (KH-101, F-35) blanked (same length)."""
    if _ANY_LINK.search(text):
        text = _blank(text, _LINKS)
    return _blank(text, _NAMES) if _ANY_NAME.search(text) else text


_POSSESSIVE = re.compile(rf"[{_APOSTROPHES}]s$", re.I)
# The gap between two sentences: after . ! ? (and closing quotes) before a capital, or a blank line.
_ABBREVIATIONS = ("Mr", "Ms", "Dr", "St", "Lt", "Mrs", "Gen", "Col", "Sgt", "Maj", "Capt", "Brig", "Gov", "Sen", "Rep", "Prof", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov", "Dec", "No", "vs")
_NOT_AN_END = "".join(  # one lookbehind per abbreviation length (U.S., Gen., J. Smith)
    rf"(?<!\b(?:{'|'.join(a for a in _ABBREVIATIONS if len(a) == n)})\.)" for n in sorted({len(a) for a in _ABBREVIATIONS})
) + r"(?<!\b[A-Z]\.)"
# It opens with a character class, so `re` skips straight to the candidates: . ! ? or a newline.
# The gap is group 1 after . ! ?, else the whole match (a blank line, or a newline before a list item).
_SENTENCE_GAP = re.compile(
    r"[.!?\n](?:(?<=[.!?])" + _NOT_AN_END + r"[\"'”’)\]]*(\s+)(?=[\"'“‘(\[]*[A-Z0-9\u0600-\u06FF\u0400-\u04FF])|(?<=\n)\s*\n|(?<=\n)(?=\s*[-*•]))"
)


@dataclass(frozen=True)
class Token:
    """A word of the original text: its normal form and where it stands."""

    norm: str
    start: int
    end: int
    text: str
    matchable: bool = True


_FOLD_CACHED = 100  # characters: longer words (rare, or hostile) are folded each time, never cached


def fold(text: str) -> str:
    """Normal form of one word: NFKC, case-folded, Latin accents stripped, apostrophes dropped.

    NFKC can turn one character into several words (¼ -> 1⁄4); those come out space-separated.
    """
    return _cached_fold(text) if len(text) <= _FOLD_CACHED else _fold(text)


def _fold(text: str) -> str:
    text = _POSSESSIVE.sub("", text)  # apostrophes go first: NFKC turns ´ into a space and an accent
    text = "".join(c for c in text if c not in _APOSTROPHES)
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) and c not in _APOSTROPHES)
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", stripped)))


_cached_fold = lru_cache(maxsize=100_000)(_fold)


class _Dropped(dict[int, int | None]):
    """A `str.translate` table dropping combining marks and apostrophes, filled per character met."""

    def __missing__(self, code: int) -> int | None:
        c = chr(code)
        kept = None if unicodedata.combining(c) or c in _APOSTROPHES else code
        self[code] = kept
        return kept


_DROPPED = _Dropped()
_NO_APOSTROPHES = str.maketrans("", "", _APOSTROPHES)
_LINE_POSSESSIVE = re.compile(rf"[{_APOSTROPHES}]s$", re.I | re.M)
_LINE_GAPS = re.compile(r"(?:[^\w\n]|_)+")  # between the words of a fold, within one line
_LINE_EDGES = re.compile(r"^ | $", re.M)


def fold_many(words: list[str]) -> list[str]:
    """`[fold(w) for w in words]`, worked out on all the words at once by C-level string operations
    (one line per word: NFKC, case folding and accent stripping act within a line). No word may hold
    a line break (`unwrap_word` first)."""
    if not words:
        return []
    joined = "\n".join(words)
    if any(a in joined for a in _APOSTROPHES):  # else both steps leave it as it is
        joined = _LINE_POSSESSIVE.sub("", joined).translate(_NO_APOSTROPHES)
    joined = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", joined).casefold()).translate(_DROPPED)
    joined = unicodedata.normalize("NFC", joined)
    if not joined.replace("\n", "").isalnum():  # a character neither `\w` nor a line break, or `_`: gaps to close
        joined = _LINE_EDGES.sub("", _LINE_GAPS.sub(" ", joined))  # (`\w` is `isalnum` or `_`; the regexes cost 70 % of a fold)
    return joined.split("\n")


def tokenize(text: str) -> list[Token]:
    """Split a text into tokens with spans; digits, links, addresses and file names are not matchable."""
    text = unicodedata.normalize("NFC", text)
    blanked = blank_non_prose(text)
    tokens = []
    for m in WORD.finditer(text):
        start, end = m.span()
        word = m.group()
        prose = blanked[start] != " " or text[start] == " "
        tokens.append(Token(fold(word), start, end, word, prose and not _DIGIT.search(word)))
    return tokens


_RUN_ONLY = re.compile(rf"{_W}+")  # WORD where no apostrophe is: neither an elided word nor a run across one can be


def normalise(text: str) -> str:
    """The whole text as space-separated normal forms (idempotent): the `norm`s of its tokens, folded all at once
    (`fold_many`: as fast as the fold cache's hits, and no slower for new words, which the cache would keep)."""
    text = unicodedata.normalize("NFC", text)
    words = (WORD if any(a in text for a in _APOSTROPHES) else _RUN_ONLY).findall(text)  # the plain regex: 4x faster
    return " ".join(filter(None, fold_many(words)))


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a text."""
    bounds, start = [], 0
    for m in _SENTENCE_GAP.finditer(text):
        gap_start, gap_end = m.span(1) if m.start(1) >= 0 else m.span()
        bounds.append((start, gap_start))
        start = gap_end
    bounds.append((start, len(text)))
    return [(a, b) for a, b in bounds if text[a:b].strip()]


_IN_GAP = frozenset(".!?\"'”’)]")  # the characters a sentence gap holds, besides whitespace


LONG_TEXT = 20_000  # characters past which a text's sentences are found once and kept (`_bounds_of`)


@lru_cache(maxsize=2)
def _bounds_of(text: str) -> list[tuple[int, int]]:
    """`sentence_bounds` of the last long texts asked about: a hostile text of thousands of matches in one
    sentence without end made each `sentence_of` a search of the whole text."""
    return sentence_bounds(text)


def sentence_of(text: str, pos: int) -> tuple[int, int]:
    """The span of the sentence of `sentence_bounds` that holds a position (or the last one starting
    before it). Found from a little before the position when it cannot be inside a sentence gap, as a
    search from outside the gaps finds the same gaps after it; in a long text, from its sentences found once."""
    if len(text) > LONG_TEXT:
        bounds = _bounds_of(text)
        return bounds[max(0, bisect_right(bounds, (pos, sys.maxsize)) - 1)]
    if pos < len(text) and not text[pos].isspace() and text[pos] not in _IN_GAP:
        back = 256
        while True:
            q = max(0, pos - back)
            while q > 0 and (text[q].isspace() or text[q] in _IN_GAP):
                q -= 1
            start, end = (0 if q == 0 else -1), len(text)  # -1: the sentence may start before q
            for m in _SENTENCE_GAP.finditer(text, q):
                gap_start, gap_end = m.span(1) if m.start(1) >= 0 else m.span()
                if gap_start > pos:
                    end = gap_start
                    break
                start = gap_end
            if start >= 0:
                return start, end
            back *= 4
    bounds = sentence_bounds(text)
    return bounds[max(0, bisect_right(bounds, (pos, sys.maxsize)) - 1)]


def crosses_sentence(text: str, start: int, end: int) -> bool:
    """Whether a sentence gap (of `sentence_bounds`) lies between two positions of a text."""
    return _SENTENCE_GAP.search(text, start, end) is not None


def sentence_keys(text: str, positions: list[int]) -> list[int]:
    """Per position, a key that equals another's when both stand in the same sentence: where the next
    sentence gap starts, found from the position (the same gaps as `sentence_bounds` finds from the
    start, as the position cannot be inside one); if a position may be in a gap, its sentence's index."""
    if all(p < len(text) and not text[p].isspace() and text[p] not in _IN_GAP for p in positions):
        if len(text) > LONG_TEXT:  # the first gap starting at or after each, of the gaps found once
            gaps = _gap_starts(text)
            return [gaps[i] if (i := bisect_left(gaps, p)) < len(gaps) else len(text) for p in positions]
        return [m.start() if (m := _SENTENCE_GAP.search(text, p)) else len(text) for p in positions]
    starts = [a for a, _ in (_bounds_of(text) if len(text) > LONG_TEXT else sentence_bounds(text))]
    return [bisect_right(starts, p) - 1 for p in positions]


@lru_cache(maxsize=2)
def _gap_starts(text: str) -> list[int]:
    """Where each sentence gap of the last long texts asked about starts: a search for the next gap from each of
    thousands of matches in one sentence without end read the rest of the text each time."""
    return [m.start() for m in _SENTENCE_GAP.finditer(text)]


_VOWEL_RUN = re.compile(r"[aeiouy]+")
_DOUBLE = re.compile(r"(.)\1+")
_TRANSLIT = (("kh", "h"), ("gh", "k"), ("q", "k"), ("c", "k"), ("ou", "u"), ("ph", "f"), ("w", "u"), ("dh", "d"), ("th", "t"), ("z", "s"), ("j", "y"))


@lru_cache(maxsize=100_000)
def skeleton(norm: str) -> str:
    """Transliteration folding for names of Arabic and Persian origin.

    Qasem/Qassem/Qasim/Ghasem/Kassem all become `kasam`; Hezbollah/Hizballah/Hizbullah become
    `hasbalah`. Only Latin letters are folded; other scripts pass through unchanged.
    """
    out = norm
    for a, b in _TRANSLIT:
        out = out.replace(a, b)
    out = _DOUBLE.sub(r"\1", out)
    return _VOWEL_RUN.sub("a", out)


def skeleton_many(norms: list[str]) -> list[str]:
    """`[skeleton(n) for n in norms]` on all at once (one line each: no rule crosses a line break)."""
    if not norms:
        return []
    out = "\n".join(norms)
    for a, b in _TRANSLIT:
        out = out.replace(a, b)
    for c in set(_DOUBLE.findall(out)):  # `_DOUBLE.sub(r"\1", out)` without a Python call per run: each doubled character's runs made one
        double = c + c
        while double in out:
            out = out.replace(double, c)
    return _VOWEL_RUN.sub("a", out).split("\n")
