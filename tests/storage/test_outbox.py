"""The outbox as the sender sees it: one message per chat at a time, in order, retries waiting their
turn, texts that change on the way, and chats that go away."""

from __future__ import annotations

from datetime import timedelta

from monitor.models import Outgoing
from tests.storage.conftest import NOW, sql


async def test_a_chat_with_a_long_backlog_takes_one_place_and_its_messages_stay_in_order(store):
    group = [Outgoing(f"g{n}", -100, f"group part {n}", kind="digest", priority=2) for n in range(600)]
    private = [Outgoing(f"p{n}", 1000 + n, f"hello {n}", kind="digest", priority=2) for n in range(10)]
    await store.outbox.enqueue(group + private, NOW)
    due = await store.outbox.pending(NOW)
    assert [m.chat_id for m in due] == [-100] + [1000 + n for n in range(10)]
    first = due[0]
    assert first.text == "group part 0"
    # part 0 fails and waits for a retry: part 1 must not overtake it
    await store.outbox.mark_retry(first.id, NOW + timedelta(seconds=30), "network: 502")
    assert -100 not in [m.chat_id for m in await store.outbox.pending(NOW)]
    assert await store.outbox.next_retry_at(NOW) == NOW + timedelta(seconds=30)
    assert [m.text for m in await store.outbox.pending(NOW + timedelta(seconds=31)) if m.chat_id == -100] == [
        "group part 0"]
    await store.outbox.mark_sent(first, 11, NOW)
    assert [m.text for m in await store.outbox.pending(NOW) if m.chat_id == -100] == ["group part 1"]
    # a reply overtakes the backlog of its own chat
    await store.outbox.enqueue([Outgoing("reply", -100, "/help answer", priority=0)], NOW)
    assert (await store.outbox.pending(NOW))[0].text == "/help answer"


async def test_a_text_replaced_while_the_message_was_on_its_way_is_brought_up_to_date(store, tmp_path):
    (outbox_id,) = await store.outbox.enqueue([Outgoing("alert:1:5", 1, "Sources so far: 1", kind="alert")], NOW)
    listed = await store.outbox.still_pending(outbox_id)
    sql(tmp_path / "m.db", "UPDATE outbox SET text = 'Sources so far: 2' WHERE id = ?", outbox_id)  # as alerts.grow
    await store.outbox.mark_sent(listed, 77, NOW)
    (edit,) = await store.outbox.pending(NOW)
    assert (edit.kind, edit.edit_message_id, edit.text) == ("edit", 77, "Sources so far: 2")
    await store.outbox.mark_sent(edit, 77, NOW)
    assert await store.outbox.pending(NOW) == []


async def test_a_gone_chat_drops_what_waits_for_it_and_old_messages_are_pruned(store):
    await store.chats.subscribe(5, "private", "", None, "en", NOW)
    ids = await store.outbox.enqueue([Outgoing(f"m{n}", 5, f"m{n}") for n in range(3)] + [Outgoing("other", 6, "x")],
                                     NOW)
    assert await store.chats.gone(5, "blocked: bot was blocked by the user", NOW) == 3
    assert await store.outbox.still_pending(ids[0]) is None
    assert [m.chat_id for m in await store.outbox.pending(NOW)] == [6]
    assert (await store.chats.get(5)).active is False
    assert await store.outbox.enqueue([Outgoing("m0", 5, "again")], NOW) == [None]  # a key is never queued twice
    assert await store.outbox.prune(NOW + timedelta(days=8)) == 3  # the dropped ones; the pending one stays
    assert len(await store.outbox.pending(NOW)) == 1
