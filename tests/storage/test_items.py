"""Items: stored once per source and key, the same report elsewhere noted, edited posts replaced."""

from __future__ import annotations

import sqlite3

import pytest

from monitor.models import SourceSpec
from tests.storage.conftest import NOW, item, sql


async def test_database_enforces_one_item_per_source_and_key(store, tmp_path):
    await store.sources.sync([SourceSpec("feed", "https://a/", "A")], NOW)
    assert len(await store.items.insert(1, [item(1), item(2)], NOW)) == 2
    assert [s.item.key for s in await store.items.insert(1, [item(2), item(3)], NOW)] == ["guid:3"]
    with pytest.raises(sqlite3.IntegrityError):
        sql(tmp_path / "m.db", "INSERT INTO items (source_id, key, published_at, fetched_at) "
                               "VALUES (1, 'guid:1', '', '')")
    assert await store.items.count() == 3


async def test_the_same_report_from_another_source_points_at_the_first(store):
    await store.sources.sync([SourceSpec("feed", f"https://{n}/", str(n)) for n in "abc"], NOW)
    (first,) = await store.items.insert(1, [item(1, fingerprint="same words")], NOW)
    (by_url,) = await store.items.insert(2, [item(2, canonical_url="https://x.org/1")], NOW)
    (by_words,) = await store.items.insert(3, [item(3, fingerprint="same words")], NOW)
    _, own = await store.items.insert(1, [item(4, fingerprint="own words"), item(5, fingerprint="own words")], NOW)
    assert (first.same_as, by_url.same_as, by_words.same_as, own.same_as) == (None, first.id, first.id, None)
    assert [(row.key, row.same_as) for row in await store.items.latest(source_id=2)] == [("guid:2", first.id)]


async def test_an_edited_post_replaces_the_stored_text(store):
    source = await store.sources.ensure("bot_channel", "tg://channel/1", "Ours", NOW)
    (stored,) = await store.items.insert(source.id, [item(1, text="first words")], NOW)
    assert await store.items.update_text(source.id, item(1, title="T1 (edited)", text="better words")) == stored.id
    assert await store.items.update_text(source.id, item(2)) is None  # never stored: nothing to edit
    assert [(row.id, row.title) for row in await store.items.latest()] == [(stored.id, "T1 (edited)")]
    assert await store.items.count(source.id) == 1
