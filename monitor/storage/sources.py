"""Sources and their poll state: synced from the config file, added by command or chat, removed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from monitor.models import Source, SourceSpec, SourceState
from monitor.storage.database import Repository, StoreError, from_iso, in_chunks, on_database_thread, to_iso, write
from monitor.storage.rows import RemovedSource, SourceRow
from monitor.storage.stories import recount_story

_COLUMNS = "s.id, s.kind, s.url, s.name, s.interval_s, s.origin, s.enabled, s.backfill"
_STATE_COLUMNS = ("s.id, s.etag, s.last_modified, s.last_success_at, s.last_attempt_at, s.error_count, "
                  "s.last_error, s.next_check_at, s.last_post_id")
# A new source's id: past every id ever given (migration 0011), so a removed source's id names no other
_NEW_ID = "(SELECT max(last, (SELECT coalesce(max(id), 0) FROM sources)) + 1 FROM source_ids)"


class SourceExists(StoreError):
    """A source with this URL is in the store already (`source_id`)."""

    def __init__(self, url: str, source_id: int) -> None:
        super().__init__(f"sources: {url} is already source {source_id}")
        self.source_id = source_id


class NoSuchSource(StoreError):
    """No source has this id."""


class ConfigSource(StoreError):
    """A source from the config file: it is removed there, not by command."""

    def __init__(self, source: Source) -> None:
        super().__init__(f"sources: source {source.id} ({source.name}) comes from the config file; "
                         "remove it there instead, or it returns on the next start")
        self.source = source


class SourceRepository(Repository):
    @on_database_thread
    def sync(self, configured: Iterable[SourceSpec], now: datetime) -> None:
        """Make the config file's sources present and enabled; disable config sources no longer listed.

        Sources added by command stay as they are, unless the config now lists them too.
        """
        configured = list(configured)
        urls = {c.url for c in configured}
        with write(self._conn) as conn:
            for spec in configured:
                conn.execute(
                    f"""INSERT INTO sources (id, kind, url, name, interval_s, backfill, origin, enabled, added_at)
                       VALUES ({_NEW_ID}, ?, ?, ?, ?, ?, 'config', 1, ?)
                       ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                         interval_s = excluded.interval_s, backfill = excluded.backfill, origin = 'config',
                         enabled = 1""",
                    (spec.kind, spec.url, spec.name, spec.interval_s, spec.backfill, to_iso(now)),
                )
            for source_id, url in conn.execute("SELECT id, url FROM sources WHERE origin = 'config'").fetchall():
                if url not in urls:
                    conn.execute("UPDATE sources SET enabled = 0 WHERE id = ?", (source_id,))

    @on_database_thread
    def add(self, spec: SourceSpec, now: datetime, origin: str = "user") -> Source:
        """Add a source by command (origin `user`) or from chat (`chat`); SourceExists if its URL is there."""
        with write(self._conn) as conn:
            existing = conn.execute("SELECT id, enabled FROM sources WHERE url = ?", (spec.url,)).fetchone()
            if existing and existing[1]:
                raise SourceExists(spec.url, existing[0])
            if existing:  # a disabled one comes back, with its items
                conn.execute(
                    "UPDATE sources SET enabled = 1, origin = ?, name = ?, interval_s = ?, backfill = ? "
                    "WHERE id = ?",
                    (origin, spec.name, spec.interval_s, spec.backfill, existing[0]),
                )
                source_id = existing[0]
            else:
                cursor = conn.execute(
                    f"""INSERT INTO sources (id, kind, url, name, interval_s, backfill, origin, enabled, added_at)
                       VALUES ({_NEW_ID}, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id""",
                    (spec.kind, spec.url, spec.name, spec.interval_s, spec.backfill, origin, to_iso(now)),
                )
                (source_id,) = cursor.fetchone()
            return _get(conn, source_id)

    @on_database_thread
    def ensure(self, kind: str, url: str, name: str, now: datetime) -> Source:
        """The source with this URL, created (origin `bot`) on first sight; its name follows the channel's."""
        with write(self._conn) as conn:
            conn.execute(
                f"""INSERT INTO sources (id, kind, url, name, origin, enabled, added_at)
                   VALUES ({_NEW_ID}, ?, ?, ?, 'bot', 1, ?)
                   ON CONFLICT(url) DO UPDATE SET name = excluded.name""",
                (kind, url, name, to_iso(now)),
            )
            (source_id,) = conn.execute("SELECT id FROM sources WHERE url = ?", (url,)).fetchone()
            return _get(conn, source_id)

    @on_database_thread
    def remove(self, source_id: int) -> RemovedSource:
        """Delete a source added by command and its items; return it and how many items went. NoSuchSource,
        ConfigSource when it may not."""
        source = _find(self._conn, source_id)
        if source is None:
            raise NoSuchSource(f"sources: there is no source {source_id}; `monitor sources list` shows the ids")
        if source.origin == "config":
            raise ConfigSource(source)
        with write(self._conn) as conn:
            conn.execute("UPDATE items SET same_as = NULL WHERE same_as IN (SELECT id FROM items WHERE source_id = ?)",
                         (source_id,))
            stories = [story_id for (story_id,) in conn.execute(
                "SELECT DISTINCT story_id FROM items WHERE source_id = ? AND story_id IS NOT NULL", (source_id,))]
            removed = conn.execute("DELETE FROM items WHERE source_id = ?", (source_id,)).rowcount
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
            for story_id in stories:  # the stories it reported lose it from their counts
                recount_story(conn, story_id, datetime.now(UTC))
        return RemovedSource(source, removed)

    @on_database_thread
    def get(self, source_id: int) -> Source | None:
        return _find(self._conn, source_id)

    @on_database_thread
    def enabled(self) -> list[Source]:
        """The sources to poll (and to list), in the order they were added."""
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM sources s WHERE enabled = 1 ORDER BY id").fetchall()
        return [_source(row) for row in rows]

    @on_database_thread
    def rows(self, enabled_only: bool = False) -> list[SourceRow]:
        """Every source with its state and item counts, for listings."""
        where = "WHERE s.enabled = 1" if enabled_only else ""
        rows = self._conn.execute(
            f"""SELECT {_COLUMNS}, {_STATE_COLUMNS}, s.title, s.last_status,
                       (SELECT count(*) FROM items i WHERE i.source_id = s.id),
                       (SELECT max(published_at) FROM items i WHERE i.source_id = s.id)
                FROM sources s {where} ORDER BY s.id"""
        ).fetchall()
        n = len(_COLUMNS.split(","))
        m = n + len(_STATE_COLUMNS.split(","))
        return [SourceRow(_source(row[:n]), _state(row[n:m]), row[m] or "", row[m + 1], row[m + 2],
                          from_iso(row[m + 3])) for row in rows]

    @on_database_thread
    def state(self, source_id: int) -> SourceState:
        """What the poller remembers about a source."""
        row = self._conn.execute(f"SELECT {_STATE_COLUMNS} FROM sources s WHERE id = ?", (source_id,)).fetchone()
        if row is None:
            raise StoreError(f"storage: no source {source_id}")
        return _state(row)

    @on_database_thread
    def states(self, source_ids: Iterable[int]) -> dict[int, SourceState]:
        """What the poller remembers about each of these sources, read at once (a pass over a thousand sources
        asked one by one spent a tenth of its time on the round trips); a source not stored is left out."""
        ids = list(source_ids)
        found: dict[int, SourceState] = {}
        for chunk, marks in in_chunks(ids):
            found.update((row[0], _state(row)) for row in self._conn.execute(
                f"SELECT {_STATE_COLUMNS} FROM sources s WHERE id IN ({marks})", chunk))
        return found

    @on_database_thread
    def record_success(
        self, source_id: int, *, now: datetime, next_check_at: datetime, status: int,
        etag: str | None, last_modified: str | None, title: str | None = None, last_post_id: int | None = None,
    ) -> None:
        """A poll worked: remember validators (and a channel's newest post), clear the error state."""
        with write(self._conn) as conn:
            conn.execute(
                """UPDATE sources SET etag = ?, last_modified = ?, last_attempt_at = ?, last_success_at = ?,
                     last_status = ?, error_count = 0, last_error = NULL, next_check_at = ?,
                     title = coalesce(?, title), last_post_id = coalesce(?, last_post_id)
                   WHERE id = ?""",
                (etag, last_modified, to_iso(now), to_iso(now), status, to_iso(next_check_at), title or None,
                 last_post_id, source_id),
            )

    @on_database_thread
    def record_error(
        self, source_id: int, *, now: datetime, next_check_at: datetime, error: str, status: int | None
    ) -> int:
        """A poll failed: count it, keep the message, set when to try again. Returns the new error count."""
        with write(self._conn) as conn:
            conn.execute(
                """UPDATE sources SET last_attempt_at = ?, last_status = ?, error_count = error_count + 1,
                     last_error = ?, next_check_at = ? WHERE id = ?""",
                (to_iso(now), status, error, to_iso(next_check_at), source_id),
            )
            count: int = conn.execute("SELECT error_count FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
            return count


def _find(conn: sqlite3.Connection, source_id: int) -> Source | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM sources s WHERE id = ?", (source_id,)).fetchone()
    return _source(row) if row else None


def _get(conn: sqlite3.Connection, source_id: int) -> Source:
    source = _find(conn, source_id)
    if source is None:
        raise StoreError(f"storage: no source {source_id}")
    return source


def _source(row: tuple) -> Source:
    return Source(id=row[0], kind=row[1], url=row[2], name=row[3], interval_s=row[4], origin=row[5],
                  enabled=bool(row[6]), backfill=row[7])


def _state(row: tuple) -> SourceState:
    return SourceState(
        source_id=row[0], etag=row[1], last_modified=row[2], last_success_at=from_iso(row[3]),
        last_attempt_at=from_iso(row[4]), error_count=row[5], last_error=row[6], next_check_at=from_iso(row[7]),
        last_post_id=row[8],
    )
