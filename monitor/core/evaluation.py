"""Scores of a clustering against gold labels: BCubed over items, precision/recall over labelled pairs,
the pairs it got right and wrong by language pair and by kind of error, and what became of each report of an
event seen before (the decisions behind the wrong pairs)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import combinations


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


# The kinds of error a pair can show, in the order they are tried (a pair counts under the first that fits).
# Wrong merges (two events in one story):
#   template_merges: one source's reports at least TEMPLATE_APART_S apart whose words (digits aside) are mostly
#                    the same (Jaccard >= TEMPLATE_JACCARD): a recurring bulletin, each issue its own event
#   name_merges:     the two share a name: a capitalised word that does not start a sentence, in the title or
#                    the text's first LEAD_CHARS, compared by its first NAME_LETTERS letters (so Russian and
#                    Ukrainian case endings match; a name spelled in another script does not)
# Misses (one event in two stories):
#   cross_language_misses: the two are in different languages
#   short_post_misses:     one of them has fewer than SHORT_WORDS words (its text, or its title when it has none)
#   full_article_misses:   both have at least FULL_WORDS words
# and other_merges / other_misses for the rest.
ERROR_KINDS = ("name_merges", "template_merges", "other_merges",
               "cross_language_misses", "short_post_misses", "full_article_misses", "other_misses")
_LABELS = {"name_merges": "name merges", "template_merges": "template merges", "other_merges": "other merges",
           "cross_language_misses": "cross-language misses", "short_post_misses": "short-post misses",
           "full_article_misses": "full-article misses", "other_misses": "other misses"}
TEMPLATE_APART_S = 3600
TEMPLATE_JACCARD = 0.6
LEAD_CHARS = 400
NAME_LETTERS = 5
SHORT_WORDS = 40
FULL_WORDS = 200
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = ".!?:\n"
_QUOTES_AND_SPACES = " \t\"'«“("


@dataclass(frozen=True)
class Labelled:
    """An item as the error breakdown sees it: its gold event, the story it was put in, and what tells the
    kinds of error apart."""
    id: str
    event: object
    story: object
    lang: str = ""
    source: str | None = None
    published: datetime | None = None
    title: str = ""
    text: str = ""


@dataclass
class PairCounts:
    joined: int = 0  # same event, one story
    missed: int = 0  # same event, different stories
    merged: int = 0  # different events, one story


@dataclass(frozen=True)
class Breakdown:
    """Pairs of items by language pair ("en-ru", sorted) and wrong pairs by kind of error (ERROR_KINDS)."""
    languages: dict[str, PairCounts] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ERROR_KINDS, 0))

    def figures(self) -> dict:
        return {"languages": {pair: vars(counts).copy() for pair, counts in self.languages.items()},
                "errors": dict(self.errors)}

    def lines(self) -> list[str]:
        """The two tables as text: pairs by languages, then wrong pairs by kind."""
        out = [f"{'pairs by languages':<24}{'joined':>8}{'missed':>8}{'merged':>8}"]
        out += [f"  {pair:<22}{c.joined:>8}{c.missed:>8}{c.merged:>8}" for pair, c in self.languages.items()]
        return out + _counted("wrong pairs by kind", _LABELS, self.errors)


@dataclass(frozen=True)
class _Traits:
    words: frozenset[str]
    names: frozenset[str]
    length: int


def _names(text: str) -> set[str]:
    """Capitalised words not at the start of a sentence, by their first NAME_LETTERS letters."""
    names = set()
    for match in _WORD.finditer(text):
        word = match.group()
        if not (word[0].isupper() and len(word) > 1):
            continue
        at = match.start() - 1  # the character before it, past spaces, quotes and brackets (not a copy of the text
        while at >= 0 and text[at] in _QUOTES_AND_SPACES:  # before it, for each word: that was quadratic in its length)
            at -= 1
        if at >= 0 and text[at] not in _SENTENCE_END:
            names.add(word[:NAME_LETTERS].lower())
    return names


def _traits(item: Labelled) -> _Traits:
    body = item.text.strip() or item.title
    return _Traits(frozenset(_WORD.findall(f"{item.title}\n{item.text}".lower())),
                   frozenset(_names(item.title) | _names(item.text[:LEAD_CHARS])), len(_WORD.findall(body)))


def _merge_kind(a: Labelled, b: Labelled, ta: _Traits, tb: _Traits) -> str:
    if (a.source is not None and a.source == b.source and a.published and b.published
            and abs((a.published - b.published).total_seconds()) >= TEMPLATE_APART_S
            and len(ta.words & tb.words) >= TEMPLATE_JACCARD * len(ta.words | tb.words)):
        return "template_merges"
    return "name_merges" if ta.names & tb.names else "other_merges"


def _miss_kind(a: Labelled, b: Labelled, ta: _Traits, tb: _Traits) -> str:
    if a.lang != b.lang:
        return "cross_language_misses"
    if min(ta.length, tb.length) < SHORT_WORDS:
        return "short_post_misses"
    return "full_article_misses" if min(ta.length, tb.length) >= FULL_WORDS else "other_misses"


def breakdown(items: Sequence[Labelled]) -> Breakdown:
    """Every pair of one event (joined or missed) and every pair of one story but different events (merged),
    counted by the two items' languages, and the missed and merged ones by kind of error (ERROR_KINDS)."""
    result = Breakdown()
    traits = cache(_traits)  # of the items in a wrong pair only, once each
    counts: defaultdict[str, PairCounts] = defaultdict(PairCounts)
    by_event: defaultdict[object, list[Labelled]] = defaultdict(list)
    by_story: defaultdict[object, list[Labelled]] = defaultdict(list)
    for item in items:
        by_event[item.event].append(item)
        by_story[item.story].append(item)

    def languages(a: Labelled, b: Labelled) -> PairCounts:
        return counts["-".join(sorted((a.lang or "?", b.lang or "?")))]

    for members in by_event.values():
        for a, b in combinations(members, 2):
            if a.story == b.story:
                languages(a, b).joined += 1
            else:
                languages(a, b).missed += 1
                result.errors[_miss_kind(a, b, traits(a), traits(b))] += 1
    for members in by_story.values():
        for a, b in combinations(members, 2):
            if a.event != b.event:
                languages(a, b).merged += 1
                result.errors[_merge_kind(a, b, traits(a), traits(b))] += 1
    result.languages.update(sorted(counts.items()))
    return result


