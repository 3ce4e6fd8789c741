"""The clusterer's cost per report as the window grows, on a realistic news day.

For each size (default 2,000, 20,000 and 100,000 reports) a seeded 48-hour news day of that many reports
(benchmarks/newsday.py, 50 reports per source) goes through monitor's clusterer in publication order, in a
process of its own, with a window long enough to hold every report. Once every size's window is built, their
last stretches (default the last 1,000 reports) are measured 100 reports at a time, the sizes taking turns, so
each figure is what a report costs with about that many others in the window, measured side by side:
items/s, CPU ms per report, candidates examined and postings read per report (the clusterer's own counters;
"n/a" where it keeps none), peak RSS (the stream is read a report at a time: it is the clusterer's), its growth
while clustering and that growth per report (an estimate of the window's bytes per report), and BCubed
precision, recall and F1 of the stories made against the ones the generator drew the reports from. Then the
cost per report at the largest size over that at the smallest (the shared machine's absolute speed drifts; the
ratio is the figure to compare).

--stream old: the earlier synthetic stream instead (stories drawn from shared topic words; real words from
the tgcontest articles in ../shared when it is there, made-up words otherwise), spread over 10 days.

    python benchmarks/clustering.py                             # 2,000, 20,000 and 100,000 reports
    python benchmarks/clustering.py --sizes 2000,20000 --no-record
    python benchmarks/clustering.py --quick --no-record         # a smoke run: 400 and 2,000 reports
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import multiprocessing
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from array import array
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import newsday, results  # noqa: E402
from monitor.config_values import DEDUP_BACKENDS  # noqa: E402
from monitor.core.clustering import Clusterer, ClusterSettings, Report  # noqa: E402
from monitor.core.evaluation import bcubed  # noqa: E402
from monitor.embedding import load_embedder  # noqa: E402

SIZES = (2_000, 20_000, 100_000)
PER_FEED = 50
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "benchmarks/tgcontest-pairs/tgcontest-pairs.articles.jsonl.gz"
WORD = re.compile(r"[^\W\d_]+")
LATIN = "abcdefghijklmnoprstuvyz"
CYRILLIC = "абвгдежзиклмнопрстуфхцчшыэюя"
OLD_START = datetime(2023, 6, 1, tzinfo=UTC)
OLD_DAYS = 10.0
CHUNK = 100  # reports measured at a time, the sizes taking turns


# -- the streams: written to a file by one process, read by the one that measures --------------------------
# (a process that made the stream would reuse the memory the generator freed, and its RSS growth would say less)

def write_newsday(size: int, seed: int, path: Path) -> int:
    """The news day of `size` reports (50 a source) as JSON Lines; how many reports it has."""
    per_feed = min(PER_FEED, size)
    items = newsday.reports(seed, max(1, size // per_feed), per_feed)
    path.write_bytes(newsday.jsonl(items))
    return len(items)


def old_vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    """Real en/ru words (from the tgcontest articles when ../shared is there; otherwise made-up words),
    lower-case and capitalised."""
    words: set[str] = set()
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
            for line in lines:
                article = json.loads(line)
                words.update(w for w in WORD.findall(f"{article['title']} {article['text']}") if len(w) > 3)
    if len(words) < 5000:  # a quarter capitalised: the names
        made = ("".join(rng.choice(LATIN if n % 2 else CYRILLIC) for _ in range(rng.randint(4, 9)))
                for n in range(24000))
        words = {word.capitalize() if n % 4 == 0 else word for n, word in enumerate(made)}
    ordered = sorted(words)
    rng.shuffle(ordered)
    return [w for w in ordered if w[0].islower()], [w for w in ordered if w[0].isupper()]


def write_old(size: int, seed: int, path: Path) -> int:
    """The earlier synthetic stream as JSON Lines: stories of Zipf-like sizes, each with its own names and words
    drawn from shared topics, over 10 days, from 50 sources taking turns every 100 reports."""
    rng = random.Random(seed)
    plain, names_pool = old_vocabulary(rng)
    general = plain[:6000]
    topics = [plain[6000 + 30 * t: 6000 + 30 * (t + 1)] for t in range(300)]
    items: list[dict] = []
    while len(items) < size:
        topic, names = rng.choice(topics), rng.sample(names_pool, 8)
        story_size = min(int(rng.paretovariate(1.2)), 60)
        at = OLD_START + timedelta(seconds=rng.uniform(0, OLD_DAYS * 86400))
        story = len(items)  # numbered after its first report
        for _ in range(story_size):
            title = " ".join(rng.sample(names, 3) + rng.sample(topic, 2) + rng.sample(general, 2))
            text = " ".join(rng.choice(names) if r < 0.3 else rng.choice(topic) if r < 0.6 else rng.choice(general)
                            for r in (rng.random() for _ in range(40))) + "."
            items.append({"published": at + timedelta(minutes=rng.expovariate(1 / 90)), "title": title,
                          "text": text, "cluster": f"s{story}"})
            if len(items) == size:
                break
    items.sort(key=lambda i: i["published"])
    with path.open("w", encoding="utf-8") as out:
        for n, item in enumerate(items):
            out.write(json.dumps({**item, "id": f"r{n}", "source": f"news{n // 100 % 50}",
                                  "published": item["published"].isoformat()}, ensure_ascii=False) + "\n")
    return len(items)


# -- measuring --------------------------------------------------------------------------------------------

def current_rss_mb() -> float:
    return _status_mb("VmRSS:") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field: str) -> float:
    try:
        with open("/proc/self/status") as status:
            return next((int(line.split()[1]) / 1024 for line in status if line.startswith(field)), 0.0)
    except OSError:
        return 0.0


def reset_peak_rss() -> bool:
    """Start the peak RSS afresh (Linux: /proc/self/clear_refs); False where it cannot be."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def counters(clusterer: Clusterer) -> dict[str, float] | None:
    """The clusterer's own counters of work done (`stats`: a mapping or an object of numbers), if it keeps any."""
    stats = getattr(clusterer, "stats", None)
    if stats is None:
        return None
    if not isinstance(stats, Mapping):
        stats = {name: getattr(stats, name) for name in dir(stats) if not name.startswith("_")}
    return {k: v for k, v in stats.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def per_report(before: dict | None, after: dict | None, word: str, reports: int) -> float | None:
    """The growth of the counter whose name has `word` ("candidate", "posting"), per report."""
    if before is None or after is None:
        return None
    name = next((k for k in after if word in k.lower()), None)
    return None if name is None else round((after[name] - before.get(name, 0)) / reports, 1)


def read_stream(path: Path) -> Iterator[tuple[Report, str]]:
    """The stream's reports and their stories' labels, one at a time: the clusterer's memory is measured without
    the stream's held beside it."""
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            item = json.loads(line)
            yield (Report(n, item["title"], item["text"], datetime.fromisoformat(item["published"]),
                          source=item["source"]), item["cluster"])


def stream_span(path: Path) -> tuple[int, float]:
    """How many reports the stream has, and the seconds from its first to its last (it is in publication order)."""
    count, first, last = 0, None, None
    for report, _ in read_stream(path):
        count, first, last = count + 1, first or report.published, report.published
    return count, (last - first).total_seconds() if first and last else 0.0


SCORER = "scorer"


def measure(path: Path, stretch: int, backend: str, traced: bool = False, turns: Connection | None = None) -> dict:
    """Cluster the stream in `path` in this fresh process and measure its last `stretch` reports, CHUNK at a time,
    each when `turns` says go (where other sizes take turns with it)."""
    count, span_s = stream_span(path)
    learned = backend == SCORER
    settings = ClusterSettings(window_s=span_s + 3600, learned=learned)  # the window holds every report
    before_mb, peak_reset = current_rss_mb(), reset_peak_rss()
    if traced:
        tracemalloc.start()
    clusterer = Clusterer(settings, None if learned else load_embedder(backend))
    stream = read_stream(path)
    given = array("l")
    for report, _ in islice(stream, count - stretch):
        given.append(clusterer.add(report).story_id)
    stats_before, cpu_s, wall_s = counters(clusterer), 0.0, 0.0
    if turns:
        turns.send("ready")
    for _ in range(count - stretch, count, CHUNK):
        chunk = list(islice(stream, CHUNK))  # read before the clock starts
        if turns:
            turns.recv()
        wall_started, cpu_started = time.perf_counter(), time.process_time()
        assigned = [clusterer.add(report).story_id for report, _ in chunk]
        cpu_s, wall_s = cpu_s + time.process_time() - cpu_started, wall_s + time.perf_counter() - wall_started
        given.extend(assigned)
        if turns:
            turns.send("done")
    stats_after = counters(clusterer)
    traced_mb = round(tracemalloc.get_traced_memory()[0] / 2 ** 20, 1) if traced else None
    peak_mb = _status_mb("VmHWM:") if peak_reset else 0.0
    peak_mb = peak_mb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    growth_mb = max(peak_mb - before_mb, 0.0)
    labels = [label for _, label in read_stream(path)]
    scores = bcubed({str(n): label for n, label in enumerate(labels)}, {str(n): s for n, s in enumerate(given)})
    return {
        "reports": count, "stories_made": len(set(given)), "stories_drawn": len(set(labels)),
        "measured": stretch, "items_per_s": round(stretch / wall_s, 1),
        "cpu_ms_per_report": round(1000 * cpu_s / stretch, 3),
        "candidates_per_report": per_report(stats_before, stats_after, "candidate", stretch),
        "postings_per_report": per_report(stats_before, stats_after, "posting", stretch),
        "counters_per_report": {k: round((v - (stats_before or {}).get(k, 0)) / stretch, 1)
                                for k, v in (stats_after or {}).items()},
        "stories_in_window": len(clusterer.stories), "index_terms": len(clusterer.index),
        "rss_before_mb": round(before_mb, 1), "peak_rss_mb": round(peak_mb, 1),
        "rss_growth_mb": round(growth_mb, 1), "bytes_per_report_est": round(growth_mb * 2 ** 20 / count),
        "traced_mb": traced_mb,
        "bcubed": {"precision": round(scores.precision, 3), "recall": round(scores.recall, 3),
                   "f1": round(scores.f1, 3)},
    }


def measure_in_turns(turns: Connection, path: Path, stretch: int, backend: str) -> None:
    turns.send(measure(path, stretch, backend, turns=turns))


def side_by_side(streams: list[tuple[Path, int]], backend: str) -> list[dict]:
    """Each (stream, stretch) measured in a process of its own, all windows built first, then the stretches
    CHUNK reports at a time, the sizes taking turns (A B C A B C ...): a drift in the machine's speed moves
    them all alike."""
    context = multiprocessing.get_context("spawn")
    links, processes = [], []
    for path, stretch in streams:
        here, there = context.Pipe()
        processes.append(context.Process(target=measure_in_turns, args=(there, path, stretch, backend)))
        processes[-1].start()
        links.append(here)
    try:
        for link in links:
            link.recv()  # its window is built
        for turn in range(math.ceil(max(stretch for _, stretch in streams) / CHUNK)):
            for link, (_, stretch) in zip(links, streams, strict=True):
                if turn * CHUNK < stretch:
                    link.send("go")
                    link.recv()
        measured = [link.recv() for link in links]
    except EOFError:
        sys.exit("clustering: a measuring process failed (its error is above)")
    for process in processes:
        process.join()
    return measured


def in_child(function, *args):
    """function(*args) in a fresh process, so that its memory figures are its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def run(stream: str, sizes: list[int], stretch: int, seed: int, backend: str, traced: bool) -> dict:
    figures: dict = {"stream": stream, "seed": seed, "backend": backend, "measured_last": stretch, "sizes": {}}
    with tempfile.TemporaryDirectory() as folder:
        streams = []
        for size in sizes:
            path = Path(folder) / f"{size}.jsonl"
            count = in_child(write_newsday if stream == "newsday" else write_old, size, seed, path)
            streams.append((path, max(1, min(stretch, count))))
        print(f"  streams written; measuring {len(sizes)} sizes side by side", file=sys.stderr)
        for size, measured in zip(sizes, side_by_side(streams, backend), strict=True):
            figures["sizes"][str(size)] = measured
        for size, (path, measured_last) in zip(sizes, streams, strict=True):
            if traced:  # a run of its own: tracing slows the clusterer several times over
                traced_run = in_child(measure, path, measured_last, backend, True)
                figures["sizes"][str(size)]["traced_mb"] = traced_run["traced_mb"]
    first, last = figures["sizes"][str(sizes[0])], figures["sizes"][str(sizes[-1])]
    figures["cost_ratio"] = round(last["cpu_ms_per_report"] / first["cpu_ms_per_report"], 2)
    figures["f1_change"] = round(last["bcubed"]["f1"] - first["bcubed"]["f1"], 3)
    return figures


def report(figures: dict) -> str:
    """The figures as printed (and recorded)."""
    def shown(value, unit: str = "") -> str:
        return "n/a" if value is None else f"{value:,}{unit}"

    sizes = figures["sizes"]
    lines = [f"clusterer, {figures['backend']} backend, {figures['stream']} stream (seed {figures['seed']}); the "
             f"window holds every report; each size's last {figures['measured_last']:,} reports measured"]
    header = ("reports", "items/s", "CPU ms/report", "candidates/report", "postings/report", "peak RSS MB",
              "RSS growth MB", "bytes/report (est.)", "traced MB", "BCubed P / R / F1", "stories made / drawn")
    lines.append(" | ".join(header))
    for f in sizes.values():
        b = f["bcubed"]
        lines.append(" | ".join((
            f"{f['reports']:,}", shown(f["items_per_s"]), f"{f['cpu_ms_per_report']:.3f}",
            shown(f["candidates_per_report"]), shown(f["postings_per_report"]), shown(f["peak_rss_mb"]),
            shown(f["rss_growth_mb"]), shown(f["bytes_per_report_est"]), shown(f["traced_mb"]),
            f"{b['precision']:.3f} / {b['recall']:.3f} / {b['f1']:.3f}", f"{f['stories_made']:,} / "
            f"{f['stories_drawn']:,}")))
    counted = {k for f in sizes.values() for k in f["counters_per_report"]}
    if counted:
        lines.append("clusterer's counters per report: " + "; ".join(
            f"{k} " + " / ".join(shown(f["counters_per_report"].get(k)) for f in sizes.values())
            for k in sorted(counted)))
    first, last = list(sizes.values())[0], list(sizes.values())[-1]
    targets = (first["reports"], last["reports"]) == (SIZES[0], SIZES[-1])  # the targets are for these
    lines.append(f"cost per report at {last['reports']:,} over that at {first['reports']:,}: {figures['cost_ratio']}x"
                 + (" (target <= 1.5x)" * targets) + f"; BCubed F1 {first['bcubed']['f1']:.3f} -> "
                 f"{last['bcubed']['f1']:.3f} ({figures['f1_change']:+.3f}" + ("; target: within 0.02" * targets) + ")")
    lines.append("stories in the window at the end: "
                 + ", ".join(f"{f['stories_in_window']:,}" for f in sizes.values()))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="reports in the window, comma-separated, smallest first (default 2000,20000,100000)")
    parser.add_argument("--measure", type=int, default=1000, metavar="N",
                        help="measure each size's last N reports (default 1000)")
    parser.add_argument("--stream", choices=("newsday", "old"), default="newsday",
                        help="newsday: the realistic news day (default); old: the earlier synthetic stream")
    parser.add_argument("--seed", type=int, help="the stream's seed (default 1; the old stream's 7)")
    parser.add_argument("--backend", choices=(SCORER, *DEDUP_BACKENDS), default=SCORER,
                        help="\"scorer\": monitor's default, the fitted scorer deciding; or the hand-written rules "
                             "with that [dedup] backend (eval-clusters --rules) (default: %(default)s)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure the memory Python allocates for the clusterer (tracemalloc, a slow "
                             "second run of each size)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 400 and 2,000 reports, the last 200 measured")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    results.add_flag(parser)
    args = parser.parse_args()
    sizes, stretch = ([400, 2000], 200) if args.quick else (sorted(map(int, args.sizes.split(","))), args.measure)
    seed = args.seed if args.seed is not None else 1 if args.stream == "newsday" else 7
    figures = run(args.stream, sizes, stretch, seed, args.backend, args.tracemalloc)
    printed = report(figures)
    if not args.no_record:
        results.record(f"clustering: {args.stream} stream, {args.backend} backend", printed)
    print(json.dumps(figures, indent=1) if args.json else printed, end="" if not args.json else "\n")


if __name__ == "__main__":
    main()
