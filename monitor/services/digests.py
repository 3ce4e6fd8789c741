"""Daily digests: what each chat gets at its local time (`Digests`, which composes them; the words come from
an injected render function), queued in the outbox once per chat and local date, and the per-chat jobs on the
one scheduler that make them come on time (`DigestSchedule`, rebuilt from the store on start, with a missed
digest caught up if it was due less than `digest.catch_up` ago)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from monitor.config import DigestSettings
from monitor.core.digest import DIGEST_PERIOD, DigestStory, in_period, rank
from monitor.core.query import Words, words_of
from monitor.core.schedule import last_digest_at, local_date, next_digest_at, parse_local_time, zone_info
from monitor.models import Outgoing, Story, Subscriber
from monitor.services.watches import Watches
from monitor.storage.rows import StoryDetails
from monitor.storage.store import Store

if TYPE_CHECKING:  # the scheduler is `run's: a command that only polls never imports it
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("monitor.digest")

CANDIDATES = 300  # stories read per digest before ranking (the most reported of the day)
WATCH_SCAN = 100  # of those, the most reported are matched against the chat's watches

# A digest as messages: (stories shown, stories of the day, language, time zone name, local date) → texts.
RenderDigest = Callable[[list[DigestStory], int, str, str, str], list[str]]


class Digests:
    def __init__(self, store: Store, watches: Watches, settings: DigestSettings, render: RenderDigest,
                 notify: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.watches = watches
        self.settings = settings
        self.render = render
        self.notify = notify
        self.clock = clock
        # Shared by the chats of one fan-out: the day's stories (for a minute), and each story's words and
        # details (until it grows).
        self._words: dict[int, tuple[int, Words]] = {}
        self._details: dict[int, tuple[int, StoryDetails]] = {}
        self._day: tuple[int, list[Story], int] | None = None

    async def _stories_of_the_day(self, now: datetime) -> tuple[list[Story], int]:
        minute = int(now.timestamp() // 60)
        if self._day is None or self._day[0] != minute:
            since = now - DIGEST_PERIOD
            stories = in_period(await self.store.stories.recent(since, CANDIDATES), now)
            self._day = (minute, stories, await self.store.stories.count(since))
        return self._day[1], self._day[2]

    async def _story_details(self, stories: list[Story]) -> dict[int, StoryDetails]:
        stale = [s.id for s in stories if self._details.get(s.id, (-1,))[0] != s.item_count]
        if stale:
            counts = {s.id: s.item_count for s in stories}
            for story_id, details in (await self.store.stories.details(stale)).items():
                self._details[story_id] = (counts[story_id], details)
        if len(self._details) > 4 * CANDIDATES:
            keep = {s.id for s in stories}
            self._details = {k: v for k, v in self._details.items() if k in keep}
        return {s.id: self._details[s.id][1] for s in stories}

    async def _story_words(self, stories: list[Story]) -> dict[int, Words]:
        stale = [s.id for s in stories if self._words.get(s.id, (-1,))[0] != s.item_count]
        if stale:
            for story_id, text in (await self.store.stories.texts(stale)).items():
                self._words[story_id] = (text.item_count, words_of(text.text))
        if len(self._words) > 4 * CANDIDATES:  # keep only today's
            keep = {s.id for s in stories}
            self._words = {k: v for k, v in self._words.items() if k in keep}
        return {s.id: self._words[s.id][1] for s in stories if s.id in self._words}

    async def watched(self, chat: Subscriber, stories: list[Story]) -> set[int]:
        """The stories a chat's watches match: those it was alerted about, and any of the day's most
        reported that a watch matches now (a watch set after the story came)."""
        found = await self.store.alerts.alerted(chat.chat_id, [s.id for s in stories])
        queries = await self.watches.queries(chat.chat_id)
        if queries:
            for story_id, words in (await self._story_words(stories[:WATCH_SCAN])).items():
                if any(q.matches(words) for q in queries):
                    found.add(story_id)
        return found

    def time_of(self, chat: Subscriber) -> tuple[int, int] | None:
        """The chat's digest time (hour, minute), or None when it turned digests off."""
        text = chat.digest_time or self.settings.default_time
        return None if text == "off" else parse_local_time(text)

    def zone_name(self, chat: Subscriber | None) -> str:
        return (chat.timezone if chat else None) or self.settings.default_timezone

    async def compose(self, chat: Subscriber | None, day: str | None = None) -> tuple[list[str], int]:
        """A digest of the last 24 hours for a chat (None: all sources, in English): its messages and
        how many stories it shows. `day` is the local date it is for (default: today in the chat's zone)."""
        now = self.clock()
        language = chat.language if chat else "en"
        zone = self.zone_name(chat)
        candidates, total = await self._stories_of_the_day(now)
        watched = await self.watched(chat, candidates) if chat else set()
        chosen = rank(candidates, watched, self.settings.max_stories)
        details = await self._story_details(chosen)
        entries = [DigestStory(s, details[s.id].titles.get(language) or s.headline, details[s.id].links,
                               s.id in watched) for s in chosen]
        day = day or local_date(now, zone_info(zone))
        return self.render(entries, total, language, zone, day), len(entries)

    async def queue_daily(self, chat: Subscriber, due: datetime) -> bool:
        """Queue the chat's digest for the local date of `due`, unless that date has one: True if queued."""
        day = local_date(due, zone_info(self.zone_name(chat)))
        if await self.store.digests.has(chat.chat_id, day):
            return False
        parts, count = await self.compose(chat, day)
        if count == 0 and self.settings.quiet_day == "skip":
            parts = []
        messages = [Outgoing(f"digest:{chat.chat_id}:{day}:{n}", chat.chat_id, part, kind="digest",
                             thread_id=chat.thread_id, previews=chat.link_previews, priority=2)
                    for n, part in enumerate(parts)]
        queued = await self.store.digests.queue(chat.chat_id, day, count, messages, self.clock())
        if queued:
            log.info("digest: chat=%s date=%s stories=%d parts=%d queued", chat.chat_id, day, count, len(parts))
            self.notify()
        return queued