# Pairs say how wrong the stories are; which decision made them so says where to look: at what offers candidates
# (docs/deduplication.md section 3), at what weighs them (the scorer, section 7), or at the rules' vetoes (section 5).
DECISION_CAUSES = ("joined", "joined_part", "joined_other", "scored_low", "vetoed", "not_weighed", "not_offered")
_CAUSE_LABELS = {"joined": "joined its event", "joined_part": "joined a part of it",
                 "joined_other": "joined another event", "scored_low": "new, scored low", "vetoed": "new, vetoed",
                 "not_weighed": "new, not weighed", "not_offered": "new, not offered"}


@dataclass(frozen=True)
class Decided:
    """A report's decision as the clusterer traced it: the report's event, the story it went to, the candidates
    weighed, each as (story, vetoed by a rule), and every story offered (weighed or not)."""

    event: Hashable
    story: Hashable
    candidates: Sequence[tuple[Hashable, bool]]
    offered: Collection[Hashable] = ()


def decision_causes(decisions: Iterable[Decided]) -> dict[str, int]:
    """The reports of an event seen before, in the order they were clustered, counted by what became of them
    (DECISION_CAUSES): joined the story holding most of their event so far (the earliest of equal parts), another
    story of their event, or a story of other events only; or started one of their own though a story of their event
    was weighed (and scored too low or was vetoed), or offered but not weighed, or not offered at all. The first
    report of an event is not counted: starting its story is right whatever happens."""
    counts = dict.fromkeys(DECISION_CAUSES, 0)
    stories_of: defaultdict[Hashable, Counter] = defaultdict(Counter)  # an event → its stories, by its reports in each
    known: set[Hashable] = set()  # the stories made so far
    for decided in decisions:
        mine = stories_of[decided.event]
        if mine:
            if decided.story == mine.most_common(1)[0][0]:  # (the earliest of equals: insertion order)
                cause = "joined"
            elif decided.story in mine:
                cause = "joined_part"
            elif decided.story in known:
                cause = "joined_other"
            else:
                vetoes = [vetoed for story, vetoed in decided.candidates if story in mine]
                if vetoes:
                    cause = "vetoed" if all(vetoes) else "scored_low"
                else:
                    cause = "not_weighed" if any(story in mine for story in decided.offered) else "not_offered"
            counts[cause] += 1
        mine[decided.story] += 1
        known.add(decided.story)
    return counts


def cause_lines(counts: Mapping[str, int]) -> list[str]:
    """`decision_causes` as a table, like those of `Breakdown.lines`."""
    return _counted("reports of an event seen before", _CAUSE_LABELS, counts)


def _counted(heading: str, labels: Mapping[str, str], counts: Mapping[str, int]) -> list[str]:
    """A table of counts under a heading, a labelled line each, in the order of `labels`."""
    return [heading] + [f"  {label:<22}{counts[key]:>8}" for key, label in labels.items()]
