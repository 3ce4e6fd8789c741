"""The `monitor` command: a thin layer that parses arguments, calls app/store, and prints."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from monitor import app
from monitor.config import (
    DEDUP_BACKENDS,
    DEFAULT_PATH,
    ENV_PATH,
    OPTIONS,
    ConfigError,
    Settings,
    load,
    source_from_argument,
)
from monitor.config import parse_duration as parse_duration_option
from monitor.core.clustering import ClusterSettings
from monitor.core.html import html_to_text
from monitor.core.opml import OpmlError, parse_opml
from monitor.embedding import EmbeddingError, load_embedder
from monitor.poller import PollReport
from monitor.services.sources import Added, OpmlExport
from monitor.storage.database import StoreError
from monitor.storage.rows import RemovedSource, SourceRow
from monitor.terminal import Progress, ProgressOnTerminal, counted, fit, shows_progress, terminal_width

log = logging.getLogger("monitor")


def build_parser() -> argparse.ArgumentParser:
    # -v before or after the command: every level takes it, and SUPPRESS keeps a level where it is not given
    # from resetting what another level set (argparse copies a subcommand's defaults over its parent's).
    verbosity = argparse.ArgumentParser(add_help=False)
    verbosity.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                           help="log debug details to stderr")
    common = argparse.ArgumentParser(add_help=False, parents=[verbosity])
    common.add_argument(
        "-c", "--config", metavar="PATH",
        help=f"config file (default: ${ENV_PATH}, else ./{DEFAULT_PATH})",
    )

    parser = argparse.ArgumentParser(
        prog="monitor", parents=[verbosity],
        description="Watch news feeds and Telegram channels, cluster reports into stories, push them to Telegram.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run", parents=[common], help="poll every source on its schedule until stopped",
        description="Poll every enabled source on its own schedule until Ctrl-C or SIGTERM (polls in flight finish "
                    "storing what they fetched); with a bot token, the bot runs too. New items are clustered into "
                    "stories, and each story is printed when it starts and each time it grows. On start it first "
                    "rebuilds the deduplicator's window from the store. Sources added with `monitor sources add` "
                    "while it runs are picked up within 30 s.")
    run.set_defaults(handler=cmd_run)

    once = commands.add_parser("poll-once", parents=[common], help="poll every source once, due or not",
                               description="One pass over every enabled source, due or not; new items are clustered "
                                           "into stories as in `run`. Prints a line per source (new, seen, not "
                                           "modified or the error) and a total. The exit status is 0 once the pass "
                                           "is done, even if some sources failed.")
    once.add_argument("--json", action="store_true",
                      help='print one JSON object instead of lines: `{"sources": [{"id", "name", "url", "new", "seen", '
                           '"error"}], "new_items": N}`')
    once.set_defaults(handler=cmd_poll_once)

    digest = commands.add_parser(
        "digest", parents=[common], help="print a digest of the last 24 hours in the terminal",
        description="Print the daily digest as a chat would get it (--chat ID), or of all sources (--print), "
                    "as plain text with links; needs no bot token. Polls nothing: run `monitor poll-once` first "
                    "on a fresh database.")
    which = digest.add_mutually_exclusive_group(required=True)
    which.add_argument("--chat", type=int, metavar="ID", help="the digest of this subscribed chat")
    which.add_argument("--print", action="store_true", dest="everything",
                       help="the digest of all sources, in English, in digest.default_timezone")
    digest.set_defaults(handler=cmd_digest)

    check = commands.add_parser("check-config", parents=[common], help="validate the config file and summarise it",
                                description="Validate the config file; print a summary or the one problem found.")
    check.set_defaults(handler=cmd_check_config)

    evaluate = commands.add_parser(
        "eval-clusters", parents=[verbosity], help="measure the deduplicator on a labelled JSON Lines file",
        description="Feed labelled items (JSON Lines, optionally .gz: id, lang, published, source, title, text, "
                    "cluster) through the clusterer in published order (a source given as an article's address "
                    "counts as its site); print BCubed precision, recall and F1, stories made, items per second, "
                    "texts embedded and peak memory. Bad lines are reported by line number and skipped. Needs no "
                    "config file.")
    evaluate.add_argument("file", metavar="FILE", help="JSON Lines, one item a line (.gz accepted)")
    evaluate.add_argument("--json", action="store_true",
                          help='print one JSON object: `{"precision", "recall", "f1", "stories", "items", '
                               '"items_per_s", "peak_rss_mb", "embedded"}`')
    evaluate.add_argument("--assignments", metavar="PATH", help="also write `id<TAB>story id` lines to PATH")
    evaluate.add_argument("--pairs", metavar="FILE",
                          help='labelled pairs (JSON Lines: a, b, label 1/0) to score "same story" precision/recall')
    evaluate.add_argument("--threshold", type=float, default=None, help="similarity that joins a story")
    evaluate.add_argument("--cross-threshold", type=float, default=None,
                          help="similarity that joins a story with no report in the item's language")
    evaluate.add_argument("--long-threshold", type=float, default=None,
                          help="similarity that joins a story when it and the item are all full articles")
    evaluate.add_argument("--window", default=None, help='how long a story takes new reports, e.g. "36h"')
    evaluate.add_argument("--backend", choices=DEDUP_BACKENDS, default=DEDUP_BACKENDS[0],
                          help="how reports are compared, as [dedup] backend (default: %(default)s)")
    evaluate.set_defaults(handler=cmd_eval_clusters, needs_config=False)

    sources = commands.add_parser("sources", parents=[verbosity], help="list and manage the sources in the store",
                                  description="Manage the store's sources (config-file sources are synced in first).")
    actions = sources.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", parents=[common], help="show every source with its status",
        description="Every source with its id, kind, name, status (ok and when, error xN and the message, not "
                    "polled yet, disabled), items and the newest item's time, a channel's last post id, URL and "
                    "origin (config, user, chat or bot).")
    listing.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    listing.set_defaults(handler=cmd_sources_list)
    add = actions.add_parser("add", parents=[common], help="add a feed by URL, or a public channel by @name",
                             description="Add a feed by its URL, or a public Telegram channel, to the store "
                                         "(origin user). `monitor poll-once` fetches it at once.")
    add.add_argument("url", metavar="URL|@channel",
                     help="a feed's address (http or https), or a channel as @name, t.me/name or https://t.me/s/name")
    add.add_argument("--name", default="", help="display name (default: the feed's host name or the channel's @name)")
    add.add_argument("--interval", default=None, help='poll interval, e.g. "5m" (default: polling.default_interval)')
    add.set_defaults(handler=cmd_sources_add)
    remove = actions.add_parser("remove", parents=[common], help="remove a source added by command, with its items",
                                description="Remove a source added by command or from chat, and its items. Sources "
                                            "from the config file are removed by deleting them there.")
    remove.add_argument("id", metavar="ID", type=int, help="the source id `sources list` shows")
    remove.set_defaults(handler=cmd_sources_remove)
    opml_in = actions.add_parser("import-opml", parents=[common],
                                 help="add every feed of an OPML file (and the channels of monitor's own export)",
                                 description="Add every feed (xmlUrl) of an OPML file, at any folder depth: the "
                                             "exports of Feedly, Inoreader, Thunderbird and most readers, and the "
                                             "channels of monitor's own export. Sources already present are "
                                             "skipped.")
    opml_in.add_argument("file", metavar="FILE", help="an OPML export of Feedly, Inoreader, Thunderbird, …")
    opml_in.set_defaults(handler=cmd_sources_import_opml)
    opml_out = actions.add_parser("export-opml", parents=[common],
                                  help="write the feeds and public channels as OPML",
                                  description="Write the feeds and public channels as OPML 2.0, with names and "
                                              "intervals: importing the file into a fresh database restores them "
                                              "all. Channels the bot administers are left out (nothing can poll "
                                              "them; they come back with their next post).")
    opml_out.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    opml_out.set_defaults(handler=cmd_sources_export_opml)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr,
    )
    # httpx logs every request at INFO, URL included: too chatty for a poller of many sources.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # python-telegram-bot tells each step of starting and stopping at INFO; -v shows them.
    if not getattr(args, "verbose", False):
        logging.getLogger("telegram").setLevel(logging.WARNING)
    try:
        if not getattr(args, "needs_config", True):
            return args.handler(args, None) or 0
        settings = load(args.config)
        if settings.telegram.token:
            for handler in logging.getLogger().handlers:
                handler.addFilter(_Redact(settings.telegram.token))
        return args.handler(args, settings) or 0
    except (ConfigError, StoreError, OpmlError, app.BotError, EmbeddingError) as exc:
        print(f"monitor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


class _Redact(logging.Filter):
    """Keeps the bot token out of every log line, whoever logs it (libraries put it in URLs)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        return True


