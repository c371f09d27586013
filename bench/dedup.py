"""Story clustering: quality on the labelled corpus and cost per article at 100,000 stored articles.

Quality: the corpus (tests/data/stories/corpus.jsonl) is fed in id order; each article joins the
story `find` returns or starts its own; pairwise precision, recall and F1 against the labels.
Cost: N synthetic articles (~330 words: Zipf-distributed words from a 50,000-word vocabulary with 5 %
stock phrases, so that unrelated texts share about as many 3-grams as real news does, mean Jaccard
~0.003) are sketched and persisted as (signature, length); they are lower-case ASCII words already,
so the fill skips `normalise` (`sketch_normalised`). Then: the time of a signature (`sketch`, with
and without normalising; wall clock and this thread's CPU time, which the machine's other work does
not inflate), rebuild of the index from the persisted signatures, find + add of 1,000 new articles
(500 fresh texts, which must start new stories, and 500 copies of stored ones cut to 30-60 % with
a byline added, which must join theirs), the time of `find` alone, and the index's memory
(tracemalloc, a second rebuild). The index compares a query with every stored signature.
Real text (`real_text`): the CPU time of a sketch of the corpus's articles, already normalised, one
at a time and (`stories.sketches`) 50 at a time as a feed's new articles, median and best of 15 passes.

    .venv/bin/python bench/dedup.py [N]
    .venv/bin/python bench/dedup.py --seeds K  # corpus P and R over MinHash seeds 1..K, CONTAINMENT 0.4/0.5/0.6
"""

from __future__ import annotations

import itertools
import json
import sys
import time
import tracemalloc
from functools import cache
from pathlib import Path

import numpy as np

from monitor import stories
from monitor.dedup import normalised
from monitor.text_norm import normalise
from monitor.stories import CONTAINMENT, SIGNATURE_BYTES, StoryIndex, sketch, sketch_normalised

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "stories" / "corpus.jsonl"
VOCABULARY = 50_000
PHRASES = 2_000
PHRASE_SHARE = 0.05
WORDS = 300
BLOCK = 2_000


