"""Polling throughput: N loopback feeds of M items, first pass and all-304 second pass, against the floor.

    python benchmarks/polling.py [--feeds 1000] [--items 50] [--json]

Prints wall time, peak memory and bytes transferred for monitor's first pass (fetch, parse, store
every item) and second pass (every feed answers 304), and for the floor: a bare sequential loop of
httpx GET + feedparser over the same feeds with nothing stored. The feed server runs in its own
process so that it does not compete with the measured code for the GIL. Figures only, no asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402
import httpx  # noqa: E402

from benchmarks import results  # noqa: E402
from monitor import app, config  # noqa: E402
from monitor.services.pipeline import StoryPipeline  # noqa: E402
from tests.fakes.feed_builder import entry, rss2  # noqa: E402
from tests.fakes.feed_server import FeedServer  # noqa: E402


def serve(feeds: int, items: int, commands: multiprocessing.Queue, answers: multiprocessing.Queue) -> None:
    """The feed server process: answers on loopback until told to stop; reports bytes sent on request."""
    server = FeedServer()
    for f in range(feeds):
        base = f"https://outlet{f}.example.org"
        server.set(f"/feed/{f}", rss2([entry(n, base=base) for n in range(items)], title=f"Outlet {f}"))
    server.start()
    answers.put(server.port)
    while True:
        command = commands.get()
        if command == "bytes":
            answers.put(server.bytes_sent())
        elif command == "stop":
            server.stop()
            return


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(urls: list[str]) -> tuple[float, int]:
    """Sequential fetch + feedparser, one reused connection, nothing stored: the least work possible."""
    started = time.perf_counter()
    entries = 0
    with httpx.Client() as client:
        for url in urls:
            # the same feedparser options monitor uses, so the gap is monitor's own work
            entries += len(feedparser.parse(client.get(url).content, sanitize_html=False).entries)
    return time.perf_counter() - started, entries


async def monitor_passes(settings: config.Settings, bytes_sent) -> dict:
    figures = {}
    async with app.open_polling(settings) as opened:
        poller = opened.poller(StoryPipeline(opened.store, opened.dedup).take)
        sources = await opened.store.sources.enabled()
        for name in ("first", "second"):
            before = bytes_sent()
            started = time.perf_counter()
            reports = await poller.poll_all(sources)
            figures[name] = {
                "seconds": round(time.perf_counter() - started, 2),
                "new_items": sum(len(r.new) for r in reports),
                "not_modified": sum(r.not_modified for r in reports),
                "errors": sum(1 for r in reports if r.error),
                "bytes": bytes_sent() - before,
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds (default 1000)")
    parser.add_argument("--items", type=int, default=50, help="items per feed (default 50)")
    parser.add_argument("--concurrency", type=int, default=16, help="polling.concurrency (default 16)")
    parser.add_argument("--parse-processes", type=int, default=0, help="polling.parse_processes (0 = per core)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    results.add_flag(parser)
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    commands, answers = context.Queue(), context.Queue()
    server = context.Process(target=serve, args=(args.feeds, args.items, commands, answers), daemon=True)
    server.start()
    port = answers.get(timeout=120)

    def bytes_sent() -> int:
        commands.put("bytes")
        return answers.get(timeout=30)

    urls = [f"http://127.0.0.1:{port}/feed/{f}" for f in range(args.feeds)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = config.parse({
                "storage": {"path": f"{tmp}/bench.db"},
                "polling": {"concurrency": args.concurrency, "parse_processes": args.parse_processes,
                            "timeout": "60s"},
                "sources": [{"kind": "feed", "url": u} for u in urls],
            }, environ={})
            figures = asyncio.run(monitor_passes(settings, bytes_sent))
            stored = sqlite3.connect(f"{tmp}/bench.db").execute("SELECT count(*) FROM items").fetchone()[0]
            figures["stored_items"] = stored
            before = bytes_sent()
            floor_s, floor_entries = floor(urls)
            figures["floor"] = {"seconds": round(floor_s, 2), "entries": floor_entries,
                                "bytes": bytes_sent() - before}
            figures["floor_peak_rss_mb"] = round(peak_rss_mb(), 1)  # the process peak so far: an upper bound
    finally:
        commands.put("stop")
        server.join(timeout=10)

    first, second, bare = figures["first"], figures["second"], figures["floor"]
    figures["first_over_floor"] = round(first["seconds"] / bare["seconds"], 2)
    figures["second_bytes_pct_of_first"] = round(100 * second["bytes"] / max(first["bytes"], 1), 2)
    figures.update(feeds=args.feeds, items_per_feed=args.items)
    if not args.no_record:
        results.record("polling: loopback feeds", figures)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{args.feeds} loopback feeds x {args.items} items (concurrency {args.concurrency}, "
          f"parse_processes {args.parse_processes or 'per core'})")
    print(f"first pass : {first['seconds']:7.2f} s  {first['new_items']:>6} new  {first['bytes']:>12,} bytes  "
          f"peak RSS {first['peak_rss_mb']} MB (main process; parsing runs in worker processes)")
    print(f"second pass: {second['seconds']:7.2f} s  {second['not_modified']:>6} 304s {second['bytes']:>11,} bytes  "
          f"({figures['second_bytes_pct_of_first']}% of the first pass)")
    print(f"floor      : {bare['seconds']:7.2f} s  {bare['entries']:>6} entries parsed, nothing stored, "
          f"peak RSS {figures['floor_peak_rss_mb']} MB")
    print(f"stored items: {stored}; first pass / floor = {figures['first_over_floor']}x (target <= 1.5x); "
          f"second pass target < 3 s and < 5% of the bytes")


if __name__ == "__main__":
    main()
