"""Daily digests end to end: settings commands, /digest, the digest at each chat's local time with a
missed one caught up on start (once), and delivery that survives a kill -9 in the middle of a fan-out."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor import config
from monitor.bot.render import digest_messages
from monitor.core.schedule import local_date, zone_info
from monitor.models import Outgoing
from monitor.services.digests import Digests, DigestSchedule
from monitor.services.watches import Watches
from monitor.storage.store import Store
from tests.bot.db import rows, wait_rows
from tests.bot.test_bot import ALICE, BOB, REFUSED_A, REFUSED_B, Running, report, settings_for
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.feed_builder import rss2


@pytest.fixture
def bot_api():
    with FakeBotApi() as server:
        yield server


REFUSED_RU = report(4, "Кремль пытался договориться с Пригожиным, он отказался",
                    "Кремль пытался выйти на главу Вагнера Евгения Пригожина через посредников; Пригожин "
                    "отказался от переговоров, сообщают источники.")
WEATHER = report(5, "Heatwave: weather service warns of 38 degrees in Rostov region",
                 "Forecasters expect temperatures of up to 38 degrees in the Rostov region on Sunday.")
RATE_B = report(6, "Central bank raises key rate to 9% as rouble weakens",
                "The Bank of Russia raised its key interest rate to 9 percent on Friday.")
RATE_C = report(7, "Bank of Russia lifts key rate to 9%, citing weak rouble",
                "Russia's central bank lifted the key rate to 9 percent, pointing to the weak rouble.")


def three_feeds(tmp_path, bot_api, feed_server, **digest) -> config.Settings:
    feed_server.set("/a.xml", rss2([REFUSED_A, WEATHER]))
    feed_server.set("/b.xml", rss2([REFUSED_B, RATE_B]))
    feed_server.set("/c.xml", rss2([REFUSED_RU, RATE_C]))
    settings = settings_for(tmp_path, bot_api, feed_server)
    raw_sources = [{"kind": "feed", "url": feed_server.url(f"/{n}.xml"), "name": f"{n.upper()} News", "interval": "1s"}
                   for n in "abc"]
    return config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root},
                         "storage": {"path": settings.storage.path}, "digest": digest,
                         "polling": {"parse_processes": 1, "jitter": 0, "timeout": "5s"}, "sources": raw_sources},
                        environ={})



async def test_digest_now_ranks_by_sources_puts_watched_first_and_speaks_the_chats_language(
        tmp_path, bot_api, feed_server):
    async with Running(three_feeds(tmp_path, bot_api, feed_server), bot_api) as run:
        await wait_rows(tmp_path, "SELECT source_count FROM stories ORDER BY source_count DESC", [(3,), (2,), (1,)])
        await run.say(ALICE, "/watch heatwave", "Watch #1 added")
        await run.say(ALICE, "/digest", "<b>Digest, ")
        digest = bot_api.wait_sent(ALICE, "<b>Digest, ").params["text"]
        await run.say(BOB, "/start", "Подписка", language_code="ru")
        russian = (await run.say(BOB, "/digest", "Сводка", language_code="ru"))["text"]
    today = datetime.now(UTC).date().isoformat()
    assert f"<b>Digest, {today}</b>\n3 of 3 stories of the last 24 hours" in digest
    order = [digest.index(h) for h in ("Heatwave", "Prigozhin", "key rate")]
    assert order == sorted(order), digest  # watched first (set after the story came), then 3 sources, then 2
    assert "1. ⭐ <b>Heatwave" in digest
    assert "2. <b>Prigozhin refused Kremlin" in digest or "2. <b>Kremlin tried" in digest  # an English title
    assert "3 sources: " in digest and '<a href="https://news.example.org/story/2">A News</a>' in digest
    assert "\n1 source: " in digest and "\n2 sources: " in digest
    assert "/time HH:MM" in digest
    assert "<b>Кремль пытался договориться с Пригожиным, он отказался</b>" in russian
    assert "3 из 3 сюжетов" in russian and "\n3 источника: " in russian and "\n1 источник: " in russian


async def test_time_zone_and_settings_commands(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        at = await run.say(ALICE, "/time 7:30", "Daily digest at 07:30 (UTC)")
        assert "the next one comes 20" in at["text"]
        await run.say(ALICE, "/time 25:00", "Write the digest time as HH:MM")
        await run.say(ALICE, "/tz Kyiv", "Time zone: Europe/Kyiv")
        unknown = await run.say(ALICE, "/tz Europe/Kyv", "I don't know the time zone")
        assert "Did you mean Europe/Kyiv" in unknown["text"]
        await run.say(ALICE, "/tz +05:30", "Time zone: +05:30")
        await run.say(ALICE, "/time off", "Daily digests are off")
        shown = await run.say(ALICE, "/settings", "<b>Settings</b>")
        assert "Daily digest: off" in shown["text"] and "Time zone: +05:30" in shown["text"]
        buttons = [b["callback_data"] for row in json.loads(shown["reply_markup"])["inline_keyboard"] for b in row]
        assert "set:time:08:00" in buttons and "set:tz:Europe/London" in buttons and "set:lang:uk" in buttons
        message_id = bot_api.wait_sent(ALICE, "<b>Settings</b>").result["message_id"]
        bot_api.user_presses(ALICE, message_id, "set:tz:Europe/London")
        await asyncio.to_thread(bot_api.wait_sent, ALICE, "Time zone: Europe/London", method="editMessageText")
        bot_api.user_presses(ALICE, message_id, "set:time:09:00")
        edited = await asyncio.to_thread(bot_api.wait_sent, ALICE, "Daily digest: 09:00", method="editMessageText")
        assert "inline_keyboard" in edited.params["reply_markup"]  # the buttons stay
    assert rows(tmp_path, f"SELECT digest_time, timezone FROM subscribers WHERE chat_id = {ALICE}") == [
        ("09:00", "Europe/London")]


async def subscribe(path, chats: dict[int, dict]) -> None:
    """Chats as if they had subscribed earlier, with their settings."""
    store = await Store.open(path)
    try:
        for chat_id, values in chats.items():
            await store.chats.subscribe(chat_id, "private", "", None, "en", datetime.now(UTC))
            if values:
                await store.chats.update(chat_id, **values)
    finally:
        await store.close()


def minutes_ago(minutes: int, zone: str) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).astimezone(zone_info(zone)).strftime("%H:%M")


async def test_a_missed_digest_is_sent_once_on_start_at_the_chats_local_date(tmp_path, bot_api):
    far, late, off = 9001, 9002, 9003
    await subscribe(tmp_path / "m.db", {
        far: {"timezone": "Pacific/Kiritimati", "digest_time": minutes_ago(10, "Pacific/Kiritimati")},
        late: {"timezone": "America/New_York", "digest_time": minutes_ago(90, "America/New_York")},
        off: {"digest_time": "off"},
    })
    settings = config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root},
                             "storage": {"path": str(tmp_path / "m.db")}, "digest": {"catch_up": "1h"},
                             "polling": {"parse_processes": 1}}, environ={})
    # the date it was due on there (yesterday, just after local midnight)
    due_date = local_date(datetime.now(UTC) - timedelta(minutes=10), zone_info("Pacific/Kiritimati"))
    for _ in range(2):  # a second start sends nothing again
        async with Running(settings, bot_api):
            await asyncio.to_thread(bot_api.wait_sent, far, f"📰 {due_date}: nothing new")
            await asyncio.sleep(0.5)
    assert len(bot_api.sent(far)) == 1
    assert bot_api.sent(late) == [] and bot_api.sent(off) == []  # missed too long ago (catch_up 1h); off
    assert len(rows(tmp_path, f"SELECT * FROM digests WHERE chat_id = {far}")) == 1


async def test_each_chat_has_a_job_at_its_local_time_that_queues_the_digest_and_plans_the_next(tmp_path):
    await subscribe(tmp_path / "m.db", {1: {"timezone": "Europe/Berlin", "digest_time": "08:00"},
                                        2: {"timezone": "Asia/Tokyo", "digest_time": "off"}})
    store = await Store.open(tmp_path / "m.db")
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()
    try:
        jobs = DigestSchedule(Digests(store, Watches(store, 3), config.DigestSettings(), digest_messages), scheduler)
        assert await jobs.start() == 2
        job = scheduler.get_job("digest:1")
        assert job.next_run_time.astimezone(zone_info("Europe/Berlin")).strftime("%H:%M") == "08:00"
        assert scheduler.get_job("digest:2") is None  # digests off
        first = job.next_run_time
        job.modify(next_run_time=datetime.now(UTC) + timedelta(seconds=0.2))  # as if 08:00 had come
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not await store.digests.has(1, first.astimezone(
                zone_info("Europe/Berlin")).date().isoformat()):
            await asyncio.sleep(0.05)
        assert (await store.outbox.pending(datetime.now(UTC)))[0].key.startswith("digest:1:")
        await asyncio.sleep(0.1)
        assert scheduler.get_job("digest:1").next_run_time >= first  # planned again
    finally:
        scheduler.shutdown(wait=False)
        await store.close()


async def test_pending_messages_are_sent_after_a_restart_and_a_429_burst_is_waited_out(tmp_path, bot_api):
    chats = list(range(5001, 5041))
    await subscribe(tmp_path / "m.db", dict.fromkeys(chats, {}))
    store = await Store.open(tmp_path / "m.db")
    await store.outbox.enqueue([Outgoing(f"test:{c}", c, f"left over for {c}", kind="digest", priority=2)
                                for c in chats], datetime.now(UTC))
    await store.close()
    for _ in range(3):
        bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    settings = config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root},
                             "storage": {"path": str(tmp_path / "m.db")}, "digest": {"default_time": "off"},
                             "polling": {"parse_processes": 1}}, environ={})
    async with Running(settings, bot_api):
        for chat in chats:
            await asyncio.to_thread(bot_api.wait_sent, chat, f"left over for {chat}")
    assert all(len(bot_api.sent(c)) == 1 for c in chats)
    assert rows(tmp_path, "SELECT status, count(*) FROM outbox GROUP BY status") == [("sent", 40)]
    calls = bot_api.calls_of("sendMessage")
    for refused in [c for c in calls if c.result is None]:  # each chat that met a 429 waited retry_after
        delivered = next(c for c in calls if c.params["chat_id"] == refused.params["chat_id"] and c.result)
        assert delivered.at - refused.at >= 0.95


def test_a_kill_during_a_digest_fan_out_to_100_chats_loses_none_and_repeats_at_most_one(tmp_path, bot_api):
    chats = list(range(7001, 7101))
    asyncio.run(subscribe(tmp_path / "m.db", dict.fromkeys(chats, {"digest_time": minutes_ago(5, "UTC")})))
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[telegram]\ntoken = "{bot_api.token}"\napi_base_url = "{bot_api.root}"\n'
                   f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\nparse_processes = 1\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    bot_api.send_delay_s = 0.02

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "monitor", "run", "-c", str(cfg)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    first = start()
    try:
        bot_api.wait_for("sendMessage", 30, timeout_s=30)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    sent_before = len(bot_api.calls_of("sendMessage"))
    assert sent_before < 100  # killed in the middle of the fan-out
    second = start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(bot_api.sent(c) for c in chats):
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = second.communicate(timeout=20)
    counts = {c: len([m for m in bot_api.sent(c) if "📰" in m.params["text"]]) for c in chats}
    assert all(n >= 1 for n in counts.values()), err  # every chat has its digest
    assert sum(1 for n in counts.values() if n > 1) <= 1  # at most the one in flight at the kill twice
    assert all(n <= 2 for n in counts.values())


async def test_plans_follow_daylight_saving_in_each_chats_zone(tmp_path):
    """The night Berlin moves its clocks forward, its 08:00 digest comes an hour earlier in UTC; New York,
    which changed two weeks before, stays; Kiritimati's comes on its own date."""
    await subscribe(tmp_path / "m.db", {1: {"timezone": "Europe/Berlin"}, 2: {"timezone": "America/New_York"},
                                        3: {"timezone": "Pacific/Kiritimati"}})
    store = await Store.open(tmp_path / "m.db")
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start(paused=True)  # plans are computed, nothing runs
    try:
        for now, expected in [(datetime(2023, 3, 25, 12, tzinfo=UTC), {1: (3, 26, 6), 2: (3, 26, 12), 3: (3, 25, 18)}),
                              (datetime(2023, 3, 24, 12, tzinfo=UTC), {1: (3, 25, 7), 2: (3, 25, 12), 3: (3, 24, 18)})]:
            jobs = DigestSchedule(Digests(store, Watches(store, 3), config.DigestSettings(catch_up=1.0),
                                          digest_messages, clock=lambda now=now: now), scheduler)
            await jobs.start()
            for chat, (month, day, hour) in expected.items():
                assert scheduler.get_job(f"digest:{chat}").next_run_time == datetime(2023, month, day, hour, tzinfo=UTC)
    finally:
        scheduler.shutdown(wait=False)
        await store.close()


