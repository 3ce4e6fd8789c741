"""Online event clustering: each report joins the most similar active story, or starts a new one.

Items arrive in order and are assigned once. Candidates come from an inverted index over the terms of
stories active within the time window, so the cost per item follows the active window, not the
archive. Two signals decide:

- lexical: cosine between the item's TF-IDF vector (stemmed terms folded across scripts, document
  frequencies over the window) and the story's centroid. Precise and cheap; it decides alone when the
  wording is clearly the same (a repost, the same wire copy) or when nothing is shared at all.
- a source's own boilerplate (a channel's signature, "Subscribe | Send us news", a header, a feed's
  "appeared first on") is not evidence: lines a source keeps repeating within the window are left out
  of its next reports, or every post of a channel would join one story through its footer.
- dates: a story whose written-out dates are all days from the item's does not take it, however alike
  the words (the forecast for 8 November is not the one for 16 November).
- sources: a story that has a report of the item's source does not take another of its reports that
  shares little with that one: a source seldom reports one event twice, and its template makes all
  its reports look alike.
- titles: a story whose titles in the item's language that name anyone each name someone or somewhere
  the item does not mention does not take an item whose title names someone or somewhere the story does
  not mention: the same template about another city, another match, another singer; two people's words
  on one event.
- meaning: when an `embed` function is given (multilingual sentence embeddings), items whose best
  candidates share some terms but not enough are embedded, and the mean cosine to each candidate's
  embedded members is blended in. Embedding is the slow part, so it is only done where it decides.

State is a function of the items added, in order. After a restart, `restore` puts back each report of
the stories still active, in the order they were added, with the story, TF-IDF vector, language, text
length and dates stored for it: that rebuilds the same window without replaying everything since the
oldest of them began.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from itertools import chain, repeat
from operator import mul

from monitor.core.dates import YEAR_DAYS, calendar_days_of
from monitor.core.terms import CONCEPT_MARK, WORDS, Memo, Reading, language_of, name_terms_of, readings, terms_of

TITLE_WEIGHT = 2  # a title's words count twice: it names the event
TEXT_CHARS = 400  # the beginning of the text says what happened; the rest wanders
QUERY_TERMS = 10  # candidates come from stories sharing one of the item's heaviest terms (12 did no better)
# ... with embeddings, more: meaning can pick a story that shares fewer of them (dev set: 12 → 0.820, 10 → 0.793)
QUERY_TERMS_WITH_MEANING = 12
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
    # Defaults tuned on benchmarks/ data (see README, "Deduplication"): precision over recall, since a
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
    # in its title and first 400 characters are not joined (`Clusterer._names_apart`): the same template about
    # another city's weather, another country's figures, another volcano; Guterres's and Peskov's words on
    # the dam. Of the 250 labelled real-news pairs, 50 are such, all different stories; pairs 0.859 → 0.900,
    # dev 0.865 → 0.878, the synthetic stream 0.918 → 0.951 (False: titles are not compared).
    title_names: bool = True


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


@dataclass(frozen=True)
class _Traits:
    """What besides its score decides whether a story may take a report."""

    lang: str
    chars: int  # the length of its text without the source's boilerplate
    days: frozenset[int]  # the dates it names
    own: tuple[Hashable, str] | None  # (source, language); None for a report of no known source
    vector: dict[str, float]  # its TF-IDF vector
    title_names: frozenset[str]  # the names in its title (`title_names_of`)

    @cached_property
    def mentioned(self) -> set[str]:
        """Whom and what it mentions (`mentions` of its terms)."""
        return mentions(self.vector)


@dataclass
class Story:
    id: int
    first_seen: datetime
    last_seen: datetime
    seed: tuple[Hashable, str]  # the first report's key and text to embed, if its meaning is ever needed
    centroid: dict[str, float] = field(default_factory=dict)  # sum of member TF-IDF vectors (unit length each)
    size: int = 0
    languages: set[str] = field(default_factory=set)
    vector_sum: list[float] | None = None  # sum of the embedded members' vectors
    vectors: int = 0
    shortest_chars: int = TEXT_CHARS  # the shortest text among its reports, up to TEXT_CHARS
    days: set[int] = field(default_factory=set)  # the dates its reports name, as days of the year
    # (source, language) → the TF-IDF vectors of that source's reports in that language
    own: dict[tuple[Hashable, str], list[dict[str, float]]] = field(default_factory=dict)
    title_names: dict[str, list[frozenset[str]]] = field(default_factory=dict)  # language → its titles' names


def _split(text: str) -> tuple[tuple[str, ...], tuple[Reading, ...]]:
    words = tuple(WORDS.findall(text))
    return words, tuple(readings(words))


# A text's words and their readings, read once: the clusterer reads a report's title and beginning for its
# terms, and again for its title's names (`title_names_of`), which for a feed item reads the same beginning.
# Tuples: they are shared.
_read = Memo(_split, size=64)


def item_terms(title: str, text: str) -> Counter:
    """The terms matching reads, counted: the title's (twice) and those of the beginning of the text."""
    return _counts(_read[title][1], _read[text[:TEXT_CHARS]][1])


