"""Stems of event words: Snowball (through PyStemmer) for English, French, Spanish, Italian and German.

A phrase is stemmed in English, and also in each other language it shows a sign of (a letter such as
é, ñ, ß, or a function word such as `le`, `los`, `della`, `der`); its stop words (articles,
prepositions, auxiliaries of its languages) are not needed to match it. A word of a text takes the
first of its stems (English first) that some phrase has. Snowball meets inflections and the common
derivations (deploy, deployed, deploying, deployment -> `deploy`; kill, killed, killing -> `kill`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import Stemmer

LANGUAGES = ("english", "french", "spanish", "italian", "german")  # the order a text word's stems are tried in
_STEMMERS = {language: Stemmer.Stemmer(language) for language in LANGUAGES}
_LOCK = threading.Lock()  # a PyStemmer object is not safe to share between threads

# Letters and function words that show a phrase is (also) in a language other than English.
_MARK_LETTERS = {"french": "àâçèéêëîïôœùûÿ", "spanish": "ñáéíóú¿¡", "italian": "àèéìíòóù", "german": "äöüß"}
_MARK_WORDS = {
    "french": {"le", "la", "les", "une", "des", "de", "du", "au", "aux", "et", "sur", "par", "contre", "dans", "pour", "avec"},
    "spanish": {"el", "los", "las", "del", "de", "una", "unos", "unas", "y", "con", "contra", "por", "para"},
    "italian": {"il", "lo", "gli", "della", "dello", "degli", "delle", "di", "dei", "nel", "nella", "con", "per", "su", "contro"},
    "german": {"der", "das", "den", "dem", "ein", "eine", "einen", "einem", "einer", "und", "mit", "von", "gegen", "auf", "im", "zu"},
}
# Words a phrase does not need (folded: no accents). Never particles that change a verb (down, up, off, out).
STOP_WORDS = {
    "english": {
        "a", "an", "the", "of", "by", "to", "in", "on", "at", "for", "from", "with", "into", "onto", "and", "or",
        "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "that", "which", "who", "its",
        "it", "their", "his", "her", "this", "these", "those", "as",
    },
    "french": {"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "et", "a", "en", "sur", "par", "dans", "pour", "avec"},
    "spanish": {"el", "la", "los", "las", "un", "una", "unos", "unas", "del", "de", "al", "a", "y", "en", "con", "por", "para"},
    "italian": {"il", "lo", "la", "i", "gli", "le", "un", "una", "di", "da", "della", "dello", "degli", "delle", "dei", "del", "nel", "nella", "e", "a", "in", "con", "per", "su"},
    "german": {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "und", "mit", "von", "zu", "im", "in", "auf"},
}


# English irregular verb forms Snowball leaves apart from their verb (struck is not strike): read as the
# verb, so "drones struck" is the words of `drone strike` and "swore vengeance" of `swear vengeance`. Only
# forms that are no other common word (not "left", "found", "saw", "wound").
IRREGULAR = {
    "struck": "strike", "stricken": "strike", "shot": "shoot", "fought": "fight", "swore": "swear", "sworn": "swear",
    "slew": "slay", "slain": "slay", "fled": "flee", "flew": "fly", "flown": "fly", "fell": "fall", "fallen": "fall",
    "threw": "throw", "thrown": "throw", "blew": "blow", "blown": "blow", "broke": "break", "broken": "break",
    "sent": "send", "brought": "bring", "took": "take", "taken": "take", "held": "hold", "shook": "shake",
    "stole": "steal", "stolen": "steal", "bled": "bleed", "beat": "beat", "beaten": "beat", "overran": "overrun",
    "began": "begin", "begun": "begin", "drove": "drive", "driven": "drive", "rode": "ride", "withdrew": "withdraw",
    "withdrawn": "withdraw", "undertook": "undertake", "forbade": "forbid", "forbidden": "forbid", "spoke": "speak",
    "spoken": "speak", "chose": "choose", "chosen": "choose", "froze": "freeze", "frozen": "freeze", "sought": "seek",
"bore": "bear", "borne": "bear", "hid": "hide", "hidden": "hide", "rose": "rise", "risen": "rise",
}
# Words Snowball cuts down to another common word's stem, kept apart: an author is no authority (an "American
# author" is no word of the state, as "American authorities" is).
IRREGULAR |= {"authority": "authorit", "authorities": "authorit"}
# Nor is the one responsible (for an attack, claimed or blamed) a response, a word of retaliation.
IRREGULAR |= {word: "responsib" for word in ("responsible", "responsibly", "responsibility", "responsibilities")}
# Nor is an escalator (a moving staircase) an escalation (Snowball cuts both to "escal"; "escalatr" is its own stem).
IRREGULAR |= {"escalator": "escalatr", "escalators": "escalatr"}

_FUNCTION_WORDS = frozenset().union(*STOP_WORDS.values())
FUNCTION_STEM = "\x00"  # a function word's stem marks it: it is the same word in every language, never a content word's stem


def stem(norm: str, language: str = "english") -> str:
    """The Snowball stem of a normal form (lower case, no accents) in a language. A function word of any
    of the languages is its own stem, marked: German `die` is not English `died`, French `a` not `as`."""
    if norm in _FUNCTION_WORDS:
        return FUNCTION_STEM + norm
    if language == "english":
        norm = IRREGULAR.get(norm, norm)
    with _LOCK:
        stemmed: str = _STEMMERS[language].stemWord(norm)
    return stemmed


def languages_of(words: Iterable[str]) -> tuple[str, ...]:
    """The languages a phrase (its words as written) is stemmed in: English, and each it shows a sign of."""
    words = [w.casefold() for w in words]
    found = ["english"]
    for language in LANGUAGES[1:]:
        if any(c in _MARK_LETTERS[language] for w in words for c in w) or any(w in _MARK_WORDS[language] for w in words):
            found.append(language)
    return tuple(found)


def stems_of(norm: str, languages: Iterable[str]) -> tuple[str, ...]:
    """The word's stems in those languages, each once (English's first)."""
    return tuple(dict.fromkeys(stem(norm, language) for language in languages))


def is_stop_word(norm: str, languages: Iterable[str]) -> bool:
    return any(norm in STOP_WORDS[language] for language in languages)


_BATCH_STEMMERS = {language: Stemmer.Stemmer(language, 0) for language in LANGUAGES}  # no cache: words come once each


def stem_many(norms: list[str], language: str = "english") -> list[str]:
    """`[stem(n, language) for n in norms]` in one call to the stemmer (function words marked as `stem` marks them)."""
    return [FUNCTION_STEM + n if n in _FUNCTION_WORDS else s for n, s in zip(norms, snowball_many(norms, language))]


FUNCTION_WORDS = _FUNCTION_WORDS  # the words `stem` marks (FUNCTION_STEM + the word) instead of stemming


def snowball_many(norms: list[str], language: str = "english") -> list[str]:
    """The Snowball stems of many normal forms in one call (English irregular verbs as their verb, as `stem`
    reads them); function words NOT marked (`stem_many` marks them)."""
    words = list(map(IRREGULAR.get, norms, norms)) if language == "english" else norms
    with _LOCK:
        stemmed: list[str] = _BATCH_STEMMERS[language].stemWords(words)
    return stemmed
