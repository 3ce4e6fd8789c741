"""Posts of channels the bot administers become items: read here, then taken by the story pipeline (a new
post is stored, its channel becoming a source on first sight; an edited post replaces the stored text)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from monitor.bot.context import Context, services
from monitor.bot.posts import read_post


async def on_channel_post(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    await services(context).pipeline.take_post(read_post(message), edited=update.edited_channel_post is not None)


def register(application: Application) -> None:
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, on_channel_post))