def _counts(title: Sequence[Reading], text: Sequence[Reading]) -> Counter:
    title_terms = terms_of(title)
    return Counter(chain(*[title_terms] * TITLE_WEIGHT, terms_of(text)))  # counted in one pass


def embed_text(title: str, text: str) -> str:
    """The text that represents an item to the embedding model."""
    title, text = title.strip(), text.strip()
    if not title:
        return text[: EMBED_CHARS + 60]
    if not text or text.startswith(title):
        return title
    return f"{title}. {text[:EMBED_CHARS]}"


def _take_off(counts: Counter, amounts: Iterable[tuple[Hashable, int]]) -> None:
    """Each (key, amount) taken off the key's count; a key at zero leaves, so the counter's size follows the
    window."""
    for key, amount in amounts:
        left = counts[key] - amount
        if left > 0:
            counts[key] = left
        else:
            del counts[key]


def _line_key(line: str) -> str:
    return " ".join(line.casefold().split())


def _lines_of(report: Report) -> tuple[list[str], list[tuple]]:
    """The lines of a report's beginning and their (source, line) keys; "" for a line too long to be
    boilerplate. Nothing for a report of no known source: none of it is remembered or left out."""
    if report.source is None:
        return [], []
    lines = report.text[:SCANNED_CHARS].splitlines()
    return lines, [(report.source, _line_key(line) if len(line) <= BOILERPLATE_CHARS else "") for line in lines]


def _remembered(keys: list[tuple]) -> tuple[tuple, ...]:
    return tuple({key for key in keys if key[1]})


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


def _abbreviation(word: str) -> bool:
    return len(word) > 1 and word.isupper()


_OPENING_QUOTES, _CLOSING_QUOTES = "«„“\"", "»“”\""
# a quoted phrase in a title, beginning with a word: «…», „…“, “…”, "…"
_QUOTED_NAME = re.compile(f"[{_OPENING_QUOTES}](?=[^\\W_])([^{_OPENING_QUOTES}{_CLOSING_QUOTES}\\n]{{1,60}})"
                          f"[{_CLOSING_QUOTES}]")
QUOTED_NAME_WORDS = 3  # a longer quote is what someone said, not the name of something
_SENTENCE_ENDS = frozenset(".!?…:\n")
_OPENERS = " \t«»\"'“”„(—–-"


def _mid_sentence(text: str, start: int) -> bool:
    """Whether the word starting at `start` stands inside a sentence, where only names are capitalised."""
    at = start - 1
    while at >= 0 and text[at] in _OPENERS:
        at -= 1
    return at >= 0 and text[at] not in _SENTENCE_ENDS


_TAIL = re.compile(r"\s+[—–|(-].*")  # what follows a headline: " — видео", " (ВИДЕО)", " | РБК"
_ATTRIBUTION = re.compile(r"(?::|,\s*[—–-])")  # «…»: … and «…», — Буданов


