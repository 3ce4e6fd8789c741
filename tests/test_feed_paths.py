"""The two ways a feed body is read give the same result: the fast path (lxml's tree, feed_tree) where it is
sure of what feedparser would give, feedparser (the reference) for every other body."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.sources import feed_tree
from monitor.sources.feeds import parse_feed
from tests.conftest import fixture_bytes
from tests.fakes.feed_builder import atom, entry, rss2
from tests.fakes.feed_variants import variant
from tests.test_source_text import FORBIDDEN

URL = "https://news.example.org/feeds/world.xml"
FETCHED_AT = datetime(2024, 5, 16, 12, 0, tzinfo=UTC)
FIXTURES = ["rss2.xml", "rss1.xml", "atom.xml", "untitled-rss2.xml", "untitled-atom.xml"]
CONTENT_TYPES = ["application/rss+xml", "application/xml; charset=utf-8", "text/xml", "text/html", ""]


def both_ways(body: bytes, content_type: str = "application/rss+xml", url: str = URL):
    return (parse_feed(body, url, content_type, FETCHED_AT),
            parse_feed(body, url, content_type, FETCHED_AT, fast_path=False))


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_feeds_give_the_same_items_either_way(name, content_type):
    fast, reference = both_ways(fixture_bytes(f"feeds/{name}"), content_type)
    assert reference.items and fast == reference


def test_the_fast_path_reads_the_common_kinds_itself():
    # the fixtures (Atom with HTML and XHTML content among them) and generated RSS 2.0 and Atom: none left to feedparser
    bodies = [fixture_bytes(f"feeds/{name}") for name in FIXTURES] + [
        rss2([entry(n) for n in range(5)]).encode(), atom([entry(n) for n in range(5)]).encode()]
    for body in bodies:
        assert feed_tree.read(body, URL, "application/xml")["entries"]


def test_generated_feeds_give_the_same_items_either_way():
    kinds_read_fast = set()
    fast_count = 0
    seeds = range(300)
    for seed in seeds:
        body, content_type = variant(seed)
        fast, reference = both_ways(body, content_type)
        assert fast == reference, f"feed_variants.variant({seed})"
        try:
            kinds_read_fast.add(feed_tree.read(body, URL, content_type)["version"])
            fast_count += 1
        except feed_tree.Unsure:
            pass
    # the comparison is worth something only if the fast path read most of them, of every kind
    assert fast_count >= len(seeds) * 0.8 and kinds_read_fast == {"rss20", "rss10", "atom10"}


@pytest.mark.parametrize("url", [URL, "http://example.org", "https://example.org/a/b/?q=1#f"])
def test_relative_links_resolve_alike_against_any_feed_address(url):
    items = [entry(1, link="/story/1"), entry(2, link="story/2?utm_source=x"), entry(3, link="../3", guid=None),
             entry(4, link="", guid="4")]
    for body in (rss2(items).encode(), atom([i | {"link": i["link"] or "/4"} for i in items]).encode()):
        fast, reference = both_ways(body, "application/xml", url)
        assert fast == reference and fast.items[0].url.startswith("http")


def test_a_well_formed_hostile_feed_gives_the_same_clean_items_either_way():
    # bidi overrides and 8-bit C1 controls (CSI, OSC, ST) are characters XML allows: this feed is read fast
    hostile = "Evil \u009b31m red\u009d0;pwned\u009c \u202eexe.gpj\u202c \u2066iso\u2069 \u0085next"
    body = rss2([entry(1, title=hostile, summary=f"<p>{hostile}</p>", author=hostile)], title=hostile).encode()
    assert feed_tree.read(body, URL, "application/rss+xml")["entries"]
    fast, reference = both_ways(body)
    assert fast == reference
    values = [fast.title] + [v for item in fast.items for v in (item.title, item.text) if v]
    assert values and not any(FORBIDDEN.search(v) for v in values)


@pytest.mark.parametrize("body", [
    rss2([entry(1), entry(2)]).replace("<description>news</description>", "<description>&nbsp;</description>"),
    rss2([entry(1), entry(2)]).replace("Report 1:", "Report\x0b 1:"),
], ids=["undefined entity", "control character"])
def test_a_body_the_fast_path_cannot_read_falls_back_to_feedparser(body):
    data = body.encode()
    with pytest.raises(feed_tree.Unsure, match="not well-formed"):
        feed_tree.read(data, URL, "application/rss+xml")
    fast, reference = both_ways(data)
    assert fast == reference and len(fast.items) == 2 and fast.warning  # feedparser's lenient reading


def test_a_body_naming_a_local_file_is_not_read_from_disk(tmp_path):
    local = tmp_path / "secret.xml"
    local.write_text(rss2([entry(1, title="Read from the local disk")], title="Local file"))
    result = parse_feed(str(local).encode(), URL, "application/rss+xml", FETCHED_AT)
    assert not result.items and result.title != "Local file"
    assert "not an RSS or Atom feed" in (result.error or "")
