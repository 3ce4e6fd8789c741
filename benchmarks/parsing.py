"""Feed parsing: CPU entries/s of feedparser and of the fast path, the feeds left to feedparser, both paths' Items.

    python benchmarks/parsing.py [--feeds 1000] [--items 50] [--variants 1000] [--corpus DIR] [--newsday FILE]
                                 [--repeats 3] [--no-pool] [--json] [--no-record]

For each set of feed bodies: CPU entries/s of bare feedparser.parse, of monitor's parse_feed with feedparser
alone (fast_path=False) and with the fast path (feed_tree, feedparser for what it leaves), the fast reader
alone, the share of feeds left to feedparser and why, and how many feeds give identical results both ways
(Items, title, error, warning), with every difference. Sets: generated feeds (tests/fakes/feed_builder RSS 2.0
and Atom; or a news-day generator's RSS given with --newsday, a module with `feeds(seed, feeds, per_feed)`),
varied generated feeds (tests/fakes/feed_variants), feedparser's test corpus (skipped with a note when absent).
Then the parse worker pool: the generated set parsed in-process against through make_parse_executor(2), with
the main process's CPU spent pickling. Times are the least of --repeats interleaved runs. Figures only.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import pickle
import re
import runpy
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402

from benchmarks import results  # noqa: E402
from monitor.sources import feed_tree  # noqa: E402
from monitor.sources.feeds import parse_feed  # noqa: E402
from tests.fakes.feed_builder import atom, entry, rss2  # noqa: E402
from tests.fakes.feed_variants import variant  # noqa: E402

URL = "https://news.example.org/feeds/world.xml"
FETCHED_AT = datetime(2024, 5, 16, 12, 0, tzinfo=UTC)
CORPUS = ROOT.parent / "shared" / "fixtures" / "feedparser-tests"
CORPUS_SUFFIXES = (".xml", ".rdf", ".atom", ".rss")

Feed = tuple[str, bytes, str]  # name, body, Content-Type


def generated(feeds: int, items: int, newsday: Path | None) -> list[Feed]:
    """`feeds` feeds of `items` entries: the news-day generator's RSS, or feed_builder's RSS 2.0 and Atom."""
    if newsday:
        make_feeds = runpy.run_path(str(newsday))["feeds"]
        return [(path, body, "application/rss+xml") for path, body in make_feeds(1, feeds, items).items()]
    out = []
    for f in range(feeds):
        base = f"https://outlet{f}.example.org"
        entries = [entry(f * items + n, base=base) for n in range(items)]
        body = rss2(entries, title=f"Outlet {f}") if f % 2 else atom(entries, title=f"Outlet {f}")
        out.append((f"/feed/{f}", body.encode(), "application/xml"))
    return out


def corpus(folder: Path) -> list[Feed]:
    return [(str(p.relative_to(folder)), p.read_bytes(), "application/xml")
            for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in CORPUS_SUFFIXES]


def cpu_s(work) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def measure(feeds: list[Feed], repeats: int) -> dict:
    """Speeds, the feeds left to feedparser and why, and the comparison of both paths' results."""
    fast = [parse_feed(body, URL, ct, FETCHED_AT) for _, body, ct in feeds]
    reference = [parse_feed(body, URL, ct, FETCHED_AT, fast_path=False) for _, body, ct in feeds]
    entries = sum(len(r.items) for r in reference)
    left: collections.Counter = collections.Counter()
    left_with_items = 0
    for (_, body, ct), ref in zip(feeds, reference, strict=True):
        try:
            feed_tree.read(body, URL, ct)
        except feed_tree.Unsure as why:
            left[re.sub(r" \(.*", "", str(why), flags=re.S)] += 1
            left_with_items += bool(ref.items)
    differences = [{"feed": name, "why": difference(f, r)}
                   for (name, _, _), f, r in zip(feeds, fast, reference, strict=True) if f != r]

    runs = {
        "feedparser.parse": lambda: [feedparser.parse(io.BytesIO(b), response_headers={"content-type": ct},
                                                      sanitize_html=False) for _, b, ct in feeds],
        "parse_feed, feedparser": lambda: [parse_feed(b, URL, ct, FETCHED_AT, fast_path=False) for _, b, ct in feeds],
        "parse_feed, fast path": lambda: [parse_feed(b, URL, ct, FETCHED_AT) for _, b, ct in feeds],
        "feed_tree.read": lambda: [read_or_none(b, ct) for _, b, ct in feeds],
    }
    best: dict[str, float] = {}
    for _ in range(repeats):  # interleaved: every path measured in each round
        for name, work in runs.items():
            seconds = cpu_s(work)
            best[name] = min(best.get(name, seconds), seconds)
    speeds = {name: round(entries / s) if s else None for name, s in best.items()}
    return {
        "feeds": len(feeds),
        "entries": entries,
        "cpu_entries_per_s": speeds,
        "fast_over_feedparser": round(best["parse_feed, feedparser"] / best["parse_feed, fast path"], 2),
        "left_to_feedparser": sum(left.values()),
        "left_to_feedparser_pct": round(100 * sum(left.values()) / max(len(feeds), 1), 1),
        "left_with_entries": left_with_items,
        "why_left": dict(left.most_common()),
        "identical": len(feeds) - len(differences),
        "read_fast_and_identical": len(feeds) - sum(left.values()) - len(differences),
        "differences": differences,
    }


