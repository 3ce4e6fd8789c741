"""Chats: subscribers (a private chat, a group, or a forum topic in one), their settings and their watches."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from monitor.models import Subscriber, Watch
from monitor.storage.database import Repository, StoreError, in_chunks, moment, on_database_thread, to_iso, write

_COLUMNS = ("chat_id, chat_type, title, thread_id, coalesce(language, language_code, 'en'), timezone, "
            "link_previews, active, digest_time, language_code")


class WatchRefused(StoreError):
    """A watch not added: `reason` is "limit" (`value` the limit) or "duplicate" (`value` the watch's id)."""

    def __init__(self, reason: str, value: int) -> None:
        super().__init__(f"watches: {reason} ({value})")
        self.reason = reason
        self.value = value


class ChatRepository(Repository):
    @on_database_thread
    def subscribe(self, chat_id: int, chat_type: str, title: str, thread_id: int | None, language_code: str | None,
                  now: datetime) -> bool:
        """Subscribe a chat (or re-activate it); its messages go to `thread_id`. True if it was not active."""
        with write(self._conn) as conn:
            row = conn.execute("SELECT active FROM subscribers WHERE chat_id = ?", (chat_id,)).fetchone()
            conn.execute(
                """INSERT INTO subscribers (chat_id, chat_type, title, thread_id, language_code, active, created_at,
                     updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                   ON CONFLICT(chat_id) DO UPDATE SET chat_type = excluded.chat_type, title = excluded.title,
                     thread_id = excluded.thread_id, language_code = coalesce(excluded.language_code, language_code),
                     active = 1, inactive_reason = NULL, updated_at = excluded.updated_at""",
                (chat_id, chat_type, title, thread_id, language_code, to_iso(now), to_iso(now)))
        return row is None or not row[0]

    @on_database_thread
    def note_language(self, chat_id: int, language_code: str | None) -> None:
        """Remember the client language of a chat that wrote to the bot (subscribed or not yet)."""
        if language_code:
            with write(self._conn) as conn:
                conn.execute("UPDATE subscribers SET language_code = ? WHERE chat_id = ?", (language_code, chat_id))

    @on_database_thread
    def pause(self, chat_id: int, reason: str, now: datetime) -> bool:
        """Pause a chat (/stop, or the bot was blocked); True if it was active."""
        with write(self._conn) as conn:
            return conn.execute(
                "UPDATE subscribers SET active = 0, inactive_reason = ?, updated_at = ? "
                "WHERE chat_id = ? AND active = 1", (reason, to_iso(now), chat_id)).rowcount == 1

    @on_database_thread
    def forget(self, chat_id: int) -> int:
        """Delete everything kept about a chat; return how many rows went."""
        with write(self._conn) as conn:
            gone = conn.execute("DELETE FROM alerts WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM watches WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM digests WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,)).rowcount
        return gone

    @on_database_thread
    def update(self, chat_id: int, *, language: str | None = None, timezone: str | None = None,
               link_previews: bool | None = None, digest_time: str | None = None) -> None:
        """Change a subscriber's settings; those left None stay as they are."""
        values = {name: value for name, value in (("language", language), ("timezone", timezone),
                                                  ("link_previews", link_previews), ("digest_time", digest_time))
                  if value is not None}
        if not values:
            raise ValueError("chats.update: no setting to change")
        columns = ", ".join(f"{name} = ?" for name in values)
        with write(self._conn) as conn:
            conn.execute(f"UPDATE subscribers SET {columns} WHERE chat_id = ?", (*values.values(), chat_id))

    @on_database_thread
    def get(self, chat_id: int) -> Subscriber | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM subscribers WHERE chat_id = ?", (chat_id,)).fetchone()
        return _subscriber(row) if row else None

    @on_database_thread
    def get_many(self, chat_ids: Iterable[int]) -> dict[int, Subscriber]:
        """chat id → subscriber, for those of these chats that have subscribed (active or not)."""
        ids = list(set(chat_ids))
        out: dict[int, Subscriber] = {}
        for chunk, marks in in_chunks(ids):
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM subscribers WHERE chat_id IN ({marks})",
                                      chunk).fetchall()
            out.update((row[0], _subscriber(row)) for row in rows)
        return out

    @on_database_thread
    def active(self) -> list[Subscriber]:
        """The chats subscribed and not paused."""
        return [_subscriber(row) for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM subscribers WHERE active = 1 ORDER BY chat_id")]

    @on_database_thread
    def gone(self, chat_id: int, reason: str, now: datetime) -> int:
        """Telegram refuses messages to a chat: mark it inactive and drop what waits for it; how many dropped."""
        with write(self._conn) as conn:
            conn.execute("UPDATE subscribers SET active = 0, inactive_reason = ?, updated_at = ? WHERE chat_id = ?",
                         (reason, to_iso(now), chat_id))
            dropped: int = conn.execute("UPDATE outbox SET status = 'dropped', error = ? WHERE chat_id = ? AND "
                                        "status = 'pending'", (reason, chat_id)).rowcount
            return dropped

    @on_database_thread
    def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription, watches, alerts and pending messages follow it."""
        with write(self._conn) as conn:
            conn.execute(
                """INSERT OR IGNORE INTO subscribers (chat_id, chat_type, title, thread_id, language_code, language,
                     timezone, digest_time, link_previews, active, created_at, updated_at, inactive_reason)
                   SELECT ?, 'supergroup', title, thread_id, language_code, language, timezone, digest_time,
                     link_previews, active, created_at, updated_at, inactive_reason
                   FROM subscribers WHERE chat_id = ?""", (new_chat_id, old_chat_id))
            for table in ("watches", "outbox"):
                conn.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id))
            conn.execute("DELETE FROM subscribers WHERE chat_id = ?", (old_chat_id,))
            conn.execute("UPDATE OR IGNORE alerts SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id))
            conn.execute("UPDATE OR IGNORE digests SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id))

    @on_database_thread
    def add_watch(self, chat_id: int, query: str, now: datetime, limit: int,
                  meaning: Callable[[str], str] = str.casefold) -> Watch:
        """Add a watch, or WatchRefused when the chat has `limit` already or a query of the same `meaning`."""
        with write(self._conn) as conn:
            rows = conn.execute("SELECT id, query FROM watches WHERE chat_id = ?", (chat_id,)).fetchall()
            wanted = meaning(query)
            for watch_id, text in rows:
                if meaning(text) == wanted:
                    raise WatchRefused("duplicate", watch_id)
            if len(rows) >= limit:
                raise WatchRefused("limit", limit)
            (watch_id,) = conn.execute("INSERT INTO watches (chat_id, query, created_at) VALUES (?, ?, ?) "
                                       "RETURNING id", (chat_id, query, to_iso(now))).fetchone()
        return Watch(watch_id, chat_id, query, now)

    @on_database_thread
    def watches(self, chat_id: int | None = None) -> list[Watch]:
        """A chat's watches, or every watch of an active chat; oldest first."""
        if chat_id is None:
            rows = self._conn.execute("""SELECT w.id, w.chat_id, w.query, w.created_at FROM watches w
                                         JOIN subscribers s USING (chat_id) WHERE s.active = 1 ORDER BY w.id""")
        else:
            rows = self._conn.execute("SELECT id, chat_id, query, created_at FROM watches WHERE chat_id = ? "
                                      "ORDER BY id", (chat_id,))
        return [Watch(i, c, q, moment(t)) for i, c, q, t in rows.fetchall()]

    @on_database_thread
    def remove_watch(self, chat_id: int, watch_id: int) -> Watch | None:
        """Remove one of a chat's watches; None if the chat has no such watch."""
        with write(self._conn) as conn:
            row = conn.execute("DELETE FROM watches WHERE id = ? AND chat_id = ? RETURNING id, chat_id, query, "
                               "created_at", (watch_id, chat_id)).fetchone()
            if row:
                conn.execute("UPDATE alerts SET watch_id = NULL WHERE watch_id = ?", (watch_id,))
        return Watch(row[0], row[1], row[2], moment(row[3])) if row else None


def _subscriber(row: tuple) -> Subscriber:
    return Subscriber(chat_id=row[0], chat_type=row[1], title=row[2] or "", thread_id=row[3], language=row[4],
                      timezone=row[5], link_previews=bool(row[6]), active=bool(row[7]), digest_time=row[8],
                      client_language=row[9])
