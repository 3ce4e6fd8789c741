"""delivery.Pacer: Telegram's flood limits as waits, on a clock the test moves (end-to-end sending through
the outbox is in tests/bot and tests/storage/test_outbox.py)."""

from __future__ import annotations

import pytest

from monitor.delivery import Pacer

ALICE, BOB = 1001, 1002  # private chats: user ids are positive
GROUP, OTHER_GROUP = -100500, -100600
NOW = pytest.approx(0.0, abs=1e-9)  # no wait (a clock moved by tenths is not exact in binary)


class Clock:
    """Monotonic seconds that move only when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_at_most_30_messages_in_any_second_overall(clock):
    pacer = Pacer(clock)
    for chat in range(1, 31):  # 30 chats, one message each, answered 1/32 s apart
        assert pacer.wait_s(chat) == NOW
        pacer.record(chat)
        clock.advance(1 / 32)
    assert pacer.overall_wait_s() == 1 / 16  # the first was answered 15/16 s ago
    assert pacer.wait_s(31) == 1 / 16  # a chat that never had a message waits too
    clock.advance(1 / 16)
    assert pacer.overall_wait_s() == NOW and pacer.wait_s(31) == NOW
    pacer.record(31)
    assert pacer.overall_wait_s() == 1 / 32  # the second one leaves the window next


def test_a_private_chat_gets_3_messages_in_any_3_seconds_and_others_do_not_wait_for_it(clock):
    pacer = Pacer(clock)
    for _ in range(3):
        assert pacer.wait_s(ALICE) == NOW
        pacer.record(ALICE)
        clock.advance(0.1)
    assert pacer.wait_s(ALICE) == pytest.approx(2.7)  # the first of the three leaves the span 3 s after it
    assert pacer.wait_s(BOB) == NOW
    clock.advance(2.7)
    assert pacer.wait_s(ALICE) == NOW
    pacer.record(ALICE)
    assert pacer.wait_s(ALICE) == pytest.approx(0.1)  # one a second on average, once the burst is spent


def test_a_group_gets_20_messages_a_minute(clock):
    pacer = Pacer(clock)
    for _ in range(20):
        assert pacer.wait_s(GROUP) == NOW  # a group may have its 20 at once: 3 in 3 s is for private chats
        pacer.record(GROUP)
        clock.advance(0.5)
    assert pacer.wait_s(GROUP) == pytest.approx(50.0)  # the first of the 20 was sent 10 s ago
    assert pacer.wait_s(OTHER_GROUP) == NOW and pacer.wait_s(ALICE) == NOW
    clock.advance(50.0)
    assert pacer.wait_s(GROUP) == NOW


def test_a_pause_holds_everything_or_one_chat_and_a_shorter_one_does_not_cut_it(clock):
    pacer = Pacer(clock)
    pacer.pause(5.0, ALICE)  # Telegram's retry_after for one chat
    assert pacer.wait_s(ALICE) == 5.0 and pacer.wait_s(BOB) == NOW and pacer.overall_wait_s() == NOW
    pacer.pause(2.0)  # and everything rests a while
    assert pacer.overall_wait_s() == 2.0 and pacer.wait_s(BOB) == 2.0 and pacer.wait_s(ALICE) == 5.0
    pacer.pause(1.0)
    pacer.pause(1.0, ALICE)
    assert pacer.overall_wait_s() == 2.0 and pacer.wait_s(ALICE) == 5.0
    clock.advance(2.0)
    assert pacer.wait_s(BOB) == NOW and pacer.wait_s(ALICE) == 3.0
    clock.advance(3.0)
    assert pacer.wait_s(ALICE) == NOW


def test_limits_are_counted_from_when_each_message_was_answered(clock):
    # A request that took long counts from its answer: the next burst cannot arrive at Telegram inside the
    # same second as the earlier one's arrival, whatever the network did.
    pacer = Pacer(clock, overall=2, window_s=1.0)
    pacer.record(ALICE)
    clock.advance(0.9)  # the second request took 0.9 s to be answered
    pacer.record(BOB)
    assert pacer.overall_wait_s() == pytest.approx(0.1)
    clock.advance(0.1)
    assert pacer.overall_wait_s() == NOW
    pacer.record(3)
    assert pacer.overall_wait_s() == pytest.approx(0.9)
