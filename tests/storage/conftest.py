from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from monitor.models import Item
from monitor.storage.store import Store

NOW = datetime(2023, 6, 24, 12, 0, tzinfo=UTC)


def item(n: int, **over) -> Item:
    data = dict(key=f"guid:{n}", url=f"https://x.org/{n}", canonical_url=f"https://x.org/{n}", title=f"T{n}",
                text="", published_at=NOW, fingerprint="")
    data.update(over)
    return Item(**data)


def sql(path, statement: str, *args) -> list[tuple]:
    """What an operator's sqlite3 shell would see (or do) beside monitor."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return conn.execute(statement, args).fetchall()
    finally:
        conn.close()


def as_before_migration_0011(path) -> None:
    """Leave the file as a version before migration 0011 (source ids never reused) did."""
    sql(path, "DROP TRIGGER source_ids_last")
    sql(path, "DROP TABLE source_ids")
    sql(path, "DELETE FROM _migrations WHERE name = '0011_source_ids_not_reused'")


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "m.db")
    yield store
    await store.close()
