"""Who may change a group's subscription and settings: its administrators (asked of the Bot API with
getChatMember, briefly cached), an anonymous admin writing as the group, and the bot's own admins.
Other members are told who can, in the chat's language, and nothing changes; reading stays open."""

from __future__ import annotations

import asyncio
import json

import pytest

from monitor.bot.texts import CHANGES_CHAT
from tests.bot.db import rows
from tests.bot.test_bot import ADMIN, Running, settings_for
from tests.fakes.bot_api import FakeBotApi

GROUP = -100500
MEMBER, GROUP_ADMIN, OWNER = 2001, 2002, 2003


@pytest.fixture
def bot_api():
    with FakeBotApi() as server:
        server.set_member(GROUP, GROUP_ADMIN, "administrator")
        server.set_member(GROUP, OWNER, "creator")
        yield server


def in_group(**kwargs) -> dict:
    return {"chat_type": "supergroup", **kwargs}


async def reply_to(run: Running, text: str, **kwargs) -> dict:
    """Someone writes in the group; the bot's next message there (replies go out one at a time)."""
    count = len(run.bot_api.sent(GROUP))
    run.bot_api.user_says(GROUP, text, **in_group(**kwargs))
    async with asyncio.timeout(10):
        while len(run.bot_api.sent(GROUP)) == count:
            await asyncio.sleep(0.02)
    return run.bot_api.sent(GROUP)[count].params


def subscriber_row(tmp_path):
    return rows(tmp_path, "SELECT active, language, timezone, digest_time, link_previews FROM subscribers")


