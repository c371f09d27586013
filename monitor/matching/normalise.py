"""The text normalisation of `monitor.text_norm`, under its former name (matching modules import it)."""

from monitor.text_norm import (
    LONG_TEXT,
    URL,
    WORD,
    WRAPPED_WORD,
    Token,
    blank_non_prose,
    crosses_sentence,
    fold,
    fold_many,
    is_wrapped,
    normalise,
    sentence_bounds,
    sentence_keys,
    sentence_of,
    skeleton,
    skeleton_many,
    tokenize,
    unwrap_word,
)

__all__ = [
    "LONG_TEXT", "URL", "WORD", "WRAPPED_WORD", "Token", "blank_non_prose", "crosses_sentence", "fold", "fold_many", "is_wrapped",
    "normalise", "sentence_bounds", "sentence_keys", "sentence_of", "skeleton", "skeleton_many", "tokenize", "unwrap_word",
]
