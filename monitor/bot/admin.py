"""Sources and status from chat: /sources for everyone; /add, /remove and /status for admins (or, with
`telegram.allow_user_sources`, /add and /remove for everyone)."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import asdict
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from monitor.bot.context import Asker, Context, asker, is_admin, now, reply, services
from monitor.bot.texts import Html, counted, say
from monitor.config import ConfigError, source_from_argument
from monitor.core.html import shorten
from monitor.services.pipeline import BOT_CHANNEL
from monitor.services.sources import ConfigSource, NoSuchSource, SourceExists, SourceRefused

log = logging.getLogger("monitor.bot")

# /status's figures, each shown with its noun in the form its count takes
STATUS_NOUNS = {"sources": "n_sources", "items": "n_reports", "stories": "n_new_stories",
                "subscribers": "n_subscribers", "watches": "n_watches", "queue": "n_messages", "failed": "n_messages"}


async def _allowed(context: Context, who: Asker, for_everyone: bool) -> bool:
    if is_admin(context, who.user_id) or (for_everyone and services(context).settings.allow_user_sources):
        return True
    await reply(context, who, say(who.language, "admin_only"))
    return False


async def list_sources(update: Update, context: Context) -> None:
    who = await asker(update, context)
    rows = await services(context).sources.rows(enabled_only=True)
    if not rows:
        await reply(context, who, say(who.language, "sources_none"))
        return
    lines = []
    for row in rows:
        if row.state.error_count:
            status = say(who.language, "source_error", count=row.state.error_count,
                         error=shorten(row.state.last_error or "", 80))
        elif row.state.last_success_at is None and row.source.kind != BOT_CHANNEL:
            status = say(who.language, "source_new")
        else:
            status = say(who.language, "source_ok")
        name = html.escape(shorten(row.source.name, 60), quote=False)
        lines.append(f"#{row.source.id} {name} — {status}")
    await reply(context, who, say(who.language, "sources_list", sources=counted(who.language, "n_sources", len(rows)),
                                  lines=Html("\n".join(lines))))


async def add_source(update: Update, context: Context) -> None:
    who = await asker(update, context)
    if not await _allowed(context, who, for_everyone=True):
        return
    if not context.args:
        await reply(context, who, say(who.language, "add_usage"))
        return
    try:
        spec = source_from_argument(context.args[0])
    except ConfigError:
        await reply(context, who, say(who.language, "add_usage"))
        return
    try:
        added = await services(context).sources.add(spec, origin="chat")  # read first: it works, or says why not
    except SourceExists as exc:
        await reply(context, who, say(who.language, "add_exists", id=exc.source_id))
        return
    except SourceRefused as exc:
        await reply(context, who, say(who.language, "add_failed", error=shorten(str(exc), 300)))
        return
    source = added.source
    log.info("bot: chat=%s user=%s added %s", who.chat_id, who.user_id, source.log_name)
    if added.poll_error:
        await reply(context, who, say(who.language, "add_polling_failed", id=source.id, name=source.name,
                                      error=shorten(added.poll_error, 300)))
        return
    await reply(context, who, say(who.language, "add_done", id=source.id, name=source.name,
                                  reports=counted(who.language, "n_reports", added.new_reports)))


async def remove_source(update: Update, context: Context) -> None:
    who = await asker(update, context)
    if not await _allowed(context, who, for_everyone=True):
        return
    argument = (context.args[0] if context.args else "").lstrip("#")
    if not re.fullmatch(r"[0-9]{1,9}", argument):
        await reply(context, who, say(who.language, "remove_usage"))
        return
    try:
        source, items = await services(context).sources.remove(int(argument))
    except NoSuchSource:
        await reply(context, who, say(who.language, "remove_missing", id=argument))
        return
    except ConfigSource as exc:
        await reply(context, who, say(who.language, "remove_config", id=exc.source.id, name=exc.source.name))
        return
    log.info("bot: chat=%s user=%s removed %s", who.chat_id, who.user_id, source.log_name)
    await reply(context, who, say(who.language, "remove_done", id=source.id, name=source.name, count=items))


async def status(update: Update, context: Context) -> None:
    who = await asker(update, context)
    if not await _allowed(context, who, for_everyone=False):
        return
    figures = await services(context).sources.status(now() - timedelta(hours=24))
    shown = {name: counted(who.language, STATUS_NOUNS[name], value) if name in STATUS_NOUNS else value
             for name, value in asdict(figures).items()}
    await reply(context, who, say(who.language, "status", **shown))


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("sources", list_sources, filters=only_new))
    # /add polls the new source once (up to polling.timeout): other updates go on meanwhile.
    application.add_handler(CommandHandler("add", add_source, filters=only_new, block=False))
    application.add_handler(CommandHandler("remove", remove_source, filters=only_new))
    application.add_handler(CommandHandler("status", status, filters=only_new))
