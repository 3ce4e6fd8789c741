"""Typed access to the services handlers need (kept in application.bot_data), and the few steps every
handler shares: who is asking, in which language, whether they may change the chat's settings, and
replying through the sender."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackContext

from monitor.bot.alerts import Alerts
from monitor.bot.digests import DigestJobs, Digests
from monitor.bot.render import split_lines
from monitor.bot.texts import language_of, say
from monitor.config import TelegramSettings
from monitor.delivery import Sender
from monitor.models import Outgoing, Subscriber
from monitor.poller import ItemSink, Poller
from monitor.storage.store import Store

_KEY = "monitor.services"

log = logging.getLogger("monitor.bot")

ADMIN_LOOKUP_TTL_S = 60.0  # a member promoted or demoted is seen within this long
_ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


class GroupAdmins:
    """Who administers which group, as the Bot API's getChatMember said within the last minute: a busy
    group costs one lookup per member a minute, not one per message. A failed lookup is not kept."""

    def __init__(self, ttl_s: float = ADMIN_LOOKUP_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._known: dict[tuple[int, int], tuple[float, bool]] = {}  # (chat, user) → (valid until, admin)

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """True if the user is the group's creator or one of its administrators; False if not, or if
        Telegram cannot say (a lookup that fails refuses, it never allows)."""
        now = self.clock()
        known = self._known.get((chat_id, user_id))
        if known is not None and known[0] > now:
            return known[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("bot: chat=%s user=%s admin lookup failed, change refused (%s)", chat_id, user_id, exc)
            return False
        if len(self._known) >= 10_000:  # forget what expired, so the table stays as big as a minute's askers
            self._known = {key: value for key, value in self._known.items() if value[0] > now}
        admin = member.status in _ADMIN_STATUSES
        self._known[(chat_id, user_id)] = (now + self.ttl_s, admin)
        return admin


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
    group_admins: GroupAdmins = field(default_factory=GroupAdmins)


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
    subscriber = await store.chats.get(chat.id)
    code = user.language_code if user else None
    if subscriber is not None and chat.type == "private" and code and code != subscriber.client_language:
        await store.chats.note_language(chat.id, code)  # alerts follow the client's language when it changes
        subscriber = await store.chats.get(chat.id)
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
    fresh = await the.store.chats.subscribe(who.chat_id, chat.type, title, who.thread_id,
                                            user.language_code if user else None, now())
    if fresh:
        if who.subscriber is not None:
            for watch in await the.store.chats.watches(who.chat_id):
                the.alerts.watch_added(watch)
        await the.digest_jobs.replan(who.chat_id)
    return fresh


def is_admin(context: CallbackContext, user_id: int | None) -> bool:
    """One of the bot's admins (`telegram.admins`)."""
    settings = services(context).settings
    return settings is not None and user_id in settings.admins


def writes_as_the_group(update: Update) -> bool:
    """An anonymous group admin: Telegram sends the message as the group itself (sender_chat) and hides
    which admin wrote it; only a group's admins can do so."""
    message, chat = update.message, update.effective_chat
    return message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id


async def may_change(update: Update, context: CallbackContext) -> bool:
    """Whether the sender may change the chat's subscription or settings: anyone in a private chat; in a
    group its administrators (asked of Telegram, briefly cached), an anonymous admin, and the bot's admins."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == ChatType.PRIVATE or writes_as_the_group(update):
        return True
    if user is None:
        return False
    if is_admin(context, user.id):
        return True
    return await services(context).group_admins.is_admin(context.bot, chat.id, user.id)


async def refuse_change(update: Update, context: CallbackContext, who: Asker | None = None) -> None:
    """Tell someone who may not change the chat's settings who can: a reply, or an alert on the button."""
    who = who or await asker(update, context)
    text = say(who.language, "group_admins_only")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(context, who, text)
    log.info("bot: chat=%s user=%s may not change the chat's settings", who.chat_id, who.user_id)


Handler = Callable[[Update, CallbackContext], Awaitable[None]]


def changes_chat(handler: Handler) -> Handler:
    """For a handler that changes the chat's subscription or settings: in a group only those who
    `may_change` get through; the others are told who can."""

    @functools.wraps(handler)
    async def checked(update: Update, context: CallbackContext) -> None:
        if await may_change(update, context):
            await handler(update, context)
        else:
            await refuse_change(update, context)

    return checked


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
    await services(context).store.outbox.enqueue(messages, now())
    services(context).sender.notify()


async def edit(context: CallbackContext, who: Asker, message_id: int, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text (and buttons: none unless given) of one of the bot's messages."""
    message = Outgoing(f"edit:{who.chat_id}:{who.update_id}", who.chat_id, text, kind="edit", priority=0,
                       edit_message_id=message_id, markup=markup.to_json() if markup is not None else None)
    await services(context).store.outbox.enqueue([message], now())
    services(context).sender.notify()


def now() -> datetime:
    return datetime.now(UTC)
