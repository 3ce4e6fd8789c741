"""The watch query language: word forms, scripts, phrases, operators, prefixes, errors."""

from __future__ import annotations

import pytest

from monitor.core.query import MAX_QUERY_CHARS, QueryError, parse_query, words_of

KREMLIN_RU = words_of("Кремль пытался договориться с Пригожиным", "Вагнеровцы вошли в Ростов-на-Дону. "
                      "Переговоры с Евгением Пригожину не удались.")
ROSTOV_EN = words_of("Wagner fighters take Rostov-on-Don HQ", "Yevgeny Prigozhin's negotiations with the army "
                     "failed; his men are in Kharkiv's region too, the Wagner Group said.")


def matches(query: str, words) -> bool:
    return parse_query(query).matches(words)


@pytest.mark.parametrize("query", ["Пригожин", "пригожина", "Prigozhin", "prigozhin", "PRIGOZHYN"])
def test_words_match_any_form_in_either_script(query):
    assert matches(query, KREMLIN_RU) and matches(query, ROSTOV_EN)


def test_word_forms_in_english():
    assert matches("negotiation", ROSTOV_EN)
    assert matches("fighter", ROSTOV_EN)
    assert not matches("negotiation", words_of("Talks failed"))


def test_phrases_need_the_words_in_order():
    assert matches('"Wagner group"', ROSTOV_EN)
    assert matches("“wagner group”", ROSTOV_EN)  # phones' quotes
    assert not matches('"group Wagner"', ROSTOV_EN)
    assert matches("Ростов-на-Дону", KREMLIN_RU)  # a hyphenated word is a phrase of its parts
    assert matches('"ростов на дону"', KREMLIN_RU)


def test_and_or_not_and_parentheses():
    assert matches("Prigozhin Rostov", ROSTOV_EN)
    assert not matches("Prigozhin Moscow", ROSTOV_EN)
    assert matches("Prigozhin (Moscow OR Rostov)", ROSTOV_EN)
    assert matches("Moscow OR Rostov", ROSTOV_EN) and matches("Москва ИЛИ Ростов", ROSTOV_EN)
    assert not matches("Prigozhin -Rostov", ROSTOV_EN)
    assert not matches("Prigozhin NOT Rostov", ROSTOV_EN)
    assert matches("Prigozhin -Moscow", ROSTOV_EN)
    assert not matches("Prigozhin -(Moscow OR Wagner)", ROSTOV_EN)
    assert matches("NOT NOT Prigozhin", ROSTOV_EN)


def test_prefixes():
    assert matches("kharkiv*", ROSTOV_EN)
    assert matches("negot*", ROSTOV_EN) and matches("переговор*", KREMLIN_RU)
    assert not matches("moscow*", ROSTOV_EN)


def test_how_a_query_was_understood():
    assert parse_query('Prigozhin (Rostov OR "Wagner group") -Kyiv kharkiv*').describe() == (
        'Prigozhin AND (Rostov OR "Wagner group") AND NOT Kyiv AND kharkiv*')


@pytest.mark.parametrize(("query", "code"), [
    ("", "empty"), ("   ", "empty"), ("!!!", "empty"),
    ('"Wagner group', "quote"),
    ("(Prigozhin OR Wagner", "open_paren"), ("Prigozhin)", "close_paren"),
    ("-Kyiv", "only_not"), ("NOT Kyiv -Moscow", "only_not"), ("Prigozhin OR -Kyiv", "only_not"),
    ("OR Prigozhin", "dangling"), ("Prigozhin OR", "dangling"), ("Prigozhin NOT", "dangling"),
    ("ab*", "short_prefix"),
    ("x" * (MAX_QUERY_CHARS + 1), "too_long"),
    (" ".join(f"w{n}" for n in range(21)), "too_many_words"),
])
def test_bad_queries_say_what_is_wrong(query, code):
    with pytest.raises(QueryError) as error:
        parse_query(query)
    assert error.value.code == code


@pytest.mark.parametrize(("query", "text", "found"), [
    ("Lavrov", "Лаврова встретили в аэропорту", True), ("Lavrov", "паломники у лавры", False),
    ("Peskov", "на песке", False), ("Rostov", "рост цен", False), ("Rostov", "в Ростове", True),
    ("Medvedev", "медведь вышел к людям", False), ("Ivanov", "Иван Грозный", False),
    ("war", "two wars", True), ("war", "various views", False),
    ("Syri*", "Syrian army", True), ("Pak*", "Pakhomov said", True), ("Ann*", "Anna Netrebko", True),
])
def test_surnames_do_not_match_common_words_and_prefixes_follow_the_spelling(query, text, found):
    assert matches(query, words_of(text)) is found


def test_a_query_on_several_lines_is_one_line():
    assert parse_query("Prigozhin\n\n  Rostov").text == "Prigozhin Rostov"


@pytest.mark.parametrize(("one", "other"), [
    ("prigozhin  rostov", "Rostov Prigozhin"),
    ("Prigozhin OR Пригожин", "Пригожин OR Prigozhin"),
    ("Prigozhin AND Rostov", "(rostov) prigozhin"),
    ("Wagner (Prigozhin Rostov)", "Rostov Wagner Prigozhin"),
    ("(Moscow OR Rostov) Wagner", "Wagner (Rostov ИЛИ Moscow)"),
    ("Wagner -Kyiv", "NOT Kyiv Wagner"),
    ('"Wagner group"', "“wagner  GROUP”"),
    ("kharkiv* Wagner", "Wagner KHARKIV*"),
])
def test_watches_that_mean_the_same_have_one_canonical_form(one, other):
    assert parse_query(one).canonical == parse_query(other).canonical


@pytest.mark.parametrize(("one", "other"), [
    ('"Wagner group"', '"group Wagner"'), ("Wagner Kyiv", "Wagner -Kyiv"), ("Wagner OR Kyiv", "Wagner Kyiv"),
    ("kharkiv*", "kharkiv"), ("(Moscow OR Rostov) Wagner", "Moscow OR (Rostov Wagner)"),
    ("Wagner -(Kyiv Moscow)", "Wagner -Kyiv -Moscow"),
])
def test_watches_that_mean_different_things_have_different_canonical_forms(one, other):
    assert parse_query(one).canonical != parse_query(other).canonical
