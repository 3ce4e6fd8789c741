"""Alerts: one per chat and story, its message rewritten while it waits and edited once sent."""

from __future__ import annotations

from monitor.models import Alert, Outgoing
from tests.storage.conftest import NOW


def alert_message(chat_id: int, story_id: int, text: str) -> Outgoing:
    return Outgoing(f"alert:{chat_id}:{story_id}", chat_id, text, kind="alert")


async def test_an_alert_follows_its_story_in_the_outbox_then_by_edits(store):
    alert = Alert(1, 5, None, "storm", 0, 1, NOW)
    assert await store.alerts.queue(alert, alert_message(1, 5, "Sources: 1"), NOW) is not None
    assert await store.alerts.queue(alert, alert_message(1, 5, "Sources: 1 again"), NOW) is None  # once per story
    assert await store.alerts.alerted(1, [5, 6]) == {5} and await store.alerts.alerted(2, [5]) == set()
    (stored,) = await store.alerts.for_stories([5])
    await store.alerts.grow(stored, "Sources: 2", 2, NOW)  # still waiting: its text is replaced
    (waiting,) = await store.outbox.pending(NOW)
    assert waiting.text == "Sources: 2"
    await store.outbox.mark_sent(waiting, 77, NOW)
    (sent,) = await store.alerts.for_stories([5])
    assert (sent.source_count, sent.message_id) == (2, 77)
    await store.alerts.grow(sent, "Sources: 3", 3, NOW)
    await store.alerts.grow(sent, "Sources: 4", 4, NOW)  # one pending edit, holding the latest text
    (edit,) = await store.outbox.pending(NOW)
    assert (edit.kind, edit.edit_message_id, edit.text) == ("edit", 77, "Sources: 4")
