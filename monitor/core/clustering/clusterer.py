"""The clusterer: each report joins the most similar active story, or starts a new one (the package's
docstring tells how it decides)."""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from operator import mul

from monitor.core.clustering.features import Candidate, Item, Scorer, default_scorer, pair_features
from monitor.core.clustering.settings import (
    POSTINGS_READ,
    QUERY_TERMS,
    SCORED_CANDIDATES,
    TEXT_CHARS,
    Assignment,
    ClusterSettings,
    Embed,
    Report,
)
from monitor.core.clustering.story import Story, Traits, language_set, traits_of
from monitor.core.clustering.window import Window, remembered_lines
from monitor.core.clustering.words import read_text, term_counts
from monitor.core.dates import calendar_days_of
from monitor.core.terms import language_of, name_terms_of, terms_of


def _most_shared(shared: Counter) -> list[int]:
    """The SCORED_CANDIDATES stories sharing most of the item's heaviest terms, the lowest id first among
    equals. Only the stories that share as many as the last of them are sorted: on a busy day a common
    word is in hundreds of stories, and the best match is never among those sharing just that word."""
    if len(shared) > SCORED_CANDIDATES:
        least = sorted(shared.values())[-SCORED_CANDIDATES]
        best = sorted(story_id for story_id, count in shared.items() if count >= least)
    else:
        best = sorted(shared)
    best.sort(key=shared.__getitem__, reverse=True)  # stable: the lowest id first among equals
    return best[:SCORED_CANDIDATES]


@dataclass(frozen=True)
class Decision:
    """Why a report went where it went: its candidates, each with its features and probability, best
    lexical match first, and the story it joined (`Clusterer.trace`)."""

    key: object
    story_id: int
    created: bool
    forced: bool  # the story was given (a replay, an exact duplicate, a training run), not chosen
    candidates: list[Candidate]
    threshold: float