def corpus_quality() -> dict[str, float | int]:
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    index, predicted = StoryIndex(), []
    for row in rows:
        signature, length = sketch(row["text"])
        story = index.find(signature, length)
        story = row["id"] if story is None else story
        index.add(row["id"], story, signature, length)
        predicted.append(story)
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(rows)), 2):
        same, joined = rows[i]["story"] == rows[j]["story"], predicted[i] == predicted[j]
        tp, fp, fn = tp + (same and joined), fp + (joined and not same), fn + (same and not joined)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return {"articles": len(rows), "stories": len({r["story"] for r in rows}), "clusters": len(set(predicted)),
            "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4)}


def seed_spread(seeds: int) -> dict[str, dict[str, float]]:
    """Corpus precision and recall (mean and worst) over other MinHash seeds, per CONTAINMENT threshold."""
    spread = {}
    for threshold in (0.4, 0.5, 0.6):
        stories.CONTAINMENT, scores = threshold, []
        for seed in range(1, seeds + 1):
            stories._A, stories._B = stories._permutations(seed)
            scores.append(corpus_quality())
        spread[str(threshold)] = {f"{stat}_{key}": round(fn(s[key] for s in scores), 4)
                                  for key in ("precision", "recall") for stat, fn in (("mean", lambda v: sum(v) / seeds), ("worst", min))}
    stories.CONTAINMENT, (stories._A, stories._B) = CONTAINMENT, stories._permutations()
    return spread


def real_text_sketch(rounds: int = 15, feed: int = 50) -> dict[str, float]:
    """CPU time (this thread's) of a sketch of the corpus's articles (title and text, normalised first, as
    the pipeline does), median and best of `rounds` passes: one text at a time, and `feed` at a time
    through `stories.sketches` when this monitor has it."""
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    texts = [normalised(" ".join(r.get("title", "").split()), r["text"].strip()) for r in rows]
    one, batch = [], []
    for _ in range(rounds):
        cpu = time.thread_time()
        for text in texts:
            sketch_normalised(text)
        one.append((time.thread_time() - cpu) / len(texts) * 1e6)
        if hasattr(stories, "sketches"):
            cpu = time.thread_time()
            for start in range(0, len(texts), feed):
                stories.sketches(texts[start : start + feed])
            batch.append((time.thread_time() - cpu) / len(texts) * 1e6)
    result = {"texts": len(texts), "mean_words": round(sum(len(t.split()) for t in texts) / len(texts)),
              "sketch_cpu_us_median": round(sorted(one)[rounds // 2], 1), "sketch_cpu_us_best": round(min(one), 1)}
    if batch:
        result |= {"batch_cpu_us_median": round(sorted(batch)[rounds // 2], 1), "batch_cpu_us_best": round(min(batch), 1)}
    return result


@cache
def vocabulary() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Words and stock phrases with their Zipf weights (the same in every process)."""
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = np.array(["".join(rng.choice(letters, n)) for n in rng.integers(3, 10, VOCABULARY)], dtype=object)
    word_weights = 1 / np.arange(3, VOCABULARY + 3)
    word_weights /= word_weights.sum()
    phrases = np.array([" ".join(words[rng.choice(VOCABULARY, n, p=word_weights)]) for n in rng.integers(3, 6, PHRASES)], dtype=object)
    phrase_weights = 1 / np.arange(1, PHRASES + 1) ** 0.8
    return words, word_weights, phrases, phrase_weights / phrase_weights.sum()


def synthetic_texts(block: int) -> list[str]:
    """BLOCK distinct texts, the same for the same block number."""
    words, word_weights, phrases, phrase_weights = vocabulary()
    rng = np.random.default_rng(block)
    text = words[rng.choice(VOCABULARY, (BLOCK, WORDS), p=word_weights)]
    mask = rng.random((BLOCK, WORDS)) < PHRASE_SHARE
    text[mask] = phrases[rng.choice(PHRASES, int(mask.sum()), p=phrase_weights)]
    return [" ".join(row) for row in text]


def rebuild(blob: bytes, lengths: list[int]) -> StoryIndex:
    """The index as the store rebuilds it on start: one add per persisted (signature, length)."""
    index = StoryIndex()
    for i, length in enumerate(lengths):
        index.add(i, i, blob[i * SIGNATURE_BYTES : (i + 1) * SIGNATURE_BYTES], length)
    return index


def main(n: int) -> None:
    started = time.perf_counter()
    result: dict[str, object] = {"corpus": corpus_quality(), "real_text": real_text_sketch()}
    blocks = -(-n // BLOCK)
    texts = synthetic_texts(blocks)  # block `blocks` is not stored: its texts are the fresh ones
    assert all(normalise(text) == text for text in texts[:100])
    t, cpu = time.perf_counter(), time.thread_time()
    for text in texts:
        sketch(text)
    signature_us, signature_cpu_us = (time.perf_counter() - t) / len(texts) * 1e6, (time.thread_time() - cpu) / len(texts) * 1e6
    t, cpu = time.perf_counter(), time.thread_time()
    for text in texts:
        sketch_normalised(text)
    normalised_us, normalised_cpu_us = (time.perf_counter() - t) / len(texts) * 1e6, (time.thread_time() - cpu) / len(texts) * 1e6
    sketches = [sketch_normalised(text) for block in range(blocks) for text in synthetic_texts(block)][:n]
    blob, lengths = b"".join(s for s, _ in sketches), [length for _, length in sketches]
    del sketches

    t = time.perf_counter()
    index = rebuild(blob, lengths)
    rebuild_s = time.perf_counter() - t

    stored = synthetic_texts(0)[:500]
    copies = []
    for k, text in enumerate(stored):
        words = text.split()
        cut = words[: int(len(words) * (0.3 + 0.3 * k / len(stored)))]
        copies.append((k, " ".join(cut) + " Reporting by Jane Doe; Editing by John Roe"))
    new = [(None, text) for text in texts[:500]] + copies
    new_sketches = [sketch(text) for _, text in new]
    joined = wrong = 0
    t = time.perf_counter()
    for i, ((expected, _), (signature, length)) in enumerate(zip(new, new_sketches)):
        story = index.find(signature, length)
        index.add(n + i, n + i if story is None else story, signature, length)
        joined += expected is not None and story == expected
        wrong += story is not None and story != expected
    find_add_us = (time.perf_counter() - t) / len(new) * 1e6
    t = time.perf_counter()
    for signature, length in new_sketches:
        index.find(signature, length)
    find_us = (time.perf_counter() - t) / len(new_sketches) * 1e6
    del index

    tracemalloc.start()
    index = rebuild(blob, lengths)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del index

    result["cost"] = {
        "stored_articles": n,
        "signature_us": round(signature_us),
        "signature_of_normalised_us": round(normalised_us),
        "signature_cpu_us": round(signature_cpu_us),
        "signature_of_normalised_cpu_us": round(normalised_cpu_us),
        "find_add_us": round(find_add_us),
        "find_us": round(find_us),
        "copies_joined": f"{joined}/{len(copies)}",
        "false_joins": wrong,
        "rebuild_s": round(rebuild_s, 2),
        "index_mb": round(current / 2**20, 1),
        "index_peak_mb": round(peak / 2**20, 1),
        "bytes_per_article": round(current / n),
    }
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seeds"]:
        print(json.dumps(seed_spread(int(sys.argv[2]))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
