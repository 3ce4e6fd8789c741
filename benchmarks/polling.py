"""Polling on loopback, side by side with the bare loop: `monitor poll-once` over N feeds of M reports.

The feeds (default 1,000 x 50) carry a seeded 48-hour news day (benchmarks/newsday.py) and are served on
loopback by a feed server in a process of its own (ETag honoured). Each round runs, as fresh processes:
  A. the first pass: `monitor poll-once` on a fresh database (start-up, fetch, parse, store, cluster);
  B. the bare loop: fetch each feed in turn and parse it with feedparser, storing nothing (the least work a
     first pass could be);
  C. the second pass: `monitor poll-once` again on the database A filled, every feed answering 304, with the
     window full (the dedup window holds the whole day, 50,000 reports by default): its whole time, start-up
     included, and its start-up alone, from the process's start to the first request the feed server sees.
A and B alternate (A B A B ...) and their ratio is taken round by round, in wall and in CPU seconds (of every
process a run starts: parse workers and the clusterer's process included), so that the shared machine's drift in
speed moves both alike; the medians close the report. Peak RSS is that of a run's largest process. Where a first
pass's time goes: each process's CPU is sampled from /proc every half second, and the last moment its parse workers
were busy ends the fetching and parsing (the bare loop's work); after it, its busiest worker (the clusterer's
process) works off its backlog alone. The CPU of the clusterer's process, the main process, the parse workers, and
the forkserver they are started from with multiprocessing's resource tracker is printed as last sampled (up to
half a second short of each one's end). One process clusters every report in turn, so the clusterer's CPU over
the bare loop's wall is the least the first pass could reach.

--stream old: the earlier feeds instead (entries of one template whose titles repeat across feeds).

    python benchmarks/polling.py                                   # 1,000 feeds x 50, 3 rounds
    python benchmarks/polling.py --feeds 200 --rounds 5 --no-record
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import multiprocessing
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import newsday, results  # noqa: E402
from tests.fakes.feed_builder import entry, rss2  # noqa: E402
from tests.fakes.feed_server import FeedServer  # noqa: E402

# The bare loop, in a process of its own that imports nothing else: one reused connection, the feedparser
# options monitor uses (so the gap is monitor's own work), nothing stored.
BARE_LOOP = """
import sys
import feedparser, httpx
entries = 0
with httpx.Client(timeout=60) as client:
    for n in range(int(sys.argv[2])):
        entries += len(feedparser.parse(client.get(f"{sys.argv[1]}/feed/{n}").content, sanitize_html=False).entries)
print(entries)
"""


class TimedFeedServer(FeedServer):
    """The feed server, noting when each request arrived (time.monotonic: one clock for every process here)."""

    def __init__(self) -> None:
        super().__init__()
        self.timed: list[tuple[float, int, int]] = []  # (arrived, status, body bytes)

    def handle(self, h) -> None:
        h.arrived = time.monotonic()
        super().handle(h)

    def _record(self, path: str, handler, status: int, size: int) -> None:
        with self._lock:
            self.timed.append((handler.arrived, status, size))

    def since(self, moment: float) -> dict:
        """The requests that arrived after `moment`: the first one's time, their statuses and body bytes."""
        with self._lock:
            hits = [hit for hit in self.timed if hit[0] >= moment]
        return {"first": min((arrived for arrived, _, _ in hits), default=None),
                "statuses": dict(Counter(status for _, status, _ in hits)), "bytes": sum(size for *_, size in hits)}


def feed_bodies(stream: str, feeds: int, per_feed: int, seed: int) -> dict[str, bytes]:
    if stream == "newsday":
        return newsday.feeds(newsday.reports(seed, feeds, per_feed))
    return {f"/feed/{f}": rss2([entry(n, base=f"https://outlet{f}.example.org") for n in range(per_feed)],
                                title=f"Outlet {f}").encode() for f in range(feeds)}


def serve(stream: str, feeds: int, per_feed: int, seed: int, commands, answers) -> None:
    """The feed server process: answers on loopback until told to stop; tells what arrived since a moment."""
    server = TimedFeedServer()
    for path, body in feed_bodies(stream, feeds, per_feed, seed).items():
        server.set(path, body)
    server.start()
    answers.put(server.port)
    while (command := commands.get())[0] != "stop":
        answers.put(server.since(command[1]))
    server.stop()


PR_SET_CHILD_SUBREAPER = 36  # prctl: orphaned descendants are given to this process instead of init


