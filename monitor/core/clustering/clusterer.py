"""The clusterer: each report joins the most similar active story, or starts a new one (the package's
docstring tells how it decides)."""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from operator import itemgetter, mul

from monitor.core.clustering.features import (
    WEIGHED_CANDIDATES,
    Candidate,
    Item,
    Scorer,
    days_gap,
    default_scorer,
    names_apart,
    pair_features,
)
from monitor.core.clustering.names import key_string, keys_of
from monitor.core.clustering.settings import (
    EMBED_CANDIDATES,
    POSTINGS_READ,
    QUERY_TERMS,
    QUERY_TERMS_WITH_MEANING,
    SCORED_CANDIDATES,
    TEXT_CHARS,
    Assignment,
    ClusterSettings,
    Embed,
    Report,
    Vector,
)
from monitor.core.clustering.story import (
    Seen,
    Story,
    Traits,
    cosine,
    dot,
    language_set,
    shared_beyond_concepts,
    traits_of,
)
from monitor.core.clustering.window import Window, remembered_lines
from monitor.core.clustering.words import embed_text, read_text, term_counts, title_terms_of
from monitor.core.dates import calendar_days_of
from monitor.core.terms import language_of, name_keys_of, name_terms_of

KEY_CONSONANTS = 2  # a shorter key (EU, UA, UN: one consonant or none) is shared by too many names to tell any
# The stories read under a key in another language: the latest to take a report with it (a key is shared by more
# names than a term is, and the stories of each other language are read, so fewer of each than of a term's)
KEY_POSTINGS_READ = 2
# The index's postings are story ids in arrays of unsigned 32-bit ints (half the bytes of "L"), or the one story's id
# where a term is in one story: story ids count up from the store's first, one a story
POSTING = "I"
# The rules' constants the scorer's `rules_ratio` is read with: the thresholds a user sets for the rules must not
# move the features of a model fitted with these
RULES = ClusterSettings(learned=False)
_WHOSE = itemgetter(0)  # a story member's (source, language)


Postings = int | array  # the stories under a term: the one story's id, or an array of them (`Clusterer.index`)


def _forget(index: dict[str, Postings] | dict[str, array], term: str, story_id: int) -> None:
    """Take a story that left the window from under the term (where too many took it since, it is gone already), in
    the term index (an id or an array of them) or a key index (arrays). (`_join` puts it there, inline.)"""
    ids = index.get(term)
    if isinstance(ids, int):
        if ids == story_id:
            del index[term]
    elif ids is not None and story_id in ids:
        while story_id in ids:  # a key's postings do not look for an older place of the story's (`_join`)
            ids.remove(story_id)
        if not ids:
            del index[term]


def _postings(index: dict[str, Postings], terms: Iterable[str]) -> list[tuple[int] | array]:
    """The stories under each of the terms the index has, as a sequence of ids (a term in one story holds its id)."""
    return [(ids,) if isinstance(ids, int) else ids for ids in map(index.get, terms) if ids is not None]


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
    """Why a report went where it went (`Clusterer.trace`): its candidates, best lexical match first, each
    with the scorer's features of the pair and its score (the scorer's probability, or with the rules the
    lexical score), and the story it joined."""

    key: object
    story_id: int
    created: bool
    forced: bool  # the story was given (a replay, an exact duplicate, a training run), not chosen
    candidates: list[Candidate]
    threshold: float
    # every story section 3 of docs/deduplication.md offered, most alike first: the candidates above are the first
    # WEIGHED_CANDIDATES of them (`eval-clusters --causes` tells a story never offered from one offered, not weighed)
    offered: tuple[int, ...] = ()


