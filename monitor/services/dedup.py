"""The deduplicator as a service: new stored items → the clusterer → story assignments in the store.

The clusterer is CPU work (embedding too), done outside the event loop by one worker that owns it: a
process of its own where there are cores to spare, so that clustering runs beside fetching, parsing and
storing instead of taking turns with them for the interpreter; else a thread. Calls are serialised, so
items are clustered in the order they are handed in, and that order is stored (`items.cluster_seq`):
the reports of the stories still active are put back in the same order, with their stored story ids,
TF-IDF vectors, languages, text lengths, dates and embeddings, which puts the clusterer back where it was.

Starting does not wait for that: the window is rebuilt when the first new items must be clustered (a
pass that finds nothing new never rebuilds it), or in the background right after start (`run`); items
handed in meanwhile wait their turn and are clustered after it, in order, as without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.config import DedupSettings
from monitor.core.clustering import Clusterer, ClusterSettings, Embed, Report
from monitor.embedding import pack_vector, unpack_vector
from monitor.models import Source, StoredItem, Story, StoryBatch
from monitor.storage.rows import AssignmentRow, ItemTerms, ReplayRow, StoryExpiry, TitleTerms, UnclusteredItem
from monitor.storage.store import Store
from monitor.workers import worker_pool

log = logging.getLogger("monitor.dedup")

BACKLOG_BATCH = 500  # items clustered and stored together when catching up on start
REPLAY_BATCH = 2000  # reports read and sent to the worker at a time when the window is rebuilt (the progress shown)
RECENT_ITEMS = 20_000  # item → story of recent items, kept by the worker


def pack_terms(vector: dict[str, float]) -> bytes:
    """A TF-IDF vector as stored in items.term_vector: the terms, newline-separated, a NUL, then the
    weights as float64 (exact, so a restart scores new reports exactly as before it)."""
    return "\n".join(vector).encode() + b"\0" + array("d", vector.values()).tobytes()


def unpack_terms(blob: bytes) -> dict[str, float]:
    """A stored TF-IDF vector. Its terms are interned: the window keeps each report's vector with its story,
    and a term read back for thousands of reports is then one string, as it is for reports clustered live."""
    names, _, weights = blob.partition(b"\0")
    return dict(zip(map(sys.intern, names.decode().split("\n")), array("d", weights), strict=True)) if names else {}


def pack_days(days: frozenset[int]) -> str:
    """The dates a report names as stored in items.text_days: days of the year, comma-separated."""
    return ",".join(map(str, sorted(days)))


def unpack_days(stored: str | None) -> frozenset[int]:
    return frozenset(map(int, stored.split(","))) if stored else frozenset()


def pack_names(names: frozenset[str] | None) -> str | None:
    """A title's names or terms as stored in items.title_names and title_terms: space-separated, sorted (terms
    have no spaces); "" for none, None where not read."""
    return None if names is None else " ".join(sorted(names))


def unpack_names(stored: str | None) -> frozenset[str] | None:
    """Stored title names or terms (None: not stored); interned, as the terms of the window's vectors are."""
    return None if stored is None else frozenset(map(sys.intern, stored.split()))


def cluster_settings(dedup: DedupSettings) -> ClusterSettings:
    return ClusterSettings(threshold=dedup.threshold, cross_threshold=dedup.cross_threshold,
                           long_threshold=dedup.long_threshold, window_s=dedup.window, learned=dedup.scorer)


def pending(stored: StoredItem) -> UnclusteredItem:
    """A newly stored item, as the deduplicator takes it."""
    item = stored.item
    # to the second, as stored: a restart reads the time back from the store and must see the same
    published_at = item.published_at.astimezone(UTC).replace(microsecond=0)
    return UnclusteredItem(stored.id, stored.source_id, item.title, item.text, published_at, stored.same_as)


