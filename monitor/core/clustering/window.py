"""The reports published within the clusterer's time window, for what depends on all of them: document
frequencies (a term's weight falls with the share of reports that have it), and the lines each source
keeps repeating, its boilerplate (a channel's signature, "Subscribe | Send us news", a header, a feed's
"appeared first on"), which are not evidence and are left out of its next reports, or every post of a
channel would join one story through its footer."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import replace
from datetime import datetime
from itertools import repeat
from operator import mul, truediv

from monitor.core.clustering.settings import BOILERPLATE_CHARS, LEFT_REPORTS, SCANNED_CHARS, Report
from monitor.core.terms import Memo

Lines = tuple[tuple, ...]  # a report's (source, line) keys, remembered while it is in the window
# A term's weight for its count in a report, 1 + log(count): a report's counts are a few small numbers
_TERM_FREQUENCY = Memo(lambda count: 1 + math.log(count), size=1000)


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


def _remembered(keys: list[tuple]) -> Lines:
    return tuple({key for key in keys if key[1]})


def remembered_lines(report: Report) -> Lines:
    """The keys of a report's lines that are remembered while it is in the window."""
    return _remembered(_lines_of(report)[1])


class Window:
    """Document frequencies and each source's lines over the reports in the window, which leave it as
    time (the latest publication time the clusterer has seen) passes."""

    def __init__(self) -> None:
        self._df: Counter = Counter()  # document frequencies over the window, plus those in `_left`
        # the terms of reports that left the window, not yet taken off `_df`: counted in C as each report
        # leaves, and taken off in bulk (a day's news repeats its words); one by one, they took a twentieth
        # of the clusterer's time
        self._left: Counter = Counter()
        self._left_reports = 0
        # heap: (published, seq, terms, (source, line) pairs)
        self._documents: list[tuple[datetime, int, tuple[str, ...], Lines]] = []
        self._lines: Counter = Counter()  # (source, line) → reports in the window with that line
        self._seq = 0

    def count(self, published: datetime, terms: tuple[str, ...], lines: Lines) -> None:
        """A report in the window: its terms count for document frequencies and its lines as its
        source's, until it leaves the window."""
        self._seq += 1
        heapq.heappush(self._documents, (published, self._seq, terms, lines))
        self._lines.update(lines)
        self._df.update(terms)

    def leave(self, horizon: datetime) -> None:
        """The reports published before `horizon` leave the window."""
        while self._documents and self._documents[0][0] < horizon:
            _, _, gone, lines = heapq.heappop(self._documents)
            self._left.update(gone)
            self._left_reports += 1
            _take_off(self._lines, zip(lines, repeat(1)))
        if self._left_reports >= LEFT_REPORTS:
            self._settle()

    def _settle(self) -> None:
        """Take the terms of the reports that left the window off the document frequencies."""
        _take_off(self._df, self._left.items())
        self._left.clear()
        self._left_reports = 0

    def vector(self, counts: Counter) -> dict[str, float]:
        """A report's TF-IDF vector, of unit length, from its term counts."""
        documents, df, gone = len(self._documents) + 1, self._df, self._left.get  # ([] calls Python for a miss)
        tf = _TERM_FREQUENCY
        weights = [tf[c] * (math.log(documents / (df[t] - gone(t, 0) + 1)) + 1) for t, c in counts.items()]
        norm = math.sqrt(sum(map(mul, weights, weights))) or 1.0  # (the products and the division in C)
        return dict(zip(counts, map(truediv, weights, repeat(norm)), strict=True))

    def without_boilerplate(self, report: Report) -> tuple[Report, Lines]:
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