def _said(title: str, quote: re.Match) -> bool:
    """Whether a quote in a title is what someone said: after a colon, ending the title but for a label
    ("Зеленский: «Мы не сдадимся»", "Буданов: «Никаких переговоров» — видео"), or beginning it, before a
    colon or a comma and a dash ("«Большой риск»: посольство оценило…", "«Никаких переговоров», — Буданов")."""
    before, after = title[:quote.start()].rstrip(), title[quote.end():].strip()
    return ((before.endswith(":") and not _TAIL.sub("", " " + after).strip(" .!?…"))
            or (not before and _ATTRIBUTION.match(after) is not None))


def title_names_of(title: str, text: str, vector: Container[str]) -> frozenset[str]:
    """The names in a title: its capitalised words that the beginning of its text (after the title, when
    the text starts with it, as a post does) writes capitalised too, not lexicon words, not abbreviations
    (UK, ЮЗАО: another article spells them out), and only those the report's terms have (not a channel's
    header, left out as boilerplate). Neither an outlet's name after the headline nor "Massive" after a
    "LIVE:" label is in the text so. A title's first word is capitalised whatever it is: it counts only
    when the text capitalises it inside a sentence ("Путин", not "Сильное" or "Heavy" beginning one).
    So a Title Case headline's names are those its text capitalises too. A short quoted name that begins
    capitalised and that its text quotes too gives its words as names: a contest's «На спорте», a party's
    «Слуга народа» (not a lowercase «варварство», nor a quoted sentence, nor what someone `_said`)."""
    words, read = _read[title]
    names = {name for word, (_, name, _) in zip(words, read, strict=True)
             if name and name in vector and not _abbreviation(word)}
    quoted = list(_QUOTED_NAME.finditer(title))
    if not names and not quoted:
        return frozenset()
    text = text.strip()
    head = title.strip().removesuffix("…").rstrip()  # a post's first line, cut short as its title
    at = text.find(head, 0, len(head) + 8) if head else -1  # the post's first line, maybe after an emoji
    body = text[at + len(head):] if at >= 0 else text
    body = body[:TEXT_CHARS]
    named = set()
    opening = set()  # the names of the words that open the title's quotes
    for match in quoted:
        phrase = match[1]
        inside, read_inside = _read[phrase]
        opening.add(read_inside[0][1])
        # the text quotes it too, as written (a Title Case headline's "Getting Stronger" is not a name when
        # the text quotes "getting stronger"), maybe inside a longer quote, maybe in other quote marks
        if (len(inside) <= QUOTED_NAME_WORDS and inside[0][0].isupper() and not _said(title, match)
                and re.search(f"[{_OPENING_QUOTES}]{re.escape(phrase)}[{_CLOSING_QUOTES}]", body)):
            named.update(term for word, (term, _, _) in zip(inside, read_inside, strict=True)
                         if term in vector and term[0] != CONCEPT_MARK and not _abbreviation(word))
    body_words, body_read = _read[body]
    names &= name_terms_of(body_read)  # the words it capitalises
    # The title's first word, and a quote's, are capitalised whatever they are: they count when the text
    # capitalises them inside a sentence ("Буданов: «Никаких переговоров»" quoted after a colon does not).
    for first in ({read[0][1]} | opening) & names:
        written = dict.fromkeys(word for word, (_, name, _) in zip(body_words, body_read, strict=True)
                                if name == first)  # how the text writes it
        if not any(_mid_sentence(body, at) for word in written for at in _places(body, word)):
            names.discard(first)
    return frozenset(names | named)


