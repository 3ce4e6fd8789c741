"""Telegram HTML for alerts and long lists: every feed or user string escaped, every message within
Telegram's 4,096 characters."""

from __future__ import annotations

import html
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.bot.texts import Html, say
from monitor.core.text import html_to_text
from monitor.models import Story

MAX_MESSAGE_CHARS = 4096
HEADLINE_CHARS = 300
ALERT_SOURCE_NAMES = 8


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where one is near, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut).rstrip(" ,.;:-") + "…"


def zone(name: str | None) -> tzinfo:
    """The chat's time zone (UTC when unset or unknown to this machine)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_time(moment: datetime, zone_name: str | None) -> str:
    local = moment.astimezone(zone(zone_name))
    label = "UTC" if local.utcoffset().total_seconds() == 0 and not zone_name else local.tzname()
    return f"{local:%Y-%m-%d %H:%M} {label}"


def alert_text(story: Story, query: str, language: str, zone_name: str | None) -> str:
    """One story for a chat whose watch matched: headline, first source and time, link, sources so far,
    the watch."""
    headline = html.escape(shorten(story.headline or story.url, HEADLINE_CHARS), quote=False)
    first = html.escape(story.sources[0], quote=False) if story.sources else ""
    lines = [f"🔔 <b>{headline}</b>"]
    lines.append(" · ".join(filter(None, (first, html.escape(local_time(story.first_seen, zone_name))))))
    if story.url.startswith(("http://", "https://")):
        lines.append(f'<a href="{html.escape(story.url, quote=True)}">{say(language, "alert_open")}</a>')
    names = [html.escape(shorten(n, 60), quote=False) for n in story.sources[:ALERT_SOURCE_NAMES]]
    more = story.source_count - len(names)
    if more > 0:
        names.append(say(language, "alert_more", count=more))
    counted = say(language, "alert_sources", count=story.source_count)
    lines.append(f"{counted} ({', '.join(names)})" if names else counted)
    lines.append(say(language, "alert_watch", query=Html(f"<code>{html.escape(query, quote=False)}</code>")))
    return fit("\n".join(lines))


def fit(text: str) -> str:
    """A message Telegram accepts: at most MAX_MESSAGE_CHARS (the parts above are bounded; this is the
    last guard, and it never cuts inside a tag because it cuts whole lines)."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    return split_lines(text.split("\n"))[0]


def split_lines(lines: list[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Lines packed into as few messages as fit, never splitting a line (a line longer than the limit
    is shortened as plain text)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if len(line) > limit:  # as plain text, short enough that escaping (at most 5x) cannot outgrow the limit
            line = html.escape(shorten(_strip_tags(line), limit // 5), quote=False)
        if current and size + 1 + len(line) > limit:
            parts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        parts.append("\n".join(current))
    return parts


def _strip_tags(markup: str) -> str:
    return html_to_text(markup)
