"""Scores of a clustering against gold labels: BCubed over items, and precision/recall over labelled pairs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def bcubed(gold: Mapping[str, object], predicted: Mapping[str, object]) -> Scores:
    """BCubed precision and recall, averaged over the items present in both mappings."""
    ids = [i for i in gold if i in predicted]
    if not ids:
        return Scores(0.0, 0.0, 0.0)
    both = Counter((gold[i], predicted[i]) for i in ids)
    gold_size = Counter(gold[i] for i in ids)
    predicted_size = Counter(predicted[i] for i in ids)
    precision = sum(both[(gold[i], predicted[i])] / predicted_size[predicted[i]] for i in ids) / len(ids)
    recall = sum(both[(gold[i], predicted[i])] / gold_size[gold[i]] for i in ids) / len(ids)
    return Scores(precision, recall, _f1(precision, recall))


def pair_scores(pairs: Iterable[tuple[str, str, bool]], predicted: Mapping[str, object]) -> Scores:
    """Precision and recall of "same story" over labelled pairs (a, b, same), where the clustering
    says "same" when it put a and b in one story. Pairs with an unknown item are skipped."""
    tp = fp = fn = 0
    for a, b, same in pairs:
        if a not in predicted or b not in predicted:
            continue
        said_same = predicted[a] == predicted[b]
        tp += said_same and same
        fp += said_same and not same
        fn += same and not said_same
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return Scores(precision, recall, _f1(precision, recall))
