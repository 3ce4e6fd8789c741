"""Build the python-telegram-bot Application for any Bot API server, with every feature registered."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from monitor.bot import admin, channels, subscriptions, watches
from monitor.bot import settings as chat_settings
from monitor.bot.context import Context, asker, reply
from monitor.bot.texts import COMMANDS, LANGUAGES, say
from monitor.config import TelegramSettings

log = logging.getLogger("monitor.bot")

# The updates monitor handles; asking for only these keeps Telegram from sending the rest.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER, Update.CHANNEL_POST,
                   Update.EDITED_CHANNEL_POST]


def build_application(settings: TelegramSettings) -> Application:
    """The bot with every feature registered; its services are attached once they are built (`attach`)."""
    root = settings.api_base_url.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .build()
    )
    channels.register(application)
    subscriptions.register(application)
    watches.register(application)
    chat_settings.register(application)
    admin.register(application)
    subscriptions.register_fallbacks(application)
    application.add_error_handler(on_error)
    return application


def _menu(language: str, admin: bool, everyone_adds: bool) -> list[BotCommand]:
    return [BotCommand(name, say(language, f"cmd_{name}")) for name, admin_only in COMMANDS
            if admin or not admin_only or (everyone_adds and name in ("add", "remove"))]


async def set_commands(application: Application, settings: TelegramSettings) -> None:
    """The command menu in each language the bot speaks (English where the client's is another);
    admins see the admin commands in their private chats with the bot."""
    bot = application.bot
    for language in LANGUAGES:
        code = None if language == "en" else language
        await bot.set_my_commands(_menu(language, False, settings.allow_user_sources), language_code=code)
    for admin_id in settings.admins:
        try:
            await bot.set_my_commands(_menu("en", True, True), scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # an admin who never opened a chat with the bot
            log.info("bot: admin=%s gets the plain menu (%s)", admin_id, exc)


async def on_error(update: object, context: Context) -> None:
    """A handler failed: log it with the chat, tell the user briefly, keep the bot running."""
    chat = getattr(update, "effective_chat", None)
    log.error("bot: chat=%s handler failed", chat.id if chat else "-", exc_info=context.error)
    if isinstance(update, Update) and chat is not None and update.effective_message is not None:
        try:
            who = await asker(update, context)
            await reply(context, who, say(who.language, "error"))
        except Exception:  # the store or Telegram is what failed: nothing more to say
            log.debug("bot: chat=%s could not report the failure", chat.id)