class Clusterer:
    """Assigns reports to stories as they arrive. Pure: no IO; time comes with each report. `embed` is
    accepted for the callers that pass one and not used: the scorer decides on the words (the
    embeddings were slower by thousands of times and never better on our labelled sets)."""

    def __init__(self, settings: ClusterSettings | None = None, embed: Embed | None = None,
                 first_story_id: int = 1, scorer: Scorer | None = None) -> None:
        self.settings = settings or ClusterSettings()
        self.embed = embed
        self.scorer = scorer or default_scorer()
        self.query_terms = QUERY_TERMS
        self.stories: dict[int, Story] = {}
        # term → the stories that have it, the one that took a report with it most recently last, at most
        # POSTINGS_READ of them: neither the cost of finding candidates nor the index's size grows with the
        # window. Arrays: most terms are in one story or a few, and a dictionary each was most of the index.
        self.index: dict[str, array] = {}
        self.stats: Counter = Counter()  # candidates scored and postings read, for figures
        self.next_id = first_story_id
        self.clock: datetime | None = None  # the latest publication time seen
        self.embedded = 0  # texts sent to `embed` (none now), for figures
        self.expired: list[int] = []  # stories that left the window, for the caller to collect and clear
        self.window = Window()  # document frequencies and the sources' lines over the window
        self._expiry: list[tuple[datetime, int]] = []  # (last_seen, story id), lazily refreshed
        # When a list, each `add` appends its Decision, candidates scored even where the story is given
        # (`eval-clusters --explain`, and the training of the scorer, which gives each report its labelled story)
        self.trace: list[Decision] | None = None

    # -- the window ---------------------------------------------------------------------------------

    def _advance(self, published: datetime) -> None:
        """Move the clock to a report's publication time: older reports leave the window, and the stories
        quiet for longer than it leave the index."""
        if self.clock is None or published > self.clock:
            self.clock = published
        horizon = self.clock - timedelta(seconds=self.settings.window_s)
        self.window.leave(horizon)
        while self._expiry and self._expiry[0][0] < horizon:
            last_seen, story_id = heapq.heappop(self._expiry)
            story = self.stories.get(story_id)
            if story is None or story.last_seen != last_seen:
                continue  # the story grew since; a fresher entry is in the heap
            index = self.index
            for term in story.centroid:  # the index has the story under its terms, but where too many took them
                ids = index[term]
                if story_id in ids:
                    ids.remove(story_id)
                    if not ids:
                        del index[term]
            del self.stories[story_id]
            self.expired.append(story_id)

    # -- assignment ---------------------------------------------------------------------------------

    def add(self, report: Report, story_id: int | None = None) -> Assignment:
        """Assign one report. `story_id` forces the story (replaying a stored assignment, or an exact
        duplicate of an item already assigned); a story unknown to the window is opened under that id."""
        self._advance(report.published)
        as_published = report  # a new story's seed: what `restore` has too, whatever the window held
        report, lines = self.window.without_boilerplate(report)
        title_words, title_read = read_text[report.title]
        text_words, text_read = read_text[report.text[:TEXT_CHARS]]
        read = title_read + text_read
        counts = term_counts(title_read, text_read)
        terms = tuple(counts)
        self.window.count(report.published, terms, lines)
        vector = self.window.vector(counts)
        title_terms = frozenset(terms_of(title_read))
        traits = traits_of(as_published, language_of(read), len(report.text),
                           calendar_days_of(title_words + text_words), vector, terms, title_terms)
        score = 0.0
        forced = story_id is not None
        candidates: list[Candidate] = []
        if story_id is None or self.trace is not None:
            chosen, score, candidates = self._choose(report, vector, name_terms_of(read), traits, title_terms)
            if story_id is None:
                story_id = chosen
            else:
                score = next((p for sid, _, p in candidates if sid == story_id), 0.0)
        created = story_id is None or story_id not in self.stories
        if story_id is None:
            story_id = self.next_id
        if created:
            score = 0.0
        if self.trace is not None:
            threshold = self.scorer.threshold if self.settings.threshold is None else self.settings.threshold
            self.trace.append(Decision(report.key, story_id, created, forced, candidates, threshold))
        self._join(self._story(story_id, as_published), report.published, traits)
        return Assignment(story_id, score, created, {}, traits.lang, vector, traits.chars, traits.days)

    def restore(self, report: Report, story_id: int, terms: dict[str, float], lang: str, chars: int,
                days: frozenset[int]) -> None:
        """Put back a report as it was assigned before a restart: its story, its TF-IDF vector, language,
        text length and dates as stored, so nothing depends on what the window held when it came. Restoring the
        reports of the stories still active, in the order they were added, rebuilds the window: those
        within it count for document frequencies and the source's lines; older ones only for their story."""
        self._advance(report.published)
        names = tuple(terms)
        self.window.count(report.published, names, remembered_lines(report))
        title_terms = frozenset(terms_of(read_text[report.title][1])) & terms.keys()
        traits = traits_of(report, lang, chars, days, terms, names, title_terms)
        self._join(self._story(story_id, report), report.published, traits)

    def _story(self, story_id: int, report: Report) -> Story:
        """The story, opened with this report as its first when the window does not have it."""
        if story_id not in self.stories:
            self.stories[story_id] = Story(story_id, report.published, report.published)
        self.next_id = max(self.next_id, story_id + 1)
        return self.stories[story_id]

    def _join(self, story: Story, published: datetime, traits: Traits) -> None:
        if traits.lang not in story.languages:
            story.languages = language_set(story.languages | {traits.lang})
        if traits.days:
            story.days |= traits.days
        story.times.update(traits.times)
        story.shortest_chars = min(story.shortest_chars, traits.chars)
        story.members.append((traits.own[0] if traits.own is not None else None, traits.packed, published))
        story.title_terms.update(traits.title_terms)
        if traits.title_names:
            story.title_names.append((traits.lang, tuple(sorted(traits.title_names))))
        centroid, weights, index, story_id = story.centroid, story.weights, self.index, story.id
        for term, weight in traits.vector.items():
            held = centroid.get(term)
            if held is None:
                centroid[term] = len(weights)
                weights.append(weight)
            else:
                weights[held] += weight
            ids = index.get(term)
            if ids is None:
                index[term] = array("L", (story_id,))
            elif ids[-1] != story_id:  # the story goes last: the latest to take a report with the term
                if held is not None and story_id in ids:
                    ids.remove(story_id)
                ids.append(story_id)
                if len(ids) > POSTINGS_READ:  # never read (`_lexical` reads the latest): forgotten
                    del ids[0]
        story.size += 1
        if story.size == 1 or published > story.last_seen:  # an entry when its time moves, not for every report
            story.last_seen = max(story.last_seen, published)
            heapq.heappush(self._expiry, (story.last_seen, story.id))

    def _lexical(self, vector: dict[str, float], names_in_item: set[str]) -> list[tuple[float, int]]:
        """Candidate stories with the mean cosine between the item and their reports, best first.

        A story must share one of the item's names (people, places, bodies): reports about others are
        other events, however alike the rest of the words. Candidates share one of the item's heaviest
        terms, and one of its names (set operations on the index, before any scoring). The index holds the
        stories that took a report with a term most recently, POSTINGS_READ at most: where more stories share
        a name or a word, the older ones' is no evidence now."""
        index, stats = self.index, self.stats
        named: set[int] | None = None
        if names_in_item and self.settings.name_agreement:
            named = set()
            for ids in filter(None, map(index.get, names_in_item)):
                named.update(ids)
            stats["postings"] += len(named)
        heaviest = sorted(vector, key=vector.__getitem__, reverse=True)[:self.query_terms]  # ties: text order
        postings = [ids for ids in map(index.get, heaviest) if ids]
        stats["postings"] += sum(map(len, postings))
        # counted in one pass, not one update per term
        shared = Counter(chain.from_iterable(postings if named is None else map(named.intersection, postings)))
        candidates = _most_shared(shared)
        stats["candidates"] += len(candidates)
        return self._scores(vector, candidates)

    def _scores(self, vector: dict[str, float], candidates: list[int]) -> list[tuple[float, int]]:
        """The candidates with their mean cosine to the item, best first."""
        scored = []
        terms_in_item = vector.keys()
        for story_id in candidates:
            story = self.stories[story_id]
            centroid, weights = story.centroid, story.weights
            # Over the shared terms only, a set operation and products taken in C (the clusterer's innermost
            # loop); fsum's exact sum does not depend on the order the set gives them in, which differs
            # between processes, so a restart scores the same.
            shared = centroid.keys() & terms_in_item
            dot = math.fsum(map(mul, map(vector.__getitem__, shared), map(weights.__getitem__,
                                                                          map(centroid.__getitem__, shared))))
            scored.append((dot / story.size, story_id))  # the mean cosine to the story's reports
        scored.sort(key=lambda sc: (-sc[0], sc[1]))
        return scored

    def _choose(self, report: Report, vector: dict[str, float], names: set[str], traits: Traits,
                title_terms: frozenset[str]) -> tuple[int | None, float, list[Candidate]]:
        """The story to join and its probability (None: a new story), and every candidate with its features
        and probability: the scorer weighs each candidate, and the best joins if it is likely enough."""
        scored = self._lexical(vector, names)
        if not scored:
            return None, 0.0, []
        settings, scorer = self.settings, self.scorer
        item = Item(traits, report.published, frozenset(names), title_terms,
                    frozenset(term for term in vector if term.isdigit()))
        candidates = []
        for cos, story_id in scored:
            features = pair_features(item, self.stories[story_id], cos, settings.days_apart, settings.title_names)
            candidates.append((story_id, features, scorer.probability(features)))
        story_id, _, probability = max(candidates, key=lambda c: c[2])  # the first (most alike) among equals
        threshold = scorer.threshold if settings.threshold is None else settings.threshold
        if probability >= threshold:
            return story_id, probability, candidates
        return None, 0.0, candidates

