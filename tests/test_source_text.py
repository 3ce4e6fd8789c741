"""Text from sources is untrusted: escape sequences, control and bidi characters in feeds, channel pages,
channel posts and OPML files never reach the store, the terminal or a message."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import time
from pathlib import Path

import pytest

from monitor import app, config, terminal
from monitor.cli import main
from tests.bot.db import rows, wait_rows
from tests.conftest import make_settings, write_config
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.tme_pages import FakeChannel, FakePost, serve_channel

# A title that sets the terminal's title, colours the line, writes the clipboard (OSC 52), rings the
# bell and reverses what follows (U+202E), as a hostile source would send it.
HOSTILE = ("Evil\x1b]0;pwned\x07 title \x1b[31mred\x1b[0m\x1b]52;c;cm0gLXJmIH4K\x07 \u202eexe.gpj\u202c "
           "\u2066iso\u2069 bell\x07\x01\x7f")
SHOWN = "Evil title red exe.gpj iso bell"
# What nothing stored may contain: C0 (but line breaks in texts) and C1 controls, bidi overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ONE_LINE_COLUMNS = {"title", "headline", "name", "author", "url", "canonical_url", "guid", "key", "forwarded_from"}


def as_references(text: str) -> str:
    """The text with every control and bidi character written as an XML/HTML numeric reference."""
    return "".join(f"&#{ord(c)};" if FORBIDDEN.match(c) else c for c in text)


def unclean_values(db_path: Path) -> list[tuple[str, str, str]]:
    """(table, column, value) of every stored string with a forbidden character; of one-line columns,
    also those with a line break or a tab."""
    conn = sqlite3.connect(db_path)
    found = []
    try:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str) and (FORBIDDEN.search(value) or (
                            column in ONE_LINE_COLUMNS and re.search("[\n\t]", value))):
                        found.append((table, column, value))
    finally:
        conn.close()
    return found


def hostile_rss(write=lambda s: s) -> str:
    """An RSS 2.0 feed whose every field carries HOSTILE, written by `write` (raw or as references)."""
    h = write(HOSTILE.replace("&", "&amp;"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{h}</title><link>https://news.example.org/</link><description>x</description>
<item><title>{h}</title><link>https://news.example.org/story/1{write(chr(27))}[31m?id=1</link>
<guid isPermaLink="false">story-1{write(chr(27))}]0;x{write(chr(7))}</guid>
<description>&lt;p&gt;{h}&lt;/p&gt;&lt;p&gt;Second paragraph {h}&lt;/p&gt;</description><author>{h}</author>
<pubDate>Sat, 24 Jun 2023 06:00:00 +0000</pubDate></item>
<item><description>{h} and a body without a title</description></item>
</channel></rss>"""


@pytest.mark.parametrize("write", [lambda s: s, as_references], ids=["raw bytes", "character references"])
async def test_hostile_feed_is_stored_without_controls(tmp_path, feed_server, write):
    # Raw control bytes are not well-formed XML (feedparser then reads the feed leniently); numeric
    # references to them are refused by XML parsers too, and feedparser decodes them all the same.
    feed_server.set("/evil", hostile_rss(write))
    settings = make_settings(tmp_path, [{"kind": "feed", "url": feed_server.url("/evil"), "name": "evil"}])
    report, = await app.poll_once(settings)
    assert report.error is None and len(report.new) == 2
    assert unclean_values(tmp_path / "monitor.db") == []
    conn = sqlite3.connect(tmp_path / "monitor.db")
    item = conn.execute("SELECT title, text, author, url, guid FROM items ORDER BY id").fetchone()
    assert item == (SHOWN, f"{SHOWN}\n\nSecond paragraph {SHOWN}", SHOWN,
                    "https://news.example.org/story/1?id=1", "story-1")
    assert conn.execute("SELECT title FROM sources").fetchone() == (SHOWN,)
    conn.close()