class Clustering:
    """The clusterer and the sequence number it goes on with, where the deduplicator's worker keeps them:
    reports put back, items in, rows to store out."""

    def __init__(self, settings: ClusterSettings, embed: Embed | None) -> None:
        self.settings = settings
        self.embed = embed
        self.clusterer = Clusterer(settings, embed)
        self.seq = 1
        # item → story of recent items, so that a repeat finds its story while the batch that took the report
        # it repeats is still being stored
        self.recent: OrderedDict[int, int] = OrderedDict()

    def begin(self, next_story: int, seq: int) -> None:
        """An empty clusterer, to be given back the reports of the stories still active."""
        self.clusterer = Clusterer(self.settings, self.embed, first_story_id=next_story)
        self.seq = seq
        self.recent.clear()

    def _remember(self, item_id: int, story_id: int) -> None:
        self.recent[item_id] = story_id
        if len(self.recent) > RECENT_ITEMS:
            self.recent.popitem(last=False)

    def restore(self, rows: list[ReplayRow]) -> tuple[list[ItemTerms], list[TitleTerms]]:
        """Put back stored reports, in the order they were clustered; what was read again of those stored without
        a vector, and of those stored without their title's names and terms, to store."""
        read_again: list[ItemTerms] = []
        titles: list[TitleTerms] = []
        for row in rows:
            report = Report(row.item_id, row.title, row.text, row.published_at, unpack_vector(row.embedding),
                            source=row.source_id)
            if row.term_vector is not None:
                # no stored length or dates: clustered by a version that did not store them; put back as short
                # posts naming no date (the full-article threshold and the dates are not held against them)
                names, title_terms = self.clusterer.restore(
                    report, row.story_id, unpack_terms(row.term_vector), row.lang, row.text_chars or 0,
                    unpack_days(row.text_days), unpack_names(row.title_names), unpack_names(row.title_terms))
                if row.title_names is None or (title_terms is not None and row.title_terms is None):
                    # clustered before they were stored (or the rules decided, which compare no title terms): read
                    # again for them, and stored, so that the next start reads none of its words
                    titles.append(TitleTerms(row.item_id, pack_names(names) or "", pack_names(title_terms)))
            else:  # clustered by a version that did not store vectors, or read words otherwise: read again (close
                # to how it was), and stored, so that the next start puts it back as this one did
                read = self.clusterer.add(report, story_id=row.story_id)
                read_again.append(ItemTerms(row.item_id, read.lang, pack_terms(read.terms), read.chars,
                                            pack_days(read.days), pack_names(read.title_names),
                                            pack_names(read.title_terms)))
            self._remember(row.item_id, row.story_id)
        # Only data from before stored vectors can make a story leave during the replay (all its reports
        # are replayed, also those from before it was opened again); it was forgotten then.
        self.clusterer.expired.clear()
        return read_again, titles

    def assign(self, items: list[UnclusteredItem], known: dict[int, int]
               ) -> tuple[list[AssignmentRow], dict[int, bytes], list[StoryExpiry]]:
        """Rows to store, embeddings computed, and the stories that left the window meanwhile, each with the
        first sequence number after it left. `known`: the stories of the items the new ones repeat, as stored."""
        rows: list[AssignmentRow] = []
        vectors: dict[int, bytes] = {}
        expired: list[StoryExpiry] = []
        for item in items:
            # The same report elsewhere (same canonical URL or same words) is the same story, always.
            story_id = self.recent.get(item.same_as, known.get(item.same_as)) if item.same_as else None
            report = Report(item.id, item.title, item.text, item.published_at, source=item.source_id)
            assignment = self.clusterer.add(report, story_id=story_id)
            score = 1.0 if story_id is not None else assignment.similarity
            rows.append(AssignmentRow(item.id, assignment.story_id, score, self.seq, assignment.lang,
                                      pack_terms(assignment.terms), assignment.chars, pack_days(assignment.days),
                                      assignment.created, pack_names(assignment.title_names),
                                      pack_names(assignment.title_terms)))
            expired.extend(StoryExpiry(story_id, self.seq) for story_id in self.clusterer.expired)
            self.clusterer.expired.clear()
            self.seq += 1
            self._remember(item.id, assignment.story_id)
            vectors.update((key, pack_vector(vector)) for key, vector in assignment.vectors.items())
        return rows, vectors, expired


# The Clustering of the thread or process that is a deduplicator's worker (each deduplicator has its own).
_worker = threading.local()


def _serve(settings: ClusterSettings, embed: Embed | None) -> None:
    _worker.clustering = Clustering(settings, embed)


def _begin(next_story: int, seq: int) -> None:
    _worker.clustering.begin(next_story, seq)


