"""Typed access to the services handlers need (kept in application.bot_data), and the few steps every
handler shares: who is asking, in which language, and replying through the sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackContext

from monitor.bot.alerts import Alerts
from monitor.bot.digests import DigestJobs, Digests
from monitor.bot.render import split_lines
from monitor.bot.texts import language_of
from monitor.config import TelegramSettings
from monitor.delivery import Sender
from monitor.models import Outgoing, Subscriber
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
    digests: Digests | None = None
    digest_jobs: DigestJobs | None = None


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
    update_id: int  # makes replies idempotent: an update handled again after a restart is not answered twice


async def asker(update: Update, context: CallbackContext) -> Asker:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    store = services(context).store
    subscriber = await store.get_subscriber(chat.id)
    code = user.language_code if user else None
    if subscriber is not None and chat.type == "private" and code and code != subscriber.client_language:
        await store.note_language(chat.id, code)  # alerts follow the client's language when it changes
        subscriber = await store.get_subscriber(chat.id)
    language = language_of(subscriber.language if subscriber else code)
    thread_id = message.message_thread_id if message is not None and message.is_topic_message else None
    return Asker(chat.id, thread_id, user.id if user else None, subscriber, language, update.update_id)


def argument(update: Update) -> str:
    """What follows the command, as typed (context.args would lose the spacing inside quotes)."""
    parts = (update.effective_message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def subscribe(update: Update, context: CallbackContext, who: Asker) -> bool:
    """Subscribe the chat the update came from (or make it active again), its messages going to the
    topic it wrote from; a chat coming back has its watches match again and its digest planned.
    True if it was not active before."""
    the, chat, user = services(context), update.effective_chat, update.effective_user
    title = chat.title or chat.full_name or chat.username or ""
    fresh = await the.store.subscribe(who.chat_id, chat.type, title, who.thread_id,
                                      user.language_code if user else None, now())
    if fresh:
        if who.subscriber is not None:
            for watch in await the.store.watches(who.chat_id):
                the.alerts.watch_added(watch)
        await the.digest_jobs.replan(who.chat_id)
    return fresh


def is_admin(context: CallbackContext, who: Asker) -> bool:
    settings = services(context).settings
    return settings is not None and who.user_id in settings.admins


async def reply(context: CallbackContext, who: Asker, text: str = "", markup: InlineKeyboardMarkup | None = None,
                parts: list[str] | None = None) -> None:
    """Answer in the chat (and topic) the command came from, through the outbox, ahead of alerts and
    digests; a long answer goes in several messages (`parts`, when the caller split it already)."""
    previews = bool(who.subscriber and who.subscriber.link_previews)
    parts = parts or split_lines(text.split("\n"))
    messages = [Outgoing(f"reply:{who.chat_id}:{who.update_id}:{n}", who.chat_id, part, thread_id=who.thread_id,
                         previews=previews, priority=0,
                         markup=markup.to_json() if markup is not None and n == len(parts) - 1 else None)
                for n, part in enumerate(parts)]
    await services(context).store.enqueue(messages, now())
    services(context).sender.notify()


async def edit(context: CallbackContext, who: Asker, message_id: int, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text (and buttons: none unless given) of one of the bot's messages."""
    message = Outgoing(f"edit:{who.chat_id}:{who.update_id}", who.chat_id, text, kind="edit", priority=0,
                       edit_message_id=message_id, markup=markup.to_json() if markup is not None else None)
    await services(context).store.enqueue([message], now())
    services(context).sender.notify()


def now() -> datetime:
    return datetime.now(UTC)
