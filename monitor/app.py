"""The composition root: builds the store, fetcher, poller and scheduler from settings and wires them."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.config import Settings
from monitor.core.html import one_line
from monitor.services.dedup import Deduplicator, cluster_settings
from monitor.embedding import load_embedder
from monitor.models import Source, StoredItem, Story, StoryBatch
from monitor.poller import POLLED_KINDS, ItemSink, Poller, PollReport, make_parse_executor
from monitor.sources.fetch import Fetcher
from monitor.storage.database import DatabaseLock
from monitor.storage.store import Store
from monitor.terminal import ProgressBars, counted, fit, terminal_width

if TYPE_CHECKING:  # python-telegram-bot is only imported once a token is set
    from monitor.delivery import Pacer

log = logging.getLogger("monitor.app")

# How often `run` looks for sources added, removed or re-enabled while it runs (e.g. `sources add`).
SOURCE_SYNC_INTERVAL_S = 30.0
# How often `run` logs a summary line (polls, new items, errors, stories), instead of a line per poll.
SUMMARY_INTERVAL_S = 600.0
# How long a stop waits for polls in flight before cancelling them: enough to store what was fetched,
# short enough that Ctrl-C feels immediate.
STOP_GRACE_S = 1.0


# Called with what a batch of new items did to the stories (terminal, alerts).
StorySink = Callable[[StoryBatch], Awaitable[None]]


@dataclass
class Services:
    settings: Settings
    store: Store
    fetcher: Fetcher
    poller: Poller
    dedup: Deduplicator
    hand_on: ItemSink  # new items of a source → clustering → story sinks (the poller's and the bot's way in)
    story_sinks: list[StorySink]  # read at each batch: the bot adds its alerts once it is up


def story_pipeline(dedup: Deduplicator, sinks: list[StorySink]) -> ItemSink:
    """The consumer of new items: cluster them, then pass the stories they touched on."""

    async def hand_on(source: Source, items: list[StoredItem]) -> None:
        batch = await dedup.add(source, items)
        for sink in sinks:
            try:
                await sink(batch)
            except Exception:
                log.exception("app: %s handing on %d stories failed", source.log_name, len(batch.stories))

    return hand_on


@asynccontextmanager
async def open_services(settings: Settings, story_sinks: Iterable[StorySink] = (), sync_config: bool = True,
                        progress: ProgressBars | None = None):
    """Open everything polling needs, with the config's sources synced into the store and the
    deduplicator's window rebuilt (shown on `progress` bars); close it all after.

    Holds the database's lock throughout (DatabaseBusy if another process has it): one process
    polls and delivers for a database, while reading commands and `sources add` work alongside.
    """
    async with AsyncExitStack() as opened:  # closed in reverse order, also when opening fails half-way
        lock = DatabaseLock.acquire(settings.storage.path)  # first: a second poller stops before any work
        opened.callback(lock.release)
        embed = load_embedder(settings.dedup.backend)
        store = await Store.open(settings.storage.path)
        opened.push_async_callback(store.close)
        polling = settings.polling
        fetcher = Fetcher(timeout_s=polling.timeout, max_bytes=polling.max_bytes, user_agent=polling.user_agent,
                          concurrency=polling.concurrency)
        opened.push_async_callback(fetcher.aclose)
        executor = make_parse_executor(polling.parse_processes)
        opened.callback(executor.shutdown, wait=False, cancel_futures=True)
        dedup = Deduplicator(store, cluster_settings(settings.dedup), embed)
        opened.push_async_callback(dedup.close)
        if sync_config:
            await store.sources.sync(settings.sources, datetime.now(UTC))
        await dedup.start(progress and progress("rebuilding the story window", "reports"))
        sinks = list(story_sinks)
        hand_on = story_pipeline(dedup, sinks)
        poller = Poller(store, fetcher, polling, executor, settings.telegram.preview_base_url, [hand_on],
                        allow_private_sources=settings.telegram.allow_private_sources)
        yield Services(settings, store, fetcher, poller, dedup, hand_on, sinks)


@asynccontextmanager
async def open_store(settings: Settings, sync_config: bool = True):
    """Just the store (for the `sources` commands), config sources synced."""
    store = await Store.open(settings.storage.path)
    try:
        if sync_config:
            await store.sources.sync(settings.sources, datetime.now(UTC))
        yield store
    finally:
        await store.close()


async def poll_once(settings: Settings, progress: ProgressBars | None = None) -> list[PollReport]:
    """One pass over every enabled source, due or not."""
    async with open_services(settings, progress=progress) as services:
        return await services.poller.poll_all(await services.store.sources.enabled(),
                                              progress and progress("polling", "sources"))


def terminal_sink(out: TextIO = sys.stdout) -> StorySink:
    """Print new and growing stories: the way to see monitor work before a bot token is set."""

    async def show(batch: StoryBatch) -> None:
        width = terminal_width(out)  # asked per batch: the terminal may have been resized
        for story in sorted(batch.stories, key=lambda s: s.first_seen):
            headline, sources = story_lines(story)
            out.write(fit(headline, width) + "\n" + fit(sources, width, keep=f"  {story.url}") + "\n")
        out.flush()

    return show


def story_lines(story: Story) -> tuple[str, str]:
    """A story on the terminal: its headline line, then its sources and link. Each on one line whatever
    the names hold (a config file's name, a title stored by an older version, may break lines)."""
    when = story.first_seen.astimezone().strftime("%Y-%m-%d %H:%M")
    state = ("new" if story.item_count == 1 else
             f"{counted(story.source_count, 'source')}, {counted(story.item_count, 'report')}")
    languages = f" · {','.join(story.languages)}" if story.languages else ""
    sources = ", ".join(map(one_line, story.sources[:5])) + (" …" if len(story.sources) > 5 else "")
    return (f"{when}  #{story.id} [{state}{languages}]  {one_line(story.headline)}",
            f"    {sources}  {one_line(story.url)}")


class SourceJobs:
    """One APScheduler job per source, each re-planned after its poll at the time the poller chose.

    A date trigger (not an interval) so backoff and Retry-After move the next poll exactly; one job
    id per source, so one source is never polled twice at once.
    """

    def __init__(self, services: Services, scheduler: AsyncIOScheduler, rng: random.Random | None = None,
                 on_report: Callable[[PollReport], None] | None = None):
        self.services = services
        self.scheduler = scheduler
        self.rng = rng or random.Random()
        self.on_report = on_report
        self.running: dict[asyncio.Task, int] = {}  # polls in flight → their source id

    @staticmethod
    def job_id(source_id: int) -> str:
        return f"poll:{source_id}"

    async def sync(self) -> None:
        """Add a job for every enabled source without one; drop jobs of sources gone or disabled."""
        sources = {s.id: s for s in await self.services.store.sources.enabled() if s.kind in POLLED_KINDS}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("poll:") and int(job.id[5:]) not in sources:
                job.remove()
        now = datetime.now(UTC)
        for source in sources.values():
            if source.id in self.running.values() or self.scheduler.get_job(self.job_id(source.id)):
                continue  # a running poll plans its own next run
            state = await self.services.store.sources.state(source.id)
            due = state.next_check_at
            if due is None or due < now:
                # Overdue sources start within the first seconds, spread so they do not all fire at once.
                due = now + timedelta(seconds=self.rng.uniform(0, min(5.0, self.services.poller.interval_s(source))))
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
            source = await self.services.store.sources.get(source_id)
            if source is None or not source.enabled:
                return
            report = await self.services.poller.refresh(source)
            when = report.next_check_at
            if self.on_report:
                self.on_report(report)
        except Exception:  # a bug, not a source fault: keep polling this source anyway
            log.exception("poller: %s poll crashed", source.log_name if source else f"source={source_id}")
            when = None
        finally:
            self.running.pop(task, None)
        if source is None:  # the store failed (sync plans it again) or the source is gone
            return
        if when is None:
            when = datetime.now(UTC) + timedelta(seconds=self.services.poller.interval_s(source))
        self._plan(source, when)


async def run(settings: Settings, stop: asyncio.Event, out: TextIO = sys.stdout,
              on_started: Callable[[], None] | None = None, progress: ProgressBars | None = None,
              pacer: Pacer | None = None) -> None:
    """Poll every source on its schedule until `stop` is set; print new items to `out`. `pacer`: the bot's
    flood limits (Telegram's by default)."""
    summary = RunSummary()
    async with open_services(settings, story_sinks=[terminal_sink(out), summary.count_stories],
                             progress=progress) as services, running_bot(settings, services, pacer):
        scheduler = AsyncIOScheduler(timezone=UTC)
        jobs = SourceJobs(services, scheduler, on_report=summary.count_poll)
        scheduler.start()
        try:
            await jobs.sync()
            scheduler.add_job(jobs.sync, "interval", seconds=SOURCE_SYNC_INTERVAL_S, id="sync-sources",
                              misfire_grace_time=None, coalesce=True)
            scheduler.add_job(summary.log_recent, "interval", seconds=SUMMARY_INTERVAL_S, id="summary",
                              misfire_grace_time=None, coalesce=True)
            count = len(await services.store.sources.enabled())
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
        """A story sink: a story is new if all its reports came in this batch, else it grew."""
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


@asynccontextmanager
async def running_bot(settings: Settings, services: Services, pacer: Pacer | None = None):
    """The Telegram bot, receiving updates by long polling, and keyword alerts, while the block runs
    (nothing without a token)."""
    if not settings.telegram.token:
        yield None
        return
    # Imported here: python-telegram-bot is only needed once a token is set.
    from telegram.error import InvalidToken, NetworkError

    from monitor.bot.alerts import Alerts
    from monitor.bot.application import ALLOWED_UPDATES, build_application, set_commands
    from monitor.bot.context import BotServices, attach
    from monitor.bot.digests import DigestJobs, Digests
    from monitor.delivery import Sender

    bot_services = BotServices(services.store, services.hand_on, settings.telegram, services.poller)
    application = build_application(settings.telegram, bot_services)
    try:
        await application.initialize()
    except InvalidToken:
        raise BotError("telegram: the Bot API server rejected the token; check telegram.token "
                       "or MONITOR_TELEGRAM_TOKEN (from @BotFather)") from None
    except NetworkError as exc:
        raise BotError(f"telegram: cannot reach the Bot API at {settings.telegram.api_base_url} ({exc}); "
                       "check telegram.api_base_url and the network") from None
    sender = Sender(application.bot, services.store, pacer)
    alerts = Alerts(services.store, sender.notify, default_zone=settings.digest.default_timezone)
    watches = await alerts.load()
    digests = Digests(services.store, settings.digest, sender.notify)
    scheduler = AsyncIOScheduler(timezone=UTC)
    digest_jobs = DigestJobs(digests, scheduler)

    async def chat_gone(chat_id: int) -> None:
        alerts.chat_removed(chat_id)
        await digest_jobs.replan(chat_id)

    async def chat_moved(old_chat_id: int, new_chat_id: int) -> None:
        alerts.chat_moved(old_chat_id, new_chat_id)
        await digest_jobs.replan(old_chat_id)
        await digest_jobs.replan(new_chat_id)

    sender.on_chat_gone, sender.on_chat_moved = chat_gone, chat_moved
    attach(application.bot_data, replace(bot_services, alerts=alerts, sender=sender, digests=digests,
                                         digest_jobs=digest_jobs))
    services.story_sinks.append(alerts.on_batch)
    stop_sending = asyncio.Event()
    sending = asyncio.create_task(sender.run(stop_sending))
    try:
        await set_commands(application, settings.telegram)
        await application.start()
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        scheduler.start()
        chats = await digest_jobs.start()  # missed digests are queued now (the bot answers meanwhile), the rest planned
        log.info("bot: @%s receives updates; %d watches, %d subscribed chats", application.bot.username, watches,
                 chats)
        yield application
    finally:
        services.story_sinks.remove(alerts.on_batch)
        if scheduler.running:
            scheduler.shutdown(wait=False)
        stop_sending.set()
        await sending  # the message in flight is finished and marked; the rest waits in the outbox
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


async def _finish(polls: dict[asyncio.Task, int], grace_s: float = STOP_GRACE_S) -> None:
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
