"""The clusterer's work per report does not grow with the window: counted (Clusterer.stats), not timed."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks import newsday
from monitor.core.clustering import Clusterer, ClusterSettings, Report
from monitor.core.clustering.settings import SCORED_CANDIDATES

MEASURED = 500  # the last reports of each stream, counted


def work_per_report(reports: int) -> dict[str, float]:
    """Candidates scored and postings read per report over the last MEASURED reports of a news day of
    `reports` reports, every one of them in the window."""
    items = newsday.reports(1, reports // 50, 50)  # in publication order
    clusterer = Clusterer(ClusterSettings(window_s=49 * 3600))
    for n, item in enumerate(items):
        if n == len(items) - MEASURED:
            before = Counter(clusterer.stats)
        clusterer.add(Report(n, item["title"], item["text"], item["published"], source=item["source"]))
    return {name: (clusterer.stats[name] - before[name]) / MEASURED for name in ("candidates", "postings")}


@pytest.mark.slow  # clusters 42,000 reports
def test_candidates_and_postings_per_report_stay_bounded_as_the_window_grows_twentyfold():
    small, large = work_per_report(2_000), work_per_report(40_000)
    assert 0 < large["candidates"] <= SCORED_CANDIDATES
    # each term's postings are read up to their cap: more of them reach it as the window grows, and the
    # postings read grow far slower than the window (reading every story sharing a term, they grew with it)
    assert large["postings"] <= 1.5 * small["postings"], (small, large)
