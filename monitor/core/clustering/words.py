"""A report's words, read once: the terms its title and beginning give (what TF-IDF weighs), and the text
that represents it to the embedding model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import chain

from monitor.core.clustering.settings import EMBED_CHARS, TEXT_CHARS, TITLE_WEIGHT
from monitor.core.terms import WORDS, Memo, Reading, readings, terms_of


def _split(text: str) -> tuple[tuple[str, ...], tuple[Reading, ...]]:
    words = tuple(WORDS.findall(text))
    return words, tuple(readings(words))


# A text's words and their readings, read once: the clusterer reads a report's title and beginning for its
# terms, and again for its title's names (`title_names_of`), which for a feed item reads the same beginning.
# Tuples: they are shared.
read_text = Memo(_split, size=64)


def item_terms(title: str, text: str) -> Counter:
    """The terms matching reads, counted: the title's (twice) and those of the beginning of the text."""
    return term_counts(read_text[title][1], read_text[text[:TEXT_CHARS]][1])


def title_terms_of(title: str, vector: Mapping[str, float]) -> frozenset[str]:
    """The terms of a title that the report's vector has (what the scorer compares of titles): `add` and `restore`
    read them alike."""
    return frozenset(terms_of(read_text[title][1])) & vector.keys()


def term_counts(title: Sequence[Reading], text: Sequence[Reading]) -> Counter:
    """The terms of a title's (twice) and a text's readings, counted."""
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
