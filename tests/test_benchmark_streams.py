"""The benchmarks' realistic news day (benchmarks/newsday.py) and the scripts that use it, run small."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import feedparser
import pytest

from benchmarks import newsday

ROOT = Path(__file__).resolve().parent.parent
WORDS = re.compile(r"\S+")


def digest(items: list[dict]) -> str:
    return hashlib.sha256(newsday.jsonl(items) + b"".join(newsday.feeds(items).values())).hexdigest()


def test_a_seed_gives_the_same_news_day_in_any_process_and_another_seed_another():
    items = newsday.reports(3, 20, 5)
    again = subprocess.run(
        [sys.executable, "-c", "import hashlib, sys; from benchmarks import newsday; from tests import "
         "test_benchmark_streams as t; print(t.digest(newsday.reports(3, 20, 5)))"],
        cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    assert again.stdout.strip() == digest(items)
    assert digest(newsday.reports(4, 20, 5)) != digest(items)


def test_every_report_is_labelled_and_stories_span_sources_and_languages():
    items = newsday.reports(3, 20, 5)
    assert len(items) == 100 and len({i["id"] for i in items}) == 100
    assert [i["published"] for i in items] == sorted(i["published"] for i in items)
    by_source = defaultdict(list)
    stories = defaultdict(list)
    for item in items:
        assert item["cluster"] and item["title"] and item["text"]
        by_source[item["source_id"]].append(item)
        stories[item["cluster"]].append(item)
        assert 6 <= len(WORDS.findall(item["title"])) <= 12
        assert 30 <= len(WORDS.findall(item["text"].split("\n")[0])) <= 80  # the body, without a signature line
    assert sorted(map(len, by_source.values())) == [5] * 20
    assert {i["lang"] for i in items} == {"en", "ru", "uk"}
    assert max(len({i["source"] for i in story}) for story in stories.values()) >= 4
    assert sum(len({i["source"] for i in story}) > 1 for story in stories.values()) >= 10
    assert sum(len({i["lang"] for i in story}) > 1 for story in stories.values()) >= 1
    assert any(len(story) == 1 for story in stories.values())


def test_the_feeds_carry_every_report_once_as_feedparser_reads_them():
    items = newsday.reports(3, 20, 5)
    by_link = {i["url"]: i for i in items}
    read = []
    for body in newsday.feeds(items).values():
        parsed = feedparser.parse(body, sanitize_html=False)
        assert not parsed.bozo
        read += [(e.link, e.title) for e in parsed.entries]
    assert sorted(read) == sorted((link, i["title"]) for link, i in by_link.items())


def test_the_jsonl_suits_eval_clusters(tmp_path):
    subprocess.run([sys.executable, "benchmarks/newsday.py", "--seed", "3", "--feeds", "20", "--per-feed", "5",
                    "--out", str(tmp_path), "--no-feeds"], cwd=ROOT, check=True, capture_output=True)
    run = subprocess.run([sys.executable, "-m", "monitor", "eval-clusters", "--json", str(tmp_path / "newsday.jsonl")],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    figures = json.loads(run.stdout)
    assert figures["items"] == 100 and figures["f1"] > 0.5


def test_the_clustering_benchmark_runs_small_and_records_nothing():
    results = (ROOT / "benchmarks" / "RESULTS.md").read_bytes()
    run = subprocess.run([sys.executable, "benchmarks/clustering.py", "--sizes", "200,400", "--measure", "100",
                          "--json", "--no-record"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert list(figures["sizes"]) == ["200", "400"]
    for size, measured in figures["sizes"].items():
        assert measured["reports"] == int(size) and measured["measured"] == 100
        assert measured["cpu_ms_per_report"] > 0 and measured["peak_rss_mb"] > 0
        assert 0.5 < measured["bcubed"]["f1"] <= 1
    assert figures["cost_ratio"] > 0
    assert (ROOT / "benchmarks" / "RESULTS.md").read_bytes() == results


@pytest.mark.slow  # about ten seconds: four fresh processes and a feed server
def test_the_polling_benchmark_runs_small_and_records_nothing():
    results = (ROOT / "benchmarks" / "RESULTS.md").read_bytes()
    # big enough that the first pass's workers live across several of the CPU samples (every 0.5 s)
    run = subprocess.run([sys.executable, "benchmarks/polling.py", "--feeds", "100", "--per-feed", "20", "--rounds",
                          "1", "--json", "--no-record"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    (measured,) = figures["rounds"]
    first = measured["first"]
    assert first["new"] == 2000 and first["statuses"] == {"200": 100}
    assert measured["bare"]["entries"] == 2000
    assert measured["second"]["new"] == 0 and measured["second"]["statuses"] == {"304": 100}
    assert measured["clustered"] == 2000
    assert measured["second"]["start_up_s"] > 0 and measured["first_over_bare_cpu"] > 0
    # where the first pass's CPU went: its own process, the clusterer's, the parse workers, the forkserver and
    # resource tracker, none counted twice; the clusterer's process (2,000 reports) is busier than the forkserver
    # the workers are started from (which once passed for it)
    parts = [first[name] for name in ("main_cpu_s", "busiest_cpu_s", "others_cpu_s", "helpers_cpu_s")]
    assert all(part > 0 for part in parts) and sum(parts) <= first["cpu_s"] + 0.1, first
    assert first["busiest_cpu_s"] > first["helpers_cpu_s"], first
    assert figures["medians"]["clusterer_floor"] == round(first["busiest_cpu_s"] / measured["bare"]["wall_s"], 2)
    assert (ROOT / "benchmarks" / "RESULTS.md").read_bytes() == results
