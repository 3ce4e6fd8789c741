"""A story as the clusterer holds it while it takes reports, what besides its score decides whether it may
take a report (the report's traits), and how a report's terms compare with a story's."""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import repeat
from operator import mul

from monitor.core.clustering.names import keys_of, title_names_of
from monitor.core.clustering.settings import TEXT_CHARS, Report, Vector
from monitor.core.dates import clock_times_of
from monitor.core.terms import may_name


@dataclass(frozen=True)
class Traits:
    """What besides its score decides whether a story may take a report."""

    lang: str
    chars: int  # the length of its text without the source's boilerplate
    days: frozenset[int]  # the dates it names
    own: tuple[Hashable, str] | None  # (source, language); None for a report of no known source
    vector: dict[str, float]  # its TF-IDF vector
    title_names: frozenset[str]  # the names in its title (`title_names_of`)
    terms: tuple[str, ...]  # its vector's terms, in the vector's order (the window keeps the same tuple)
    title_terms: frozenset[str]  # the terms of its title
    times: frozenset[int]  # the clock times its title and beginning name, as minutes after midnight
    # the name keys of its terms that may be names (`keys_of`): whom and what it mentions (a concept's or a number's
    # key is never a title name's), and what the index keeps its story under
    keys: set[str]

    @property
    def weights(self) -> array:
        """Its vector's weights in its terms' order, as a story keeps them: a dictionary per report was most of the
        window's memory."""
        return array("f", map(self.vector.__getitem__, self.terms))

    @cached_property
    def distinctive(self) -> frozenset[str]:
        """Its terms that say who or what across languages: not the lexicon's concepts, not numbers (a year,
        "16:30"), not stems under four letters, which words of two languages fold to by chance (год and "good" are
        both "god"). Read once for every candidate (`shared_beyond_concepts`)."""
        return frozenset(term for term in self.terms
                         if len(term) >= 4 and may_name(term))


@dataclass(slots=True)
class Seen:
    """What the scorer compares a report with, beyond what the rules keep of a story: one object, made only when
    a scorer decides, so that a window of stories the rules decide carries nothing for it."""

    # 1 for each of the story's terms (in the order of its `weights`) that one of its reports' titles has: a byte a
    # term, where a set of the title terms was a tenth of the window's memory
    titled: bytearray = field(default_factory=bytearray)
    # the clock times they name, as minutes after midnight (most name none: the one empty frozenset, not a set each)
    times: frozenset[int] = frozenset()

    def title_share(self, story: Story, terms: frozenset[str]) -> float:
        """The share of `terms` that the story's titles have."""
        if not terms:
            return 0.0
        centroid = story.centroid  # (in C: the terms it has, their places, their marks: 1 where titled)
        return sum(map(self.titled.__getitem__, map(centroid.__getitem__, centroid.keys() & terms))) / len(terms)


# a report as its story keeps it: (source, language) or None, its vector's terms and weights, its publication time,
# and how many of its terms, the first, are its title's (a report's terms begin with its title's: a count, not a set)
Member = tuple[tuple[Hashable, str] | None, tuple[str, ...], array, datetime, int]


@dataclass(slots=True)
class Story:
    """A story in the window: what its reports have in common, for scoring the next report against it."""

    id: int
    first_seen: datetime
    last_seen: datetime
    seed: tuple[Hashable, str] | None  # the first report's key and text to embed (with an embed function)
    # the sum of its reports' TF-IDF vectors (unit length each): term → its place in `weights`, which are kept in an
    # array (a float object for each of a window's millions of story terms was most of its memory)
    centroid: dict[str, int] = field(default_factory=dict)
    weights: array = field(default_factory=lambda: array("d"))
    # the name keys of its terms that may be names (`keys_of`), in a `key_string`: whom and what it mentions, read
    # for every candidate's title names (`names_apart`), where reading the keys of its terms one by one was a tenth
    # of the clusterer's time; but for keys that begin a longer one it has (the search is for keys beginning so)
    keys: str = ""
    size: int = 0
    languages: frozenset[str] = frozenset()  # one of a few (`language_set`): every story has one
    vector_sum: list[float] | None = None  # sum of the embedded members' vectors
    vectors: int = 0
    shortest_chars: int = TEXT_CHARS  # the shortest text among its reports, up to TEXT_CHARS
    days: frozenset[int] = frozenset()  # the dates its reports name, as days of the year
    # each report's (source, language) (None: no known source), TF-IDF vector (its terms, their weights) and
    # publication time, in order: one flat tuple a report (the window's largest per-report record)
    members: list[Member] = field(default_factory=list)
    seen: Seen | None = None  # what the scorer compares; None where the rules decide (they need none of it)
    # (language, its names) of each title naming anyone, once each (a story's titles mostly name the same, and
    # each candidate's are compared with every report's)
    title_names: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


_LANGUAGE_SETS: dict[frozenset[str], frozenset[str]] = {}
_OWNERS: dict[tuple[Hashable, str], tuple[Hashable, str]] = {}  # (source, language): one instance each


def language_set(languages: frozenset[str]) -> frozenset[str]:
    """The one instance of a set of languages: stories share them (a set each was a window's megabytes)."""
    return _LANGUAGE_SETS.setdefault(languages, languages)


def traits_of(report: Report, lang: str, chars: int, days: frozenset[int], vector: dict[str, float],
              terms: tuple[str, ...], title_terms: frozenset[str] | None = None, keys: set[str] | None = None,
              title_names: frozenset[str] | None = None) -> Traits:
    """Of the report as published, and its terms as stored: `restore` gets the same. `title_terms` only where a
    scorer decides (it compares them, and the clock times named, which are then read too). `keys`: its terms'
    name keys where its words' readings gave them (`name_keys_of`), else they are read from its terms.
    `title_names`: as stored (`title_names_of` gave them), else read."""
    own = None if report.source is None else _OWNERS.setdefault((report.source, lang), (report.source, lang))
    times = frozenset() if title_terms is None else clock_times_of(f"{report.title}\n{report.text[:TEXT_CHARS]}")
    if title_names is None:
        title_names = title_names_of(report.title, report.text, vector)
    return Traits(lang, chars, days, own, vector, title_names, terms,
                  title_terms or frozenset(), times, keys_of(terms) if keys is None else keys)


def shared_beyond_concepts(traits: Traits, centroid: dict[str, int]) -> int:
    """How many of the item's terms the story has that say who or what across languages (`Traits.distinctive`)."""
    return len(centroid.keys() & traits.distinctive)


def cosine(a: dict[str, float], terms: tuple[str, ...], weights: array) -> float:
    """Of two unit TF-IDF vectors, the second as a story keeps it (its terms, their weights), over their shared
    terms; fsum's exact sum does not depend on the order the terms come in, so a restart decides the same."""
    # the terms it lacks give 0.0, which leaves fsum's exact sum as it was: the products are taken in C
    return math.fsum(map(mul, map(a.get, terms, repeat(0.0)), weights))


def dot(a: Vector, b: Vector) -> float:
    """Of two embeddings (a sum of them, for a story)."""
    return sum(x * y for x, y in zip(a, b, strict=True))
