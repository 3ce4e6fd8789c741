"""The story pipeline hands each batch to every listener; a listener that fails is logged and changes nothing
else: the items stay stored and clustered, and the listeners after it still hear the batch."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from monitor.models import SourceSpec, StoryBatch
from monitor.services.pipeline import StoryPipeline
from tests.services.conftest import item


async def test_a_failing_listener_is_logged_and_undoes_nothing(services, caplog):
    heard: list[StoryBatch] = []

    async def failing(batch: StoryBatch) -> None:
        raise RuntimeError("listener broke")

    async def recording(batch: StoryBatch) -> None:
        heard.append(batch)

    store, now = services.store, datetime.now(UTC)
    pipeline = StoryPipeline(store, services.dedup, [failing, recording])
    source = await store.sources.add(SourceSpec("feed", "https://wire.example/rss", "Wire"), now)
    new = await store.items.insert(source.id, [item(1, "Prigozhin's column stops short of Moscow")], now)
    with caplog.at_level(logging.ERROR, logger="monitor.pipeline"):
        batch = await pipeline.take(source, new)

    assert len(batch.stories) == 1 and heard == [batch]  # the listener after the failing one heard it
    (record,) = caplog.records
    assert 'source=1 "Wire"' in record.getMessage() and record.exc_info and "listener broke" in str(record.exc_info[1])
    (story,) = await store.stories.recent(now.replace(year=now.year - 1), 10)
    assert story.id == batch.stories[0].id and story.item_count == 1  # stored and clustered all the same
