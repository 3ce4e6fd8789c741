"""Keyword watches: /watch QUERY, /watches, /unwatch ID."""

from __future__ import annotations

import html
import re

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from monitor.bot.context import Context, argument, asker, changes_chat, reply, services
from monitor.bot.texts import Html, counted, say
from monitor.core.html import shorten
from monitor.core.query import QueryError, parse_query
from monitor.services.watches import WatchRefused


def query_problem(language: str, error: QueryError) -> str:
    problem = say(language, f"query_{error.code}", detail=shorten(error.detail, 40))
    return say(language, "query_bad", problem=Html(problem))


@changes_chat
async def watch(update: Update, context: Context) -> None:
    who = await asker(update, context)
    text = argument(update)
    if not text:
        await reply(context, who, say(who.language, "watch_usage", syntax=Html(say(who.language, "syntax"))))
        return
    try:
        query = parse_query(text)
    except QueryError as exc:
        await reply(context, who, query_problem(who.language, exc))
        return
    try:
        added = await services(context).chats.watch(who.chat, query)  # subscribes the chat if it is not
    except WatchRefused as exc:
        if exc.reason == "limit":
            text = say(who.language, "watch_limit", watches=counted(who.language, "n_watches", exc.value))
        else:
            text = say(who.language, "watch_duplicate", id=exc.value)
        await reply(context, who, text)
        return
    await reply(context, who, say(who.language, "watch_added", id=added.id, understood=query.describe()))


async def list_watches(update: Update, context: Context) -> None:
    who = await asker(update, context)
    found = await services(context).watches.of_chat(who.chat_id)
    if not found:
        await reply(context, who, say(who.language, "watches_none"))
        return
    lines = "\n".join(f"#{w.id} <code>{html.escape(w.query, quote=False)}</code>" for w in found)
    await reply(context, who, say(who.language, "watches_list", lines=Html(lines)))


@changes_chat
async def unwatch(update: Update, context: Context) -> None:
    who = await asker(update, context)
    number = argument(update).lstrip("#")
    if not re.fullmatch(r"[0-9]{1,9}", number):
        await reply(context, who, say(who.language, "unwatch_usage"))
        return
    removed = await services(context).watches.remove(who.chat_id, int(number))
    if removed is None:
        await reply(context, who, say(who.language, "unwatch_missing", id=number))
        return
    await reply(context, who, say(who.language, "unwatch_done", id=removed.id, query=removed.query))


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("watch", watch, filters=only_new))
    application.add_handler(CommandHandler("watches", list_watches, filters=only_new))
    application.add_handler(CommandHandler("unwatch", unwatch, filters=only_new))
