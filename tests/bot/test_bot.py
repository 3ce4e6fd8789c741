"""The bot end to end: the real python-telegram-bot Application, polling a loopback Bot API server,
with loopback feeds and a real SQLite file. A user subscribes and sets a watch; a matching report
alerts once; a second report of the same event edits that alert."""

from __future__ import annotations

import asyncio
import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from monitor import app, config
from monitor.delivery import Pacer
from tests.bot.db import rows, wait_rows
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.feed_builder import entry, rss2

ALICE, BOB, ADMIN = 1001, 1002, 4242


@pytest.fixture
def bot_api():
    with FakeBotApi() as server:
        yield server


def settings_for(tmp_path, bot_api, feed_server=None, **telegram) -> config.Settings:
    sources = []
    if feed_server is not None:
        sources = [{"kind": "feed", "url": feed_server.url(f"/{name}.xml"), "name": f"{name.upper()} News",
                    "interval": "0.5s"} for name in ("a", "b")]
    return config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root, "admins": [ADMIN],
                                      **telegram},
                         "storage": {"path": str(tmp_path / "m.db")},
                         "polling": {"parse_processes": 1, "jitter": 0, "timeout": "5s"},
                         "sources": sources}, environ={})




def conversation_pacer() -> Pacer:
    """Telegram's flood limits but a chat's own: a test converses with one chat faster than 3 messages in 3
    seconds, and delivery's pacing of a chat is tested on its own (tests/test_delivery.py)."""
    return Pacer(private_burst=1000, group_per_minute=1000)


class Running:
    """`monitor run` in the test's event loop, stopped at the end."""

    def __init__(self, settings: config.Settings, bot_api: FakeBotApi, pacer: Pacer | None = None) -> None:
        self.settings, self.bot_api, self.out = settings, bot_api, io.StringIO()
        self.pacer = pacer or conversation_pacer()

    async def __aenter__(self):
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(app.run(self.settings, self.stop, out=self.out, pacer=self.pacer))
        await asyncio.to_thread(self.bot_api.wait_for, "getUpdates")
        return self

    async def __aexit__(self, *exc):
        self.stop.set()
        await asyncio.wait_for(self.task, 20)

    async def say(self, chat_id: int, text: str, contains: str, **kwargs) -> dict:
        """A user writes to the bot; wait for the reply that contains `contains` and return its parameters."""
        self.bot_api.user_says(chat_id, text, **kwargs)
        call = await asyncio.to_thread(self.bot_api.wait_sent, chat_id, contains)
        return call.params


async def polled_again(feed_server, *paths: str, times: int = 2) -> None:
    """Wait (without blocking the event loop monitor runs in) until each feed was fetched `times` more times:
    a poll hands what it stored on to the deduplicator and the alerts before the next one starts."""
    start = {path: len(feed_server.hits_for(path)) for path in paths}
    deadline = time.monotonic() + 15
    while any(len(feed_server.hits_for(path)) < start[path] + times for path in paths):
        assert time.monotonic() < deadline, f"{paths} were not polled {times} more times"
        await asyncio.sleep(0.05)


def report(n: int, title: str, summary: str, minutes_ago: int = 5) -> dict:
    return entry(n, title=title, summary=summary, at=datetime.now(UTC) - timedelta(minutes=minutes_ago))


QUIET = report(1, "Weather service expects a warm weekend in the south", "Temperatures up to 30 degrees.", 60)
REFUSED_A = report(2, "Kremlin tried to negotiate with Prigozhin, he refused",
                   "The Kremlin tried to reach Wagner chief Yevgeny Prigozhin through intermediaries; "
                   "Prigozhin refused to negotiate, sources say.")
REFUSED_B = report(3, "Prigozhin refused Kremlin attempt to negotiate",
                   "Wagner founder Yevgeny Prigozhin rejected an attempt by the Kremlin to negotiate, "
                   "according to people familiar with the talks.")


