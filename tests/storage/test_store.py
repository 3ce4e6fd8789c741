"""The store's face: the figures /status shows."""

from __future__ import annotations

from datetime import timedelta

from monitor.models import Outgoing, SourceSpec
from tests.storage.conftest import NOW, item


async def test_status_counts_what_the_operator_asks_about(store):
    await store.sources.sync([SourceSpec("feed", "https://a/", "A"), SourceSpec("feed", "https://b/", "B")], NOW)
    await store.sources.record_error(2, now=NOW, next_check_at=NOW, error="HTTP 500", status=500)
    await store.items.insert(1, [item(1), item(2)], NOW - timedelta(days=2))
    await store.items.insert(1, [item(3)], NOW)
    for chat_id in (1, 2):
        await store.chats.subscribe(chat_id, "private", "", None, "en", NOW)
        await store.chats.add_watch(chat_id, "storm", NOW, limit=5)
    await store.chats.pause(2, "stop", NOW)
    failing, _ = await store.outbox.enqueue([Outgoing("m1", 1, "one"), Outgoing("m2", 3, "two")], NOW)
    await store.outbox.mark_failed(failing, "400: chat not found", NOW)
    figures = await store.status(NOW - timedelta(days=1))
    assert (figures.sources, figures.failing, figures.items, figures.stories) == (2, 1, 1, 0)
    assert (figures.subscribers, figures.watches, figures.queue, figures.failed) == (1, 1, 1, 1)
