"""The composition root: the one place that builds the parts from settings and wires them together (the store,
the fetcher, the poller, the services, the bot), and the one scheduler that runs source polls, the source
sync, the run summary and digests. Everything else is handed what it uses."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from monitor.config import Settings
from monitor.core.clustering import default_scorer
from monitor.embedding import load_embedder
from monitor.models import Source, StoredItem, StoryBatch
from monitor.poller import POLLED_KINDS, Poller, PollReport, TakeItems, make_parse_executor
from monitor.services.alerts import Alerts
from monitor.services.chats import Chats
from monitor.services.dedup import Deduplicator, cluster_settings
from monitor.services.digests import Digests, DigestSchedule
from monitor.services.pipeline import StoryListener, StoryPipeline
from monitor.services.sources import Sources
from monitor.services.watches import Watches
from monitor.sources.fetch import Fetcher
from monitor.storage.database import DatabaseLock, StoreError
from monitor.storage.store import Store
from monitor.terminal import ProgressBars, counted, story_printer

if TYPE_CHECKING:  # python-telegram-bot is only imported once a token is set; APScheduler by `run` (a pass needs none)
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from telegram.ext import Application

    from monitor.delivery import Pacer, Sender

log = logging.getLogger("monitor.app")

# How often `run` looks for sources added, removed or re-enabled while it runs (e.g. `sources add`).
SOURCE_SYNC_INTERVAL_S = 30.0
# How often `run` logs a summary line (polls, new items, errors, stories), instead of a line per poll.
SUMMARY_INTERVAL_S = 600.0
# How long a stop waits for polls in flight before cancelling them: enough to store what was fetched,
# short enough that Ctrl-C feels immediate.
STOP_GRACE_S = 1.0


@dataclass(frozen=True)
class Opened:
    """What polling needs, opened together and closed together."""

    settings: Settings
    store: Store
    fetcher: Fetcher
    parse_executor: Executor
    dedup: Deduplicator

    def poller(self, take: TakeItems) -> Poller:
        """The poller, handing what it stores to `take` (the story pipeline's)."""
        telegram = self.settings.telegram
        return Poller(self.store, self.fetcher, self.settings.polling, self.parse_executor, take,
                      telegram.preview_base_url, allow_private_sources=telegram.allow_private_sources)


@asynccontextmanager
async def open_polling(settings: Settings, sync_config: bool = True, progress: ProgressBars | None = None,
                       warm: bool = False) -> AsyncIterator[Opened]:
    """Open everything polling needs, with the config's sources synced into the store; close it all after.
    The deduplicator's window is rebuilt (shown on `progress` bars) when the first new items come, or with
    `warm` in the background at once: polling does not wait for it.

    Holds the database's lock throughout (DatabaseBusy if another process has it): one process
    polls and delivers for a database, while reading commands and `sources add` work alongside.
    """
    async with AsyncExitStack() as opened:  # closed in reverse order, also when opening fails half-way
        lock = DatabaseLock.acquire(settings.storage.path)  # first: a second poller stops before any work
        opened.callback(lock.release)
        if settings.dedup.scorer:  # read here, so a model that cannot be read stops the start with its reason
            default_scorer()
        embed = None if settings.dedup.scorer else load_embedder(settings.dedup.backend)  # the scorer needs none
        store = await Store.open(settings.storage.path)
        opened.push_async_callback(store.close)
        polling = settings.polling
        fetcher = Fetcher(timeout_s=polling.timeout, max_bytes=polling.max_bytes, user_agent=polling.user_agent,
                          concurrency=polling.concurrency)
        opened.push_async_callback(fetcher.aclose)
        executor = make_parse_executor(polling.parse_processes)
        opened.callback(executor.shutdown, wait=False, cancel_futures=True)
        # the clusterer in a process of its own when parsing has processes: there are cores to spare
        dedup = Deduplicator(store, cluster_settings(settings.dedup), embed,
                             own_process=not isinstance(executor, ThreadPoolExecutor))
        opened.push_async_callback(dedup.close)
        if sync_config:
            await store.sources.sync(settings.sources, datetime.now(UTC))
        await dedup.start(progress and progress("rebuilding the story window", "reports"), warm=warm)
        yield Opened(settings, store, fetcher, executor, dedup)


@asynccontextmanager
async def open_store(settings: Settings, sync_config: bool = True) -> AsyncIterator[Store]:
    """Just the store, config sources synced."""
    store = await Store.open(settings.storage.path)
    try:
        if sync_config:
            await store.sources.sync(settings.sources, datetime.now(UTC))
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def open_sources(settings: Settings, try_new: bool = False) -> AsyncIterator[Sources]:
    """Source management for the `sources` commands: the same checks as /add; with `try_new`, a source to add
    is fetched and read first, storing nothing (another process may be polling this database; `poll-once`
    or `run` stores what it brings)."""
    async with open_store(settings) as store:
        if not try_new:
            yield Sources(store, None, settings.telegram.allow_private_sources)
            return
        polling = settings.polling
        fetcher = Fetcher(timeout_s=polling.timeout, max_bytes=polling.max_bytes, user_agent=polling.user_agent,
                          concurrency=1)
        executor = make_parse_executor(1)  # one source: parsed in this process

        async def stores_nothing(source: Source, items: list[StoredItem]) -> None:
            raise AssertionError("a source being tried stores nothing")

        try:
            poller = Poller(store, fetcher, polling, executor, stores_nothing, settings.telegram.preview_base_url)
            yield Sources(store, poller, settings.telegram.allow_private_sources, first_poll_stores=False)
        finally:
            executor.shutdown(wait=False)
            await fetcher.aclose()


async def digest(settings: Settings, chat_id: int | None) -> list[str]:
    """The digest of the last 24 hours as a subscribed chat gets it (None: of all sources, in English), in the
    bot's words; StoreError for a chat that never subscribed."""
    from monitor.bot.render import digest_messages  # the words only: no Telegram connection

    async with open_store(settings) as store:
        chat = None
        if chat_id is not None:
            chat = await store.chats.get(chat_id)
            if chat is None:
                raise StoreError(f"digest: no chat {chat_id} has subscribed; `monitor digest --print` "
                                 "shows the digest of all sources")
        digests = Digests(store, Watches(store, settings.telegram.max_watches), settings.digest, digest_messages)
        parts, _ = await digests.compose(chat)
        return parts


async def poll_once(settings: Settings, progress: ProgressBars | None = None) -> list[PollReport]:
    """One pass over every enabled source, due or not; new items are clustered (and items stored before but
    never clustered)."""
    async with open_polling(settings, progress=progress) as opened:
        poller = opened.poller(StoryPipeline(opened.store, opened.dedup).take)
        reports = await poller.poll_all(await opened.store.sources.enabled(),
                                        progress and progress("polling", "sources"))
        await opened.dedup.settled()
        return reports


class SourceJobs:
    """One APScheduler job per source, each re-planned after its poll at the time the poller chose.

    A date trigger (not an interval) so backoff and Retry-After move the next poll exactly; one job
    id per source, so one source is never polled twice at once.
    """

    def __init__(self, store: Store, poller: Poller, scheduler: AsyncIOScheduler, rng: random.Random | None = None,
                 on_report: Callable[[PollReport], None] | None = None):
        self.store = store
        self.poller = poller
        self.scheduler = scheduler
        self.rng = rng or random.Random()
        self.on_report = on_report
        self.running: dict[asyncio.Task[None], int] = {}  # polls in flight → their source id

    @staticmethod
    def job_id(source_id: int) -> str:
        return f"poll:{source_id}"

    async def sync(self) -> None:
        """Add a job for every enabled source without one; drop jobs of sources gone or disabled."""
        sources = {s.id: s for s in await self.store.sources.enabled() if s.kind in POLLED_KINDS}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("poll:") and int(job.id[5:]) not in sources:
                job.remove()
        now = datetime.now(UTC)
        for source in sources.values():
            if source.id in self.running.values() or self.scheduler.get_job(self.job_id(source.id)):
                continue  # a running poll plans its own next run
            state = await self.store.sources.state(source.id)
            due = state.next_check_at
            if due is None or due < now:
                # Overdue sources start within the first seconds, spread so they do not all fire at once.
                due = now + timedelta(seconds=self.rng.uniform(0, min(5.0, self.poller.interval_s(source))))
            self._plan(source, due)

    def _plan(self, source: Source, when: datetime) -> None:
        self.scheduler.add_job(
            self._start, "date", run_date=when, args=[source.id], id=self.job_id(source.id),
            replace_existing=True, misfire_grace_time=None, max_instances=1,
        )

    async def _start(self, source_id: int) -> None:
        # The poll is a task of ours, not the scheduler's: shutting the scheduler down cancels its own
        # tasks at once (with a traceback each), where a stop gives polls in flight a moment to store.
        # Counted as running from here, so a stop waits for it instead of closing the store under it.
        task = asyncio.create_task(self._poll(source_id), name=self.job_id(source_id))
        self.running[task] = source_id

    async def _poll(self, source_id: int) -> None:
        task = asyncio.current_task()
        source = None
        try:
            source = await self.store.sources.get(source_id)
            if source is None or not source.enabled:
                return
            report = await self.poller.refresh(source)
            when = report.next_check_at
            if self.on_report:
                self.on_report(report)
        except Exception:  # a bug, not a source fault: keep polling this source anyway
            log.exception("poller: %s poll crashed", source.log_name if source else f"source={source_id}")
            when = None
        finally:
            if task is not None:
                self.running.pop(task, None)
        if source is None:  # the store failed (sync plans it again) or the source is gone
            return
        if when is None:
            when = datetime.now(UTC) + timedelta(seconds=self.poller.interval_s(source))
        self._plan(source, when)


async def run(settings: Settings, stop: asyncio.Event, out: TextIO = sys.stdout,
              on_started: Callable[[], None] | None = None, progress: ProgressBars | None = None,
              pacer: Pacer | None = None) -> None:
    """Poll every source on its schedule until `stop` is set; print new stories to `out`; with a bot token, run
    the bot, its alerts and digests too. `pacer`: the bot's flood limits (Telegram's by default)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    summary = RunSummary()
    scheduler = AsyncIOScheduler(timezone=UTC)  # the one scheduler: polls, the source sync, the summary, digests
    async with open_polling(settings, progress=progress, warm=True) as opened, AsyncExitStack() as running:
        store = opened.store
        listeners: list[StoryListener] = [story_printer(out), summary.count_stories]
        bot = None
        if settings.telegram.token:
            bot = await _open_bot(settings, store, scheduler, pacer)
            running.push_async_callback(bot.application.shutdown)
            listeners.append(bot.alerts.on_batch)
        pipeline = StoryPipeline(store, opened.dedup, listeners)
        poller = opened.poller(pipeline.take)
        if bot is not None:
            await running.enter_async_context(_serving(settings, bot, pipeline, poller))
        jobs = SourceJobs(store, poller, scheduler, on_report=summary.count_poll)
        scheduler.start()
        try:
            await jobs.sync()
            scheduler.add_job(jobs.sync, "interval", seconds=SOURCE_SYNC_INTERVAL_S, id="sync-sources",
                              misfire_grace_time=None, coalesce=True)
            scheduler.add_job(summary.log_recent, "interval", seconds=SUMMARY_INTERVAL_S, id="summary",
                              misfire_grace_time=None, coalesce=True)
            if bot is not None:
                chats = await bot.schedule.start()  # missed digests are queued now (the bot answers meanwhile)
                log.info("bot: @%s receives updates; %d watches, %d subscribed chats", bot.application.bot.username,
                         len(bot.watches), chats)
            count = len(await store.sources.enabled())
            log.info("run: polling %s; press Ctrl-C to stop", counted(count, "source"))
            if on_started:
                on_started()
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await _finish(jobs.running)
            summary.log_total()


class _Counts:
    def __init__(self) -> None:
        self.sources: set[int] = set()
        self.polls = self.errors = self.new_items = self.stories_new = self.stories_grown = 0

    def __str__(self) -> str:
        return (f"{counted(len(self.sources), 'source')} polled {counted(self.polls, 'time')}, "
                f"{counted(self.errors, 'error')}, {counted(self.new_items, 'new item')}; "
                f"stories: {self.stories_new} new, {self.stories_grown} grown")


class RunSummary:
    """What `run` did, logged every SUMMARY_INTERVAL_S and on stop: a quiet log that still shows it works."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = self.since = clock()
        self.total, self.recent = _Counts(), _Counts()

    def count_poll(self, report: PollReport) -> None:
        if report.skipped:
            return
        for counts in (self.total, self.recent):
            counts.sources.add(report.source.id)
            counts.polls += 1
            counts.errors += report.error is not None
            counts.new_items += len(report.new)

    async def count_stories(self, batch: StoryBatch) -> None:
        """A story listener: a story is new if all its reports came in this batch, else it grew."""
        joined = list(batch.story_of.values())
        for story in batch.stories:
            new = story.item_count == joined.count(story.id)
            for counts in (self.total, self.recent):
                counts.stories_new += new
                counts.stories_grown += not new

    async def log_recent(self) -> None:
        now = self.clock()
        log.info("summary, last %s: %s", _span(now - self.since), self.recent)
        self.recent, self.since = _Counts(), now

    def log_total(self) -> None:
        log.info("run: stopped after %s: %s", _span(self.clock() - self.started), self.total)


def _span(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class BotError(Exception):
    """The bot cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class _Bot:
    """The bot's parts, built before the story pipeline that hands its alerts the stories."""

    application: Application
    sender: Sender
    watches: Watches
    chats: Chats
    digests: Digests
    schedule: DigestSchedule
    alerts: Alerts


async def _open_bot(settings: Settings, store: Store, scheduler: AsyncIOScheduler, pacer: Pacer | None) -> _Bot:
    """The bot, its token checked with Telegram (BotError if refused or unreachable), and the services it
    serves: watches, chats, digests on `scheduler`, alerts, the sender."""
    # Imported here: python-telegram-bot is only needed once a token is set.
    from telegram.error import InvalidToken, NetworkError

    from monitor.bot.application import build_application
    from monitor.bot.render import alert_text, digest_messages
    from monitor.delivery import Sender

    application = build_application(settings.telegram)
    try:
        await application.initialize()
    except InvalidToken:
        raise BotError("telegram: the Bot API server rejected the token; check telegram.token "
                       "or MONITOR_TELEGRAM_TOKEN (from @BotFather)") from None
    except NetworkError as exc:
        raise BotError(f"telegram: cannot reach the Bot API at {settings.telegram.api_base_url} ({exc}); "
                       "check telegram.api_base_url and the network") from None
    queued = asyncio.Event()  # set by whoever queues a message; the sender waits on it
    watches = Watches(store, settings.telegram.max_watches)
    await watches.load()
    digests = Digests(store, watches, settings.digest, digest_messages, queued.set)
    schedule = DigestSchedule(digests, scheduler)
    chats = Chats(store, watches, schedule)
    alerts = Alerts(store, watches, alert_text, queued.set, default_zone=settings.digest.default_timezone)
    sender = Sender(application.bot, store.outbox, pacer, on_chat_gone=chats.gone, on_chat_moved=chats.moved,
                    wake=queued)
    return _Bot(application, sender, watches, chats, digests, schedule, alerts)


@asynccontextmanager
async def _serving(settings: Settings, bot: _Bot, pipeline: StoryPipeline, poller: Poller) -> AsyncIterator[None]:
    """The bot receiving updates by long polling, and the sender sending, while the block runs."""
    from monitor.bot.application import ALLOWED_UPDATES, set_commands
    from monitor.bot.context import BotServices, GroupAdmins, attach

    application = bot.application
    sources = Sources(pipeline.store, poller, settings.telegram.allow_private_sources)
    attach(application, BotServices(settings.telegram, bot.chats, bot.watches, bot.digests, sources, pipeline,
                                    bot.sender, GroupAdmins()))
    stop_sending = asyncio.Event()
    sending = asyncio.create_task(bot.sender.run(stop_sending))
    try:
        await set_commands(application, settings.telegram)
        await application.start()
        if application.updater is not None:
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        yield
    finally:
        stop_sending.set()
        await sending  # the message in flight is finished and marked; the rest waits in the outbox
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()


async def _finish(polls: dict[asyncio.Task[None], int], grace_s: float = STOP_GRACE_S) -> None:
    """Let polls in flight store what they fetched, then cancel what is left.

    A cancelled poll loses nothing: its fetch is repeated at the next start, and items it stored but
    had not clustered yet are clustered then.
    """
    if not polls:
        return
    _, still = await asyncio.wait(set(polls), timeout=grace_s)
    for task in still:
        task.cancel()
    if still:
        log.debug("run: cut short the polls of sources %s", ", ".join(str(polls[t]) for t in still))
        await asyncio.wait(still)