def adopt_orphans() -> None:
    """Have the processes a run leaves behind given to this one (Linux), so that their CPU time is counted:
    monitor's workers (parsers, the clusterer) are children of its forkserver, which may exit before them."""
    with contextlib.suppress(OSError, AttributeError):  # elsewhere: what the run's process waited for is counted
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[int, float]]:
    """Every process's (parent, CPU seconds so far), from /proc (none where there is no /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rpartition(")")[2].split()
            found[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return found


def children(keep: set[int]) -> list[int]:
    """This process's children, those in `keep` left out."""
    return [pid for pid, (parent, _) in _processes().items() if parent == os.getpid() and pid not in keep]


def reap_orphans(keep: set[int], timeout_s: float = 10.0) -> float:
    """Wait for the processes a run left to this one; the largest peak RSS among them, in MB."""
    peak_kb, deadline = 0, time.monotonic() + timeout_s
    while (left := children(keep)) and time.monotonic() < deadline:
        for pid in left:
            try:
                reaped, _, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if reaped:
                peak_kb = max(peak_kb, usage.ru_maxrss)
        time.sleep(0.02)
    return peak_kb / 1024


SAMPLE_S = 0.5  # how often a run's processes' CPU is read


def sample_cpu(root: int, started: float, done: threading.Event
               ) -> tuple[list[tuple[float, dict[int, float]]], dict[int, int]]:
    """Until `done`, and once more then: the CPU seconds of `root` and its descendants, every SAMPLE_S, with the time
    since `started`; and each one's parent as first seen. The last sample is taken after `root` ended, of the processes
    seen before that are still there (running, or ended and not yet reaped); one never seen before is left out, since
    where it was started from cannot be told any more."""
    samples: list[tuple[float, dict[int, float]]] = []
    parents: dict[int, int] = {root: 0}
    ended = False
    while not ended:
        ended = done.wait(SAMPLE_S)
        now = _processes()
        grew = True
        while grew:  # a worker is a child of the forkserver, itself a child of the run's process
            grew = False
            for pid, (parent, _) in now.items():
                if parent in parents and pid not in parents:
                    parents[pid] = parent
                    grew = True
        samples.append((time.monotonic() - started, {pid: now[pid][1] for pid in parents if pid in now}))
    return samples, parents


def phases(samples: list[tuple[float, dict[int, float]]], parents: dict[int, int], root: int) -> dict:
    """From a run's CPU samples: the last moment a worker other than the busiest one (the parse workers, not the
    clusterer's process) was busy, and the CPU seconds of the busiest worker, of the other workers together, of the
    run's own process, and of its other processes (the forkserver the workers are started from, multiprocessing's
    resource tracker). Workers are the processes the run's children started (the forkserver's children). Each as
    last sampled, up to SAMPLE_S before its end (a worker the forkserver reaps between two samples is not read
    again). The workers' figures are None where none was seen."""
    final: dict[int, float] = {}
    for _, cpu in samples:
        final.update(cpu)
    workers = [pid for pid in final if parents.get(pid) not in (0, root, None)]
    helpers = [pid for pid in final if parents.get(pid) == root]

    def cpu_of(pids: list[int]) -> float:
        return round(sum(map(final.__getitem__, pids)), 1)

    figures = {"main_cpu_s": round(final.get(root, 0.0), 1), "helpers_cpu_s": cpu_of(helpers)}
    if not workers:
        return {**figures, "parsed_by_s": None, "busiest_cpu_s": None, "others_cpu_s": None}
    busiest = max(workers, key=final.__getitem__)
    others = [pid for pid in workers if pid != busiest]
    parsed_by = None
    for (_, before), (moment, cpu) in pairwise(samples):
        if sum(cpu[pid] - before[pid] for pid in others if pid in cpu and pid in before) > 0.05:
            parsed_by = moment
    return {**figures, "parsed_by_s": None if parsed_by is None else round(parsed_by, 1),
            "busiest_cpu_s": cpu_of([busiest]), "others_cpu_s": cpu_of(others)}


