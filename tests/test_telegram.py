"""Public Telegram channels through t.me/s previews: real saved pages, and a loopback t.me server."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime

import pytest

from monitor import app, config
from monitor.cli import main
from monitor.sources.telegram_preview import parse_preview
from tests.conftest import FIXTURES, write_config
from tests.fakes.feed_builder import entry, rss2
from tests.fakes.tme_pages import FakeChannel, FakePost, serve_channel

NOW = datetime(2023, 6, 24, 12, 0, tzinfo=UTC)
REAL = FIXTURES / "tme-preview"


def real(name: str, channel: str = "chan"):
    return parse_preview((REAL / name).read_bytes(), channel, NOW)


# -- the parser on pages Telegram really served ------------------------------------------------

def test_real_full_page():
    page = real("full.html", "topwar_official")
    assert page.error is None and page.title == "Военное обозрение"
    ids = [p.id for p in page.posts]
    assert len(ids) == 12 and ids == sorted(ids) and ids[0] == 70989 and ids[-1] == 71008
    assert page.older_before == 70989
    first = page.posts[0].item
    assert first.url == "https://t.me/topwar_official/70989" and first.key == "post:70989"
    assert first.published_at == datetime(2023, 2, 28, 7, 47, 53, tzinfo=UTC)
    assert first.views == 37200
    assert first.title.startswith("В Санкт-Петербурге в небо над городом подняли истребители")
    assert "\n" in first.text and "  " not in first.text  # <br> kept, layout whitespace folded


def test_real_forwarded_post():
    item = real("message_media_forwarded_from.html").posts[0].item
    assert item.forwarded_from == "Пул N3"
    assert item.text.startswith("Британская разведка выяснила")


def test_real_posts_keep_link_targets_and_paragraphs():
    item = real("message_media_photo_and_video.html").posts[0].item
    assert "@anna_news (https://t.me/anna_news)" in item.text
    assert "\n\n" in item.text
    voice = real("message_voice.html").posts[0].item
    assert "- Сталина не забыть\n- Плохие фильмы" in voice.text


def test_real_link_preview_gives_the_headline():
    item = real("message_link_preview.html").posts[0].item
    assert item.title == "Георгий Зотов: ОККУПАЦИЯ ВОЛОСАТЫМ КРАБОМ"
    assert item.text.startswith("https://vnnews.ru/georgiy-zotov")


@pytest.mark.parametrize("name,text", [("message_media_round_video.html", "[round video]"),
                                       ("message_poll.html", "[poll] Как лучше?"),
                                       ("message_sticker.html", "[sticker]")])
def test_real_media_only_posts_are_described(name, text):
    assert real(name).posts[0].item.text == text


def test_real_author_signature():
    assert real("message_with_from_author.html").posts[0].item.author.endswith("rkadiy Ivanov")


LAYOUT_CHANGED = "no posts found in the page: the layout may have changed"


@pytest.mark.parametrize("body,message", [(b"", LAYOUT_CHANGED),
                                          (b"<html><body><div class='tgme_page'>Join</div></body></html>",
                                           "private, unknown, or hides its preview"),
                                          (b"\x00\xff garbage <<<", LAYOUT_CHANGED)])
def test_pages_without_posts_are_errors(body, message):
    assert message in parse_preview(body, "chan", NOW).error


def test_media_only_post_with_real_photo_markup_and_entities():
    channel = FakeChannel("newsroom")
    channel.posts = [
        FakePost(1, "", NOW, media=(REAL / "media_photo.html").read_text()),
        FakePost(2, "Tom &amp; Jerry &lt;b&gt; &quot;quoted&quot; &#8212; dash <a href='https://x.org/?a=1&amp;amp;b=2'>"
                    "here</a> <i class='emoji'><b>✅</b></i>", NOW),
    ]
    page = parse_preview(channel.page().encode(), "newsroom", NOW)
    photo, text = (p.item for p in page.posts)
    assert photo.text == "[photo]" and photo.title == "Photo from Test channel"
    assert text.text == 'Tom & Jerry <b> "quoted" — dash here (https://x.org/?a=1&b=2) ✅'


# -- polling channels over loopback HTTP -------------------------------------------------------

def channel_settings(tmp_path, server, *channels: str, backfill: int | None = None, feeds=()):
    sources = []
    for name in channels:
        source = {"kind": "telegram", "channel": name}
        if backfill is not None:
            source["backfill"] = backfill
        sources.append(source)
    sources += [{"kind": "feed", "url": server.url(p), "name": p} for p in feeds]
    return config.parse({"telegram": {"preview_base_url": server.url("/s")},
                         "storage": {"path": str(tmp_path / "m.db")},
                         "polling": {"jitter": 0, "parse_processes": 1, "timeout": "5s"}, "sources": sources},
                        environ={})


async def poll(settings):
    return {r.source.name: r for r in await app.poll_once(settings)}


def post_ids(settings, name: str) -> list[int]:
    conn = sqlite3.connect(settings.storage.path)
    rows = conn.execute("SELECT i.key FROM items i JOIN sources s ON s.id = i.source_id WHERE s.name = ? "
                        "ORDER BY i.id", (name,)).fetchall()
    conn.close()
    return [int(k.split(":")[1]) for (k,) in rows]


def requests(server, channel: str) -> list[str]:
    return [h.path for h in server.hits if h.path.startswith(f"/s/{channel}")]


async def test_first_poll_backfills_then_only_newer_posts(tmp_path, feed_server):
    channel = FakeChannel("wagnernews")
    channel.add(50, start_id=1000, gap=3)  # ids with gaps, as real channels have
    serve_channel(feed_server, channel)
    settings = channel_settings(tmp_path, feed_server, "@wagnernews", backfill=30)

    report = (await poll(settings))["@wagnernews"]
    ids = post_ids(settings, "@wagnernews")
    assert len(report.new) == 30 and ids == [p.id for p in channel.posts[-30:]]
    assert requests(feed_server, "wagnernews") == ["/s/wagnernews", "/s/wagnernews?before=1090"]

    feed_server.hits.clear()
    assert len((await poll(settings))["@wagnernews"].new) == 0
    assert requests(feed_server, "wagnernews") == ["/s/wagnernews"]  # one request when nothing is new

    channel.add(3, gap=3)
    feed_server.hits.clear()
    report = (await poll(settings))["@wagnernews"]
    assert [s.item.key for s in report.new] == [f"post:{p.id}" for p in channel.posts[-3:]]
    assert requests(feed_server, "wagnernews") == ["/s/wagnernews"]


async def test_a_gap_longer_than_a_page_is_filled_without_repeats(tmp_path, feed_server):
    channel = FakeChannel("fastchannel")
    channel.add(10)
    serve_channel(feed_server, channel)
    settings = channel_settings(tmp_path, feed_server, "fastchannel")
    await poll(settings)
    channel.add(47)  # more than two pages appear between polls
    report = (await poll(settings))["@fastchannel"]
    assert len(report.new) == 47
    ids = post_ids(settings, "@fastchannel")
    assert ids == sorted(set(ids)) and ids == [p.id for p in channel.posts]
    assert len(requests(feed_server, "fastchannel")) == 1 + 3


async def test_default_backfill_is_twenty(tmp_path, feed_server):
    channel = FakeChannel("bigchannel")
    channel.add(60)
    serve_channel(feed_server, channel)
    settings = channel_settings(tmp_path, feed_server, "https://t.me/s/bigchannel")
    assert len((await poll(settings))["@bigchannel"].new) == 20


async def test_unknown_or_private_channel_is_reported(tmp_path, feed_server):
    feed_server.set("/s/hiddenchan", redirect_to="/hiddenchan", status=302)
    feed_server.set("/hiddenchan", "<html><body>Join channel</body></html>", content_type="text/html")
    feed_server.set("/s/brokenchan", "<html><body><div>Nothing here</div></body></html>", content_type="text/html")
    settings = channel_settings(tmp_path, feed_server, "hiddenchan", "brokenchan")
    reports = await poll(settings)
    assert "@hiddenchan has no public preview" in reports["@hiddenchan"].error
    assert reports["@brokenchan"].error.startswith(LAYOUT_CHANGED)


def test_a_page_without_posts_is_an_error_unless_it_is_an_empty_channels(tmp_path, feed_server, capsys):
    changed = FakeChannel("renamedchan", title="Renamed layout")
    changed.add(3)
    # Telegram renames its classes: the history is there, its posts are not where the reader looks
    feed_server.set("/s/renamedchan", changed.page().replace("tgme_widget_message", "tgme_widget_post"),
                    content_type="text/html")
    feed_server.set("/s/otherchan", "<!DOCTYPE html><html><body><main><article>Welcome to our new site"
                                    "</article></main></body></html>", content_type="text/html")
    serve_channel(feed_server, FakeChannel("emptychan", title="Empty but public"))  # header, empty history
    cfg = write_config(tmp_path, f"""
