"""What a report and a candidate story have in common, as named numbers (features), and the model that
weighs them into the probability that the report is about the story's event.

The model is fitted on labelled news (benchmarks/train_scorer.py) and shipped as a small JSON file
(monitor/data/scorer.json): the feature names in order, the fitted trees and the decision threshold. It is
evaluated here in plain Python, so monitor needs nothing of the library that fitted it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from importlib.resources import files

from monitor.core.clustering.names import unmentioned, unmentioned_by
from monitor.core.clustering.settings import TEXT_CHARS
from monitor.core.clustering.story import Seen, Story, Traits, cosine, shared_beyond_concepts
from monitor.core.dates import DAY_MINUTES, YEAR_DAYS, nearest_gap

# The features, in the order `pair_features` gives them (a model file names those it was fitted on).
FEATURES = (
    "cosine",  # mean TF-IDF cosine between the report and the story's reports
    "latest_cosine",  # cosine to the story's latest report
    "title_share",  # share of the report's title terms found in the story's titles
    "names_shared",  # the report's names (people, places, bodies) the story has, up to 5
    "names_unshared",  # share of the report's names the story does not have
    "title_names_new",  # 1: the report's title names someone or somewhere the story does not mention
    "story_names_missing",  # 1: each of the story's titles in its language names someone the report does not mention
    "titles_name_others",  # 1: both of the above (the same template about another club, city or person)
    "numbers_shared",  # numbers both have, up to 3
    "numbers_new",  # numbers the report has and the story does not, up to 3
    "dates_apart",  # 1: the dates they name are all `days_apart` or more from each other
    "dates_shared",  # 1: they name a date in common
    "clock_times_named",  # 1: both name clock times ("01:19", "9:40pm")
    "clock_hours_apart",  # hours between the nearest of them, up to 3 (a bulletin's time tells its event)
    "log_hours_since_latest",  # log(1 + hours since the story's latest report)
    "log_hours_since_first",  # log(1 + hours since its first)
    "same_source",  # 1: the story has a report of the report's source
    "same_source_cosine",  # the highest cosine to those reports (0 without any)
    "log_hours_since_same_source",  # log(1 + hours since the latest of them) (0 without any)
    # how much the title is the headline of the source's latest report in the story (their title terms in common over
    # all of either's), halved for every hour since it (0 without any): a channel repeating its headline minutes
    # later tells more of one event, the same headline hours later a new one, and the template's next bulletin has
    # its own clock time or words ("all clear" after "alert") where the story's titles together have them all; 0 where
    # either half of `names_apart` holds (one title names someone the other report does not mention): the same
    # template about another region is not the headline again (on the labelled sets, of a source's pairs where one
    # half holds, 473 are different events and 10 one event)
    "same_source_title_recent",
    "other_source_cosine",  # the highest cosine to the latest reports of other sources
    "cross_language",  # 1: the story has no report in the report's language
    "cross_language_cosine",  # the cosine, when across languages (what they share is names and concepts)
    "shared_beyond_concepts",  # terms shared besides concepts, numbers and short stems, up to 5
    "report_is_article",  # 1: the report's text is a full article (TEXT_CHARS or more)
    "story_is_articles",  # 1: every report of the story is
    "articles_cosine",  # the cosine, when both are
    "log_story_size",  # log of the story's reports
    "time_known",  # 1: the report's time is known (0: the hours above are 0, as nothing is known of them)
    "rules_ratio",  # the cosine over the threshold the hand-written rules hold the pair to, up to 3 (not faded: the
    # hours are features of their own)
    "rules_vetoed",  # 1: a veto of the rules holds (dates days apart, the source's other event, titles naming
    # others): such a story is never joined, whatever the probability
)
_TIMES = tuple(FEATURES.index(name) for name in ("log_hours_since_latest", "log_hours_since_first",
                                                  "log_hours_since_same_source"))
_OWN_TITLE = FEATURES.index("same_source_title_recent")
_TIME_KNOWN = FEATURES.index("time_known")

COMPARED_REPORTS = 4  # other sources' reports compared one by one: the latest (the cost stays flat as a story grows)
WEIGHED_CANDIDATES = 4  # only the candidates most alike by cosine are weighed: each costs a set of features


@dataclass(frozen=True)
class Item:
    """A report as the features see it, read once for all its candidates."""

    traits: Traits
    published: datetime
    names: frozenset[str]  # the terms of its capitalised words (`name_terms_of`)
    title_terms: frozenset[str]
    numbers: frozenset[str]
    dated: bool = True  # its time is known (`Report.dated`)


def _log_hours(seconds: float) -> float:
    return math.log1p(max(seconds, 0.0) / 3600)


def days_gap(days: frozenset[int], story_days: frozenset[int]) -> int | None:
    """The fewest days between a date of the report's and one of the story's, around the year's end."""
    return nearest_gap(days, story_days, YEAR_DAYS)


