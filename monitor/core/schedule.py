"""Time: when to poll a source next (the interval with jitter, exponential backoff, Retry-After), and
when each chat's daily digest is due at its local time, across daylight-saving changes."""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def next_poll_at(
    now: datetime,
    interval_s: float,
    *,
    error_count: int = 0,
    retry_after_s: float | None = None,
    max_backoff_s: float = 6 * 3600,
    jitter: float = 0.1,
    rng: random.Random | None = None,
) -> datetime:
    """The next time to poll a source.

    After a success (error_count 0) that is `interval_s` later, give or take `jitter` of it. After
    errors the wait doubles per consecutive error, capped at `max_backoff_s` (never shorter than
    the interval itself). A server's Retry-After is honoured when it asks for longer, up to the same cap.
    """
    delay = interval_s
    if error_count > 0:
        cap = max(interval_s, max_backoff_s)
        delay = min(interval_s * 2 ** min(error_count, 30), cap)
    if retry_after_s is not None and retry_after_s > delay:
        delay = min(retry_after_s, max(interval_s, max_backoff_s))
    if jitter:
        spread = delay * jitter
        delay += (rng or random).uniform(-spread, spread)
    return now + timedelta(seconds=max(delay, 0.0))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


# -- daily digests at each chat's local time ------------------------------------------------------

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.h]([0-5]\d)\s*$")
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)

# Names people use for common zones, besides the IANA names themselves (matched case-insensitively,
# as are the IANA names' city parts: "kyiv", "new york").
ZONE_ALIASES = {
    "utc": "UTC", "gmt": "UTC", "z": "UTC", "kiev": "Europe/Kyiv", "kyiv": "Europe/Kyiv", "київ": "Europe/Kyiv",
    "киев": "Europe/Kyiv", "eet": "Europe/Kyiv", "msk": "Europe/Moscow", "москва": "Europe/Moscow",
    "moscow": "Europe/Moscow", "cet": "Europe/Berlin", "cest": "Europe/Berlin", "bst": "Europe/London",
    "est": "America/New_York", "edt": "America/New_York", "cst": "America/Chicago", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo",
}


class ZoneError(ValueError):
    """A time zone nobody knows; `suggestions` are the closest known names."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        super().__init__(text)
        self.text = text
        self.suggestions = suggestions


def parse_local_time(text: str) -> tuple[int, int] | None:
    """(hour, minute) from "08:30", "8:30", "8.30" or "8h30"; None if it is not a time of day."""
    match = _TIME.match(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def parse_zone(text: str, known: Iterable[str]) -> str:
    """A time zone name monitor can store: an IANA name (any case), a city or common alias, or a UTC
    offset written "+03:00" ("UTC+3", "-5"). ZoneError with suggestions otherwise."""
    raw = " ".join(text.split())
    offset = _OFFSET.match(raw.replace(" ", ""))
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if hours > 14 or minutes >= 60:
            raise ZoneError(raw, ["+03:00", "-05:00"])
        return f"{sign}{hours:02d}:{minutes:02d}" if hours or minutes else "UTC"
    # Aliases first: "EST" and "CET" are also IANA names, but fixed offsets without daylight saving.
    if raw.lower() in ZONE_ALIASES:
        return ZONE_ALIASES[raw.lower()]
    names = {name.lower(): name for name in known}
    key = raw.lower().replace(" ", "_")
    if key in names:
        return names[key]
    cities: dict[str, str] = {}
    for lower, name in sorted(names.items()):
        cities.setdefault(lower.rsplit("/", 1)[-1], name)
    if key in cities:
        return cities[key]
    choices = list(names) + list(cities) + list(ZONE_ALIASES)
    close = difflib.get_close_matches(key, choices, n=3, cutoff=0.6)
    suggestions = []
    for candidate in close:
        name = names.get(candidate) or cities.get(candidate) or ZONE_ALIASES[candidate]
        if name not in suggestions:
            suggestions.append(name)
    raise ZoneError(raw, suggestions)


def zone_info(name: str | None) -> tzinfo:
    """The tzinfo for a stored zone: an IANA name or a "+03:00" offset; UTC when empty or unknown."""
    if not name or name == "UTC":
        return UTC
    offset = _OFFSET.match(name)
    if offset:
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        return timezone(timedelta(minutes=-minutes if offset.group(1) == "-" else minutes), f"UTC{name}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _at(day: date, hour: int, minute: int, zone: tzinfo) -> datetime:
    """A local wall-clock time as a UTC moment. In a spring-forward gap the clock time does not exist:
    it counts with the offset before the change (02:30 on that night is 03:30 new time); in an
    autumn overlap the first of the two moments is taken."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def next_digest_at(now: datetime, hour: int, minute: int, zone: tzinfo) -> datetime:
    """The first moment after `now` when the chat's local clock shows hour:minute (in UTC)."""
    local_day = now.astimezone(zone).date()
    for days in range(0, 3):
        moment = _at(local_day + timedelta(days=days), hour, minute, zone)
        if moment > now:
            return moment
    raise AssertionError("unreachable: a local time recurs within three days")


def last_digest_at(now: datetime, hour: int, minute: int, zone: tzinfo) -> datetime:
    """The latest moment at or before `now` when the local clock showed hour:minute (in UTC)."""
    local_day = now.astimezone(zone).date()
    for days in range(0, 3):
        moment = _at(local_day - timedelta(days=days), hour, minute, zone)
        if moment <= now:
            return moment
    raise AssertionError("unreachable: a local time recurs within three days")


def local_date(moment: datetime, zone: tzinfo) -> str:
    """The date (YYYY-MM-DD) a moment falls on in a zone: what a digest is counted under."""
    return moment.astimezone(zone).date().isoformat()
