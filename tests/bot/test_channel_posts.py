"""Channels the bot administers: the real python-telegram-bot Application against a loopback Bot API."""

from __future__ import annotations

import asyncio
import io
import time

import pytest

from monitor import app, config
from tests.bot.db import rows, wait_rows
from tests.fakes.bot_api import FakeBotApi

CHANNEL = {"id": -1001234567890, "type": "channel", "title": "Newsroom", "username": "newsroom_test"}


def channel_post(message_id: int, text: str | None = None, edited: bool = False, **extra) -> dict:
    message = {"message_id": message_id, "date": 1687590000 + message_id, "chat": CHANNEL, **extra}
    if text is not None:
        message["text"] = text
    if edited:
        message["edit_date"] = 1687600000
    return {"edited_channel_post" if edited else "channel_post": message}


@pytest.fixture
def bot_api():
    with FakeBotApi() as server:
        yield server


def settings_for(tmp_path, bot_api: FakeBotApi) -> config.Settings:
    return config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root},
                         "storage": {"path": str(tmp_path / "m.db")},
                         "polling": {"parse_processes": 1}}, environ={})





async def test_posts_become_items_and_edits_replace_the_text(tmp_path, bot_api):
    stop = asyncio.Event()
    out = io.StringIO()
    running = asyncio.create_task(app.run(settings_for(tmp_path, bot_api), stop, out=out))
    try:
        await asyncio.to_thread(bot_api.wait_for, "getUpdates")
        bot_api.push_update(channel_post(
            10, "Prigozhin says his fighters are in Rostov. Details here",
            entities=[{"type": "text_link", "offset": 51, "length": 4, "url": "https://news.example.org/rostov"}]))
        bot_api.push_update(channel_post(11, caption=None, photo=[{"file_id": "a", "file_unique_id": "b",
                                                                    "width": 10, "height": 10}]))
        await wait_rows(tmp_path, "SELECT key, url, text FROM items ORDER BY id", [
            ("post:10", "https://t.me/newsroom_test/10",
             "Prigozhin says his fighters are in Rostov. Details here (https://news.example.org/rostov)"),
            ("post:11", "https://t.me/newsroom_test/11", "[photo]"),
        ])
        assert rows(tmp_path, "SELECT kind, url, name, origin FROM sources") == [
            ("bot_channel", "tg://channel/-1001234567890", "Newsroom", "bot")]

        bot_api.push_update(channel_post(10, "Prigozhin says his fighters control Rostov's military HQ", edited=True))
        await wait_rows(tmp_path, "SELECT count(*), max(text) FROM items WHERE key = 'post:10'",
                        [(1, "Prigozhin says his fighters control Rostov's military HQ")])
        assert rows(tmp_path, "SELECT count(*) FROM items") == [(2,)]
        # the same update delivered again (e.g. after a restart) stores nothing twice
        bot_api.push_update(channel_post(11, caption=None, photo=[{"file_id": "a", "file_unique_id": "b",
                                                                    "width": 10, "height": 10}]))
        taken = bot_api.push_update(channel_post(12, "A third post"))
        await wait_rows(tmp_path, "SELECT count(*) FROM items", [(3,)])
        await asyncio.to_thread(bot_api.wait_until_taken, taken)
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
    assert "Prigozhin says his fighters are in Rostov" in out.getvalue()  # new posts shown in the terminal
    allowed = bot_api.calls_of("getUpdates")[0].params["allowed_updates"]
    assert "channel_post" in allowed and "edited_channel_post" in allowed


async def test_rejected_token_is_a_clear_error(tmp_path, bot_api):
    bot_api.fail_next("getMe", 401, "Unauthorized")
    with pytest.raises(app.BotError, match="rejected the token; check telegram.token"):
        await app.run(settings_for(tmp_path, bot_api), asyncio.Event(), out=io.StringIO())


def test_token_never_reaches_the_log(tmp_path, bot_api, capsys):
    import subprocess
    import sys

    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[telegram]\ntoken = "{bot_api.token}"\napi_base_url = "{bot_api.root}"\n'
                   f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\nparse_processes = 1\n')
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "-c", str(cfg), "-v"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        bot_api.wait_for("getUpdates")
        time.sleep(0.5)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "getUpdates" in err or "bot: @monitor_test_bot" in err
    assert bot_api.token not in out + err and "TEST-token" not in out + err
