"""The catalogues: every language says everything, with the same placeholders, in valid Telegram HTML."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from monitor.bot.render import MAX_MESSAGE_CHARS, alert_text, split_lines
from monitor.bot.texts import CATALOGUES, COMMANDS, Html, language_of, say
from monitor.core.plurals import PLURAL_CATEGORIES
from monitor.models import Story

ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote", "tg-spoiler"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def forms(text: str | dict[str, str]) -> list[str]:
    return list(text.values()) if isinstance(text, dict) else [text]


def test_every_language_has_every_text_with_the_same_placeholders():
    english = CATALOGUES["en"]
    for language, catalogue in CATALOGUES.items():
        assert set(catalogue) == set(english), language
        for key, text in catalogue.items():
            assert isinstance(text, dict) == isinstance(english[key], dict), (language, key)  # plural in all or none
            for form in forms(text):
                assert placeholders(form) == placeholders(forms(english[key])[0]), (language, key)
                assert set(re.findall(r"</?([a-z-]+)", form)) <= ALLOWED_TAGS, (language, key)
                if key.startswith("cmd_"):
                    assert 3 <= len(form) <= 256  # Telegram's limits for a command's description
    for name, _ in COMMANDS:
        assert f"cmd_{name}" in english


def test_every_plural_text_has_the_forms_its_language_needs():
    plural = 0
    for language, catalogue in CATALOGUES.items():
        for key, text in catalogue.items():
            if isinstance(text, dict):
                plural += 1
                assert set(text) == set(PLURAL_CATEGORIES[language]), (language, key)
                assert all("{count}" in form for form in text.values()), (language, key)
    assert plural >= 3 * 5


COUNTS = (0, 1, 2, 5, 11, 21, 22, 25, 101, 111)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["0 sources", "1 source", "2 sources", "5 sources", "11 sources", "21 sources", "22 sources",
            "25 sources", "101 sources", "111 sources"]),
    ("ru", ["0 источников", "1 источник", "2 источника", "5 источников", "11 источников", "21 источник",
            "22 источника", "25 источников", "101 источник", "111 источников"]),
    ("uk", ["0 джерел", "1 джерело", "2 джерела", "5 джерел", "11 джерел", "21 джерело", "22 джерела", "25 джерел",
            "101 джерело", "111 джерел"]),
])
def test_counts_take_the_plural_form_their_language_asks_for(language, expected):
    assert [say(language, "n_sources", count=n) for n in COUNTS] == expected


def test_plural_forms_in_what_the_bot_says():
    assert say("en", "n_reports", count=1) == "1 report" and say("uk", "n_reports", count=5) == "5 повідомлень"
    assert "(subscription, 1 watch, alerts sent)" in say("en", "forget_ask", count=1)
    assert "(подписку, 21 тему, " in say("ru", "forget_ask", count=21)
    assert "(підписку, 3 теми, " in say("uk", "forget_ask", count=3)
    assert "1 of 1 story of the last 24 hours" in say("en", "digest_header", date="d", shown=1, count=1)
    assert "3 из 21 сюжета " in say("ru", "digest_header", date="d", shown=3, count=21)
    assert "3 з 25 сюжетів " in say("uk", "digest_header", date="d", shown=3, count=25)
    assert "вместе с его 1 сообщением" in say("ru", "remove_done", id=1, name="n", count=1)


def test_values_are_escaped_and_markup_values_are_not():
    assert say("en", "unwatch_done", id=1, query="<b>&") == "Watch #1 removed: &lt;b&gt;&amp;"
    assert say("en", "watches_list", lines=Html("<code>x</code>")).startswith("<b>Watches</b>\n<code>x</code>")


def test_client_languages_fall_back_to_english():
    assert [language_of(c) for c in ("ru", "uk", "en-GB", "pt-br", None, "")] == ["ru", "uk", "en", "en", "en", "en"]


def test_an_alert_escapes_feed_text_and_stays_within_telegram_limits():
    story = Story(id=1, headline="<script>Prigozhin & co</script> " + "word " * 2000, url="https://x.org/a?b=1&c=2",
                  first_seen=datetime(2023, 6, 24, 7, 5, tzinfo=UTC), last_seen=datetime(2023, 6, 24, 8, tzinfo=UTC),
                  item_count=40, source_count=31, languages=("en", "ru"),
                  sources=tuple(f"Source <{n}>" for n in range(20)))
    text = alert_text(story, 'Prigozhin -"<x>"', "en", "Europe/Moscow")
    assert len(text) <= MAX_MESSAGE_CHARS
    assert "&lt;script&gt;Prigozhin &amp; co&lt;/script&gt;" in text
    assert 'href="https://x.org/a?b=1&amp;c=2"' in text
    assert "2023-06-24 10:05 MSK" in text
    assert "31 sources so far (Source &lt;0&gt;," in text and "and 23 more)" in text
    one = alert_text(replace(story, source_count=1, sources=("A",)), "q", "en", None)
    assert "1 source so far (A)" in one
    russian = alert_text(replace(story, source_count=21), "q", "ru", None)
    assert "Пока 21 источник (Source &lt;0&gt;," in russian and "и ещё 13)" in russian
    assert "<code>Prigozhin -\"&lt;x&gt;\"</code>" in text


def test_long_lists_are_split_between_lines_within_the_limit():
    lines = [f"#{n} <b>source {n}</b> — ok" for n in range(1000)]
    parts = split_lines(lines)
    assert len(parts) > 1 and all(len(p) <= MAX_MESSAGE_CHARS for p in parts)
    assert "\n".join(parts) == "\n".join(lines)


def test_a_long_digest_is_split_between_stories_into_valid_messages():
    from monitor.bot.render import digest_messages
    from monitor.core.digest import DigestStory
    from tests.fakes.bot_api import _parse_html

    day = datetime(2023, 6, 24, tzinfo=UTC)
    entries = [DigestStory(Story(n, "", f"https://x.org/{n}", day, day, 9, 9, ("en",)),
                           f"Story {n} <&> " + "long words " * 25,
                           tuple((f"Source {k} & co", f"https://x.org/{n}/{k}?a=1&b=2") for k in range(3)),
                           watched=n % 7 == 0)
               for n in range(1, 41)]
    parts = digest_messages(entries, 120, "en", "Europe/Kyiv", "2023-06-24")
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= MAX_MESSAGE_CHARS
        _parse_html(part)  # what the Bot API would accept: tags closed within each message, entities valid
    text = "\n\n".join(parts)
    positions = [text.index(f"{n}. {'⭐ ' if n % 7 == 0 else ''}<b>Story {n} &lt;&amp;&gt;") for n in range(1, 41)]
    assert positions == sorted(positions)  # every story once, in order
    for n in range(1, 41):  # and whole, within one message
        assert sum(f"<b>Story {n} &lt;" in p and f"https://x.org/{n}/2?a=1&amp;b=2" in p for p in parts) == 1
    assert parts[0].startswith("📰 <b>Digest, 2023-06-24</b>\n40 of 120 stories")
    assert parts[-1].endswith("/settings")
    assert "· 03:00" in parts[0]  # first seen, in the chat's zone (Kyiv, UTC+3 in summer)
