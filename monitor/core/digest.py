"""What goes into a chat's daily digest, and in which order: pure ranking, no Telegram and no store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.models import Story

DIGEST_PERIOD = timedelta(hours=24)


@dataclass(frozen=True)
class DigestStory:
    story: Story
    headline: str  # in the chat's language where a report in it exists
    links: tuple[tuple[str, str], ...]  # up to three (source name, link to its report)
    watched: bool  # one of the chat's watches matched it


def rank(stories: list[Story], watched: set[int], limit: int) -> list[Story]:
    """Stories matching the chat's watches first, then by distinct sources, then the latest; ties by id."""
    ordered = sorted(stories, key=lambda s: (s.id not in watched, -s.source_count, -s.last_seen.timestamp(), s.id))
    return ordered[:limit]


def in_period(stories: list[Story], now: datetime) -> list[Story]:
    """Stories first seen or grown within the digest period before `now`."""
    since = now - DIGEST_PERIOD
    return [s for s in stories if s.last_seen >= since]
