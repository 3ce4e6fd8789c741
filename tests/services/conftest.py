"""The services on a real SQLite file, without Telegram: rendering is a plain function, the scheduler a real one
(the digests it plans are hours away, so none runs during a test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.config import DigestSettings
from monitor.core.clustering import ClusterSettings
from monitor.models import Item, Story
from monitor.services.alerts import Alerts
from monitor.services.chats import ChatInfo, Chats
from monitor.services.dedup import Deduplicator
from monitor.services.digests import Digests, DigestSchedule
from monitor.services.pipeline import StoryPipeline
from monitor.services.watches import Watches
from monitor.storage.store import Store


def render_alert(story: Story, query: str, language: str, zone: str | None) -> str:
    return f"{story.headline} | {story.source_count} sources | {query} | {language}"


def item(n: int, title: str, text: str = "", age: timedelta = timedelta(minutes=5)) -> Item:
    return Item(key=f"guid:{n}", url=f"https://news{n}.example/a", canonical_url=f"https://news{n}.example/a",
                title=title, text=text, published_at=datetime.now(UTC) - age, fingerprint="")


class Services:
    """The services as app.py wires them for the bot, with what they queued counted."""

    def __init__(self, store: Store, scheduler: AsyncIOScheduler, max_watches: int = 3) -> None:
        self.store = store
        self.scheduler = scheduler
        self.notified = 0
        self.watches = Watches(store, max_watches)
        self.schedule = DigestSchedule(Digests(store, self.watches, DigestSettings(), lambda *parts: ["digest"],
                                               self.notify),
                                       scheduler)
        self.chats = Chats(store, self.watches, self.schedule)
        self.alerts = Alerts(store, self.watches, render_alert, self.notify)
        self.dedup = Deduplicator(store, ClusterSettings())
        self.pipeline = StoryPipeline(store, self.dedup, [self.alerts.on_batch])

    def notify(self) -> None:
        self.notified += 1

    @staticmethod
    def chat(chat_id: int, chat_type: str = "private") -> ChatInfo:
        return ChatInfo(chat_id, chat_type, f"chat {chat_id}", None, "en")

    async def subscribe(self, chat_id: int, chat_type: str = "private") -> bool:
        """/start: True if the chat was subscribed before, and paused."""
        return (await self.chats.subscribe(self.chat(chat_id, chat_type))).resumed

    async def report(self, source_name: str, *items: Item):
        """A source's new items, stored and taken by the pipeline as a poll would."""
        from monitor.models import SourceSpec

        now = datetime.now(UTC)
        source = next((s for s in await self.store.sources.enabled() if s.name == source_name), None)
        if source is None:
            source = await self.store.sources.add(
                SourceSpec("feed", f"https://{source_name}.example/rss", source_name), now)
        new = await self.store.items.insert(source.id, items, now)
        return await self.pipeline.take(source, new)


@pytest.fixture
async def services(tmp_path):
    store = await Store.open(tmp_path / "m.db")
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()
    the = Services(store, scheduler)
    await the.dedup.start()
    yield the
    scheduler.shutdown(wait=False)
    await the.dedup.close()
    await store.close()
