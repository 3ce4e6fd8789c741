"""Alerts: the message that told a chat about a story, remembered so the story's growth edits it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitor.models import Alert, Outgoing
from monitor.storage.database import Repository, in_chunks, moment, on_database_thread, to_iso, write
from monitor.storage.outbox import enqueue, enqueue_edit


class AlertRepository(Repository):
    @on_database_thread
    def for_stories(self, story_ids: Iterable[int]) -> list[Alert]:
        """The alerts sent about these stories, to any chat."""
        ids = list(set(story_ids))
        out: list[Alert] = []
        for chunk, marks in in_chunks(ids):
            out += [Alert(c, s, w, q, o, n, moment(t), m)
                    for c, s, w, q, o, n, t, m in self._conn.execute(
                f"""SELECT a.chat_id, a.story_id, a.watch_id, a.query, a.outbox_id, a.source_count, a.sent_at,
                           o.message_id
                    FROM alerts a JOIN outbox o ON o.id = a.outbox_id
                    WHERE a.story_id IN ({marks})""", chunk)]
        return out

    @on_database_thread
    def alerted(self, chat_id: int, story_ids: Iterable[int]) -> set[int]:
        """Those of these stories the chat was alerted about."""
        found: set[int] = set()
        for chunk, marks in in_chunks(list(story_ids)):
            found.update(s for (s,) in self._conn.execute(
                f"SELECT story_id FROM alerts WHERE chat_id = ? AND story_id IN ({marks})", (chat_id, *chunk)))
        return found

    @on_database_thread
    def queue(self, alert: Alert, message: Outgoing, now: datetime) -> int | None:
        """Queue an alert message and remember it for the story; None if this chat has one for it already."""
        with write(self._conn) as conn:
            outbox_id = enqueue(conn, message, now)
            if outbox_id is None:
                return None
            conn.execute("INSERT OR IGNORE INTO alerts (chat_id, story_id, watch_id, query, outbox_id, source_count, "
                         "sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (alert.chat_id, alert.story_id, alert.watch_id, alert.query, outbox_id,
                          alert.source_count, to_iso(now)))
        return outbox_id

    @on_database_thread
    def grow(self, alert: Alert, text: str, source_count: int, now: datetime) -> None:
        """Show a story's new figures in its alert: rewrite the message while it waits in the outbox,
        else queue an edit of the sent message (one pending edit per alert, holding the latest text)."""
        with write(self._conn) as conn:
            replaced = conn.execute("UPDATE outbox SET text = ? WHERE id = ? AND status = 'pending'",
                                    (text, alert.outbox_id)).rowcount
            if not replaced and alert.message_id is not None:
                enqueue_edit(conn, f"edit:{alert.chat_id}:{alert.story_id}", alert.chat_id, text,
                             alert.message_id, False, now)
            conn.execute("UPDATE alerts SET source_count = ?, edited_at = ? WHERE chat_id = ? AND story_id = ?",
                         (source_count, to_iso(now), alert.chat_id, alert.story_id))
