"""Watches and Chats keep the watch rows, the in-memory index and the digest jobs in step through whatever
happens to a chat: subscribe, /watch, /unwatch, /stop, /start again, /forget, a move to a supergroup, a chat
that refuses messages."""

from __future__ import annotations

import pytest

from monitor.core.query import parse_query, words_of
from monitor.services.chats import Subscribed
from monitor.services.watches import WatchRefused

PRIGOZHIN = words_of("Prigozhin's column stops short of Moscow")


def matching_chats(services, words=PRIGOZHIN) -> list[int]:
    return sorted(w.chat_id for w in services.watches.matching(words))


async def test_a_watch_matches_from_the_moment_it_is_added_until_it_is_removed(services):
    await services.subscribe(1)
    watch = await services.watches.add(1, parse_query("Prigozhin"))
    assert matching_chats(services) == [1]
    assert [w.query for w in await services.watches.of_chat(1)] == ["Prigozhin"]

    removed = await services.watches.remove(1, watch.id)
    assert removed is not None and (removed.id, removed.query) == (watch.id, "Prigozhin")
    assert matching_chats(services) == [] and await services.watches.of_chat(1) == []
    assert await services.watches.remove(1, watch.id) is None


async def test_a_watch_that_means_the_same_or_one_too_many_is_refused_and_matches_nothing_new(services):
    await services.subscribe(1)
    first = await services.watches.add(1, parse_query("Prigozhin OR Wagner"))
    with pytest.raises(WatchRefused) as refused:
        await services.watches.add(1, parse_query("Wagner OR Prigozhin"))
    assert (refused.value.reason, refused.value.value) == ("duplicate", first.id)
    await services.watches.add(1, parse_query("Rostov"))
    await services.watches.add(1, parse_query("Moscow"))
    with pytest.raises(WatchRefused) as refused:
        await services.watches.add(1, parse_query("Kremlin"))
    assert (refused.value.reason, refused.value.value) == ("limit", 3)
    assert len(services.watches) == 3 and len(await services.watches.of_chat(1)) == 3


async def test_a_paused_chat_keeps_its_watches_but_they_match_again_only_once_it_is_back(services):
    await services.subscribe(1)
    await services.subscribe(2)
    await services.watches.add(1, parse_query("Prigozhin"))
    await services.watches.add(2, parse_query("Moscow"))
    assert matching_chats(services) == [1, 2]

    assert await services.chats.pause(1, "stop")
    assert matching_chats(services) == [2]
    assert len(await services.watches.of_chat(1)) == 1  # kept for when it comes back
    assert not await services.chats.pause(1, "stop")  # paused already

    assert await services.subscribe(1)  # /start again
    assert matching_chats(services) == [1, 2]
    assert not await services.subscribe(1)  # active already: nothing indexed twice
    assert len(services.watches) == 2


async def test_a_restart_indexes_the_watches_of_active_chats_only(services):
    await services.subscribe(1)
    await services.subscribe(2)
    await services.watches.add(1, parse_query("Prigozhin"))
    await services.watches.add(2, parse_query("Moscow"))
    await services.chats.pause(2, "stop")

    restarted = type(services)(services.store, services.scheduler)
    assert await restarted.watches.load() == 1
    assert matching_chats(restarted) == [1]


async def test_forgetting_a_chat_removes_its_rows_its_matching_and_its_digest(services):
    await services.subscribe(1)
    await services.watches.add(1, parse_query("Prigozhin"))
    assert services.scheduler.get_job("digest:1") is not None  # a subscribed chat gets its digest

    await services.chats.forget(1)
    assert matching_chats(services) == [] and await services.watches.of_chat(1) == []
    assert await services.chats.get(1) is None
    assert services.scheduler.get_job("digest:1") is None


async def test_a_group_that_became_a_supergroup_takes_its_watches_and_digest_along(services):
    await services.subscribe(-5, "group")
    watch = await services.watches.add(-5, parse_query("Prigozhin"))

    await services.chats.moved(-5, -1005)
    assert matching_chats(services) == [-1005]
    assert [w.id for w in await services.watches.of_chat(-1005)] == [watch.id]
    assert await services.watches.of_chat(-5) == []
    assert services.scheduler.get_job("digest:-5") is None
    assert services.scheduler.get_job("digest:-1005") is not None


