"""The `monitor` command as a user runs it, against loopback feeds and a real SQLite file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.storage.store import Store
from tests.conftest import write_config
from tests.fakes.feed_builder import entry, rss2


def config_for(tmp_path: Path, server, *paths: str, interval: str = "10m") -> Path:
    sources = "".join(
        f'[[sources]]\nkind = "feed"\nurl = "{server.url(p)}"\nname = "{p.strip("/")}"\ninterval = "{interval}"\n'
        for p in paths
    )
    return write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\njitter = 0\n'
                                  f'timeout = "3s"\nparse_processes = 1\n{sources}')


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_poll_once_human_and_json(tmp_path, feed_server, capsys):
    feed_server.set("/a", rss2([entry(1), entry(2)]))
    feed_server.set("/b", "nope", status=404)
    cfg = str(config_for(tmp_path, feed_server, "/a", "/b"))
    code, out, _ = run_cli(capsys, "poll-once", "-c", cfg)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["1", "a", "2", "new,", "0", "seen"]
    assert "b" in lines[1] and "error: HTTP 404 Not Found; the address is gone, check the URL" in lines[1]
    assert lines[2] == "total: 2 new items from 2 sources, 1 with errors"

    feed_server.set("/a", rss2([entry(3), entry(1), entry(2)]))
    code, out, _ = run_cli(capsys, "poll-once", "-c", cfg, "--json")
    data = json.loads(out)
    assert data["new_items"] == 1
    assert data["sources"][0] == {"id": 1, "name": "a", "url": feed_server.url("/a"), "new": 1, "seen": 2,
                                  "error": None}
    assert data["sources"][1]["error"].startswith("HTTP 404")


def test_sources_list_add_remove(tmp_path, feed_server, capsys):
    feed_server.set("/a", rss2([entry(1)]))
    feed_server.set("/extra", rss2([entry(5, base="https://other.example")]))
    cfg = str(config_for(tmp_path, feed_server, "/a"))
    code, out, _ = run_cli(capsys, "sources", "list", "-c", cfg)
    assert "not polled yet" in out and feed_server.url("/a") in out

    code, out, _ = run_cli(capsys, "sources", "add", feed_server.url("/extra"), "--name", "Extra", "-c", cfg)
    assert code == 0 and out.startswith("added source 2: Extra")
    code, _, err = run_cli(capsys, "sources", "add", feed_server.url("/extra"), "-c", cfg)
    assert code == 2 and "is already source 2" in err
    code, _, err = run_cli(capsys, "sources", "add", "ftp://x", "-c", cfg)
    assert code == 2 and "not an http(s) URL" in err

    run_cli(capsys, "poll-once", "-c", cfg)
    code, out, _ = run_cli(capsys, "sources", "list", "-c", cfg, "--json")
    listed = {s["name"]: s for s in json.loads(out)}
    assert listed["Extra"]["items"] == 1 and listed["Extra"]["origin"] == "user"
    assert listed["a"]["status"].startswith("ok ") and listed["a"]["error_count"] == 0

    code, _, err = run_cli(capsys, "sources", "remove", "1", "-c", cfg)
    assert code == 2 and "comes from the config file" in err
    code, out, _ = run_cli(capsys, "sources", "remove", "2", "-c", cfg)
    assert out.strip() == "removed source 2: Extra and its 1 item"
    code, _, err = run_cli(capsys, "sources", "remove", "99", "-c", cfg)
    assert code == 2 and "there is no source 99" in err


def test_source_removed_from_config_is_disabled_and_keeps_items(tmp_path, feed_server, capsys):
    feed_server.set("/a", rss2([entry(1)]))
    feed_server.set("/b", rss2([entry(2, base="https://b.example")]))
    cfg = str(config_for(tmp_path, feed_server, "/a", "/b"))
    run_cli(capsys, "poll-once", "-c", cfg)
    cfg = str(config_for(tmp_path, feed_server, "/a"))
    code, out, _ = run_cli(capsys, "poll-once", "-c", cfg, "--json")
    assert [s["name"] for s in json.loads(out)["sources"]] == ["a"]
    code, out, _ = run_cli(capsys, "sources", "list", "-c", cfg)
    assert "disabled (no longer in the config file)" in out and "1 item," in out


def test_opml_import_export_round_trip(tmp_path, capsys):
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n'))
    opml = tmp_path / "in.opml"
    opml.write_text("""<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>
      <outline text="News"><outline text="World"><outline type="rss" text="Deep" xmlUrl="https://deep.example/rss"/>
      </outline></outline>
      <outline type="rss" text="Top" title="Top feed" xmlUrl="https://top.example/feed.xml"/>
      <outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
    </body></opml>""")
    code, out, _ = run_cli(capsys, "sources", "import-opml", str(opml), "-c", cfg)
    assert code == 0 and "imported 2 of 3 sources" in out and "skipped javascript:alert(1)" in out
    code, out, _ = run_cli(capsys, "sources", "import-opml", str(opml), "-c", cfg)
    assert "imported 0 of 3" in out  # nothing twice

    exported = tmp_path / "out.opml"
    code, _, _ = run_cli(capsys, "sources", "export-opml", "-o", str(exported), "-c", cfg)
    text = exported.read_text()
    assert text.count('type="rss"') == 2 and 'xmlUrl="https://deep.example/rss"' in text
    # another store imports our export
    other = tmp_path / "other"
    other.mkdir()
    cfg2 = str(write_config(other, f'[storage]\npath = "{other / "m.db"}"\n'))
    code, out, _ = run_cli(capsys, "sources", "import-opml", str(exported), "-c", cfg2)
    assert "imported 2 of 2" in out

    code, _, err = run_cli(capsys, "sources", "import-opml", str(tmp_path / "none.opml"), "-c", cfg)
    assert code == 2 and "opml: cannot read" in err


def test_opml_export_then_import_restores_feeds_and_channels(tmp_path, capsys):
    """Every source comes back in a fresh database, feeds and public channels, with names and intervals."""
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n'
                                     '[[sources]]\nkind = "telegram"\nchannel = "@meduzalive"\ninterval = "2m"\n'
                                     '[[sources]]\nkind = "feed"\nurl = "https://config.example/rss"\nname = "Cfg"\n'))
    for argv in (["https://a.example/rss.xml", "--name", "A & B news", "--interval", "5m"],
                 ["https://b.example/atom"], ["@durov", "--name", "Durov", "--interval", "90s"]):
        assert run_cli(capsys, "sources", "add", *argv, "--no-check", "-c", cfg)[0] == 0

    async def bot_channel():  # a channel the bot administers: arrives as updates, cannot be polled
        store = await Store.open(str(tmp_path / "m.db"))
        await store.sources.ensure("bot_channel", "tg://channel/-1001234", "Our channel", datetime.now(UTC))
        await store.close()

    asyncio.run(bot_channel())
    exported = tmp_path / "out.opml"
    code, _, err = run_cli(capsys, "sources", "export-opml", "-o", str(exported), "-c", cfg)
    assert code == 0 and "wrote 3 feeds and 2 channels" in err and "1 channel the bot administers" in err
    text = exported.read_text()
    assert "tg://" not in text and 'htmlUrl="https://t.me/durov"' in text
    assert text.count("xmlUrl=") == 3  # readers subscribe to the feeds and skip the channels

    other = tmp_path / "other"
    other.mkdir()
    cfg2 = str(write_config(other, f'[storage]\npath = "{other / "m.db"}"\n'))
    code, out, _ = run_cli(capsys, "sources", "import-opml", str(exported), "-c", cfg2)
    assert code == 0 and "imported 5 of 5 sources" in out

    def listed(config_path: str) -> set[tuple]:
        rows = json.loads(run_cli(capsys, "sources", "list", "--json", "-c", config_path)[1])
        return {(r["kind"], r["url"], r["name"], r["interval_s"]) for r in rows if r["kind"] != "bot_channel"}

    assert listed(cfg2) == listed(cfg) == {
        ("telegram", "https://t.me/meduzalive", "@meduzalive", 120.0),
        ("feed", "https://config.example/rss", "Cfg", None),
        ("feed", "https://a.example/rss.xml", "A & B news", 300.0),
        ("feed", "https://b.example/atom", "b.example", None),
        ("telegram", "https://t.me/durov", "Durov", 90.0)}


def test_opml_export_to_a_missing_folder_is_one_line(tmp_path, capsys):
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n'))
    target = tmp_path / "missing" / "dir" / "x.opml"
    code, out, err = run_cli(capsys, "sources", "export-opml", "-o", str(target), "-c", cfg)
    assert code == 2 and out == ""
    assert err == f"monitor: opml: cannot write {target} (No such file or directory)\n"


@pytest.mark.parametrize("argv", [["-v", "sources", "list"], ["sources", "-v", "list"], ["sources", "list", "-v"],
                                  ["-v", "check-config"], ["check-config", "-v"], ["--verbose", "poll-once"],
                                  ["poll-once", "-v"], ["-v", "eval-clusters", "none.jsonl"]])
def test_verbose_before_or_after_the_command(tmp_path, capsys, argv):
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n'))
    expected = 2 if "eval-clusters" in argv else 0  # no such file: its own error, not an argument error
    assert main([*argv, "-c", cfg] if "eval-clusters" not in argv else argv) == expected
    assert "unrecognized arguments" not in capsys.readouterr().err


def test_verbose_before_the_command_logs_debug_lines(tmp_path, feed_server):
    feed_server.set("/a", rss2([entry(1)]))
    cfg = config_for(tmp_path, feed_server, "/a")
    done = subprocess.run([sys.executable, "-m", "monitor", "-v", "poll-once", "-c", str(cfg)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert " DEBUG feed: source=1 \"a\" new=1 seen=0" in done.stderr

def test_run_polls_on_schedule_and_stops_cleanly_on_sigterm(tmp_path, feed_server):
    feed_server.set("/a", rss2([entry(1)]))
    feed_server.set("/bad", "down", status=500)
    cfg = config_for(tmp_path, feed_server, "/a", "/bad", interval="0.3s")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("MONITOR_TELEGRAM_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "-c", str(cfg)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(feed_server.hits_for("/a")) < 3:
            time.sleep(0.2)
        # a new item appears while it runs: the first one's headline again (the fixture's next report, "Report 2:
        # ...", one source's numbered update a minute later, is about at the scorer's threshold: not what this is about)
        feed_server.set("/a", rss2([entry(2, title=entry(1)["title"]), entry(1)]))
        seen = len(feed_server.hits_for("/a"))
        while time.monotonic() < deadline and len(feed_server.hits_for("/a")) < seen + 2:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert len(feed_server.hits_for("/a")) >= 4  # polled again and again at its interval
    assert len(feed_server.hits_for("/bad")) < len(feed_server.hits_for("/a"))  # errors back off
    # Stories shown in the terminal as they start and grow: the near-identical second report joined the first.
    assert out.count("[new · en]  Report 1:") == 1 and out.count("[1 source, 2 reports · en]") == 1, out
    assert "Traceback" not in err and "run: stopped" in err, err
    conn = sqlite3.connect(tmp_path / "m.db")
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (2,)
    assert conn.execute("SELECT count(DISTINCT story_id), max(item_count) FROM items JOIN stories s ON s.id = story_id"
                        ).fetchone() == (1, 2)


def test_digest_prints_the_days_stories_without_a_token(tmp_path, feed_server, capsys):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    shared = {"title": "Kremlin tried to negotiate with Prigozhin, he refused",
              "summary": "The Kremlin tried to reach Wagner chief Yevgeny Prigozhin; he refused, sources say."}
    feed_server.set("/a", rss2([entry(1, at=now - timedelta(hours=1), **shared),
                                entry(2, at=now - timedelta(hours=2), title="Heatwave <b>warning</b> & more",
                                      summary="Forecasters expect 38 degrees.")]))
    feed_server.set("/b", rss2([entry(3, base="https://other.example.org", at=now - timedelta(minutes=30),
                                      **shared)]))
    cfg = str(config_for(tmp_path, feed_server, "/a", "/b"))
    code, out, _ = run_cli(capsys, "digest", "-c", cfg, "--print")
    assert code == 0 and "nothing new from the sources" in out  # nothing polled yet
    assert run_cli(capsys, "poll-once", "-c", cfg)[0] == 0
    code, out, _ = run_cli(capsys, "digest", "-c", cfg, "--print")
    assert code == 0
    assert f"📰 Digest, {now.date().isoformat()}" in out and "2 of 2 stories" in out
    assert out.index("Kremlin tried to negotiate") < out.index("Heatwave warning & more")  # 2 sources first
    # plain text, links written out; whichever feed answered first is named first
    assert "2 sources: a (https://news.example.org/story/1" in out or "2 sources: b (https://other" in out
    assert "https://news.example.org/story/1" in out and "https://other.example.org/story/3" in out
    code, _, err = run_cli(capsys, "digest", "-c", cfg, "--chat", "42")
    assert code == 2 and "no chat 42 has subscribed" in err


def test_counts_in_command_lines_take_the_plural_they_need(tmp_path, feed_server, capsys):
    feed_server.set("/one.xml", rss2([entry(1)]))
    cfg = write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\nparse_processes = 1\n'
                       f'[[sources]]\nkind = "feed"\nurl = "{feed_server.url("/one.xml")}"\nname = "One"\n')
    assert main(["poll-once", "-c", str(cfg)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "total: 1 new item from 1 source, 0 with errors"
    assert main(["sources", "list", "-c", str(cfg)]) == 0
    assert "1 item, last" in capsys.readouterr().out


def test_sources_add_reads_a_source_first_and_keeps_only_one_that_works(tmp_path, feed_server, capsys):
    # The same check as /add in chat, storing nothing: another process may be polling this database.
    feed_server.set("/good.xml", rss2([entry(1), entry(2)]))
    feed_server.set("/page.html", "<!DOCTYPE html><html><body>Our news</body></html>", content_type="text/html")
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\nparse_processes = 1\n'))
    code, out, _ = run_cli(capsys, "sources", "add", feed_server.url("/good.xml"), "-c", cfg)
    assert code == 0 and "it shows 2 reports now" in out, out
    code, _, err = run_cli(capsys, "sources", "add", feed_server.url("/page.html"), "-c", cfg)
    assert code == 2 and "not added" in err and "HTML page" in err and "--no-check" in err, err
    code, _, err = run_cli(capsys, "sources", "add", feed_server.url("/gone.xml"), "-c", cfg)
    assert code == 2 and "404" in err, err
    assert [s.url for s in asyncio.run(sources_in(tmp_path / "m.db"))] == [feed_server.url("/good.xml")]
    assert sqlite3.connect(tmp_path / "m.db").execute("SELECT count(*) FROM items").fetchone() == (0,)
    code, out, _ = run_cli(capsys, "sources", "add", feed_server.url("/gone.xml"), "--no-check", "-c", cfg)
    assert code == 0 and "shows" not in out


async def sources_in(path):
    store = await Store.open(str(path))
    try:
        return await store.sources.enabled()
    finally:
        await store.close()


def test_a_failed_add_of_a_disabled_source_keeps_it_and_its_items(tmp_path, feed_server, capsys):
    # A source dropped from the config file stays, disabled, with what it stored; adding its address again
    # reads it first, and a read that fails leaves everything as it was.
    feed_server.set("/old.xml", rss2([entry(1), entry(2)]))
    cfg = config_for(tmp_path, feed_server, "/old.xml")
    assert main(["poll-once", "-c", str(cfg)]) == 0
    dropped = str(write_config(tmp_path, f'[storage]\npath = "{tmp_path / "m.db"}"\n[polling]\nparse_processes = 1\n'))
    feed_server.set("/old.xml", "gone", status=404)
    capsys.readouterr()
    code, _, err = run_cli(capsys, "sources", "add", feed_server.url("/old.xml"), "-c", dropped)
    assert code == 2 and "404" in err, err
    db = sqlite3.connect(tmp_path / "m.db")
    assert db.execute("SELECT url, origin, enabled FROM sources").fetchall() == [
        (feed_server.url("/old.xml"), "config", 0)]
    assert db.execute("SELECT count(*) FROM items").fetchone() == (2,)