async def test_a_member_is_refused_every_change_and_nothing_changes(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(GROUP, "/start", "Subscribed", **in_group(user_id=GROUP_ADMIN))
        await run.say(GROUP, "/lang ru", "по-русски", **in_group(user_id=GROUP_ADMIN))
        await run.say(GROUP, "/watch Prigozhin", "#1", **in_group(user_id=GROUP_ADMIN))
        before = subscriber_row(tmp_path)
        refusal = "Только администраторы этой группы"  # in the chat's language, not the member's client's
        changes = ("/watch Rostov", "/unwatch 1", "/tz Europe/Kyiv", "/time 07:00", "/lang uk", "/previews on",
                   "/stop", "/start", "/forget")
        assert {c.split()[0][1:] for c in changes} == CHANGES_CHAT  # what docs/bot.md says members may not use
        for command in changes:
            reply = await reply_to(run, command, user_id=MEMBER, language_code="en")
            assert refusal in reply["text"], command
            assert "reply_markup" not in reply, command  # no /forget buttons offered

        # Reading stays open to members.
        await run.say(GROUP, "/watches", "#1 <code>Prigozhin</code>", **in_group(user_id=MEMBER))
        await run.say(GROUP, "/help", "/watch", **in_group(user_id=MEMBER))
        shown = await run.say(GROUP, "/settings", "<b>Настройки</b>", **in_group(user_id=MEMBER))

        # Buttons: a member's press changes nothing, even with callback data naming the member.
        settings_message = bot_api.wait_sent(GROUP, "<b>Настройки</b>").result["message_id"]
        assert json.loads(shown["reply_markup"])["inline_keyboard"]
        bot_api.user_presses(GROUP, settings_message, "set:tz:Europe/London", user_id=MEMBER, chat_type="supergroup")
        forget_ask = await run.say(GROUP, "/forget", "Удалить всё", **in_group(user_id=GROUP_ADMIN))
        forget_message = bot_api.wait_sent(GROUP, "Удалить всё").result["message_id"]
        assert "forget:yes" in forget_ask["reply_markup"]
        bot_api.user_presses(GROUP, forget_message, f"forget:yes:{MEMBER}", user_id=MEMBER, chat_type="supergroup")
        answers = await asyncio.to_thread(bot_api.wait_for, "answerCallbackQuery", 2)
        assert all(refusal in a.params["text"] and a.params["show_alert"] == "true" for a in answers)
        assert not bot_api.calls_of("editMessageText")
    assert subscriber_row(tmp_path) == before == [(1, "ru", None, None, 0)]
    assert rows(tmp_path, "SELECT id, query FROM watches") == [(1, "Prigozhin")]


async def test_settings_does_not_subscribe_a_group_for_a_member(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(GROUP, "/settings", "Only this group's admins", **in_group(user_id=MEMBER))
        await run.say(GROUP, "/digest", "nothing new", **in_group(user_id=MEMBER))  # reading needs no subscription
    assert rows(tmp_path, "SELECT count(*) FROM subscribers") == [(0,)]


async def test_admins_anonymous_admins_and_the_bots_admins_may_change_a_group(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        await run.say(GROUP, "/watch Prigozhin", "Watch #1 added", **in_group(anonymous=True))
        await run.say(GROUP, "/tz Europe/Kyiv", "Time zone: Europe/Kyiv", **in_group(user_id=OWNER))
        await run.say(GROUP, "/time 07:00", "Daily digest at 07:00", **in_group(user_id=ADMIN))  # telegram.admins
        await run.say(GROUP, "/previews on", "Link previews are on", **in_group(user_id=GROUP_ADMIN))
        # the settings buttons, pressed by an admin
        await run.say(GROUP, "/settings", "<b>Settings</b>", **in_group(user_id=GROUP_ADMIN))
        message_id = bot_api.wait_sent(GROUP, "<b>Settings</b>").result["message_id"]
        bot_api.user_presses(GROUP, message_id, "set:time:09:00", user_id=GROUP_ADMIN, chat_type="supergroup")
        await asyncio.to_thread(bot_api.wait_sent, GROUP, "Daily digest: 09:00", method="editMessageText")
        assert subscriber_row(tmp_path) == [(1, None, "Europe/Kyiv", "09:00", 1)]  # follows no client language
        # an anonymous admin's /forget: the buttons answer any of the group's admins (Telegram does not
        # tell which admin wrote), and only them
        ask = await run.say(GROUP, "/forget", "Delete everything", **in_group(anonymous=True))
        message_id = bot_api.wait_sent(GROUP, "Delete everything").result["message_id"]
        yes = json.loads(ask["reply_markup"])["inline_keyboard"][0][0]["callback_data"]
        bot_api.user_presses(GROUP, message_id, yes, user_id=MEMBER, chat_type="supergroup")
        refused = await asyncio.to_thread(bot_api.wait_for, "answerCallbackQuery", 2)
        assert "Only this group's admins" in refused[-1].params["text"]
        bot_api.user_presses(GROUP, message_id, yes, user_id=GROUP_ADMIN, chat_type="supergroup")
        await asyncio.to_thread(bot_api.wait_sent, GROUP, "Deleted", method="editMessageText")
    assert rows(tmp_path, "SELECT count(*) FROM subscribers") == [(0,)]
    assert rows(tmp_path, "SELECT count(*) FROM watches") == [(0,)]


async def test_admin_lookups_are_cached_and_private_chats_need_none(tmp_path, bot_api):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        for zone in ("Europe/Kyiv", "Europe/Berlin", "Europe/London"):
            assert f"Time zone: {zone}" in (await reply_to(run, f"/tz {zone}", user_id=GROUP_ADMIN))["text"]
            assert "Only this group's admins" in (await reply_to(run, f"/tz {zone}", user_id=MEMBER))["text"]
        await run.say(GROUP, "/watches", "No watches yet", **in_group(user_id=MEMBER))  # reading asks nothing
        await run.say(MEMBER, "/tz Europe/Kyiv", "Time zone: Europe/Kyiv")  # the member's own private chat
    lookups = [(int(c.params["chat_id"]), int(c.params["user_id"])) for c in bot_api.calls_of("getChatMember")]
    assert sorted(lookups) == [(GROUP, MEMBER), (GROUP, GROUP_ADMIN)]


@pytest.mark.parametrize(("code", "description"), [(400, "Bad Request: chat not found"),
                                                   (403, "Forbidden: bot was kicked from the supergroup chat"),
                                                   (502, "Bad Gateway")])
async def test_a_failed_lookup_refuses_and_is_not_remembered(tmp_path, bot_api, code, description):
    async with Running(settings_for(tmp_path, bot_api), bot_api) as run:
        bot_api.fail_next("getChatMember", code, description)
        assert "Only this group's admins" in (await reply_to(run, "/tz Europe/Kyiv", user_id=GROUP_ADMIN))["text"]
        assert rows(tmp_path, "SELECT count(*) FROM subscribers") == [(0,)]
        assert "Time zone: Europe/Kyiv" in (await reply_to(run, "/tz Europe/Kyiv", user_id=GROUP_ADMIN))["text"]
    assert len(bot_api.calls_of("getChatMember")) == 2