async def test_a_watch_alerts_once_per_event_and_the_alert_grows_with_the_story(tmp_path, bot_api, feed_server):
    feed_server.set("/a.xml", rss2([QUIET]))
    feed_server.set("/b.xml", rss2([]))
    async with Running(settings_for(tmp_path, bot_api, feed_server), bot_api) as run:
        welcome = await run.say(ALICE, "/start", "Subscribed")
        assert "/watch" in welcome["text"] and welcome["parse_mode"] == "HTML"
        added = await run.say(ALICE, "/watch Prigozhin OR Пригожин", "Watch #1 added")
        assert "<b>Prigozhin OR Пригожин</b>" in added["text"]
        await run.say(BOB, "/watch Shoigu", "Watch #2 added")  # a watch that this event does not match
        bad = await run.say(ALICE, "/watch (Rostov", "Cannot use this watch")
        assert "not closed" in bad["text"] and "A watch that works" in bad["text"]

        feed_server.set("/a.xml", rss2([QUIET, REFUSED_A]))
        alert = await asyncio.to_thread(bot_api.wait_sent, ALICE, "🔔")
        text = alert.params["text"]
        assert "<b>Kremlin tried to negotiate with Prigozhin, he refused</b>" in text
        assert "A News" in text and "UTC" in text and "1 source so far (A News)" in text
        assert "<code>Prigozhin OR Пригожин</code>" in text and 'href="https://news.example.org/story/2' in text
        assert json.loads(alert.params["link_preview_options"]) == {"is_disabled": True}

        feed_server.set("/b.xml", rss2([REFUSED_B]))
        edit = await asyncio.to_thread(bot_api.wait_sent, ALICE, "2 sources so far", method="editMessageText")
        assert int(edit.params["message_id"]) == alert.result["message_id"]
        assert "2 sources so far (A News, B News)" in edit.params["text"]
        await polled_again(feed_server, "/a.xml", "/b.xml")  # more polls of both feeds: nothing new, nothing sent
    alerts = [c for c in bot_api.sent(ALICE) if "🔔" in c.params["text"]]
    assert len(alerts) == 1
    assert not [c for c in bot_api.sent(BOB) if "🔔" in c.params["text"]]
    assert rows(tmp_path, "SELECT chat_id, source_count FROM alerts") == [(ALICE, 2)]



async def test_replies_follow_the_users_language_and_lang_overrides_it(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(BOB, "/start", "Подписка оформлена", language_code="ru")
        await run.say(BOB, "/watch (Пригожин", "скобка «(» не закрыта", language_code="ru")
        await run.say(BOB, "/lang uk", "Тепер я пишу українською", language_code="ru")
        await run.say(BOB, "/watches", "Тем поки немає", language_code="ru")
        await run.say(BOB, "/lang de", "/lang en, /lang ru", language_code="ru")
        await run.say(ALICE, "/help", "Commands", language_code="en-GB")
        helped = await run.say(ADMIN, "/help", "Commands")
    assert "/add" not in bot_api.wait_sent(ALICE, "Commands").params["text"]
    assert "/add" in helped["text"] and "/status" in helped["text"]
    menus = {c.params.get("language_code"): json.loads(c.params["commands"]) for c in bot_api.calls_of("setMyCommands")
             if "scope" not in c.params}
    assert set(menus) == {None, "ru", "uk"}
    assert {"command": "watch", "description": "Следить за темой: /watch Пригожин Ростов"} in menus["ru"]
    assert "add" not in [c["command"] for c in menus[None]]


async def test_watches_are_listed_limited_and_removed(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api, max_watches=2), bot_api) as run:
        await run.say(ALICE, "/watch Prigozhin", "Watch #1 added")
        await run.say(ALICE, '/watch "Wagner group" -Kyiv', 'Watch #2 added: <b>"Wagner group" AND NOT Kyiv</b>')
        await run.say(ALICE, "/watch prigozhin", "watches that already (#1)")
        await run.say(ALICE, "/watch Shoigu", "This chat has 2 watches, the most allowed")
        listed = await run.say(ALICE, "/watches", "<b>Watches</b>")
        assert "#1 <code>Prigozhin</code>" in listed["text"]
        assert '#2 <code>"Wagner group" -Kyiv</code>' in listed["text"]
        await run.say(ALICE, "/unwatch 1", "Watch #1 removed: Prigozhin")
        await run.say(ALICE, "/unwatch 1", "This chat has no watch #1")
        await run.say(ALICE, "/unwatch", "Write the watch's number")
        await run.say(BOB, "/unwatch 2", "This chat has no watch #2")  # not Bob's to remove
        await run.say(ALICE, "/watch " + "x" * 201, "longer than 200 characters")
        await run.say(ALICE, "/watch -Kyiv", "only says what to leave out")
        await run.say(ALICE, "/watch", "Write what to watch")
    assert rows(tmp_path, "SELECT id, chat_id FROM watches") == [(2, ALICE)]


