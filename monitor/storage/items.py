"""Items: each source's reports, stored once (UNIQUE(source_id, key)), with the same report elsewhere noted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from monitor.models import Item, StoredItem
from monitor.storage.database import Repository, moment, on_database_thread, to_iso, write
from monitor.storage.rows import ItemRow


class ItemRepository(Repository):
    @on_database_thread
    def insert(self, source_id: int, items: Iterable[Item], fetched_at: datetime) -> list[StoredItem]:
        """Store the items this source has not had yet; return only those (the database decides)."""
        new: list[StoredItem] = []
        fetched = to_iso(fetched_at)
        with write(self._conn) as conn:
            for item in items:
                same_as = same_report(conn, source_id, item)
                cursor = conn.execute(
                    """INSERT OR IGNORE INTO items (source_id, key, guid, url, canonical_url, title, text, author,
                         published_at, fetched_at, fingerprint, same_as, forwarded_from, views)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (source_id, item.key, item.guid, item.url, item.canonical_url, item.title, item.text,
                     item.author, to_iso(item.published_at), fetched, item.fingerprint, same_as,
                     item.forwarded_from, item.views),
                )
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    new.append(StoredItem(cursor.lastrowid, source_id, item, fetched_at, same_as))
        return new

    @on_database_thread
    def update_text(self, source_id: int, item: Item) -> int | None:
        """Replace the text of a stored item (an edited post); return its id, or None if it is not stored."""
        with write(self._conn) as conn:
            conn.execute(
                "UPDATE items SET title = ?, text = ?, fingerprint = ? WHERE source_id = ? AND key = ?",
                (item.title, item.text, item.fingerprint, source_id, item.key),
            )
            row = conn.execute("SELECT id FROM items WHERE source_id = ? AND key = ?",
                               (source_id, item.key)).fetchone()
        return row[0] if row else None

    @on_database_thread
    def count(self, source_id: int | None = None) -> int:
        """Items stored, of one source or of all."""
        if source_id is None:
            row = self._conn.execute("SELECT count(*) FROM items").fetchone()
        else:
            row = self._conn.execute("SELECT count(*) FROM items WHERE source_id = ?", (source_id,)).fetchone()
        count: int = row[0]
        return count

    @on_database_thread
    def latest(self, source_id: int | None = None, limit: int = 100) -> list[ItemRow]:
        """The latest items, of one source or of all, newest first."""
        where, args = ("WHERE source_id = ?", (source_id,)) if source_id is not None else ("", ())
        rows = self._conn.execute(
            f"""SELECT id, source_id, key, url, title, published_at, fetched_at, same_as, lang, story_id, story_score
                FROM items {where} ORDER BY published_at DESC, id DESC LIMIT ?""", (*args, limit)).fetchall()
        return [ItemRow(i, s, k, url or "", title or "", moment(p), moment(f), same, lang, story, score)
                for i, s, k, url, title, p, f, same, lang, story, score in rows]


def same_report(conn: sqlite3.Connection, source_id: int, item: Item) -> int | None:
    """The first item of another source carrying this report: same canonical URL, else same words."""
    for column, value in (("canonical_url", item.canonical_url), ("fingerprint", item.fingerprint)):
        if not value:
            continue
        row = conn.execute(
            f"SELECT coalesce(same_as, id) FROM items WHERE {column} = ? AND source_id != ? ORDER BY id LIMIT 1",
            (value, source_id),
        ).fetchone()
        if row:
            found: int = row[0]
            return found
    return None
