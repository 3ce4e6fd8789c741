"""The store: the SQLite database, one repository per aggregate, all run on the database's one thread.

    store = await Store.open(path)
    source = await store.sources.add(spec, now)
    new = await store.items.insert(source.id, items, now)
    await store.close()
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from monitor.storage.alerts import AlertRepository
from monitor.storage.chats import ChatRepository
from monitor.storage.database import Database, to_iso
from monitor.storage.digests import DigestRepository
from monitor.storage.items import ItemRepository
from monitor.storage.outbox import OutboxRepository
from monitor.storage.rows import StatusFigures
from monitor.storage.sources import SourceRepository
from monitor.storage.stories import StoryRepository


class Store:
    """The repositories of one database; every method of theirs is async and runs on its thread."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.sources = SourceRepository(database)
        self.items = ItemRepository(database)
        self.stories = StoryRepository(database)
        self.chats = ChatRepository(database)
        self.alerts = AlertRepository(database)
        self.outbox = OutboxRepository(database)
        self.digests = DigestRepository(database)

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        """Open the database (made and migrated as needed); StoreError if it cannot be used."""
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self._database.close()

    async def status(self, since: datetime) -> StatusFigures:
        """What /status shows: sources, their errors, items and stories since a moment, subscribers, watches,
        the outbox."""
        return await self._database.run(self._status, since)

    def _status(self, since: datetime) -> StatusFigures:
        conn = self._database.conn

        def one(sql: str, *args: object) -> int:
            count: int = conn.execute(sql, args).fetchone()[0]
            return count

        return StatusFigures(
            sources=one("SELECT count(*) FROM sources WHERE enabled = 1"),
            failing=one("SELECT count(*) FROM sources WHERE enabled = 1 AND error_count > 0"),
            items=one("SELECT count(*) FROM items WHERE fetched_at >= ?", to_iso(since)),
            stories=one("SELECT count(*) FROM stories WHERE first_seen >= ?", to_iso(since)),
            subscribers=one("SELECT count(*) FROM subscribers WHERE active = 1"),
            watches=one("SELECT count(*) FROM watches w JOIN subscribers s USING (chat_id) WHERE s.active = 1"),
            queue=one("SELECT count(*) FROM outbox WHERE status = 'pending'"),
            failed=one("SELECT count(*) FROM outbox WHERE status = 'failed' AND sent_at >= ?", to_iso(since)),
        )
