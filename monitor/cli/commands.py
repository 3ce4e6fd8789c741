"""The commands that poll, print digests and check things: `run`, `poll-once`, `digest`, `check-config`,
`eval-clusters`. Each parses nothing (argparse did), calls app, and prints."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from monitor import app
from monitor.config import Settings
from monitor.config import parse_duration as parse_duration_option
from monitor.config_values import DEDUP_BACKENDS
from monitor.core.clustering import RULES_THRESHOLDS, ClusterSettings
from monitor.core.html import html_to_text
from monitor.embedding import load_embedder
from monitor.poller import PollReport
from monitor.terminal import ProgressOnTerminal, counted, shows_progress

log = logging.getLogger("monitor")


def log_warnings(settings: Settings) -> None:
    """The config's warnings, for the commands that poll (the others have nothing to do with them)."""
    for warning in settings.warnings:
        log.warning("%s", warning)


def on_stop_signals(handle: Callable[[int], object]) -> None:
    """Call `handle(signum)` in the running loop on SIGINT or SIGTERM, also where a shell started the
    command with SIGINT ignored (a background job)."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, handle, signum)


def this_task() -> asyncio.Task[object]:
    """The task running the command's coroutine (under asyncio.run there always is one)."""
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("cli: not inside a running task")
    return task


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    log_warnings(settings)

    async def go() -> None:
        stop = asyncio.Event()
        starting = this_task()
        polling = False

        def started() -> None:
            nonlocal polling
            polling = True
            if not settings.telegram.token:
                log.info("run: no bot token, so stories are shown here; to switch the bot on, get a token from "
                         "@BotFather and set MONITOR_TELEGRAM_TOKEN (or telegram.token in %s)",
                         settings.path or "the config")

        # Once polling, a stop lets polls in flight store what they fetched; before, nothing is in
        # flight and start-up (the bot's checks can take a while) is cut short.
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
        task = this_task()

        def interrupt(signum: int) -> None:
            signals.append(signum)
            task.cancel()

        on_stop_signals(interrupt)
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


def cmd_eval_clusters(args: argparse.Namespace, settings: Settings | None) -> int:
    from monitor import evaluation  # the eval harness, only loaded for this command

    thresholds = {name: getattr(args, name) for name in RULES_THRESHOLDS if getattr(args, name) is not None}
    rules_only = [f"--{name.replace('_', '-')}" for name in thresholds]
    if args.backend != DEDUP_BACKENDS[0]:
        rules_only.append("--backend")
    if rules_only and not args.rules:
        print(f"eval-clusters: {', '.join(rules_only)} applies only with --rules (the scorer decides by default); "
              "add --rules or leave it out", file=sys.stderr)
        return 2
    if args.rules and args.scorer_threshold is not None:
        print("eval-clusters: --scorer-threshold is the scorer's, not the rules': leave out one of them",
              file=sys.stderr)
        return 2
    options: dict = {"learned": not args.rules, "scorer_threshold": args.scorer_threshold, **thresholds}
    if args.window:
        options["window_s"] = parse_duration_option(args.window, "--window")
    with ProgressOnTerminal(shows_progress(args.json)) as progress:
        result = evaluation.evaluate_file(args.file, ClusterSettings(**options), args.pairs, args.assignments,
                                          embed=load_embedder(args.backend),
                                          progress=progress.bars and progress.bars("clustering", "items"),
                                          explain=args.explain, causes=args.causes)
    for problem in result.problems:
        print(f"eval-clusters: {problem}", file=sys.stderr)
    if not result.items:
        print("eval-clusters: no usable items; each line needs at least id and cluster", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.figures(), indent=2))
    else:
        print(result.summary())
    if args.explain is not None:
        if not result.explained:
            print(f"eval-clusters: --explain {args.explain}: no item with that id", file=sys.stderr)
            return 2
        print(result.explained, file=sys.stderr if args.json else sys.stdout)
    return 0