async def test_run_prints_stories_of_a_hostile_feed_without_escape_sequences(tmp_path, feed_server):
    feed_server.set("/evil", hostile_rss())
    settings = make_settings(tmp_path, [{"kind": "feed", "url": feed_server.url("/evil"), "name": "evil"}])
    out = io.StringIO()
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(settings, stop, out=out))
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and out.getvalue().count("\n") < 4:
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
    shown = out.getvalue()
    assert f"]  {SHOWN}\n" in shown, shown
    assert FORBIDDEN.search(shown) is None, repr(shown)


async def test_hostile_channel_page_is_stored_without_controls(tmp_path, feed_server):
    channel = FakeChannel("evilchannel", title=HOSTILE)
    author = '<span class="tgme_widget_message_from_author">{}</span>'
    channel.posts = [
        FakePost(1, f"{HOSTILE}<br/>second line {HOSTILE}", forwarded_from=HOSTILE, media=author.format(HOSTILE)),
        # (the fake escapes the forwarded-from name: its references would be shown as written)
        FakePost(2, f"{as_references(HOSTILE)}<br/>second line", forwarded_from=HOSTILE,
                 media=author.format(as_references(HOSTILE))),
    ]
    serve_channel(feed_server, channel)
    settings = config.parse({"telegram": {"preview_base_url": feed_server.url("/s")},
                             "storage": {"path": str(tmp_path / "m.db")},
                             "polling": {"jitter": 0, "parse_processes": 1, "timeout": "5s"},
                             "sources": [{"kind": "telegram", "channel": "evilchannel"}]}, environ={})
    report, = await app.poll_once(settings)
    assert report.error is None and len(report.new) == 2
    assert unclean_values(tmp_path / "m.db") == []
    assert rows(tmp_path, "SELECT title, author, forwarded_from FROM items ORDER BY id") == [(SHOWN, SHOWN, SHOWN)] * 2
    assert rows(tmp_path, "SELECT title FROM sources") == [(SHOWN,)]


CHAT = {"id": -1001234567890, "type": "channel", "title": HOSTILE, "username": "evil_newsroom"}


async def test_hostile_channel_post_is_stored_and_shown_without_controls(tmp_path):
    with FakeBotApi() as bot_api:
        settings = config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root},
                                 "storage": {"path": str(tmp_path / "m.db")}, "polling": {"parse_processes": 1}},
                                environ={})
        out = io.StringIO()
        stop = asyncio.Event()
        running = asyncio.create_task(app.run(settings, stop, out=out))
        try:
            await asyncio.to_thread(bot_api.wait_for, "getUpdates")
            post = {"message_id": 5, "date": 1687590000, "chat": CHAT, "author_signature": HOSTILE,
                    "text": f"{HOSTILE}\nSecond line {HOSTILE}"}
            option = {"text": "yes", "voter_count": 0, "persistent_id": "o1"}
            poll = {"message_id": 6, "date": 1687590060, "chat": CHAT,
                    "poll": {"id": "p1", "question": HOSTILE, "options": [option], "total_voter_count": 0,
                             "is_closed": False, "is_anonymous": True, "type": "regular",
                             "allows_multiple_answers": False, "allows_revoting": True, "members_only": False}}
            bot_api.push_update({"channel_post": post})
            bot_api.push_update({"channel_post": poll})
            await wait_rows(tmp_path, "SELECT count(*) FROM items", [(2,)])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and out.getvalue().count("\n") < 4:
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.wait_for(running, 15)
    assert unclean_values(tmp_path / "m.db") == []
    assert rows(tmp_path, "SELECT title, text, author FROM items ORDER BY id") == [
        (SHOWN, f"{SHOWN}\nSecond line {SHOWN}", SHOWN), (f"[poll] {SHOWN}", f"[poll] {SHOWN}", None)]
    assert rows(tmp_path, "SELECT name FROM sources") == [(SHOWN,)]
    assert SHOWN in out.getvalue() and FORBIDDEN.search(out.getvalue()) is None, repr(out.getvalue())


