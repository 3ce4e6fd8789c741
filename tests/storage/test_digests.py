"""Digests: one per chat and local date, its parts queued with it."""

from __future__ import annotations

from monitor.models import Outgoing
from tests.storage.conftest import NOW


async def test_a_chat_s_digest_for_a_date_is_queued_once(store):
    parts = [Outgoing(f"digest:1:2023-06-24:{n}", 1, f"part {n}", kind="digest", priority=2) for n in range(2)]
    assert await store.digests.has(1, "2023-06-24") is False
    assert await store.digests.queue(1, "2023-06-24", 12, parts, NOW) is True
    assert await store.digests.queue(1, "2023-06-24", 12, parts, NOW) is False
    assert await store.digests.has(1, "2023-06-24") and not await store.digests.has(1, "2023-06-25")
    assert await store.digests.queue(1, "2023-06-25", 0, [], NOW) is True  # a quiet day skipped counts as made
    assert [m.text for m in await store.outbox.pending(NOW)] == ["part 0"]  # its parts in order
