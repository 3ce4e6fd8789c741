"""Chats: subscribing, pausing, forgetting, a chat's settings, and what Telegram tells of a chat (it moved to a
supergroup, it refuses messages). Each change reaches everything that follows from it at once: the chat's
row, its watches' matching, and its digest's job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.core.query import Query
from monitor.models import Subscriber, Watch
from monitor.services.digests import DigestSchedule
from monitor.services.watches import Watches
from monitor.storage.store import Store

log = logging.getLogger("monitor.chats")


@dataclass(frozen=True)
class ChatInfo:
    """A chat as a command from it shows it: what subscribing it needs."""

    chat_id: int
    chat_type: str  # "private", "group", "supergroup", "channel"
    title: str
    thread_id: int | None = None  # the topic it wrote from: its messages go there
    language_code: str | None = None  # the client's, in a private chat


@dataclass(frozen=True)
class Subscribed:
    """What /start answers: whether the chat was subscribed before (and paused), and how many sources it hears."""

    resumed: bool
    sources: int


@dataclass(frozen=True)
class ChatSettings:
    """A chat's settings as /settings and /time show them."""

    chat: Subscriber
    digest_at: tuple[int, int] | None  # (hour, minute) local, None: digests off
    zone: str  # the chat's time zone, or the default one
    watches: int
    next_digest: datetime | None = None  # when a change planned it


class Chats:
    def __init__(self, store: Store, watches: Watches, schedule: DigestSchedule,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.watches = watches
        self.schedule = schedule
        self.clock = clock

    async def get(self, chat_id: int) -> Subscriber | None:
        return await self.store.chats.get(chat_id)

    async def asking(self, chat_id: int, private: bool, language_code: str | None) -> Subscriber | None:
        """The chat someone writes from, as it is now: a private chat's alerts follow its client's language
        when that changes."""
        chat = await self.store.chats.get(chat_id)
        if chat is not None and private and language_code and language_code != chat.client_language:
            await self.store.chats.note_language(chat_id, language_code)
            chat = await self.store.chats.get(chat_id)
        return chat

    async def subscribe(self, chat: ChatInfo) -> Subscribed:
        """Subscribe a chat (or make it active again), its messages going to the topic it wrote from; a chat
        coming back has its watches match again and its digest planned."""
        known = await self.store.chats.get(chat.chat_id)
        fresh = await self._subscribe(chat)
        return Subscribed(known is not None and fresh, len(await self.store.sources.enabled()))

    async def _subscribe(self, chat: ChatInfo) -> bool:
        fresh = await self.store.chats.subscribe(chat.chat_id, chat.chat_type, chat.title, chat.thread_id,
                                                 chat.language_code, self.clock())
        if fresh:
            await self.watches.resumed(chat.chat_id)
            await self.schedule.replan(chat.chat_id)
        return fresh

    async def _known(self, chat: ChatInfo) -> None:
        """Settings belong to a subscription: a chat that never subscribed is subscribed first (a paused one
        stays paused)."""
        if await self.store.chats.get(chat.chat_id) is None:
            await self._subscribe(chat)

    async def watch(self, chat: ChatInfo, query: Query) -> Watch:
        """Add a watch to a chat, subscribing it first when it is not (a watch is the reason to subscribe);
        WatchRefused if it has as many as it may, or one that means the same."""
        known = await self.store.chats.get(chat.chat_id)
        if known is None or not known.active:
            await self._subscribe(chat)
        return await self.watches.add(chat.chat_id, query)

    async def pause(self, chat_id: int, reason: str) -> bool:
        """Pause a chat (/stop, or it removed the bot): its watches stop matching, no digest; True if it was
        active."""
        paused = await self.store.chats.pause(chat_id, reason, self.clock())
        if paused:
            self.watches.paused(chat_id)
            await self.schedule.replan(chat_id)
            log.info("chats: chat=%s paused (%s)", chat_id, reason)
        return paused

    async def forget(self, chat_id: int) -> None:
        """Delete everything kept about a chat (/forget)."""
        self.watches.paused(chat_id)
        await self.store.chats.forget(chat_id)
        await self.schedule.replan(chat_id)
        log.info("chats: chat=%s forgotten", chat_id)

    async def settings(self, chat: ChatInfo) -> ChatSettings | None:
        """A chat's settings, as /settings shows them (a chat that never subscribed is subscribed first)."""
        await self._known(chat)
        return await self._settings(chat.chat_id)

    async def _settings(self, chat_id: int, next_digest: datetime | None = None) -> ChatSettings | None:
        chat = await self.store.chats.get(chat_id)
        if chat is None:
            return None
        digests = self.schedule.digests
        return ChatSettings(chat, digests.time_of(chat), digests.zone_name(chat),
                            len(await self.watches.of_chat(chat_id)), next_digest)

    async def update(self, chat: ChatInfo, *, language: str | None = None, timezone: str | None = None,
                     digest_time: str | None = None, link_previews: bool | None = None) -> ChatSettings | None:
        """Change a chat's settings (a chat that never subscribed is subscribed first); its digest is planned
        again. The settings as they are then, with the next digest's time; None if the chat is gone meanwhile."""
        await self._known(chat)
        await self.store.chats.update(chat.chat_id, language=language, timezone=timezone, digest_time=digest_time,
                                      link_previews=link_previews)
        return await self._settings(chat.chat_id, await self.schedule.replan(chat.chat_id))

    async def moved(self, old_chat_id: int, new_chat_id: int) -> None:
        """Telegram says a group became a supergroup: its subscription, watches, alerts and pending messages
        follow it."""
        await self.store.chats.move(old_chat_id, new_chat_id)
        self.watches.moved(old_chat_id, new_chat_id)
        await self.schedule.replan(old_chat_id)
        await self.schedule.replan(new_chat_id)

    async def gone(self, chat_id: int, reason: str) -> int:
        """Telegram refuses messages to a chat (blocked, kicked, deleted): it becomes inactive, what waits for
        it is dropped, its watches stop matching; how many messages were dropped."""
        dropped = await self.store.chats.gone(chat_id, reason, self.clock())
        self.watches.paused(chat_id)
        await self.schedule.replan(chat_id)
        return dropped