def test_opml_titles_are_imported_without_controls(tmp_path, capsys):
    # XML forbids C0 controls even as references, but allows C1 controls (U+0080-U+009F) and bidi characters.
    evil = "&#x9b;31mEvil&#x9b;0m &#x202e;exe.gpj&#x202c; &#x9d;0;pwned&#x9c;feed\n  title"
    opml = tmp_path / "in.opml"
    opml.write_text(f"""<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline text="{evil}"><outline type="rss" text="{evil}" xmlUrl="https://a.example/rss"/></outline>
      <outline type="rss" title="{evil}" xmlUrl="https://b.example/rss"/>
    </body></opml>""")
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n'))
    assert main(["sources", "import-opml", str(opml), "-c", cfg]) == 0
    assert "imported 2 of 2" in capsys.readouterr().out
    assert unclean_values(tmp_path / "m.db") == []
    assert rows(tmp_path, "SELECT name FROM sources ORDER BY id") == [("Evil exe.gpj feed title",)] * 2


def test_errors_and_warnings_a_feed_provokes_are_shown_without_controls(tmp_path, feed_server, capsys):
    # feedparser quotes the feed's own XML declaration in its complaints: the feed writes the message.
    declared = '<?xml version="1.0" encoding="x\x1b]0;pwned\x07\x1b[31m"?>\n'
    feed_server.set("/warned", declared + '<rss version="2.0"><channel><title>t</title><item><title>a</title>'
                                          '<link>https://e.example/1</link></item></channel></rss>',
                    content_type="application/rss+xml")  # no charset: the declaration is read
    feed_server.set("/failed", declared + '<rss version="2.0"><channel><title>t</title></channel>',
                    content_type="application/rss+xml")
    cfg = write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\nparse_processes = 1\n'
                       + "".join(f'[[sources]]\nkind = "feed"\nurl = "{feed_server.url(p)}"\nname = "{p[1:]}"\n'
                                 for p in ("/warned", "/failed")))
    assert main(["poll-once", "-c", str(cfg)]) == 0
    shown = capsys.readouterr()
    assert "problems" in shown.out and "error" in shown.out, shown
    assert FORBIDDEN.search(shown.out + shown.err) is None, repr(shown)
    assert main(["sources", "list", "-c", str(cfg)]) == 0
    assert FORBIDDEN.search(capsys.readouterr().out) is None
    assert unclean_values(tmp_path / "m.db") == []


async def test_a_story_whose_names_hold_line_breaks_is_shown_on_its_two_lines():
    # Names from the config file, and titles stored by versions that kept line breaks, may hold them.
    from datetime import UTC, datetime

    from monitor.models import Source, Story, StoryBatch

    story = Story(7, "First line\nsecond line", "https://e.example/1", datetime(2023, 6, 24, tzinfo=UTC),
                  datetime(2023, 6, 24, tzinfo=UTC), 2, 2, ("en",), ("BBC\nWorld", "Wire\tService"))
    out = io.StringIO()
    await terminal.story_printer(out)(StoryBatch(Source(1, "feed", "https://e.example/", "x", None), (), (story,), {}))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].endswith("First line second line") and lines[1].strip().startswith("BBC World, Wire Service")


def test_opml_addresses_are_imported_without_controls(tmp_path, capsys):
    opml = tmp_path / "in.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
                    '<outline type="rss" text="a" xmlUrl="https://a.example/&#x9b;31mrss&#x202e;x"/></body></opml>')
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n'))
    assert main(["sources", "import-opml", str(opml), "-c", cfg]) == 0
    capsys.readouterr()
    assert unclean_values(tmp_path / "m.db") == []
    assert main(["sources", "list", "-c", cfg]) == 0
    assert FORBIDDEN.search(capsys.readouterr().out) is None