[telegram]
preview_base_url = "{feed_server.url('/s')}"
[storage]
path = "{tmp_path / 'm.db'}"
[polling]
parse_processes = 1
""" + "".join(f'[[sources]]\nkind = "telegram"\nchannel = "{name}"\n'
              for name in ("renamedchan", "otherchan", "emptychan")))
    assert main(["poll-once", "-c", str(cfg), "--json"]) == 0
    polled = {s["name"]: s for s in json.loads(capsys.readouterr().out)["sources"]}
    assert polled["@renamedchan"]["error"].startswith(LAYOUT_CHANGED)
    assert polled["@otherchan"]["error"].startswith(LAYOUT_CHANGED)
    assert polled["@emptychan"]["error"] is None and polled["@emptychan"]["new"] == 0
    assert main(["sources", "list", "-c", str(cfg), "--json"]) == 0
    status = {s["name"]: s["status"] for s in json.loads(capsys.readouterr().out)}
    assert status["@renamedchan"].startswith(f"error x1: {LAYOUT_CHANGED}")
    assert status["@otherchan"].startswith(f"error x1: {LAYOUT_CHANGED}")
    assert status["@emptychan"].startswith("ok ")


async def test_media_only_posts_are_titled_by_caption_or_channel(tmp_path, feed_server):
    photo = (REAL / "media_photo.html").read_text()
    channel = FakeChannel("photodesk", title="Photo Desk Daily")
    channel.posts = [FakePost(1, "", NOW, media=photo),
                     FakePost(2, "Flooded streets in Kherson after the dam burst<br/>More in the morning", NOW,
                              media=photo),
                     FakePost(3, "", NOW, media=photo + '<div class="tgme_widget_message_video_player"></div>')]
    serve_channel(feed_server, channel)
    settings = channel_settings(tmp_path, feed_server, "photodesk")
    assert len((await poll(settings))["@photodesk"].new) == 3
    conn = sqlite3.connect(settings.storage.path)
    stored = conn.execute("SELECT i.title, i.text, s.headline FROM items i JOIN stories s ON s.id = i.story_id "
                          "ORDER BY i.id").fetchall()
    conn.close()
    assert [(title, text) for title, text, _ in stored] == [
        ("Photo from Photo Desk Daily", "[photo]"),
        ("Flooded streets in Kherson after the dam burst", "Flooded streets in Kherson after the dam burst\n"
                                                           "More in the morning"),
        ("Photo, video from Photo Desk Daily", "[photo, video]"),
    ]
    assert {headline for *_, headline in stored} <= {title for title, *_ in stored}  # what users are shown


async def test_channel_rate_limit_backs_off(tmp_path, feed_server):
    feed_server.set("/s/busychan", "Too Many Requests", status=429, headers={"Retry-After": "600"})
    settings = channel_settings(tmp_path, feed_server, "busychan")
    report = (await poll(settings))["@busychan"]
    assert "429" in report.error and (report.next_check_at - datetime.now(UTC)).total_seconds() >= 590


def test_poll_once_with_feeds_and_channels_and_sources_list(tmp_path, feed_server, capsys):
    channel = FakeChannel("mixchannel")
    channel.add(5, start_id=500)
    serve_channel(feed_server, channel)
    feed_server.set("/feed", rss2([entry(1), entry(2)]))
    cfg = write_config(tmp_path, f"""
