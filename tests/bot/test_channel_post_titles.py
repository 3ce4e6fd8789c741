"""Posts of channels the bot administers that have media and no words: titled by caption or channel."""

from __future__ import annotations

import asyncio
import io

from monitor import app
from tests.bot.db import rows, wait_rows
from tests.bot.test_channel_posts import bot_api, channel_post, settings_for  # noqa: F401 (bot_api: a fixture)

PHOTO = [{"file_id": "a", "file_unique_id": "b", "width": 10, "height": 10}]


async def test_photo_posts_are_titled_by_caption_or_channel(tmp_path, bot_api):  # noqa: F811
    stop = asyncio.Event()
    out = io.StringIO()
    running = asyncio.create_task(app.run(settings_for(tmp_path, bot_api), stop, out=out))
    try:
        await asyncio.to_thread(bot_api.wait_for, "getUpdates")
        bot_api.push_update(channel_post(21, photo=PHOTO))
        bot_api.push_update(channel_post(22, photo=PHOTO, caption="Flooded streets in Kherson\nMore to follow"))
        bot_api.push_update(channel_post(23, video={"file_id": "v", "file_unique_id": "w", "width": 10, "height": 10,
                                                    "duration": 3}))
        await wait_rows(tmp_path, "SELECT title, text FROM items ORDER BY id", [
            ("Photo from Newsroom", "[photo]"),
            ("Flooded streets in Kherson", "Flooded streets in Kherson\nMore to follow"),
            ("Video from Newsroom", "[video]"),
        ])
        await wait_rows(tmp_path, "SELECT count(*) FROM items WHERE story_id IS NOT NULL", [(3,)])
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
    assert "[photo]" not in {h for (h,) in rows(tmp_path, "SELECT headline FROM stories")}
    assert "Photo from Newsroom" in out.getvalue()  # the terminal shows the story by its title
