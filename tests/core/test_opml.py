from datetime import UTC, datetime

import pytest

from monitor.core.opml import OpmlError, Outline, parse_opml, render_opml

# The shape Feedly and Inoreader export: folders as outlines without xmlUrl, nested.
READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions in feedly Cloud</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="BBC" title="BBC World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"
               htmlUrl="https://www.bbc.co.uk/news"/>
      <outline text="Europe" title="Europe">
        <outline type="rss" text="Meduza" xmlUrl="https://meduza.io/rss/all"/>
      </outline>
    </outline>
    <outline type="rss" text="Top level" xmlUrl="https://example.org/feed"/>
    <outline type="rss" text="Again" xmlUrl="https://example.org/feed"/>
  </body>
</opml>"""


def test_reader_export_with_nested_folders():
    assert parse_opml(READER_EXPORT) == [
        Outline("https://feeds.bbci.co.uk/news/world/rss.xml", "BBC World", "News"),
        Outline("https://meduza.io/rss/all", "Meduza", "News/Europe"),
        Outline("https://example.org/feed", "Top level", ""),
    ]


def test_round_trip():
    outlines = [Outline("https://a.example/rss", "A & B"), Outline("https://b.example/atom", "Б")]
    text = render_opml(outlines, "monitor", datetime(2023, 6, 24, tzinfo=UTC))
    assert 'type="rss"' in text and 'xmlUrl="https://a.example/rss"' in text and "A &amp; B" in text
    assert parse_opml(text) == outlines


@pytest.mark.parametrize("text,message", [("<opml><body>", "not well-formed"), ("<rss/>", "not <opml>"),
                                          ("<opml version='2.0'/>", "no <body>")])
def test_bad_opml(text, message):
    with pytest.raises(OpmlError, match=message):
        parse_opml(text)
