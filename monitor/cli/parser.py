"""The `monitor` command's arguments: every command, its options and their help (docs/commands.md is written
from here)."""

from __future__ import annotations

import argparse

from monitor.cli.commands import cmd_check_config, cmd_digest, cmd_eval_clusters, cmd_poll_once, cmd_run
from monitor.cli.sources import (
    cmd_sources_add,
    cmd_sources_export_opml,
    cmd_sources_import_opml,
    cmd_sources_list,
    cmd_sources_remove,
)
from monitor.config import DEFAULT_PATH, ENV_PATH, OPTIONS
from monitor.config_values import DEDUP_BACKENDS


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
                    "stories, and each story is printed when it starts and each time it grows. Polling starts at "
                    "once; the deduplicator's window is rebuilt from the store meanwhile. Sources added with "
                    "`monitor sources add` while it runs are picked up within 30 s.")
    run.set_defaults(handler=cmd_run)

    once = commands.add_parser("poll-once", parents=[common], help="poll every source once, due or not",
                               description="One pass over every enabled source, due or not; new items are clustered "
                                           "into stories as in `run`. Prints a line per source (new, seen, not "
                                           "modified or the error) and a total. The exit status is 0 once the pass "
                                           "is done, even if some sources failed. A pass that finds new items first "
                                           "puts the story window back from the store (seconds for tens of thousands "
                                           "of reports): to poll often, keep `monitor run` running instead.")
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
                    "texts embedded and peak memory; then, by language pair (en-ru, ...), the pairs of one event "
                    "joined and missed and the pairs of different events merged, and the wrong pairs by kind: "
                    "merges of events sharing a name, merges of one source's recurring template hours apart, "
                    "cross-language misses, misses of a short post (under 40 words), of two full articles (200 "
                    "words or more), and others (docs/deduplication.md). Bad lines are reported by line number "
                    "and skipped. Needs no config file.")
    evaluate.add_argument("file", metavar="FILE", help="JSON Lines, one item a line (.gz accepted)")
    evaluate.add_argument("--json", action="store_true",
                          help='print one JSON object: `{"precision", "recall", "f1", "stories", "items", '
                               '"items_per_s", "peak_rss_mb", "embedded", "languages": {"en-ru": {"joined", '
                               '"missed", "merged"}, ...}, "errors": {"name_merges", "template_merges", '
                               '"other_merges", "cross_language_misses", "short_post_misses", '
                               '"full_article_misses", "other_misses"}, "causes" (with --causes): {"joined", '
                               '"joined_part", "joined_other", "scored_low", "vetoed", "not_weighed", "not_offered"}}`')
    evaluate.add_argument("--assignments", metavar="PATH", help="also write `id<TAB>story id` lines to PATH")
    evaluate.add_argument("--pairs", metavar="FILE",
                          help='labelled pairs (JSON Lines: a, b, label 1/0) to score "same story" precision/recall')
    evaluate.add_argument("--rules", action="store_true",
                          help="decide with the hand-written rules and thresholds instead of the scorer fitted on "
                               "labelled news (as [dedup] scorer = false)")
    evaluate.add_argument("--threshold", type=float, default=None, help="with --rules: similarity that joins a story")
    evaluate.add_argument("--cross-threshold", type=float, default=None,
                          help="with --rules: similarity that joins a story with no report in the item's language")
    evaluate.add_argument("--long-threshold", type=float, default=None,
                          help="with --rules: similarity that joins a story when it and the item are all full "
                               "articles")
    evaluate.add_argument("--window", default=None, help='how long a story takes new reports, e.g. "36h"')
    evaluate.add_argument("--scorer-threshold", type=float, default=None,
                          help="the probability from which a report joins a story (default: the model's)")
    evaluate.add_argument("--explain", metavar="ID",
                          help="also print, for the item with this id, its candidate stories with the scorer's "
                               "features of each pair and its score, and the decision")
    evaluate.add_argument("--causes", action="store_true",
                          help="also count the reports of an event seen before by what became of them: joined the "
                               "story holding most of their event, joined another part of it (the event was split "
                               "before), or joined a story of other events only; or started a story of their own "
                               "though a story of their event was weighed (scored too low, or vetoed by a rule), was "
                               "offered as a candidate but not among the four weighed, or was not offered at all. "
                               "Tells where recall is lost; with --rules the four weighed are the most alike, while "
                               "the rules read every candidate offered")
    evaluate.add_argument("--backend", choices=DEDUP_BACKENDS, default=DEDUP_BACKENDS[0],
                          help="with --rules: how reports are compared, as [dedup] backend (default: %(default)s)")
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
                                         "(origin user), after reading it once as /add in chat does (nothing is "
                                         "stored then: `monitor poll-once` or a running `monitor run` does it); "
                                         "a source that cannot be read is not added.")
    add.add_argument("url", metavar="URL|@channel",
                     help="a feed's address (http or https), or a channel as @name, t.me/name or https://t.me/s/name")
    add.add_argument("--name", default="", help="display name (default: the feed's host name or the channel's @name)")
    add.add_argument("--interval", default=None, help='poll interval, e.g. "5m" (default: polling.default_interval)')
    add.add_argument("--no-check", action="store_true",
                     help="add it without fetching it first (by default a source that cannot be read is not added)")
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


def command_parsers(parser: argparse.ArgumentParser | None = None) -> list[tuple[str, argparse.ArgumentParser]]:
    """Every command (`run`, `sources add`, …) with its parser, in the order `--help` lists them."""
    parser = parser or build_parser()
    commands: list[tuple[str, argparse.ArgumentParser]] = []
    group = parser._subparsers  # noqa: SLF001 - argparse has no public walk
    for action in group._group_actions if group is not None else []:  # noqa: SLF001
        choices: dict[str, argparse.ArgumentParser] = action.choices if isinstance(action.choices, dict) else {}
        for name, sub in choices.items():
            if sub._subparsers is None:  # noqa: SLF001
                commands.append((name, sub))
            else:
                commands.extend((f"{name} {inner}", inner_parser) for inner, inner_parser in command_parsers(sub))
    return commands


def documented_names() -> dict[str, list[str]]:
    """Every command and option name, for the documentation test."""
    return {"commands": [name for name, _ in command_parsers()], "options": [o.name for o in OPTIONS]}
