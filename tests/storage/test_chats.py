"""Chats: subscriptions, their settings and watches, pausing, forgetting, and a group that moved."""

from __future__ import annotations

import pytest

from monitor.models import Outgoing
from monitor.storage.chats import WatchRefused
from tests.storage.conftest import NOW


async def test_settings_change_one_at_a_time_and_the_language_follows_the_client_until_chosen(store):
    assert await store.chats.subscribe(1, "private", "Alice", None, "uk", NOW) is True
    assert await store.chats.subscribe(1, "private", "Alice", None, None, NOW) is False  # active already
    assert (await store.chats.get(1)).language == "uk"
    await store.chats.update(1, timezone="Europe/Kyiv", link_previews=True)
    await store.chats.update(1, digest_time="off")
    await store.chats.note_language(1, "ru")
    chat = await store.chats.get(1)
    assert (chat.language, chat.timezone, chat.link_previews, chat.digest_time) == ("ru", "Europe/Kyiv", True, "off")
    await store.chats.update(1, language="en")
    await store.chats.note_language(1, "uk")
    assert ((await store.chats.get(1)).language, (await store.chats.get(1)).client_language) == ("en", "uk")
    with pytest.raises(ValueError):
        await store.chats.update(1)


async def test_watches_are_refused_past_the_limit_or_when_they_mean_the_same(store):
    await store.chats.subscribe(1, "private", "", None, "en", NOW)
    first = await store.chats.add_watch(1, "Prigozhin", NOW, limit=2)
    with pytest.raises(WatchRefused) as same:
        await store.chats.add_watch(1, "PRIGOZHIN", NOW, limit=2)
    assert (same.value.reason, same.value.value) == ("duplicate", first.id)
    await store.chats.add_watch(1, "Rostov", NOW, limit=2)
    with pytest.raises(WatchRefused) as full:
        await store.chats.add_watch(1, "Wagner", NOW, limit=2)
    assert (full.value.reason, full.value.value) == ("limit", 2)
    assert await store.chats.remove_watch(2, first.id) is None  # not that chat's
    assert await store.chats.remove_watch(1, first.id) == first
    assert [w.query for w in await store.chats.watches(1)] == ["Rostov"]


async def test_a_paused_chat_s_watches_stop_and_a_forgotten_chat_leaves_nothing(store):
    for chat_id in (1, 2):
        await store.chats.subscribe(chat_id, "private", "", None, "en", NOW)
        await store.chats.add_watch(chat_id, f"watch of {chat_id}", NOW, limit=5)
    assert await store.chats.pause(1, "stop", NOW) is True
    assert await store.chats.pause(1, "stop", NOW) is False
    assert [w.chat_id for w in await store.chats.watches()] == [2]
    assert [c.chat_id for c in await store.chats.active()] == [2]
    await store.outbox.enqueue([Outgoing("m", 2, "hello")], NOW)
    assert await store.chats.forget(2) == 3  # the watch, the message, the subscription
    assert await store.chats.get(2) is None and await store.outbox.pending(NOW) == []


async def test_a_group_that_became_a_supergroup_takes_everything_along(store):
    await store.chats.subscribe(-1, "group", "Team", None, "en", NOW)
    await store.chats.update(-1, digest_time="09:00")
    watch = await store.chats.add_watch(-1, "Rostov", NOW, limit=5)
    await store.outbox.enqueue([Outgoing("m", -1, "hello")], NOW)
    await store.chats.move(-1, -1001)
    assert list(await store.chats.get_many([-1, -1001])) == [-1001]
    moved = await store.chats.get(-1001)
    assert (moved.chat_type, moved.title, moved.digest_time) == ("supergroup", "Team", "09:00")
    assert [w.id for w in await store.chats.watches(-1001)] == [watch.id]
    assert [m.chat_id for m in await store.outbox.pending(NOW)] == [-1001]
