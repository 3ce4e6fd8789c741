"""Typed access to the services handlers need (kept in application.bot_data), and the few steps every
handler shares: who is asking, in which language, and replying through the sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackContext

from monitor.alerts import Alerts
from monitor.bot.render import split_lines
from monitor.bot.texts import language_of
from monitor.config import TelegramSettings
from monitor.delivery import Sender
from monitor.models import Subscriber
from monitor.poller import ItemSink, Poller
from monitor.storage.store import Store

_KEY = "monitor.services"


@dataclass(frozen=True)
class BotServices:
    store: Store
    hand_on: ItemSink  # where new items go after they are stored (as the poller does)
    settings: TelegramSettings | None = None
    poller: Poller | None = None  # /add polls a new source once to check it
    alerts: Alerts | None = None
    sender: Sender | None = None


def attach(bot_data: dict, services: BotServices) -> None:
    bot_data[_KEY] = services


def services(context: CallbackContext) -> BotServices:
    return context.application.bot_data[_KEY]


@dataclass(frozen=True)
class Asker:
    """The chat a command came from: its subscription (if any) and the language to answer in."""

    chat_id: int
    thread_id: int | None
    user_id: int | None
    subscriber: Subscriber | None
    language: str


async def asker(update: Update, context: CallbackContext) -> Asker:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    subscriber = await services(context).store.get_subscriber(chat.id)
    code = user.language_code if user else None
    language = language_of(subscriber.language if subscriber else code)
    thread_id = message.message_thread_id if message is not None and message.is_topic_message else None
    return Asker(chat.id, thread_id, user.id if user else None, subscriber, language)


def is_admin(context: CallbackContext, who: Asker) -> bool:
    settings = services(context).settings
    return settings is not None and who.user_id in settings.admins


async def reply(context: CallbackContext, who: Asker, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat (and topic) the command came from; long answers go in several messages."""
    sender = services(context).sender
    previews = bool(who.subscriber and who.subscriber.link_previews)
    parts = split_lines(text.split("\n"))
    for number, part in enumerate(parts):
        await sender.send(who.chat_id, part, thread_id=who.thread_id, previews=previews,
                          markup=markup if number == len(parts) - 1 else None)


def now() -> datetime:
    return datetime.now(UTC)
