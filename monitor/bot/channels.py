"""Posts of channels the bot administers become items: a new post is stored (its channel becomes a
source on first sight), an edited post replaces the stored text instead of adding an item."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from monitor.bot.context import services
from monitor.sources.channel_posts import KIND, read_post

log = logging.getLogger("monitor.bot")


async def on_channel_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    post = read_post(message)
    store = services(context).store
    now = datetime.now(UTC)
    source = await store.sources.ensure(KIND, post.source_url, post.source_name, now)
    if update.edited_channel_post is not None:
        item_id = await store.items.update_text(source.id, post.item)
        if item_id is not None:
            log.debug("bot_channel: %s post=%s edited", source.log_name, message.message_id)
            return
    new = await store.items.insert(source.id, [post.item], now)
    log.debug("bot_channel: %s post=%s new=%d", source.log_name, message.message_id, len(new))
    if new:
        await services(context).hand_on(source, new)


def register(application: Application) -> None:
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, on_channel_post))