def run_timed(command: list[str], env: dict, keep: set[int]) -> dict:
    """Run a command to its end: its wall and CPU seconds (of every process it started, however they ended), the
    largest peak RSS among its processes, its output, and its phases (`phases`). `keep`: this process's children
    that are not the run's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        done, sampled = threading.Event(), []
        sampler = threading.Thread(target=lambda: sampled.append(sample_cpu(process.pid, started, done)))
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall_s = time.monotonic() - started
        done.set()
        sampler.join()
        peak_mb = max(usage.ru_maxrss / 1024, reap_orphans(keep))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            sys.exit(f"polling: {' '.join(command[:4])} … exited with {process.returncode}:\n"
                     + err.read().decode(errors="replace")[-3000:])
        cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return {"started": started, "wall_s": round(wall_s, 2), "cpu_s": round(cpu_s, 2),
                "peak_rss_mb": round(peak_mb, 1), "stdout": out.read().decode(),
                **phases(*(sampled[0] if sampled else ([], {})), process.pid)}  # no samples: the sampler failed


def write_config(folder: Path, root: str, feeds: int, args: argparse.Namespace, window_h: float) -> Path:
    lines = ["[storage]", f'path = "{folder / "bench.db"}"', "[polling]", f"concurrency = {args.concurrency}",
             f"parse_processes = {args.parse_processes}", 'timeout = "60s"', "[dedup]",
             f'window = "{window_h:g}h"  # holds the whole day']
    for f in range(feeds):
        lines += ["[[sources]]", 'kind = "feed"', f'url = "{root}/feed/{f}"']
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_round(root: str, args: argparse.Namespace, env: dict, ask, keep: set[int]) -> dict:
    """A (first pass), B (the bare loop), C (the second pass), each a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), root, args.feeds, args, window_h=args.hours + 1)
        poll_once = [sys.executable, "-m", "monitor", "poll-once", "-c", str(config), "--json"]
        first = run_timed(poll_once, env, keep)
        first_seen = ask(first["started"])
        bare = run_timed([sys.executable, "-c", BARE_LOOP, root, str(args.feeds)], env, keep)
        bare_seen = ask(bare["started"])
        second = run_timed(poll_once, env, keep)
        second_seen = ask(second["started"])
        with sqlite3.connect(Path(tmp) / "bench.db") as db:
            stored, clustered = db.execute("SELECT count(*), count(story_id) FROM items").fetchone()
    polled = [json.loads(run["stdout"]) for run in (first, second)]
    return {
        "first": {**_figures(first, first_seen), "new": polled[0]["new_items"],
                  "errors": sum(1 for s in polled[0]["sources"] if s["error"])},
        "bare": {**_figures(bare, bare_seen), "entries": int(bare["stdout"])},
        "second": {**_figures(second, second_seen), "new": polled[1]["new_items"],
                   "errors": sum(1 for s in polled[1]["sources"] if s["error"])},
        "stored": stored, "clustered": clustered,
        "first_over_bare_wall": round(first["wall_s"] / bare["wall_s"], 2),
        "first_over_bare_cpu": round(first["cpu_s"] / bare["cpu_s"], 2),
    }


def _figures(run: dict, seen: dict) -> dict:
    return {"wall_s": run["wall_s"], "cpu_s": run["cpu_s"], "peak_rss_mb": run["peak_rss_mb"],
            "start_up_s": round(seen["first"] - run["started"], 2) if seen["first"] else None,
            **{key: run[key] for key in ("parsed_by_s", "busiest_cpu_s", "others_cpu_s", "main_cpu_s",
                                         "helpers_cpu_s")},
            "statuses": seen["statuses"], "bytes": seen["bytes"]}


def report(figures: dict) -> str:
    """The figures as printed (and recorded)."""
    rounds, medians = figures["rounds"], figures["medians"]
    lines = [f"{figures['feeds']:,} loopback feeds x {figures['per_feed']} reports, {figures['stream']} stream "
             f"(concurrency {figures['concurrency']}, parse_processes {figures['parse_processes'] or 'per core'}); "
             f"{len(rounds)} rounds, A and B alternating"]
    for n, r in enumerate(rounds, start=1):
        a, b, c = r["first"], r["bare"], r["second"]
        lines.append(
            f"round {n}: A first pass {a['wall_s']} s ({a['cpu_s']} CPU s, peak {a['peak_rss_mb']} MB, "
            f"{a['new']:,} new, {a['errors']} errors) | B bare loop {b['wall_s']} s ({b['cpu_s']} CPU s, "
            f"{b['entries']:,} entries) | A/B {r['first_over_bare_wall']}x wall, {r['first_over_bare_cpu']}x CPU")
        lines.append(
            f"         A fetched and parsed by {a['parsed_by_s']} s, then {_after(a)} s of its clusterer's backlog "
            f"alone; CPU s as last sampled: the clusterer's process {a['busiest_cpu_s']}, the main process "
            f"{a['main_cpu_s']}, the parse workers {a['others_cpu_s']}, the forkserver and resource tracker "
            f"{a['helpers_cpu_s']}; the clusterer's CPU alone is {_floor(r)}x the bare loop's wall (one process "
            "clusters every report in turn: the least this pass could take)")
        lines.append(
            f"         C second pass {c['wall_s']} s ({c['cpu_s']} CPU s, peak {c['peak_rss_mb']} MB, "
            + ", ".join(f"{count:,} x {status}" for status, count in sorted(c["statuses"].items()))
            + f", {c['new']} new) with {r['clustered']:,} reports in the window; start-up "
            f"{c['start_up_s']} s (with an empty window: {a['start_up_s']} s)")
    lines.append(
        f"median: first pass / bare loop {medians['first_over_bare_wall']}x wall, {medians['first_over_bare_cpu']}x "
        f"CPU (target <= 1.5x); second pass {medians['second_wall_s']} s (target < 2 s); start-up with a full "
        f"window {medians['start_up_full_s']} s (target < 2 s); peak RSS first pass {medians['first_peak_rss_mb']} MB,"
        f" second pass {medians['second_peak_rss_mb']} MB; the first pass fetched and parsed by "
        f"{medians['first_parsed_by_s']} s (the bare loop: {medians['bare_wall_s']} s), then "
        f"{medians['first_after_parsed_s']} s of clustering alone; the clusterer's CPU {medians['clusterer_floor']}x "
        "the bare loop's wall")
    return "\n".join(lines) + "\n"


