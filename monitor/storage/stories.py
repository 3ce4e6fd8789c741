"""Stories: the deduplicator's assignments of items, its restart rows, and the stories summed up."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.models import Story
from monitor.storage.database import Repository, in_chunks, moment, on_database_thread, to_iso, write
from monitor.storage.rows import (
    AssignmentRow,
    ClusteringStart,
    ItemTerms,
    ReplayRow,
    StoryDetails,
    StoryExpiry,
    StoryLink,
    StoryText,
    TitleTerms,
    UnclusteredItem,
)

SOURCE_NAMES = 20  # names carried with a story; source_count counts them all
_COLUMNS = "id, headline, url, first_seen, last_seen, item_count, source_count, languages"


class StoryRepository(Repository):
    @on_database_thread
    def clustering_start(self) -> ClusteringStart:
        """Where the clusterer goes on from: the next story id and clustering sequence number."""
        row = self._conn.execute("SELECT max(story_id), max(cluster_seq) FROM items").fetchone()
        last_story = max(row[0] or 0, self._conn.execute("SELECT max(id) FROM stories").fetchone()[0] or 0)
        return ClusteringStart(last_story + 1, (row[1] or 0) + 1)

    @on_database_thread
    def replay(self, window_s: float, after_seq: int = 0, limit: int = -1) -> list[ReplayRow]:
        """The clustered items a restarted clusterer must see again to be in the state it left, in the
        order it saw them: the reports of every story still active (its latest report within a window of
        the latest report of all) since the clusterer last opened it (a story that left the window can be
        opened again by the same report from elsewhere). Every item within that window belongs to one.
        A page at a time: those clustered after `after_seq` (a row's `seq`), at most `limit` of them."""
        active_since = self._active_since(window_s)
        if active_since is None:
            return []
        rows = self._conn.execute(
            """SELECT i.id, i.source_id, i.title, i.text, i.published_at, i.story_id, i.embedding, i.term_vector,
                      i.lang, i.text_chars, i.text_days, i.cluster_seq, i.title_names, i.title_terms
               FROM items i JOIN stories s ON s.id = i.story_id
               WHERE s.last_seen >= ? AND i.cluster_seq >= coalesce(s.opened_seq, 0) AND i.cluster_seq > ?
               ORDER BY i.cluster_seq LIMIT ?""",
            (active_since, after_seq, limit)).fetchall()
        return [ReplayRow(item_id, source_id, title or "", text or "", moment(published), story_id, embedding,
                          term_vector, lang or "", chars, days, seq, title_names, title_terms)
                for item_id, source_id, title, text, published, story_id, embedding, term_vector, lang, chars, days,
                seq, title_names, title_terms in rows]

    @on_database_thread
    def replay_size(self, window_s: float) -> int:
        """How many items `replay` gives in all."""
        active_since = self._active_since(window_s)
        if active_since is None:
            return 0
        count: int = self._conn.execute(
            """SELECT count(*) FROM items i JOIN stories s ON s.id = i.story_id
               WHERE s.last_seen >= ? AND i.cluster_seq >= coalesce(s.opened_seq, 0)""", (active_since,)).fetchone()[0]
        return count

    def _active_since(self, window_s: float) -> str | None:
        """The time a story's latest report must be at or after to be active (None: nothing is clustered)."""
        clock = self._conn.execute("SELECT max(published_at) FROM items WHERE story_id IS NOT NULL").fetchone()[0]
        return None if clock is None else to_iso(moment(clock) - timedelta(seconds=window_s))

    @on_database_thread
    def last_unclustered(self) -> int:
        """The id of the latest item stored but not clustered yet; 0 when every item is."""
        last: int | None = self._conn.execute("SELECT max(id) FROM items WHERE story_id IS NULL").fetchone()[0]
        return last or 0

    @on_database_thread
    def unclustered(self, after_id: int = 0, limit: int = 500, up_to: int | None = None) -> list[UnclusteredItem]:
        """Items stored but not clustered yet, in the order they were stored, a page at a time (those
        stored after item `up_to` left out)."""
        rows = self._conn.execute(
            """SELECT id, source_id, title, text, published_at, same_as FROM items
               WHERE story_id IS NULL AND id > ? AND id <= ? ORDER BY id LIMIT ?""",
            (after_id, up_to if up_to is not None else 2**63 - 1, limit)).fetchall()
        return [UnclusteredItem(item_id, source_id, title or "", text or "", moment(published), same_as)
                for item_id, source_id, title, text, published, same_as in rows]

    @on_database_thread
    def of_items(self, item_ids: Iterable[int]) -> dict[int, int]:
        """item id → story id, for those of these items already clustered."""
        ids = list(item_ids)
        out: dict[int, int] = {}
        for chunk, marks in in_chunks(ids):
            out.update(self._conn.execute(
                f"SELECT id, story_id FROM items WHERE id IN ({marks}) AND story_id IS NOT NULL", chunk).fetchall())
        return out

    @on_database_thread
    def keep_terms(self, rows: Iterable[ItemTerms], now: datetime, titles: Iterable[TitleTerms] = ()) -> None:
        """Store what a start read again of reports it put back without a stored vector (`replay` gives them with
        the vector then), unless a vector was stored meanwhile. A language read otherwise than stored is the
        report's language now (the next start puts it back with it): its story's languages are summed up again.
        `titles`: the title's names and terms read of reports put back with a vector but without them, stored where
        they are still missing and the vector is still kept (its story has not left the window)."""
        rows = list(rows)
        with write(self._conn) as conn:
            conn.executemany("UPDATE items SET title_names = coalesce(title_names, ?), title_terms = coalesce("
                             "title_terms, ?) WHERE id = ? AND term_vector IS NOT NULL",
                             [(row.title_names, row.title_terms, row.item_id) for row in titles])
            stored: dict[int, tuple[int, str]] = {}
            for chunk, marks in in_chunks([row.item_id for row in rows]):
                stored.update((item_id, (story_id, lang or "")) for item_id, story_id, lang in conn.execute(
                    f"SELECT id, story_id, lang FROM items WHERE id IN ({marks}) AND term_vector IS NULL", chunk))
            conn.executemany("UPDATE items SET lang = ?, term_vector = ?, text_chars = ?, text_days = ?, "
                             "title_names = ?, title_terms = ? WHERE id = ? AND term_vector IS NULL",
                             [(row.lang, row.term_vector, row.text_chars, row.text_days, row.title_names,
                               row.title_terms, row.item_id) for row in rows])
            for story_id in {stored[row.item_id][0] for row in rows
                             if row.item_id in stored and stored[row.item_id][1] != row.lang}:
                conn.execute("UPDATE stories SET languages = ?, updated_at = ? WHERE id = ?",
                             (_languages(conn, story_id), to_iso(now), story_id))

    @on_database_thread
    def assign(self, rows: Iterable[AssignmentRow], embeddings: dict[int, bytes], now: datetime,
               expired: Iterable[StoryExpiry] = ()) -> list[int]:
        """Store where items went and the embeddings computed, and forget the term vectors (and title names and
        terms) of the reports a story had when it left the clusterer's window (they are not put back on a restart,
        so the store keeps vectors for the window, not the archive); return the ids of the stories the rows touched
        (`get_many` sums them up). An item is assigned once: a row for an item that already has a story
        is ignored. The stories' figures grow by what this call adds (no rescan of the story)."""
        growth: dict[int, _Growth] = {}
        with write(self._conn) as conn:
            for row in rows:
                assigned = conn.execute(
                    """UPDATE items SET story_id = ?, story_score = ?, cluster_seq = ?, lang = ?, term_vector = ?,
                         text_chars = ?, text_days = ?, title_names = ?, title_terms = ?
                       WHERE id = ? AND story_id IS NULL RETURNING source_id, title, url, published_at""",
                    (row.story_id, row.score, row.seq, row.lang, row.term_vector, row.text_chars, row.text_days,
                     row.title_names, row.title_terms, row.item_id)).fetchone()
                if assigned is None:
                    continue
                source_id, title, url, published = assigned
                new_source = conn.execute("INSERT OR IGNORE INTO story_sources (story_id, source_id, first_seq) "
                                          "VALUES (?, ?, ?)", (row.story_id, source_id, row.seq)).rowcount
                grown = growth.setdefault(row.story_id, _Growth(first=published, last=published, url=url or ""))
                grown.items += 1
                if row.opened:
                    grown.opened = row.seq
                grown.sources += new_source
                grown.first, grown.last = min(grown.first, published), max(grown.last, published)
                grown.languages.add(row.lang)
                if title and grown.headline is None:
                    grown.headline = (title, url or "")
            for item_id, blob in embeddings.items():
                conn.execute("UPDATE items SET embedding = ? WHERE id = ?", (blob, item_id))
            conn.executemany("UPDATE items SET term_vector = NULL, title_names = NULL, title_terms = NULL "
                             "WHERE story_id = ? AND cluster_seq < ? AND term_vector IS NOT NULL", list(expired))
            for story_id, grown in growth.items():
                _grow(conn, story_id, grown, now)
        return list(growth)

    @on_database_thread
    def get(self, story_id: int) -> Story | None:
        return _find(self._conn, story_id)

    @on_database_thread
    def get_many(self, story_ids: Iterable[int]) -> list[Story]:
        """These stories as stored now, in the order asked (those that are gone left out)."""
        return [story for story in (_find(self._conn, story_id) for story_id in story_ids) if story is not None]

    @on_database_thread
    def recent(self, since: datetime | None = None, limit: int = 50) -> list[Story]:
        """Stories seen since a moment, most sources first, then the latest."""
        rows = self._conn.execute(
            f"""SELECT {_COLUMNS} FROM stories WHERE last_seen >= ?
                ORDER BY source_count DESC, last_seen DESC LIMIT ?""",
            (to_iso(since) if since else "", limit)).fetchall()
        return [_story(self._conn, row) for row in rows]

    @on_database_thread
    def count(self, since: datetime) -> int:
        """Stories first seen or grown since a moment."""
        count: int = self._conn.execute("SELECT count(*) FROM stories WHERE last_seen >= ?",
                                        (to_iso(since),)).fetchone()[0]
        return count

    @on_database_thread
    def details(self, story_ids: Iterable[int], per_story: int = 3) -> dict[int, StoryDetails]:
        """For each story: its first title in each language, and its first `per_story` sources with the
        link of their first report."""
        out: dict[int, StoryDetails] = {}
        for story_id in set(story_ids):
            titles: dict[str, str] = {}
            for lang, title in self._conn.execute(
                    """SELECT lang, title FROM items WHERE story_id = ? AND title != '' AND lang != ''
                       ORDER BY cluster_seq""", (story_id,)):
                titles.setdefault(lang, title)
            links = self._conn.execute(
                """SELECT s.name, (SELECT i.url FROM items i WHERE i.story_id = ss.story_id
                                     AND i.source_id = ss.source_id ORDER BY i.cluster_seq LIMIT 1)
                   FROM story_sources ss JOIN sources s ON s.id = ss.source_id
                   WHERE ss.story_id = ? ORDER BY ss.first_seq LIMIT ?""", (story_id, per_story)).fetchall()
            out[story_id] = StoryDetails(titles, tuple(StoryLink(name, url or "") for name, url in links))
        return out

    @on_database_thread
    def texts(self, story_ids: Iterable[int], per_story: int = 20) -> dict[int, StoryText]:
        """For each story: its report count and the titles and openings of its first reports (what
        watches are matched against)."""
        out: dict[int, StoryText] = {}
        for story_id in set(story_ids):
            reports = self._conn.execute(
                "SELECT title, substr(text, 1, 400) FROM items WHERE story_id = ? ORDER BY cluster_seq LIMIT ?",
                (story_id, per_story)).fetchall()
            count = self._conn.execute("SELECT item_count FROM stories WHERE id = ?", (story_id,)).fetchone()
            out[story_id] = StoryText(count[0] if count else 0, "\n".join(f"{t or ''}\n{x or ''}" for t, x in reports))
        return out


@dataclass
class _Growth:
    """What one call adds to a story."""

    first: str  # ISO 8601: compares as the moments do
    last: str
    url: str  # the first report's link
    items: int = 0
    sources: int = 0
    languages: set[str] = field(default_factory=set)
    headline: tuple[str, str] | None = None  # the first report with a title, and its link
    opened: int | None = None  # the sequence number that (re)opened the story in the clusterer


def _grow(conn: sqlite3.Connection, story_id: int, grown: _Growth, now: datetime) -> None:
    row = conn.execute("SELECT headline, url, first_seen, last_seen, item_count, source_count, languages, "
                       "opened_seq FROM stories WHERE id = ?", (story_id,)).fetchone()
    opened = grown.opened if grown.opened is not None else row[7] if row is not None else None
    # the headline is the first report with a title (the first report's link when none has one)
    headline, url = grown.headline or ("", grown.url)
    if row is not None:
        if row[0] or not grown.headline:
            headline, url = row[0], row[1]
        first, last = min(row[2], grown.first), max(row[3], grown.last)
        items, sources = row[4] + grown.items, row[5] + grown.sources
        languages = set(filter(None, row[6].split(","))) | grown.languages
    else:
        first, last, items, sources = grown.first, grown.last, grown.items, grown.sources
        languages = grown.languages
    conn.execute("INSERT OR REPLACE INTO stories (id, headline, url, first_seen, last_seen, item_count, "
                 "source_count, languages, updated_at, opened_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (story_id, headline, url, first, last, items, sources,
                  ",".join(sorted(languages - {""})), to_iso(now), opened))