def read_or_none(body: bytes, content_type: str) -> dict | None:
    try:
        return feed_tree.read(body, URL, content_type)
    except feed_tree.Unsure:
        return None


def difference(fast, reference) -> str:
    """What differs between two ParsedFeeds, field by field."""
    out = [f"{field}: {getattr(fast, field)!r} vs {getattr(reference, field)!r}"
           for field in ("title", "error", "warning") if getattr(fast, field) != getattr(reference, field)]
    if len(fast.items) != len(reference.items):
        out.append(f"{len(fast.items)} items vs {len(reference.items)}")
    for a, b in zip(fast.items, reference.items, strict=False):
        out += [f"{f}: {getattr(a, f)!r} vs {getattr(b, f)!r}" for f in a.__dataclass_fields__
                if getattr(a, f) != getattr(b, f)]
    return "; ".join(out)[:500]


def pool(feeds: list[Feed], repeats: int) -> dict:
    """The set parsed in this process, and through the poller's pool of 2 parse processes: wall time, and the
    CPU this process spends on it (pickling bodies and results, the executor's threads)."""
    from monitor.poller import make_parse_executor

    entries = 0

    def in_process() -> None:
        nonlocal entries
        entries = sum(len(parse_feed(b, URL, ct, FETCHED_AT).items) for _, b, ct in feeds)

    started_cpu, started = time.process_time(), time.perf_counter()
    executor = make_parse_executor(2)
    executor.submit(parse_feed, b"", URL, "", FETCHED_AT).result()  # the workers started and warmed up
    executor.submit(parse_feed, b"", URL, "", FETCHED_AT).result()
    startup_s = time.perf_counter() - started
    startup_cpu_s = time.process_time() - started_cpu
    figures: dict = {"feeds": len(feeds), "pool_startup_s": round(startup_s, 2),
                     "pool_startup_parent_cpu_s": round(startup_cpu_s, 2)}
    try:
        best: dict[str, tuple[float, float]] = {}
        for _ in range(repeats):
            for name, work in (("in_process", in_process),
                               ("pool_2_processes", lambda: [f.result() for f in [
                                   executor.submit(parse_feed, b, URL, ct, FETCHED_AT) for _, b, ct in feeds]])):
                cpu, wall = time.process_time(), time.perf_counter()
                work()
                run = (time.perf_counter() - wall, time.process_time() - cpu)
                best[name] = min(best.get(name, run), run)
    finally:
        executor.shutdown()
    parsed = [parse_feed(b, URL, ct, FETCHED_AT) for _, b, ct in feeds]
    # what crosses between the processes for each feed: the call with its body, and the result
    pickling = min(cpu_s(lambda: [pickle.loads(pickle.dumps(x)) for x in [
        *((parse_feed, b, URL, ct, FETCHED_AT) for _, b, ct in feeds), *parsed]]) for _ in range(repeats))
    figures.update({
        "entries": entries,
        "in_process_wall_s": round(best["in_process"][0], 2),
        "in_process_cpu_s": round(best["in_process"][1], 2),
        "pool_wall_s": round(best["pool_2_processes"][0], 2),
        "pool_parent_cpu_s": round(best["pool_2_processes"][1], 2),
        "pickle_round_trips_cpu_ms_per_feed": round(1000 * pickling / len(feeds), 3),
        "parse_cpu_ms_per_feed": round(1000 * best["in_process"][1] / len(feeds), 2),
    })
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000, help="generated feeds (default 1000)")
    parser.add_argument("--items", type=int, default=50, help="entries per generated feed (default 50)")
    parser.add_argument("--variants", type=int, default=1000, help="varied generated feeds (default 1000)")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="feedparser's test feeds (default ../shared/fixtures/feedparser-tests)")
    parser.add_argument("--newsday", type=Path, help="a news-day generator module: its RSS feeds replace "
                                                     "feed_builder's as the generated set")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs; the least time counts (default 3)")
    parser.add_argument("--no-pool", action="store_true", help="leave out the parse worker pool measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    results.add_flag(parser)
    args = parser.parse_args()

    sets = {"generated": generated(args.feeds, args.items, args.newsday),
            "variants": [(f"variant {s}", *variant(s)) for s in range(args.variants)]}
    notes = []
    if args.corpus.is_dir():
        sets["corpus"] = corpus(args.corpus)
    else:
        notes.append(f"corpus skipped: {args.corpus} is not there")
    figures: dict = {name: measure(feeds, args.repeats) for name, feeds in sets.items()}
    if not args.no_pool:
        figures["pool"] = pool(sets["generated"], args.repeats)
    figures["generated_from"] = str(args.newsday) if args.newsday else "tests/fakes/feed_builder (RSS 2.0, Atom)"
    if notes:
        figures["notes"] = notes
    if not args.no_record:
        results.record("parsing: feedparser and the fast path", figures)
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    for name in sets:
        f = figures[name]
        speeds = "  ".join(f"{k} {v:,}/s" for k, v in f["cpu_entries_per_s"].items() if v)
        print(f"{name}: {f['feeds']} feeds, {f['entries']} entries; CPU entries/s: {speeds}")
        print(f"  fast path / feedparser: {f['fast_over_feedparser']}x; left to feedparser: {f['left_to_feedparser']}"
              f" ({f['left_to_feedparser_pct']}%, {f['left_with_entries']} with entries)")
        print(f"  identical both ways: {f['identical']} of {f['feeds']} ({f['read_fast_and_identical']} read fast); "
              f"differences: {len(f['differences'])}")
        for d in f["differences"]:
            print(f"    {d['feed']}: {d['why']}")
        print("  why left: " + ", ".join(f"{k} {v}" for k, v in f["why_left"].items()))
    if "pool" in figures:
        p = figures["pool"]
        print(f"pool ({p['feeds']} generated feeds, {p['entries']} entries): in-process {p['in_process_wall_s']} s "
              f"wall ({p['in_process_cpu_s']} s CPU); 2 parse processes {p['pool_wall_s']} s wall, "
              f"{p['pool_parent_cpu_s']} s CPU in this process; pickling {p['pickle_round_trips_cpu_ms_per_feed']} ms "
              f"a feed against {p['parse_cpu_ms_per_feed']} ms parsing; pool start {p['pool_startup_s']} s")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