async def test_a_watch_meaning_the_same_as_another_is_refused_as_a_repeat(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(ALICE, "/watch prigozhin  rostov", "Watch #1 added")
        await run.say(ALICE, "/watch Rostov Prigozhin", "This chat watches that already (#1)")
        await run.say(ALICE, "/watch Prigozhin OR Пригожин", "Watch #2 added")
        await run.say(ALICE, "/watch Пригожин OR Prigozhin", "This chat watches that already (#2)")
        await run.say(ALICE, "/watch Rostov -Prigozhin", "Watch #3 added")  # a different watch
        await run.say(BOB, "/watch Rostov Prigozhin", "Watch #4 added")  # another chat's are its own
    assert rows(tmp_path, "SELECT id, query FROM watches ORDER BY id") == [
        (1, "prigozhin rostov"), (2, "Prigozhin OR Пригожин"), (3, "Rostov -Prigozhin"), (4, "Rostov Prigozhin")]


async def test_forget_deletes_everything_after_the_button_and_stop_pauses(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(ALICE, "/start", "Subscribed")
        await run.say(ALICE, "/watch Prigozhin", "Watch #1 added")
        await run.say(ALICE, "/stop", "Paused")
        assert rows(tmp_path, "SELECT active, inactive_reason FROM subscribers") == [(0, "stop")]
        await run.say(ALICE, "/stop", "not subscribed")
        await run.say(ALICE, "/start", "Welcome back")
        ask = await run.say(ALICE, "/forget", "Delete everything kept about this chat (subscription, 1 watch,")
        buttons = json.loads(ask["reply_markup"])["inline_keyboard"][0]
        assert [b["callback_data"] for b in buttons] == [f"forget:yes:{ALICE}", f"forget:no:{ALICE}"]
        message_id = bot_api.wait_sent(ALICE, "Delete everything").result["message_id"]
        bot_api.user_presses(ALICE, message_id, f"forget:no:{ALICE}")
        await asyncio.to_thread(bot_api.wait_sent, ALICE, "Nothing was deleted", method="editMessageText")
        assert rows(tmp_path, "SELECT count(*) FROM watches") == [(1,)]
        bot_api.user_presses(ALICE, message_id, f"forget:yes:{BOB}")  # someone else's button press
        answered = await asyncio.to_thread(bot_api.wait_for, "answerCallbackQuery", 2)
        assert answered[-1].params["text"] == "Only the person who asked can answer this."
        bot_api.user_presses(ALICE, message_id, f"forget:yes:{ALICE}")
        await asyncio.to_thread(bot_api.wait_sent, ALICE, "Deleted: nothing about this chat", method="editMessageText")
        assert bot_api.calls_of("answerCallbackQuery")
    assert rows(tmp_path, "SELECT count(*) FROM subscribers") == [(0,)]
    assert rows(tmp_path, "SELECT count(*) FROM watches") == [(0,)]


async def test_unknown_commands_and_plain_text_get_a_hint(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(ALICE, "/frobnicate now", "I don't know /frobnicate")
        hint = await run.say(ALICE, "Prigozhin <b>Rostov</b>", "write /watch and its words")
        assert "<code>/watch Prigozhin &lt;b&gt;Rostov&lt;/b&gt;</code>" in hint["text"]
        # in a group, commands for other bots and chatter are not ours to answer
        bot_api.user_says(-100200, "/frobnicate@other_bot", chat_type="supergroup")
        bot_api.user_says(-100200, "hello all", chat_type="supergroup")
        await run.say(-100200, "/frobnicate@monitor_test_bot", "I don't know /frobnicate", chat_type="supergroup")
    assert len(bot_api.sent(-100200)) == 1


async def test_a_subscription_in_a_forum_topic_sends_there(tmp_path, bot_api, feed_server):
    feed_server.set("/a.xml", rss2([QUIET]))
    feed_server.set("/b.xml", rss2([]))
    group = -100300
    bot_api.set_member(group, ALICE, "administrator")  # in a group, its admins change its subscription
    async with Running(settings_for(tmp_path, bot_api, feed_server), bot_api) as run:
        started = await run.say(group, "/start@monitor_test_bot", "Subscribed", chat_type="supergroup", thread_id=7,
                                user_id=ALICE)
        assert started["message_thread_id"] == "7"
        await run.say(group, "/watch Пригожин", "Watch #1 added", chat_type="supergroup", thread_id=7, user_id=ALICE)
        feed_server.set("/a.xml", rss2([QUIET, REFUSED_A]))  # English text, Cyrillic watch
        alert = await asyncio.to_thread(bot_api.wait_sent, group, "🔔")
    assert alert.params["message_thread_id"] == "7"


async def test_blocked_chats_are_paused_and_429_is_waited_out(tmp_path, bot_api, feed_server):
    feed_server.set("/a.xml", rss2([QUIET]))
    feed_server.set("/b.xml", rss2([]))
    async with Running(settings_for(tmp_path, bot_api, feed_server), bot_api) as run:
        await run.say(ALICE, "/watch Prigozhin", "Watch #1 added")
        await run.say(BOB, "/watch Prigozhin", "Watch #2 added")
        await asyncio.to_thread(bot_api.wait_for, "sendMessage", 2)
        bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", chat_id=ALICE, retry_after=1)
        bot_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=BOB)
        feed_server.set("/a.xml", rss2([QUIET, REFUSED_A]))
        # Alice's alert meets a 429, waits a second and is sent; Bob has blocked the bot.
        await asyncio.to_thread(bot_api.wait_sent, ALICE, "🔔")
        await wait_rows(tmp_path, "SELECT chat_id, active FROM subscribers ORDER BY chat_id",
                                [(ALICE, 1), (BOB, 0)])
        assert rows(tmp_path, f"SELECT inactive_reason FROM subscribers WHERE chat_id = {BOB}") == [
            ("blocked: bot was blocked by the user",)]
        await run.say(BOB, "/start", "Welcome back")
        # Telegram also tells when a user blocks the bot, before any message fails
        bot_api.push_update({"my_chat_member": {
            "chat": {"id": ALICE, "type": "private", "first_name": "Tester"},
            "from": {"id": ALICE, "is_bot": False, "first_name": "Tester"}, "date": 1700000000,
            "old_chat_member": {"status": "member", "user": {"id": 777000111, "is_bot": True, "first_name": "m"}},
            "new_chat_member": {"status": "kicked", "until_date": 0,
                                "user": {"id": 777000111, "is_bot": True, "first_name": "m"}}}})
        await wait_rows(tmp_path, "SELECT chat_id, active FROM subscribers ORDER BY chat_id",
                                [(ALICE, 0), (BOB, 1)])



async def test_sources_from_chat_admins_only_and_never_private_addresses(tmp_path, bot_api, feed_server):
    feed_server.set("/a.xml", rss2([QUIET]))
    feed_server.set("/b.xml", rss2([]))
    feed_server.set("/c.xml", rss2([REFUSED_A]), )
    feed_server.set("/broken.xml", "this is not a feed", content_type="text/plain")
    new_feed = feed_server.url("/c.xml")
    async with Running(settings_for(tmp_path, bot_api, feed_server), bot_api) as run:
        listed = await run.say(ALICE, "/sources", "<b>2 sources</b>")
        assert "#1 A News — " in listed["text"] and "#2 B News — " in listed["text"]
        await run.say(ALICE, f"/add {new_feed}", "only the bot's admins")
        await run.say(ALICE, "/status", "only the bot's admins")
        await run.say(ALICE, "/remove 1", "only the bot's admins")
        refused = await run.say(ADMIN, f"/add {new_feed}", "Not added")
        assert "127.0.0.1 is not a public address" in refused["text"]
        await run.say(ADMIN, "/add http://localhost:9/feed", "localhost is a local name")
        await run.say(ADMIN, "/add http://169.254.169.254/latest/meta-data", "not a public address")
        await run.say(ADMIN, "/add ftp://example.org/x", "Write a feed address or a public channel")
        unknown = await run.say(ADMIN, "/add https://news.invalid/rss.xml", "news.invalid")
        assert "cannot resolve news.invalid: check the address" in unknown["text"]
        assert "allow_private_sources" not in unknown["text"]  # not a private address: allowing them would not help
        await run.say(ADMIN, "/remove 1", "comes from the config file")
        await run.say(ADMIN, "/remove 99", "There is no source #99")
        status = await run.say(ADMIN, "/status", "<b>Status</b>")
        assert "2 sources (0 failing)" in status["text"] and "0 subscribers, 0 watches" in status["text"]
    assert rows(tmp_path, "SELECT count(*) FROM sources") == [(2,)]
    assert not [h for h in feed_server.hits if h.path == "/c.xml"]  # never fetched

    settings = settings_for(tmp_path, bot_api, feed_server, allow_private_sources=True, allow_user_sources=True)
    async with Running(settings, bot_api) as run:
        await run.say(BOB, f"/add {feed_server.url('/broken.xml')}", "Not added")
        added = await run.say(BOB, f"/add {new_feed}", "Added source #")
        assert "(1 report so far)" in added["text"]
        (source_id, origin), = rows(tmp_path, "SELECT id, origin FROM sources WHERE url LIKE '%/c.xml'")
        assert origin == "chat"
        await run.say(BOB, f"/add {new_feed}", f"That source is there already (#{source_id})")
        await run.say(BOB, f"/remove {source_id}", f"Removed source #{source_id}")
    assert rows(tmp_path, "SELECT count(*) FROM sources") == [(2,)]


async def test_a_chat_source_redirecting_to_a_private_address_is_refused_at_every_poll(tmp_path, feed_server):
    """The check runs on each request of a fetch, so a public feed cannot redirect the poller inward.
    Here only 127.0.0.2 counts as private, so the loopback feed server itself is allowed."""
    import ipaddress

    from monitor.sources.fetch import Fetcher, FetchError

    fetcher = Fetcher(timeout_s=5, max_bytes=100_000, user_agent="test", concurrency=2,
                      refused=lambda address: address == ipaddress.ip_address("127.0.0.2"))
    feed_server.set("/inward.xml", redirect_to=f"http://127.0.0.2:{feed_server.port}/secret", status=302)
    feed_server.set("/fine.xml", rss2([QUIET]))
    try:
        assert (await fetcher.fetch(feed_server.url("/fine.xml"), public_only=True)).status == 200
        with pytest.raises(FetchError, match="127.0.0.2 is not a public address"):
            await fetcher.fetch(feed_server.url("/inward.xml"), public_only=True)
        # a trusted source (config, CLI) follows the redirect: nothing listens there, so it cannot connect
        with pytest.raises(FetchError, match="cannot connect"):
            await fetcher.fetch(feed_server.url("/inward.xml"))
    finally:
        await fetcher.aclose()


async def test_a_group_that_became_a_supergroup_takes_its_subscription_along(tmp_path, bot_api):
    old, new = -400, -100400
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(old, "/start", "Subscribed", chat_type="group", user_id=ADMIN)
        await run.say(old, "/watch Prigozhin", "Watch #1 added", chat_type="group", user_id=ADMIN)
        bot_api.fail_next("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                          chat_id=old, migrate_to_chat_id=new)
        bot_api.user_says(old, "/watches", chat_type="group")
        await asyncio.to_thread(bot_api.wait_sent, new, "#1 <code>Prigozhin</code>")  # sent again, to the new id
    assert rows(tmp_path, "SELECT chat_id, chat_type, active FROM subscribers") == [(new, "supergroup", 1)]
    assert rows(tmp_path, "SELECT chat_id FROM watches") == [(new,)]


async def test_a_watch_matches_the_story_as_a_whole_once_a_later_report_brings_the_missing_word(
        tmp_path, bot_api, feed_server):
    feed_server.set("/a.xml", rss2([QUIET]))
    feed_server.set("/b.xml", rss2([]))
    async with Running(settings_for(tmp_path, bot_api, feed_server), bot_api) as run:
        await run.say(ALICE, "/watch Prigozhin Yevgeny intermediaries familiar", "Watch #1 added")
        feed_server.set("/a.xml", rss2([QUIET, REFUSED_A]))  # has Prigozhin, Yevgeny, intermediaries
        await wait_rows(tmp_path, "SELECT count(*) FROM items", [(2,)])
        await polled_again(feed_server, "/a.xml")  # the poll that stored it is over, alerts and all
        assert rows(tmp_path, "SELECT count(*) FROM alerts") == [(0,)]  # "familiar" is missing
        assert not [c for c in bot_api.sent(ALICE) if "🔔" in c.params["text"]]
        feed_server.set("/b.xml", rss2([REFUSED_B]))  # the same event; "people familiar with the talks"
        alert = await asyncio.to_thread(bot_api.wait_sent, ALICE, "🔔")
    assert "2 sources so far" in alert.params["text"]
