"""Digest times across time zones and daylight-saving changes, zone names, and the digest's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import available_timezones

import pytest

from monitor.core.digest import in_period, rank
from monitor.core.schedule import (
    ZoneError,
    last_digest_at,
    local_date,
    next_digest_at,
    parse_local_time,
    parse_zone,
    zone_info,
)
from monitor.models import Story

BERLIN, NEW_YORK = zone_info("Europe/Berlin"), zone_info("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daylight_saving_changes_keep_the_local_time():
    # Berlin: 08:00 is 07:00 UTC in winter and 06:00 UTC in summer; the clocks go forward on 26 March 2023.
    assert next_digest_at(utc(2023, 3, 25, 12), 8, 0, BERLIN) == utc(2023, 3, 26, 6)
    assert next_digest_at(utc(2023, 3, 24, 12), 8, 0, BERLIN) == utc(2023, 3, 25, 7)
    # and back on 29 October
    assert next_digest_at(utc(2023, 10, 28, 12), 8, 0, BERLIN) == utc(2023, 10, 29, 7)
    # New York changes on other days (12 March, 5 November)
    assert next_digest_at(utc(2023, 3, 12, 0), 9, 30, NEW_YORK) == utc(2023, 3, 12, 13, 30)
    assert next_digest_at(utc(2023, 11, 5, 0), 9, 30, NEW_YORK) == utc(2023, 11, 5, 14, 30)
    for day in range(20, 32):  # every day around the change: always 08:00 on the local clock
        moment = next_digest_at(utc(2023, 3, day, 12), 8, 0, BERLIN)
        assert moment.astimezone(BERLIN).strftime("%H:%M") == "08:00"


def test_a_time_the_clock_skips_or_repeats_still_gives_one_digest():
    # 02:30 does not exist on 26 March in Berlin: the digest comes an hour later by the new clock
    assert next_digest_at(utc(2023, 3, 25, 12), 2, 30, BERLIN).astimezone(BERLIN).strftime("%H:%M") == "03:30"
    # 02:30 happens twice on 29 October: the first one
    assert next_digest_at(utc(2023, 10, 28, 12), 2, 30, BERLIN) == utc(2023, 10, 29, 0, 30)
    after = next_digest_at(utc(2023, 10, 29, 0, 30), 2, 30, BERLIN)
    assert after == utc(2023, 10, 30, 1, 30)  # not again an hour later on the same night


def test_far_time_zones_count_the_digest_under_their_own_date():
    kiritimati, pago_pago = zone_info("Pacific/Kiritimati"), zone_info("Pacific/Pago_Pago")  # +14, -11
    now = utc(2023, 6, 24, 12)  # 02:00 on the 25th in Kiritimati, 01:00 on the 24th in Pago Pago
    assert next_digest_at(now, 8, 0, kiritimati) == utc(2023, 6, 24, 18)
    assert local_date(utc(2023, 6, 24, 18), kiritimati) == "2023-06-25"
    assert next_digest_at(now, 8, 0, pago_pago) == utc(2023, 6, 24, 19)
    assert local_date(utc(2023, 6, 24, 19), pago_pago) == "2023-06-24"
    assert last_digest_at(now, 8, 0, kiritimati) == utc(2023, 6, 23, 18)
    assert next_digest_at(now, 8, 0, zone_info("+05:30")) == utc(2023, 6, 25, 2, 30)


@pytest.mark.parametrize(("text", "zone"), [
    ("Europe/Kyiv", "Europe/Kyiv"), ("europe/kyiv", "Europe/Kyiv"), ("Kyiv", "Europe/Kyiv"), ("Киев", "Europe/Kyiv"),
    ("new york", "America/New_York"), ("MSK", "Europe/Moscow"), ("UTC", "UTC"), ("+03:00", "+03:00"),
    ("UTC+3", "+03:00"), ("-5", "-05:00"), ("GMT+5:30", "+05:30"), ("+0", "UTC"),
    ("EST", "America/New_York"), ("CET", "Europe/Berlin"),  # the IANA names of these have no daylight saving
])
def test_zone_names_aliases_and_offsets(text, zone):
    assert parse_zone(text, available_timezones()) == zone


def test_unknown_zones_get_suggestions():
    with pytest.raises(ZoneError) as error:
        parse_zone("Europe/Kyv", available_timezones())
    assert "Europe/Kyiv" in error.value.suggestions
    with pytest.raises(ZoneError):
        parse_zone("+25:00", available_timezones())
    with pytest.raises(ZoneError) as error:
        parse_zone("Mars/Olympus", available_timezones())
    assert error.value.suggestions == []


@pytest.mark.parametrize(("text", "parsed"), [("08:00", (8, 0)), ("8:05", (8, 5)), ("23.59", (23, 59)),
                                              ("7h30", (7, 30)), ("24:00", None), ("8", None), ("noon", None)])
def test_times_of_day(text, parsed):
    assert parse_local_time(text) == parsed


def story(story_id: int, sources: int, hours_ago: float, now: datetime) -> Story:
    seen = now - timedelta(hours=hours_ago)
    return Story(story_id, f"story {story_id}", "", seen, seen, sources, sources, ("en",))


def test_watched_stories_first_then_most_sources_then_latest():
    now = utc(2023, 6, 24, 20)
    stories = [story(1, 3, 1, now), story(2, 9, 5, now), story(3, 9, 2, now), story(4, 1, 3, now),
               story(5, 30, 30, now)]
    recent = in_period(stories, now)
    assert [s.id for s in recent] == [1, 2, 3, 4]  # story 5 was last seen 30 hours ago
    assert [s.id for s in rank(recent, watched={4}, limit=3)] == [4, 3, 2]
    assert [s.id for s in rank(recent, watched=set(), limit=10)] == [3, 2, 1, 4]
