"""Managing sources, the same for `/add` in chat and `monitor sources …`: adding with its checks (a chat's feed
must have a public address; no source twice; the source is read once before it is added, and inside `run` its
first poll follows at once); removing; listing; OPML import and export."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from monitor.config import ConfigError, check_http_url, source_from_argument
from monitor.core.opml import Outline, render_opml
from monitor.models import Source, SourceSpec
from monitor.poller import POLLED_KINDS, Poller
from monitor.sources.fetch import FetchError
from monitor.sources.guard import AddressRefused, HostUnresolved, check_url
from monitor.storage.database import StoreError
from monitor.storage.rows import RemovedSource, SourceRow, StatusFigures
from monitor.storage.sources import ConfigSource, NoSuchSource, SourceExists
from monitor.storage.store import Store

__all__ = ["Added", "ConfigSource", "NoSuchSource", "OpmlExport", "SourceExists", "SourceRefused", "Sources",
           "source_from_outline"]

log = logging.getLogger("monitor.sources")


class SourceRefused(Exception):
    """A source that failed a check and was not added: the message says why."""


@dataclass(frozen=True)
class Added:
    source: Source
    new_reports: int  # what its first poll stored, or what reading it found where nothing is stored (0 unread)
    poll_error: str | None = None  # its first poll failed, though it was read a moment before: it stays


@dataclass(frozen=True)
class OpmlExport:
    text: str
    feeds: int
    channels: int
    left_out: int  # channels the bot administers: nothing can poll them


class Sources:
    def __init__(self, store: Store, poller: Poller | None, allow_private_sources: bool = False,
                 first_poll_stores: bool = True,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """`poller` reads a new source before it is added (None: it is added unread). Inside `run` its first
        poll then stores what it brings and hands it on (`first_poll_stores`); the CLI only reads it, since
        another process may be polling this database and would never cluster what this one stored."""
        self.store = store
        self.poller = poller
        self.allow_private_sources = allow_private_sources
        self.first_poll_stores = first_poll_stores
        self.clock = clock

    async def add(self, spec: SourceSpec, origin: str = "user") -> Added:
        """Add a source (origin "user" from the CLI, "chat" from /add). SourceExists if its address is taken;
        SourceRefused if a check fails: a chat's feed on a private address or a host that does not resolve,
        or a source that cannot be read. It is read before the store knows it: a refused source leaves the
        store as it was (a disabled source with that address keeps its items), and nothing polls a source
        still being tried."""
        if origin == "chat" and spec.kind == "feed" and not self.allow_private_sources:
            try:
                await check_url(spec.url)
            except AddressRefused as exc:
                raise SourceRefused(f"{exc} (telegram.allow_private_sources)") from None
            except HostUnresolved as exc:
                raise SourceRefused(str(exc)) from None
        taken = next((s for s in await self.store.sources.enabled() if s.url == spec.url), None)
        if taken is not None:  # before reading: a source there already costs no fetch
            raise SourceExists(spec.url, taken.id)
        found = 0
        if self.poller is not None:
            trial = Source(0, spec.kind, spec.url, spec.name, spec.interval_s, origin=origin, backfill=spec.backfill)
            try:
                found = await self.poller.read_once(trial)
            except FetchError as exc:
                raise SourceRefused(str(exc)) from None
        source = await self.store.sources.add(spec, self.clock(), origin=origin)
        log.info("sources: %s added (origin %s)", source.log_name, origin)
        if self.poller is None or not self.first_poll_stores:
            return Added(source, found)
        report = await self.poller.refresh(source)  # stored and handed on like any poll
        # It was readable a moment ago: a failure now is the kind any poll may meet, and the schedule retries.
        return Added(source, len(report.new), report.error)

    async def remove(self, source_id: int) -> RemovedSource:
        """Remove a source added by command or from chat, with its items; NoSuchSource, or ConfigSource for
        one the config file names."""
        removed = await self.store.sources.remove(source_id)
        log.info("sources: %s removed with %d items", removed.source.log_name, removed.items)
        return removed

    async def enabled(self) -> list[Source]:
        return await self.store.sources.enabled()

    async def rows(self, enabled_only: bool = False) -> list[SourceRow]:
        """Every source with its state, item count and newest item's time."""
        return await self.store.sources.rows(enabled_only)

    async def status(self, since: datetime) -> StatusFigures:
        """What /status shows: sources and their errors, items and stories since a moment, subscribers,
        watches, the outbox."""
        return await self.store.status(since)

    async def import_opml(self, outlines: list[Outline],
                          progress: Callable[[int, int], None] | None = None) -> tuple[int, list[str]]:
        """Add every source the outlines name, skipping those present or unusable: how many were added, and a
        line for each skipped."""
        added, problems = 0, []
        for done, outline in enumerate(outlines):
            if progress:
                progress(done, len(outlines))
            try:
                await self.store.sources.add(source_from_outline(outline), self.clock())
                added += 1
            except (ConfigError, StoreError) as exc:
                problems.append(f"{outline.url}: {str(exc).split(': ', 1)[-1]}")
        if progress:
            progress(len(outlines), len(outlines))
        return added, problems

    async def export_opml(self) -> OpmlExport:
        """The feeds and public channels as OPML. Channels the bot administers are left out: nothing can poll
        them (their posts arrive as updates to this bot), and they come back on their own with their next post
        once the bot is in them."""
        sources = await self.store.sources.enabled()
        outlines = [Outline(url=s.url, title=s.name, kind=s.kind, interval_s=s.interval_s, backfill=s.backfill)
                    for s in sources if s.kind in POLLED_KINDS]
        feeds = sum(1 for o in outlines if o.kind == "feed")
        return OpmlExport(render_opml(outlines, "monitor sources", self.clock()), feeds, len(outlines) - feeds,
                          len(sources) - len(outlines))


def source_from_outline(outline: Outline) -> SourceSpec:
    """The source an outline names; ConfigError if it names none."""
    if outline.kind == "telegram":
        channel = source_from_argument(outline.url)
        if channel.kind != "telegram":
            raise ConfigError(f"config: channel: {outline.url!r} is not a channel's t.me address")
        backfill = channel.backfill if outline.backfill is None else outline.backfill
        return SourceSpec("telegram", channel.url, outline.title or channel.name, outline.interval_s, backfill)
    url = check_http_url(outline.url, "xmlUrl")
    return SourceSpec("feed", url, outline.title or urlsplit(url).hostname or url, outline.interval_s)

