"""What the clusterer is told and what it answers: its settings (thresholds tuned on benchmarks/ data),
a report as it sees one, and the story it assigns it to; and the sizes its reading works with."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

TITLE_WEIGHT = 2  # a title's words count twice: it names the event
TEXT_CHARS = 400  # the beginning of the text says what happened; the rest wanders
QUERY_TERMS = 10  # candidates come from stories sharing one of the item's heaviest terms (12 did no better)
# ... with embeddings, more: meaning can pick a story that shares fewer of them (dev set: 12 → 0.820, 10 → 0.793)
QUERY_TERMS_WITH_MEANING = 12
# Of each query term's and name's stories, those that took a report with it most recently are read: a term
# many stories share identifies none of them, and the cost of finding candidates does not grow with the window
POSTINGS_READ = 64
SCORED_CANDIDATES = 8  # of those, the ones sharing most of them are scored (16 did no better on our test sets)
EMBED_CHARS = 100  # embedded text: the title and the start of the text (speed grows with length)
EMBED_CANDIDATES = 8  # at most this many stories are compared by meaning for one item
BOILERPLATE_CHARS = 160  # a longer line is news, not a signature or a header, and is not remembered
SCANNED_CHARS = TEXT_CHARS * 2  # boilerplate is looked for in the lines of the text's beginning
LEFT_REPORTS = 1000  # reports that left the window whose terms are taken off the document frequencies at once

Vector = Sequence[float]
Embed = Callable[[list[str]], Sequence[Vector]]  # texts → L2-normalised vectors


@dataclass(frozen=True)
class ClusterSettings:
    # Defaults tuned on benchmarks/ data (see docs/deduplication.md): precision over recall, since a
    # wrong merge hides an event from subscribers while a miss only shows it twice.
    threshold: float = 0.08  # lowest score that joins a story (mean lexical cosine, or the blend with embeddings)
    # ... when none of the story's reports is in the item's language: fewer words can be shared
    # across languages (names, numbers and the lexicon's concepts), so less overlap says as much.
    cross_threshold: float = 0.04
    # ... when the item and every report of the story are full articles (a text of at least TEXT_CHARS,
    # so the whole lead is compared). Real articles of one story share its facts and usually the wire
    # copy's words (crowd-labelled real news: 113 of 117 same-story pairs above 0.27, while 40 of 133
    # different stories, other cities' weather, another region's figures, are above it); rewordings of
    # one event in short posts mostly score 0.08-0.27 (the hand-written days), so they join at less.
    long_threshold: float = 0.27
    window_s: float = 36 * 3600  # a story takes new reports this long after its last one
    # Similarity halves for every this long a story has been quiet: the next night's strikes on the
    # same city are another event, a report an hour later is most likely the same one.
    half_life_s: float = 18 * 3600
    sure: float = 0.5  # lexical cosine that joins without asking the embeddings (same wording)
    floor: float = 0.03  # below this lexical cosine a story is not a candidate at all
    lexical_weight: float = 0.8  # share of the lexical score in the blend; the rest is meaning
    meaning_low: float = 0.82  # embedding cosine that counts as nothing in common (unrelated news ~0.75)
    meaning_high: float = 0.95  # embedding cosine that counts as certainly the same event
    name_agreement: bool = True  # a story must share one of the item's names (people, places, bodies)
    meaning_floor: float = 0.0  # below this embedding cosine a story is not joined, whatever the words say
    # Reports naming only dates this many days from all those a story's reports name are not joined to it
    # (0: dates are not compared). Real-news pairs 0.827 → 0.845 with no same-story pair lost; 1 loses two.
    days_apart: int = 2
    # A source seldom reports one event twice, and its own reports share its template (a channel's sign-off,
    # a weather page's fields): a story that has a report of the item's source in its language takes the
    # item only when its lexical cosine to one of those reports is at least this (a follow-up repeating a
    # good part of it, the page published again with edits), or when it is as alike as `sure` to another
    # source's report in its language (the wire copy after the source's own brief). Hand-written days:
    # none of 400 pairs of one source's reports is one event; real news: 24 of 29 labelled pairs from one
    # site are different stories. Dev 0.861 → 0.865, mutiny 0.890 → 0.933, real-news pairs 0.845 → 0.856,
    # the synthetic stream 0.903 → 0.918; 0.5 gives the pairs 0.903 (against 0.900)
    # but splits stories one source reports several times in its own words (synthetic stream 0.951 → 0.768).
    same_source: float = 0.25
    # Reports whose titles each name someone or somewhere (`title_names_of`) that the other does not mention
    # in its title and first 400 characters are not joined (`features.names_apart`): the same template about
    # another city's weather, another country's figures, another volcano; Guterres's and Peskov's words on
    # the dam. Of the 250 labelled real-news pairs, 50 are such, all different stories; pairs 0.859 → 0.900,
    # dev 0.865 → 0.878, the synthetic stream 0.918 → 0.951 (False: titles are not compared).
    title_names: bool = True
    # Decide with the scorer fitted on labelled news (`features.Scorer`, monitor/data/scorer.json) instead of
    # the thresholds above (the window, `days_apart`, `same_source` and `title_names` still say what it compares
    # and which stories it must not join; the thresholds above do not move it: its features read the rules'
    # defaults); `scorer_threshold` is the probability from which a report joins its most likely story (None:
    # the threshold fitted with the model). False: the thresholds and rules decide (and embeddings, if given).
    learned: bool = True
    scorer_threshold: float | None = None


# The settings only the rules read (with `learned`, the scorer's features read the defaults instead)
RULES_THRESHOLDS = ("threshold", "cross_threshold", "long_threshold")


@dataclass(frozen=True)
class Report:
    """What the clusterer sees of one item. `key` names it in Assignment.vectors (the item's row id)."""

    key: Hashable
    title: str
    text: str
    published: datetime
    vector: Vector | None = None  # a stored embedding, when replaying
    source: Hashable | None = None  # who published it: lines a source repeats are its boilerplate
    # False where the time is not known (a labelled set of undated articles, fed in file order): `published` then
    # only orders the reports, and the scorer weighs them without the hours between them
    dated: bool = True


@dataclass(frozen=True)
class Assignment:
    story_id: int
    similarity: float  # the score that joined the story; 0.0 for a new story, and for a story given unless traced
    created: bool
    vectors: dict = field(default_factory=dict)  # key → embedding computed during this call, to be stored
    lang: str = ""  # the report's language as the clusterer read it
    terms: dict = field(default_factory=dict)  # the report's TF-IDF vector, to be stored for `restore`
    chars: int = 0  # the length of its text without the source's boilerplate, to be stored for `restore`
    days: frozenset[int] = frozenset()  # the dates that text names (days of the year), to be stored for `restore`
    title_names: frozenset[str] = frozenset()  # its title's names (`title_names_of`), to be stored for `restore`
    title_terms: frozenset[str] | None = None  # its title's terms where a scorer decides, to be stored for `restore`