async def test_a_long_digest_arrives_in_several_valid_messages(tmp_path, bot_api, feed_server):
    topics = ["harvest", "airport", "museum", "election", "reactor", "bridge", "pipeline", "vaccine", "satellite",
              "earthquake", "library", "tunnel", "stadium", "railway", "glacier", "refinery", "festival", "orchestra",
              "parliament", "shipyard"]
    # long headlines with no word in common, so that each report is a story of its own
    entries = [report(100 + n, " ".join(f"{topic}{k}" for k in range(25)), f"{topic} {topic}x {topic}y")
               for n, topic in enumerate(topics)]
    feed_server.set("/a.xml", rss2(entries))
    feed_server.set("/b.xml", rss2([]))
    settings = settings_for(tmp_path, bot_api, feed_server)
    settings = config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root},
                             "storage": {"path": settings.storage.path}, "digest": {"max_stories": 20},
                             "polling": {"parse_processes": 1, "jitter": 0},
                             "sources": [{"kind": "feed", "url": feed_server.url("/a.xml"), "name": "A News",
                                          "interval": "1s"}]},  # polled within a second of the start
                            environ={})
    async with Running(settings, bot_api) as run:
        await wait_rows(tmp_path, "SELECT count(*) FROM stories", [(20,)])
        await run.say(ALICE, "/digest", "Change: /time")  # the last part carries the footer
    parts = [c.params["text"] for c in bot_api.sent(ALICE)]
    assert len(parts) >= 2 and parts[0].startswith("📰 <b>Digest, ")
    assert all(c.result for c in bot_api.sent(ALICE))  # the server accepted each: valid HTML, within 4,096
    numbers = [int(line.split(".")[0]) for part in parts for line in part.split("\n")
               if line[:1].isdigit() and ". <b>" in line]
    assert numbers == list(range(1, 21))  # every story once, in order, none cut between two messages
