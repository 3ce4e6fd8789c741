"""Sources: synced from the config file, added by command or chat, removed, and their ids."""

from __future__ import annotations

import pytest

from monitor.models import SourceSpec
from monitor.storage.database import StoreError
from monitor.storage.sources import SourceExists
from monitor.storage.store import Store
from tests.storage.conftest import NOW, as_before_migration_0011, item, sql


async def test_config_sources_are_synced_and_those_dropped_from_it_disabled(store):
    await store.sources.sync([SourceSpec("feed", "https://a/", "A"), SourceSpec("feed", "https://b/", "B", 60.0)], NOW)
    added = await store.sources.add(SourceSpec("feed", "https://c/", "C"), NOW)
    await store.sources.sync([SourceSpec("feed", "https://b/", "B renamed")], NOW)
    assert [(s.url, s.name, s.interval_s, s.origin) for s in await store.sources.enabled()] == [
        ("https://b/", "B renamed", None, "config"), ("https://c/", "C", None, "user")]
    assert [(r.source.url, r.source.enabled) for r in await store.sources.rows()] == [
        ("https://a/", False), ("https://b/", True), ("https://c/", True)]
    with pytest.raises(SourceExists) as refused:
        await store.sources.add(SourceSpec("feed", "https://c/", "C again"), NOW)
    assert refused.value.source_id == added.id


async def test_a_removed_source_s_id_is_never_given_to_another(tmp_path):
    # SQLite would hand the largest id, once deleted, to the next row. Ids name sources to people
    # (`sources remove 7`) and to the deduplicator (a source's reports in a story, its boilerplate).
    path = tmp_path / "m.db"
    store = await Store.open(path)
    await store.sources.add(SourceSpec("feed", "https://a.example/", "A"), NOW)

    async def synced(url: str) -> int:
        await store.sources.sync([SourceSpec("feed", url, "D")], NOW)
        return sql(path, "SELECT id FROM sources WHERE url = ?", url)[0][0]

    async def added() -> int:
        return (await store.sources.add(SourceSpec("feed", "https://c.example/", "C"), NOW)).id

    async def ensured() -> int:
        return (await store.sources.ensure("bot_channel", "tg://channel/1", "Bot", NOW)).id

    for n, add in enumerate((added, ensured, lambda: synced("https://d.example/"))):
        newest = await store.sources.add(SourceSpec("feed", f"https://gone{n}.example/", "gone"), NOW)
        await store.sources.remove(newest.id)
        assert await add() == newest.id + 1
    known = sql(path, "SELECT last FROM source_ids")
    await store.sources.ensure("bot_channel", "tg://channel/1", "Bot renamed", NOW)  # known already: no id used
    await synced("https://d.example/")
    assert sql(path, "SELECT last FROM source_ids") == known
    last = await store.sources.add(SourceSpec("feed", "https://e.example/", "E"), NOW)
    await store.sources.remove(last.id)
    await store.close()
    store = await Store.open(path)  # the highest id given is kept in the file
    assert (await store.sources.add(SourceSpec("feed", "https://f.example/", "F"), NOW)).id == last.id + 1
    await store.close()


async def test_a_database_from_before_kept_source_ids_starts_past_its_highest(tmp_path):
    path = tmp_path / "m.db"
    store = await Store.open(path)
    for n in range(3):
        await store.sources.add(SourceSpec("feed", f"https://{n}.example/", str(n)), NOW)
    await store.close()
    as_before_migration_0011(path)
    store = await Store.open(path)
    await store.sources.remove(3)
    assert (await store.sources.add(SourceSpec("feed", "https://new.example/", "new"), NOW)).id == 4
    await store.close()


async def test_removing_a_source_takes_its_items_and_a_config_source_stays(store):
    await store.sources.sync([SourceSpec("feed", "https://a/", "A")], NOW)
    source = await store.sources.add(SourceSpec("feed", "https://b/", "B"), NOW)
    await store.items.insert(source.id, [item(1), item(2)], NOW)
    assert await store.sources.remove(source.id) == (source, 2)
    assert await store.sources.get(source.id) is None
    with pytest.raises(StoreError, match="comes from the config file"):
        await store.sources.remove(1)
    with pytest.raises(StoreError, match="there is no source 9"):
        await store.sources.remove(9)


async def test_poll_state_is_kept_between_polls(store):
    source = await store.sources.add(SourceSpec("feed", "https://a/", "A"), NOW)
    assert await store.sources.record_error(source.id, now=NOW, next_check_at=NOW, error="HTTP 503", status=503) == 1
    assert await store.sources.record_error(source.id, now=NOW, next_check_at=NOW, error="HTTP 503", status=503) == 2
    await store.sources.record_success(source.id, now=NOW, next_check_at=NOW, status=200, etag='"v1"',
                                       last_modified=None, title="Feed A")
    state = await store.sources.state(source.id)
    assert (state.error_count, state.last_error, state.etag, state.last_success_at) == (0, None, '"v1"', NOW)
    (row,) = await store.sources.rows()
    assert (row.title, row.last_status, row.item_count) == ("Feed A", 200, 0)
    # a pass over many sources reads their states at once: the same states, a source not stored left out
    other = await store.sources.add(SourceSpec("feed", "https://b/", "B"), NOW)
    assert await store.sources.states([source.id, other.id, 999]) == {
        source.id: state, other.id: await store.sources.state(other.id)}
