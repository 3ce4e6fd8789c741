"""What an operator sees: progress bars on a terminal (never in a pipe), lines cut to the terminal's width,
log lines that name sources, and a quiet `monitor run` that sums up instead of logging every poll."""

from __future__ import annotations

import asyncio
import fcntl
import io
import json
import logging
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor import app, terminal
from monitor.models import Story
from monitor.terminal import counted
from tests.conftest import make_settings, write_config
from tests.fakes.feed_builder import entry, rss2
from tests.test_cli import config_for

BAR = "%|"  # what every progress bar line shows between its percentage and the bar


def pty_pair(columns: int = 80) -> tuple[int, int]:
    """A pseudo-terminal of the given width: (the side we read, the side the program writes)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    return master, slave


def monitor_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_") and k not in ("COLUMNS", "LINES")}
    return {**env, "PYTHONUNBUFFERED": "1"}


def read_until_closed(master: int, proc: subprocess.Popen, deadline_s: float = 60, stop_after: str | None = None
                      ) -> str:
    """Everything written to the terminal until the program closes it; SIGTERM once `stop_after` is shown."""
    seen, deadline, stopped = b"", time.monotonic() + deadline_s, False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
        if stop_after and not stopped and stop_after.encode() in seen:
            proc.send_signal(signal.SIGTERM)
            stopped = True
    os.close(master)
    proc.wait(timeout=20)
    return seen.decode(errors="replace")


def run_monitor(args: list[str], *, stderr_tty: bool, stop_after: str | None = None) -> tuple[int, str]:
    """`monitor ARGS` with stderr on a terminal or a pipe; its exit status and what stderr showed."""
    command = [sys.executable, "-m", "monitor", *args]
    if not stderr_tty:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=monitor_env(), text=True)
        if stop_after:
            for line in proc.stderr:
                if stop_after in line:
                    proc.send_signal(signal.SIGTERM)
                    break
        err = proc.stderr.read()
        return proc.wait(timeout=60), err
    master, slave = pty_pair()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
                            env=monitor_env())
    os.close(slave)
    shown = read_until_closed(master, proc, stop_after=stop_after)
    return proc.returncode, shown


def many_feeds_opml(path: Path, count: int) -> Path:
    outlines = "".join(f'<outline type="rss" text="Feed {n}" xmlUrl="https://feed{n}.example/rss"/>'
                       for n in range(count))
    path.write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>')
    return path


# -- progress --------------------------------------------------------------------------------------

@pytest.mark.parametrize("stderr_tty", [True, False])
def test_import_of_many_feeds_shows_progress_on_a_terminal_only(tmp_path, stderr_tty):
    cfg = write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n')
    opml = many_feeds_opml(tmp_path / "many.opml", 300)
    code, err = run_monitor(["sources", "import-opml", str(opml), "-c", str(cfg)], stderr_tty=stderr_tty)
    assert code == 0, err
    assert (BAR in err and "importing" in err) is stderr_tty, err
    assert "Traceback" not in err


@pytest.mark.parametrize("stderr_tty,json_output", [(True, False), (False, False), (True, True)])
def test_poll_once_shows_progress_on_a_terminal_unless_json(tmp_path, feed_server, stderr_tty, json_output):
    paths = [f"/f{n}" for n in range(4)]
    for n, path in enumerate(paths):
        feed_server.set(path, rss2([entry(n, base=f"https://site{n}.example")]))
    cfg = config_for(tmp_path, feed_server, *paths)
    args = ["poll-once", "-c", str(cfg)] + (["--json"] if json_output else [])
    code, err = run_monitor(args, stderr_tty=stderr_tty)
    assert code == 0, err
    assert (BAR in err and "polling" in err) is (stderr_tty and not json_output), err


@pytest.mark.parametrize("stderr_tty,json_output", [(True, False), (False, False), (True, True)])
def test_eval_clusters_shows_progress_on_a_terminal_unless_json(tmp_path, stderr_tty, json_output):
    data = tmp_path / "day.jsonl"
    data.write_text("".join(json.dumps({"id": str(n), "cluster": str(n % 7), "title": f"Report {n} on event {n % 7}",
                                        "published": f"2023-06-24T{n % 24:02d}:00:00+00:00"}) + "\n"
                            for n in range(200)))
    code, err = run_monitor(["eval-clusters", str(data)] + (["--json"] if json_output else []), stderr_tty=stderr_tty)
    assert code == 0, err
    assert (BAR in err and "clustering" in err) is (stderr_tty and not json_output), err


@pytest.mark.parametrize("stderr_tty", [True, False])
def test_run_shows_progress_while_the_story_window_is_rebuilt(tmp_path, feed_server, stderr_tty):
    feed_server.set("/a", rss2([entry(n, title=f"Report {n}: a different event number {n} today") for n in range(60)]))
    cfg = config_for(tmp_path, feed_server, "/a")
    assert subprocess.run([sys.executable, "-m", "monitor", "poll-once", "-c", str(cfg)], capture_output=True,
                          env=monitor_env(), timeout=60).returncode == 0  # stories to rebuild on start
    code, err = run_monitor(["run", "-c", str(cfg)], stderr_tty=stderr_tty, stop_after="story window rebuilt")
    assert code == 0, err
    assert (BAR in err and "rebuilding" in err) is stderr_tty, err


# -- terminal width -------------------------------------------------------------------------------

def columns_of(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in line)


@pytest.mark.parametrize("stdout_tty", [True, False])
def test_sources_list_rows_are_cut_to_the_terminal_width(tmp_path, stdout_tty):
    cfg = write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n')
    name = "A very long source name that says a great deal about the source"
    url = "https://a-rather-long-host-name.example/with/a/long/path/to/the/feed.xml"
    assert subprocess.run([sys.executable, "-m", "monitor", "sources", "add", url, "--name", name, "--no-check",
                           "-c", str(cfg)],
                          capture_output=True, env=monitor_env(), timeout=60).returncode == 0
    command = [sys.executable, "-m", "monitor", "sources", "list", "-c", str(cfg)]
    if stdout_tty:
        master, slave = pty_pair(columns=50)
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL,
                                env=monitor_env())
        os.close(slave)
        out = read_until_closed(master, proc).replace("\r\n", "\n")
    else:
        out = subprocess.run(command, capture_output=True, text=True, env=monitor_env(), timeout=60).stdout
    first, second = out.splitlines()[:2]
    if stdout_tty:
        assert 45 <= columns_of(first) <= 50 and first.endswith("…") and first.startswith("   1  feed     A very long")
    else:
        assert name in first and "not polled yet" in first
    assert url in second  # an address is never cut: a cut one is no use


def story(headline: str, sources: tuple[str, ...], url: str) -> Story:
    at = datetime(2023, 6, 24, 6, 0, tzinfo=UTC)
    return Story(id=7, headline=headline, url=url, first_seen=at, last_seen=at, item_count=3, source_count=3,
                 languages=("en", "ru"), sources=sources)


async def test_story_lines_are_cut_to_the_terminal_width_keeping_the_link(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    master, slave = pty_pair(columns=80)
    long = story("Wagner fighters take control of military headquarters in Rostov-on-Don, Prigozhin says",
                 ("BBC World", "Meduza", "Reuters", "Новая газета", "The Guardian"), "https://bbc.example/news/1")
    cjk = replace(long, id=8, headline="東京で大規模な火災が発生、消防が消火活動を続けている現場から最新の情報")
    with open(slave, "w", encoding="utf-8", closefd=True) as out:
        await terminal.story_printer(out)(batch_of(long, cjk))
    shown, deadline = b"", time.monotonic() + 10
    while shown.count(b"\n") < 4 and time.monotonic() < deadline:  # a terminal hands over what it has so far
        if select.select([master], [], [], 0.5)[0]:
            shown += os.read(master, 65536)
    os.close(master)
    lines = shown.decode().replace("\r\n", "\n").splitlines()
    assert len(lines) == 4 and all(columns_of(line) <= 80 for line in lines), lines
    assert lines[0].endswith("…") and "Wagner fighters take" in lines[0]
    assert lines[1].endswith("  https://bbc.example/news/1") and "BBC World" in lines[1]
    assert lines[2].endswith("…") and "東京で" in lines[2]

    piped = io.StringIO()  # not a terminal: nothing is cut
    await terminal.story_printer(piped)(batch_of(long))
    assert long.headline in piped.getvalue() and "Новая газета" in piped.getvalue()


def batch_of(*stories: Story):
    from monitor.models import Source, StoryBatch

    return StoryBatch(Source(1, "feed", "https://bbc.example/rss", "BBC World", None), (), stories, {})


# -- what the log says ----------------------------------------------------------------------------

def test_quiet_run_names_failing_sources_and_sums_up_instead_of_logging_every_poll(tmp_path, feed_server):
    feed_server.set("/a", rss2([entry(1)]))
    feed_server.set("/bad", "down", status=500)
    cfg = config_for(tmp_path, feed_server, "/a", "/bad", interval="0.3s")
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "-c", str(cfg)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=monitor_env())
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(feed_server.hits_for("/a")) < 4:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert len(feed_server.hits_for("/a")) >= 4
    assert "new=" not in err and "seen=" not in err, err  # per-poll lines are debug lines now
    failing = [line for line in err.splitlines() if "WARNING" in line and "HTTP 500" in line]
    assert failing and all('source=2 "bad"' in line for line in failing), err
    summary = [line for line in err.splitlines() if " INFO run: stopped after" in line]
    assert len(summary) == 1, err
    assert "2 sources polled" in summary[0] and "2 sources polled" in summary[0] and "1 new item" in summary[0], summary
    assert "stories: 1 new, 0 grown" in summary[0], summary


async def test_run_writes_a_summary_periodically(tmp_path, feed_server, caplog, monkeypatch):
    monkeypatch.setattr(app, "SUMMARY_INTERVAL_S", 0.5, raising=False)
    feed_server.set("/a", rss2([entry(1), entry(2, title="A second and different event in another city")]))
    # polled within 2 s of the start (a source due at start waits up to 5 s, spread with the others), then not
    # again before the summary after its first poll
    settings = make_settings(tmp_path, [{"kind": "feed", "url": feed_server.url("/a"), "name": "Alpha",
                                         "interval": "2s"}])
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, logger="monitor")
    out = io.StringIO()
    running = asyncio.create_task(app.run(settings, stop, out=out))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any("summary" in r.getMessage() and "1 source polled" in r.getMessage()
                                                  for r in caplog.records):
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(running, 20)
    periodic = [r.getMessage() for r in caplog.records
                if r.getMessage().startswith("summary, last") and "1 source polled" in r.getMessage()]
    # it failed once (stop 40: "2 new items; stories: 1 new, 0 grown"), and not again in many runs: a failure shows
    # the stories the run printed beside the log pytest shows, so where the items went can be seen
    seen = f"{periodic}\nprinted:\n{out.getvalue()}"
    assert periodic and "1 source polled 1 time" in periodic[0] and "2 new items" in periodic[0], seen
    assert "stories: 2 new, 0 grown" in periodic[0], seen
    assert not [r for r in caplog.records if r.levelno == logging.INFO and "new=" in r.getMessage()]


def test_counts_on_the_terminal_take_the_english_plural():
    assert [counted(n, "source") for n in (0, 1, 2, 11, 21, 101)] == [
        "0 sources", "1 source", "2 sources", "11 sources", "21 sources", "101 sources"]
