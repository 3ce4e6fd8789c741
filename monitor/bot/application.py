"""Build the python-telegram-bot Application for any Bot API server, with every feature registered."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationBuilder

from monitor.bot import channels
from monitor.bot.context import BotServices, attach
from monitor.config import TelegramSettings

# The updates monitor handles; asking for only these keeps Telegram from sending the rest.
ALLOWED_UPDATES = [Update.CHANNEL_POST, Update.EDITED_CHANNEL_POST]


def build_application(settings: TelegramSettings, services: BotServices) -> Application:
    root = settings.api_base_url.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .build()
    )
    attach(application.bot_data, services)
    channels.register(application)
    return application
