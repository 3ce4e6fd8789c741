"""Benchmark scripts record their own figures in benchmarks/RESULTS.md: when, at which commit, on which
machine, with which command line (benchmarks/results.py)."""

from __future__ import annotations

import ast
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks import results

ROOT = Path(__file__).resolve().parent.parent
# results.py records; newsday.py makes the streams the scripts measure
SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if p.name not in ("results.py", "newsday.py"))


def test_an_entry_says_when_where_and_how_it_was_measured(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n", encoding="utf-8")
    text = results.record("delivery", {"messages_per_s": 30.0, "chats": 2000, "first": {"seconds": 3.35},
                                       "quarters": [{"items": 25}]},
                          path=path, argv=[str(ROOT / "benchmarks" / "delivery.py"), "--chats", "2000"],
                          now=datetime(2026, 12, 6, 19, 5, tzinfo=UTC))
    assert path.read_text(encoding="utf-8") == "# Benchmark results\n\n" + text
    assert text.startswith("### 2026-12-06 19:05 UTC · delivery\n")
    assert "- command: `python benchmarks/delivery.py --chats 2000`\n" in text
    assert f"- machine: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n" in text
    assert "- commit: " in text
    assert "| messages_per_s | 30.0 |\n| chats | 2,000 |\n| first.seconds | 3.35 |\n" in text
    assert '"quarters": [\n  {\n   "items": 25' in text


def test_a_printed_report_is_kept_as_it_was_printed(tmp_path):
    path = tmp_path / "RESULTS.md"
    text = results.record("pair signals", "Part 1: 250 pairs\n  lexical: 0.840\n", path=path, argv=["x.py"])
    assert text.endswith("```\nPart 1: 250 pairs\n  lexical: 0.840\n```\n")


def test_the_commit_is_the_checkout_s_unless_files_other_than_the_results_changed(tmp_path):
    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path,
                              check=True, capture_output=True, text=True).stdout.strip()

    assert results.commit(tmp_path) == "unknown"
    git("init", "-q")
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "RESULTS.md").write_text("# results\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-qm", "first")
    head = git("rev-parse", "--short", "HEAD")
    assert results.commit(tmp_path) == head
    (tmp_path / "benchmarks" / "RESULTS.md").write_text("# results\n\nan entry\n")
    assert results.commit(tmp_path) == head  # recording figures does not make the next run "uncommitted"
    (tmp_path / "code.py").write_text("x = 2\n")
    assert results.commit(tmp_path) == f"uncommitted (changes on {head})"


def test_an_entry_names_the_commit_its_run_started_from(tmp_path):
    # train_scorer --write rewrites the model file before it records: read at the end, the checkout would be
    # "uncommitted" for the run's own output
    text = results.record("pair scorer", {"f1": 0.85}, path=tmp_path / "RESULTS.md", argv=["x.py"], ran_at="3eb7823")
    assert "- commit: 3eb7823\n" in text


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_benchmark_records_its_figures_unless_told_not_to(script):
    calls = {f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(ast.parse(script.read_text()))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and isinstance(node.func.value, ast.Name)}
    assert {"results.add_flag", "results.record"} <= calls, f"{script.name} does not record its figures"


def test_a_benchmark_run_appends_its_figures_and_no_record_leaves_them_out(tmp_path):
    # A copy of benchmarks/ next to the real code, so the run writes the copy's RESULTS.md.
    (tmp_path / "benchmarks").mkdir()
    for name in ("results.py", "watches.py"):
        shutil.copy(ROOT / "benchmarks" / name, tmp_path / "benchmarks" / name)
    (tmp_path / "benchmarks" / "RESULTS.md").write_text("# Benchmark results\n", encoding="utf-8")
    for package in ("monitor", "tests"):
        (tmp_path / package).symlink_to(ROOT / package)
    command = [sys.executable, "benchmarks/watches.py", "--watches", "200"]
    subprocess.run([*command, "--no-record"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    assert (tmp_path / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8") == "# Benchmark results\n"
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    recorded = (tmp_path / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert "· watches: matching reports against watches\n" in recorded
    assert "- command: `python benchmarks/watches.py --watches 200`" in recorded
    assert "| watches | 200 |" in recorded
