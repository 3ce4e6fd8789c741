"""A report's reading: what the clusterer reads from a report's own words, before any other report counts (its
terms counted, language, dates, names, clock times). A function of the title and text alone, so it can be made
where the report was parsed, in a worker process with time to spare, and handed to the clusterer's process with
the report: the clusterer is the first pass's busiest process, and reading words was a quarter of its work."""

from __future__ import annotations

import sys
from collections.abc import Set
from dataclasses import dataclass

from monitor.core.clustering.names import title_names_of
from monitor.core.clustering.settings import TEXT_CHARS
from monitor.core.clustering.words import read_text, term_counts
from monitor.core.dates import calendar_days_of, clock_times_of
from monitor.core.terms import language_of, name_terms_of, terms_of


@dataclass(frozen=True, slots=True)
class ReportReading:
    """A report's reading: of its title and text as the clusterer compares them (without its source's boilerplate),
    the terms counted (title words twice) in the order they come, its language, the dates and, as published, the
    title's terms among those counted, the clock times named and the title's names (`title_names_of`)."""

    counts: dict[str, int]
    lang: str
    days: frozenset[int]
    names: frozenset[str]  # the terms of its capitalised words (`name_terms_of`)
    title_terms: frozenset[str]
    times: frozenset[int]
    title_names: frozenset[str]

    def __reduce__(self):
        # Sent between processes: the strings come back as the clusterer's own, one object per term however
        # many reports and stories hold it (`_interned`), as a reading made in its process has them.
        return _interned, (self.counts, self.lang, self.days, self.names, self.title_terms, self.times,
                           self.title_names)


def _interned(counts: dict[str, int], lang: str, days: frozenset[int], names: frozenset[str],
              title_terms: frozenset[str], times: frozenset[int], title_names: frozenset[str]) -> ReportReading:
    intern = sys.intern
    return ReportReading(dict(zip(map(intern, counts), counts.values(), strict=True)), lang, days,
                         frozenset(map(intern, names)), frozenset(map(intern, title_terms)), times,
                         frozenset(map(intern, title_names)))


def read_report(title: str, text: str, published: tuple[str, str] | None = None) -> ReportReading:
    """The reading of a report's title and text (as compared: without its source's boilerplate), and of its
    title and text as `published` (the same when None: nothing was left out)."""
    title_words, title_read = read_text[title]
    text_words, text_read = read_text[text[:TEXT_CHARS]]
    read = title_read + text_read
    counts = dict(term_counts(title_read, text_read))
    title_terms, times, title_names = published_traits(*(published or (title, text)), counts.keys())
    return ReportReading(counts, language_of(read), calendar_days_of(title_words + text_words),
                         frozenset(name_terms_of(read)), title_terms, times, title_names)


def published_traits(title: str, text: str, terms: Set[str]) -> tuple[frozenset[str], frozenset[int], frozenset[str]]:
    """Of a report as published, with the terms it is compared by: its title's terms among them, the clock times
    its title and beginning name, and its title's names."""
    title_terms = frozenset(term for term in terms_of(read_text[title][1]) if term in terms)
    return title_terms, clock_times_of(f"{title}\n{text[:TEXT_CHARS]}"), title_names_of(title, text, terms)
