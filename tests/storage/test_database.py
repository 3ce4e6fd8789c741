"""The database: migrations, its one thread, write transactions between processes."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlite_utils

from monitor.models import SourceSpec
from monitor.storage import items
from monitor.storage.database import StoreError, connect
from monitor.storage.migrations import MIGRATIONS
from monitor.storage.store import Store
from tests.storage.conftest import NOW, as_before_migration_0011, item, sql


async def test_migrations_are_named_recorded_and_run_once(tmp_path):
    path = tmp_path / "m.db"
    await (await Store.open(path)).close()
    store = await Store.open(path)  # reopening applies nothing again
    assert [r[0] for r in sql(path, "SELECT name FROM _migrations ORDER BY name")] == [name for name, _ in MIGRATIONS]
    assert sql(path, "PRAGMA journal_mode") == [("wal",)]
    await store.close()


def test_a_start_with_nothing_to_migrate_does_not_load_the_migration_library(tmp_path):
    # sqlite-utils (and what it imports: dateutil, numpy where installed) was a fifth of an all-304 poll's start
    path = tmp_path / "m.db"
    probe = ("import sys; from monitor.storage.database import connect; connect(sys.argv[1]).close(); "
             "print(' '.join(m for m in ('sqlite_utils', 'dateutil', 'numpy') if m in sys.modules))")
    checkout = Path(__file__).parents[2]  # the code under test, wherever pytest runs from
    loaded = [subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True,
                             cwd=checkout).stdout.split() for _ in range(2)]
    assert "sqlite_utils" in loaded[0]  # the first start made the tables with it
    assert loaded[1] == []
    assert [r[0] for r in sql(path, "SELECT name FROM _migrations ORDER BY name")] == [name for name, _ in MIGRATIONS]


async def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open .*junk.db \(file is not a database\); check"):
        await Store.open(path)


async def test_store_runs_on_one_thread_and_keeps_the_loop_free(tmp_path, monkeypatch):
    store = await Store.open(tmp_path / "m.db")
    await store.sources.sync([SourceSpec("feed", "https://a/", "A")], NOW)
    threads = set()
    original = items.same_report

    def spy(*args):
        threads.add(threading.get_ident())
        return original(*args)

    monkeypatch.setattr(items, "same_report", spy)
    batches = [[item(b * 100 + n) for n in range(100)] for b in range(20)]
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    tick = asyncio.create_task(ticker())
    results = await asyncio.gather(*(store.items.insert(1, batch, NOW) for batch in batches))
    tick.cancel()
    assert sum(len(r) for r in results) == 2000
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert ticks > 0  # the event loop kept running while SQLite worked
    await store.close()


async def test_two_writers_at_once_wait_for_each_other(tmp_path):
    # Two stores on one file, each with its own connection and thread: like a second monitor process.
    path = tmp_path / "m.db"
    first, second = await Store.open(path), await Store.open(path)
    await first.sources.sync([SourceSpec("feed", "https://a/", "A"), SourceSpec("feed", "https://b/", "B")], NOW)

    async def write(store: Store, source_id: int) -> None:
        for b in range(30):
            await store.items.insert(source_id, [item(b * 10 + n) for n in range(10)], NOW)

    await asyncio.gather(write(first, 1), write(second, 2))
    assert await second.items.count(1) == 300 and await first.items.count(2) == 300
    await first.close()
    await second.close()


def test_two_processes_opening_an_old_database_at_once_apply_its_migration_once(tmp_path):
    # The other process applies migration 0011 while this one waits for the write lock to apply it:
    # this one then finds it applied, instead of failing on "table source_ids already exists".
    path = tmp_path / "m.db"
    connect(path).close()
    as_before_migration_0011(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    opened: list = []

    def open_store() -> None:
        try:
            connect(path).close()
            opened.append("opened")
        except Exception as exc:  # reported below, not lost in the thread
            opened.append(exc)

    waiting = threading.Thread(target=open_store)
    waiting.start()
    waiting.join(0.5)  # it has read which migrations the file had and waits for the lock
    dict(MIGRATIONS)["0011_source_ids_not_reused"](sqlite_utils.Database(other))
    other.execute("INSERT INTO _migrations (name, applied_at) VALUES ('0011_source_ids_not_reused', '')")
    other.execute("COMMIT")
    waiting.join()
    other.close()
    assert opened == ["opened"]
    connect(path).close()
    assert [r[0] for r in sql(path, "SELECT name FROM _migrations ORDER BY name")] == [n for n, _ in MIGRATIONS]



def test_the_lock_is_the_databases_whatever_path_names_it(tmp_path):
    # A symbolic link, or a relative path, to the database a poller runs on is the same database.
    from monitor.storage.database import DatabaseBusy, DatabaseLock

    (tmp_path / "real.db").touch()
    (tmp_path / "link.db").symlink_to(tmp_path / "real.db")
    held = DatabaseLock.acquire(tmp_path / "real.db")
    try:
        with pytest.raises(DatabaseBusy, match=r"pid \d+"):
            DatabaseLock.acquire(tmp_path / "link.db")
    finally:
        held.release()
    DatabaseLock.acquire(tmp_path / "link.db").release()  # free again once released


def test_text_stored_by_older_versions_loses_its_control_characters(tmp_path):
    # Before sources' text was stripped where it is parsed, titles kept escape sequences and line breaks.
    path = tmp_path / "old.db"
    conn = connect(path)
    conn.execute("DELETE FROM _migrations WHERE name = '0012_source_text_without_controls'")
    conn.execute("INSERT INTO sources (id, kind, url, name, origin, enabled, added_at, error_count) "
                 "VALUES (1, 'feed', 'https://e.example/rss', ?, 'config', 1, '2023-06-24', 0)", ("BBC\nWorld",))
    conn.execute("INSERT INTO items (source_id, key, title, text, published_at, fetched_at) VALUES "
                 "(1, 'k', ?, ?, '2023-06-24T06:00:00+00:00', '2023-06-24T06:00:00+00:00')",
                 ("Evil\x1b]0;pwned\x07 title\nsecond \u202eline", "Para one\x1b[31m\n\nPara two\x07"))
    conn.close()
    conn = connect(path)
    assert conn.execute("SELECT title, text FROM items").fetchone() == ("Evil title second line",
                                                                       "Para one\n\nPara two")
    assert conn.execute("SELECT name FROM sources").fetchone() == ("BBC World",)
    conn.close()


def test_vectors_stored_by_an_earlier_reading_of_words_are_dropped_to_be_read_again(tmp_path):
    # Their terms would not meet the terms reports are read to now (Crimea was "crime", Крым "krim"); the start
    # reads a report without a vector again (tests/services/test_dedup.py: the scorer's restart, vectors read again).
    path = tmp_path / "old.db"
    conn = connect(path)
    conn.execute("DELETE FROM _migrations WHERE name = '0013_item_terms_read_again'")
    conn.execute("INSERT INTO sources (id, kind, url, name, origin, enabled, added_at, error_count) "
                 "VALUES (1, 'feed', 'https://e.example/rss', 'E', 'config', 1, '2023-06-24', 0)")
    conn.execute("INSERT INTO items (source_id, key, title, text, published_at, fetched_at, term_vector, lang) VALUES "
                 "(1, 'k', 'Crimea bridge', 'Text', '2023-06-24T06:00:00+00:00', '2023-06-24T06:00:00+00:00', ?, 'en')",
                 (b"crime\n~bridge\0",))
    conn.close()
    conn = connect(path)
    assert conn.execute("SELECT title, term_vector, lang FROM items").fetchone() == ("Crimea bridge", None, "en")
    conn.close()