def _languages(conn: sqlite3.Connection, story_id: int) -> str:
    """The languages of a story's items, as `stories.languages` keeps them (sorted, comma-separated)."""
    languages = conn.execute("SELECT group_concat(DISTINCT nullif(lang, '')) FROM items WHERE story_id = ?",
                             (story_id,)).fetchone()[0]
    return ",".join(sorted(set((languages or "").split(",")) - {""}))


def recount_story(conn: sqlite3.Connection, story_id: int, now: datetime) -> None:
    """Sum a story up again from its items (after some were deleted); a story left empty goes."""
    count, first, last = conn.execute(
        "SELECT count(*), min(published_at), max(published_at) FROM items WHERE story_id = ?", (story_id,)).fetchone()
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
    languages = _languages(conn, story_id)
    conn.execute(
        """UPDATE stories SET headline = ?, url = ?, first_seen = ?, last_seen = ?, item_count = ?,
             source_count = ?, languages = ?, updated_at = ? WHERE id = ?""",
        (headline or "", url or "", first, last, count, sources, languages, to_iso(now), story_id))


def _find(conn: sqlite3.Connection, story_id: int) -> Story | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM stories WHERE id = ?", (story_id,)).fetchone()
    return _story(conn, row) if row else None


def _story(conn: sqlite3.Connection, row: tuple) -> Story:
    names = [name for (name,) in conn.execute(
        """SELECT s.name FROM story_sources ss JOIN sources s ON s.id = ss.source_id WHERE ss.story_id = ?
           ORDER BY ss.first_seq LIMIT ?""", (row[0], SOURCE_NAMES))]
    return Story(id=row[0], headline=row[1], url=row[2], first_seen=moment(row[3]), last_seen=moment(row[4]),
                 item_count=row[5], source_count=row[6], languages=tuple(filter(None, (row[7] or "").split(","))),
                 sources=tuple(names))
