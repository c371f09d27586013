"""Spelling conventions of the languages the matcher reads, as regex pieces for the tokeniser (pure data).

ELIDED: the French and Italian words that lose their vowel before a word starting with one and are
written joined to it by an apostrophe (l'Irak, d'Erbil, qu'Israël, dall'Isis, un'ulteriore): they are
words of their own, so that the name after them is found. English contractions (don't, o'clock,
Kata'ib as written) are not among them.
"""

from __future__ import annotations

ELIDED = r"(?<![\w'’])(?i:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|dell|dall|nell|sull|all|coll|quell|un|anch)"
