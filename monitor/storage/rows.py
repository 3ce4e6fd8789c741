"""The rows the store hands out and takes in, named (no positional tuples cross its border)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from monitor.models import Source, SourceState


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A source, its poll state, and what it has brought so far (for listings)."""

    source: Source
    state: SourceState
    title: str  # as the source calls itself
    last_status: int | None
    item_count: int
    last_item_at: datetime | None


class RemovedSource(NamedTuple):
    """A source removed, and how many of its items went with it."""

    source: Source
    items: int


@dataclass(frozen=True, slots=True)
class ItemRow:
    """A stored item as listed: where it came from and where the deduplicator put it."""

    id: int
    source_id: int
    key: str
    url: str
    title: str
    published_at: datetime
    fetched_at: datetime
    same_as: int | None
    lang: str | None
    story_id: int | None  # None until clustered
    story_score: float | None


class ClusteringStart(NamedTuple):
    """Where the clusterer goes on from: the next story id and the next clustering sequence number."""

    story_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class UnclusteredItem:
    """A stored item the deduplicator has still to cluster: what it reads and where it came from."""

    id: int
    source_id: int
    title: str
    text: str
    published_at: datetime  # to the second, as stored
    same_as: int | None  # the earlier item of another source carrying the same report


@dataclass(frozen=True, slots=True)
class ReplayRow:
    """A clustered item as a restarted clusterer sees it again: the report, the story it joined, and
    what the clusterer computed for it then."""

    item_id: int
    source_id: int
    title: str
    text: str
    published_at: datetime
    story_id: int
    embedding: bytes | None  # float32 sentence vector, when the clusterer needed one
    term_vector: bytes | None  # None: clustered by a version that did not store vectors
    lang: str
    text_chars: int | None  # None: clustered by a version that did not store it
    text_days: str | None  # the dates the text names, days of the year, comma-separated
    seq: int = 0  # the order the clusterer saw it in (items.cluster_seq)
    title_names: str | None = None  # its title's names, space-separated (None: not stored, read again)
    title_terms: str | None = None  # its title's terms, where a scorer decided (None: not stored, read again)


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """Where the deduplicator put an item, and what it computed for it (kept for a restart)."""

    item_id: int
    story_id: int
    score: float  # similarity that joined the story; 0 for its first report
    seq: int  # clustering sequence number: the order items were clustered in
    lang: str
    term_vector: bytes | None
    text_chars: int
    text_days: str
    opened: bool  # this item (re)opened the story in the clusterer
    title_names: str | None = None  # its title's names, space-separated
    title_terms: str | None = None  # its title's terms, space-separated, where a scorer decided


class ItemTerms(NamedTuple):
    """What the deduplicator read of a stored item it put back without a stored vector (clustered by a version that
    did not store one, or whose reading of words has changed since): kept, so the next start puts it back as read."""

    item_id: int
    lang: str
    term_vector: bytes
    text_chars: int
    text_days: str
    title_names: str | None = None
    title_terms: str | None = None


class TitleTerms(NamedTuple):
    """Its title's names and terms, as the deduplicator read them of a stored item it put back with its vector but
    without them (clustered before they were stored, or its terms where the rules decided then and a scorer now):
    kept, so the next start reads none of its words."""

    item_id: int
    title_names: str
    title_terms: str | None  # None where the rules decide (they compare none)


class StoryExpiry(NamedTuple):
    """A story left the clusterer's window: its reports before `seq` keep no term vector."""

    story_id: int
    seq: int  # the first clustering sequence number after it left


class StoryLink(NamedTuple):
    """A source of a story and the link of its first report in it."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class StoryDetails:
    """What a digest shows of a story besides its summary."""

    titles: Mapping[str, str]  # language → the story's first title in it
    links: tuple[StoryLink, ...]  # its first sources


@dataclass(frozen=True, slots=True)
class StoryText:
    """A story's words as watches are matched against them: its first reports' titles and openings."""

    item_count: int
    text: str


@dataclass(frozen=True, slots=True)
class StatusFigures:
    """What /status shows."""

    sources: int  # enabled
    failing: int  # enabled, failing now
    items: int  # fetched since the moment asked about
    stories: int  # first seen since then
    subscribers: int  # active
    watches: int  # of active subscribers
    queue: int  # messages waiting in the outbox
    failed: int  # messages that failed since then
