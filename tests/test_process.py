"""`monitor run` and `poll-once` as processes: a hard kill, Ctrl-C and SIGTERM, two of them on one database.

Real subprocesses against loopback feeds and a SQLite file in tmp_path; process trees read from /proc.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import write_config
from tests.fakes.feed_builder import entry, rss2
from tests.fakes.feed_server import Route

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process trees from /proc")


def write_feeds_config(tmp_path: Path, server, paths: dict[str, str], parse_processes: int = 2) -> Path:
    """A config polling each path of `server` at its interval, with worker processes for parsing."""
    sources = "".join(f'[[sources]]\nkind = "feed"\nurl = "{server.url(p)}"\nname = "{p.strip("/")}"\n'
                      f'interval = "{interval}"\n' for p, interval in paths.items())
    return write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\njitter = 0\n'
                                  f'timeout = "25s"\nparse_processes = {parse_processes}\n{sources}')


class Monitor:
    """`python -m monitor ARGS` in its own session (as a terminal's job), its output collected by threads."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("MONITOR_TELEGRAM_TOKEN", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "monitor", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
        self.pid = self.proc.pid
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait(self, timeout_s: float) -> int:
        code = self.proc.wait(timeout=timeout_s)
        for reader in self._readers:
            reader.join(timeout=5)
        return code

    def stop(self) -> None:
        """Kill what is left of it (a failed test), by pid."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def db_count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def clustered_items(db: Path) -> int:
    return db_count(db, "SELECT count(*) FROM items WHERE story_id IS NOT NULL")


def process_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, start time) of every process, from /proc/*/stat."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text.rpartition(")")[2].split()  # after the command name, which may hold spaces
        table[int(stat.parent.name)] = (int(fields[1]), fields[0], fields[19])
    return table


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, with its start time (so a reused pid is not mistaken for it)."""
    table = process_table()
    found: dict[int, str] = {}
    parents = {pid}
    while parents:
        children = {p for p, (ppid, _, _) in table.items() if ppid in parents and p not in found}
        found.update({p: table[p][2] for p in children})
        parents = children
    return found


def alive(processes: dict[int, str]) -> list[int]:
    table = process_table()
    return [p for p, start in processes.items() if p in table and table[p][2] == start and table[p][1] != "Z"]


def test_a_hard_kill_leaves_no_process_behind(tmp_path, feed_server):
    feed_server.set("/a", rss2([entry(1), entry(2)]))
    feed_server.set("/b", rss2([entry(3, base="https://b.example")]))
    cfg = write_feeds_config(tmp_path, feed_server, {"/a": "1s", "/b": "1s"}, parse_processes=2)
    monitor = Monitor("run", "-c", str(cfg))
    started: dict[int, str] = {}
    try:
        assert wait_until(lambda: clustered_items(tmp_path / "m.db") == 3, 30), monitor.err
        started = descendants(monitor.pid)
        assert started, "parse_processes = 2 parses in worker processes"
        os.kill(monitor.pid, signal.SIGKILL)
        monitor.wait(10)
        wait_until(lambda: not alive(started), 5)
        assert alive(started) == [], "left running after the main process was killed"
    finally:
        monitor.stop()
        for pid in alive(started):
            os.kill(pid, signal.SIGKILL)


def hanging_route(arrived: threading.Event, body: str) -> Callable[[str], Route]:
    def route(path: str) -> Route:
        arrived.set()
        return Route(body=body.encode(), delay_s=30)  # longer than the test, shorter than polling.timeout
    return route


@pytest.mark.parametrize("command, signum, to_group", [
    ("run", signal.SIGINT, True),  # Ctrl-C in a terminal signals the whole process group
    ("run", signal.SIGTERM, False),
    ("poll-once", signal.SIGINT, True),
    ("poll-once", signal.SIGTERM, False),
])
def test_a_signal_stops_at_once_in_one_line_keeping_what_was_stored(tmp_path, feed_server, command, signum,
                                                                    to_group):
    feed_server.set("/fast", rss2([entry(1), entry(2)]))
    arrived = threading.Event()
    feed_server.set_dynamic("/hang", hanging_route(arrived, rss2([entry(3, base="https://hang.example")])))
    cfg = write_feeds_config(tmp_path, feed_server, {"/fast": "10m", "/hang": "10m"})
    db = tmp_path / "m.db"
    monitor = Monitor(command, "-c", str(cfg))
    started: dict[int, str] = {}
    try:
        assert wait_until(lambda: clustered_items(db) == 2 and arrived.is_set(), 30), monitor.err
        time.sleep(0.3)  # what it wrote before the signal is read
        before = len(monitor.err)
        started = descendants(monitor.pid)
        (os.killpg if to_group else os.kill)(monitor.pid, signum)
        signalled = time.monotonic()
        code = monitor.wait(20)
        stop_s = time.monotonic() - signalled
        wait_until(lambda: not alive(started), 3)
        assert alive(started) == [], "left running after it stopped"
    finally:
        monitor.stop()
        for pid in alive(started):
            os.kill(pid, signal.SIGKILL)
    err = "\n".join(monitor.err)
    assert "Traceback" not in err and "CancelledError" not in err, err
    assert 1 <= len(monitor.err[before:]) <= 2, err
    assert code == (0 if command == "run" else 128 + signum), err
    assert stop_s < 3, f"stopped {stop_s:.1f} s after the signal"
    assert db_count(db, "SELECT count(*) FROM items") == 2
    assert db_count(db, "SELECT count(*) FROM items WHERE story_id IS NULL") == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    feed_server.set("/hang", rss2([entry(3, base="https://hang.example")]))  # it answers now: the next pass works
    again = Monitor("poll-once", "-c", str(cfg))
    try:
        assert again.wait(30) == 0, again.err
    finally:
        again.stop()
    assert again.out[-1] == "total: 1 new item from 2 sources, 0 with errors", again.out


def test_a_second_poller_on_the_same_database_refuses_in_one_line(tmp_path, feed_server, capsys):
    feed_server.set("/a", rss2([entry(1)]))
    cfg = str(write_feeds_config(tmp_path, feed_server, {"/a": "1s"}, parse_processes=1))
    first = Monitor("run", "-c", cfg)
    second = third = None
    try:
        assert wait_until(lambda: len(feed_server.hits_for("/a")) >= 1, 30), first.err
        second = Monitor("run", "-c", cfg)
        assert second.wait(30) == 2, second.err
        assert len(second.err) == 1 and f"pid {first.pid}" in second.err[0], second.err
        assert second.err[0].startswith("monitor: storage: "), second.err

        # Another command that polls is refused alike; reading commands work meanwhile.
        assert main(["poll-once", "-c", cfg]) == 2
        assert f"pid {first.pid}" in capsys.readouterr().err
        assert main(["sources", "list", "-c", cfg]) == 0
        assert "ok " in capsys.readouterr().out
        assert main(["digest", "--print", "-c", cfg]) == 0

        os.kill(first.pid, signal.SIGKILL)  # a crash frees the database
        first.wait(10)
        polls = len(feed_server.hits_for("/a"))
        third = Monitor("run", "-c", cfg)
        assert wait_until(lambda: len(feed_server.hits_for("/a")) > polls, 30), third.err
        third.proc.send_signal(signal.SIGTERM)
        assert third.wait(20) == 0, third.err
    finally:
        for monitor in (first, second, third):
            if monitor:
                monitor.stop()


@pytest.mark.parametrize("delay_s", [0.15, 0.3, 0.6])
def test_a_ctrl_c_while_the_program_loads_ends_it_quietly(tmp_path, feed_server, delay_s):
    feed_server.set("/a", rss2([entry(1)]))
    cfg = str(write_feeds_config(tmp_path, feed_server, {"/a": "1s"}, parse_processes=1))
    monitor = Monitor("run", "-c", cfg)
    try:
        time.sleep(delay_s)  # still importing, or starting: there is no handler of ours yet, or just one
        os.killpg(monitor.pid, signal.SIGINT)
        # 130: stopped while loading; 0: stopped once started; killed by the signal itself (the shell shows
        # 130 too) when it comes before the interpreter has started at all, on a busy machine
        assert monitor.wait(20) in (0, 130, -signal.SIGINT), monitor.err
        assert not [line for line in monitor.err if "Traceback" in line or "KeyboardInterrupt" in line], monitor.err
    finally:
        monitor.stop()
