"""Polling feeds end to end: loopback HTTP server → fetch → feedparser → SQLite file."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta

from monitor import app
from monitor.poller import PARSE_NICENESS, make_parse_executor
from monitor.workers import worker_pool
from tests.conftest import fixture_bytes, make_settings
from tests.fakes.feed_builder import atom, entry, rss2
from tests.fakes.feed_server import http_date


def feed_sources(server, *paths: str) -> list[dict]:
    return [{"kind": "feed", "url": server.url(p), "name": p.strip("/")} for p in paths]


async def poll(settings):
    return {r.source.name: r for r in await app.poll_once(settings)}


def db_rows(settings, sql: str, *args):
    conn = sqlite3.connect(settings.storage.path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def test_three_formats_are_stored_once_across_polls(tmp_path, feed_server):
    feed_server.set("/rss2", fixture_bytes("feeds/rss2.xml"), etag="")  # no validators: full body each time
    feed_server.set("/atom", fixture_bytes("feeds/atom.xml"), content_type="application/atom+xml", etag="")
    feed_server.set("/rss1", fixture_bytes("feeds/rss1.xml"), content_type="application/rdf+xml", etag="")
    settings = make_settings(tmp_path, feed_sources(feed_server, "/rss2", "/atom", "/rss1"))

    first = await poll(settings)
    assert {n: len(r.new) for n, r in first.items()} == {"rss2": 4, "atom": 3, "rss1": 2}
    assert all(r.error is None for r in first.values())

    second = await poll(settings)
    assert {n: (len(r.new), r.seen) for n, r in second.items()} == {"rss2": (0, 4), "atom": (0, 3), "rss1": (0, 2)}
    assert db_rows(settings, "SELECT count(*) FROM items") == [(9,)]


async def test_item_fields_are_cleaned(tmp_path, feed_server):
    feed_server.set("/rss2", fixture_bytes("feeds/rss2.xml"))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/rss2"))
    await poll(settings)
    rows = db_rows(settings, "SELECT key, url, canonical_url, title, text, published_at, author FROM items "
                             "WHERE key = 'guid:wire-1001'")
    key, url, canonical, title, text, published, author = rows[0]
    assert url == "https://wire.example.org/world/2023/06/24/rostov"  # utm_*, fbclid and #fragment gone
    assert canonical == "https://wire.example.org/world/2023/06/24/rostov"
    assert text == ("Yevgeny Prigozhin said his fighters had entered Rostov-on-Don.\n\n"
                    "The military headquarters & the airfield were under their control, he said.")
    assert "track()" not in text and "<" not in text
    assert published == "2023-06-24T04:30:00+00:00"  # +0300 normalised to UTC
    assert author == "A. Reporter"


async def test_duplicate_guid_inside_one_feed_is_stored_once(tmp_path, feed_server):
    feed_server.set("/rss2", fixture_bytes("feeds/rss2.xml"))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/rss2"))
    await poll(settings)
    assert db_rows(settings, "SELECT title FROM items WHERE key = 'guid:wire-1003'") == [
        ("Checkpoints set up on roads into Moscow",)
    ]


async def test_missing_date_falls_back_to_fetch_time(tmp_path, feed_server):
    feed_server.set("/rss2", fixture_bytes("feeds/rss2.xml"))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/rss2"))
    before = datetime.now(UTC) - timedelta(seconds=2)
    await poll(settings)
    (published,), = db_rows(settings, "SELECT published_at FROM items WHERE title LIKE 'Entry without%'")
    assert datetime.fromisoformat(published) >= before


async def test_only_new_items_are_reported_when_a_feed_grows(tmp_path, feed_server):
    feed_server.set("/f", rss2([entry(1), entry(2)]))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/f"))
    assert len((await poll(settings))["f"].new) == 2
    feed_server.set("/f", rss2([entry(3), entry(1), entry(2)]))
    report = (await poll(settings))["f"]
    assert [s.item.key for s in report.new] == ["guid:https://news.example.org/story/3"]
    assert report.seen == 2


async def test_conditional_get_304_is_nothing_new_and_keeps_validators(tmp_path, feed_server):
    modified = http_date(1687590000)
    feed_server.set("/f", rss2([entry(1)]), etag='"v1"', last_modified=modified)
    settings = make_settings(tmp_path, feed_sources(feed_server, "/f"))
    await poll(settings)
    report = (await poll(settings))["f"]
    assert report.not_modified and not report.new and report.error is None
    first, second = feed_server.hits_for("/f")
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"] == '"v1"' and second.headers["If-Modified-Since"] == modified
    assert second.status == 304 and second.body_bytes == 0
    # a third poll still sends the validators (a 304 must not wipe them)
    await poll(settings)
    assert feed_server.hits_for("/f")[2].headers["If-None-Match"] == '"v1"'


async def test_feeds_that_answer_304_are_checked_over_kept_connections(tmp_path, feed_server):
    """A pass over unchanged feeds asks each one on a connection already open (at most `concurrency` of them),
    rather than opening one per feed and closing it unread: a poller of a thousand feeds stays cheap for the
    servers it asks and for itself."""
    paths = [f"/f{n}" for n in range(12)]
    for path in paths:
        feed_server.set(path, rss2([entry(1, title=path)]))
    settings = make_settings(tmp_path, feed_sources(feed_server, *paths), concurrency=2)
    await poll(settings)
    before = len(feed_server.hits)
    reports = await poll(settings)
    assert all(report.not_modified for report in reports.values())
    checks = feed_server.hits[before:]
    assert len(checks) == 12 and {hit.status for hit in checks} == {304}
    assert len({hit.client_port for hit in checks}) <= 2


async def test_broken_answers_are_errors_of_their_source_that_say_what_broke(tmp_path, feed_server):
    body = rss2([entry(1)]).encode()
    feed_server.set("/garbage", raw=b"\x00\x01hello\r\n\r\n")
    feed_server.set("/gzip", raw=b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789")
    feed_server.set("/cut", raw=b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:40])
    feed_server.set("/ok", body)
    reports = await poll(make_settings(tmp_path, feed_sources(feed_server, "/garbage", "/gzip", "/cut", "/ok")))
    assert reports["garbage"].error.startswith("the server's answer is broken: Bad status line")
    assert reports["gzip"].error == "the server's answer is broken: Can not decode content-encoding: gzip"
    assert reports["cut"].error.startswith("the server's answer is broken: Response payload is not completed")
    assert reports["ok"].error is None and len(reports["ok"].new) == 1


async def test_odd_headers_do_not_keep_a_feed_from_being_read(tmp_path, feed_server):
    """A header line longer than 8 KB (a site's policies) is read; validators that are not ASCII (bytes no
    encoding was declared for) are not kept, so the feed is fetched whole each time and nothing fails to store."""
    body = rss2([entry(1)]).encode()
    feed_server.set("/long", body, headers={"Content-Security-Policy": "default-src " + "a" * 12_000})
    feed_server.set("/latin", raw=b"HTTP/1.1 200 OK\r\nETag: \"caf\xe9\"\r\nLast-Modified: l\xe9\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body) + body)
    settings = make_settings(tmp_path, feed_sources(feed_server, "/long", "/latin"))
    first = await poll(settings)
    assert [len(first[name].new) for name in ("long", "latin")] == [1, 1]
    assert first["latin"].error is None
    second = await poll(settings)
    assert second["latin"].error is None and second["latin"].seen == 1
    assert "If-None-Match" not in feed_server.hits_for("/latin")[1].headers


async def test_last_modified_alone_is_honoured(tmp_path, feed_server):
    modified = http_date(1687590000)
    feed_server.set("/f", rss2([entry(1)]), etag="", last_modified=modified)
    settings = make_settings(tmp_path, feed_sources(feed_server, "/f"))
    await poll(settings)
    assert (await poll(settings))["f"].not_modified


async def test_malformed_feed_is_reported_and_others_are_unaffected(tmp_path, feed_server):
    feed_server.set("/good", rss2([entry(1)]))
    feed_server.set("/html", "<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>", content_type="text/html")
    feed_server.set("/text", "this is not a feed at all", content_type="text/plain")
    feed_server.set("/broken", b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti', etag="")
    settings = make_settings(tmp_path, feed_sources(feed_server, "/good", "/html", "/text", "/broken"))
    reports = await poll(settings)
    assert len(reports["good"].new) == 1 and reports["good"].error is None
    assert "HTML page, not a feed" in reports["html"].error
    assert "not an RSS or Atom feed" in reports["text"].error
    assert "malformed and yields no entries" in reports["broken"].error
    (count, error), = db_rows(settings, "SELECT error_count, last_error FROM sources WHERE name = 'html'")
    assert count == 1 and "HTML page" in error


async def test_feed_with_warnings_but_entries_is_accepted(tmp_path, feed_server):
    # an undefined entity makes feedparser set bozo, yet the entries are usable
    body = rss2([entry(1), entry(2)]).replace("<description>news</description>", "<description>&nbsp;</description>")
    feed_server.set("/f", body)
    settings = make_settings(tmp_path, feed_sources(feed_server, "/f"))
    report = (await poll(settings))["f"]
    assert report.error is None and len(report.new) == 2


async def test_oversized_body_is_aborted_and_reported(tmp_path, feed_server):
    feed_server.set("/big", b"<rss>" + b"x" * 300_000)  # Content-Length announces it
    feed_server.set("/stream", stream_bytes=10_000_000)  # chunked, no length: must be cut off
    feed_server.set("/ok", rss2([entry(1)]))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/big", "/stream", "/ok"), max_bytes=100_000)
    reports = await poll(settings)
    assert "over polling.max_bytes = 100,000" in reports["big"].error
    assert "over polling.max_bytes" in reports["stream"].error
    assert len(reports["ok"].new) == 1


async def test_timeout_is_reported_without_delaying_other_sources(tmp_path, feed_server):
    feed_server.set("/slow", rss2([entry(1)]), delay_s=3)
    feed_server.set("/fast", rss2([entry(2)]))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/slow", "/fast"), timeout="1s")
    reports = await poll(settings)
    assert "1s" in reports["slow"].error and "polling.timeout" in reports["slow"].error
    assert len(reports["fast"].new) == 1


async def test_redirects_are_followed(tmp_path, feed_server):
    feed_server.set("/old", redirect_to="/moved", status=301)
    feed_server.set("/moved", redirect_to="/new", status=302)
    feed_server.set("/new", rss2([entry(1), entry(2)]))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/old"))
    report = (await poll(settings))["old"]
    assert report.error is None and len(report.new) == 2


async def test_gzip_bodies_are_decoded(tmp_path, feed_server):
    feed_server.set("/gz", rss2([entry(n) for n in range(20)]), gzip=True)
    settings = make_settings(tmp_path, feed_sources(feed_server, "/gz"))
    report = (await poll(settings))["gz"]
    assert len(report.new) == 20
    assert feed_server.hits_for("/gz")[0].body_bytes < len(rss2([entry(n) for n in range(20)]).encode()) / 2


async def test_retry_after_and_backoff_set_the_next_check(tmp_path, feed_server):
    feed_server.set("/busy", "slow down", status=429, headers={"Retry-After": "7200"})
    feed_server.set("/down", "oops", status=500)
    settings = make_settings(tmp_path, feed_sources(feed_server, "/busy", "/down"), default_interval="60s")
    start = datetime.now(UTC)
    reports = await poll(settings)
    assert "429" in reports["busy"].error and "7200" in reports["busy"].error
    assert reports["busy"].next_check_at - start >= timedelta(seconds=7190)
    down_waits = []
    for _ in range(3):
        report = (await poll(settings))["down"]
        down_waits.append((report.next_check_at - datetime.now(UTC)).total_seconds())
    assert down_waits[0] < down_waits[1] < down_waits[2]  # doubles per consecutive error
    (count,), = db_rows(settings, "SELECT error_count FROM sources WHERE name = 'down'")
    assert count == 4
    # success resets the error state
    feed_server.set("/down", rss2([entry(1)]))
    report = (await poll(settings))["down"]
    assert report.error is None
    assert db_rows(settings, "SELECT error_count, last_error FROM sources WHERE name = 'down'") == [(0, None)]
    assert (report.next_check_at - datetime.now(UTC)).total_seconds() <= 61


async def test_tracking_parameters_do_not_make_items_different(tmp_path, feed_server):
    # The same article under three tracking variants, in two feeds: one key per feed, one report.
    a = entry(1, guid=None, link="https://news.example.org/a?utm_source=x")
    feed_server.set("/one", rss2([a]))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/one", "/two"))
    feed_server.set("/two", rss2([entry(9, guid=None, link="https://www.news.example.org/a?fbclid=1#top",
                                        title="Another headline for the same article")]))
    await poll(settings)
    feed_server.set("/one", rss2([entry(1, guid=None, link="https://news.example.org/a?utm_medium=y")]))
    report = (await poll(settings))["one"]
    assert report.new == [] and report.seen == 1
    rows = db_rows(settings, "SELECT id, source_id, canonical_url, same_as FROM items ORDER BY id")
    assert [r[2] for r in rows] == ["https://news.example.org/a"] * 2
    assert rows[1][3] == rows[0][0]  # the second source's item is recognised as the same report


async def test_same_text_under_other_urls_is_recognised_as_the_same_report(tmp_path, feed_server):
    text = "Wagner fighters have left Rostov-on-Don after a deal brokered by Alexander Lukashenko"
    feed_server.set("/a", rss2([entry(1, title=text, summary="")]))
    feed_server.set("/b", atom([entry(2, base="https://mirror.example.com", title=text, summary="")]))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/a", "/b"))
    await poll(settings)
    rows = db_rows(settings, "SELECT id, same_as FROM items ORDER BY id")
    assert rows[1][1] == rows[0][0]


async def test_unreachable_host_is_an_error_of_that_source(tmp_path, feed_server):
    feed_server.set("/ok", rss2([entry(1)]))
    sources = feed_sources(feed_server, "/ok") + [{"kind": "feed", "url": "http://127.0.0.1:9/feed", "name": "dead"}]
    reports = await poll(make_settings(tmp_path, sources))
    assert reports["dead"].error.startswith("cannot connect")
    assert len(reports["ok"].new) == 1


async def test_stored_items_survive_a_failing_poll(tmp_path, feed_server):
    feed_server.set("/f", rss2([entry(1), entry(2)]))
    settings = make_settings(tmp_path, feed_sources(feed_server, "/f"))
    await poll(settings)
    feed_server.set("/f", "garbage", content_type="text/plain")
    assert (await poll(settings))["f"].error
    assert db_rows(settings, "SELECT count(*) FROM items") == [(2,)]


async def test_entries_without_a_title_are_stored_titled_by_their_first_words(tmp_path, feed_server):
    feed_server.set("/rss2", fixture_bytes("feeds/untitled-rss2.xml"), etag="")  # full body on every poll
    feed_server.set("/atom", fixture_bytes("feeds/untitled-atom.xml"), content_type="application/atom+xml", etag="")
    settings = make_settings(tmp_path, feed_sources(feed_server, "/rss2", "/atom"))
    first = await poll(settings)
    # an id alone and a picture without words are nothing a reader would see: not stored
    assert {n: len(r.new) for n, r in first.items()} == {"rss2": 2, "atom": 2}
    rows = db_rows(settings, "SELECT s.name, i.key, i.title, i.text, st.headline FROM items i "
                             "JOIN sources s ON s.id = i.source_id JOIN stories st ON st.id = i.story_id "
                             "ORDER BY s.id, i.id")
    notice = ("The northern breakwater light is out of service from Monday until further notice, the harbour "
              "master said; vessels should keep to the buoyed channel.")
    assert [(name, key.split(":")[0], title, text[:40]) for name, key, title, text, _ in rows] == [
        ("rss2", "hash", notice[:93] + "…", notice[:40]),  # cut at a word near 100 characters
        ("rss2", "hash", "Ferry timetable unchanged.", "Ferry timetable unchanged."),
        ("atom", "guid", "Crowds gathered at the square before dawn.", "Crowds gathered at the square before daw"),
        # the content is only a picture: the summary's words are the text
        ("atom", "guid", "The old bridge at sunrise, an hour before it closed to traffic.",
         "The old bridge at sunrise, an hour befor"),
    ]
    assert rows[0][3] == notice + "\n\nPilots are available."
    assert [headline for *_, headline in rows] == [title for _, _, title, _, _ in rows]  # what users are shown
    second = await poll(settings)  # keyed by their content: stored once
    assert {n: (len(r.new), r.seen) for n, r in second.items()} == {"rss2": (0, 2), "atom": (0, 2)}


def test_feeds_are_parsed_at_a_lower_priority_than_the_clustering():
    # A first pass over many feeds ends when the clusterer's process has taken the last report: where the cores are
    # too few, the parse workers give way to it (and to the main process, which stores and hands on the reports)
    own = os.nice(0)
    parsing, clustering = make_parse_executor(2), worker_pool(1)  # the clusterer's kind of worker, started after
    try:
        parsers = parsing.submit(os.nice, 0).result(timeout=60)
        clusterer = clustering.submit(os.nice, 0).result(timeout=60)
        # (asked with a builtin: a function of this module would make the worker import it, and monitor.poller)
        poller_in_parser = parsing.submit(eval, "'monitor.poller' in __import__('sys').modules").result(timeout=60)
    finally:
        parsing.shutdown()
        clustering.shutdown()
    assert parsers == min(own + PARSE_NICENESS, 19) and clusterer == own
    assert not poller_in_parser  # (nor aiohttp with it: a parse worker only parses)
