"""A report's reading made where it was parsed (another process) decides as the clusterer's own would: the same
stories, the same stored vectors; it is used only where the window left nothing of the report out."""

import pickle
import sys
from dataclasses import replace
from datetime import timedelta

from monitor.core.clustering import Clusterer, ClusterSettings, Report
from monitor.core.clustering.reading import read_report
from tests.core.clustering.reports import ROSTOV_1, ROSTOV_2, ROSTOV_RU, T0, mutiny_reports

SIGNATURE = "Subscribe to Rostov Now | Send us your news"


def sent(report: Report) -> Report:
    """The report with its reading made elsewhere and sent over, as a parse worker hands it on."""
    return replace(report, reading=pickle.loads(pickle.dumps(read_report(report.title, report.text))))


def assignments(reports: list[Report]) -> list[tuple]:
    clusterer = Clusterer(ClusterSettings())
    return [(a.story_id, a.created, a.lang, a.terms, a.chars, a.days)
            for a in map(clusterer.add, reports)]


def test_reports_read_where_they_were_parsed_make_the_same_stories_and_vectors():
    reports = mutiny_reports()
    assert assignments([sent(report) for report in reports]) == assignments(reports)


def test_a_reading_sent_over_holds_the_clusterer_s_own_strings():
    # one string object for each term, however many reports and stories hold it: the window's memory
    reading = pickle.loads(pickle.dumps(read_report(*ROSTOV_1)))
    assert reading.counts
    assert all(sys.intern(term) is term for term in reading.counts)
    assert all(sys.intern(name) is name for name in reading.names | reading.title_terms | reading.title_names)


def test_the_reading_sent_is_what_decides_unless_the_window_leaves_part_of_the_report_out():
    # A reading made of other words (a stand-in for one read wrongly) moves the report: so the one sent is used.
    first = Report(1, *ROSTOV_1, T0)
    follow_up = Report(2, *ROSTOV_2, T0 + timedelta(minutes=5))
    unrelated = read_report("Heavy snow closes Alpine passes", "Roads over the Alps were closed by snow on Monday.")
    clusterer = Clusterer(ClusterSettings())
    story = clusterer.add(first).story_id
    assert clusterer.add(replace(follow_up, reading=unrelated)).story_id != story
    # A channel's signature, repeated, is left out of its next post: the reading sent (made of the whole text) is
    # not used then, and the post is read here without it, as it would be without a reading sent.
    def channel(n: int, title_text: tuple[str, str], minutes: int, reading=None) -> Report:
        title, text = title_text
        return Report(n, title, f"{text}\n{SIGNATURE}", T0 + timedelta(minutes=minutes), source="rostov-now",
                      reading=reading)

    posts = [channel(1, ROSTOV_RU, 0), channel(2, ROSTOV_1, 10), channel(3, ROSTOV_2, 20)]
    wrong_last = [*posts[:2], replace(posts[2], reading=unrelated)]
    assert assignments(wrong_last) == assignments(posts)
