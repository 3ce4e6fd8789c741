"""Plain data passed between the core, the adapters and the store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Source:
    """A place monitor polls: a feed, or a Telegram channel (url https://t.me/NAME)."""

    id: int
    kind: str
    url: str
    name: str
    interval_s: float | None  # None: polling.default_interval
    origin: str = "config"  # "config" (synced from the config file) or "user" (added by command)
    enabled: bool = True
    backfill: int | None = None  # telegram: how many recent posts the first poll stores

    @property
    def log_name(self) -> str:
        """How log lines name it: `source=3 "BBC World"` (quoted and escaped: a name can hold anything)."""
        return f"source={self.id} {json.dumps(self.name, ensure_ascii=False)}"


@dataclass(frozen=True)
class SourceSpec:
    """What a config file, the command line or a chat says a source is, before the store numbers it."""

    kind: str  # "feed" or "telegram"
    url: str
    name: str
    interval_s: float | None = None  # None: polling.default_interval
    backfill: int | None = None  # telegram: how many recent posts the first poll stores


@dataclass(frozen=True)
class SourceState:
    """What the poller remembers about one source between polls."""

    source_id: int
    etag: str | None = None
    last_modified: str | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    next_check_at: datetime | None = None
    last_post_id: int | None = None  # telegram: the newest post stored


@dataclass(frozen=True)
class Item:
    """One report (a feed entry or a channel post), as parsed, before it is stored."""

    key: str  # stable per source: guid, else canonical link, else hash of title + text
    url: str
    canonical_url: str
    title: str
    text: str
    published_at: datetime  # UTC
    fingerprint: str  # hash of normalised title + text: the same report under other URLs
    guid: str | None = None
    author: str | None = None
    forwarded_from: str | None = None  # Telegram: the channel or user a post was forwarded from
    views: int | None = None  # Telegram: view count when first seen


@dataclass(frozen=True)
class StoredItem:
    """An item as it sits in the store."""

    id: int
    source_id: int
    item: Item
    fetched_at: datetime
    same_as: int | None = None  # the earlier item of another source carrying the same report


@dataclass(frozen=True)
class Story:
    """One event: the reports the deduplicator put together, as the store sums them up."""

    id: int
    headline: str
    url: str
    first_seen: datetime
    last_seen: datetime
    item_count: int
    source_count: int  # distinct sources that carried it
    languages: tuple[str, ...]
    sources: tuple[str, ...] = ()  # their names, first reporter first (the first 20)


@dataclass(frozen=True)
class FetchResult:
    """What an HTTP fetch brought back, reduced to what the poller decides on."""

    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    retry_after_s: float | None = None
    final_url: str = ""
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Subscriber:
    """A chat that subscribed with /start: a private chat, a group, or a forum topic in one."""

    chat_id: int
    chat_type: str = "private"
    title: str = ""
    thread_id: int | None = None  # forum topic its messages go to
    language: str = "en"  # the language its messages are written in (chosen, else the client's)
    timezone: str | None = None  # IANA name or "+03:00"; None: [digest] default_timezone
    link_previews: bool = False
    active: bool = True
    digest_time: str | None = None  # "HH:MM", "off"; None: [digest] default_time
    client_language: str | None = None  # the language code of the user's Telegram client, last seen


@dataclass(frozen=True)
class Watch:
    """A keyword watch: a chat is alerted once per story whose reports match `query`."""

    id: int
    chat_id: int
    query: str
    created_at: datetime


@dataclass(frozen=True)
class Alert:
    """The message that told a chat about a story; edited as the story grows."""

    chat_id: int
    story_id: int
    watch_id: int | None
    query: str
    outbox_id: int
    source_count: int
    sent_at: datetime  # when it was queued
    message_id: int | None = None  # Telegram's id, once sent


@dataclass(frozen=True)
class Outgoing:
    """A message for the outbox: written first, then sent, then marked sent. `key` makes it
    idempotent: a message with a key already queued is not queued again."""

    key: str
    chat_id: int
    text: str
    kind: str = "reply"  # "reply", "alert", "edit", "digest"
    thread_id: int | None = None
    markup: str | None = None  # inline keyboard, JSON
    previews: bool = False
    edit_message_id: int | None = None  # kind "edit": the message to change
    priority: int = 1  # lower first: 0 replies, 1 alerts and edits, 2 digests
    id: int | None = None  # set once queued
    attempts: int = 0


@dataclass(frozen=True)
class StoryBatch:
    """What one source's new items did: the stories they created or grew, and which story each joined."""

    source: Source
    items: tuple[StoredItem, ...]
    stories: tuple[Story, ...]
    story_of: dict[int, int]  # item id → story id


@dataclass(frozen=True)
class ChannelPost:
    """A post of a channel the bot administers, as the bot received it (its channel is a source of kind
    `bot_channel`, made on first sight)."""

    source_url: str  # tg://channel/<chat id>: stable even if the channel changes its @name
    source_name: str
    item: Item
    message_id: int
