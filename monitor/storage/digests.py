"""Digests: one per chat and local date, its parts queued in the outbox together with its row."""

from __future__ import annotations

from datetime import datetime

from monitor.models import Outgoing
from monitor.storage.database import Repository, on_database_thread, to_iso, write
from monitor.storage.outbox import enqueue


class DigestRepository(Repository):
    @on_database_thread
    def queue(self, chat_id: int, local_date: str, stories: int, messages: list[Outgoing], now: datetime) -> bool:
        """Queue a chat's digest for a local date, once: False if that date's digest exists already."""
        with write(self._conn) as conn:
            fresh = conn.execute("INSERT OR IGNORE INTO digests (chat_id, local_date, stories, parts, created_at) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 (chat_id, local_date, stories, len(messages), to_iso(now))).rowcount
            if fresh:
                for message in messages:
                    enqueue(conn, message, now)
        return bool(fresh)

    @on_database_thread
    def has(self, chat_id: int, local_date: str) -> bool:
        """Whether the chat's digest for a local date was made."""
        return self._conn.execute("SELECT 1 FROM digests WHERE chat_id = ? AND local_date = ?",
                                  (chat_id, local_date)).fetchone() is not None
