"""What the clusterer is told and what it answers: its settings,
a report as it sees one, and the story it assigns it to; and the sizes its reading works with."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

TITLE_WEIGHT = 2  # a title's words count twice: it names the event
TEXT_CHARS = 400  # the beginning of the text says what happened; the rest wanders
QUERY_TERMS = 10  # candidates come from stories sharing one of the item's heaviest terms (12 did no better)
# Of each query term's and name's stories, those that took a report with it most recently are read: a term
# many stories share identifies none of them, and the cost of finding candidates does not grow with the window
POSTINGS_READ = 64
SCORED_CANDIDATES = 8  # of those, the ones sharing most of them are scored (16 did no better on our test sets)
EMBED_CHARS = 100  # embedded text: the title and the start of the text (speed grows with length)
BOILERPLATE_CHARS = 160  # a longer line is news, not a signature or a header, and is not remembered
SCANNED_CHARS = TEXT_CHARS * 2  # boilerplate is looked for in the lines of the text's beginning
LEFT_REPORTS = 1000  # reports that left the window whose terms are taken off the document frequencies at once

Vector = Sequence[float]
Embed = Callable[[list[str]], Sequence[Vector]]  # texts → L2-normalised vectors


@dataclass(frozen=True)
class ClusterSettings:
    # The probability (0-1) from which a report joins its most likely candidate story (`features.Scorer`);
    # None: the threshold fitted with the model, chosen for precision (a wrong merge hides an event from
    # subscribers while a miss only shows it twice).
    threshold: float | None = None
    # Not used since a fitted scorer decides: accepted so that callers and config files that set them still work.
    cross_threshold: float = 0.0
    long_threshold: float = 0.0
    window_s: float = 36 * 3600  # a story takes new reports this long after its last one
    name_agreement: bool = True  # a candidate story must share one of the item's names (people, places, bodies)
    # Dates this many days or more from all those a story's reports name count as other dates for the scorer
    # (0: dates are not compared): a day's difference is a report written the next day.
    days_apart: int = 2
    title_names: bool = True  # titles naming others count for the scorer (False: titles are not compared)


@dataclass(frozen=True)
class Report:
    """What the clusterer sees of one item. `key` names it in Assignment.vectors (the item's row id)."""

    key: Hashable
    title: str
    text: str
    published: datetime
    vector: Vector | None = None  # a stored embedding, when replaying
    source: Hashable | None = None  # who published it: lines a source repeats are its boilerplate


@dataclass(frozen=True)
class Assignment:
    story_id: int
    similarity: float  # the score that joined the story; 0.0 for a new story
    created: bool
    vectors: dict = field(default_factory=dict)  # key → embedding computed during this call, to be stored
    lang: str = ""  # the report's language as the clusterer read it
    terms: dict = field(default_factory=dict)  # the report's TF-IDF vector, to be stored for `restore`
    chars: int = 0  # the length of its text without the source's boilerplate, to be stored for `restore`
    days: frozenset[int] = frozenset()  # the dates that text names (days of the year), to be stored for `restore`