def _floor(round_: dict) -> float | None:
    """The first pass's clusterer CPU seconds over the bare loop's wall: one process clusters every report in turn, so
    the first pass takes at least that long whatever runs beside it (None where it had no workers)."""
    busiest = round_["first"]["busiest_cpu_s"]
    return None if busiest is None else round(busiest / round_["bare"]["wall_s"], 2)


def _after(run: dict) -> float | None:
    """A run's seconds after its parse workers were last busy (None where it had none)."""
    return None if run["parsed_by_s"] is None else round(run["wall_s"] - run["parsed_by_s"], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds (default 1000)")
    parser.add_argument("--per-feed", "--items", type=int, default=50, help="reports per feed (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of A B (and C) (default 3)")
    parser.add_argument("--stream", choices=("newsday", "old"), default="newsday",
                        help="newsday: the realistic news day (default); old: the earlier feeds")
    parser.add_argument("--seed", type=int, default=1, help="the news day's seed (default 1)")
    parser.add_argument("--concurrency", type=int, default=16, help="polling.concurrency (default 16)")
    parser.add_argument("--parse-processes", type=int, default=0, help="polling.parse_processes (0 = per core)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    results.add_flag(parser)
    args = parser.parse_args()
    args.hours = 48.0  # the news day's span; the old feeds' fifty minutes fit in it too

    context = multiprocessing.get_context("spawn")
    commands, answers = context.Queue(), context.Queue()
    server = context.Process(target=serve, args=(args.stream, args.feeds, args.per_feed, args.seed, commands,
                                                 answers), daemon=True)
    server.start()
    lock = threading.Lock()

    def ask(moment: float) -> dict:
        with lock:
            commands.put(("since", moment))
            return answers.get(timeout=60)

    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}  # only the config file speaks
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        root = f"http://127.0.0.1:{answers.get(timeout=600)}"
        keep = set(children(set()))  # the feed server and what multiprocessing started for it
        adopt_orphans()
        rounds = []
        for n in range(args.rounds):
            rounds.append(one_round(root, args, env, ask, keep))
            print(f"  round {n + 1} of {args.rounds} done", file=sys.stderr)
    finally:
        commands.put(("stop",))
        server.join(timeout=10)

    def median(values: list) -> float | None:
        values = [v for v in values if v is not None]
        return round(statistics.median(values), 2) if values else None

    figures = {"stream": args.stream, "feeds": args.feeds, "per_feed": args.per_feed, "seed": args.seed,
               "concurrency": args.concurrency, "parse_processes": args.parse_processes, "rounds": rounds,
               "medians": {
                   "first_over_bare_wall": median([r["first_over_bare_wall"] for r in rounds]),
                   "first_over_bare_cpu": median([r["first_over_bare_cpu"] for r in rounds]),
                   **{f"{run}_{figure}": median([r[run][figure] for r in rounds])
                      for run in ("first", "bare", "second") for figure in ("wall_s", "cpu_s", "peak_rss_mb")},
                   "start_up_full_s": median([r["second"]["start_up_s"] for r in rounds]),
                   "start_up_empty_s": median([r["first"]["start_up_s"] for r in rounds]),
                   "first_parsed_by_s": median([r["first"]["parsed_by_s"] for r in rounds]),
                   "first_after_parsed_s": median([_after(r["first"]) for r in rounds]),
                   "clusterer_floor": median([_floor(r) for r in rounds])}}
    printed = report(figures)
    if not args.no_record:
        results.record(f"polling: loopback feeds, {args.stream} stream", printed)
    print(json.dumps(figures, indent=1) if args.json else printed, end="\n" if args.json else "")


if __name__ == "__main__":
    main()
