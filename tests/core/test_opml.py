import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from monitor.core.opml import NAMESPACE, OpmlError, Outline, parse_opml, render_opml

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


def test_channels_travel_as_elements_readers_skip_with_intervals_and_backfill():
    outlines = [Outline("https://a.example/rss", "A", interval_s=300.0),
                Outline("https://t.me/durov", "Durov", kind="telegram", interval_s=90.0, backfill=0)]
    text = render_opml(outlines, "monitor", datetime(2023, 6, 24, tzinfo=UTC))
    assert parse_opml(text) == outlines
    body = ET.fromstring(text).find("body")
    # what a feed reader walks: <outline> elements; the channel is not one, so it is skipped
    assert [o.get("xmlUrl") for o in body.iter("outline")] == ["https://a.example/rss"]


@pytest.mark.parametrize("interval,backfill", [("soon", "-1"), ("0", "x"), ("inf", "2.5"), ("nan", "")])
def test_unusable_monitor_attributes_fall_back_to_the_defaults(interval, backfill):
    text = (f'<opml version="2.0" xmlns:monitor="{NAMESPACE}"><body>'
            f'<monitor:channel text="D" htmlUrl="https://t.me/durov" monitor:interval="{interval}" '
            f'monitor:backfill="{backfill}"/></body></opml>')
    assert parse_opml(text) == [Outline("https://t.me/durov", "D", kind="telegram")]
