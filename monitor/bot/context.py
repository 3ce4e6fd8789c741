"""Typed access to the services handlers need (kept in application.bot_data), and the few steps every
handler shares: who is asking, in which language, whether they may change the chat's settings, and
replying through the sender."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from monitor.bot.render import split_lines
from monitor.bot.texts import language_of, say
from monitor.config import TelegramSettings
from monitor.delivery import Sender
from monitor.models import Outgoing, Subscriber
from monitor.services.chats import ChatInfo, Chats
from monitor.services.digests import Digests
from monitor.services.pipeline import StoryPipeline
from monitor.services.sources import Sources
from monitor.services.watches import Watches

Context = ContextTypes.DEFAULT_TYPE

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
    """What the handlers call, built once in monitor/app.py: each handler parses, calls one of these, replies."""

    settings: TelegramSettings
    chats: Chats
    watches: Watches
    digests: Digests
    sources: Sources
    pipeline: StoryPipeline  # the one way in for channel posts, as for polled items
    sender: Sender  # replies go through the outbox, ahead of alerts and digests
    group_admins: GroupAdmins


def attach(application: Application, services: BotServices) -> None:
    application.bot_data[_KEY] = services


def services(context: Context) -> BotServices:
    found: BotServices = context.application.bot_data[_KEY]
    return found


def chat_of(update: Update) -> Chat:
    """The chat of a message, button or membership update (every update monitor handles has one)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"bot: update {update.update_id} has no chat")
    return chat


def button(update: Update) -> tuple[CallbackQuery, str, int]:
    """A button pressed: the query, its data, and the id of the message the button is on."""
    query = update.callback_query
    if query is None or query.message is None:
        raise ValueError(f"bot: update {update.update_id} is no button on a message")
    return query, query.data or "", query.message.message_id


@dataclass(frozen=True)
class Asker:
    """The chat a command came from: its subscription (if any) and the language to answer in."""

    chat_id: int
    chat_type: str
    title: str
    thread_id: int | None
    user_id: int | None
    language_code: str | None  # the client's
    subscriber: Subscriber | None
    language: str
    update_id: int  # makes replies idempotent: an update handled again after a restart is not answered twice

    @property
    def chat(self) -> ChatInfo:
        """The chat as a service needs it to subscribe it."""
        return ChatInfo(self.chat_id, self.chat_type, self.title, self.thread_id, self.language_code)


async def asker(update: Update, context: Context) -> Asker:
    chat, user, message = chat_of(update), update.effective_user, update.effective_message
    code = user.language_code if user else None
    subscriber = await services(context).chats.asking(chat.id, chat.type == ChatType.PRIVATE, code)
    language = language_of(subscriber.language if subscriber else code)
    thread_id = message.message_thread_id if message is not None and message.is_topic_message else None
    title = chat.title or chat.full_name or chat.username or ""
    return Asker(chat.id, chat.type, title, thread_id, user.id if user else None, code, subscriber, language,
                 update.update_id)


def argument(update: Update) -> str:
    """What follows the command, as typed (context.args would lose the spacing inside quotes)."""
    message: Message | None = update.effective_message
    parts = ((message.text if message else None) or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def is_admin(context: Context, user_id: int | None) -> bool:
    """One of the bot's admins (`telegram.admins`)."""
    return user_id in services(context).settings.admins


def writes_as_the_group(update: Update) -> bool:
    """An anonymous group admin: Telegram sends the message as the group itself (sender_chat) and hides
    which admin wrote it; only a group's admins can do so."""
    message, chat = update.message, update.effective_chat
    return (message is not None and chat is not None and message.sender_chat is not None
            and message.sender_chat.id == chat.id)


async def may_change(update: Update, context: Context) -> bool:
    """Whether the sender may change the chat's subscription or settings: anyone in a private chat; in a
    group its administrators (asked of Telegram, briefly cached), an anonymous admin, and the bot's admins."""
    chat, user = chat_of(update), update.effective_user
    if chat.type == ChatType.PRIVATE or writes_as_the_group(update):
        return True
    if user is None:
        return False
    if is_admin(context, user.id):
        return True
    return await services(context).group_admins.is_admin(context.bot, chat.id, user.id)


async def refuse_change(update: Update, context: Context, who: Asker | None = None) -> None:
    """Tell someone who may not change the chat's settings who can: a reply, or an alert on the button."""
    who = who or await asker(update, context)
    text = say(who.language, "group_admins_only")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(context, who, text)
    log.info("bot: chat=%s user=%s may not change the chat's settings", who.chat_id, who.user_id)


Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def changes_chat(handler: Handler) -> Handler:
    """For a handler that changes the chat's subscription or settings: in a group only those who
    `may_change` get through; the others are told who can."""

    @functools.wraps(handler)
    async def checked(update: Update, context: Context) -> None:
        if await may_change(update, context):
            await handler(update, context)
        else:
            await refuse_change(update, context)

    return checked


async def reply(context: Context, who: Asker, text: str = "", markup: InlineKeyboardMarkup | None = None,
                parts: list[str] | None = None) -> None:
    """Answer in the chat (and topic) the command came from, through the outbox, ahead of alerts and
    digests; a long answer goes in several messages (`parts`, when the caller split it already)."""
    previews = bool(who.subscriber and who.subscriber.link_previews)
    parts = parts or split_lines(text.split("\n"))
    messages = [Outgoing(f"reply:{who.chat_id}:{who.update_id}:{n}", who.chat_id, part, thread_id=who.thread_id,
                         previews=previews, priority=0,
                         markup=markup.to_json() if markup is not None and n == len(parts) - 1 else None)
                for n, part in enumerate(parts)]
    await services(context).sender.queue(messages)



async def edit(context: Context, who: Asker, message_id: int, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text (and buttons: none unless given) of one of the bot's messages."""
    message = Outgoing(f"edit:{who.chat_id}:{who.update_id}", who.chat_id, text, kind="edit", priority=0,
                       edit_message_id=message_id, markup=markup.to_json() if markup is not None else None)
    await services(context).sender.queue([message])


def now() -> datetime:
    return datetime.now(UTC)
