"""The outbox: every message is written here first, then sent, then marked sent (or failed, or dropped).

A message's key makes it idempotent: a message with a key queued before is not queued again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from monitor.models import Outgoing
from monitor.storage.database import Repository, from_iso, on_database_thread, to_iso, write

_COLUMNS = "id, key, chat_id, thread_id, kind, priority, text, markup, previews, edit_message_id, attempts"


class OutboxRepository(Repository):
    @on_database_thread
    def enqueue(self, messages: Iterable[Outgoing], now: datetime) -> list[int | None]:
        """Queue messages; each one's outbox id, or None where its key was queued before."""
        with write(self._conn) as conn:
            return [enqueue(conn, message, now) for message in messages]

    @on_database_thread
    def pending(self, now: datetime, limit: int = 500) -> list[Outgoing]:
        """The next message of each chat, where it is due, most urgent first. A chat's later messages wait
        behind its first (a digest's parts stay in order, even when one is retried), and a chat with a
        long backlog takes one place in the list, not all of it."""
        rows = self._conn.execute(
            f"""SELECT {_COLUMNS} FROM (
                  SELECT *, row_number() OVER (PARTITION BY chat_id ORDER BY priority, id) AS place
                  FROM outbox WHERE status = 'pending')
                WHERE place = 1 AND (not_before IS NULL OR not_before <= ?)
                ORDER BY priority, id LIMIT ?""", (to_iso(now), limit)).fetchall()
        return [_outgoing(row) for row in rows]

    @on_database_thread
    def still_pending(self, outbox_id: int) -> Outgoing | None:
        """A message as it stands now, if it still waits to be sent (its text may have changed since it
        was listed, or its chat may be gone)."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ? AND status = 'pending'",
                                 (outbox_id,)).fetchone()
        return _outgoing(row) if row else None

    @on_database_thread
    def next_retry_at(self, now: datetime) -> datetime | None:
        """When the earliest message waiting to be retried is due."""
        return from_iso(self._conn.execute(
            "SELECT min(not_before) FROM outbox WHERE status = 'pending' AND not_before > ?",
            (to_iso(now),)).fetchone()[0])

    @on_database_thread
    def mark_sent(self, message: Outgoing, message_id: int | None, now: datetime) -> None:
        """The message went out. If its text was replaced while it was on its way (an alert whose story
        grew), an edit brings the sent message up to date."""
        with write(self._conn) as conn:
            current = conn.execute("SELECT text FROM outbox WHERE id = ?", (message.id,)).fetchone()
            conn.execute("UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?",
                         (to_iso(now), message_id, message.id))
            if current and current[0] != message.text and message_id is not None and message.kind != "edit":
                enqueue_edit(conn, f"edit-of:{message.id}", message.chat_id, current[0], message_id,
                             message.previews, now)

    @on_database_thread
    def mark_retry(self, outbox_id: int, not_before: datetime, error: str, count: bool = True) -> None:
        """Try again later; `count` False for waits Telegram asked for (429), which are not failures."""
        with write(self._conn) as conn:
            conn.execute("UPDATE outbox SET attempts = attempts + ?, not_before = ?, error = ? WHERE id = ?",
                         (int(count), to_iso(not_before), error, outbox_id))

    @on_database_thread
    def mark_failed(self, outbox_id: int, error: str, now: datetime) -> None:
        """Telegram refused the message for good: it is not tried again."""
        with write(self._conn) as conn:
            conn.execute("UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, sent_at = ? "
                         "WHERE id = ?", (error, to_iso(now), outbox_id))

    @on_database_thread
    def prune(self, before: datetime) -> int:
        """Forget messages sent, failed or dropped before a moment (their keys can no longer recur)."""
        with write(self._conn) as conn:
            pruned: int = conn.execute("DELETE FROM outbox WHERE status != 'pending' AND created_at < ? AND id NOT IN "
                                       "(SELECT outbox_id FROM alerts)", (to_iso(before),)).rowcount
            return pruned


def enqueue(conn: sqlite3.Connection, message: Outgoing, now: datetime) -> int | None:
    """Queue a message inside the caller's write; its outbox id, or None if its key was queued before."""
    cursor = conn.execute(
        """INSERT OR IGNORE INTO outbox (key, chat_id, thread_id, kind, priority, text, markup, previews,
             edit_message_id, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)""",
        (message.key, message.chat_id, message.thread_id, message.kind, message.priority, message.text,
         message.markup, int(message.previews), message.edit_message_id, to_iso(now)))
    return cursor.lastrowid if cursor.rowcount == 1 else None


def enqueue_edit(conn: sqlite3.Connection, key: str, chat_id: int, text: str, message_id: int, previews: bool,
                 now: datetime) -> None:
    """Queue an edit of a sent message inside the caller's write; one pending edit per key, holding the
    latest text."""
    conn.execute(
        """INSERT INTO outbox (key, chat_id, kind, priority, text, previews, edit_message_id, status, attempts,
             created_at) VALUES (?, ?, 'edit', 1, ?, ?, ?, 'pending', 0, ?)
           ON CONFLICT(key) DO UPDATE SET text = excluded.text, status = 'pending', attempts = 0,
             not_before = NULL, error = NULL""",
        (key, chat_id, text, int(previews), message_id, to_iso(now)))


def _outgoing(row: tuple) -> Outgoing:
    i, k, c, th, kind, p, t, mk, pv, e, a = row
    return Outgoing(key=k, chat_id=c, text=t, kind=kind, thread_id=th, markup=mk, previews=bool(pv), edit_message_id=e,
                    priority=p, id=i, attempts=a)
