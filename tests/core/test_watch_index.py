"""The index of watches: a report is tested only against watches it can match, and finds what testing every
watch finds."""

from __future__ import annotations

from monitor.core.query import QueryError, parse_query, words_of
from monitor.core.watch_index import WatchIndex
from tests.core.test_query import KREMLIN_RU, ROSTOV_EN


def test_the_index_tests_only_watches_a_report_can_match():
    index = WatchIndex()
    queries = {1: "Prigozhin", 2: "Shoigu OR Gerasimov", 3: '"Wagner group" -Kyiv', 4: "kharkiv*", 5: "Moscow Rostov"}
    for watch_id, text in queries.items():
        index.add(watch_id, parse_query(text))
    for n in range(6, 3006):  # thousands of watches about other things
        index.add(n, parse_query(f"topic{n} OR subject{n}"))
    assert index.matching(ROSTOV_EN) == [1, 3, 4]
    assert index.matching(KREMLIN_RU) == [1]
    index.remove(1)
    assert index.matching(ROSTOV_EN) == [3, 4]
    assert len(index) == 3004
    # the report's words reach few watches: the index is what keeps matching cheap
    assert sum(1 for key in ROSTOV_EN.index_keys() if key in index._by_key) <= 4


def test_the_index_finds_exactly_what_testing_every_watch_finds():
    import random

    rng = random.Random(3)
    vocabulary = [
        "Prigozhin", "Пригожина", "Rostov", "Ростове", "Wagner", "Вагнер", "Kremlin", "Кремль", "negotiations",
        "talks", "Kyiv", "Київ", "Syrian", "Pakhomov", "Anna", "Lavrov", "лавра", "war", "wars", "Iran", "EU",
        "NATO", "rate", "rates", "dam", "дамба", "Kharkiv", "Харків",
    ]
    shapes = ["{a}", "{a} {b}", "{a} OR {b}", '"{a} {b}"', "{a} -{b}", "{p}*", "({a} OR {b}) {c}"]
    index, queries = WatchIndex(), {}
    for n in range(400):
        a, b, c = rng.sample(vocabulary, 3)
        text = rng.choice(shapes).format(a=a, b=b, c=c, p=a[:rng.randint(3, max(3, len(a)))])
        try:
            queries[n] = parse_query(text)
        except QueryError:
            continue
        index.add(n, queries[n])
    for _ in range(300):
        words = words_of(" ".join(rng.choices(vocabulary, k=rng.randint(1, 12))))
        assert index.matching(words) == sorted(n for n, q in queries.items() if q.matches(words))
