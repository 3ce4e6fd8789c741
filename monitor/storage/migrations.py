"""Named, append-only schema migrations. Never edit or reorder one that has shipped: add a new one, and
describe each table and column it adds in schema.py (docs/schema.md is generated from both)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from monitor.core.html import one_line, strip_controls

if TYPE_CHECKING:  # imported where a migration is applied: sqlite-utils brings dateutil (and numpy, where installed)
    import sqlite_utils  # with it, a fifth of a start that has nothing to migrate


def _0001_sources_and_items(db: sqlite_utils.Database) -> None:
    db.table("sources").create(
        {
            "id": int,
            "kind": str,  # "feed"
            "url": str,  # what is fetched
            "name": str,
            "interval_s": float,  # NULL: polling.default_interval
            "origin": str,  # "config" (from the config file) or "user" (added by command)
            "enabled": int,
            "added_at": str,
            "title": str,  # as the source calls itself
            # poll state (miniflux keeps it on the feed's row too): reset on success
            "etag": str,
            "last_modified": str,
            "last_attempt_at": str,
            "last_success_at": str,
            "last_status": int,
            "error_count": int,
            "last_error": str,
            "next_check_at": str,
        },
        pk="id",
        not_null={"kind", "url", "name", "origin", "enabled", "error_count"},
        defaults={"enabled": 1, "error_count": 0, "origin": "user"},
    )
    db.table("sources").create_index(["url"], unique=True)
    db.table("items").create(
        {
            "id": int,
            "source_id": int,
            "key": str,  # stable inside its source: guid:…, url:… or hash:…
            "guid": str,
            "url": str,
            "canonical_url": str,
            "title": str,
            "text": str,
            "author": str,
            "published_at": str,  # ISO 8601, UTC
            "fetched_at": str,
            "fingerprint": str,  # hash of the words of title + text ("" when too short to tell)
            "same_as": int,  # the first item of another source with the same canonical URL or fingerprint
        },
        pk="id",
        not_null={"source_id", "key", "published_at", "fetched_at"},
        foreign_keys=[("source_id", "sources", "id"), ("same_as", "items", "id")],
    )
    db.table("items").create_index(["source_id", "key"], unique=True)
    db.table("items").create_index(["canonical_url"])
    db.table("items").create_index(["fingerprint"])
    db.table("items").create_index(["published_at"])


def _0002_telegram_channels(db: sqlite_utils.Database) -> None:
    db.table("sources").add_column("backfill", int)  # Telegram: posts the first poll stores
    db.table("sources").add_column("last_post_id", int)  # Telegram: newest post id stored, to read on from
    db.table("items").add_column("forwarded_from", str)
    db.table("items").add_column("views", int)


def _0003_stories(db: sqlite_utils.Database) -> None:
    db.table("stories").create(
        {
            "id": int,  # given by the clusterer, in order of creation
            "headline": str,  # the first report's title
            "url": str,  # the first report's link
            "first_seen": str,  # earliest publication time of its reports, ISO 8601 UTC
            "last_seen": str,  # latest publication time of its reports
            "item_count": int,
            "source_count": int,  # distinct sources that carried it
            "languages": str,  # comma-separated codes of its reports' languages, e.g. "en,ru,uk"
            "updated_at": str,
        },
        pk="id",
        not_null={"first_seen", "last_seen", "item_count", "source_count"},
    )
    db.table("stories").create_index(["last_seen"])
    db.table("items").add_column("lang", str)  # "en", "ru", "uk", or "" when unknown
    db.table("items").add_column("story_id", int)  # NULL until clustered
    db.table("items").add_column("story_score", float)  # similarity that joined the story; 0 for its first report
    db.table("items").add_column("cluster_seq", int)  # order in which items were clustered (replayed in this order)
    db.table("items").add_column("embedding", bytes)  # float32 sentence vector, when the clusterer needed one
    db.table("items").create_index(["story_id"])
    db.table("items").create_index(["cluster_seq"])


def _0004_story_sources(db: sqlite_utils.Database) -> None:
    # Which sources carried each story, kept as items are assigned: summing a story up again from all
    # its items made every new report cost as much as the story was big.
    db.table("story_sources").create({"story_id": int, "source_id": int, "first_seq": int},
                                     pk=("story_id", "source_id"), not_null={"first_seq"})
    db.table("story_sources").create_index(["story_id", "first_seq"])
    db.execute("""INSERT INTO story_sources (story_id, source_id, first_seq)
                  SELECT story_id, source_id, min(cluster_seq) FROM items WHERE story_id IS NOT NULL
                  GROUP BY story_id, source_id""")


def _0005_subscribers_watches_alerts(db: sqlite_utils.Database) -> None:
    db.table("subscribers").create(
        {
            "chat_id": int,  # Telegram chat id: a user (private chat), a group or a supergroup
            "chat_type": str,  # "private", "group", "supergroup"
            "title": str,  # the group's title or the user's name, for the operator
            "thread_id": int,  # forum topic the subscription was made in (messages go there); NULL: none
            "language_code": str,  # from the user's Telegram client
            "language": str,  # chosen with /lang; NULL: follow language_code
            "timezone": str,  # IANA name or a fixed offset like "+03:00"; NULL: [digest] default_timezone
            "digest_time": str,  # "HH:MM" local time of the daily digest, "off"; NULL: [digest] default_time
            "link_previews": int,  # 1: show link previews in messages
            "active": int,  # 0 after /stop, or when Telegram says the bot was blocked or removed
            "created_at": str,
            "updated_at": str,
            "inactive_reason": str,  # "stop", "blocked: <Telegram's words>"
        },
        pk="chat_id",
        not_null={"chat_type", "active", "link_previews", "created_at"},
        defaults={"active": 1, "link_previews": 0},
    )
    db.table("watches").create(
        {"id": int, "chat_id": int, "query": str, "created_at": str},
        pk="id", not_null={"chat_id", "query", "created_at"},
        foreign_keys=[("chat_id", "subscribers", "chat_id")],
    )
    db.table("watches").create_index(["chat_id"])
    db.table("alerts").create(
        {
            "chat_id": int,
            "story_id": int,
            "watch_id": int,  # the watch that matched first (NULL once it is removed)
            "query": str,  # that watch's text, kept for the message when the alert is edited
            "outbox_id": int,  # the alert message in the outbox (its Telegram id once sent, for editMessageText)
            "source_count": int,  # sources the message shows
            "sent_at": str,  # when it was queued
            "edited_at": str,
        },
        pk=("chat_id", "story_id"),
        not_null={"outbox_id", "source_count", "sent_at"},
    )
    db.table("alerts").create_index(["story_id"])


def _0006_outbox_and_digests(db: sqlite_utils.Database) -> None:
    db.table("outbox").create(
        {
            "id": int,
            "key": str,  # idempotency key: the same message is never queued twice (alert:chat:story, digest:…)
            "chat_id": int,
            "thread_id": int,
            "kind": str,  # "reply", "alert", "edit", "digest"
            "priority": int,  # lower goes first: replies, then alerts and edits, then digests
            "text": str,  # Telegram HTML
            "markup": str,  # inline keyboard as JSON, or NULL
            "previews": int,  # 1: show link previews
            "edit_message_id": int,  # kind "edit": the message to edit
            "status": str,  # "pending", "sent", "failed", "dropped"
            "attempts": int,
            "not_before": str,  # not sent before this time (retries wait)
            "created_at": str,
            "sent_at": str,
            "message_id": int,  # Telegram's id of the sent message
            "error": str,  # why it failed or was dropped
        },
        pk="id",
        not_null={"key", "chat_id", "kind", "priority", "text", "previews", "status", "attempts", "created_at"},
        defaults={"status": "pending", "attempts": 0, "previews": 0},
    )
    db.table("outbox").create_index(["key"], unique=True)
    db.table("outbox").create_index(["status", "priority", "id"])
    db.table("outbox").create_index(["chat_id"])
    db.table("digests").create(
        {"chat_id": int, "local_date": str, "stories": int, "parts": int, "created_at": str},
        pk=("chat_id", "local_date"),
        not_null={"stories", "parts", "created_at"},
    )


def _0007_item_term_vectors(db: sqlite_utils.Database) -> None:
    # The TF-IDF vector each item was given when clustered, so a restart puts it back as it was instead
    # of replaying every report since the oldest active story began.
    db.table("items").add_column("term_vector", bytes)


def _0008_story_opened_seq(db: sqlite_utils.Database) -> None:
    # The clustering sequence number of the report that last opened the story in the clusterer: a story
    # that left the window can be opened again (by the same report from elsewhere); a restart puts back
    # only its reports from then on.
    db.table("stories").add_column("opened_seq", int)


def _0009_item_text_chars(db: sqlite_utils.Database) -> None:
    # The length of the text the deduplicator compared (without its source's boilerplate): full articles
    # need more words in common to join, and a restart must know which reports were full.
    db.table("items").add_column("text_chars", int)


def _0010_item_text_days(db: sqlite_utils.Database) -> None:
    # The dates the compared text names (days of the year, comma-separated): a story does not take a
    # report whose dates are days from its own, and a restart must know the dates its reports named
    # without their source's boilerplate. NULL: clustered by a version that did not store them (put back
    # as naming none).
    db.table("items").add_column("text_days", str)


def _0011_source_ids_not_reused(db: sqlite_utils.Database) -> None:
    # SQLite gives a new row the largest id plus one, so removing the newest source handed its id to the
    # next one added. Ids name sources to people (`sources remove 7`) and to the deduplicator, which keys
    # a source's reports in a story, and its boilerplate, by id: the highest id ever given is kept, and the
    # store numbers new sources past it.
    db.execute("CREATE TABLE source_ids (last INTEGER NOT NULL)")
    db.execute("INSERT INTO source_ids (last) SELECT coalesce(max(id), 0) FROM sources")
    db.execute("CREATE TRIGGER source_ids_last AFTER INSERT ON sources "
               "BEGIN UPDATE source_ids SET last = max(last, NEW.id); END")


# Text that came from sources, and where it may break lines. Sources' text is stripped of control and
# bidi characters where it is parsed since 0012; this cleans what older versions stored.
_SOURCE_TEXT = {
    "items": {"title": False, "text": True, "author": False, "url": False, "canonical_url": False, "guid": False,
              "forwarded_from": False},
    "sources": {"name": False, "title": False, "last_error": False},
    "stories": {"headline": False, "url": False},
}


def _0012_source_text_without_controls(db: sqlite_utils.Database) -> None:
    conn = db.conn
    conn.create_function("monitor_clean", 2, lambda text, lines: text if text is None else (
        strip_controls(text) if lines else one_line(text)), deterministic=True)
    for table, columns in _SOURCE_TEXT.items():
        for column, lines in columns.items():
            conn.execute(f"UPDATE {table} SET {column} = monitor_clean({column}, ?) "
                         f"WHERE {column} != monitor_clean({column}, ?)", (lines, lines))


def _0013_item_terms_read_again(db: sqlite_utils.Database) -> None:
    # Words are read otherwise since (a Latin c before a, o, u or a consonant is a k, as Cyrillic writes it: Crimea
    # and Крым, Moscow and Москва): a vector stored by the earlier reading would not meet the new terms for as long
    # as its story stays in the window, so the next start reads those reports again, as it does reports clustered
    # before vectors were stored, and stores what it read (`StoryRepository.keep_terms`).
    db.conn.execute("UPDATE items SET term_vector = NULL WHERE term_vector IS NOT NULL")


def _0014_item_title_names(db: sqlite_utils.Database) -> None:
    # A report's title names and title terms, as the deduplicator read them: a start puts the window's reports back
    # without reading their words again (half of what putting one back cost). NULL: clustered before, read again.
    db.table("items").add_column("title_names", str)
    db.table("items").add_column("title_terms", str)


MIGRATIONS: tuple[tuple[str, Callable[[sqlite_utils.Database], None]], ...] = (
    ("0001_sources_and_items", _0001_sources_and_items),
    ("0002_telegram_channels", _0002_telegram_channels),
    ("0003_stories", _0003_stories),
    ("0004_story_sources", _0004_story_sources),
    ("0005_subscribers_watches_alerts", _0005_subscribers_watches_alerts),
    ("0006_outbox_and_digests", _0006_outbox_and_digests),
    ("0007_item_term_vectors", _0007_item_term_vectors),
    ("0008_story_opened_seq", _0008_story_opened_seq),
    ("0009_item_text_chars", _0009_item_text_chars),
    ("0010_item_text_days", _0010_item_text_days),
    ("0011_source_ids_not_reused", _0011_source_ids_not_reused),
    ("0012_source_text_without_controls", _0012_source_text_without_controls),
    ("0013_item_terms_read_again", _0013_item_terms_read_again),
    ("0014_item_title_names", _0014_item_title_names),
)


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations this database has not had yet, each in its own transaction; return their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    applied = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    done: list[str] = []
    if applied.issuperset(name for name, _ in MIGRATIONS):
        return done
    import sqlite_utils

    # as the connection is used for the rest of the run: no recursive triggers, no plugins' connection hooks
    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    for name, step in MIGRATIONS:
        if name in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process opening the same file may have applied it while this one waited for the lock.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            step(db)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        done.append(name)
    return done