def names_apart(item: Traits, story: Story) -> tuple[bool, bool]:
    """Whether the report's title names someone or somewhere none of the story's reports mentions, and
    whether each of the story's titles in the report's language that names anyone names someone or
    somewhere the report does not mention (mentions: the terms of the title and first 400 characters).
    Both: the weather in Brest and the weather in Gomel; Guterres's and Peskov's words on the dam. Titles
    in other languages are not compared: they may translate a name (Hungary and Венгрия) rather than spell it.
    Whom the story mentions: its terms, and their name keys (`Story.keys`)."""
    new = bool(item.title_names) and unmentioned_by(item.title_names, story.centroid, story.keys)
    theirs = [names for lang, names in story.title_names if lang == item.lang]
    return new, bool(theirs) and all(unmentioned(names, item.keys) for names in theirs)


def _seen(story: Story) -> Seen:
    """What the scorer compares of a story (a clusterer with a scorer or a trace keeps it for every story)."""
    assert story.seen is not None, "a story the scorer compares keeps what it has seen"
    return story.seen


def pair_features(item: Item, story: Story, cos: float, days_apart: int, apart: tuple[bool, bool],
                  rules_ratio: float, vetoed: bool) -> tuple[float, ...]:
    """The features of a report and a candidate story, in FEATURES' order; `cos` is their mean cosine;
    `days_apart` as in ClusterSettings; `apart` what `names_apart` says of them ((False, False) where titles are
    not compared); `rules_ratio` and `vetoed` as in FEATURES (`Clusterer._vetoes`, read first: a vetoed story
    is seldom weighed)."""
    traits, centroid = item.traits, story.centroid
    vector = traits.vector
    source = traits.own[0] if traits.own is not None else None
    own_cos = own_hours = other_cos = 0.0
    same = False
    latest = own_latest = None
    others = 0
    seen = _seen(story)
    headline: tuple[str, ...] = ()
    for whose, terms, weights, published, titled in reversed(story.members):
        own = source is not None and whose is not None and whose[0] == source
        if not own and latest is not None and others >= COMPARED_REPORTS:
            if source is None:
                break  # nothing more to compare
            continue  # only the source's own reports are still looked for
        alike = cosine(vector, terms, weights)  # once a member, whatever it counts for
        if latest is None:
            latest = alike
        if own:
            same = True
            own_cos = max(own_cos, alike)
            if own_latest is None:
                own_latest = published
                headline = terms[:titled]
        else:
            others += 1
            other_cos = max(other_cos, alike)
    names = item.names
    names_shared = len(centroid.keys() & names)
    title_share = seen.title_share(story, item.title_terms)
    own_title = 0.0
    if own_latest is not None:
        own_s = max((item.published - own_latest).total_seconds(), 0.0)
        own_hours = _log_hours(own_s)
        own_title = 0.0 if any(apart) else _alike(item.title_terms, headline) * 0.5 ** (own_s / 3600)
    numbers_shared = len(centroid.keys() & item.numbers)
    gap = days_gap(traits.days, story.days)
    clock_gap = nearest_gap(traits.times, seen.times, DAY_MINUTES)
    new_names, missing_names = apart
    cross = bool(traits.lang) and traits.lang not in story.languages
    report_long = traits.chars >= TEXT_CHARS
    story_long = story.shortest_chars >= TEXT_CHARS
    features = (
        cos,
        latest or 0.0,
        title_share,
        float(min(names_shared, 5)),
        (len(names) - names_shared) / len(names) if names else 0.0,
        float(new_names),
        float(missing_names),
        float(new_names and missing_names),
        float(min(numbers_shared, 3)),
        float(min(len(item.numbers) - numbers_shared, 3)),
        float(bool(days_apart) and gap is not None and gap >= days_apart),
        float(gap == 0),
        float(clock_gap is not None),
        min(clock_gap, 180) / 60 if clock_gap is not None else 0.0,
        _log_hours((item.published - story.last_seen).total_seconds()),
        _log_hours((item.published - story.first_seen).total_seconds()),
        float(same),
        own_cos,
        own_hours,
        own_title,
        other_cos,
        float(cross),
        cos if cross else 0.0,
        min(shared_beyond_concepts(traits, centroid), 5) / 5,
        float(report_long),
        float(story_long),
        cos if report_long and story_long else 0.0,
        math.log(max(story.size, 1)),
        1.0,
        rules_ratio,
        float(vetoed),
    )
    return features if item.dated else time_unknown(features)


