"""Story clusters: syndicated copies of one wire story join one cluster (pure: no I/O, no clock).

A text is the set of word 3-grams of its normalised form (`normalise`), each hashed to 32 bits;
its signature is a MinHash of that set (128 permutations, fixed seed, datasketch's `affine32`
scheme) stored as 512 little-endian bytes, and its length is the number of distinct shingles.
The store persists both and rebuilds the index from them on start.

Copies cut to the first 30 % of a story have a Jaccard similarity of only about 0.25 with it, so
two articles belong to one story when the *containment* of the shorter in the longer is high:
estimated from the MinHash Jaccard J and the two lengths a <= b as J * (a + b) / ((1 + J) * a).
Thresholds, measured on tests/data/stories/corpus.jsonl (pairwise precision P and recall R of the
clustering; the spread is over 30 other seeds, since the estimate is what varies):

- CONTAINMENT = 0.5. Exact containment: same-story pairs 0.46-1.0, distinct-but-similar stories
  (same place and actors, a shared background paragraph) at most 0.38. Estimated: at 0.5 P >= 0.985
  and R >= 0.98 on every seed; 0.4 drops P to 0.905, 0.6 drops R to 0.935.
- MIN_JACCARD = 0.08 (10 of 128 slots agree): below that the estimate is noise, and a tiny text
  would be "contained" in a long one by chance. MIN_LENGTH = 8 shingles: shorter texts never join.
- Candidates come from a MinHashLSH of BANDS bands of 2 rows, which finds a pair of Jaccard J with
  probability 1 - (1 - J^2)^BANDS (0.86 at J = 0.2, 0.97 at J = 0.27). Mean (worst) R over the
  seeds: 24 bands 0.965 (0.89), 32 bands 0.981 (0.94), 48 bands 0.996 (0.97), 64 bands 0.997 (0.98);
  rows of 3 lose a tenth of the pairs; one row floods every query with the articles that share a
  common phrase ("said in a statement"). Memory grows with the bands: ~330 bytes per band per
  article in datasketch's dict storage, so 48 bands cost ~16 KB per article (bench/dedup.py).
  MinHashLSHEnsemble answers containment directly but indexes only once (no add, no remove), so
  it cannot serve a live index.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from monitor.matching.normalise import normalise

NUM_PERM = 128
SEED = 20240611
SCHEME = "affine32"  # datasketch >= 2.0; persisted signatures depend on it
SIGNATURE_BYTES = NUM_PERM * 4
SHINGLE_WORDS = 3
BANDS = 48
ROWS = 2
CONTAINMENT = 0.5
MIN_JACCARD = 0.08
MIN_LENGTH = 8

_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def _identity(value: int) -> int:
    return value


def shingles(normalised: str) -> set[int]:
    """The 32-bit hashes (CRC-32) of the word 3-grams of a text already through `normalise`."""
    words = normalised.split()
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode())
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def sketch_normalised(normalised: str) -> tuple[bytes, int]:
    """`sketch` of a text already through `normalise` (the pipeline normalises for the content hash too)."""
    hashes = shingles(normalised)
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity, permutations=_PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch(list(hashes))
    return minhash.hashvalues.astype("<u4").tobytes(), len(hashes)


def sketch(text: str) -> tuple[bytes, int]:
    """The text's signature and its length (number of distinct shingles), computed once."""
    return sketch_normalised(normalise(text))


def signature(text: str) -> bytes:
    """The MinHash of the text's shingles as 512 bytes (128 little-endian uint32)."""
    return sketch(text)[0]


def _values(signature: bytes) -> np.ndarray:
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError(f"a story signature has {SIGNATURE_BYTES} bytes, not {len(signature)}")
    return np.frombuffer(signature, dtype="<u4")


def containment(jaccard: float, length: int, other_length: int) -> float:
    """Estimated share of the shorter set's shingles that the longer one contains."""
    shorter = min(length, other_length)
    return min(1.0, jaccard * (length + other_length) / ((1 + jaccard) * shorter)) if shorter else 0.0


@dataclass(frozen=True, slots=True)
class _Entry:
    story_id: int
    signature: bytes
    length: int


class StoryIndex:
    """Earlier articles by signature: which story does a new article belong to?

    Article ids are the store's (increasing with arrival), so dropping the articles older than a
    time window is `remove_before(first id inside the window)`. Adding an id twice replaces it.
    """

    def __init__(self, bands: int = BANDS) -> None:
        self._lsh = MinHashLSH(num_perm=NUM_PERM, params=(bands, ROWS))
        self._entries: dict[int, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def add(self, article_id: int, story_id: int, signature: bytes, length: int) -> None:
        """Remember an article and its story; texts under MIN_LENGTH shingles are not indexed."""
        self.remove(article_id)
        values = _values(signature)
        if length < MIN_LENGTH:
            return
        self._entries[article_id] = _Entry(story_id, bytes(signature), length)
        self._lsh.insert(article_id, LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME), check_duplication=False)

    def find(self, signature: bytes, length: int) -> int | None:
        """The story of the earlier article that overlaps this one most, or None.

        Overlap is the containment of the shorter text in the longer; it must reach CONTAINMENT.
        """
        values = _values(signature)
        if length < MIN_LENGTH or not self._entries:
            return None
        best: tuple[float, float, int] | None = None  # containment, Jaccard, earliest article first
        story_id = None
        for article_id in self._lsh.query(LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)):
            entry = self._entries[article_id]
            jaccard = float(np.count_nonzero(_values(entry.signature) == values)) / NUM_PERM
            score = containment(jaccard, length, entry.length)
            key = (score, jaccard, -article_id)
            if jaccard >= MIN_JACCARD and score >= CONTAINMENT and (best is None or key > best):
                best, story_id = key, entry.story_id
        return story_id

    def remove(self, article_id: int) -> None:
        """Forget an article (no error when it is not there)."""
        if self._entries.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def remove_before(self, article_id: int) -> int:
        """Forget every article with a smaller id; returns how many were dropped."""
        old = [a for a in self._entries if a < article_id]
        for a in old:
            self.remove(a)
        return len(old)
