from datetime import UTC, datetime

import pytest

from monitor.core.evaluation import Decided, Labelled, PairCounts, bcubed, breakdown, decision_causes, pair_scores


def test_bcubed_perfect_and_split():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed(gold, {"a": 7, "b": 7, "c": 8}).f1 == 1.0
    split = bcubed(gold, {"a": 1, "b": 2, "c": 3})
    assert split.precision == 1.0 and split.recall == pytest.approx((0.5 + 0.5 + 1) / 3)
    merged = bcubed(gold, {"a": 1, "b": 1, "c": 1})
    assert merged.recall == 1.0 and merged.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)


def test_pair_scores():
    pairs = [("a", "b", True), ("a", "c", False), ("b", "c", False), ("a", "zz", True)]
    scores = pair_scores(pairs, {"a": 1, "b": 1, "c": 1})
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == 1.0


def _item(id_: str, event: str, story: int, lang: str = "en", source: str = "S", hour: int = 0, title: str = "",
          text: str = "") -> Labelled:
    return Labelled(id_, event, story, lang, source, datetime(2024, 5, 24, hour, tzinfo=UTC), title, text)


def test_breakdown_counts_pairs_by_languages_and_kinds_of_error():
    long_text = " ".join(["word"] * 250)
    items = [
        # one event in three reports: en and ru joined, uk left apart (two cross-language misses)
        _item("1", "quake", 1, "en", "A", 1, "Earthquake shakes Tbilisi", "Buildings swayed."),
        _item("2", "quake", 1, "ru", "B", 1, "Землетрясение в Тбилиси", "Здания качались."),
        _item("3", "quake", 2, "uk", "C", 2, "Землетрус у Тбілісі", "Будинки хиталися."),
        # another event put into the quake's story: shares the name Tbilisi with the English report
        _item("4", "match", 1, "en", "D", 3, "Dinamo win in Tbilisi", "Fans celebrated."),
        # a region's alerts hours apart, same source, same words but the time: one story (a template merge)
        _item("5", "alert-1", 3, "en", "Desk", 4, "", "04:00 Sirens in the Kharkiv region. Go to a shelter."),
        _item("6", "alert-2", 3, "en", "Desk", 7, "", "07:00 Sirens in the Kharkiv region. Go to a shelter."),
        # one event told once in a short post and once in a full article: apart (a short-post miss)
        _item("7", "budget", 4, "en", "E", 5, "", "Parliament passed the budget."),
        _item("8", "budget", 5, "en", "F", 6, "Budget passes", long_text),
        # two full articles of one event apart (a full-article miss)
        _item("9", "strike", 6, "en", "G", 5, "Strike", long_text),
        _item("10", "strike", 7, "en", "H", 6, "Strike", long_text),
    ]
    result = breakdown(items)
    assert result.languages["en-ru"] == PairCounts(joined=1, missed=0, merged=1)
    assert result.languages["en-uk"] == PairCounts(joined=0, missed=1, merged=0)
    assert result.languages["ru-uk"] == PairCounts(joined=0, missed=1, merged=0)
    assert result.languages["en-en"] == PairCounts(joined=0, missed=2, merged=2)
    assert result.errors == {"name_merges": 1, "template_merges": 1, "other_merges": 1,
                             "cross_language_misses": 2, "short_post_misses": 1, "full_article_misses": 1,
                             "other_misses": 0}
    assert "en-ru" in "\n".join(result.lines()) and "template merges" in "\n".join(result.lines())


def test_a_name_counts_when_it_is_not_just_a_capitalised_first_word():
    # "Police" starts both titles (a sentence's first word), so only a name inside the text counts.
    items = [_item("1", "a", 1, title="Police close the road", text="Traffic is slow."),
             _item("2", "b", 1, title="Police search a flat", text="Nobody was arrested.")]
    assert breakdown(items).errors["name_merges"] == 0
    items[1] = _item("2", "b", 1, title="Police search a flat", text="Nobody was arrested in Lviv.")
    items[0] = _item("1", "a", 1, title="Police close the road", text="Traffic in Lviv is slow.")
    assert breakdown(items).errors["name_merges"] == 1


def test_each_report_of_an_event_seen_before_is_counted_by_what_became_of_it():
    decided = [
        Decided("flood", 1, []),  # an event's first report: not counted
        Decided("flood", 1, [(1, False)]),  # joined its event's story
        Decided("fire", 2, [(1, False)]),
        Decided("flood", 3, [(1, True)]),  # its event's story weighed, vetoed: a story of its own
        Decided("flood", 3, [(1, False), (3, False)]),  # the flood is split: this one joins the smaller part
        Decided("fire", 1, [(2, False), (1, False)]),  # joins the flood's story
        Decided("flood", 4, [(2, False)], offered=(2, 5)),  # no story of the flood offered: a story of its own
        Decided("fire", 5, [(2, False)]),  # the fire's story weighed, not joined: a story of its own
        Decided("fire", 6, [(3, False)], offered=(3, 2)),  # the fire's story offered, not among those weighed
        # the flood's parts 1 and 3 hold two reports each: the earliest is its story, and 3 a part of it
        Decided("flood", 3, [(3, False), (1, False)]),
    ]
    assert decision_causes(decided) == {"joined": 1, "joined_part": 2, "joined_other": 1, "scored_low": 1,
                                        "vetoed": 1, "not_weighed": 1, "not_offered": 1}
