import pytest

from monitor.core.evaluation import bcubed, pair_scores


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
