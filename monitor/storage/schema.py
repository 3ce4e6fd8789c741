"""What each table and column of the migrated database means, for people reading the file (docs/schema.md
is generated from this and the migrated schema: `python -m docs.generate`).

A migration that adds a table or a column adds its meaning here; tests/test_docs.py fails while one is
missing or names a column no migration makes. Times are ISO 8601 in UTC unless a description says otherwise.
"""

from __future__ import annotations

# table → what one row is
TABLES: dict[str, str] = {
    "_migrations": "One row per schema migration applied to this file, named; a migration runs once.",
    "sources": "One row per source, with its poll state.",
    "source_ids": "One row: the highest source id ever given. New sources are numbered past it, so a removed "
                  "source's id is never given to another (SQLite alone would reuse the newest one's). Kept since "
                  "migration 0011: a newest source removed before that can still see its id given once more.",
    "items": "One row per report; re-polling a source never stores one twice (`source_id`, `key` are unique).",
    "stories": "One row per event: reports about the same event, from any source and language.",
    "story_sources": "Which sources carried each story, the first reporter first.",
    "subscribers": "One row per chat that used /start (or /watch, /lang).",
    "watches": "One row per keyword watch of a chat.",
    "alerts": "One row per chat and story it was alerted about.",
    "outbox": "Every message monitor sends, written before it is sent.",
    "digests": "One row per chat and local date a digest was made for: what keeps a chat from getting two "
               "digests for one day.",
}

