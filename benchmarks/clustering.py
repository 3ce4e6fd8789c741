"""Deduplicator throughput and memory on a synthetic news stream already in the store.

Builds N items (default 100,000) over several days in a fresh SQLite file, then times the real path
monitor takes on start: Deduplicator.start() clusters every stored, unclustered item (store reads,
clusterer, embeddings where needed, store writes). Prints items/s (overall, and for the second half,
once the window is full: the rate monitor keeps up for days), texts embedded, peak RSS, and
RSS and active stories at each quarter, to show memory follows the window, not the archive, and
how long a restart takes to rebuild the window from the store.

The stream: stories of Zipf-like sizes (most are single reports, a few have dozens), each with its
own names and words, drawn from shared topics (so stories of one topic share words, the way
different events about the same people do). Words are real English and Russian words from the
tgcontest articles in ../shared (made-up words when it is missing), so the embedding model sees
texts of realistic length in tokens. It also prints BCubed precision, recall and F1 of the stories
made against the ones the stream was drawn from (a story's reports are random draws of its words,
so this checks that rules tuned on real news do not split or merge plain same-story reports).

    python benchmarks/clustering.py                    # both backends, 100,000 items each
    python benchmarks/clustering.py --backend lexical --items 100000 --json
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import json
import random
import re
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import results  # noqa: E402
from monitor.config_values import DEDUP_BACKENDS  # noqa: E402
from monitor.core.clustering import ClusterSettings  # noqa: E402
from monitor.core.evaluation import bcubed  # noqa: E402
from monitor.core.urls import canonical_url, fingerprint  # noqa: E402
from monitor.embedding import load_embedder  # noqa: E402
from monitor.models import Item, SourceSpec  # noqa: E402
from monitor.services.dedup import Deduplicator  # noqa: E402
from monitor.storage.store import Store  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "benchmarks/tgcontest-pairs/tgcontest-pairs.articles.jsonl.gz"
WORD = re.compile(r"[^\W\d_]+")
LATIN = "abcdefghijklmnoprstuvyz"
CYRILLIC = "абвгдежзиклмнопрстуфхцчшыэюя"
START = datetime(2023, 6, 1, tzinfo=UTC)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    """Real en/ru words (so texts tokenize like news for the embedding model), from the tgcontest
    articles when ../shared is there; otherwise made-up words."""
    words: set[str] = set()
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
            for line in lines:
                article = json.loads(line)
                words.update(w for w in WORD.findall(f"{article['title']} {article['text']}") if len(w) > 3)
    if len(words) < 5000:
        words = {"".join(rng.choice(LATIN if n % 2 else CYRILLIC) for _ in range(rng.randint(4, 9)))
                 for n in range(20000)}
    ordered = sorted(words)
    rng.shuffle(ordered)
    capitalised = [w for w in ordered if w[0].isupper()]
    return [w for w in ordered if w[0].islower()], capitalised


def synthetic_items(count: int, days: float, seed: int = 7) -> list[Item]:
    """The stream in time order; an item's key `k<n>-<story>` names the story it was drawn from."""
    rng = random.Random(seed)
    plain, names_pool = vocabulary(rng)
    general = plain[:6000]
    topics = [plain[6000 + 30 * t: 6000 + 30 * (t + 1)] for t in range(300)]
    items: list[Item] = []
    span_s = days * 86400
    while len(items) < count:
        topic = rng.choice(topics)
        names = rng.sample(names_pool, 8)
        size = min(int(rng.paretovariate(1.2)), 60)
        at = START + timedelta(seconds=rng.uniform(0, span_s))
        story = len(items)  # numbered after its first item
        for _ in range(size):
            at_item = at + timedelta(minutes=rng.expovariate(1 / 90))
            title = " ".join(rng.sample(names, 3) + rng.sample(topic, 2) + rng.sample(general, 2))
            text = " ".join(rng.choice(names) if r < 0.3 else rng.choice(topic) if r < 0.6 else rng.choice(general)
                            for r in (rng.random() for _ in range(40))) + "."
            n = len(items)
            url = f"https://news{n % 50}.example.org/{n}"
            items.append(Item(key=f"k{n}-{story}", url=url, canonical_url=canonical_url(url), title=title, text=text,
                              published_at=at_item, fingerprint=fingerprint(title, text)))
            if len(items) == count:
                break
    items.sort(key=lambda i: i.published_at)
    return items


