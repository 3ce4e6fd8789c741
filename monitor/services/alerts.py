"""Keyword-watch alerts: one message per chat and story, edited as the story grows (through the outbox).

A story listener of the pipeline: it sees each batch of new reports with the story each joined. When a story gets a new
report, the chat's watches are matched against the story's words (its first reports and the new
ones); a match alerts that chat about the story once, and later reports edit that message (new
source count and sources) for 24 hours. A story that first matches when a later report joins (new
words) alerts then, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from monitor.core.query import words_of
from monitor.models import Alert, Outgoing, Story, StoryBatch, Watch
from monitor.services.watches import Watches
from monitor.storage.store import Store

log = logging.getLogger("monitor.alerts")

EDIT_WINDOW = timedelta(hours=24)  # an alert follows its story this long, then stays as it is
MAX_REPORT_AGE = timedelta(hours=24)  # older reports (a new source's backfill) alert nobody

# An alert's text: (story, the watch's query, language, time zone name or None) → the message.
RenderAlert = Callable[[Story, str, str, str | None], str]


class Alerts:
    def __init__(self, store: Store, watches: Watches, render: RenderAlert, notify: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), default_zone: str | None = None):
        self.store = store
        self.watches = watches
        self.render = render
        self.default_zone = default_zone  # for chats that set none with /tz
        self.notify = notify  # tells the sender the outbox has new messages
        self.clock = clock
        self._lock = asyncio.Lock()  # one batch at a time: two reports of one story never alert a chat twice

    async def on_batch(self, batch: StoryBatch) -> None:
        """Alert the chats whose watches a batch's stories now match; edit their alerts as the stories grow."""
        if not batch.stories:
            return
        async with self._lock:
            await self._alert(batch)

    async def _alert(self, batch: StoryBatch) -> None:
        now = self.clock()
        stories = {story.id: story for story in batch.stories}
        existing = await self.store.alerts.for_stories(stories)
        alerted = {(a.chat_id, a.story_id) for a in existing}
        new: dict[tuple[int, int], Watch] = {}
        if len(self.watches):
            # A watch is matched against the story as a whole, with its new reports: "Prigozhin Rostov"
            # alerts once a report naming Rostov joins a story whose first report named Prigozhin.
            fresh: dict[int, list[str]] = {}
            for stored in batch.items:
                story_id = batch.story_of.get(stored.id)
                if story_id in stories and now - stored.item.published_at <= MAX_REPORT_AGE:
                    fresh.setdefault(story_id, []).append(f"{stored.item.title}\n{stored.item.text}")
            earlier = await self.store.stories.texts(fresh) if fresh else {}
            for story_id, texts in sorted(fresh.items()):
                words = words_of(earlier[story_id].text if story_id in earlier else "", *texts)
                for watch in self.watches.matching(words):
                    key = (watch.chat_id, story_id)
                    if key not in alerted:
                        new.setdefault(key, watch)
        if not new and not existing:
            return
        chats = await self.store.chats.get_many({a.chat_id for a in existing} | {chat for chat, _ in new})
        for alert in existing:
            chat, story = chats.get(alert.chat_id), stories[alert.story_id]
            if chat is None or not chat.active or now - alert.sent_at > EDIT_WINDOW:
                continue
            if story.source_count == alert.source_count:
                continue
            text = self.render(story, alert.query, chat.language, chat.timezone or self.default_zone)
            await self.store.alerts.grow(alert, text, story.source_count, now)
        for (chat_id, story_id), watch in sorted(new.items()):
            chat, story = chats.get(chat_id), stories[story_id]
            if chat is None or not chat.active:
                continue
            text = self.render(story, watch.query, chat.language, chat.timezone or self.default_zone)
            message = Outgoing(f"alert:{chat_id}:{story_id}", chat_id, text, kind="alert", thread_id=chat.thread_id,
                               previews=chat.link_previews)
            alert = Alert(chat_id, story_id, watch.id, watch.query, 0, story.source_count, now)
            if await self.store.alerts.queue(alert, message, now) is not None:
                log.info("alerts: chat=%s story=%s watch=%s queued", chat_id, story_id, watch.id)
        self.notify()