# table → column → what it holds
COLUMNS: dict[str, dict[str, str]] = {
    "_migrations": {
        "name": "the migration's name, e.g. `0003_stories`",
        "applied_at": "when it was applied",
    },
    "sources": {
        "id": "source id (used by `monitor sources remove` and `/remove`); a removed source's id is never given "
              "to another",
        "kind": "`feed`, `telegram` (a channel read through its preview) or `bot_channel` (a channel the bot "
                "administers)",
        "url": "the feed's address, `https://t.me/NAME` for a previewed channel, `tg://channel/<chat id>` for a bot "
               "channel (unique)",
        "name": "display name",
        "interval_s": "poll interval in seconds; NULL means `polling.default_interval`",
        "origin": "`config` (from the config file), `user` (added by command), `chat` (added with /add; only public "
                  "addresses are polled) or `bot` (a channel the bot administers)",
        "enabled": "0 once a config source is no longer in the config file",
        "added_at": "when it was first added",
        "title": "the title the feed gives itself",
        "etag": "ETag of the last full answer, sent back as If-None-Match",
        "last_modified": "Last-Modified of the last full answer, sent back as If-Modified-Since",
        "last_attempt_at": "last poll",
        "last_success_at": "last poll that worked",
        "last_status": "HTTP status of the last poll",
        "error_count": "consecutive failed polls (0 after a success)",
        "last_error": "message of the last failure (NULL after a success)",
        "next_check_at": "when the source is polled next",
        "backfill": "channels: how many recent posts the first poll stores",
        "last_post_id": "channels: the newest post stored; later polls read on from it",
    },
    "source_ids": {
        "last": "the highest source id ever given",
    },
    "items": {
        "id": "item id",
        "source_id": "the source it came from",
        "key": "stable key inside the source: `guid:…`, `url:…` (canonical link) or `hash:…`; `post:ID` for "
               "channels",
        "guid": "the entry's guid / Atom id",
        "url": "link, without tracking parameters",
        "canonical_url": "canonical form of the link, for recognising the same document elsewhere",
        "title": "title, plain text (HTML removed)",
        "text": "text, plain text with paragraphs kept",
        "author": "author, plain text",
        "published_at": "publication time; the fetch time when the source gives none",
        "fetched_at": "when monitor stored it",
        "fingerprint": "hash of the words of title and text; empty for very short items",
        "same_as": "id of the first item of another source carrying the same report, else NULL",
        "forwarded_from": "channels: where a post was forwarded from",
        "views": "channels: view count when the post was stored",
        "lang": "`en`, `ru`, `uk`, or empty when the language is not one of these",
        "story_id": "the story the deduplicator put it in (NULL until clustered)",
        "story_score": "the similarity that joined it to its story (0 for a story's first report, 1 for the same "
                       "report)",
        "cluster_seq": "the order in which items were clustered; a restart replays them in this order",
        "embedding": "its sentence embedding (little-endian float32), when the deduplicator needed one",
        "term_vector": "the TF-IDF vector the deduplicator gave it (terms, then float64 weights), put back on a "
                       "restart; NULL once its story has left the window, or when stored by a version that read "
                       "words otherwise (the next start reads its report again, and stores what it read)",
        "text_chars": "the length of the text the deduplicator compared (without the source's boilerplate): "
                      "whether it was a full article, put back on a restart",
        "text_days": "the dates that text names, as days of the year (`312` is 8 November; comma-separated, empty "
                     "for none; NULL: clustered by a version that did not store them, put back as naming none)",
        "title_names": "its title's names as the deduplicator read them (space-separated), put back on a restart "
                       "without reading its words again; NULL as `term_vector` is, or when clustered by a version that "
                       "did not store them (read again)",
        "title_terms": "its title's terms as the deduplicator read them, where its scorer decided (space-separated), "
                       "put back on a restart; NULL as `title_names`, or where the rules decided (a start where the "
                       "scorer decides reads them, and stores them)",
    },
    "stories": {
        "id": "story id (`items.story_id`), given in order of creation",
        "headline": "title of its first report",
        "url": "link of its first report",
        "first_seen": "earliest publication time of its reports",
        "last_seen": "latest publication time of its reports",
        "item_count": "reports in it",
        "source_count": "distinct sources that carried it",
        "languages": "comma-separated languages of its reports, e.g. `en,ru,uk`",
        "updated_at": "when it last changed",
        "opened_seq": "`cluster_seq` of the report that last opened it in the deduplicator (a story that left the "
                      "window can be opened again by the same report from elsewhere); a restart puts back its "
                      "reports from there on",
    },
    "story_sources": {
        "story_id": "the story",
        "source_id": "a source that carried it",
        "first_seq": "`cluster_seq` of that source's first report in it: the first reporter comes first",
    },
    "subscribers": {
        "chat_id": "Telegram chat id (a user's private chat, or a group)",
        "chat_type": "`private`, `group` or `supergroup`",
        "title": "the group's title or the user's name",
        "thread_id": "the forum topic its messages go to (where it subscribed); NULL: none",
        "language_code": "the language of the user's Telegram client",
        "language": "the language chosen with /lang; NULL: follow `language_code`",
        "timezone": "IANA time zone or fixed offset (`+03:00`) for its digest time and the times in its messages; "
                    "NULL: `digest.default_timezone`",
        "digest_time": "local time of its daily digest (`HH:MM`) or `off`; NULL: `digest.default_time`",
        "link_previews": "1 after `/previews on`",
        "active": "0 after /stop, or once Telegram says the bot was blocked or removed",
        "inactive_reason": "`stop`, `blocked: <Telegram's words>` or `gone: …`",
        "created_at": "first subscription",
        "updated_at": "last change",
    },
    "watches": {
        "id": "watch id (what /unwatch takes)",
        "chat_id": "the chat that set it",
        "query": "the query as typed",
        "created_at": "when it was set",
    },
    "alerts": {
        "chat_id": "who was told",
        "story_id": "about which story",
        "watch_id": "the watch that matched first (NULL once it is removed)",
        "query": "that watch's query, kept for the message when the alert is edited",
        "outbox_id": "the alert message in `outbox` (its Telegram `message_id` there once sent, for edits)",
        "source_count": "the number of sources the message shows",
        "sent_at": "when it was queued",
        "edited_at": "when it was last edited",
    },
    "outbox": {
        "id": "message id in the outbox",
        "key": "idempotency key, unique: `reply:<chat>:<update>:<n>`, `alert:<chat>:<story>`, "
               "`edit:<chat>:<story>` (an alert's growth), `edit:<chat>:<update>` (a reply's buttons), "
               "`edit-of:<outbox id>` (an alert whose story grew while it was being sent), "
               "`digest:<chat>:<local date>:<part>`",
        "chat_id": "the chat it goes to",
        "thread_id": "the forum topic it goes to; NULL: none",
        "kind": "`reply`, `alert`, `edit` (of `edit_message_id`) or `digest`",
        "priority": "0 replies, 1 alerts and edits, 2 digests: lower goes first",
        "text": "Telegram HTML",
        "markup": "inline keyboard (JSON), or NULL",
        "previews": "1: link previews on",
        "edit_message_id": "for edits: the message to change",
        "status": "`pending`, `sent`, `failed` (with `error`) or `dropped` (the chat blocked the bot)",
        "attempts": "failed tries so far",
        "not_before": "a retry waits until this time",
        "created_at": "when it was queued",
        "sent_at": "when it was sent (or given up)",
        "message_id": "Telegram's id of the sent message",
        "error": "why it failed, was dropped, or is waiting",
    },
    "digests": {
        "chat_id": "the chat",
        "local_date": "the chat's local date the digest was for (`YYYY-MM-DD`)",
        "stories": "stories in it",
        "parts": "messages it took",
        "created_at": "when it was made",
    },
}
