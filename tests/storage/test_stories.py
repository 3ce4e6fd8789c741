"""Stories: where the deduplicator put items, what a restart reads back, and the stories summed up."""

from __future__ import annotations

from datetime import timedelta

from monitor.models import SourceSpec
from monitor.storage.rows import AssignmentRow, ItemTerms, StoryExpiry, StoryLink, TitleTerms
from tests.storage.conftest import NOW, item, sql


def assigned(item_id: int, story_id: int, seq: int, lang: str = "en", opened: bool = False) -> AssignmentRow:
    return AssignmentRow(item_id, story_id, 0.5, seq, lang, b"terms", 100, "", opened)


async def test_assignments_grow_their_stories_once_and_a_restart_reads_them_back(store):
    await store.sources.sync([SourceSpec("feed", "https://a/", "A"), SourceSpec("feed", "https://b/", "B")], NOW)
    a = await store.items.insert(1, [item(1, title=""), item(2, published_at=NOW + timedelta(hours=1))], NOW)
    b = await store.items.insert(2, [item(3, title="Titre", published_at=NOW - timedelta(hours=1))], NOW)
    assert await store.stories.clustering_start() == (1, 1)
    assert [u.id for u in await store.stories.unclustered()] == [1, 2, 3]
    rows = [assigned(a[0].id, 7, 1, opened=True), assigned(a[1].id, 7, 2), assigned(b[0].id, 7, 3, "fr")]
    assert await store.stories.assign(rows[:2], {a[0].id: b"vector"}, NOW) == [7]
    assert await store.stories.assign([*rows, assigned(a[0].id, 8, 4)], {}, NOW) == [7]  # assigned once
    story = await store.stories.get(7)
    assert (story.headline, story.url, story.item_count, story.source_count) == ("T2", "https://x.org/2", 3, 2)
    assert (story.first_seen, story.last_seen, story.languages, story.sources) == (
        NOW - timedelta(hours=1), NOW + timedelta(hours=1), ("en", "fr"), ("A", "B"))
    assert await store.stories.clustering_start() == (8, 4)
    assert await store.stories.unclustered() == []
    assert await store.stories.of_items([a[0].id, 99]) == {a[0].id: 7}
    replayed = await store.stories.replay(3600.0)
    assert [(r.item_id, r.story_id, r.embedding, r.lang) for r in replayed] == [
        (a[0].id, 7, b"vector", "en"), (a[1].id, 7, None, "en"), (b[0].id, 7, None, "fr")]
    # read a page at a time (a window of a hundred thousand reports is not held at once): the same rows in order
    assert await store.stories.replay_size(3600.0) == 3
    first = await store.stories.replay(3600.0, 0, 2)
    assert first + await store.stories.replay(3600.0, first[-1].seq, 2) == replayed
    assert await store.stories.replay(3600.0, replayed[-1].seq, 2) == []
    await store.stories.assign([], {}, NOW, [StoryExpiry(7, 3)])  # left the window: vectors before seq 3 go
    assert [r.term_vector for r in await store.stories.replay(3600.0)] == [None, None, b"terms"]


async def test_digests_and_watches_read_a_story_s_titles_links_and_words(store):
    await store.sources.sync([SourceSpec("feed", "https://a/", "A"), SourceSpec("feed", "https://b/", "B")], NOW)
    (a,) = await store.items.insert(1, [item(1, title="Storm hits", text="Winds of 120 km/h")], NOW)
    (b,) = await store.items.insert(2, [item(2, title="Буря", text="Ветер")], NOW)
    await store.stories.assign([assigned(a.id, 1, 1), assigned(b.id, 1, 2, "ru")], {}, NOW)
    details = (await store.stories.details([1, 1]))[1]
    assert dict(details.titles) == {"en": "Storm hits", "ru": "Буря"}
    assert details.links == (StoryLink("A", "https://x.org/1"), StoryLink("B", "https://x.org/2"))
    text = (await store.stories.texts([1]))[1]
    assert (text.item_count, text.text) == (2, "Storm hits\nWinds of 120 km/h\nБуря\nВетер")
    assert [s.id for s in await store.stories.recent(NOW - timedelta(days=1))] == [1]
    assert await store.stories.count(NOW) == 1 and await store.stories.count(NOW + timedelta(seconds=1)) == 0