def _alike(title_terms: frozenset[str], headline: tuple[str, ...]) -> float:
    """How much two titles are one headline: their terms in common over all of either's (the same headline again
    is 1; the template's next bulletin, with its own clock time or "all clear" for "alert", less)."""
    both = len(title_terms.intersection(headline))
    return both / (len(title_terms) + len(headline) - both) if both else 0.0


def time_unknown(features: tuple[float, ...]) -> tuple[float, ...]:
    """The features of a pair whose time is not known: the hours between the reports are 0, and `time_known`
    says so (the scorer is fitted on such copies of every pair too, so it has learnt to weigh them without)."""
    unknown = list(features)
    for at in _TIMES:
        unknown[at] = 0.0
    unknown[_OWN_TITLE] = 0.0  # how recent is not known
    unknown[_TIME_KNOWN] = 0.0
    return tuple(unknown)


Tree = tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[float, ...]]


@dataclass(frozen=True)
class Scorer:  # not slots: `_log_odds` is cached on the instance
    """Fitted gradient-boosted trees over FEATURES: the probability that a report belongs to a story. Each
    tree asks a few questions of the features (is the cosine above 0.12? more than 9 hours since the source's
    last report?) and adds its leaf's value to the log-odds."""

    features: tuple[str, ...]
    trees: tuple[Tree, ...]  # (feature, threshold, left child, right child, value) per node; a leaf has no children
    start: float  # the log-odds before any tree
    rate: float  # each tree's share (the learning rate)
    threshold: float  # the probability from which a report joins its best candidate
    version: str

    @classmethod
    def from_json(cls, text: str) -> Scorer:
        """A scorer from a model file's text."""
        model = json.loads(text)
        features = tuple(model["features"])
        if features != FEATURES:
            raise ValueError("dedup: the scorer model was fitted on other features than this monitor computes; "
                             "refit it with benchmarks/train_scorer.py --write")
        trees = tuple((tuple(tree["feature"]), tuple(tree["threshold"]), tuple(tree["left"]), tuple(tree["right"]),
                       tuple(tree["value"])) for tree in model["trees"])
        return cls(features, trees, float(model["start"]), float(model["rate"]), float(model["threshold"]),
                   str(model["version"]))

    @cached_property
    def _log_odds(self) -> Callable[..., float]:
        """The trees as one Python expression, compiled once: walking their nodes in a loop took most of the
        clusterer's time. Only numbers of the model file go into it, written out by this code. The features are
        its arguments (x0, x1, ...): a local name is read faster than an item of a tuple, a quarter of its time."""
        def node(tree: Tree, at: int) -> str:
            feature, threshold, left, right, value = tree
            if left[at] < 0:
                return repr(float(value[at]))
            return (f"({node(tree, left[at])} if x{int(feature[at])} <= {float(threshold[at])!r} "
                    f"else {node(tree, right[at])})")

        body = " + ".join(node(tree, 0) for tree in self.trees) or "0.0"
        names = ", ".join(f"x{at}" for at in range(len(self.features)))
        code = f"lambda {names}: {float(self.start)!r} + {float(self.rate)!r} * ({body})"
        return eval(compile(code, "<scorer trees>", "eval"), {"__builtins__": {}})  # noqa: S307

    def probability(self, features: Sequence[float]) -> float:
        """The probability that the pair is one event."""
        z = self._log_odds(*features)
        return 1 / (1 + math.exp(-z)) if z > -500 else 0.0


MODEL_FILE = "scorer.json"


class ScorerError(Exception):
    """The scorer's model file cannot be read."""


@cache
def default_scorer() -> Scorer:
    """The scorer shipped in monitor/data/."""
    return scorer_from((files("monitor") / "data" / MODEL_FILE).read_text, f"monitor/data/{MODEL_FILE}")


def scorer_from(read: Callable[..., str], name: str) -> Scorer:
    """A scorer from a model file (`read` gives its text), or ScorerError saying what to do."""
    try:
        return Scorer.from_json(read(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ScorerError(f"dedup: the scorer model {name} cannot be read ({exc}); reinstall monitor, or set "
                          "[dedup] scorer = false") from exc


Candidate = tuple[int, tuple[float, ...], float]  # story id, its features, the probability
Owner = Hashable