async def test_a_chat_that_refuses_messages_stops_matching_and_loses_what_waits_for_it(services):
    from datetime import UTC, datetime

    from monitor.models import Outgoing

    await services.subscribe(1)
    await services.watches.add(1, parse_query("Prigozhin"))
    await services.store.outbox.enqueue([Outgoing("reply:1:1:0", 1, "hello")], datetime.now(UTC))

    assert await services.chats.gone(1, "blocked: bot was blocked by the user") == 1
    assert matching_chats(services) == []
    chat = await services.chats.get(1)
    assert chat is not None and not chat.active
    assert services.scheduler.get_job("digest:1") is None
    assert await services.subscribe(1)  # unblocked, /start: everything is back
    assert matching_chats(services) == [1]


async def test_changing_a_chat_s_digest_time_plans_its_digest_again(services):
    await services.subscribe(1)
    changed = await services.chats.update(services.chat(1), digest_time="21:30", timezone="Europe/Kyiv")
    assert changed is not None and changed.digest_at == (21, 30) and changed.zone == "Europe/Kyiv"
    job = services.scheduler.get_job("digest:1")
    assert job is not None and changed.next_digest == job.trigger.run_date

    changed = await services.chats.update(services.chat(1), digest_time="off")
    assert changed is not None and changed.digest_at is None and changed.next_digest is None
    assert services.scheduler.get_job("digest:1") is None


async def test_a_chat_s_watches_as_queries_are_there_for_its_digest_while_it_is_paused_too(services):
    await services.subscribe(1)
    await services.watches.add(1, parse_query("Prigozhin OR Wagner"))
    await services.chats.pause(1, "stop")
    (query,) = await services.watches.queries(1)
    assert query.matches(PRIGOZHIN) and matching_chats(services) == []
    assert await services.watches.queries(2) == []


async def test_a_watch_subscribes_a_chat_that_is_not_and_brings_a_paused_one_back_whole(services):
    await services.chats.watch(services.chat(1), parse_query("Prigozhin"))
    chat = await services.chats.get(1)
    assert chat is not None and chat.active and services.scheduler.get_job("digest:1") is not None
    assert matching_chats(services) == [1]

    await services.subscribe(2)
    await services.watches.add(2, parse_query("Moscow"))
    await services.chats.pause(2, "stop")
    await services.chats.watch(services.chat(2), parse_query("Rostov"))
    assert len(services.watches) == 3  # the paused chat's old watch matches again, with the new one
    assert services.scheduler.get_job("digest:2") is not None


async def test_a_setting_subscribes_a_chat_that_never_was_but_leaves_a_paused_one_paused(services):
    changed = await services.chats.update(services.chat(1), timezone="Europe/Kyiv")
    assert changed is not None and changed.chat.active and changed.zone == "Europe/Kyiv"
    assert changed.next_digest is not None

    await services.subscribe(2)
    await services.chats.pause(2, "stop")
    changed = await services.chats.update(services.chat(2), digest_time="07:00")
    assert changed is not None and not changed.chat.active and changed.digest_at == (7, 0)
    assert changed.next_digest is None and services.scheduler.get_job("digest:2") is None
    shown = await services.chats.settings(services.chat(3))  # /settings in a new chat subscribes it too
    assert shown is not None and shown.chat.active


async def test_start_tells_a_new_chat_from_one_coming_back_and_how_many_sources_there_are(services):
    from datetime import UTC, datetime

    from monitor.models import SourceSpec

    await services.store.sources.add(SourceSpec("feed", "https://wire.example/rss", "Wire"), datetime.now(UTC))
    assert await services.chats.subscribe(services.chat(1)) == Subscribed(resumed=False, sources=1)
    assert await services.chats.subscribe(services.chat(1)) == Subscribed(resumed=False, sources=1)
    await services.chats.pause(1, "stop")
    assert await services.chats.subscribe(services.chat(1)) == Subscribed(resumed=True, sources=1)
