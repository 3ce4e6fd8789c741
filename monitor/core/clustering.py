"""Online event clustering: each report joins the most similar active story, or starts a new one.

Items arrive in time order and are assigned once. Candidates come from an inverted index over the
terms of stories active within the time window, so the cost per item follows the active window, not
the archive. Similarity is the cosine of TF-IDF vectors (online document frequencies) between the
item and the story's centroid.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.core.text import terms

TITLE_WEIGHT = 2  # a title's words count twice: it names the event
TEXT_CHARS = 400  # the beginning of the text says what happened; the rest wanders
QUERY_TERMS = 12  # candidates come from stories sharing one of the item's heaviest terms


@dataclass(frozen=True)
class ClusterSettings:
    threshold: float = 0.3  # lowest similarity that joins a story
    window_s: float = 36 * 3600  # a story takes new reports this long after its last one


@dataclass
class Story:
    id: int
    first_seen: datetime
    last_seen: datetime
    centroid: Counter = field(default_factory=Counter)  # sum of member vectors
    size: int = 0

    def norm(self) -> float:
        return math.sqrt(sum(v * v for v in self.centroid.values())) or 1.0


def item_terms(title: str, text: str) -> Counter:
    counts = Counter(terms(title) * TITLE_WEIGHT)
    counts.update(terms(text[:TEXT_CHARS]))
    return counts


class Clusterer:
    """Assigns items to stories as they arrive. Pure: no IO, time comes with each item."""

    def __init__(self, settings: ClusterSettings | None = None) -> None:
        self.settings = settings or ClusterSettings()
        self.stories: dict[int, Story] = {}
        self.index: dict[str, set[int]] = defaultdict(set)
        self.df: Counter = Counter()
        self.documents = 0
        self.next_id = 1
        self._expiry: list[tuple[datetime, int]] = []  # (last_seen, story id), lazily refreshed

    def _idf(self, term: str) -> float:
        return math.log((self.documents + 1) / (self.df[term] + 1)) + 1.0

    def _vector(self, counts: Counter) -> dict[str, float]:
        vector = {t: (1 + math.log(c)) * self._idf(t) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    def _expire(self, now: datetime) -> None:
        horizon = now - timedelta(seconds=self.settings.window_s)
        while self._expiry and self._expiry[0][0] < horizon:
            last_seen, story_id = heapq.heappop(self._expiry)
            story = self.stories.get(story_id)
            if story is None or story.last_seen != last_seen:
                continue  # the story grew since; a fresher entry is in the heap
            for term in story.centroid:
                ids = self.index.get(term)
                if ids is not None:
                    ids.discard(story_id)
                    if not ids:
                        del self.index[term]
            del self.stories[story_id]

    def add(self, title: str, text: str, published: datetime, story_id: int | None = None) -> tuple[int, float]:
        """Assign one item; return (story id, similarity to it; 0.0 for a new story).

        `story_id` replays a stored assignment (rebuilding the window after a restart).
        """
        self._expire(published)
        counts = item_terms(title, text)
        self.documents += 1
        self.df.update(counts.keys())
        vector = self._vector(counts)
        best_id, best = None, 0.0
        if story_id is None:
            best_id, best = self._best_story(vector)
            if best < self.settings.threshold:
                best_id, best = None, 0.0
        else:
            best_id = story_id if story_id in self.stories else None
        if best_id is None:
            best_id = story_id if story_id is not None else self.next_id
            self.next_id = max(self.next_id, best_id + 1)
            self.stories[best_id] = Story(best_id, published, published)
        story = self.stories[best_id]
        story.centroid.update(vector)
        story.size += 1
        story.last_seen = max(story.last_seen, published)
        for term in vector:
            self.index[term].add(best_id)
        heapq.heappush(self._expiry, (story.last_seen, best_id))
        return best_id, best

    def _best_story(self, vector: dict[str, float]) -> tuple[int | None, float]:
        heaviest = heapq.nlargest(QUERY_TERMS, vector.items(), key=lambda kv: kv[1])
        candidates: set[int] = set()
        for term, _ in heaviest:
            candidates |= self.index.get(term, set())
        best_id, best = None, 0.0
        for story_id in candidates:
            story = self.stories[story_id]
            dot = sum(weight * story.centroid.get(term, 0.0) for term, weight in vector.items())
            score = dot / story.norm()
            if score > best:
                best_id, best = story_id, score
        return best_id, best
