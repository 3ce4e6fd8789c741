"""Keyword-watch matching: one report against thousands of watches.

Reads ru/en/uk reports (the real tgcontest articles in ../shared, when they are there, and the
hand-written dev days in tests/data), builds N watches from their vocabulary (single words, two-word
ANDs, ORs, phrases, exclusions and prefixes, as people write them), and times what the alerts path does
per report: fold its words once, find the candidate watches through the index, test those. Prints
reports per second, candidates tested per report and matches per report, and the same without the
index (every watch tested) for comparison.

    python benchmarks/watches.py                  # 10,000 watches
    python benchmarks/watches.py --watches 50000 --json
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import results  # noqa: E402
from monitor.core.query import QueryError, parse_query, word_root, words_of  # noqa: E402
from monitor.core.terms import skeleton  # noqa: E402
from monitor.core.watch_index import WatchIndex  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"


def reports() -> list[tuple[str, str]]:
    out = []
    articles = SHARED / "tgcontest-pairs" / "tgcontest-pairs.articles.jsonl.gz"
    days = Path(__file__).resolve().parent.parent / "tests" / "data" / "dev-multilingual.jsonl"
    for path in (articles, days):
        if not path.exists():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                out.append((row.get("title") or "", row.get("text") or ""))
    return out


def make_watches(texts: list[tuple[str, str]], count: int, rng: random.Random) -> list[str]:
    vocabulary = Counter(w for title, text in texts for w in (title + " " + text).split() if w.isalpha() and len(w) > 3)
    # People watch names and specific words, not the commonest words of the news.
    words = [w for w, n in vocabulary.most_common(30_000)[1_000:]]
    shapes = [
        lambda: rng.choice(words),
        lambda: f"{rng.choice(words)} {rng.choice(words)}",
        lambda: f"{rng.choice(words)} OR {rng.choice(words)}",
        lambda: f'"{rng.choice(words)} {rng.choice(words)}"',
        lambda: f"{rng.choice(words)} -{rng.choice(words)}",
        lambda: f"{rng.choice(words)[:5]}*",
        lambda: f"({rng.choice(words)} OR {rng.choice(words)}) {rng.choice(words)}",
    ]
    return [rng.choice(shapes)() for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--watches", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    results.add_flag(parser)
    args = parser.parse_args()
    rng = random.Random(7)
    texts = reports()
    index, queries = WatchIndex(), []
    for n, text in enumerate(make_watches(texts, args.watches, rng)):
        try:
            query = parse_query(text)
        except QueryError:
            continue
        index.add(n, query)
        queries.append(query)

    started = time.perf_counter()
    candidates = matched = 0
    for title, text in texts:
        words = words_of(title, text)
        candidates += len({i for key in words.index_keys() for i in index._by_key.get(key, ())})
        matched += len(index.matching(words))
    # matching() repeats the candidate lookup counted above: time it alone, with word folding starting cold
    # (a running monitor has the common words folded already: this is the slower case)
    word_root.cache_clear()
    skeleton.cache_clear()
    started = time.perf_counter()
    for title, text in texts:
        index.matching(words_of(title, text))
    indexed_s = time.perf_counter() - started

    sample = texts[:50]
    started = time.perf_counter()
    for title, text in sample:
        words = words_of(title, text)
        sum(q.matches(words) for q in queries)
    naive_per_report_s = (time.perf_counter() - started) / len(sample)

    figures = {
        "watches": len(index), "reports": len(texts),
        "reports_per_s": round(len(texts) / indexed_s), "candidates_per_report": round(candidates / len(texts), 1),
        "matches_per_report": round(matched / len(texts), 2),
        "without_index_reports_per_s": round(1 / naive_per_report_s),
    }
    if not args.no_record:
        results.record("watches: matching reports against watches", figures)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['watches']:,} watches, {figures['reports']} reports: {figures['reports_per_s']:,} "
              f"reports/s; {figures['candidates_per_report']} watches tested and "
              f"{figures['matches_per_report']} matched per report; testing every watch: "
              f"{figures['without_index_reports_per_s']:,} reports/s")


if __name__ == "__main__":
    main()
