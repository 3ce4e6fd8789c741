"""Benchmark figures recorded where they are kept: each script in benchmarks/ appends an entry to
benchmarks/RESULTS.md after it runs, saying when (UTC), at which commit, on which machine and with which
command line it measured what. Figures are never copied there by hand.

    parser = argparse.ArgumentParser(...)
    results.add_flag(parser)                 # --no-record
    ...
    if not args.no_record:
        results.record("lexical backend", figures)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().with_name("RESULTS.md")


def add_flag(parser: argparse.ArgumentParser) -> None:
    """The --no-record flag: print the figures without appending them to benchmarks/RESULTS.md."""
    parser.add_argument("--no-record", action="store_true",
                        help="only print the figures; do not append them to benchmarks/RESULTS.md")


def commit(root: Path = ROOT) -> str:
    """The checkout's commit (short hash); "uncommitted" with it when files other than RESULTS.md have
    changed (what ran is then not that commit), "unknown" outside a git checkout."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--", ".", f":!{RESULTS.relative_to(ROOT)}")
    except (OSError, subprocess.CalledProcessError, ValueError):
        return "unknown"
    return f"uncommitted (changes on {head})" if changed else head


def machine() -> str:
    """Host name, CPU count and Python version: figures from different machines do not compare."""
    return f"{platform.node() or 'unknown host'}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed from the repository's root, to run it again."""
    argv = list(sys.argv if argv is None else argv)
    script = Path(argv[0]).resolve()
    if script.is_relative_to(ROOT):
        argv[0] = str(script.relative_to(ROOT))
    return shlex.join(["python", *argv])


def entry(title: str, figures: dict | str, now: datetime, commit_: str, machine_: str, command: str) -> str:
    """One entry as Markdown: a heading, where it was measured, then the figures (a table of the values,
    JSON for lists, or the printed report as it is)."""
    lines = [f"### {now:%Y-%m-%d %H:%M} UTC · {title}", "",
             f"- command: `{command}`", f"- commit: {commit_}", f"- machine: {machine_}", ""]
    if isinstance(figures, str):
        lines += ["```", figures.rstrip("\n"), "```"]
    else:
        flat = _flat(figures)
        plain = {k: v for k, v in flat.items() if isinstance(v, str | int | float | bool) or v is None}
        nested = {k: v for k, v in flat.items() if k not in plain}
        if plain:
            lines += ["| figure | value |", "| --- | --- |"]
            lines += [f"| {key} | {_value(value)} |" for key, value in plain.items()]
        if nested:
            lines += ["", "```json", json.dumps(nested, ensure_ascii=False, indent=1), "```"]
    return "\n".join(lines) + "\n"


def _flat(figures: dict, prefix: str = "") -> dict:
    """Nested figures as one level: {"first": {"seconds": 3}} → {"first.seconds": 3}."""
    flat: dict = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _value(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def record(title: str, figures: dict | str, path: Path | None = None, argv: list[str] | None = None,
           now: datetime | None = None, ran_at: str | None = None) -> str:
    """Append an entry for figures measured just now to benchmarks/RESULTS.md (or `path`); return it. `ran_at`: the
    commit the run started from (`commit()` read before it wrote any file of the checkout, as train_scorer writes
    the model it fitted); read now when not given."""
    text = entry(title, figures, now or datetime.now(UTC), ran_at or commit(), machine(), command_line(argv))
    path = path or RESULTS
    with path.open("a", encoding="utf-8") as results:
        results.write("\n" + text)
    print(f"recorded in {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", file=sys.stderr)
    return text
