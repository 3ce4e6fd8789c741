"""Refresh one source: fetch → parse → store → hand the new items on (miniflux's RefreshFeed).

Every outcome lands on the source's own row (validators, error count, last error, next check), so
one failing source never holds up another and a restart resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.config import PollingSettings
from monitor.core.schedule import next_poll_at
from monitor.models import Source, StoredItem
from monitor.sources.feeds import ParsedFeed, parse_feed
from monitor.sources.fetch import Fetcher, FetchError
from monitor.storage.store import Store

log = logging.getLogger("monitor.poller")

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, */*;q=0.8"

# Called with each source's new items, in the order they were stored (clustering, watches, terminal).
ItemSink = Callable[[Source, list[StoredItem]], Awaitable[None]]


@dataclass(frozen=True)
class PollReport:
    """What one refresh of one source did."""

    source: Source
    new: list[StoredItem] = field(default_factory=list)
    seen: int = 0  # items the source served that were stored before
    not_modified: bool = False
    error: str | None = None
    warning: str | None = None
    skipped: bool = False  # a poll of this source was already running
    next_check_at: datetime | None = None


def make_parse_executor(processes: int) -> Executor:
    """Worker processes for parsing when there is more than one core to use; else one thread.

    feedparser is pure Python, so threads would queue on the GIL; processes parse side by side.
    forkserver (not fork) because the parent runs threads (SQLite, httpx) that fork would copy mid-step.
    """
    count = processes or os.cpu_count() or 1
    if count <= 1:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["monitor.sources.feeds"])
    return ProcessPoolExecutor(max_workers=count, mp_context=context)


class Poller:
    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        settings: PollingSettings,
        parse_executor: Executor,
        sinks: Iterable[ItemSink] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.settings = settings
        self.parse_executor = parse_executor
        self.sinks = list(sinks)
        self.clock = clock
        self._busy: set[int] = set()

    def interval_s(self, source: Source) -> float:
        return source.interval_s or self.settings.default_interval

    async def poll_all(self, sources: Iterable[Source]) -> list[PollReport]:
        """Refresh every source concurrently (the fetcher bounds how many at once)."""
        return list(await asyncio.gather(*(self.refresh(s) for s in sources)))

    async def refresh(self, source: Source) -> PollReport:
        """Poll one source once; never raises for the source's own faults."""
        if source.id in self._busy:
            return PollReport(source, skipped=True)
        self._busy.add(source.id)
        try:
            return await self._refresh(source)
        finally:
            self._busy.discard(source.id)

    async def _refresh(self, source: Source) -> PollReport:
        now = self.clock()
        state = await self.store.get_state(source.id)
        try:
            result = await self.fetcher.fetch(
                source.url, etag=state.etag, last_modified=state.last_modified, accept=FEED_ACCEPT
            )
        except FetchError as exc:
            return await self._fail(source, now, state.error_count, str(exc), exc.status, exc.retry_after_s)

        next_check = self._next(source, now)
        if result.status == 304:
            await self.store.record_success(
                source.id, now=now, next_check_at=next_check, status=304,
                etag=result.etag or state.etag, last_modified=result.last_modified or state.last_modified,
            )
            log.debug("feeds: source=%s not modified", source.id)
            return PollReport(source, not_modified=True, next_check_at=next_check)

        content_type = (result.headers or {}).get("content-type", "")
        loop = asyncio.get_running_loop()
        parsed: ParsedFeed = await loop.run_in_executor(
            self.parse_executor, parse_feed, result.body, result.final_url or source.url, content_type, now
        )
        if parsed.error:
            return await self._fail(source, now, state.error_count, parsed.error, result.status, None)

        new = await self.store.insert_items(source.id, parsed.items, now)
        await self.store.record_success(
            source.id, now=now, next_check_at=next_check, status=result.status,
            etag=result.etag, last_modified=result.last_modified, title=parsed.title,
        )
        if parsed.warning:
            log.info("feeds: source=%s %s", source.id, parsed.warning)
        log.info("feeds: source=%s new=%d seen=%d", source.id, len(new), len(parsed.items) - len(new))
        if new:
            await self._hand_on(source, new)
        return PollReport(
            source, new=new, seen=len(parsed.items) - len(new), warning=parsed.warning, next_check_at=next_check
        )

    async def _hand_on(self, source: Source, new: list[StoredItem]) -> None:
        # The items are stored already: a failing consumer is logged, never undoes the poll.
        for sink in self.sinks:
            try:
                await sink(source, new)
            except Exception:
                log.exception("poller: source=%s handing on %d new items failed", source.id, len(new))

    def _next(self, source: Source, now: datetime, errors: int = 0, retry_after_s: float | None = None) -> datetime:
        return next_poll_at(
            now, self.interval_s(source), error_count=errors, retry_after_s=retry_after_s,
            max_backoff_s=self.settings.max_backoff, jitter=self.settings.jitter,
        )

    async def _fail(
        self, source: Source, now: datetime, errors_before: int, error: str, status: int | None,
        retry_after_s: float | None,
    ) -> PollReport:
        next_check = self._next(source, now, errors_before + 1, retry_after_s)
        await self.store.record_error(source.id, now=now, next_check_at=next_check, error=error, status=status)
        log.warning("feeds: source=%s error (%d in a row), next try %s: %s",
                    source.id, errors_before + 1, next_check.isoformat(timespec="seconds"), error)
        return PollReport(source, error=error, next_check_at=next_check)