def _places(text: str, word: str) -> Iterator[int]:
    """Where the word stands in the text on its own (not as the beginning or end of a longer one)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        # not after or before a letter or digit (what WORDS takes: str.isalnum)
        if not (at and text[at - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
            yield at
        at = text.find(word, end)


_VOWELS = str.maketrans("", "", "aeiouy")


def name_key(term: str) -> str:
    """What a name is known by in another text: its first three consonants, h as g. Spellings of one name
    differ in their vowels (Kiev and Kyiv, Lvov and Lviv, Lugansk and Luhansk), and the light stemmer cuts
    some forms of a name differently (Китаем → kita, Китая → kit)."""
    return term.translate(_VOWELS).replace("h", "g")[:3]


def mentions(terms: Iterable[str]) -> set[str]:
    """The `name_key`s of the terms: whom and what they mention (`unmentioned` compares names with them)."""
    return set(map(_name_keys.__getitem__, terms))


_name_keys = Memo(name_key)  # every title is compared, and a day's news repeats its words


def _keys_of(term: str) -> tuple[str, ...]:
    """The keys a term is filed under in `Clusterer._spellings`: its `name_key` and that key's first one and
    two letters, since a name whose key is shorter is mentioned by a term whose key begins with it."""
    key = _name_keys[term]
    return (key[:1], key[:2], key)[:len(key)]


def unmentioned(names: Iterable[str], mentioned: set[str]) -> bool:
    """Whether one of the names is not mentioned. A name of fewer than three consonants is mentioned by a
    longer word that begins like it (Kenya by "Kenyan", Иран by "иранских")."""
    for key in map(_name_keys.__getitem__, names):
        if key not in mentioned and (len(key) == 3 or not any(other.startswith(key) for other in mentioned)):
            return True
    return False


def _traits(report: Report, lang: str, chars: int, days: frozenset[int], vector: dict[str, float]) -> _Traits:
    """Of the report as published, and its terms as stored: `restore` gets the same."""
    own = None if report.source is None else (report.source, lang)
    return _Traits(lang, chars, days, own, vector, title_names_of(report.title, report.text, vector))


def _shared_beyond_concepts(vector: dict[str, float], centroid: dict[str, float]) -> int:
    """How many of the item's terms the story has that say who or what across languages: not the
    lexicon's concepts, not numbers (a year, "16:30"), not stems under four letters, which words of two
    languages fold to by chance (год and "good" are both "god")."""
    return sum(1 for term in vector
               if term in centroid and term[0] != CONCEPT_MARK and len(term) >= 4 and not term.isdigit())


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Of two unit TF-IDF vectors, over their shared terms; fsum's exact sum does not depend on the order
    the set gives them in, which differs between processes, so a restart decides the same."""
    return math.fsum([a[term] * b[term] for term in a.keys() & b.keys()])


def _dot(a: Vector, b: Vector) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


