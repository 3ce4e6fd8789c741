import random
from datetime import UTC, datetime, timedelta

from monitor.core.schedule import next_poll_at, parse_retry_after

NOW = datetime(2023, 6, 24, 12, 0, tzinfo=UTC)


def wait(**kw) -> float:
    return (next_poll_at(NOW, 300, jitter=0, **kw) - NOW).total_seconds()


def test_success_waits_the_interval():
    assert wait() == 300


def test_errors_double_the_wait_up_to_the_cap():
    assert [wait(error_count=n, max_backoff_s=3600) for n in range(1, 6)] == [600, 1200, 2400, 3600, 3600]
    assert wait(error_count=1000, max_backoff_s=3600) == 3600


def test_retry_after_is_honoured_when_longer_and_capped():
    assert wait(error_count=1, retry_after_s=5000, max_backoff_s=86400) == 5000
    assert wait(error_count=1, retry_after_s=10, max_backoff_s=86400) == 600
    assert wait(error_count=1, retry_after_s=10**9, max_backoff_s=7200) == 7200


def test_jitter_spreads_within_bounds():
    rng = random.Random(1)
    waits = {(next_poll_at(NOW, 100, jitter=0.1, rng=rng) - NOW).total_seconds() for _ in range(200)}
    assert min(waits) >= 90 and max(waits) <= 110 and len(waits) > 100


def test_parse_retry_after():
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Sat, 24 Jun 2023 12:10:00 GMT", NOW) == 600
    assert parse_retry_after("Sat, 24 Jun 2023 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None
    assert NOW + timedelta(seconds=parse_retry_after("60", NOW)) > NOW
