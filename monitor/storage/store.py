"""The SQLite store: sources with their poll state, and items, UNIQUE(source_id, key).

`Repository` is the synchronous code; `Store` is its async face, running every call on the one
thread that owns the connection, so SQLite never blocks the event loop and writes never race.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.models import Alert, Item, Outgoing, Source, SourceSpec, SourceState, StoredItem, Story, Subscriber, Watch
from monitor.storage.migrations import migrate

BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """A store operation the user asked for cannot be done; the message says why."""


class SourceExists(StoreError):
    """A source with this URL is in the store already (`source_id`)."""

    def __init__(self, url: str, source_id: int) -> None:
        super().__init__(f"sources: {url} is already source {source_id}")
        self.source_id = source_id


class WatchRefused(StoreError):
    """A watch not added: `reason` is "limit" (`value` the limit) or "duplicate" (`value` the watch's id)."""

    def __init__(self, reason: str, value: int) -> None:
        super().__init__(f"watches: {reason} ({value})")
        self.reason = reason
        self.value = value


def to_iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text)


@dataclass(frozen=True)
class SourceRow:
    """A source, its poll state, and what it has brought so far."""

    source: Source
    state: SourceState
    title: str
    last_status: int | None
    item_count: int
    last_item_at: datetime | None


class Repository:
    """Synchronous access to the database; use it from one thread only (Store sees to that)."""

    def __init__(self, path: str | Path) -> None:
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we open transactions ourselves, with BEGIN IMMEDIATE, so two
            # processes writing at once wait for each other instead of failing (see FIELD-NOTES).
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"storage: cannot open {path} ({exc}); check storage.path and its folder") from None
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        try:
            migrate(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"storage: {path} is not a usable monitor database ({exc})") from None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- sources --------------------------------------------------------------------------

    def sync_sources(self, configured: Iterable[SourceSpec], now: datetime) -> None:
        """Make the config file's sources present and enabled; disable config sources no longer listed.

        Sources added by command stay as they are, unless the config now lists them too.
        """
        configured = list(configured)
        urls = {c.url for c in configured}
        with self._write() as conn:
            for config in configured:
                conn.execute(
                    f"""INSERT INTO sources (id, kind, url, name, interval_s, backfill, origin, enabled, added_at)
                       VALUES ({_NEW_SOURCE_ID}, ?, ?, ?, ?, ?, 'config', 1, ?)
                       ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                         interval_s = excluded.interval_s, backfill = excluded.backfill, origin = 'config',
                         enabled = 1""",
                    (config.kind, config.url, config.name, config.interval_s, config.backfill, to_iso(now)),
                )
            for source_id, url in conn.execute("SELECT id, url FROM sources WHERE origin = 'config'").fetchall():
                if url not in urls:
                    conn.execute("UPDATE sources SET enabled = 0 WHERE id = ?", (source_id,))

    def add_source(
        self, kind: str, url: str, name: str, interval_s: float | None, now: datetime, backfill: int | None = None,
        origin: str = "user",
    ) -> Source:
        """Add a source by command (origin `user`) or from chat (`chat`); StoreError if its URL is already there."""
        with self._write() as conn:
            existing = conn.execute("SELECT id, enabled FROM sources WHERE url = ?", (url,)).fetchone()
            if existing and existing[1]:
                raise SourceExists(url, existing[0])
            if existing:  # a disabled one comes back, with its items
                conn.execute(
                    "UPDATE sources SET enabled = 1, origin = ?, name = ?, interval_s = ?, backfill = ? "
                    "WHERE id = ?",
                    (origin, name, interval_s, backfill, existing[0]),
                )
                source_id = existing[0]
            else:
                cursor = conn.execute(
                    f"""INSERT INTO sources (id, kind, url, name, interval_s, backfill, origin, enabled, added_at)
                       VALUES ({_NEW_SOURCE_ID}, ?, ?, ?, ?, ?, ?, 1, ?)""",
                    (kind, url, name, interval_s, backfill, origin, to_iso(now)),
                )
                source_id = cursor.lastrowid
        return self.get_source(source_id)

    def ensure_source(self, kind: str, url: str, name: str, now: datetime) -> Source:
        """The source with this URL, created (origin `bot`) on first sight; its name follows the channel's."""
        with self._write() as conn:
            conn.execute(
                f"""INSERT INTO sources (id, kind, url, name, origin, enabled, added_at)
                   VALUES ({_NEW_SOURCE_ID}, ?, ?, ?, 'bot', 1, ?)
                   ON CONFLICT(url) DO UPDATE SET name = excluded.name""",
                (kind, url, name, to_iso(now)),
            )
            (source_id,) = conn.execute("SELECT id FROM sources WHERE url = ?", (url,)).fetchone()
        return self.get_source(source_id)

    def update_item_text(self, source_id: int, item: Item) -> int | None:
        """Replace the text of a stored item (an edited post); return its id, or None if it is not stored."""
        with self._write() as conn:
            conn.execute(
                "UPDATE items SET title = ?, text = ?, fingerprint = ? WHERE source_id = ? AND key = ?",
                (item.title, item.text, item.fingerprint, source_id, item.key),
            )
            row = conn.execute("SELECT id FROM items WHERE source_id = ? AND key = ?",
                               (source_id, item.key)).fetchone()
        return row[0] if row else None

    def remove_source(self, source_id: int) -> tuple[Source, int]:
        """Delete a source added by command and its items; return it and how many items went."""
        source = self.get_source(source_id)
        if source is None:
            raise StoreError(f"sources: there is no source {source_id}; `monitor sources list` shows the ids")
        if source.origin == "config":
            raise StoreError(
                f"sources: source {source_id} ({source.name}) comes from the config file; "
                "remove it there instead, or it returns on the next start"
            )
        with self._write() as conn:
            conn.execute("UPDATE items SET same_as = NULL WHERE same_as IN (SELECT id FROM items WHERE source_id = ?)",
                         (source_id,))
            stories = [story_id for (story_id,) in conn.execute(
                "SELECT DISTINCT story_id FROM items WHERE source_id = ? AND story_id IS NOT NULL", (source_id,))]
            removed = conn.execute("DELETE FROM items WHERE source_id = ?", (source_id,)).rowcount
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
            for story_id in stories:  # the stories it reported lose it from their counts
                self._recount_story(conn, story_id, datetime.now(UTC))
        return source, removed

    def get_source(self, source_id: int) -> Source | None:
        row = self.conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE id = ?", (source_id,)).fetchone()
        return _source(row) if row else None

    def sources(self, enabled_only: bool = True) -> list[Source]:
        where = "WHERE enabled = 1" if enabled_only else ""
        rows = self.conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM sources s {where} ORDER BY id").fetchall()
        return [_source(row) for row in rows]

    def source_rows(self, enabled_only: bool = False) -> list[SourceRow]:
        """Every source with its state and item counts, for listings."""
        where = "WHERE s.enabled = 1" if enabled_only else ""
        rows = self.conn.execute(
            f"""SELECT {_SOURCE_COLUMNS}, {_STATE_COLUMNS}, s.title, s.last_status,
                       (SELECT count(*) FROM items i WHERE i.source_id = s.id),
                       (SELECT max(published_at) FROM items i WHERE i.source_id = s.id)
                FROM sources s {where} ORDER BY s.id"""
        ).fetchall()
        out = []
        for row in rows:
            n = len(_SOURCE_COLUMNS.split(","))
            m = n + len(_STATE_COLUMNS.split(","))
            out.append(SourceRow(_source(row[:n]), _state(row[n:m]), row[m] or "", row[m + 1], row[m + 2],
                                 from_iso(row[m + 3])))
        return out

    def get_state(self, source_id: int) -> SourceState:
        row = self.conn.execute(f"SELECT {_STATE_COLUMNS} FROM sources s WHERE id = ?", (source_id,)).fetchone()
        if row is None:
            raise StoreError(f"storage: no source {source_id}")
        return _state(row)

    def record_success(
        self, source_id: int, *, now: datetime, next_check_at: datetime, status: int,
        etag: str | None, last_modified: str | None, title: str | None = None, last_post_id: int | None = None,
    ) -> None:
        """A poll worked: remember validators (and a channel's newest post), clear the error state."""
        with self._write() as conn:
            conn.execute(
                """UPDATE sources SET etag = ?, last_modified = ?, last_attempt_at = ?, last_success_at = ?,
                     last_status = ?, error_count = 0, last_error = NULL, next_check_at = ?,
                     title = coalesce(?, title), last_post_id = coalesce(?, last_post_id)
                   WHERE id = ?""",
                (etag, last_modified, to_iso(now), to_iso(now), status, to_iso(next_check_at), title or None,
                 last_post_id, source_id),
            )

    def record_error(
        self, source_id: int, *, now: datetime, next_check_at: datetime, error: str, status: int | None
    ) -> int:
        """A poll failed: count it, keep the message, set when to try again. Returns the new error count."""
        with self._write() as conn:
            conn.execute(
                """UPDATE sources SET last_attempt_at = ?, last_status = ?, error_count = error_count + 1,
                     last_error = ?, next_check_at = ? WHERE id = ?""",
                (to_iso(now), status, error, to_iso(next_check_at), source_id),
            )
            return conn.execute("SELECT error_count FROM sources WHERE id = ?", (source_id,)).fetchone()[0]

    # -- items ----------------------------------------------------------------------------

    def insert_items(self, source_id: int, items: Iterable[Item], fetched_at: datetime) -> list[StoredItem]:
        """Store the items this source has not had yet; return only those (the database decides)."""
        new: list[StoredItem] = []
        fetched = to_iso(fetched_at)
        with self._write() as conn:
            for item in items:
                same_as = self._same_report(conn, source_id, item)
                cursor = conn.execute(
                    """INSERT OR IGNORE INTO items (source_id, key, guid, url, canonical_url, title, text, author,
                         published_at, fetched_at, fingerprint, same_as, forwarded_from, views)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (source_id, item.key, item.guid, item.url, item.canonical_url, item.title, item.text,
                     item.author, to_iso(item.published_at), fetched, item.fingerprint, same_as,
                     item.forwarded_from, item.views),
                )
                if cursor.rowcount == 1:
                    new.append(StoredItem(cursor.lastrowid, source_id, item, fetched_at, same_as))
        return new

    @staticmethod
    def _same_report(conn: sqlite3.Connection, source_id: int, item: Item) -> int | None:
        """The first item of another source carrying this report: same canonical URL, else same words."""
        for column, value in (("canonical_url", item.canonical_url), ("fingerprint", item.fingerprint)):
            if not value:
                continue
            row = conn.execute(
                f"SELECT coalesce(same_as, id) FROM items WHERE {column} = ? AND source_id != ? ORDER BY id LIMIT 1",
                (value, source_id),
            ).fetchone()
            if row:
                return row[0]
        return None

    def count_items(self, source_id: int | None = None) -> int:
        if source_id is None:
            return self.conn.execute("SELECT count(*) FROM items").fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM items WHERE source_id = ?", (source_id,)).fetchone()[0]

    def items(self, source_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Latest items as plain rows (for listings and tests)."""
        where, args = ("WHERE source_id = ?", (source_id,)) if source_id is not None else ("", ())
        cursor = self.conn.execute(f"SELECT * FROM items {where} ORDER BY published_at DESC, id DESC LIMIT ?",
                                   (*args, limit))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


    # -- stories --------------------------------------------------------------------------

    def clustering_start(self) -> tuple[int, int]:
        """(next story id, next clustering sequence number): where the clusterer goes on from."""
        row = self.conn.execute("SELECT max(story_id), max(cluster_seq) FROM items").fetchone()
        last_story = max(row[0] or 0, self.conn.execute("SELECT max(id) FROM stories").fetchone()[0] or 0)
        return last_story + 1, (row[1] or 0) + 1

    def replay_rows(self, window_s: float) -> list[tuple]:
        """The clustered items a restarted clusterer must see again to be in the state it left, in the
        order it saw them: the reports of every story still active (its latest report within a window of
        the latest report of all) since the clusterer last opened it (a story that left the window can be
        opened again by the same report from elsewhere). Every item within that window belongs to one.

        Rows: (item id, source id, title, text, published_at, story_id, embedding, term_vector, lang,
        text_chars, text_days)."""
        clock = self.conn.execute("SELECT max(published_at) FROM items WHERE story_id IS NOT NULL").fetchone()[0]
        if clock is None:
            return []
        active_since = to_iso(from_iso(clock) - timedelta(seconds=window_s))
        return self.conn.execute(
            """SELECT i.id, i.source_id, i.title, i.text, i.published_at, i.story_id, i.embedding, i.term_vector,
                      i.lang, i.text_chars, i.text_days FROM items i JOIN stories s ON s.id = i.story_id
               WHERE s.last_seen >= ? AND i.cluster_seq >= coalesce(s.opened_seq, 0) ORDER BY i.cluster_seq""",
            (active_since,)).fetchall()

    def unclustered_items(self, after_id: int = 0, limit: int = 500) -> list[tuple]:
        """Items stored but not clustered yet, in the order they were stored, a page at a time:
        (id, source_id, title, text, published_at, same_as)."""
        return self.conn.execute(
            """SELECT id, source_id, title, text, published_at, same_as FROM items
               WHERE story_id IS NULL AND id > ? ORDER BY id LIMIT ?""", (after_id, limit)).fetchall()

    def stories_of(self, item_ids: Iterable[int]) -> dict[int, int]:
        """item id → story id, for those of these items already clustered."""
        ids = list(item_ids)
        out: dict[int, int] = {}
        for at in range(0, len(ids), 500):
            chunk = ids[at:at + 500]
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(
                f"SELECT id, story_id FROM items WHERE id IN ({marks}) AND story_id IS NOT NULL", chunk).fetchall())
        return out

    def record_assignments(self, rows: Iterable[tuple[int, int, float, int, str, bytes | None, int, str, bool]],
                           embeddings: dict[int, bytes], now: datetime,
                           expired: Iterable[tuple[int, int]] = ()) -> list[int]:
        """Store (item id, story id, score, sequence, language, term vector, text length, dates, opened the
        story) rows and computed embeddings, and forget the term vectors of the reports a story had when it
        left the clusterer's window ((story, first sequence after): they are not put back on a restart, so
        the store keeps vectors for the window, not the archive); return the ids of the stories the rows
        touched (`get_stories` sums them up). An item is assigned once: a row for an item that already has a story
        is ignored. The stories' figures grow by what this call adds (no rescan of the story)."""
        growth: dict[int, dict] = {}
        with self._write() as conn:
            for item_id, story_id, score, seq, lang, term_vector, chars, days, opened in rows:
                assigned = conn.execute(
                    """UPDATE items SET story_id = ?, story_score = ?, cluster_seq = ?, lang = ?, term_vector = ?,
                         text_chars = ?, text_days = ?
                       WHERE id = ? AND story_id IS NULL RETURNING source_id, title, url, published_at""",
                    (story_id, score, seq, lang, term_vector, chars, days, item_id)).fetchone()
                if assigned is None:
                    continue
                source_id, title, url, published = assigned
                new_source = conn.execute("INSERT OR IGNORE INTO story_sources (story_id, source_id, first_seq) "
                                          "VALUES (?, ?, ?)", (story_id, source_id, seq)).rowcount
                grown = growth.setdefault(story_id, {"items": 0, "sources": 0, "first": published, "last": published,
                                                     "languages": set(), "headline": None, "url": url or "",
                                                     "opened": None})
                grown["items"] += 1
                if opened:
                    grown["opened"] = seq
                grown["sources"] += new_source
                grown["first"], grown["last"] = min(grown["first"], published), max(grown["last"], published)
                grown["languages"].add(lang)
                if title and grown["headline"] is None:
                    grown["headline"] = (title, url or "")
            for item_id, blob in embeddings.items():
                conn.execute("UPDATE items SET embedding = ? WHERE id = ?", (blob, item_id))
            conn.executemany("UPDATE items SET term_vector = NULL WHERE story_id = ? AND cluster_seq < ? "
                             "AND term_vector IS NOT NULL", list(expired))
            for story_id, grown in growth.items():
                self._grow_story(conn, story_id, grown, now)
        return list(growth)

    def get_stories(self, story_ids: Iterable[int]) -> list[Story]:
        return [story for story in map(self.get_story, story_ids) if story is not None]

    @staticmethod
    def _grow_story(conn: sqlite3.Connection, story_id: int, grown: dict, now: datetime) -> None:
        row = conn.execute("SELECT headline, url, first_seen, last_seen, item_count, source_count, languages, "
                           "opened_seq FROM stories WHERE id = ?", (story_id,)).fetchone()
        opened = grown["opened"] if grown["opened"] is not None else row[7] if row is not None else None
        # the headline is the first report with a title (the first report's link when none has one)
        headline, url = grown["headline"] or ("", grown["url"])
        if row is not None:
            if row[0] or not grown["headline"]:
                headline, url = row[0], row[1]
            first, last = min(row[2], grown["first"]), max(row[3], grown["last"])
            items, sources = row[4] + grown["items"], row[5] + grown["sources"]
            languages = set(filter(None, row[6].split(","))) | grown["languages"]
        else:
            first, last, items, sources = grown["first"], grown["last"], grown["items"], grown["sources"]
            languages = grown["languages"]
        conn.execute("INSERT OR REPLACE INTO stories (id, headline, url, first_seen, last_seen, item_count, "
                     "source_count, languages, updated_at, opened_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (story_id, headline, url, first, last, items, sources,
                      ",".join(sorted(languages - {""})), to_iso(now), opened))

    @staticmethod
    def _recount_story(conn: sqlite3.Connection, story_id: int, now: datetime) -> None:
        """Sum a story up again from its items (after some were deleted); a story left empty goes."""
        count, first, last, languages = conn.execute(
            """SELECT count(*), min(published_at), max(published_at), group_concat(DISTINCT nullif(lang, ''))
               FROM items WHERE story_id = ?""", (story_id,)).fetchone()
        conn.execute("DELETE FROM story_sources WHERE story_id = ?", (story_id,))
        if not count:
            conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
            return
        conn.execute("""INSERT INTO story_sources (story_id, source_id, first_seq)
                        SELECT story_id, source_id, min(cluster_seq) FROM items WHERE story_id = ?
                        GROUP BY source_id""", (story_id,))
        headline, url = conn.execute(
            """SELECT title, url FROM items WHERE story_id = ?
               ORDER BY title = '' OR title IS NULL, cluster_seq LIMIT 1""", (story_id,)).fetchone()
        sources = conn.execute("SELECT count(*) FROM story_sources WHERE story_id = ?", (story_id,)).fetchone()[0]
        languages = ",".join(sorted(set((languages or "").split(",")) - {""}))
        conn.execute(
            """UPDATE stories SET headline = ?, url = ?, first_seen = ?, last_seen = ?, item_count = ?,
                 source_count = ?, languages = ?, updated_at = ? WHERE id = ?""",
            (headline or "", url or "", first, last, count, sources, languages, to_iso(now), story_id))

    def get_story(self, story_id: int) -> Story | None:
        row = self.conn.execute(f"SELECT {_STORY_COLUMNS} FROM stories WHERE id = ?", (story_id,)).fetchone()
        return self._story(row) if row else None

    def stories(self, since: datetime | None = None, limit: int = 50) -> list[Story]:
        """Stories seen since a moment, most sources first, then the latest."""
        rows = self.conn.execute(
            f"""SELECT {_STORY_COLUMNS} FROM stories WHERE last_seen >= ?
                ORDER BY source_count DESC, last_seen DESC LIMIT ?""",
            (to_iso(since) if since else "", limit)).fetchall()
        return [self._story(row) for row in rows]

    def _story(self, row: tuple) -> Story:
        names = [name for (name,) in self.conn.execute(
            """SELECT s.name FROM story_sources ss JOIN sources s ON s.id = ss.source_id WHERE ss.story_id = ?
               ORDER BY ss.first_seq LIMIT ?""", (row[0], STORY_SOURCE_NAMES))]
        return Story(id=row[0], headline=row[1], url=row[2], first_seen=from_iso(row[3]),
                     last_seen=from_iso(row[4]), item_count=row[5], source_count=row[6],
                     languages=tuple(filter(None, (row[7] or "").split(","))), sources=tuple(names))


    # -- subscribers, watches, alerts ------------------------------------------------------

    def subscribe(self, chat_id: int, chat_type: str, title: str, thread_id: int | None, language_code: str | None,
                  now: datetime) -> bool:
        """Subscribe a chat (or re-activate it); its messages go to `thread_id`. True if it was not active."""
        with self._write() as conn:
            row = conn.execute("SELECT active FROM subscribers WHERE chat_id = ?", (chat_id,)).fetchone()
            conn.execute(
                """INSERT INTO subscribers (chat_id, chat_type, title, thread_id, language_code, active, created_at,
                     updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                   ON CONFLICT(chat_id) DO UPDATE SET chat_type = excluded.chat_type, title = excluded.title,
                     thread_id = excluded.thread_id, language_code = coalesce(excluded.language_code, language_code),
                     active = 1, inactive_reason = NULL, updated_at = excluded.updated_at""",
                (chat_id, chat_type, title, thread_id, language_code, to_iso(now), to_iso(now)))
        return row is None or not row[0]

    def note_language(self, chat_id: int, language_code: str | None) -> None:
        """Remember the client language of a chat that wrote to the bot (subscribed or not yet)."""
        if language_code:
            with self._write() as conn:
                conn.execute("UPDATE subscribers SET language_code = ? WHERE chat_id = ?", (language_code, chat_id))

    def deactivate(self, chat_id: int, reason: str, now: datetime) -> bool:
        """Pause a chat (/stop, or the bot was blocked); True if it was active."""
        with self._write() as conn:
            return conn.execute(
                "UPDATE subscribers SET active = 0, inactive_reason = ?, updated_at = ? "
                "WHERE chat_id = ? AND active = 1", (reason, to_iso(now), chat_id)).rowcount == 1

    def forget_chat(self, chat_id: int) -> int:
        """Delete everything kept about a chat; return how many rows went."""
        with self._write() as conn:
            gone = conn.execute("DELETE FROM alerts WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM watches WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM digests WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,)).rowcount
            gone += conn.execute("DELETE FROM subscribers WHERE chat_id = ?", (chat_id,)).rowcount
        return gone

    def set_subscriber(self, chat_id: int, **values: Any) -> None:
        """Change a subscriber's settings: language, timezone, link_previews, digest_time."""
        allowed = {"language", "timezone", "link_previews", "digest_time"}
        if not values or not set(values) <= allowed:
            raise ValueError(f"set_subscriber takes {allowed}")
        columns = ", ".join(f"{name} = ?" for name in values)
        with self._write() as conn:
            conn.execute(f"UPDATE subscribers SET {columns} WHERE chat_id = ?", (*values.values(), chat_id))

    def get_subscriber(self, chat_id: int) -> Subscriber | None:
        row = self.conn.execute(f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers WHERE chat_id = ?",
                                (chat_id,)).fetchone()
        return _subscriber(row) if row else None

    def subscribers_of(self, chat_ids: Iterable[int]) -> dict[int, Subscriber]:
        ids = list(set(chat_ids))
        out = {}
        for at in range(0, len(ids), 500):
            chunk = ids[at:at + 500]
            rows = self.conn.execute(f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers WHERE chat_id IN "
                                     f"({','.join('?' * len(chunk))})", chunk).fetchall()
            out.update((row[0], _subscriber(row)) for row in rows)
        return out

    def add_watch(self, chat_id: int, query: str, now: datetime, limit: int,
                  meaning: Callable[[str], str] = str.casefold) -> Watch:
        """Add a watch, or WatchRefused when the chat has `limit` already or a query of the same `meaning`."""
        with self._write() as conn:
            rows = conn.execute("SELECT id, query FROM watches WHERE chat_id = ?", (chat_id,)).fetchall()
            wanted = meaning(query)
            for watch_id, text in rows:
                if meaning(text) == wanted:
                    raise WatchRefused("duplicate", watch_id)
            if len(rows) >= limit:
                raise WatchRefused("limit", limit)
            watch_id = conn.execute("INSERT INTO watches (chat_id, query, created_at) VALUES (?, ?, ?)",
                                    (chat_id, query, to_iso(now))).lastrowid
        return Watch(watch_id, chat_id, query, now)

    def watches(self, chat_id: int | None = None) -> list[Watch]:
        """A chat's watches, or every watch of an active chat; oldest first."""
        if chat_id is None:
            rows = self.conn.execute("""SELECT w.id, w.chat_id, w.query, w.created_at FROM watches w
                                        JOIN subscribers s USING (chat_id) WHERE s.active = 1 ORDER BY w.id""")
        else:
            rows = self.conn.execute("SELECT id, chat_id, query, created_at FROM watches WHERE chat_id = ? "
                                     "ORDER BY id", (chat_id,))
        return [Watch(i, c, q, from_iso(t)) for i, c, q, t in rows.fetchall()]

    def remove_watch(self, chat_id: int, watch_id: int) -> Watch | None:
        """Remove one of a chat's watches; None if the chat has no such watch."""
        with self._write() as conn:
            row = conn.execute("DELETE FROM watches WHERE id = ? AND chat_id = ? RETURNING id, chat_id, query, "
                               "created_at", (watch_id, chat_id)).fetchone()
            if row:
                conn.execute("UPDATE alerts SET watch_id = NULL WHERE watch_id = ?", (watch_id,))
        return Watch(row[0], row[1], row[2], from_iso(row[3])) if row else None

    def alerts_for(self, story_ids: Iterable[int]) -> list[Alert]:
        ids = list(set(story_ids))
        out = []
        for at in range(0, len(ids), 500):
            chunk = ids[at:at + 500]
            out += [Alert(c, s, w, q, o, n, from_iso(t), m)
                    for c, s, w, q, o, n, t, m in self.conn.execute(
                f"""SELECT a.chat_id, a.story_id, a.watch_id, a.query, a.outbox_id, a.source_count, a.sent_at,
                           o.message_id
                    FROM alerts a JOIN outbox o ON o.id = a.outbox_id
                    WHERE a.story_id IN ({','.join('?' * len(chunk))})""", chunk)]
        return out

    def queue_alert(self, alert: Alert, message: Outgoing, now: datetime) -> int | None:
        """Queue an alert message and remember it for the story; None if this chat has one for it already."""
        with self._write() as conn:
            outbox_id = self._enqueue(conn, message, now)
            if outbox_id is None:
                return None
            conn.execute("INSERT OR IGNORE INTO alerts (chat_id, story_id, watch_id, query, outbox_id, source_count, "
                         "sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (alert.chat_id, alert.story_id, alert.watch_id, alert.query, outbox_id,
                          alert.source_count, to_iso(now)))
        return outbox_id

    def grow_alert(self, alert: Alert, text: str, source_count: int, now: datetime) -> None:
        """Show a story's new figures in its alert: rewrite the message while it waits in the outbox,
        else queue an edit of the sent message (one pending edit per alert, holding the latest text)."""
        with self._write() as conn:
            replaced = conn.execute("UPDATE outbox SET text = ? WHERE id = ? AND status = 'pending'",
                                    (text, alert.outbox_id)).rowcount
            if not replaced and alert.message_id is not None:
                self._enqueue_edit(conn, f"edit:{alert.chat_id}:{alert.story_id}", alert.chat_id, text,
                                   alert.message_id, False, now)
            conn.execute("UPDATE alerts SET source_count = ?, edited_at = ? WHERE chat_id = ? AND story_id = ?",
                         (source_count, to_iso(now), alert.chat_id, alert.story_id))

    # -- outbox ---------------------------------------------------------------------------

    @staticmethod
    def _enqueue(conn: sqlite3.Connection, message: Outgoing, now: datetime) -> int | None:
        cursor = conn.execute(
            """INSERT OR IGNORE INTO outbox (key, chat_id, thread_id, kind, priority, text, markup, previews,
                 edit_message_id, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)""",
            (message.key, message.chat_id, message.thread_id, message.kind, message.priority, message.text,
             message.markup, int(message.previews), message.edit_message_id, to_iso(now)))
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def enqueue(self, messages: Iterable[Outgoing], now: datetime) -> list[int | None]:
        """Queue messages; each one's outbox id, or None where its key was queued before."""
        with self._write() as conn:
            return [self._enqueue(conn, message, now) for message in messages]

    def pending_messages(self, now: datetime, limit: int = 500) -> list[Outgoing]:
        """The next message of each chat, where it is due, most urgent first. A chat's later messages wait
        behind its first (a digest's parts stay in order, even when one is retried), and a chat with a
        long backlog takes one place in the list, not all of it."""
        rows = self.conn.execute(
            f"""SELECT {_OUTBOX_COLUMNS} FROM (
                  SELECT *, row_number() OVER (PARTITION BY chat_id ORDER BY priority, id) AS place
                  FROM outbox WHERE status = 'pending')
                WHERE place = 1 AND (not_before IS NULL OR not_before <= ?)
                ORDER BY priority, id LIMIT ?""", (to_iso(now), limit)).fetchall()
        return [_outgoing(row) for row in rows]

    def pending_message(self, outbox_id: int) -> Outgoing | None:
        """A message as it stands now, if it still waits to be sent (its text may have changed since it
        was listed, or its chat may be gone)."""
        row = self.conn.execute(f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id = ? AND status = 'pending'",
                                (outbox_id,)).fetchone()
        return _outgoing(row) if row else None

    def next_retry_at(self, now: datetime) -> datetime | None:
        """When the earliest message waiting to be retried is due."""
        return from_iso(self.conn.execute(
            "SELECT min(not_before) FROM outbox WHERE status = 'pending' AND not_before > ?",
            (to_iso(now),)).fetchone()[0])

    def mark_sent(self, message: Outgoing, message_id: int | None, now: datetime) -> None:
        """The message went out. If its text was replaced while it was on its way (an alert whose story
        grew), an edit brings the sent message up to date."""
        with self._write() as conn:
            current = conn.execute("SELECT text FROM outbox WHERE id = ?", (message.id,)).fetchone()
            conn.execute("UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?",
                         (to_iso(now), message_id, message.id))
            if current and current[0] != message.text and message_id is not None and message.kind != "edit":
                self._enqueue_edit(conn, f"edit-of:{message.id}", message.chat_id, current[0], message_id,
                                   message.previews, now)

    @staticmethod
    def _enqueue_edit(conn: sqlite3.Connection, key: str, chat_id: int, text: str, message_id: int,
                      previews: bool, now: datetime) -> None:
        """Queue an edit of a sent message; one pending edit per key, holding the latest text."""
        conn.execute(
            """INSERT INTO outbox (key, chat_id, kind, priority, text, previews, edit_message_id, status, attempts,
                 created_at) VALUES (?, ?, 'edit', 1, ?, ?, ?, 'pending', 0, ?)
               ON CONFLICT(key) DO UPDATE SET text = excluded.text, status = 'pending', attempts = 0,
                 not_before = NULL, error = NULL""",
            (key, chat_id, text, int(previews), message_id, to_iso(now)))

    def prune_outbox(self, before: datetime) -> int:
        """Forget messages sent, failed or dropped before a moment (their keys can no longer recur)."""
        with self._write() as conn:
            return conn.execute("DELETE FROM outbox WHERE status != 'pending' AND created_at < ? AND id NOT IN "
                                "(SELECT outbox_id FROM alerts)", (to_iso(before),)).rowcount

    def mark_retry(self, outbox_id: int, not_before: datetime, error: str, count: bool = True) -> None:
        """Try again later; `count` False for waits Telegram asked for (429), which are not failures."""
        with self._write() as conn:
            conn.execute("UPDATE outbox SET attempts = attempts + ?, not_before = ?, error = ? WHERE id = ?",
                         (int(count), to_iso(not_before), error, outbox_id))

    def mark_failed(self, outbox_id: int, error: str, now: datetime) -> None:
        with self._write() as conn:
            conn.execute("UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, sent_at = ? "
                         "WHERE id = ?", (error, to_iso(now), outbox_id))

    def chat_gone(self, chat_id: int, reason: str, now: datetime) -> int:
        """Telegram refuses messages to a chat: mark it inactive and drop what waits for it; how many dropped."""
        with self._write() as conn:
            conn.execute("UPDATE subscribers SET active = 0, inactive_reason = ?, updated_at = ? WHERE chat_id = ?",
                         (reason, to_iso(now), chat_id))
            return conn.execute("UPDATE outbox SET status = 'dropped', error = ? WHERE chat_id = ? AND "
                                "status = 'pending'", (reason, chat_id)).rowcount

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription, watches, alerts and pending messages follow it."""
        with self._write() as conn:
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

    # -- digests --------------------------------------------------------------------------

    def queue_digest(self, chat_id: int, local_date: str, stories: int, messages: list[Outgoing],
                     now: datetime) -> bool:
        """Queue a chat's digest for a local date, once: False if that date's digest exists already."""
        with self._write() as conn:
            fresh = conn.execute("INSERT OR IGNORE INTO digests (chat_id, local_date, stories, parts, created_at) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 (chat_id, local_date, stories, len(messages), to_iso(now))).rowcount
            if fresh:
                for message in messages:
                    self._enqueue(conn, message, now)
        return bool(fresh)

    def has_digest(self, chat_id: int, local_date: str) -> bool:
        return self.conn.execute("SELECT 1 FROM digests WHERE chat_id = ? AND local_date = ?",
                                 (chat_id, local_date)).fetchone() is not None

    def count_stories(self, since: datetime) -> int:
        """Stories first seen or grown since a moment."""
        return self.conn.execute("SELECT count(*) FROM stories WHERE last_seen >= ?", (to_iso(since),)).fetchone()[0]

    def story_details(self, story_ids: Iterable[int], per_story: int = 3) -> dict[int, dict]:
        """For each story: its first title in each language ({"titles": {lang: title}}) and its first
        `per_story` sources with the link of their first report ({"links": [(name, url)]})."""
        out: dict[int, dict] = {}
        for story_id in set(story_ids):
            titles = {}
            for lang, title in self.conn.execute(
                    """SELECT lang, title FROM items WHERE story_id = ? AND title != '' AND lang != ''
                       ORDER BY cluster_seq""", (story_id,)):
                titles.setdefault(lang, title)
            links = self.conn.execute(
                """SELECT s.name, (SELECT i.url FROM items i WHERE i.story_id = ss.story_id
                                     AND i.source_id = ss.source_id ORDER BY i.cluster_seq LIMIT 1)
                   FROM story_sources ss JOIN sources s ON s.id = ss.source_id
                   WHERE ss.story_id = ? ORDER BY ss.first_seq LIMIT ?""", (story_id, per_story)).fetchall()
            out[story_id] = {"titles": titles, "links": [(name, url or "") for name, url in links]}
        return out

    def story_texts(self, story_ids: Iterable[int], per_story: int = 20) -> dict[int, tuple[int, str]]:
        """For each story: its report count and the titles and openings of its first reports (what
        watches are matched against in a digest)."""
        out = {}
        for story_id in set(story_ids):
            reports = self.conn.execute(
                "SELECT title, substr(text, 1, 400) FROM items WHERE story_id = ? ORDER BY cluster_seq LIMIT ?",
                (story_id, per_story)).fetchall()
            count = self.conn.execute("SELECT item_count FROM stories WHERE id = ?", (story_id,)).fetchone()
            out[story_id] = (count[0] if count else 0, "\n".join(f"{t or ''}\n{x or ''}" for t, x in reports))
        return out

    def alerted_stories(self, chat_id: int, story_ids: Iterable[int]) -> set[int]:
        ids = list(story_ids)
        if not ids:
            return set()
        return {s for (s,) in self.conn.execute(
            f"SELECT story_id FROM alerts WHERE chat_id = ? AND story_id IN ({','.join('?' * len(ids))})",
            (chat_id, *ids))}

    def subscribers(self, active_only: bool = True) -> list[Subscriber]:
        where = "WHERE active = 1" if active_only else ""
        return [_subscriber(row) for row in self.conn.execute(
            f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers {where} ORDER BY chat_id")]

    def status_figures(self, since: datetime) -> dict[str, int]:
        """What /status shows: sources, their errors, items and stories since a moment, subscribers, watches."""
        one = lambda sql, *args: self.conn.execute(sql, args).fetchone()[0]  # noqa: E731
        return {
            "sources": one("SELECT count(*) FROM sources WHERE enabled = 1"),
            "failing": one("SELECT count(*) FROM sources WHERE enabled = 1 AND error_count > 0"),
            "items": one("SELECT count(*) FROM items WHERE fetched_at >= ?", to_iso(since)),
            "stories": one("SELECT count(*) FROM stories WHERE first_seen >= ?", to_iso(since)),
            "subscribers": one("SELECT count(*) FROM subscribers WHERE active = 1"),
            "watches": one("SELECT count(*) FROM watches w JOIN subscribers s USING (chat_id) WHERE s.active = 1"),
            "queue": one("SELECT count(*) FROM outbox WHERE status = 'pending'"),
            "failed": one("SELECT count(*) FROM outbox WHERE status = 'failed' AND sent_at >= ?", to_iso(since)),
        }


STORY_SOURCE_NAMES = 20  # names carried with a story; source_count counts them all
_STORY_COLUMNS = "id, headline, url, first_seen, last_seen, item_count, source_count, languages"
_SOURCE_COLUMNS = "s.id, s.kind, s.url, s.name, s.interval_s, s.origin, s.enabled, s.backfill"
# A new source's id: past every id ever given (migration 0011), so a removed source's id names no other
_NEW_SOURCE_ID = "(SELECT max(last, (SELECT coalesce(max(id), 0) FROM sources)) + 1 FROM source_ids)"
_STATE_COLUMNS = ("s.id, s.etag, s.last_modified, s.last_success_at, s.last_attempt_at, s.error_count, "
                  "s.last_error, s.next_check_at, s.last_post_id")


_OUTBOX_COLUMNS = "id, key, chat_id, thread_id, kind, priority, text, markup, previews, edit_message_id, attempts"


def _outgoing(row: tuple) -> Outgoing:
    i, k, c, th, kind, p, t, mk, pv, e, a = row
    return Outgoing(key=k, chat_id=c, text=t, kind=kind, thread_id=th, markup=mk, previews=bool(pv), edit_message_id=e,
                    priority=p, id=i, attempts=a)


_SUBSCRIBER_COLUMNS = ("chat_id, chat_type, title, thread_id, coalesce(language, language_code, 'en'), timezone, "
                       "link_previews, active, digest_time, language_code")


def _subscriber(row: tuple) -> Subscriber:
    return Subscriber(chat_id=row[0], chat_type=row[1], title=row[2] or "", thread_id=row[3], language=row[4],
                      timezone=row[5], link_previews=bool(row[6]), active=bool(row[7]), digest_time=row[8],
                      client_language=row[9])


def _source(row: tuple) -> Source:
    return Source(id=row[0], kind=row[1], url=row[2], name=row[3], interval_s=row[4], origin=row[5],
                  enabled=bool(row[6]), backfill=row[7])


def _state(row: tuple) -> SourceState:
    return SourceState(
        source_id=row[0], etag=row[1], last_modified=row[2], last_success_at=from_iso(row[3]),
        last_attempt_at=from_iso(row[4]), error_count=row[5], last_error=row[6], next_check_at=from_iso(row[7]),
        last_post_id=row[8],
    )


class Store:
    """Async face of Repository: each call runs on the single thread that owns the connection.

    `await store.insert_items(...)` runs `Repository.insert_items` there; the methods are the same.
    """

    def __init__(self, repository: Repository, executor: ThreadPoolExecutor) -> None:
        self._repository = repository
        self._executor = executor

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        try:
            repository = await asyncio.get_running_loop().run_in_executor(executor, Repository, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(repository, executor)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._repository.close)
        self._executor.shutdown(wait=True)

    def __getattr__(self, name: str):
        method = getattr(Repository, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            bound = partial(method, self._repository, *args, **kwargs)
            return await asyncio.get_running_loop().run_in_executor(self._executor, bound)

        call.__name__ = name
        call.__doc__ = method.__doc__
        return call