# -- commands ---------------------------------------------------------------------------------

def log_warnings(settings: Settings) -> None:
    """The config's warnings, for the commands that poll (the others have nothing to do with them)."""
    for warning in settings.warnings:
        log.warning("%s", warning)


def on_stop_signals(handle: Callable[[int], None]) -> None:
    """Call `handle(signum)` in the running loop on SIGINT or SIGTERM, also where a shell started the
    command with SIGINT ignored (a background job)."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, handle, signum)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    log_warnings(settings)

    async def go() -> None:
        stop = asyncio.Event()
        starting = asyncio.current_task()
        polling = False

        def started() -> None:
            nonlocal polling
            polling = True
            if not settings.telegram.token:
                log.info("run: no bot token, so stories are shown here; to switch the bot on, get a token from "
                         "@BotFather and set MONITOR_TELEGRAM_TOKEN (or telegram.token in %s)",
                         settings.path or "the config")

        # Once polling, a stop lets polls in flight store what they fetched; before, nothing is in
        # flight and start-up (rebuilding the window can take a while) is cut short.
        on_stop_signals(lambda signum: stop.set() if polling else starting.cancel())
        await app.run(settings, stop, on_started=started, progress=progress.bars)

    try:
        with ProgressOnTerminal(shows_progress()) as progress:
            asyncio.run(go())
    except asyncio.CancelledError:
        log.info("run: stopped during start-up")
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    for number, part in enumerate(asyncio.run(app.digest(settings, args.chat))):
        print(("\n" if number else "") + html_to_text(part, keep_links=True))
    return 0


def cmd_poll_once(args: argparse.Namespace, settings: Settings) -> int:
    log_warnings(settings)
    signals: list[int] = []

    async def go() -> list[PollReport]:
        task = asyncio.current_task()
        on_stop_signals(lambda signum: (signals.append(signum), task.cancel()))
        return await app.poll_once(settings, progress.bars)

    try:
        with ProgressOnTerminal(shows_progress(args.json)) as progress:
            reports = asyncio.run(go())
    except asyncio.CancelledError:
        if not signals:
            raise
        print("poll-once: interrupted; the items stored so far are kept", file=sys.stderr)
        return 128 + signals[0]
    if args.json:
        print(json.dumps(poll_json(reports), ensure_ascii=False, indent=2))
    else:
        print_poll_reports(reports, sys.stdout)
    return 0


def poll_json(reports: list[PollReport]) -> dict:
    return {
        "sources": [
            {"id": r.source.id, "name": r.source.name, "url": r.source.url, "new": len(r.new), "seen": r.seen,
             "error": r.error}
            for r in reports
        ],
        "new_items": sum(len(r.new) for r in reports),
    }


def print_poll_reports(reports: list[PollReport], out: TextIO) -> None:
    width = max((len(r.source.name) for r in reports), default=4)
    for r in reports:
        if r.error:
            outcome = f"error: {r.error}"
        elif r.not_modified:
            outcome = "not modified"
        else:
            outcome = f"{len(r.new)} new, {r.seen} seen" + (f" ({r.warning})" if r.warning else "")
        out.write(f"{r.source.id:>4}  {r.source.name:<{width}}  {outcome}\n")
    errors = sum(1 for r in reports if r.error)
    new = sum(len(r.new) for r in reports)
    out.write(f"total: {counted(new, 'new item')} from {counted(len(reports), 'source')}, {errors} with errors\n")


def cmd_check_config(args: argparse.Namespace, settings: Settings) -> int:
    p = settings.polling
    token = "set" if settings.telegram.token else "not set (the bot stays off; new items print to the terminal)"
    print(f"config: {settings.path} is valid")
    print(f"  telegram: token {token}; api {settings.telegram.api_base_url}; {len(settings.telegram.admins)} admins")
    print(f"  storage:  {Path(settings.storage.path).resolve()}")
    print(f"  polling:  every {p.default_interval:g}s by default, timeout {p.timeout:g}s, max {p.max_bytes:,} bytes, "
          f"{p.concurrency} at once")
    print(f"  sources:  {len(settings.sources)}")
    for source in settings.sources:
        every = f"every {source.interval_s:g}s" if source.interval_s else "default interval"
        print(f"    {source.kind:<5} {source.name}  {source.url}  ({every})")
    for warning in settings.warnings:
        print(f"  warning: {warning}")
    return 0


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
        async with app.open_sources(settings) as sources:
            return await sources.add(spec)

    source = asyncio.run(add()).source
    print(f"added source {source.id}: {source.name} <{source.url}>; `monitor poll-once` fetches it now")
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


def cmd_eval_clusters(args: argparse.Namespace, settings: Settings | None) -> int:
    from monitor import evaluation  # the eval harness, only loaded for this command

    options = {}
    if args.threshold is not None:
        options["threshold"] = args.threshold
    if args.cross_threshold is not None:
        options["cross_threshold"] = args.cross_threshold
    if args.long_threshold is not None:
        options["long_threshold"] = args.long_threshold
    if args.window:
        options["window_s"] = parse_duration_option(args.window, "--window")
    with ProgressOnTerminal(shows_progress(args.json)) as progress:
        result = evaluation.evaluate_file(args.file, ClusterSettings(**options), args.pairs, args.assignments,
                                          embed=load_embedder(args.backend),
                                          progress=progress.bars and progress.bars("clustering", "items"))
    for problem in result.problems:
        print(f"eval-clusters: {problem}", file=sys.stderr)
    if not result.items:
        print("eval-clusters: no usable items; each line needs at least id and cluster", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.figures(), indent=2))
    else:
        print(result.summary())
    return 0


def command_parsers(parser: argparse.ArgumentParser | None = None) -> list[tuple[str, argparse.ArgumentParser]]:
    """Every command (`run`, `sources add`, …) with its parser, in the order `--help` lists them."""
    parser = parser or build_parser()
    commands: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._subparsers._group_actions:  # noqa: SLF001 - argparse has no public walk
        for name, sub in action.choices.items():
            if sub._subparsers is None:  # noqa: SLF001
                commands.append((name, sub))
            else:
                commands.extend((f"{name} {inner}", inner_parser) for inner, inner_parser in command_parsers(sub))
    return commands


def documented_names() -> dict[str, list[str]]:
    """Every command and option name, for the documentation test."""
    return {"commands": [name for name, _ in command_parsers()], "options": [o.name for o in OPTIONS]}
