"""A chat's digest settings: /time HH:MM|off, /tz ZONE, /settings (with buttons for the common
choices), and /digest to get the digest now."""

from __future__ import annotations

from zoneinfo import available_timezones

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from monitor.bot.context import (
    Context,
    argument,
    asker,
    button,
    changes_chat,
    edit,
    may_change,
    now,
    refuse_change,
    reply,
    services,
)
from monitor.bot.texts import LANGUAGES, say
from monitor.core.html import shorten
from monitor.core.schedule import ZoneError, parse_local_time, parse_zone, zone_info
from monitor.models import Subscriber
from monitor.services.chats import ChatSettings

SET = "set:"
TIME_CHOICES = ("07:00", "08:00", "09:00", "18:00", "21:00", "off")
ZONE_CHOICES = ("UTC", "Europe/Kyiv", "Europe/Moscow", "Europe/Berlin", "Europe/London", "America/New_York")


def _time_reply(settings: ChatSettings | None, language: str) -> str:
    at = settings.digest_at if settings else None
    if settings is None or at is None:
        return say(language, "time_off")
    when = settings.next_digest
    local = when.astimezone(zone_info(settings.zone)) if when else None
    return say(language, "time_set", time=f"{at[0]:02d}:{at[1]:02d}", zone=settings.zone,
               next=f"{local:%Y-%m-%d %H:%M}" if local else "-")


@changes_chat
async def set_time(update: Update, context: Context) -> None:
    who = await asker(update, context)
    text = argument(update).lower()
    parsed = parse_local_time(text) if text not in ("off", "none", "выкл", "вимк") else None
    if parsed is None and text not in ("off", "none", "выкл", "вимк"):
        await reply(context, who, say(who.language, "time_usage"))
        return
    value = "off" if parsed is None else f"{parsed[0]:02d}:{parsed[1]:02d}"
    changed = await services(context).chats.update(who.chat, digest_time=value)  # subscribes a new chat
    await reply(context, who, _time_reply(changed, who.language))


@changes_chat
async def set_zone(update: Update, context: Context) -> None:
    who = await asker(update, context)
    text = argument(update)
    if not text:
        await reply(context, who, say(who.language, "tz_usage"))
        return
    try:
        name = parse_zone(text, available_timezones())
    except ZoneError as exc:
        suggestions = say(who.language, "tz_suggest", names=", ".join(exc.suggestions)) if exc.suggestions else ""
        await reply(context, who, say(who.language, "tz_unknown", text=shorten(text, 40), suggestions=suggestions))
        return
    await services(context).chats.update(who.chat, timezone=name)
    local = now().astimezone(zone_info(name))
    await reply(context, who, say(who.language, "tz_set", zone=name, now=f"{local:%H:%M}"))


def _settings_markup(language: str) -> InlineKeyboardMarkup:
    times = [InlineKeyboardButton(say(language, "off") if t == "off" else t, callback_data=f"{SET}time:{t}")
             for t in TIME_CHOICES]
    zones = [InlineKeyboardButton(z.split("/")[-1].replace("_", " "), callback_data=f"{SET}tz:{z}")
             for z in ZONE_CHOICES]
    languages = [InlineKeyboardButton(code, callback_data=f"{SET}lang:{code}") for code in LANGUAGES]
    return InlineKeyboardMarkup([times[:3], times[3:], zones[:3], zones[3:], languages])


def _settings_text(settings: ChatSettings, language: str) -> str:
    at, chat = settings.digest_at, settings.chat
    return say(language, "settings", time=f"{at[0]:02d}:{at[1]:02d}" if at else say(language, "off"),
               zone=settings.zone, chat_language=chat.language,
               previews=say(language, "on" if chat.link_previews else "off"), watches=settings.watches)


async def show_settings(update: Update, context: Context) -> None:
    who = await asker(update, context)
    if who.subscriber is None and not await may_change(update, context):  # showing them would subscribe
        await refuse_change(update, context, who)
        return
    settings = await services(context).chats.settings(who.chat)
    if settings is not None:
        await reply(context, who, _settings_text(settings, who.language), markup=_settings_markup(who.language))


@changes_chat
async def settings_button(update: Update, context: Context) -> None:
    query, data, message_id = button(update)
    who = await asker(update, context)
    await query.answer()
    what, _, value = data.removeprefix(SET).partition(":")
    chats = services(context).chats
    if who.subscriber is None:
        return
    if what == "time" and (value == "off" or parse_local_time(value)):
        changed = await chats.update(who.chat, digest_time=value)
    elif what == "tz" and value in ZONE_CHOICES:
        changed = await chats.update(who.chat, timezone=value)
    elif what == "lang" and value in LANGUAGES:
        changed = await chats.update(who.chat, language=value)
        who = await asker(update, context)
    else:
        return
    if changed is not None:
        await edit(context, who, message_id, _settings_text(changed, who.language),
                   markup=_settings_markup(who.language))


async def digest_now(update: Update, context: Context) -> None:
    who = await asker(update, context)
    # a chat that never subscribed sees it in its user's language, with the default zone
    chat = who.subscriber or Subscriber(who.chat_id, language=who.language)
    parts, _ = await services(context).digests.compose(chat)
    await reply(context, who, parts=parts)


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("time", set_time, filters=only_new))
    application.add_handler(CommandHandler("tz", set_zone, filters=only_new))
    application.add_handler(CommandHandler("settings", show_settings, filters=only_new))
    application.add_handler(CallbackQueryHandler(settings_button, pattern=f"^{SET}"))
    application.add_handler(CommandHandler("digest", digest_now, filters=only_new))
