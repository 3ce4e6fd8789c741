"""Refresh one source: fetch → parse → store → hand the new items to the story pipeline (miniflux's RefreshFeed).

Every outcome lands on the source's own row (validators, error count, last error, next check), so
one failing source never holds up another and a restart resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from monitor.config import DEFAULT_BACKFILL, PollingSettings
from monitor.core.html import one_line
from monitor.core.schedule import next_poll_at
from monitor.core.urls import channel_of
from monitor.models import FetchResult, Item, Source, SourceState, StoredItem
from monitor.sources.fetch import Fetcher, FetchError
from monitor.storage.store import Store
from monitor.workers import worker_pool, yield_cpu

if TYPE_CHECKING:
    from monitor.sources.feeds import ParsedFeed

log = logging.getLogger("monitor.poller")

# Kinds fetched on a schedule; posts of channels the bot administers arrive as updates instead.
POLLED_KINDS = ("feed", "telegram")
# A poll of a channel follows at most this many `?before=` pages (about 20 posts each).
MAX_CHANNEL_PAGES = 10
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, */*;q=0.8"

# Takes each source's new items, in the order they were stored: the story pipeline's `take`.
TakeItems = Callable[[Source, list[StoredItem]], Awaitable[object]]


@dataclass(frozen=True)
class Fetched:
    """What reading a source brought, before storing."""

    items: tuple[Item, ...]
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    title: str = ""
    warning: str | None = None
    not_modified: bool = False
    last_post_id: int | None = None


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


# How much less of the CPU the parse workers ask for (Unix niceness, against every process of the system, monitor's
# own among them). On a first pass over many feeds the parse workers, the main process and the clusterer's process
# want more cores than there are, and the pass ends when the clusterer, one process taking every report in turn, has
# taken the last: parsed feeds only wait in line meanwhile, so the clusterer should not. Parsing also gives way to
# other programs on the machine. Where nothing else wants the CPU, it changes nothing.
PARSE_NICENESS = 10


def make_parse_executor(processes: int) -> Executor:
    """Worker processes for parsing when there is more than one core to use; else one thread.

    feedparser is pure Python, so threads would queue on the GIL; processes parse side by side, yielding the
    CPU to the clusterer's process when both want it (PARSE_NICENESS).
    """
    count = processes or os.cpu_count() or 1
    if count <= 1:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse")
    # (yield_cpu is in workers.py, which the forkserver has loaded: a function of this module would have each parse
    # worker import this module, and aiohttp with it, about 12 MB a worker)
    return worker_pool(count, yield_cpu, (PARSE_NICENESS,))


def _charset(result: FetchResult) -> str:
    content_type = (result.headers or {}).get("content-type", "")
    _, _, charset = content_type.partition("charset=")
    return charset.split(";")[0].strip().strip('"') or "utf-8"


class Poller:
    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        settings: PollingSettings,
        parse_executor: Executor,
        take: TakeItems,
        preview_base_url: str = "https://t.me/s",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        allow_private_sources: bool = False,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.settings = settings
        self.parse_executor = parse_executor
        self.preview_base_url = preview_base_url.rstrip("/")
        self.take = take
        self.clock = clock
        self.allow_private_sources = allow_private_sources
        self._busy: set[int] = set()

    def interval_s(self, source: Source) -> float:
        return source.interval_s or self.settings.default_interval

    async def poll_all(self, sources: Iterable[Source], progress: Callable[[int, int], None] | None = None
                       ) -> list[PollReport]:
        """Refresh every polled source concurrently (the fetcher bounds how many at once); `progress` is told
        (sources done, sources) as they finish."""
        polled = [s for s in sources if s.kind in POLLED_KINDS]
        states = await self.store.sources.states([s.id for s in polled])  # at once, not a round trip each
        done = 0

        async def refresh(source: Source) -> PollReport:
            nonlocal done
            report = await self.refresh(source, states.get(source.id))
            done += 1
            if progress:
                progress(done, len(polled))
            return report

        if progress:
            progress(0, len(polled))
        return list(await asyncio.gather(*(refresh(s) for s in polled)))

    async def refresh(self, source: Source, state: SourceState | None = None) -> PollReport:
        """Poll one source once; never raises for the source's own faults. `state`: what the store remembers of it,
        where just read (else it is read here)."""
        if source.id in self._busy:
            return PollReport(source, skipped=True)
        self._busy.add(source.id)
        try:
            return await self._refresh(source, state)
        finally:
            self._busy.discard(source.id)

    async def read_once(self, source: Source) -> int:
        """Fetch and read a source as a first poll would, storing nothing: how many reports it shows now;
        FetchError (its message stripped like any source's text) if it cannot be read."""
        try:
            fetched = await self._read(source, SourceState(source.id), self.clock())
        except FetchError as exc:
            raise FetchError(one_line(str(exc)), exc.retry_after_s, exc.status) from None
        return len(fetched.items)

    def _read(self, source: Source, state: SourceState, now: datetime) -> Awaitable[Fetched]:
        read = self._read_channel if source.kind == "telegram" else self._read_feed
        return read(source, state, now)

    async def _refresh(self, source: Source, state: SourceState | None) -> PollReport:
        now = self.clock()
        state = state or await self.store.sources.state(source.id)
        try:
            fetched = await self._read(source, state, now)
        except FetchError as exc:
            # An error or warning may quote the source (its XML declaration, its HTTP reason phrase, where
            # it redirects): like all its text, it is stripped before it is stored, shown or logged.
            return await self._fail(source, now, state.error_count, one_line(str(exc)), exc.status,
                                    exc.retry_after_s)

        next_check = self._next(source, now)
        new = await self.store.items.insert(source.id, fetched.items, now) if fetched.items else []
        await self.store.sources.record_success(
            source.id, now=now, next_check_at=next_check, status=fetched.status, etag=fetched.etag,
            last_modified=fetched.last_modified, title=fetched.title, last_post_id=fetched.last_post_id,
        )
        seen = len(fetched.items) - len(new)
        warning = one_line(fetched.warning) if fetched.warning else None
        if warning:  # every poll of a feed that keeps its problem: -v shows it; poll-once and the report say it
            log.debug("%s: %s %s", source.kind, source.log_name, warning)
        # Every poll: for -v. `run` sums polls up in its summary lines instead.
        log.debug("%s: %s new=%d seen=%d%s", source.kind, source.log_name, len(new), seen,
                  " (not modified)" if fetched.not_modified else "")
        if new:
            await self._hand_on(source, new)
        return PollReport(source, new=new, seen=seen, not_modified=fetched.not_modified, warning=warning,
                          next_check_at=next_check)

    async def _parse(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.parse_executor, function, *args)

    async def _read_feed(self, source: Source, state: SourceState, now: datetime) -> Fetched:
        # Sources added from chat must not reach the host's own networks (config and CLI sources are the operator's).
        public_only = source.origin == "chat" and not self.allow_private_sources
        result = await self.fetcher.fetch(
            source.url, etag=state.etag, last_modified=state.last_modified, accept=FEED_ACCEPT, public_only=public_only
        )
        if result.status == 304:  # nothing new, and nothing to parse
            return Fetched((), status=304, etag=result.etag or state.etag, not_modified=True,
                           last_modified=result.last_modified or state.last_modified)
        content_type = (result.headers or {}).get("content-type", "")
        # (imported on the first body to parse: a pass of "not modified" answers parses nothing, and starts sooner)
        from monitor.sources.feeds import parse_feed

        parsed: ParsedFeed = await self._parse(parse_feed, result.body, result.final_url or source.url,
                                               content_type, now)
        if parsed.error:
            raise FetchError(parsed.error, status=result.status)
        return Fetched(parsed.items, status=result.status, etag=result.etag, last_modified=result.last_modified,
                       title=parsed.title, warning=parsed.warning)

    async def _read_channel(self, source: Source, state: SourceState, now: datetime) -> Fetched:
        """New posts of a public channel since the last poll, following older pages until none are missed.

        Usually one request: the page of the newest posts. More only when more than a page of posts
        appeared since the last poll, or the first poll's backfill reaches further back than a page.
        """
        channel = channel_of(source.url)
        page_url = f"{self.preview_base_url}/{channel}"
        last = state.last_post_id
        backfill = DEFAULT_BACKFILL if source.backfill is None else source.backfill
        found: dict[int, Item] = {}
        title, warning, before, status = "", None, None, 200
        for _ in range(MAX_CHANNEL_PAGES):
            url = page_url if before is None else f"{page_url}?before={before}"
            result = await self.fetcher.fetch(url, accept="text/html")
            status = result.status
            if urlsplit(result.final_url).path.rstrip("/") != urlsplit(page_url).path.rstrip("/"):
                raise FetchError(f"@{channel} has no public preview (Telegram redirected to {result.final_url}): "
                                 "the channel is private or unknown, or hides its preview", status=status)
            from monitor.sources.telegram_preview import parse_preview

            page = await self._parse(parse_preview, result.body, channel, now, _charset(result))
            if page.error:
                raise FetchError(page.error, status=status)
            title = title or page.title
            for post in page.posts:
                if last is None or post.id > last:
                    found[post.id] = post.item
            if not page.posts or page.older_before is None:
                break
            reached_known = last is not None and page.posts[0].id <= last
            if reached_known or (last is None and len(found) >= backfill):
                break
            before = page.older_before
        else:
            warning = (f"more than {MAX_CHANNEL_PAGES} pages of posts since the last poll; older ones were skipped "
                       "(poll this channel more often)")
        ids = sorted(found)
        if last is None:
            ids = ids[-backfill:] if backfill else []
        newest = max([*found, last or 0]) or None
        return Fetched(tuple(found[i] for i in ids), status=status, title=title, warning=warning,
                       last_post_id=newest)

    async def _hand_on(self, source: Source, new: list[StoredItem]) -> None:
        # The items are stored already: a failing pipeline is logged, never undoes the poll (the items are
        # clustered on the next start).
        try:
            await self.take(source, new)
        except Exception:
            log.exception("poller: %s handing on %d new items failed", source.log_name, len(new))

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
        await self.store.sources.record_error(source.id, now=now, next_check_at=next_check, error=error, status=status)
        log.warning("%s: %s error (%d in a row), next try %s: %s", source.kind,
                    source.log_name, errors_before + 1, next_check.isoformat(timespec="seconds"), error)
        return PollReport(source, error=error, next_check_at=next_check)
