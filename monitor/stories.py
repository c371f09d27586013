"""Story clusters: syndicated copies of one wire story join one cluster (pure: no I/O, no clock).

A text is the set of word 3-grams of its normalised form (`normalise`), each hashed to 32 bits
(CRC-32); its signature is a MinHash of that set, 128 permutations with a fixed seed, stored as 512
little-endian bytes, and its length is the number of distinct shingles. The store persists both
and rebuilds the index from them on start. The MinHash is datasketch 2.0's `affine32` scheme
computed here in numpy, byte for byte (tests/test_stories.py compares the two; datasketch is a
test dependency only): each hash goes through the MurmurHash3 32-bit finalizer, then
h -> a * h + b mod 2^32 with a odd, the (a, b) drawn as datasketch draws them from
`numpy.random.RandomState(SEED)`, whose stream NumPy keeps fixed. The ingest path sketches the text it
normalised for the content hash (`dedup.to_article`'s `Article.normalised`), all of a feed's new
articles at once (`sketches`: one numpy mix, then a slice of permutations per text): ~0.06 ms of CPU per
story-corpus article on its own (bench/dedup.py); in the ingest loop, between matcher and SQLite, 0.11-0.14
ms one at a time and 0.06 ms in a feed's batch (bench/ingest_profile.py). A cheaper scheme (one-permutation
hashing) would save at most ~0.02 ms and would make every stored signature stale; this one stays.

Copies cut to the first 30 % of a story have a Jaccard similarity of only about 0.25 with it, so
two articles belong to one story when the *containment* of the shorter in the longer is high:
estimated from the MinHash Jaccard J and the two lengths a <= b as J * (a + b) / ((1 + J) * a).
Thresholds, measured on tests/data/stories/corpus.jsonl (pairwise precision P and recall R of the
clustering: 1.0 and 1.0 with SEED; the spread is over seeds 1-30, since the estimate is what
varies; `bench/dedup.py --seeds 30`):

- CONTAINMENT = 0.5. Exact containment: same-story pairs 0.46-1.0, distinct-but-similar stories
  (same place and actors, a shared background paragraph) at most 0.38. Estimated, at 0.5: P mean
  0.9995, worst 0.985; R mean 0.998, worst 0.980. At 0.4 P falls to 0.80 on the worst seed (mean
  0.971); at 0.6 R falls to 0.94 (mean 0.975).
- MIN_JACCARD = 0.08 (11 of 128 slots agree): below that the estimate is noise, and a tiny text
  would be "contained" in a long one by chance. MIN_LENGTH = 8 shingles: shorter texts never join.
- The index finds the stored articles that share slots with a new signature without reading the
  others: one key per (slot, value, row) in a sorted uint64 array (1 KB per article, ~1.3 KB with
  the spare room and the rows' id, story, length and time; 512 bytes before), searched through a
  fence of every 64th key (cache-resident) and one block of 64 keys per query, gathered at once.
  The rows' agreements are counted from the keys found, so every row with at least one agreeing slot
  is counted exactly (a row with none cannot pass MIN_JACCARD): the same candidates, scores and
  answers as the scan of every signature it replaces (issue 21; `test_index_answers_as_the_rule_...`
  checks it through random adds and removals). The latest rows (up to _TAIL) are compared slot by slot until the
  tail is merged into the keys, in place. Real text shares few slots with unrelated articles, so a
  find costs about the same at 5,000 or 100,000 articles; synthetic text with common phrases
  (bench/dedup.py) shares more. No candidate is missed, unlike the MinHashLSH of 48 bands of 2 rows
  used before the scan (mean R 0.996, worst 0.97 over the seeds; ~16 KB per article).

Joins are bounded in time: look-alike reports of a recurring incident (same place, same wording,
other numbers and date) overlap as much as copies do, so a copy joins a story only when its time
(`article_time`: published when plausible, else fetched) lies within `within` (`[stories]
join_within`) of the story's span of article times, in the index, from its first to its latest
article, unless it is nearly identical to one of its articles (`joins`):

- NEAR_COPY = 0.9, on the MinHash Jaccard estimate. On the corpus, full-text copies with a new
  headline and byline (`wire`) estimate 0.88-0.97 (exact 0.90-0.95), reworded ones 0.91-0.95,
  reordered 0.85-0.95; trimmed and cut copies at most 0.84, distinct-but-similar stories at most
  0.26. At 0.9 a wire copy re-posted late joins (10 of 13; the three below start a story and alert
  again, the safe side), a trimmed one does not; lower, the recurring report whose numbers changed
  comes closer (three changed numbers in 100 words: Jaccard ~0.84), and a lost alert is worse than
  a repeated one.

(Over 300 lines: the sketch and the index that compares signatures share one layout of the signature
bytes; apart, each would restate it.)
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain

import numpy as np

from monitor import permutations
from monitor.text_norm import normalise

NUM_PERM = 128
SEED = permutations.SEED
SCHEME = "affine32"  # datasketch >= 2.0's name for it; persisted signatures depend on it
SIGNATURE_BYTES = NUM_PERM * 4
SHINGLE_WORDS = 3
CONTAINMENT = 0.5
MIN_JACCARD = 0.08
MIN_LENGTH = 8
NEAR_COPY = 0.9
PUBLISHED_AHEAD = timedelta(days=1)  # a published time later than this after fetching is not believed
PUBLISHED_FLOOR = datetime(2000, 1, 1, tzinfo=UTC)  # nor one before this (epoch-zero dates of broken feeds)

_EMPTY = np.uint32(0xFFFFFFFF)  # the value of every slot of an empty set
_CHUNK = 1024  # shingles permuted at once (a 512 KB temporary)
_BATCH = 16384  # shingles of several texts mixed at once (`sketches`)
_MIN_ROWS = 256
_crc32 = zlib.crc32


def _permutations(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of datasketch's affine32 permutations for NUM_PERM and a seed (SEED's are written
    out in `monitor.permutations`, so that the daemon need not import numpy.random)."""
    import numpy.random

    rng = numpy.random.RandomState(seed)
    a = rng.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = rng.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = np.array(permutations.A, dtype=np.uint32), np.array(permutations.B, dtype=np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer (a bijection), element-wise, wrapping in uint32."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> np.uint32(16))
    return mixed


def shingles(normalised: str) -> set[int]:
    """The 32-bit hashes (CRC-32) of the word 3-grams of a text already through `normalise`."""
    words = normalised.split()  # the 3-grams are joined, encoded and hashed in C (map), not one by one in Python
    return set(map(_crc32, map(str.encode, map(" ".join, zip(words, words[1:], words[2:])))))


def _minimums(mixed: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Lower `values` (NUM_PERM) to the minimum permuted value of each slot over hashes already mixed."""
    for start in range(0, len(mixed), _CHUNK):
        permuted = mixed[start : start + _CHUNK, None] * _A
        permuted += _B
        np.minimum(values, permuted.min(axis=0), out=values)
    return values


def minhash(hashes: Collection[int]) -> np.ndarray:
    """The NUM_PERM minimum permuted values of a set of 32-bit hashes (all 2^32 - 1 when empty)."""
    return _minimums(_fmix32(np.array(list(hashes), dtype=np.uint32)), np.full(NUM_PERM, _EMPTY, dtype=np.uint32))


def sketch_normalised(normalised: str) -> tuple[bytes, int]:
    """`sketch` of a text already through `normalise` (the pipeline normalises for the content hash too)."""
    hashes = shingles(normalised)
    return minhash(hashes).astype("<u4").tobytes(), len(hashes)


def sketches(normalised: Iterable[str]) -> list[tuple[bytes, int]]:
    """`sketch_normalised` of each of several texts (a feed's new articles), the same bytes: the hashes
    of up to _BATCH shingles' worth of texts at a time are mixed in one numpy call, and each text's are
    permuted on their own slice (so memory stays that of one text's sketch, however big the feed)."""
    out: list[tuple[bytes, int]] = []
    group: list[set[int]] = []
    size = 0
    for text in normalised:
        hashes = shingles(text)
        if group and size + len(hashes) > _BATCH:
            out += _sketch_group(group, size)
            group, size = [], 0
        group.append(hashes)
        size += len(hashes)
    return out + _sketch_group(group, size)


def _sketch_group(sets: list[set[int]], size: int) -> list[tuple[bytes, int]]:
    mixed = _fmix32(np.fromiter(chain.from_iterable(sets), dtype=np.uint32, count=size))
    out, start = [], 0
    for hashes in sets:
        values = _minimums(mixed[start : start + len(hashes)], np.full(NUM_PERM, _EMPTY, dtype=np.uint32))
        out.append((values.astype("<u4").tobytes(), len(hashes)))
        start += len(hashes)
    return out


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


_ROW_BITS = 25  # a key: slot (7 bits) | slot value (32) | row (25): one uint64, sorted by slot, value, row
_ROW_MASK = np.uint64((1 << _ROW_BITS) - 1)
_SLOTS = np.arange(NUM_PERM, dtype=np.uint64) << np.uint64(32 + _ROW_BITS)
_TAIL = 512  # rows added since the keys were last sorted, compared slot by slot (a 256 KB matrix)
_FENCE = 64  # every 64th key is in a small array searched first (cache-resident), then a block of 64 keys
_MIN_AGREE = next(k for k in range(NUM_PERM + 1) if k / NUM_PERM >= MIN_JACCARD)  # slots that must agree (11)
_NONE = np.uint64(2**64 - 1)  # the keys array past its keys (row _ROW_MASK of slot 127: no row has that number)
_MOVE = 16384  # keys moved at once when merging or packing (128 KB temporaries)
_FEW = 8  # candidate rows (or stories) ranked in plain Python, one story at a time
# Rows a find reads of one slot's value: the newest. A flood of near-copies (a feed of 10,000 entries alike but for a
# number) shares every slot's value, and reading every earlier row of each made a poll's finds quadratic (10,000 such
# entries: minutes of the storing thread); the newest _RUN of them find their story as well.
_RUN = 256


def _keys_of(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The sorted keys of signatures (NUM_PERM x n values, one column per row) and their rows."""
    keys = values.astype(np.uint64)  # the one temporary of the size of the result
    keys <<= np.uint64(_ROW_BITS)
    keys |= _SLOTS[:, None]
    keys |= rows.astype(np.uint64)[None, :]
    flat = keys.ravel()
    flat.sort()
    return flat


def _arrays(capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The index's arrays for `capacity` rows: ids, stories and lengths (length 0: a dead row), and times
    (POSIX seconds; NaN: not known)."""
    ids, stories, lengths = (np.zeros(capacity, dtype=np.int64) for _ in range(3))
    return ids, stories, lengths, np.full(capacity, np.nan)


def containment(jaccard: float, length: int, other_length: int) -> float:
    """Estimated share of the shorter set's shingles that the longer one contains."""
    shorter = min(length, other_length)
    return min(1.0, jaccard * (length + other_length) / ((1 + jaccard) * shorter)) if shorter else 0.0


def article_time(published: datetime | None, fetched: datetime) -> datetime:
    """The time an article is placed at for story joins: its published time when there is one and it is
    plausible (from PUBLISHED_FLOOR to PUBLISHED_AHEAD after fetching), else when it was fetched."""
    if published is not None and PUBLISHED_FLOOR <= published <= fetched + PUBLISHED_AHEAD:
        return published
    return fetched


@dataclass(frozen=True)
class Candidate:
    """A story a new article overlaps enough to join, as far as its text goes."""

    story: int
    containment: float  # with its best-matching article
    jaccard: float  # the highest estimated Jaccard with any of its articles
    first: datetime | None  # the earliest and the latest time of its articles in the index (None: not known)
    latest: datetime | None


def joins(candidate: Candidate, at: datetime | None, within: timedelta | None) -> bool:
    """Whether an article at `at` joins the story: a near-identical copy (NEAR_COPY) at any time, any other
    only within `within` of the story's span of times (no bound when a time is not known)."""
    if candidate.jaccard >= NEAR_COPY or at is None or within is None or candidate.first is None or candidate.latest is None:
        return True
    return at - candidate.latest <= within and candidate.first - at <= within


def choose(candidates: Iterable[Candidate], at: datetime | None, within: timedelta | None) -> int | None:
    """The first (best) candidate story the article joins, or None: it starts a story."""
    return next((c.story for c in candidates if joins(c, at, within)), None)


class StoryIndex:
    """Earlier articles by signature: which story does a new article belong to?

    Article ids are the store's (increasing with arrival), so dropping the articles older than a
    time window is `remove_before(first id inside the window)`. Adding an id twice replaces it.
    Each article has a row: an entry of the id, story, length and time arrays, and one key per slot
    (slot, value, row) in a sorted uint64 array, so that the rows agreeing with a new signature on a
    slot are found by binary search (`candidates`), not by comparing every stored signature. The
    latest rows (up to _TAIL) are not in the keys yet: their values are compared slot by slot, and
    merged into the keys, in place, when the tail is full. A removed row is marked dead (length 0)
    and reclaimed, its keys with it, when the arrays are full or when dead rows are more than a
    quarter of the live ones. The keys grow by an eighth (at 5,000 articles 7.0 MB in all, 7.7 by quarters).
    """

    def __init__(self) -> None:
        self._rows: dict[int, int] = {}  # article id -> row
        self._size = 0  # rows in use, live or dead
        self._ids, self._stories, self._lengths, self._times = _arrays(_MIN_ROWS)
        self._keys = np.full(_MIN_ROWS * NUM_PERM, _NONE)  # sorted in [: _nkeys], then _NONE
        self._nkeys = 0
        self._fences = self._keys[:0]  # every _FENCE-th key
        self._sorted = 0  # rows before this have their keys in _keys; the rest are the tail
        self._tail = np.zeros((NUM_PERM, _TAIL), dtype=np.uint32)  # column k: the values of row _sorted + k

    def _merge_tail(self) -> None:
        """Merge the tail's keys into the sorted keys, in place: the old keys move back _MOVE at a time,
        from the end, each by the number of new keys before it, then the new keys go into the gaps."""
        count = self._size - self._sorted
        if not count:
            return
        new = _keys_of(self._tail[:, :count], np.arange(self._sorted, self._size))
        n, m = self._nkeys, new.size
        if n + m + _FENCE > self._keys.size:
            grown = np.full(n + m + (n + m) // 8 + _FENCE, _NONE)
            grown[:n] = self._keys[:n]
            self._keys = grown
        keys = self._keys
        before = np.searchsorted(keys[:n], new)  # old keys before each new one (ascending)
        end = n
        while end > 0:
            start = max(0, end - _MOVE)
            first, last = np.searchsorted(before, (start, end))
            if not last:
                break  # no new key goes before these: they and all before stay where they are
            shift = np.bincount(before[first:last] - start, minlength=end - start)  # new keys right before each old one
            np.cumsum(shift, out=shift)
            shift += first + np.arange(start, end)  # the chunk's new places
            keys[shift] = keys[start:end].copy()
            end = start
        before += np.arange(m)  # where each new key ends up
        keys[before] = new
        self._nkeys, self._sorted = n + m, self._size
        self._fences = keys[: self._nkeys : _FENCE].copy()

    def _pack(self) -> None:
        """Move the live rows, in order, to the front of the arrays, and keep only their keys (renumbered;
        the order of the keys stays): in place, _MOVE keys at a time, so that no second copy of the index
        is made (and kept by malloc until the poll ends)."""
        self._merge_tail()
        if len(self._rows) == self._size:
            return  # no dead row: every row is in its place already
        live = np.fromiter(self._rows.values(), dtype=np.intp, count=len(self._rows))  # ascending
        renumber = np.full(self._size, -1, dtype=np.int64)
        renumber[live] = np.arange(live.size)
        written = 0
        for start in range(0, self._nkeys, _MOVE):
            chunk = self._keys[start : min(start + _MOVE, self._nkeys)]
            rows = renumber[(chunk & _ROW_MASK).astype(np.intp)]
            kept = rows >= 0
            moved = (chunk[kept] & ~_ROW_MASK) | rows[kept].astype(np.uint64)  # a copy: written at or before its place
            self._keys[written : written + moved.size] = moved
            written += moved.size
        self._keys[written : self._nkeys] = _NONE
        self._nkeys = written
        self._fences = self._keys[:written:_FENCE].copy()
        self._ids[: live.size], self._stories[: live.size] = self._ids[live], self._stories[live]
        self._lengths[: live.size], self._times[: live.size] = self._lengths[live], self._times[live]
        self._lengths[live.size : self._size] = 0
        self._size = self._sorted = live.size
        self._rows = {int(article_id): row for row, article_id in enumerate(self._ids[: live.size])}

    def _reallocate(self, rows: int) -> None:
        """Pack the live rows, and give the arrays room for `rows` and half as many again, unless they
        have that room already and at most twice as much (the keys: at most twice what they hold)."""
        self._pack()
        if self._keys.size > max(2 * self._nkeys, _MIN_ROWS * NUM_PERM):
            self._keys = self._keys[: max(self._nkeys + self._nkeys // 4 + _FENCE, _MIN_ROWS * NUM_PERM)].copy()
        capacity = max(_MIN_ROWS, rows + rows // 2)
        if capacity <= len(self._ids) <= 2 * capacity:
            return
        used = slice(0, self._size)
        ids, stories, lengths, times = _arrays(capacity)
        ids[used], stories[used], lengths[used], times[used] = self._ids[used], self._stories[used], self._lengths[used], self._times[used]
        self._ids, self._stories, self._lengths, self._times = ids, stories, lengths, times

    def _compact_if_sparse(self) -> None:
        if self._size - len(self._rows) > max(len(self._rows) // 4, _MIN_ROWS):  # dead rows' keys are still searched
            self._reallocate(len(self._rows))

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._rows

    def add(self, article_id: int, story_id: int, signature: bytes, length: int, at: datetime | None = None) -> None:
        """Remember an article, its story and its time (`article_time`); texts under MIN_LENGTH shingles
        are not indexed."""
        self.remove(article_id)
        values = _values(signature)
        if length < MIN_LENGTH:
            return
        if self._size - self._sorted == _TAIL:
            self._merge_tail()
        if self._size == len(self._ids):
            self._reallocate(len(self._rows) + 1)
        row = self._size
        if row >= int(_ROW_MASK):
            raise ValueError(f"a story index holds at most {int(_ROW_MASK)} rows")
        self._tail[:, row - self._sorted] = values
        self._ids[row], self._stories[row], self._lengths[row] = article_id, story_id, length
        self._times[row] = np.nan if at is None else at.timestamp()
        self._rows[article_id] = row
        self._size += 1

    def extend(self, articles: Iterable[tuple[int, int, bytes, int, datetime | None]]) -> int:
        """`add` each of several articles, oldest first: (id, story, signature, length, time), the store's newest
        on start or those other daemons stored since (`Ingest`); returns the highest id given (0: none)."""
        newest = 0
        for article_id, story_id, signature, length, at in articles:
            self.add(article_id, story_id, signature, length, at)
            newest = max(newest, article_id)
        return newest

    def find(self, signature: bytes, length: int, at: datetime | None = None, within: timedelta | None = None) -> int | None:
        """The story an article at time `at` joins, or None: the best of `candidates` that `joins` allows
        (without `at` and `within`, the best candidate at any time)."""
        return choose(self.candidates(signature, length), at, within)

    def _agreements(self, values: np.ndarray) -> np.ndarray:
        """How many of its NUM_PERM slots each row (live or dead) shares with `values`: the rows of the
        keys from (slot, value, 0) to (slot, value, _ROW_MASK) on each slot (no row has that number), the
        newest _RUN of them, counted, and the tail's columns compared."""
        agree = np.zeros(self._size, dtype=np.intp)
        if self._nkeys:
            prefixes = _SLOTS | (values.astype(np.uint64) << np.uint64(_ROW_BITS))
            first, end = self._position(np.concatenate((prefixes, prefixes | _ROW_MASK))).reshape(2, NUM_PERM)
            first = np.maximum(first, end - _RUN)  # (keys sort by row within a value: the newest last)
            counts = end - first
            total = int(counts.sum())
            if total:
                at = np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(total)
                agree[: self._sorted] = np.bincount((self._keys[at] & _ROW_MASK).astype(np.intp), minlength=self._sorted)
        if self._size > self._sorted:
            agree[self._sorted :] = np.add.reduce((self._tail[:, : self._size - self._sorted] == values[:, None]).view(np.uint8), axis=0, dtype=np.uint8)
        return agree

    def _position(self, queries: np.ndarray) -> np.ndarray:
        """How many keys are below each query (`searchsorted`), in two steps: the fences (every _FENCE-th
        key), then one block of _FENCE keys per query, gathered at once: a binary search of the whole array
        waited for a cache miss at nearly every step."""
        block = np.maximum(np.searchsorted(self._fences, queries, side="right") - 1, 0)
        blocks = self._keys[: self._fences.size * _FENCE].reshape(-1, _FENCE)  # past the last key: _NONE, below no query
        below = np.add.reduce((blocks[block] < queries[:, None]).view(np.uint8), axis=1, dtype=np.uint8)  # at most _FENCE
        position: np.ndarray = block * _FENCE + below
        return position

    def candidates(self, signature: bytes, length: int) -> list[Candidate]:
        """The stories of the earlier articles that overlap this one enough, best first.

        Overlap is the containment of the shorter text in the longer; it must reach CONTAINMENT
        (and the Jaccard MIN_JACCARD). A story ranks by its best article: the higher containment,
        then the higher Jaccard, then the earliest article.
        """
        values = _values(signature)
        if length < MIN_LENGTH or not self._rows:
            return []
        agree = self._agreements(values)
        rows = np.flatnonzero(agree >= _MIN_AGREE)
        rows = rows[self._lengths[rows] > 0]  # live
        if not rows.size:
            return []
        jaccard, others = agree[rows] / NUM_PERM, self._lengths[rows]
        score = np.minimum(1.0, jaccard * (others + length) / ((1 + jaccard) * np.minimum(others, length)))
        ok = score >= CONTAINMENT
        rows, jaccard, score = rows[ok], jaccard[ok], score[ok]
        if not rows.size:
            return []
        if rows.size <= _FEW:
            return self._rank_few(rows, jaccard, score)
        order = np.lexsort((self._ids[rows], -jaccard, -score))  # best article first
        owners = self._stories[rows[order]]
        stories, best, inverse = np.unique(owners, return_index=True, return_inverse=True)  # each story's best article
        top = np.zeros(stories.size)
        np.maximum.at(top, inverse, jaccard[order])  # each story's highest Jaccard
        spans = self._spans(stories)
        return [
            Candidate(int(stories[k]), float(score[order[best[k]]]), float(top[k]), *spans.get(int(stories[k]), (None, None)))
            for k in np.argsort(best)
        ]

    def _rank_few(self, rows: np.ndarray, jaccard: np.ndarray, score: np.ndarray) -> list[Candidate]:
        """`candidates`' ranking of a few rows (the usual case: a story's copies) in plain Python, the same
        order and values: numpy's sorting and grouping calls cost more than the few rows they sort."""
        ranked = sorted(zip((-score).tolist(), (-jaccard).tolist(), self._ids[rows].tolist(), self._stories[rows].tolist(), strict=True))
        best: dict[int, tuple[float, float]] = {}  # story -> (containment of its best article, its highest Jaccard)
        for minus_score, minus_jaccard, _, story in ranked:
            kept = best.setdefault(story, (-minus_score, -minus_jaccard))
            best[story] = (kept[0], max(kept[1], -minus_jaccard))
        spans = self._spans(np.fromiter(best, dtype=np.int64, count=len(best)))
        return [Candidate(story, kept, top, *spans.get(story, (None, None))) for story, (kept, top) in best.items()]

    def _spans(self, stories: np.ndarray) -> dict[int, tuple[datetime, datetime]]:
        """The earliest and latest known time of each story's articles in the index (one pass over it; a
        pass per story when they are few, sparing `isin`'s and `unique`'s sorts)."""
        used = slice(0, self._size)
        times, owners = self._times[used], self._stories[used]
        known = (self._lengths[used] > 0) & ~np.isnan(times)
        if stories.size <= _FEW:
            spans = {}
            for story in stories.tolist():
                own = times[(owners == story) & known]
                if own.size:
                    spans[story] = (datetime.fromtimestamp(float(own.min()), UTC), datetime.fromtimestamp(float(own.max()), UTC))
            return spans
        known &= np.isin(owners, stories)
        keys, inverse = np.unique(owners[known], return_inverse=True)
        first, latest = np.full(keys.size, np.inf), np.full(keys.size, -np.inf)
        np.minimum.at(first, inverse, times[known])
        np.maximum.at(latest, inverse, times[known])
        return {int(k): (datetime.fromtimestamp(float(f), UTC), datetime.fromtimestamp(float(t), UTC)) for k, f, t in zip(keys, first, latest, strict=True)}

    def remove(self, article_id: int) -> None:
        """Forget an article (no error when it is not there)."""
        row = self._rows.pop(article_id, None)
        if row is not None:
            self._lengths[row] = 0
            self._compact_if_sparse()

    def remove_before(self, article_id: int) -> int:
        """Forget every article with a smaller id; returns how many were dropped."""
        used = slice(0, self._size)
        old = np.flatnonzero((self._lengths[used] > 0) & (self._ids[used] < article_id))
        for row in old:
            del self._rows[int(self._ids[row])]
        self._lengths[old] = 0
        self._compact_if_sparse()
        return len(old)

    def renumber(self, ids: dict[int, int], stories: dict[int, int]) -> None:
        """Give articles new ids, and their stories new story ids (a batch's, once the store gave them theirs)."""
        for old, new in ids.items():
            row = self._rows.pop(old, None)
            if row is not None:
                self._rows[new], self._ids[row] = row, new
                self._stories[row] = stories.get(int(self._stories[row]), self._stories[row])