class DigestSchedule:
    """One job per chat on the scheduler `run` shares, at its next digest time; each run queues the digest
    and plans the next."""

    def __init__(self, digests: Digests, scheduler: AsyncIOScheduler) -> None:
        self.digests = digests
        self.store = digests.store
        self.scheduler = scheduler

    @staticmethod
    def job_id(chat_id: int) -> str:
        return f"digest:{chat_id}"

    async def start(self) -> int:
        """Plan every active chat's digest; queue those missed within `catch_up`. Returns how many chats."""
        chats = await self.store.chats.active()
        for chat in chats:
            await self.plan(chat, catch_up=True)
        return len(chats)

    async def replan(self, chat_id: int) -> datetime | None:
        """A chat's settings or subscription changed: when its next digest is due (None: no digest)."""
        chat = await self.store.chats.get(chat_id)
        if chat is None:
            self._drop(chat_id)
            return None
        return await self.plan(chat)

    async def plan(self, chat: Subscriber, catch_up: bool = False) -> datetime | None:
        at = self.digests.time_of(chat)
        if not chat.active or at is None:
            self._drop(chat.chat_id)
            return None
        zone, now = zone_info(self.digests.zone_name(chat)), self.digests.clock()
        if catch_up:
            missed = last_digest_at(now, *at, zone)
            if now - missed <= timedelta(seconds=self.digests.settings.catch_up):
                await self.digests.queue_daily(chat, missed)  # nothing if that day's digest went out
        when = next_digest_at(now, *at, zone)
        self.scheduler.add_job(self._run, "date", run_date=when, args=[chat.chat_id, when],
                               id=self.job_id(chat.chat_id), replace_existing=True, misfire_grace_time=None)
        return when

    def _drop(self, chat_id: int) -> None:
        if self.scheduler.get_job(self.job_id(chat_id)):
            self.scheduler.remove_job(self.job_id(chat_id))

    async def _run(self, chat_id: int, due: datetime) -> None:
        chat = await self.store.chats.get(chat_id)
        if chat is None:
            return
        try:
            if chat.active and self.digests.time_of(chat) is not None:
                await self.digests.queue_daily(chat, due)
        except Exception:  # one chat's failure must not stop its later digests
            log.exception("digest: chat=%s could not be made", chat_id)
        await self.replan(chat_id)  # read again: /time or /tz may have changed meanwhile
