"""Time `redact` on log lines with many registered secrets (feeds with path tokens), e.g.

    .venv/bin/python bench/redact.py --secrets 2000 --lines 2000
"""

from __future__ import annotations

import argparse
import random
import string
import time

from monitor.redact import redact, register_feed_secrets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--secrets", type=int, default=2000, help="feeds registered, each with one path token")
    parser.add_argument("--lines", type=int, default=2000, help="log lines redacted")
    args = parser.parse_args()
    if args.secrets < 1 or args.lines < 1:
        parser.error("--secrets and --lines take a number of at least 1")
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    tokens = ["".join(rng.choice(alphabet) for _ in range(32)) for _ in range(args.secrets)]
    started = time.perf_counter()
    for i, token in enumerate(tokens):
        register_feed_secrets(f"https://feeds{i % 50}.example.com/private/{token}/rss?key=k{token[:10]}")
    registered = time.perf_counter() - started
    lines = []
    for i in range(args.lines):
        token = tokens[i % len(tokens)]
        if i % 10 == 0:  # one line in ten names a secret feed
            lines.append(f"source {i} (https://feeds{i % 50}.example.com/private/{token}/rss?key=k{token[:10]}): fetched 200, 12 new items, next check in 1 h (ttl 60 min from the feed)")
        else:
            lines.append(f"article {i} from wire: rules fired, no alert: a copy of story {i // 3} (alert 8a1f{i:04x}): nothing new, no higher severity")
    started = time.perf_counter()
    redact(lines[0])  # the first call after a change builds what later calls use
    first = time.perf_counter() - started
    started = time.perf_counter()
    masked = sum(redact(line) != line for line in lines)
    spent = time.perf_counter() - started
    print(f"{args.secrets} feeds registered in {registered * 1000:.0f} ms, the first line in {first * 1000:.1f} ms; {args.lines} lines ({masked} masked) in {spent * 1000:.1f} ms: {spent / args.lines * 1e6:.1f} us a line")
    started = time.perf_counter()
    for i in range(args.lines):  # a verb registering a feed and saying so, for each of many (an import)
        token = "".join(rng.choice(alphabet) for _ in range(32))
        register_feed_secrets(f"https://more{i}.example.com/private/{token}/rss")
        redact(f"added https://more{i}.example.com/private/{token}/rss")
    between = time.perf_counter() - started
    print(f"{args.lines} more feeds registered, each followed by a line: {between * 1000:.0f} ms")


if __name__ == "__main__":
    main()