[telegram]
preview_base_url = "{feed_server.url('/s')}"
[storage]
path = "{tmp_path / 'm.db'}"
[polling]
parse_processes = 1
[[sources]]
kind = "feed"
url = "{feed_server.url('/feed')}"
name = "Feed"
[[sources]]
kind = "telegram"
channel = "t.me/mixchannel"
""")
    assert main(["poll-once", "-c", str(cfg), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["new_items"] == 7
    assert main(["poll-once", "-c", str(cfg), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["new_items"] == 0  # stored once
    assert main(["sources", "list", "-c", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "telegram @mixchannel" in out and "last post 504" in out and "https://t.me/mixchannel" in out
    assert main(["sources", "list", "-c", str(cfg), "--json"]) == 0
    listed = {s["name"]: s for s in json.loads(capsys.readouterr().out)}
    assert listed["@mixchannel"]["last_post_id"] == 504 and listed["@mixchannel"]["items"] == 5


@pytest.mark.parametrize("value", ["durov", "@durov", "t.me/durov", "https://t.me/s/durov", "https://t.me/durov/"])
def test_channel_forms_in_config(value):
    settings = config.parse({"sources": [{"kind": "telegram", "channel": value}]}, environ={})
    assert settings.sources[0].url == "https://t.me/durov" and settings.sources[0].name == "@durov"
    assert settings.sources[0].backfill == 20


@pytest.mark.parametrize("source,message", [
    ({"kind": "telegram", "channel": "no"}, "is not a public channel name; write it as name, @name"),
    ({"kind": "telegram"}, "has no channel; add e.g. channel = "),
    ({"kind": "telegram", "channel": "durov", "url": "https://x.org"}, "'url' does not apply to kind = 'telegram'"),
    ({"kind": "feed", "url": "https://x.org", "backfill": 3}, "'backfill' does not apply to kind = 'feed'"),
])
def test_bad_channel_config(source, message):
    with pytest.raises(config.ConfigError, match=message):
        config.parse({"sources": [source]}, environ={})


def test_sources_add_accepts_a_channel(tmp_path, feed_server, capsys):
    channel = FakeChannel("durov", title="Durov's Channel")
    channel.add(3)
    serve_channel(feed_server, channel)
    cfg = str(write_config(tmp_path, f'[telegram]\npreview_base_url = "{feed_server.url("/s")}"\n'
                                     f'[storage]\npath = "{tmp_path / "m.db"}"\n'))
    assert main(["sources", "add", "@durov", "-c", cfg]) == 0
    assert capsys.readouterr().out.startswith("added source 1: @durov <https://t.me/durov>; it shows 3 reports")
    assert main(["sources", "add", "https://t.me/s/durov", "-c", cfg]) == 2
    assert "already source 1" in capsys.readouterr().err
    assert main(["sources", "add", "@no", "-c", cfg]) == 2
    assert "'@no' is not a public channel name" in capsys.readouterr().err


def test_a_page_whose_posts_cannot_be_read_is_an_error(tmp_path, feed_server, capsys):
    channel = FakeChannel("oddchan", title="Odd ids")
    channel.add(3)
    channel.add(4)
    # the markup is as expected, but the post ids are not: nothing is read, which is not an empty channel
    feed_server.set("/s/oddchan", re.sub(r'data-post="oddchan/(\d+)"', r'data-post="oddchan/p\1"', channel.page()),
                    content_type="text/html")
    cfg = write_config(tmp_path, f'[telegram]\npreview_base_url = "{feed_server.url("/s")}"\n[storage]\n'
                                 f'path = "{tmp_path / "m.db"}"\n[polling]\nparse_processes = 1\n'
                                 '[[sources]]\nkind = "telegram"\nchannel = "oddchan"\n')
    assert main(["poll-once", "-c", str(cfg), "--json"]) == 0
    polled, = json.loads(capsys.readouterr().out)["sources"]
    assert (polled["error"] or "").startswith(LAYOUT_CHANGED), polled
