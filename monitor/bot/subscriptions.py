"""Subscribing and the chat's own settings: /start, /stop, /forget (after a confirmation button),
/lang, /previews, /help; hints for unknown commands and plain text; blocked bots."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from monitor.bot.context import (
    Context,
    asker,
    button,
    changes_chat,
    chat_of,
    edit,
    is_admin,
    reply,
    services,
    writes_as_the_group,
)
from monitor.bot.texts import COMMANDS, LANGUAGES, Html, counted, say
from monitor.core.html import shorten

log = logging.getLogger("monitor.bot")

FORGET = "forget:"
ANY_ADMIN = "admins"


def about(language: str, sources: int) -> Html:
    return Html(say(language, "about", sources=counted(language, "n_news_sources", sources)))


@changes_chat
async def start(update: Update, context: Context) -> None:
    who = await asker(update, context)
    subscribed = await services(context).chats.subscribe(who.chat)
    log.info("bot: chat=%s subscribed%s", who.chat_id, "" if who.subscriber is None else " again")
    if subscribed.resumed:
        await reply(context, who, say(who.language, "start_resumed"))
    else:
        await reply(context, who, say(who.language, "start_new", about=about(who.language, subscribed.sources)))


@changes_chat
async def stop(update: Update, context: Context) -> None:
    who = await asker(update, context)
    if who.subscriber is None or not who.subscriber.active:
        await reply(context, who, say(who.language, "stop_idle"))
        return
    await services(context).chats.pause(who.chat_id, "stop")
    await reply(context, who, say(who.language, "stop"))


@changes_chat
async def forget(update: Update, context: Context) -> None:
    who = await asker(update, context)
    watches = len(await services(context).watches.of_chat(who.chat_id))
    # The buttons answer only the person who asked (in a group, anyone can see them), or any of the
    # group's admins when an anonymous one asked.
    asked_by = ANY_ADMIN if writes_as_the_group(update) else who.user_id
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(say(who.language, "forget_yes"), callback_data=f"{FORGET}yes:{asked_by}"),
        InlineKeyboardButton(say(who.language, "forget_no"), callback_data=f"{FORGET}no:{asked_by}"),
    ]])
    await reply(context, who, say(who.language, "forget_ask", count=watches), markup=buttons)


@changes_chat
async def forget_answer(update: Update, context: Context) -> None:
    query, data, message_id = button(update)
    who = await asker(update, context)
    answer, _, asked_by = data.removeprefix(FORGET).partition(":")
    if asked_by not in (str(who.user_id), ANY_ADMIN):
        await query.answer(say(who.language, "forget_not_yours"), show_alert=True)
        return
    await query.answer()
    if answer == "yes":
        await services(context).chats.forget(who.chat_id)
        text = say(who.language, "forget_done")
    else:
        text = say(who.language, "forget_kept")
    await edit(context, who, message_id, text)


@changes_chat
async def set_language(update: Update, context: Context) -> None:
    who = await asker(update, context)
    choice = (context.args[0].lower() if context.args else "")
    if choice not in LANGUAGES:
        await reply(context, who, say(who.language, "lang_usage"))
        return
    await services(context).chats.update(who.chat, language=choice)  # subscribes a new chat
    await reply(context, who, say(choice, "lang_set"))


@changes_chat
async def set_previews(update: Update, context: Context) -> None:
    who = await asker(update, context)
    choice = (context.args[0].lower() if context.args else "")
    if choice not in ("on", "off") or who.subscriber is None:
        await reply(context, who, say(who.language, "previews_usage" if who.subscriber else "stop_idle"))
        return
    await services(context).chats.update(who.chat, link_previews=choice == "on")
    await reply(context, who, say(who.language, f"previews_{choice}"))


def command_lines(language: str, admin: bool) -> list[str]:
    return [f"/{name} — {html.escape(say(language, f'cmd_{name}'), quote=False)}"
            for name, admin_only in COMMANDS if admin or not admin_only]


async def show_help(update: Update, context: Context) -> None:
    who = await asker(update, context)
    admin = is_admin(context, who.user_id) or services(context).settings.allow_user_sources
    sources = len(await services(context).sources.enabled())
    await reply(context, who, say(who.language, "help", about=about(who.language, sources),
                                  commands=Html("\n".join(command_lines(who.language, admin))),
                                  syntax=Html(say(who.language, "syntax"))))


async def unknown_command(update: Update, context: Context) -> None:
    message = update.effective_message
    command = ((message.text if message else None) or "/").split()[0]
    name, _, addressed = command.partition("@")
    # In groups, commands meant for other bots are none of our business.
    if chat_of(update).type != "private" and addressed.lower() != (context.bot.username or "").lower():
        return
    who = await asker(update, context)
    await reply(context, who, say(who.language, "unknown_command", command=shorten(name, 40)))


async def plain_text(update: Update, context: Context) -> None:
    who = await asker(update, context)
    message = update.effective_message
    text = shorten((message.text if message else None) or "", 60) or "Prigozhin"
    await reply(context, who, say(who.language, "plain_text", text=text))


async def membership(update: Update, context: Context) -> None:
    """Telegram tells a private chat's block and unblock, and a group's removal of the bot."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    if status in ("kicked", "left") and await services(context).chats.pause(change.chat.id, f"blocked: {status}"):
        log.info("bot: chat=%s removed the bot (%s); marked inactive", change.chat.id, status)


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE  # an edited old command is not a new request
    application.add_handler(CommandHandler("start", start, filters=only_new))
    application.add_handler(CommandHandler("stop", stop, filters=only_new))
    application.add_handler(CommandHandler("forget", forget, filters=only_new))
    application.add_handler(CallbackQueryHandler(forget_answer, pattern=f"^{FORGET}"))
    application.add_handler(CommandHandler("lang", set_language, filters=only_new))
    application.add_handler(CommandHandler("previews", set_previews, filters=only_new))
    application.add_handler(CommandHandler("help", show_help, filters=only_new))
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))


def register_fallbacks(application: Application) -> None:
    """Last: whatever no feature handled gets a hint (plain text only in private chats)."""
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, plain_text))
