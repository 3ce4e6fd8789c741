"""The alert service on a real store, through the story pipeline, without Telegram: one alert per chat and
story, rewritten as the story grows, none for paused chats or old reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.core.query import parse_query
from tests.services.conftest import item

TITLE = "Prigozhin's column stops 200 km from Moscow"
TEXT = "The Wagner chief said his men turned back to avoid bloodshed."


async def queued(services) -> list:
    return [m for m in await services.store.outbox.pending(datetime.now(UTC)) if m.kind == "alert"]


async def test_a_matching_story_alerts_the_chat_once_and_its_alert_grows_with_the_story(services):
    await services.subscribe(1)
    await services.subscribe(2)
    await services.watches.add(1, parse_query("Prigozhin"))
    await services.watches.add(2, parse_query("Kherson"))  # another chat's watch, not matched

    await services.report("wire", item(1, TITLE, TEXT))
    alert, = await queued(services)
    assert alert.chat_id == 1 and alert.text == f"{TITLE} | 1 sources | Prigozhin | en"
    assert services.notified == 1

    await services.report("paper", item(2, TITLE, TEXT))  # the same report elsewhere: the story grows
    alert, = await queued(services)  # no second alert: the waiting one now counts both sources
    assert alert.text == f"{TITLE} | 2 sources | Prigozhin | en"
    assert len(await services.store.alerts.for_stories([alert_story(alert)])) == 1


def alert_story(message) -> int:
    return int(message.key.split(":")[2])  # alert:CHAT:STORY


async def test_a_paused_chat_and_an_old_report_alert_nobody(services):
    await services.subscribe(1)
    await services.watches.add(1, parse_query("Prigozhin"))
    await services.report("archive", item(1, TITLE, TEXT, age=timedelta(hours=30)))  # a new source's backfill
    assert await queued(services) == []

    await services.chats.pause(1, "stop")
    await services.report("wire", item(2, "Prigozhin speaks again", "An audio message from Belarus."))
    assert await queued(services) == []


async def test_a_story_that_matches_only_once_a_later_report_joins_alerts_then(services):
    """A watch is matched against the story as a whole: a report naming Rostov joins a story about Prigozhin."""
    await services.subscribe(1)
    await services.watches.add(1, parse_query("Prigozhin Rostov"))
    await services.report("wire", item(1, TITLE, TEXT))
    assert await queued(services) == []

    await services.report("paper", item(2, TITLE, TEXT + " Earlier his men had taken Rostov."))
    alert, = await queued(services)
    assert alert.chat_id == 1 and "Prigozhin Rostov" in alert.text