def _restore(rows: list[ReplayRow]) -> tuple[list[ItemTerms], list[TitleTerms]]:
    read_again: tuple[list[ItemTerms], list[TitleTerms]] = _worker.clustering.restore(rows)
    return read_again


def _assign(items: list[UnclusteredItem], known: dict[int, int]
            ) -> tuple[list[AssignmentRow], dict[int, bytes], list[StoryExpiry]]:
    result: tuple[list[AssignmentRow], dict[int, bytes], list[StoryExpiry]] = _worker.clustering.assign(items, known)
    return result


class Deduplicator:
    def __init__(self, store: Store, settings: ClusterSettings, embed: Embed | None = None,
                 own_process: bool = False) -> None:
        """`own_process`: cluster in a process of its own (`embed` must then be picklable), else in a thread."""
        self.store = store
        self.settings = settings
        self.embed = embed
        self.own_process = own_process
        self._worker = self._start_worker()
        self._lock = asyncio.Lock()
        # The clusterer took a batch the store does not have (its write failed, or the call was
        # cancelled), or may have (its worker died): it is rebuilt from the store before the next batch.
        self._ahead = False
        self._ready = False  # the window rebuilt from the store and the backlog clustered
        # reports put back without a stored vector, or without their title's names and terms, read again for what was
        # missing and stored (see `restore`)
        self.read_again = 0
        self._backlog_until = 0  # the last item stored before start and not clustered: the backlog ends there
        self._progress: Callable[[int, int], None] | None = None
        self._warming: asyncio.Task[None] | None = None
        self._stored: asyncio.Future[bool] | None = None  # whether the last batch handed to the worker was stored
        self._dropped: list[UnclusteredItem] = []  # items of batches not stored, clustered again after the rebuild

    def _start_worker(self) -> Executor:
        if self.own_process:
            return worker_pool(1, _serve, (self.settings, self.embed))
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-dedup", initializer=_serve,
                                  initargs=(self.settings, self.embed))

    async def start(self, progress: Callable[[int, int], None] | None = None, warm: bool = False) -> None:
        """Get ready to cluster without waiting for the window: it is rebuilt from the store when the first
        new items must be clustered, or, with `warm`, at once in the background (`settled` waits for it).
        Items stored but never clustered (before a crash, or before the deduplicator existed) are clustered
        right after the rebuild, which then starts in the background whatever `warm` says. `progress` is
        told (reports put back, reports to put back) during the rebuild."""
        self._progress = progress
        self._backlog_until = await self.store.stories.last_unclustered()
        if warm or self._backlog_until:
            self._warming = asyncio.create_task(self._warm(), name="dedup-start")

    async def ready(self) -> int:
        """Rebuild the window and cluster the backlog now, unless done before: how many reports were put back."""
        async with self._lock:
            return await self._get_ready()

    async def settled(self) -> None:
        """Wait for the rebuild and backlog that `start` began in the background, if it did."""
        if self._warming is not None:
            await asyncio.shield(self._warming)

    async def _warm(self) -> None:
        try:
            await self.ready()
        except Exception:  # the items that wait for it try again, and say so where they fail
            log.exception("dedup: rebuilding the story window or clustering the stored backlog failed; "
                          "tried again with the next new items")

    async def _get_ready(self) -> int:
        if self._ready:
            return 0
        started = time.monotonic()
        read_before = self.read_again
        replayed = await self._rebuild(self._progress)
        read_again = self.read_again - read_before
        log.info("dedup: story window rebuilt from the store (%d reports of the active stories%s) in %.1f s",
                 replayed, f"; {read_again} put back without their vector or title's names and terms read again, "
                 "and stored" if read_again else "", time.monotonic() - started)
        after_id = caught_up = 0
        while self._backlog_until and (
                page := await self.store.stories.unclustered(after_id, BACKLOG_BATCH, self._backlog_until)):
            caught_up += await self._catch_up(page)
            after_id = page[-1].id
        if caught_up:
            log.info("dedup: clustered %d stored items that had not been clustered yet", caught_up)
        self._ready = True
        return replayed

    async def _catch_up(self, items: list[UnclusteredItem]) -> int:
        """Cluster a page of the backlog; how many items were. One item that cannot be clustered must not
        keep the rest, or monitor, from starting: a failed page goes again one item at a time, and an item
        that fails alone is logged and left for the next start. If every item fails, the trouble is not
        in the items (the store refuses writes): that error stops the start."""
        try:
            await self._cluster(items, summaries=False)
            return len(items)
        except Exception:
            log.exception("dedup: %d stored items (from %d) could not be clustered; left for the next start "
                          "if alone, else tried one by one", len(items), items[0].id)
        await self._rebuild()
        if len(items) == 1:
            return 0
        done = 0
        for item in items:
            try:
                await self._cluster([item], summaries=False)
                done += 1
            except Exception:
                log.exception("dedup: stored item %d could not be clustered; left for the next start", item.id)
                await self._rebuild()
        if not done:
            raise RuntimeError(f"dedup: none of {len(items)} stored items could be clustered; see the errors above")
        return done

    async def _rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """The clusterer as the store has it: the reports of the stories still active put back."""
        self._ahead = True  # until the window is back
        if self._stored is not None:  # what the batches handed in before did to the store, first
            await asyncio.shield(self._stored)
            self._stored = None  # the clusterer goes on from the store, whatever they did
        next_story, seq = await self.store.stories.clustering_start()
        total = await self.store.stories.replay_size(self.settings.window_s)
        # in the worker, so after anything it was still doing for a cancelled call
        await self._work(_begin, next_story, seq)
        if progress:
            progress(0, total)
        done = last_seq = 0
        # a page at a time: the whole window's titles, texts and vectors at once would be more than the clusterer
        while rows := await self.store.stories.replay(self.settings.window_s, last_seq, REPLAY_BATCH):
            read_again, titles = await self._work(_restore, rows)
            if read_again or titles:
                await self._keep(read_again, titles)
            done, last_seq = done + len(rows), rows[-1].seq
            if progress:
                progress(done, total)
        self._ahead = False
        return done

    async def _keep(self, read_again: list[ItemTerms], titles: list[TitleTerms]) -> None:
        """Store what was read again of reports put back without a stored vector, or without their title's names and
        terms, so the next start puts them back as read. Only a saving: a write that fails (the database locked, the
        disk full) is logged, and the next start reads them again; the window is back either way, and the new items
        waiting for it are clustered."""
        count = len(read_again) + len(titles)
        try:
            await self.store.stories.keep_terms(read_again, datetime.now(UTC), titles)
        except Exception as exc:  # with its traceback: a fault of ours would otherwise look like a full disk forever
            log.warning("dedup: what was read again of %d reports put back could not be stored (%s); the next start "
                        "reads them again", count, exc, exc_info=True)
            return
        self.read_again += count

    async def close(self) -> None:
        if self._warming is not None and not self._warming.done():  # what it did not do, the next start does
            self._warming.cancel()
            with suppress(asyncio.CancelledError):
                await self._warming
        self._worker.shutdown(wait=True, cancel_futures=True)

    def _submit(self, function, *args) -> tuple[asyncio.Future, Executor]:
        """`function(*args)` handed to the worker now (the worker does what it is handed in that order), and that
        worker."""
        worker = self._worker
        try:
            return asyncio.get_running_loop().run_in_executor(worker, function, *args), worker
        except BrokenExecutor:
            self._replace_worker(worker)
            raise

    async def _result(self, submitted: asyncio.Future, worker: Executor):
        try:
            return await submitted
        except BrokenExecutor:
            self._replace_worker(worker)
            raise

    async def _work(self, function, *args):
        return await self._result(*self._submit(function, *args))

    def _replace_worker(self, dead: Executor) -> None:
        """A worker process that died (killed, out of memory) is replaced, and the clusterer rebuilt in the new one
        before the next batch. Every call the dead one had says so: only the first replaces it."""
        if dead is not self._worker:
            return
        log.error("dedup: the clusterer's worker died; a new one rebuilds the window from the store")
        self._worker.shutdown(wait=False)
        self._worker = self._start_worker()
        self._ahead = True

    async def add(self, source: Source, items: list[StoredItem]) -> StoryBatch:
        """Cluster a source's new items; return the stories they created or grew, and where each went."""
        stories, story_of = await self.add_pending([pending(stored) for stored in items])
        return StoryBatch(source, tuple(items), tuple(stories), story_of)

    async def add_pending(self, items: list[UnclusteredItem]) -> tuple[list[Story], dict[int, int]]:
        """Cluster stored items; the stories they touched, and where each went.

        The worker clusters the next batch while this one is stored: batches go to it in the order they come,
        and are stored in that order, each after the one before it. A batch that is not stored (its write
        failed, or the call was cancelled) takes those clustered after it along, and the clusterer is
        rebuilt from the store before the next: it never goes on from reports the store does not have. The items
        of those batches are then clustered again, once, before the next."""
        if not items:
            return [], {}
        async with self._lock:
            await self._get_ready()
            if self._ahead:
                log.warning("dedup: the clusterer is ahead of the store (a batch was not stored, or its worker "
                            "died); the window is rebuilt from the store")
                await self._rebuild()
                await self._cluster_dropped()
            try:
                batch = await self._send(items, retry=True)
            except BrokenExecutor:  # the worker died while idle (killed, out of memory): a new one, rebuilt, takes them
                await self._rebuild()
                batch = await self._send(items, retry=True)
        return await self._store(batch)

    async def _cluster(self, items: list[UnclusteredItem], summaries: bool = True
                       ) -> tuple[list[Story], dict[int, int]]:
        """Cluster items and store where each went, at once (the caller holds the lock)."""
        return await self._store(await self._send(items), summaries)

    async def _cluster_dropped(self) -> None:
        """Cluster again, once, the items of batches that were not stored, before anything newer (the caller holds the
        lock, and the window is rebuilt): they are in the stories then, though without alerts of their own. Those
        that fail again are left for the next start."""
        dropped, self._dropped = sorted(self._dropped, key=lambda item: item.id), []
        if not dropped:
            return
        try:
            done = await self._catch_up(dropped)
        except Exception:
            log.exception("dedup: %d items of batches that were not stored could not be clustered again; left for "
                          "the next start", len(dropped))
            return
        log.warning("dedup: %d of %d items of batches that were not stored clustered again (without alerts)",
                    done, len(dropped))

    async def _send(self, items: list[UnclusteredItem], retry: bool = False) -> _Batch:
        """Hand items to the worker (the caller holds the lock, so they go in the order they came). With `retry`,
        the items are clustered again after the next rebuild if the batch is not stored."""
        repeated = [p.same_as for p in items if p.same_as is not None]
        known = await self.store.stories.of_items(repeated) if repeated else {}
        assigned, worker = self._submit(_assign, items, known)
        before, self._stored = self._stored, asyncio.get_running_loop().create_future()
        return _Batch(assigned, worker, before, self._stored, items if retry else [])

    async def _store(self, batch: _Batch, summaries: bool = True) -> tuple[list[Story], dict[int, int]]:
        """Store where a batch's items went, after the batch before it; with `summaries`, also the stories they
        touched, as stored now (catching up on start needs none, and summing up every story costs a fifth of
        the write)."""
        try:
            rows, vectors, expired = await self._result(batch.assigned, batch.worker)
            if batch.before is not None and not await asyncio.shield(batch.before):
                raise RuntimeError("dedup: a batch clustered before this one was not stored, so neither is this "
                                   "one; its items are clustered again with the next batch")
            story_ids = await self.store.stories.assign(rows, vectors, datetime.now(UTC), expired)
            stories = await self.store.stories.get_many(story_ids) if summaries else []
        except BaseException:
            self._ahead = True
            self._dropped.extend(batch.items)  # before `stored` says so: the rebuild that waits for it then sees them
            if batch.before is not None and not batch.before.done():
                # not before the batch ahead of it is settled: the rebuild this calls for waits for `stored`, and
                # must read the store after that batch's write, or it would take its story ids over again
                batch.before.add_done_callback(lambda _: batch.stored.set_result(False))
            else:
                batch.stored.set_result(False)
            raise
        batch.stored.set_result(True)
        return stories, {row.item_id: row.story_id for row in rows}


@dataclass(frozen=True)
class _Batch:
    """Items handed to the worker: where they go (when it has clustered them), whether the batch before them was
    stored, and whether they were."""

    assigned: asyncio.Future
    worker: Executor  # the worker that has them
    before: asyncio.Future[bool] | None
    stored: asyncio.Future[bool]
    items: list[UnclusteredItem]  # to cluster again if they are not stored (none: they are not retried)
