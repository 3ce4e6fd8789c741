"""Telegram HTML for alerts and long lists: every feed or user string escaped, every message within
Telegram's 4,096 characters."""

from __future__ import annotations

import html
from datetime import datetime

from monitor.bot.texts import Html, counted, say
from monitor.core.digest import DigestStory
from monitor.core.html import html_to_text, shorten
from monitor.core.schedule import zone_info
from monitor.models import Story

MAX_MESSAGE_CHARS = 4096
HEADLINE_CHARS = 300
ALERT_SOURCE_NAMES = 8


def local_time(moment: datetime, zone_name: str | None) -> str:
    local = moment.astimezone(zone_info(zone_name))
    offset = local.utcoffset()
    label = "UTC" if (offset is None or not offset) and not zone_name else local.tzname()
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
    so_far = say(language, "alert_sources", sources=counted(language, "n_sources", story.source_count))
    lines.append(f"{so_far} ({', '.join(names)})" if names else so_far)
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
            line = html.escape(shorten(html_to_text(line), limit // 5), quote=False)
        if current and size + 1 + len(line) > limit:
            parts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        parts.append("\n".join(current))
    return parts


def digest_messages(entries: list[DigestStory], total: int, language: str, zone_name: str | None,
                    day: str) -> list[str]:
    """A digest as Telegram messages: a header with the date and counts, one block per story (headline,
    sources with links to their reports, first-seen time), a footer; split between blocks, never
    inside one, when longer than a message."""
    if not entries:
        return [say(language, "digest_quiet", date=day)]
    blocks = [say(language, "digest_header", date=day, shown=len(entries), count=total)]
    for number, entry in enumerate(entries, start=1):
        story = entry.story
        mark = "⭐ " if entry.watched else ""
        headline = html.escape(shorten(entry.headline or story.url, HEADLINE_CHARS), quote=False)
        links = ", ".join(_link(name, url) for name, url in entry.links)
        seen = story.first_seen.astimezone(zone_info(zone_name))
        when = f"{seen:%H:%M}" if seen.date().isoformat() == day else f"{seen:%d.%m %H:%M}"
        sources = counted(language, "n_sources", story.source_count)
        blocks.append(f"{number}. {mark}<b>{headline}</b>\n{sources}: {links} · {when}" if links
                      else f"{number}. {mark}<b>{headline}</b>\n{sources} · {when}")
    blocks.append(say(language, "digest_footer"))
    return pack(blocks, separator="\n\n")


def _link(name: str, url: str) -> str:
    label = html.escape(shorten(name, 40), quote=False)
    if url.startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}">{label}</a>'
    return label


def pack(blocks: list[str], separator: str = "\n", limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Blocks joined into as few messages as fit; a block is never split (one longer than a whole
    message is cut to its first lines)."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > limit:
            block = split_lines(block.split("\n"), limit)[0]
        if current and len(current) + len(separator) + len(block) > limit:
            parts.append(current)
            current = ""
        current = f"{current}{separator}{block}" if current else block
    if current:
        parts.append(current)
    return parts
