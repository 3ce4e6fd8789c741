"""The reference pages under docs/ are what the code says now: regenerated in memory and compared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docs import generate
from monitor.storage.schema import COLUMNS

ROOT = Path(__file__).resolve().parent.parent


def test_the_generated_pages_on_disk_are_up_to_date():
    stale = generate.stale()
    assert not stale, (f"stale: {', '.join(f'docs/{name}' for name in stale)}; run `{generate.COMMAND}` "
                       "and commit the pages")


def test_a_page_that_differs_from_the_code_is_found(tmp_path):
    for name, text in generate.pages().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert generate.stale(tmp_path) == []
    page = tmp_path / "config.md"
    page.write_text(page.read_text(encoding="utf-8").replace("`telegram.token`", "`telegram.tokn`")
                    .replace("| `token` |", "| `tokn` |"), encoding="utf-8")
    (tmp_path / "bot.md").unlink()
    assert generate.stale(tmp_path) == ["config.md", "bot.md"]


def test_the_check_command_names_the_stale_page_and_the_command_that_refreshes_it(tmp_path, monkeypatch, capsys):
    for name, text in generate.pages().items():
        (tmp_path / name).write_text(text + ("edited by hand\n" if name == "schema.md" else ""), encoding="utf-8")
    monkeypatch.setattr(generate, "DOCS", tmp_path)
    assert generate.main(["--check"]) == 1
    assert capsys.readouterr().err == "docs/schema.md is stale: run `python -m docs.generate`\n"
    assert generate.main([]) == 0 and generate.main(["--check"]) == 0


def test_a_column_without_a_description_stops_the_generator(monkeypatch):
    monkeypatch.delitem(COLUMNS["items"], "text_days")
    monkeypatch.setitem(COLUMNS["stories"], "colour", "what no migration makes")
    with pytest.raises(AssertionError, match=r"items\.text_days has no description.*stories\.colour, which no migr"):
        generate.schema_page()


def test_a_watch_example_that_the_parser_does_not_bear_out_stops_the_generator(monkeypatch):
    monkeypatch.setattr(generate, "WATCH_EXAMPLES", (("Kremlin", ("Кремль заявил",), ()),))
    with pytest.raises(AssertionError, match="'Kremlin' misses 'Кремль заявил'"):
        generate.bot_page()



def test_the_readme_links_every_reference_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [*generate.PAGES, "deduplication.md"]:
        assert (ROOT / "docs" / name).exists()
        assert re.search(rf"\]\(docs/{re.escape(name)}\)", readme), f"README does not link docs/{name}"
    assert "](benchmarks/RESULTS.md)" in readme and (ROOT / "benchmarks" / "RESULTS.md").exists()


def test_the_readme_stays_a_page_for_users():
    # Figures live in benchmarks/RESULTS.md, written by the scripts; the README never copies them.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    assert not re.findall(r"\b20\d\d-\d\d-\d\d\b", readme), "dates of measurements belong in benchmarks/RESULTS.md"
    assert not re.findall(r"\b0\.\d{3}\b", readme), "scores belong in benchmarks/RESULTS.md"
    assert not re.findall(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b", readme), "no commit hashes"
