"""The story pipeline: the one way in for new reports, whether the poller fetched them or the bot received
them as channel posts. Stored items → the deduplicator → stories → every listener (the terminal, the run's
summary, keyword alerts when the bot is on), in that order.

Built once with all its listeners: a listener that fails is logged and the others still hear the batch;
nothing a listener does can undo the poll that stored the items.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from monitor.models import ChannelPost, Source, StoredItem, StoryBatch
from monitor.services.dedup import Deduplicator
from monitor.storage.store import Store

log = logging.getLogger("monitor.pipeline")

# The source kind of a channel the bot administers: its posts arrive as updates, nothing polls it.
BOT_CHANNEL = "bot_channel"

# Told what each batch of new items did to the stories (the terminal, the run summary, alerts).
StoryListener = Callable[[StoryBatch], Awaitable[None]]


class StoryPipeline:
    def __init__(self, store: Store, dedup: Deduplicator, listeners: Sequence[StoryListener] = (),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.dedup = dedup
        self.listeners = tuple(listeners)
        self.clock = clock

    async def take(self, source: Source, items: list[StoredItem]) -> StoryBatch:
        """Cluster a source's newly stored items, then tell every listener what they did to the stories."""
        batch = await self.dedup.add(source, items)
        for listener in self.listeners:
            try:
                await listener(batch)
            except Exception:
                log.exception("pipeline: %s handing on %d stories failed", source.log_name, len(batch.stories))
        return batch

    async def take_post(self, post: ChannelPost, edited: bool) -> StoryBatch | None:
        """A post of a channel the bot administers: its channel becomes a source on first sight; a new post is
        stored and taken like a polled item; an edited one replaces the stored text (an edit of a post never
        stored is stored as new). None when nothing new was stored."""
        now = self.clock()
        source = await self.store.sources.ensure(BOT_CHANNEL, post.source_url, post.source_name, now)
        if edited and await self.store.items.update_text(source.id, post.item) is not None:
            log.debug("bot_channel: %s post=%s edited", source.log_name, post.message_id)
            return None
        new = await self.store.items.insert(source.id, [post.item], now)
        log.debug("bot_channel: %s post=%s new=%d", source.log_name, post.message_id, len(new))
        return await self.take(source, new) if new else None
