"""`monitor sources …`: list, add, remove, import and export the store's sources, through the same Sources
service as the bot's /add and /remove."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path

from monitor import app
from monitor.config import Settings, source_from_argument
from monitor.config import parse_duration as parse_duration_option
from monitor.core.opml import OpmlError, parse_opml
from monitor.services.sources import Added, OpmlExport, SourceRefused
from monitor.storage.rows import RemovedSource, SourceRow
from monitor.terminal import Progress, ProgressOnTerminal, counted, fit, shows_progress, terminal_width


def cmd_sources_list(args: argparse.Namespace, settings: Settings) -> int:
    async def rows() -> list[SourceRow]:
        async with app.open_sources(settings) as sources:
            return await sources.rows()

    listed = asyncio.run(rows())
    if args.json:
        print(json.dumps([source_row_json(r) for r in listed], ensure_ascii=False, indent=2))
        return 0
    if not listed:
        print("no sources yet: add [[sources]] to the config file, or run `monitor sources add URL`")
        return 0
    width = terminal_width(sys.stdout)
    for row in listed:
        s = row.source
        last = row.last_item_at.strftime("%Y-%m-%d %H:%M") if row.last_item_at else "-"
        post = f", last post {row.state.last_post_id}" if row.state.last_post_id else ""
        items = counted(row.item_count, "item")
        print(fit(f"{s.id:>4}  {s.kind:<8} {s.name}  [{status_text(row)}]  {items}, last {last}{post}", width))
        print(f"      {s.url}  ({s.origin})")  # the address whole, even on a narrow terminal
    return 0


def status_text(row: SourceRow) -> str:
    if not row.source.enabled:
        return "disabled (no longer in the config file)"
    state = row.state
    if state.error_count:
        return f"error x{state.error_count}: {state.last_error}"
    if state.last_success_at is None:
        return "not polled yet"
    return f"ok {state.last_success_at.strftime('%Y-%m-%d %H:%M')}"


def source_row_json(row: SourceRow) -> dict:
    s, st = row.source, row.state
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "id": s.id, "kind": s.kind, "name": s.name, "url": s.url, "origin": s.origin, "enabled": s.enabled,
        "interval_s": s.interval_s, "items": row.item_count, "last_item_at": iso(row.last_item_at),
        "last_success_at": iso(st.last_success_at), "error_count": st.error_count, "last_error": st.last_error,
        "next_check_at": iso(st.next_check_at), "last_post_id": st.last_post_id, "status": status_text(row),
    }


def cmd_sources_add(args: argparse.Namespace, settings: Settings) -> int:
    interval = parse_duration_option(args.interval, "--interval") if args.interval else None
    spec = source_from_argument(args.url)
    spec = replace(spec, name=args.name.strip() or spec.name, interval_s=interval)

    async def add() -> Added:
        async with app.open_sources(settings, try_new=not args.no_check) as sources:
            return await sources.add(spec)

    try:
        added = asyncio.run(add())
    except SourceRefused as exc:
        print(f"monitor: sources: {spec.url} not added: {exc} (--no-check adds it without fetching it first)",
              file=sys.stderr)
        return 2
    source = added.source
    shows = "" if args.no_check else f"; it shows {counted(added.new_reports, 'report')} now"
    print(f"added source {source.id}: {source.name} <{source.url}>{shows}; `monitor poll-once` or a running "
          "`monitor run` stores them")
    return 0


def cmd_sources_remove(args: argparse.Namespace, settings: Settings) -> int:
    async def remove() -> RemovedSource:
        async with app.open_sources(settings) as sources:
            return await sources.remove(args.id)

    source, items = asyncio.run(remove())
    print(f"removed source {source.id}: {source.name} and its {counted(items, 'item')}")
    return 0


def cmd_sources_import_opml(args: argparse.Namespace, settings: Settings) -> int:
    try:
        outlines = parse_opml(Path(args.file).read_bytes())
    except OSError as exc:
        raise OpmlError(f"opml: cannot read {args.file} ({exc.strerror})") from None

    async def add_all(advance: Progress | None) -> tuple[int, list[str]]:
        async with app.open_sources(settings) as sources:
            return await sources.import_opml(outlines, advance)

    with ProgressOnTerminal(shows_progress()) as progress:
        added, problems = asyncio.run(add_all(progress.bars and progress.bars("importing", "sources")))
    for problem in problems:
        print(f"  skipped {problem}")
    print(f"imported {added} of {len(outlines)} sources from {args.file}")
    return 0


def cmd_sources_export_opml(args: argparse.Namespace, settings: Settings) -> int:
    async def export() -> OpmlExport:
        async with app.open_sources(settings) as sources:
            return await sources.export_opml()

    exported = asyncio.run(export())
    if args.output:
        try:
            Path(args.output).write_text(exported.text, encoding="utf-8")
        except OSError as exc:
            raise OpmlError(f"opml: cannot write {args.output} ({exc.strerror})") from None
    else:
        sys.stdout.write(exported.text)
    where = f" to {args.output}" if args.output else ""
    print(f"wrote {counted(exported.feeds, 'feed')} and {counted(exported.channels, 'channel')}{where}",
          file=sys.stderr)
    if exported.left_out:
        print(f"left out {counted(exported.left_out, 'channel')} the bot administers: they cannot be polled, and "
              "come back as sources with their next post once the bot is in them", file=sys.stderr)
    return 0

