import asyncio
import sqlite3
import threading
from datetime import UTC, datetime

import pytest
import sqlite_utils

from monitor.models import Item, SourceSpec
from monitor.storage.migrations import MIGRATIONS
from monitor.storage.store import Repository, Store, StoreError

NOW = datetime(2023, 6, 24, 12, 0, tzinfo=UTC)


def item(n: int, **over) -> Item:
    data = dict(key=f"guid:{n}", url=f"https://x.org/{n}", canonical_url=f"https://x.org/{n}", title=f"T{n}",
                text="", published_at=NOW, fingerprint="")
    data.update(over)
    return Item(**data)


def test_migrations_are_named_recorded_and_run_once(tmp_path):
    path = tmp_path / "m.db"
    Repository(path).close()
    repo = Repository(path)  # reopening applies nothing again
    names = [r[0] for r in repo.conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [name for name, _ in MIGRATIONS]
    assert repo.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    repo.close()


def test_database_enforces_one_item_per_source_and_key(tmp_path):
    repo = Repository(tmp_path / "m.db")
    repo.sync_sources([SourceSpec("feed", "https://a/", "A")], NOW)
    assert len(repo.insert_items(1, [item(1), item(2)], NOW)) == 2
    assert [s.item.key for s in repo.insert_items(1, [item(2), item(3)], NOW)] == ["guid:3"]
    with pytest.raises(sqlite3.IntegrityError):
        repo.conn.execute("INSERT INTO items (source_id, key, published_at, fetched_at) VALUES (1, 'guid:1', '', '')")
    assert repo.count_items() == 3
    repo.close()


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open .*junk.db \(file is not a database\); check"):
        Repository(path)


async def test_store_runs_on_one_thread_and_keeps_the_loop_free(tmp_path):
    store = await Store.open(tmp_path / "m.db")
    await store.sync_sources([SourceSpec("feed", "https://a/", "A")], NOW)
    threads = set()
    original = Repository.insert_items

    def spy(self, *args):
        threads.add(threading.get_ident())
        return original(self, *args)

    Repository.insert_items = spy
    try:
        batches = [[item(b * 100 + n) for n in range(100)] for b in range(20)]
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        tick = asyncio.create_task(ticker())
        results = await asyncio.gather(*(store.insert_items(1, batch, NOW) for batch in batches))
        tick.cancel()
    finally:
        Repository.insert_items = original
    assert sum(len(r) for r in results) == 2000
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert ticks > 0  # the event loop kept running while SQLite worked
    await store.close()


def test_two_writers_at_once_wait_for_each_other(tmp_path):
    # Two connections, each used from its own thread as Store does: like a second monitor process.
    path = tmp_path / "m.db"
    setup = Repository(path)
    setup.sync_sources([SourceSpec("feed", "https://a/", "A"), SourceSpec("feed", "https://b/", "B")], NOW)
    setup.close()
    errors = []

    def write(source_id):
        repo = Repository(path)
        try:
            for b in range(30):
                repo.insert_items(source_id, [item(b * 10 + n) for n in range(10)], NOW)
        except sqlite3.Error as exc:
            errors.append(exc)
        finally:
            repo.close()

    threads = [threading.Thread(target=write, args=(source_id,)) for source_id in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = Repository(path)
    assert check.count_items(1) == 300 and check.count_items(2) == 300
    check.close()


def test_a_removed_source_s_id_is_never_given_to_another(tmp_path):
    # SQLite would hand the largest id, once deleted, to the next row. Ids name sources to people
    # (`sources remove 7`) and to the deduplicator (a source's reports in a story, its boilerplate).
    path = tmp_path / "m.db"
    repo = Repository(path)
    repo.add_source("feed", "https://a.example/", "A", None, NOW)

    def synced(url: str) -> int:
        repo.sync_sources([SourceSpec("feed", url, "D")], NOW)
        return repo.conn.execute("SELECT id FROM sources WHERE url = ?", (url,)).fetchone()[0]

    for n, add in enumerate((lambda: repo.add_source("feed", "https://c.example/", "C", None, NOW).id,
                             lambda: repo.ensure_source("bot_channel", "tg://channel/1", "Bot", NOW).id,
                             lambda: synced("https://d.example/"))):
        newest = repo.add_source("feed", f"https://gone{n}.example/", "gone", None, NOW)
        repo.remove_source(newest.id)
        assert add() == newest.id + 1
    known = repo.conn.execute("SELECT last FROM source_ids").fetchone()
    repo.ensure_source("bot_channel", "tg://channel/1", "Bot renamed", NOW)  # known already: no id used
    synced("https://d.example/")
    assert repo.conn.execute("SELECT last FROM source_ids").fetchone() == known
    last = repo.add_source("feed", "https://e.example/", "E", None, NOW)
    repo.remove_source(last.id)
    repo.close()
    repo = Repository(path)  # the highest id given is kept in the file
    assert repo.add_source("feed", "https://f.example/", "F", None, NOW).id == last.id + 1
    repo.close()


def test_a_database_from_before_kept_source_ids_starts_past_its_highest(tmp_path):
    path = tmp_path / "m.db"
    repo = Repository(path)
    for n in range(3):
        repo.add_source("feed", f"https://{n}.example/", str(n), None, NOW)
    with repo.conn:  # as a version before migration 0011 left it
        repo.conn.execute("DROP TRIGGER source_ids_last")
        repo.conn.execute("DROP TABLE source_ids")
        repo.conn.execute("DELETE FROM _migrations WHERE name = '0011_source_ids_not_reused'")
    repo.close()
    repo = Repository(path)
    repo.remove_source(3)
    assert repo.add_source("feed", "https://new.example/", "new", None, NOW).id == 4
    repo.close()


def test_two_processes_opening_an_old_database_at_once_apply_its_migration_once(tmp_path):
    # The other process applies migration 0011 while this one waits for the write lock to apply it:
    # this one then finds it applied, instead of failing on "table source_ids already exists".
    path = tmp_path / "m.db"
    repo = Repository(path)
    with repo.conn:  # as a version before migration 0011 left it
        repo.conn.execute("DROP TRIGGER source_ids_last")
        repo.conn.execute("DROP TABLE source_ids")
        repo.conn.execute("DELETE FROM _migrations WHERE name = '0011_source_ids_not_reused'")
    repo.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    opened: list = []

    def open_store() -> None:
        try:
            Repository(path).close()
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
    repo = Repository(path)
    assert [r[0] for r in repo.conn.execute("SELECT name FROM _migrations ORDER BY name")] == [n for n, _ in MIGRATIONS]
    repo.close()
