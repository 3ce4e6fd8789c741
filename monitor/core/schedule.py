"""When to poll a source next: the interval with jitter, exponential backoff, Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


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
