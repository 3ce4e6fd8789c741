"""The outbox as the sender sees it: one message per chat at a time, in order, retries waiting their
turn, texts that change on the way, and chats that go away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.models import Outgoing
from monitor.storage.store import Repository

NOW = datetime(2023, 6, 24, 12, tzinfo=UTC)


def test_a_chat_with_a_long_backlog_takes_one_place_and_its_messages_stay_in_order(tmp_path):
    repo = Repository(tmp_path / "m.db")
    group = [Outgoing(f"g{n}", -100, f"group part {n}", kind="digest", priority=2) for n in range(600)]
    private = [Outgoing(f"p{n}", 1000 + n, f"hello {n}", kind="digest", priority=2) for n in range(10)]
    repo.enqueue(group + private, NOW)
    due = repo.pending_messages(NOW)
    assert [m.chat_id for m in due] == [-100] + [1000 + n for n in range(10)]
    first = due[0]
    assert first.text == "group part 0"
    # part 0 fails and waits for a retry: part 1 must not overtake it
    repo.mark_retry(first.id, NOW + timedelta(seconds=30), "network: 502")
    assert -100 not in [m.chat_id for m in repo.pending_messages(NOW)]
    assert repo.next_retry_at(NOW) == NOW + timedelta(seconds=30)
    assert [m.text for m in repo.pending_messages(NOW + timedelta(seconds=31)) if m.chat_id == -100] == [
        "group part 0"]
    repo.mark_sent(first, 11, NOW)
    assert [m.text for m in repo.pending_messages(NOW) if m.chat_id == -100] == ["group part 1"]
    # a reply overtakes the backlog of its own chat
    repo.enqueue([Outgoing("reply", -100, "/help answer", priority=0)], NOW)
    assert repo.pending_messages(NOW)[0].text == "/help answer"
    repo.close()


def test_a_text_replaced_while_the_message_was_on_its_way_is_brought_up_to_date(tmp_path):
    repo = Repository(tmp_path / "m.db")
    (outbox_id,) = repo.enqueue([Outgoing("alert:1:5", 1, "Sources so far: 1", kind="alert")], NOW)
    listed = repo.pending_message(outbox_id)
    repo.conn.execute("UPDATE outbox SET text = 'Sources so far: 2' WHERE id = ?", (outbox_id,))  # as grow_alert
    repo.mark_sent(listed, 77, NOW)
    (edit,) = repo.pending_messages(NOW)
    assert (edit.kind, edit.edit_message_id, edit.text) == ("edit", 77, "Sources so far: 2")
    repo.mark_sent(edit, 77, NOW)
    assert repo.pending_messages(NOW) == []
    repo.close()


def test_a_gone_chat_drops_what_waits_for_it_and_old_messages_are_pruned(tmp_path):
    repo = Repository(tmp_path / "m.db")
    repo.subscribe(5, "private", "", None, "en", NOW)
    ids = repo.enqueue([Outgoing(f"m{n}", 5, f"m{n}") for n in range(3)] + [Outgoing("other", 6, "x")], NOW)
    assert repo.chat_gone(5, "blocked: bot was blocked by the user", NOW) == 3
    assert repo.pending_message(ids[0]) is None
    assert [m.chat_id for m in repo.pending_messages(NOW)] == [6]
    assert repo.get_subscriber(5).active is False
    assert repo.enqueue([Outgoing("m0", 5, "again")], NOW) == [None]  # a key is never queued twice
    assert repo.prune_outbox(NOW + timedelta(days=8)) == 3  # the dropped ones; the pending one stays
    assert len(repo.pending_messages(NOW)) == 1
    repo.close()