class Clusterer:
    """Assigns reports to stories as they arrive. Pure: no IO; time comes with each report, and the
    optional `embed` function is the only way out (it must be deterministic)."""

    def __init__(self, settings: ClusterSettings | None = None, embed: Embed | None = None,
                 first_story_id: int = 1) -> None:
        self.settings = settings or ClusterSettings()
        self.embed = embed
        self.query_terms = QUERY_TERMS if embed is None else QUERY_TERMS_WITH_MEANING
        self.stories: dict[int, Story] = {}
        self.index: dict[str, set[int]] = {}
        # a `name_key`, and each start of one shorter than three letters → the index's terms with it: whom a
        # story mentions is looked up in its terms, not kept for each story (`_unmentioned_by`). A term whose
        # key is empty (vowels only) is filed under none: no name's key begins with its key.
        self._spellings: defaultdict[str, set[str]] = defaultdict(set)
        self.next_id = first_story_id
        self.clock: datetime | None = None  # the latest publication time seen
        self.embedded = 0  # texts sent to `embed`, for figures
        self.expired: list[int] = []  # stories that left the window, for the caller to collect and clear
        self._df: Counter = Counter()  # document frequencies over the window, plus those in `_left`
        # the terms of reports that left the window, not yet taken off `_df`: counted in C as each report
        # leaves, and taken off in bulk (a day's news repeats its words); one by one, they took a twentieth
        # of the clusterer's time
        self._left: Counter = Counter()
        self._left_reports = 0
        # heap: (published, seq, terms, (source, line) pairs)
        self._documents: list[tuple[datetime, int, tuple[str, ...], tuple[tuple, ...]]] = []
        self._lines: Counter = Counter()  # (source, line) → reports in the window with that line
        self._seq = 0
        self._expiry: list[tuple[datetime, int]] = []  # (last_seen, story id), lazily refreshed

    # -- the window ---------------------------------------------------------------------------------

    def _advance(self, published: datetime) -> None:
        if self.clock is None or published > self.clock:
            self.clock = published
        horizon = self.clock - timedelta(seconds=self.settings.window_s)
        while self._documents and self._documents[0][0] < horizon:
            _, _, gone, lines = heapq.heappop(self._documents)
            self._left.update(gone)
            self._left_reports += 1
            _take_off(self._lines, zip(lines, repeat(1)))
        if self._left_reports >= LEFT_REPORTS:
            self._settle()
        while self._expiry and self._expiry[0][0] < horizon:
            last_seen, story_id = heapq.heappop(self._expiry)
            story = self.stories.get(story_id)
            if story is None or story.last_seen != last_seen:
                continue  # the story grew since; a fresher entry is in the heap
            index = self.index
            for term in story.centroid:  # the index has the story under each of its centroid's terms
                ids = index[term]
                ids.discard(story_id)
                if not ids:
                    del index[term]
                    self._unspell(term)
            del self.stories[story_id]
            self.expired.append(story_id)

    def _spell(self, term: str) -> None:
        """File a term new to the index in `_spellings`."""
        for key in _keys_of(term):
            self._spellings[key].add(term)

    def _unspell(self, term: str) -> None:
        """Take a term that left the index out of `_spellings`."""
        for key in _keys_of(term):
            terms = self._spellings[key]
            terms.discard(term)
            if not terms:
                del self._spellings[key]

    def _settle(self) -> None:
        """Take the terms of the reports that left the window off the document frequencies."""
        _take_off(self._df, self._left.items())
        self._left.clear()
        self._left_reports = 0

    def _vector(self, counts: Counter) -> dict[str, float]:
        documents, df, gone = len(self._documents), self._df, self._left.get  # ([] calls Python for a miss)
        vector = {t: (1 + math.log(c)) * (math.log((documents + 1) / (df[t] - gone(t, 0) + 1)) + 1)
                  for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    # -- assignment ---------------------------------------------------------------------------------

    def add(self, report: Report, story_id: int | None = None) -> Assignment:
        """Assign one report. `story_id` forces the story (replaying a stored assignment, or an exact
        duplicate of an item already assigned); a story unknown to the window is opened under that id."""
        self._advance(report.published)
        as_published = report  # a new story's seed: what `restore` has too, whatever the window held
        report, lines = self._without_boilerplate(report)
        (title_words, title_read), (text_words, text_read) = _read[report.title], _read[report.text[:TEXT_CHARS]]
        read = title_read + text_read
        counts = _counts(title_read, text_read)
        self._count(report.published, tuple(counts), lines)
        vector = self._vector(counts)
        traits = _traits(as_published, language_of(read), len(report.text), calendar_days_of(title_words + text_words),
                         vector)
        item_vector = report.vector
        computed: dict = {}
        score = 0.0
        if story_id is None:
            story_id, score, item_vector = self._choose(report, vector, name_terms_of(read), traits, computed)
        created = story_id is None or story_id not in self.stories
        if story_id is None:
            story_id = self.next_id
        if created:
            score = 0.0
        self._join(self._story(story_id, as_published), item_vector, report.published, traits)
        return Assignment(story_id, score, created, computed, traits.lang, vector, traits.chars, traits.days)

    def restore(self, report: Report, story_id: int, terms: dict[str, float], lang: str, chars: int,
                days: frozenset[int]) -> None:
        """Put back a report as it was assigned before a restart: its story, its TF-IDF vector, language,
        text length and dates as stored, so nothing depends on what the window held when it came. Restoring the
        reports of the stories still active, in the order they were added, rebuilds the window: those
        within it count for document frequencies and the source's lines; older ones only for their story."""
        self._advance(report.published)
        self._count(report.published, tuple(terms), _remembered(_lines_of(report)[1]))
        traits = _traits(report, lang, chars, days, terms)
        self._join(self._story(story_id, report), report.vector, report.published, traits)

    def _count(self, published: datetime, terms: tuple[str, ...], lines: tuple[tuple, ...]) -> None:
        """A report in the window: its terms count for document frequencies and its lines as its
        source's, until it leaves the window."""
        self._seq += 1
        heapq.heappush(self._documents, (published, self._seq, terms, lines))
        self._lines.update(lines)
        self._df.update(terms)

    def _story(self, story_id: int, report: Report) -> Story:
        """The story, opened with this report as its first when the window does not have it."""
        if story_id not in self.stories:
            self.stories[story_id] = Story(story_id, report.published, report.published,
                                           seed=(report.key, embed_text(report.title, report.text)))
        self.next_id = max(self.next_id, story_id + 1)
        return self.stories[story_id]

    def _without_boilerplate(self, report: Report) -> tuple[Report, tuple[tuple, ...]]:
        """The report without its source's boilerplate, and its lines to remember.

        A line the source used in two earlier reports within the window is boilerplate wherever it
        stands; one used once only when it is in the report's closing run of such lines (a footer).
        A repeated first line after one use is more likely the event's headline in a follow-up
        ("Вибухи у Києві" then "Вибухи у Києві. Уламки впали …"), so it stays. The title goes
        with the first line when that is dropped (a post's title is its first line). A report made
        only of known lines (the same post again) is kept whole."""
        lines, keys = _lines_of(report)
        remembered = _remembered(keys)
        seen = [self._lines.get(key, 0) if key[1] else 0 for key in keys]
        footer = len(lines)  # the closing run of lines used before (blank lines do not break it)
        while footer and (seen[footer - 1] or not keys[footer - 1][1] and not lines[footer - 1].strip()):
            footer -= 1
        drop = [n >= 2 or (n == 1 and i >= footer) for i, n in enumerate(seen)]
        if not any(drop):
            return report, remembered
        kept = "\n".join(line for line, dropped in zip(lines, drop, strict=True) if not dropped)
        if not kept.strip():
            return report, remembered
        kept += report.text[SCANNED_CHARS:]  # the rest, unread for boilerplate, still counts for the length
        title = _line_key(report.title)
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and drop[first] and title and (
                title == keys[first][1] or title.endswith("…") and keys[first][1].startswith(title[:-1])):
            return replace(report, title="", text=kept), remembered
        return replace(report, text=kept), remembered

    def _join(self, story: Story, item_vector: Vector | None, published: datetime, traits: _Traits) -> None:
        story.languages.add(traits.lang)
        story.days |= traits.days
        story.shortest_chars = min(story.shortest_chars, traits.chars)
        if traits.own is not None:
            story.own.setdefault(traits.own, []).append(traits.vector)
        if traits.title_names:
            story.title_names.setdefault(traits.lang, []).append(traits.title_names)
        centroid, index, story_id = story.centroid, self.index, story.id
        for term, weight in traits.vector.items():
            held = centroid.get(term)
            if held is not None:  # the index has the story under each of its centroid's terms
                centroid[term] = held + weight
                continue
            centroid[term] = weight
            ids = index.get(term)
            if ids is not None:
                ids.add(story_id)
                continue
            index[term] = {story_id}
            self._spell(term)
        story.size += 1
        if item_vector is not None:
            self._add_vector(story, item_vector)
        if published > story.last_seen:
            story.last_seen = published
        heapq.heappush(self._expiry, (story.last_seen, story.id))

    @staticmethod
    def _add_vector(story: Story, item_vector: Vector) -> None:
        if story.vector_sum is None:
            story.vector_sum = list(item_vector)
        else:
            story.vector_sum = [a + b for a, b in zip(story.vector_sum, item_vector, strict=True)]
        story.vectors += 1

    def _lexical(self, vector: dict[str, float], names_in_item: set[str]) -> list[tuple[float, int]]:
        """Candidate stories with the mean cosine between the item and their reports, best first.

        A story must share one of the item's names (people, places, bodies): reports about others are
        other events, however alike the rest of the words. Candidates share one of the item's heaviest
        terms, and one of its names (set operations on the index, before any scoring)."""
        named: set[int] | None = None
        if names_in_item and self.settings.name_agreement:
            named = set()
            for name in names_in_item:
                named |= self.index.get(name, set())
        heaviest = sorted(vector, key=vector.get, reverse=True)[:self.query_terms]  # ties: text order
        postings = (self.index.get(term, ()) for term in heaviest)
        # counted in one pass, not one update per term
        shared = Counter(chain.from_iterable(postings if named is None else map(named.intersection, postings)))
        return self._scores(vector, _most_shared(shared))

    def _scores(self, vector: dict[str, float], candidates: list[int]) -> list[tuple[float, int]]:
        """The candidates with their mean cosine to the item, fading as each story goes quiet, best first."""
        scored = []
        terms_in_item = vector.keys()
        now_s, half_life_s = self.clock.timestamp(), self.settings.half_life_s
        for story_id in candidates:
            story = self.stories[story_id]
            centroid = story.centroid
            # Over the shared terms only, a set operation and products taken in C (the clusterer's innermost
            # loop); fsum's exact sum does not depend on the order the set gives them in, which differs
            # between processes, so a restart scores the same.
            shared = centroid.keys() & terms_in_item
            dot = math.fsum(map(mul, map(vector.__getitem__, shared), map(centroid.__getitem__, shared)))
            # the mean cosine to the story's reports, fading as the story goes quiet
            quiet_s = max(now_s - story.last_seen.timestamp(), 0.0)
            scored.append((dot / story.size * 0.5 ** (quiet_s / half_life_s), story_id))
        scored.sort(key=lambda sc: (-sc[0], sc[1]))
        return scored

    def _across(self, story_id: int, lang: str) -> bool:
        """Whether the story has no report in the item's language yet."""
        return bool(lang) and lang not in self.stories[story_id].languages

    def _again(self, story_id: int, traits: _Traits) -> bool:
        """Whether the story has a report of the item's source in its language and the item is another
        event of that source's: it shares less than `same_source` with each of those reports, and it is
        not nearly the same (`sure`) as another source's report in its language (the wire copy everyone
        carries, after the source's own brief)."""
        own = traits.own
        story = self.stories[story_id]
        reports = story.own.get(own) if own is not None else None
        if not reports:
            return False
        vector, settings = traits.vector, self.settings
        if any(_cosine(vector, theirs) >= settings.same_source for theirs in reports):
            return False
        return not any(_cosine(vector, theirs) >= settings.sure
                       for (source, lang), others in story.own.items() if lang == own[1] and source != own[0]
                       for theirs in others)

    def _names_apart(self, story_id: int, traits: _Traits) -> bool:
        """Whether the item's title names someone or somewhere none of the story's reports mentions, and
        each of the story's titles in the item's language that names anyone names someone or somewhere the
        item does not mention (mentions: the terms of the title and first 400 characters).
        The weather in Brest and the weather in Gomel; Spain's and Italy's daily figures; the US Open's and
        the Australian Open's replays; Guterres's and Peskov's words on the dam. Titles in other languages
        are not compared: they may translate a name (Hungary and Венгрия) rather than spell it."""
        story = self.stories[story_id]
        theirs = story.title_names.get(traits.lang)
        if not self.settings.title_names or not theirs or not traits.title_names:
            return False
        return (self._unmentioned_by(traits.title_names, story)
                and all(unmentioned(names, traits.mentioned) for names in theirs))

    def _unmentioned_by(self, names: Iterable[str], story: Story) -> bool:
        """`unmentioned(names, mentions(story.centroid))`, from the terms spelled like each name: a story's
        terms are those of all its reports, and a name's spellings in the window are a few."""
        centroid, spellings = story.centroid, self._spellings
        for key in map(_name_keys.__getitem__, names):
            spelled = spellings.get(key, ()) if key else centroid  # no key (vowels only) begins every term's
            if not any(term in centroid for term in spelled):
                return True
        return False

    def _allowed(self, story_id: int, traits: _Traits) -> bool:
        """Whether nothing besides the score keeps the story from taking the item."""
        return not (self._apart(story_id, traits.days) or self._again(story_id, traits)
                    or self._names_apart(story_id, traits))

    def _required(self, story_id: int, traits: _Traits) -> float:
        story, lang = self.stories[story_id], traits.lang
        if self._across(story_id, lang):
            # Across languages what two reports share is mostly names and the lexicon's concepts. One name
            # and a concept or two is what unrelated news has in common (an English "Ion" and the Russian
            # metropolitan Иона, "Union" Berlin and a union's meeting): such a story is held to the
            # threshold of a story in the item's language.
            if _shared_beyond_concepts(traits.vector, story.centroid) < 2:
                return self.settings.threshold
            return self.settings.cross_threshold
        # Full articles among themselves, in one language: the mean cosine to reports in another
        # language is lower whatever the story, so a multilingual story keeps the short posts' threshold.
        if min(traits.chars, story.shortest_chars) >= TEXT_CHARS and story.languages <= {lang}:
            return self.settings.long_threshold
        return self.settings.threshold

    def _apart(self, story_id: int, days: frozenset[int]) -> bool:
        """Whether the item's dates and the story's are all days_apart or more from each other: the
        forecast for 8 November and the one for 16 November, a region's figures for 4 May and for 2 May
        are different events, however alike the words. A day's difference is not enough (a report
        written the next day, "tomorrow" written as a date)."""
        story_days = self.stories[story_id].days
        if not days or not story_days or not self.settings.days_apart:
            return False
        gap = min(min(abs(a - b), YEAR_DAYS - abs(a - b)) for a in days for b in story_days)
        return gap >= self.settings.days_apart

    def _pick(self, scored: list[tuple[float, int]], traits: _Traits) -> tuple[int | None, float]:
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

    def _choose(self, report: Report, vector: dict[str, float], names: set[str], traits: _Traits, computed: dict
                ) -> tuple[int | None, float, Vector | None]:
        """The story to join and its score (None: a new story), and the item's embedding if it has one."""
        settings = self.settings
        scored = self._lexical(vector, names)
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
            meaning = _dot(item_vector, story.vector_sum) / story.vectors
            closeness = min(max((meaning - settings.meaning_low) / span, 0.0), 1.0)
            if meaning >= settings.meaning_floor:
                blended.append((settings.lexical_weight * lex + (1 - settings.lexical_weight) * closeness, sid))
        blended.sort(key=lambda sc: -sc[0])  # stable: equal scores keep the lexical order
        return *self._pick(blended, traits), item_vector

    def _embed_missing(self, report: Report, stories: list[Story], computed: dict) -> None:
        """Embed, in one batch, the report (unless it came with a vector) and the seeds of candidate
        stories that have no embedded member yet."""
        keys, texts = [], []
        if report.vector is None:
            keys.append(report.key)
            texts.append(embed_text(report.title, report.text))
        seeded = [story for story in stories if story.vector_sum is None]
        for story in seeded:
            keys.append(story.seed[0])
            texts.append(story.seed[1])
        if not texts:
            return
        vectors = self.embed(texts)
        self.embedded += len(texts)
        for key, vec in zip(keys, vectors, strict=True):
            computed[key] = tuple(float(x) for x in vec)
        for story in seeded:
            self._add_vector(story, computed[story.seed[0]])