class Clusterer:
    """Assigns reports to stories as they arrive. Pure: no IO; time comes with each report, and the
    optional `embed` function is the only way out (it must be deterministic). With `settings.learned`, or a
    `scorer` given, a fitted scorer decides instead of the rules (and embeddings are not used)."""

    def __init__(self, settings: ClusterSettings | None = None, embed: Embed | None = None,
                 first_story_id: int = 1, scorer: Scorer | None = None) -> None:
        self.settings = settings or ClusterSettings()
        self.scorer = scorer or (default_scorer() if self.settings.learned else None)
        if self.scorer is not None:
            embed = None
        # When a list, each `add` appends its Decision, candidates scored even where the story is given
        # (`eval-clusters --explain`, and the training of the scorer, which gives each report its labelled story)
        self.trace: list[Decision] | None = None
        self.embed = embed
        self.query_terms = QUERY_TERMS if embed is None else QUERY_TERMS_WITH_MEANING
        self.stories: dict[int, Story] = {}
        # term → the stories that have it, the one that took a report with it most recently last, at most
        # POSTINGS_READ of them: neither the cost of finding candidates nor the index's size grows with the
        # window. Arrays: most terms are in one story or a few, and a dictionary each was most of the index. A term in
        # one story has its id, the story's own int: half the terms of a busy day's window are in one story, and an
        # array each took 84 bytes.
        self.index: dict[str, Postings] = {}
        # language → a name's key (`name_key`: its first consonants) → the stories that took a report in that
        # language with a term of that key, the latest last, only the KEY_POSTINGS_READ that are read: across
        # languages a story "shares a name" with a report that spells it otherwise (Kyiv and Києві, Дніпро and
        # Днепр); within one, a name is spelled one way, and names of one key are other places (Austria and
        # Australia)
        self.keys: dict[str, dict[str, array]] = {}
        self.stats: Counter = Counter()  # candidates scored and postings read, for figures
        self.next_id = first_story_id
        self.clock: datetime | None = None  # the latest publication time seen
        self.embedded = 0  # texts sent to `embed`, for figures
        self.expired: list[int] = []  # stories that left the window, for the caller to collect and clear
        self.window = Window()  # document frequencies and the sources' lines over the window
        self._expiry: list[tuple[datetime, int]] = []  # (last_seen, story id), lazily refreshed

    @property
    def _scored(self) -> bool:
        """Whether a scorer decides, or its features are traced for fitting one: the stories then keep what it
        compares (`Seen`), and each report's title terms and clock times are read."""
        return self.scorer is not None or self.trace is not None

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
                _forget(index, term, story_id)
            keys = keys_of(story.centroid)
            for lang in story.languages:
                for key in keys:
                    _forget(self.keys[lang], key, story_id)
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
        traits = traits_of(as_published, language_of(read), len(report.text),
                           calendar_days_of(title_words + text_words), vector, terms,
                           # as `restore` reads them back: the title as published, the terms stored
                           title_terms_of(as_published.title, vector)
                           if self._scored else None, name_keys_of(read))
        item_vector = report.vector
        computed: dict = {}
        score = 0.0
        forced = story_id is not None
        candidates: list[Candidate] = []
        offered: tuple[int, ...] = ()
        # A given story is not chosen: its candidates are weighed only for a trace (a replay, an exact duplicate of a
        # report already in a story: the service stores its score as 1.0)
        if self._scored and (not forced or self.trace is not None):
            chosen, score, candidates, offered = self._score(report, vector, name_terms_of(read),
                                                             name_keys_of(read, True), traits)
            if self.scorer is not None and story_id is None:
                story_id = chosen
            elif story_id is not None:
                score = next((p for sid, _, p in candidates if sid == story_id), 0.0)
        if story_id is None and not forced and self.scorer is None:
            story_id, score, item_vector = self._choose(report, vector, name_terms_of(read), name_keys_of(read, True),
                                                        traits, computed)
        created = story_id is None or story_id not in self.stories
        if story_id is None:
            story_id = self.next_id
        if created:
            score = 0.0
        if self.trace is not None:
            self.trace.append(Decision(report.key, story_id, created, forced, candidates, self._threshold(), offered))
        self._join(self._story(story_id, as_published), item_vector, report.published, traits)
        return Assignment(story_id, score, created, computed, traits.lang, vector, traits.chars, traits.days,
                          traits.title_names, traits.title_terms if self._scored else None)

    def restore(self, report: Report, story_id: int, terms: dict[str, float], lang: str, chars: int,
                days: frozenset[int], title_names: frozenset[str] | None = None,
                title_terms: frozenset[str] | None = None) -> tuple[frozenset[str], frozenset[str] | None]:
        """Put back a report as it was assigned before a restart: its story, its TF-IDF vector, language,
        text length and dates as stored, so nothing depends on what the window held when it came. Restoring the
        reports of the stories still active, in the order they were added, rebuilds the window: those
        within it count for document frequencies and the source's lines; older ones only for their story.
        Its title's names and terms as `add` gave them (`Assignment`), where stored: else its words are read again
        for them (most of what putting a report back costs). Returns them (the terms where a scorer decides), for the
        caller to store."""
        self._advance(report.published)
        names = tuple(terms)
        self.window.count(report.published, names, remembered_lines(report))
        if self._scored and title_terms is None:
            title_terms = title_terms_of(report.title, terms)
        traits = traits_of(report, lang, chars, days, terms, names, title_terms if self._scored else None,
                           title_names=title_names)
        self._join(self._story(story_id, report), report.vector, report.published, traits)
        return traits.title_names, traits.title_terms if self._scored else None

    def _story(self, story_id: int, report: Report) -> Story:
        """The story, opened with this report as its first when the window does not have it."""
        if story_id not in self.stories:
            self.stories[story_id] = Story(story_id, report.published, report.published,
                                           seed=(report.key, embed_text(report.title, report.text))
                                           if self.embed else None)
        self.next_id = max(self.next_id, story_id + 1)
        return self.stories[story_id]

    def _join(self, story: Story, item_vector: Vector | None, published: datetime, traits: Traits) -> None:
        if traits.lang not in story.languages:
            story.languages = language_set(story.languages | {traits.lang})
        if traits.days:
            story.days |= traits.days
        story.shortest_chars = min(story.shortest_chars, traits.chars)
        # its terms begin with its title's (`term_counts`), which are all among them: their count says which they are
        story.members.append((traits.own, traits.terms, traits.weights, published, len(traits.title_terms)))
        if traits.title_names:
            named = (traits.lang, tuple(sorted(traits.title_names)))
            if named not in story.title_names:
                story.title_names.append(named)
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
                index[term] = story_id
            elif isinstance(ids, int):
                if ids != story_id:
                    index[term] = array(POSTING, (ids, story_id))
            elif ids[-1] != story_id:  # the story goes last: the latest to take a report with the term
                if held is not None and story_id in ids:
                    ids.remove(story_id)
                ids.append(story_id)
                if len(ids) > POSTINGS_READ:  # never read (`_lexical` reads the latest): forgotten
                    del ids[0]
        story.keys = key_string(traits.keys, story.keys)  # whom the report's terms mention (the expiry reads the terms)
        # The same under the keys of its terms, inline (these run for every term of every report), but a story that
        # took a report with the key before is not looked for: retrieval only asks which stories are under a key, so
        # an older place of the story's does no harm, and looking for it was most of the cost
        keys = self.keys.setdefault(traits.lang, {})
        for key in traits.keys:
            ids = keys.get(key)
            if ids is None:
                keys[key] = array(POSTING, (story_id,))
            elif ids[-1] != story_id:
                ids.append(story_id)
                if len(ids) > KEY_POSTINGS_READ:
                    del ids[0]
        if self._scored:  # what the scorer compares (the rules do not)
            seen = story.seen = story.seen or Seen()
            titled = seen.titled
            titled.extend(bytes(len(weights) - len(titled)))
            for term in traits.title_terms:
                titled[centroid[term]] = 1
            if traits.times:
                seen.times |= traits.times
        story.size += 1
        if item_vector is not None:
            self._add_vector(story, item_vector)
        if story.size == 1 or published > story.last_seen:  # an entry when its time moves, not for every report
            story.last_seen = max(story.last_seen, published)
            heapq.heappush(self._expiry, (story.last_seen, story.id))

    @staticmethod
    def _add_vector(story: Story, item_vector: Vector) -> None:
        if story.vector_sum is None:
            story.vector_sum = list(item_vector)
        else:
            story.vector_sum = [a + b for a, b in zip(story.vector_sum, item_vector, strict=True)]
        story.vectors += 1

    def _lexical(self, vector: dict[str, float], names_in_item: set[str], keys_named: set[str], item_lang: str,
                 fading: bool = True) -> list[tuple[float, int]]:
        """Candidate stories with the mean cosine between the item and their reports, best first.

        A story must share one of the item's names (people, places, bodies): reports about others are
        other events, however alike the rest of the words. Candidates share one of the item's heaviest
        terms, and one of its names (set operations on the index, before any scoring). The index holds the
        stories that took a report with a term most recently, POSTINGS_READ at most: where more stories share
        a name or a word, the older ones' is no evidence now."""
        index, stats = self.index, self.stats
        named: set[int] | None = None
        if names_in_item and self.settings.name_agreement:
            named = set(chain.from_iterable(_postings(index, names_in_item)))
            keys = [key for key in keys_named if len(key) >= KEY_CONSONANTS]  # the names' keys (`name_keys_of`)
            for lang, stories in self.keys.items():
                if keys and (lang != item_lang or not lang):  # a report of unknown language may be in any
                    for keyed in filter(None, map(stories.get, keys)):
                        named.update(keyed[-KEY_POSTINGS_READ:])
            stats["postings"] += len(named)
        heaviest = sorted(vector, key=vector.__getitem__, reverse=True)[:self.query_terms]  # ties: text order
        postings = _postings(index, heaviest)
        stats["postings"] += sum(map(len, postings))
        # counted in one pass, not one update per term (a story is once in a term's postings)
        shared = Counter(chain.from_iterable(postings) if named is None
                         else filter(named.__contains__, chain.from_iterable(postings)))
        candidates = _most_shared(shared)
        stats["candidates"] += len(candidates)
        return self._scores(vector, candidates, fading)

    def _scores(self, vector: dict[str, float], candidates: list[int], fading: bool = True
                ) -> list[tuple[float, int]]:
        """The candidates with their mean cosine to the item, fading as each story goes quiet (unless not
        `fading`: the scorer weighs the time itself), best first."""
        scored = []
        terms_in_item = vector.keys()
        assert self.clock is not None  # set by the report being added
        now_s, half_life_s = self.clock.timestamp(), self.settings.half_life_s
        for story_id in candidates:
            story = self.stories[story_id]
            centroid, weights = story.centroid, story.weights
            # Over the shared terms only, a set operation and products taken in C (the clusterer's innermost
            # loop); fsum's exact sum does not depend on the order the set gives them in, which differs
            # between processes, so a restart scores the same.
            shared = centroid.keys() & terms_in_item
            dot = math.fsum(map(mul, map(vector.__getitem__, shared), map(weights.__getitem__,
                                                                          map(centroid.__getitem__, shared))))
            # the mean cosine to the story's reports, fading as the story goes quiet
            if fading:
                quiet_s = max(now_s - story.last_seen.timestamp(), 0.0)
                scored.append((dot / story.size * 0.5 ** (quiet_s / half_life_s), story_id))
            else:
                scored.append((dot / story.size, story_id))
        scored.sort(key=lambda sc: (-sc[0], sc[1]))
        return scored

    def _across(self, story_id: int, lang: str) -> bool:
        """Whether the story has no report in the item's language yet."""
        return bool(lang) and lang not in self.stories[story_id].languages

    def _again(self, story_id: int, traits: Traits) -> bool:
        """Whether the story has a report of the item's source in its language and the item is another
        event of that source's: it shares less than `same_source` with each of those reports, and it is
        not nearly the same (`sure`) as another source's report in its language (the wire copy everyone
        carries, after the source's own brief)."""
        own = traits.own
        if own is None:
            return False
        members = self.stories[story_id].members
        if own not in map(_WHOSE, members):  # most stories have no report of the item's source: one pass in C
            return False
        reports = [(terms, weights) for whose, terms, weights, *_ in members if whose == own]
        vector, settings = traits.vector, self.settings
        if any(cosine(vector, *theirs) >= settings.same_source for theirs in reports):
            return False
        return not any(cosine(vector, terms, weights) >= settings.sure for whose, terms, weights, *_ in members
                       if whose is not None and whose[1] == own[1] and whose[0] != own[0])

    def _vetoes(self, story_id: int, traits: Traits) -> tuple[tuple[bool, bool], bool]:
        """What `names_apart` says of the item and the story ((False, False) where titles are not compared), and
        whether one of the three rules keeps the story from taking the item, whatever its score: the dates are
        days apart (`_apart`), the item is its source's report of another event (`_again`), or its title names
        someone or somewhere none of the story's reports mentions while each of the story's titles in its
        language that names anyone names someone or somewhere the item does not mention (the weather in Brest
        and in Gomel; Guterres's and Peskov's words on the dam)."""
        apart = names_apart(traits, self.stories[story_id]) if self.settings.title_names else (False, False)
        return apart, all(apart) or self._apart(story_id, traits.days) or self._again(story_id, traits)

    def _allowed(self, story_id: int, traits: Traits) -> bool:
        """Whether nothing besides the score keeps the story from taking the item."""
        return not self._vetoes(story_id, traits)[1]

    def _required(self, story_id: int, traits: Traits, settings: ClusterSettings | None = None) -> float:
        """The rules' threshold for the pair (by `settings`, or the clusterer's)."""
        settings = settings or self.settings
        story, lang = self.stories[story_id], traits.lang
        if self._across(story_id, lang):
            # Across languages what two reports share is mostly names and the lexicon's concepts. One name
            # and a concept or two is what unrelated news has in common (an English "Ion" and the Russian
            # metropolitan Иона, "Union" Berlin and a union's meeting): such a story is held to the
            # threshold of a story in the item's language.
            if shared_beyond_concepts(traits, story.centroid) < 2:
                return settings.threshold
            return settings.cross_threshold
        # Full articles among themselves, in one language: the mean cosine to reports in another
        # language is lower whatever the story, so a multilingual story keeps the short posts' threshold.
        if min(traits.chars, story.shortest_chars) >= TEXT_CHARS and story.languages <= {lang}:
            return settings.long_threshold
        return settings.threshold

    def _apart(self, story_id: int, days: frozenset[int]) -> bool:
        """Whether the item's dates and the story's are all days_apart or more from each other: the
        forecast for 8 November and the one for 16 November, a region's figures for 4 May and for 2 May
        are different events, however alike the words. A day's difference is not enough (a report
        written the next day, "tomorrow" written as a date)."""
        gap = days_gap(days, self.stories[story_id].days)
        return bool(self.settings.days_apart) and gap is not None and gap >= self.settings.days_apart

    def _pick(self, scored: list[tuple[float, int]], traits: Traits) -> tuple[int | None, float]:
        """The best-scoring story (best first in `scored`) whose threshold the item meets and which nothing
        else keeps from taking it (`_allowed`: dates, the source's other reports, titles). A story in
        the item's language scoring less than one that was turned down is no better a match, even where
        its threshold is lower (one short post in it): the forecast for 16 November turned away from the
        one for 8 November does not join the region's road news, and a channel's post about schools that
        its sign-off made most like its own drones story does not join a fire story it barely matches; a
        story in another language is judged on its own."""
        turned_down = False
        for score, story_id in scored:
            cross = self._across(story_id, traits.lang)
            if turned_down and not cross:
                continue
            if score >= self._required(story_id, traits) and self._allowed(story_id, traits):
                return story_id, score
            turned_down = turned_down or not cross
        return None, 0.0

    def _choose(self, report: Report, vector: dict[str, float], names: set[str], name_keys: set[str], traits: Traits,
                computed: dict) -> tuple[int | None, float, Vector | None]:
        """The story to join and its score (None: a new story), and the item's embedding if it has one."""
        settings = self.settings
        scored = self._lexical(vector, names, name_keys, traits.lang)
        item_vector = report.vector
        if self.embed is None:
            return *self._pick(scored, traits), item_vector
        if scored and scored[0][0] >= settings.sure and self._allowed(scored[0][1], traits):
            return scored[0][1], scored[0][0], item_vector
        ambiguous = [(lex, sid) for lex, sid in scored[:EMBED_CANDIDATES] if lex >= settings.floor]
        if not ambiguous:
            return None, 0.0, item_vector
        self._embed_missing(report, [self.stories[sid] for _, sid in ambiguous], computed)
        item_vector = computed.get(report.key, item_vector)
        blended = []
        span = settings.meaning_high - settings.meaning_low
        for lex, sid in ambiguous:
            story = self.stories[sid]
            assert item_vector is not None and story.vector_sum is not None  # embedded just above
            meaning = dot(item_vector, story.vector_sum) / story.vectors
            closeness = min(max((meaning - settings.meaning_low) / span, 0.0), 1.0)
            if meaning >= settings.meaning_floor:
                blended.append((settings.lexical_weight * lex + (1 - settings.lexical_weight) * closeness, sid))
        blended.sort(key=lambda sc: -sc[0])  # stable: equal scores keep the lexical order
        return *self._pick(blended, traits), item_vector

    def _threshold(self) -> float:
        if self.scorer is None:
            return self.settings.threshold
        return self.scorer.threshold if self.settings.scorer_threshold is None else self.settings.scorer_threshold

    def _score(self, report: Report, vector: dict[str, float], names: set[str], name_keys: set[str], traits: Traits
               ) -> tuple[int | None, float, list[Candidate], tuple[int, ...]]:
        """With the scorer: the story to join and its probability (None: a new story), and every candidate
        with its features and score. The scorer weighs each candidate (its mean cosine to the item, not
        faded), and the most likely that no veto of the rules' keeps away (`_vetoes`) joins if it is likely
        enough. Without one (a trace of the rules' decisions), the score is the cosine. Traced, also every candidate
        offered (`Decision.offered`)."""
        assert self.clock is not None  # set by the report being added
        settings = self.settings
        scored = self._lexical(vector, names, name_keys, traits.lang, fading=False)  # the scorer weighs the hours
        if not scored:
            return None, 0.0, [], ()
        item = Item(traits, report.published, frozenset(names), traits.title_terms,
                    frozenset(term for term in vector if term.isdigit()), report.dated)
        # A vetoed story is never joined, however likely the rest makes it: reports naming dates days apart, a
        # source's other event, titles naming others are different events (precision first: a wrong merge hides
        # one). Nor a story in the item's language less likely than one vetoed there: the item is not the event
        # it resembles most in its language, still less one it resembles less (the forecast for 16 November,
        # turned away from the one for 8 November, and the region's road news). A vetoed story is weighed only
        # where that could change the decision, or where traced: a quarter to a third of the candidates on a
        # busy day are vetoed, and each costs its features.
        weighed: dict[int, Candidate] = {}

        def weigh(cos: float, story_id: int, apart: tuple[bool, bool], vetoed: bool) -> Candidate:
            if story_id not in weighed:
                features = pair_features(item, self.stories[story_id], cos, settings.days_apart, apart,
                                         min(cos / self._required(story_id, traits, RULES), 3.0), vetoed)
                weighed[story_id] = (story_id, features, cos if self.scorer is None
                                     else self.scorer.probability(features))
            return weighed[story_id]

        vetoes = [(cos, story_id, *self._vetoes(story_id, traits), self._across(story_id, traits.lang))
                  for cos, story_id in scored[:WEIGHED_CANDIDATES]]  # the most alike first
        if self.trace is not None:  # every candidate, for the trace (--explain, fitting the scorer)
            for cos, story_id, apart, vetoed, _ in vetoes:
                weigh(cos, story_id, apart, vetoed)
        allowed = [(weigh(cos, story_id, apart, vetoed), cross)
                   for cos, story_id, apart, vetoed, cross in vetoes if not vetoed]
        likeliest = max(allowed, key=lambda c: c[0][2], default=None)  # the first (most alike) among equals
        if likeliest is not None and not likeliest[1] and likeliest[0][2] >= self._threshold():
            # it would join a story in its language: unless one vetoed there is likelier
            turned_down = max((weigh(cos, story_id, apart, vetoed)[2]
                               for cos, story_id, apart, vetoed, cross in vetoes if vetoed and not cross), default=0.0)
            allowed = [(candidate, cross) for candidate, cross in allowed if cross or candidate[2] >= turned_down]
            likeliest = max(allowed, key=lambda c: c[0][2], default=None)
        candidates = [weighed[story_id] for _, story_id, *_ in vetoes if story_id in weighed]
        offered = tuple(story_id for _, story_id in scored) if self.trace is not None else ()
        if likeliest is None:
            return None, 0.0, candidates, offered
        story_id, _, probability = likeliest[0]
        if self.scorer is not None and probability >= self._threshold():
            return story_id, probability, candidates, offered
        return None, 0.0, candidates, offered

    def _embed_missing(self, report: Report, stories: list[Story], computed: dict) -> None:
        """Embed, in one batch, the report (unless it came with a vector) and the seeds of candidate
        stories that have no embedded member yet."""
        keys, texts = [], []
        if report.vector is None:
            keys.append(report.key)
            texts.append(embed_text(report.title, report.text))
        seeded: list[tuple[Story, Hashable]] = []
        for story in stories:
            if story.vector_sum is None and story.seed is not None:
                key, text = story.seed
                seeded.append((story, key))
                keys.append(key)
                texts.append(text)
        if not texts or self.embed is None:
            return
        vectors = self.embed(texts)
        self.embedded += len(texts)
        for key, vec in zip(keys, vectors, strict=True):
            computed[key] = tuple(float(x) for x in vec)
        for story, key in seeded:
            self._add_vector(story, computed[key])
