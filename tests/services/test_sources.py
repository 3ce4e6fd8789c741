"""Adding a source as /add and `monitor sources add` do, against a loopback feed server and a real SQLite file:
a source is read before the store knows it, so one that fails leaves the store as it was."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

import pytest

from monitor.models import Item, SourceSpec
from monitor.poller import Poller, make_parse_executor
from monitor.services.sources import SourceExists, SourceRefused, Sources
from monitor.sources.fetch import Fetcher
from monitor.storage.store import Store
from tests.conftest import make_settings
from tests.fakes.feed_builder import entry, rss2
from tests.fakes.feed_server import Route

NOW = datetime.now(UTC)


@pytest.fixture
async def parts(tmp_path):
    """A store and a poller over loopback; the poller's hand-on is counted, as the pipeline would take it."""
    store = await Store.open(tmp_path / "m.db")
    fetcher = Fetcher(timeout_s=5, max_bytes=100_000, user_agent="t", concurrency=2)
    executor = make_parse_executor(1)
    taken: list[int] = []

    async def take(source, items):
        taken.extend(i.id for i in items)

    poller = Poller(store, fetcher, make_settings(tmp_path, []).polling, executor, take)
    yield store, poller, taken
    executor.shutdown()
    await fetcher.aclose()
    await store.close()


async def counts(store: Store) -> tuple[int, int]:
    rows = await store.sources.rows()
    return len(rows), sum(r.item_count for r in rows)


@pytest.mark.parametrize("first_poll_stores", [True, False], ids=["run", "cli"])
async def test_a_source_that_cannot_be_read_leaves_nothing_behind(parts, feed_server, first_poll_stores):
    store, poller, _ = parts
    feed_server.set("/gone.xml", "gone", status=404)
    sources = Sources(store, poller, first_poll_stores=first_poll_stores)
    with pytest.raises(SourceRefused, match="404"):
        await sources.add(SourceSpec("feed", feed_server.url("/gone.xml"), "gone"))
    assert await counts(store) == (0, 0)


async def test_a_failed_add_of_a_disabled_source_keeps_it_disabled_with_its_items(parts, feed_server):
    store, poller, _ = parts
    url = feed_server.url("/old.xml")
    await store.sources.sync([SourceSpec("feed", url, "old")], NOW)
    (source,) = await store.sources.enabled()
    await store.items.insert(source.id, [entry_item(1), entry_item(2)], NOW)
    await store.sources.sync([], NOW)  # dropped from the config file: disabled, its items kept
    feed_server.set("/old.xml", "gone", status=404)
    with pytest.raises(SourceRefused):
        await Sources(store, poller).add(SourceSpec("feed", url, "old"))
    (row,) = await store.sources.rows()
    assert (row.source.id, row.source.origin, row.source.enabled, row.item_count) == (source.id, "config", False, 2)


async def test_inside_run_a_source_is_stored_and_handed_on_and_kept_when_only_its_first_poll_fails(
        parts, feed_server):
    store, poller, taken = parts
    feed_server.set("/good.xml", rss2([entry(1), entry(2)]))
    added = await Sources(store, poller).add(SourceSpec("feed", feed_server.url("/good.xml"), "good"))
    assert (added.new_reports, added.poll_error, len(taken)) == (2, None, 2)

    answers = itertools.chain([Route(rss2([entry(3)]).encode())], itertools.repeat(Route(b"busy", status=503)))
    feed_server.set_dynamic("/flaky.xml", lambda path: next(answers))
    added = await Sources(store, poller).add(SourceSpec("feed", feed_server.url("/flaky.xml"), "flaky"))
    assert added.poll_error and "503" in added.poll_error and added.new_reports == 0
    assert [s.name for s in await store.sources.enabled()] == ["good", "flaky"]  # readable a moment ago: kept


async def test_the_cli_reads_a_source_and_stores_nothing(parts, feed_server):
    store, poller, taken = parts
    feed_server.set("/good.xml", rss2([entry(1), entry(2)]))
    added = await Sources(store, poller, first_poll_stores=False).add(
        SourceSpec("feed", feed_server.url("/good.xml"), "good"))
    assert added.new_reports == 2 and await counts(store) == (1, 0) and taken == []


async def test_a_source_there_already_is_refused_without_reading_it_again(parts, feed_server):
    store, poller, _ = parts
    feed_server.set("/good.xml", rss2([entry(1)]))
    sources = Sources(store, poller, first_poll_stores=False)
    first = await sources.add(SourceSpec("feed", feed_server.url("/good.xml"), "good"))
    with pytest.raises(SourceExists) as exists:
        await sources.add(SourceSpec("feed", feed_server.url("/good.xml"), "good again"))
    assert exists.value.source_id == first.source.id
    assert len(feed_server.hits_for("/good.xml")) == 1


async def test_a_chat_s_feed_on_a_private_address_is_refused_before_any_fetch(parts, feed_server):
    store, poller, _ = parts
    feed_server.set("/feed.xml", rss2([entry(1)]))
    spec = SourceSpec("feed", feed_server.url("/feed.xml"), "local")
    with pytest.raises(SourceRefused, match="not a public address.*telegram.allow_private_sources"):
        await Sources(store, poller).add(spec, "chat")
    assert feed_server.hits_for("/feed.xml") == [] and await counts(store) == (0, 0)
    assert (await Sources(store, poller).add(spec)).new_reports == 1  # the operator's own sources are trusted


async def test_a_trial_cut_short_leaves_no_source(parts, feed_server):
    """Ctrl-C during `monitor sources add`, or `run` stopping during /add: nothing was checked, nothing stays."""
    store, poller, _ = parts
    feed_server.set("/slow.xml", rss2([entry(1)]), delay_s=3)
    trial = asyncio.create_task(Sources(store, poller).add(SourceSpec("feed", feed_server.url("/slow.xml"), "slow")))
    await asyncio.sleep(0.5)
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial
    assert await counts(store) == (0, 0)


def entry_item(n: int) -> Item:
    return Item(key=f"guid:{n}", url=f"https://news.example/{n}", canonical_url=f"https://news.example/{n}",
                title=f"Report {n}", text="", published_at=NOW, fingerprint="")