async def test_what_a_start_read_again_is_stored_and_its_story_speaks_the_language_read(store):
    # A report put back without a stored vector is read again, and what was read is stored for the next start. Its
    # language read now is the one the next start puts it back with: the story's languages say the same.
    await store.sources.sync([SourceSpec("feed", "https://a/", "A")], NOW)
    a, b = await store.items.insert(1, [item(1, title="Storm hits"), item(2, title="Storm moves on")], NOW)
    await store.stories.assign([assigned(a.id, 1, 1, "ru", opened=True), assigned(b.id, 1, 2)], {}, NOW)
    await store.stories.assign([], {}, NOW, [StoryExpiry(1, 3)])  # as a version that read words otherwise left them
    assert (await store.stories.get(1)).languages == ("en", "ru")
    await store.stories.keep_terms([ItemTerms(a.id, "en", b"read", 120, "5", "Storm", "storm hit"),
                                    ItemTerms(b.id, "en", b"read too", 90, "", "", "")], NOW)
    replayed = await store.stories.replay(3600.0)
    assert [(r.lang, r.term_vector, r.text_chars, r.text_days, r.title_names, r.title_terms) for r in replayed] == [
        ("en", b"read", 120, "5", "Storm", "storm hit"), ("en", b"read too", 90, "", "", "")]
    assert (await store.stories.get(1)).languages == ("en",)
    # a vector stored meanwhile (the item assigned again by a later version) is not overwritten
    await store.stories.keep_terms([ItemTerms(a.id, "ru", b"older", 1, "", None, None)], NOW)
    assert (await store.stories.replay(3600.0))[0].term_vector == b"read"


async def test_title_names_read_again_are_stored_only_where_missing_and_the_vector_kept(store, tmp_path):
    # A report clustered before its title's names and terms were stored is read again for them alone: they are
    # stored where still missing, never over what is stored, nor for a report whose story has left the window; in
    # the same write as a report read again whole.
    await store.sources.sync([SourceSpec("feed", "https://a/", "A")], NOW)
    a, b, c, d = await store.items.insert(1, [item(n, title=f"Storm {n}") for n in (1, 2, 3, 4)], NOW)
    await store.stories.assign([assigned(a.id, 1, 1, opened=True), assigned(b.id, 1, 2), assigned(c.id, 2, 3),
                                assigned(d.id, 1, 4)], {}, NOW)
    path = tmp_path / "m.db"  # as stored before migration 0014, but b, stored since, and d, stored before vectors
    sql(path, "UPDATE items SET title_names = NULL, title_terms = NULL")
    sql(path, "UPDATE items SET title_names = 'Own', title_terms = 'own' WHERE id = ?", b.id)
    sql(path, "UPDATE items SET term_vector = NULL WHERE id = ?", d.id)
    await store.stories.assign([], {}, NOW, [StoryExpiry(2, 4)])  # c's story left the window: its vector is gone
    await store.stories.keep_terms([ItemTerms(d.id, "en", b"read", 90, "", "Rain", "rain")], NOW,
                                   [TitleTerms(i.id, "Storm", "storm") for i in (a, b, c, d)])
    assert sql(path, "SELECT id, lang, term_vector, text_chars, title_names, title_terms FROM items ORDER BY id") == [
        (a.id, "en", b"terms", 100, "Storm", "storm"), (b.id, "en", b"terms", 100, "Own", "own"),
        (c.id, "en", None, 100, None, None), (d.id, "en", b"read", 90, "Rain", "rain")]