async def measure(backend: str, count: int, days: float) -> dict:
    items = synthetic_items(count, days)
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.db")
        sources = [await store.sources.add(SourceSpec("feed", f"https://news{n}.example.org/feed", f"news{n}"), START)
                   for n in range(50)]
        # stored as 50 sources would have stored them, taking turns every 100 items (about 15 minutes of the
        # stream), so that a story's reports come from several of them, as they do in the news
        for n in range(0, len(items), 100):
            batch = items[n:n + 100]
            await store.items.insert(sources[(n // 100) % 50].id, batch, START)
        del items, batch  # what is measured next is the deduplicator's memory, not the generator's
        gc.collect()
        before_mb = current_rss_mb()
        dedup = Deduplicator(store, ClusterSettings(), load_embedder(backend))
        checkpoints = []
        real_assign = dedup._assign

        def assign(batch, known):  # record memory and the window's size as the archive grows
            out = real_assign(batch, known)
            checkpoints.append((dedup._seq - 1, round(current_rss_mb(), 1), len(dedup.clusterer.stories),
                                time.perf_counter()))
            return out

        dedup._assign = assign
        started = time.perf_counter()
        await dedup.start()
        seconds = time.perf_counter() - started
        stories = (await store.stories.clustering_start())[0] - 1
        embedded = dedup.clusterer.embedded
        await dedup.close()
        dedup.clusterer = None  # let the first run's window go before the restart is measured
        gc.collect()
        # A restart: a fresh deduplicator puts the window back from the store (nothing left to cluster).
        restarted = Deduplicator(store, ClusterSettings(), load_embedder(backend))
        started = time.perf_counter()
        replayed = await restarted.start()
        restart_s = time.perf_counter() - started
        await restarted.close()
        await store.close()
        with sqlite3.connect(Path(folder) / "bench.db") as conn:
            vector_mb, text_mb = (round((n or 0) / 1e6, 1) for n in conn.execute(
                "SELECT sum(length(term_vector)), sum(length(title) + length(text)) FROM items").fetchone())
            given = dict(conn.execute("SELECT key, story_id FROM items"))
    # how the stories made match the ones the stream was drawn from (BCubed)
    scores = bcubed({key: key.split("-")[1] for key in given}, given)
    quarters = [checkpoints[min(len(checkpoints) - 1, int(len(checkpoints) * q))] for q in (0.25, 0.5, 0.75, 1.0)]
    # the second half alone: the window is full by then, so this is the rate monitor keeps up for days
    (half_items, *_, half_at), (end_items, *_, end_at) = quarters[1], quarters[3]
    steady = round((end_items - half_items) / (end_at - half_at), 1) if end_at > half_at else None
    return {"backend": backend, "items": count, "days": days, "seconds": round(seconds, 1),
            "items_per_s": round(count / seconds, 1), "second_half_items_per_s": steady, "stories": stories,
            "bcubed": {"precision": round(scores.precision, 3), "recall": round(scores.recall, 3),
                       "f1": round(scores.f1, 3)},
            "embedded": embedded,
            "rss_before_mb": round(before_mb, 1), "peak_rss_mb": round(rss_mb(), 1),
            "restart_s": round(restart_s, 1), "replayed": replayed, "term_vectors_mb": vector_mb, "text_mb": text_mb,
            "quarters": [{"items": i, "rss_mb": r, "active_stories": a} for i, r, a, _ in quarters]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=DEDUP_BACKENDS, action="append",
                        help="backend to measure (repeatable; default: all)")
    parser.add_argument("--items", type=int, default=100_000, help="items in the stream (default 100,000)")
    parser.add_argument("--days", type=float, default=10.0, help="days the stream spans (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per backend")
    results.add_flag(parser)
    args = parser.parse_args()
    for backend in args.backend or DEDUP_BACKENDS:
        figures = asyncio.run(measure(backend, args.items, args.days))
        if not args.no_record:
            results.record(f"clustering, {backend} backend", figures)
        if args.json:
            print(json.dumps(figures))
            continue
        print(f"{backend}: {figures['items']} items over {figures['days']:g} days in {figures['seconds']} s = "
              f"{figures['items_per_s']} items/s; {figures['stories']} stories, {figures['embedded']} texts "
              f"embedded; RSS before clustering {figures['rss_before_mb']} MB, peak {figures['peak_rss_mb']} MB")
        print(f"    second half (the window full): {figures['second_half_items_per_s']} items/s")
        print("    stories against the ones the stream was drawn from: BCubed precision {precision}, recall {recall}, "
              "F1 {f1}".format(**figures["bcubed"]))
        print(f"    restart: {figures['replayed']} items put back to rebuild the window in {figures['restart_s']} s; "
              f"stored term vectors {figures['term_vectors_mb']} MB (titles and texts {figures['text_mb']} MB)")
        for q in figures["quarters"]:
            print(f"    after {q['items']:>7} items: RSS {q['rss_mb']} MB, {q['active_stories']} stories in the window")


if __name__ == "__main__":
    main()
