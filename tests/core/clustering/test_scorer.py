"""The scorer fitted on labelled news: it ships as a data file read without the library that fitted it, and,
deciding instead of the rules (`ClusterSettings(learned=True)`), it keeps a source's recurring bulletins apart
and joins differently worded articles of one event."""

import json
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest

from monitor.core.clustering import (
    FEATURES,
    Clusterer,
    ClusterSettings,
    Report,
    Scorer,
    ScorerError,
    default_scorer,
    scorer_from,
)
from tests.core.clustering.reports import APPEAL, ARSENAL, LIVERPOOL, T0, TURNOUT, forecast, mutiny_reports

LEARNED = ClusterSettings(learned=True)


def test_the_shipped_model_loads_and_scores_without_scikit_learn():
    # The fitted model is read and evaluated in plain Python: scikit-learn is only for fitting it.
    code = ("import sys; sys.modules['sklearn'] = None\n"  # any import of it fails
            "from monitor.core.clustering import FEATURES, default_scorer\n"
            "scorer = default_scorer()\n"
            "p = scorer.probability([0.5] * len(FEATURES))\n"
            "print(p, scorer.threshold, 'sklearn' in sys.modules and sys.modules['sklearn'] is not None)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    probability, threshold, imported = run.stdout.split()
    assert 0.0 <= float(probability) <= 1.0 and 0.0 < float(threshold) < 1.0 and imported == "False"


def test_the_model_file_names_the_features_it_was_fitted_on():
    scorer = default_scorer()
    assert scorer.features == FEATURES
    # a clear repost scores above the threshold, a pair sharing nothing below it
    alike = dict.fromkeys(FEATURES, 0.0) | {"cosine": 0.9, "latest_cosine": 0.9, "title_share": 1.0,
                                             "names_shared": 3.0, "other_source_cosine": 0.9, "rules_ratio": 3.0,
                                             "time_known": 1.0}
    apart = dict.fromkeys(FEATURES, 0.0) | {"cosine": 0.01, "names_unshared": 1.0, "title_names_new": 1.0,
                                             "story_names_missing": 1.0, "log_hours_since_latest": 3.0}
    assert scorer.probability([alike[f] for f in FEATURES]) >= scorer.threshold
    assert scorer.probability([apart[f] for f in FEATURES]) < scorer.threshold


def _bulletin(n: int, hours: float, region: str, source: str = "Air Alert Ukraine EN") -> Report:
    at = T0 + timedelta(hours=hours)
    clock = f"{(at + timedelta(hours=3)):%H:%M}"  # Kyiv time, as the channel writes it
    text = f"🔴 Air raid alert in {region} Oblast ({clock}). Proceed to the nearest shelter."
    return Report(n, text.split(". ")[0], text, at, source=source)


def test_a_recurring_bulletin_from_one_source_hours_apart_starts_a_new_story():
    # A region's alerts at 09:04, 12:04 and 15:04 are three events: joined, a watcher's later alerts would
    # arrive only as silent edits of the first. The other regions' alerts are other events too.
    clusterer = Clusterer(LEARNED)
    alerts = [clusterer.add(_bulletin(n, hours, "Kharkiv")).story_id for n, hours in enumerate((0, 3, 6))]
    other = clusterer.add(_bulletin(9, 6.1, "Sumy")).story_id
    assert len({*alerts, other}) == 4


def test_a_channel_s_headline_again_counts_for_its_story_but_its_template_about_another_region_does_not():
    # A channel's schedules for two regions minutes apart share all but a name in the title: that is not the
    # headline again (a fact the model is given as 0, so it cannot take the template for a follow-up; what
    # `eval-clusters --explain` shows), nor where one title names a region the other report does not mention.
    # Its headline repeated with a detail added is. (The title rule's veto alone keeps the two regions apart.)
    def schedule(n: int, minutes: int, region: str, detail: str = "") -> Report:
        title = f"💡 Графік відключень на {region} на сьогодні, 24 травня"
        text = f"{title}\nНа {region} черги 1-3 без світла з 08:00 до 12:00.{detail}"
        return Report(n, title, text, T0 + timedelta(minutes=minutes), source="outages")

    clusterer = Clusterer(LEARNED)
    clusterer.trace = []
    kharkiv = clusterer.add(schedule(1, 0, "Харківщині"))
    dnipro = clusterer.add(schedule(2, 3, "Дніпропетровщині"))
    again = clusterer.add(schedule(3, 10, "Харківщині", " UPD: черга 4 без змін."))
    own_title = FEATURES.index("same_source_title_recent")

    def title_again() -> dict[int, float]:  # of the last report, by candidate story
        return {story: features[own_title] for story, features, _ in clusterer.trace[-1].candidates}

    assert dnipro.created and dnipro.story_id != kharkiv.story_id
    assert title_again()[kharkiv.story_id] > 0.8 and title_again().get(dnipro.story_id, 0.0) == 0.0
    assert again.story_id == kharkiv.story_id
    clusterer.add(schedule(4, 12, "Харківщині та Дніпропетровщині"))  # names Kharkiv's region, and another
    assert title_again()[kharkiv.story_id] == 0.0


def test_a_channel_s_headline_again_is_its_own_latest_headline_not_any_title_of_the_story():
    # The story holds the channel's alert and another channel's all-clear: the first channel's all-clear half an
    # hour later has every title word the story's titles have, but it is not its own headline again.
    def post(n: int, minutes: int, headline: str, source: str) -> Report:
        text = f"{headline}. Stay in shelters until the all clear."
        return Report(n, headline, text, T0 + timedelta(minutes=minutes), source=source)

    clusterer = Clusterer(LEARNED)
    clusterer.trace = []
    story = clusterer.add(post(1, 0, "🔴 09:52 Air raid alert in Kharkiv region", "alerts_a")).story_id
    clusterer.add(post(2, 25, "🟢 10:20 All clear in Kharkiv region", "alerts_b"), story_id=story)
    clusterer.add(post(3, 28, "🟢 10:20 All clear in Kharkiv region", "alerts_a"))
    own_title = FEATURES.index("same_source_title_recent")
    weighed = {story_id: features for story_id, features, _ in clusterer.trace[-1].candidates}
    assert weighed[story][own_title] < 0.3
    again = Clusterer(LEARNED)  # and its headline again ten minutes later is
    again.trace = []
    story = again.add(post(1, 0, "🔴 09:52 Air raid alert in Kharkiv region", "alerts_a")).story_id
    again.add(post(2, 10, "🔴 09:52 Air raid alert in Kharkiv region", "alerts_a"))
    weighed = {story_id: features for story_id, features, _ in again.trace[-1].candidates}
    assert weighed[story][own_title] > 0.8


def test_the_same_bulletin_from_another_channel_minutes_later_joins_it():
    clusterer = Clusterer(LEARNED)
    first = clusterer.add(_bulletin(1, 0, "Kharkiv")).story_id
    again = clusterer.add(_bulletin(2, 0.02, "Kharkiv", source="Alerts Monitor")).story_id
    assert again == first


QUAKE_WIRE = (
    "Strong earthquake strikes off Japan's Hokkaido, no tsunami warning",
    "A magnitude 6.4 earthquake struck off the coast of Hokkaido in northern Japan early on Thursday, the Japan "
    "Meteorological Agency said, shaking buildings in Kushiro and Nemuro. No tsunami warning was issued. The "
    "quake hit at 4:12 a.m. local time at a depth of about 50 kilometres. Hokkaido Electric Power said there "
    "were no abnormalities at the Tomari nuclear plant, which is offline. East Japan Railway briefly halted "
    "some trains to check the tracks. There were no immediate reports of injuries, the local fire department said.")
QUAKE_PAPER = (  # the same facts in other words: the rules' full-article threshold kept these two apart
    "Pre-dawn tremor rattles Kushiro, shelves topple in Nemuro",
    "People in Kushiro were jolted awake before sunrise on Thursday as a powerful offshore tremor rolled across "
    "eastern Hokkaido. Forecasters measured it at 6.4 and said the sea posed no danger. Goods fell from shelves "
    "in several Nemuro shops, a city official told reporters, though nobody needed treatment. The operator of "
    "the idle Tomari atomic station found nothing amiss, and JR East resumed services after inspecting lines.")


def test_two_differently_worded_articles_of_one_event_from_different_publishers_join():
    clusterer = Clusterer(LEARNED)
    wire = clusterer.add(Report(1, *QUAKE_WIRE, T0, source="wire.example"))
    paper = clusterer.add(Report(2, *QUAKE_PAPER, T0 + timedelta(hours=2), source="paper.example"))
    assert paper.story_id == wire.story_id


def test_explain_names_the_features_and_the_decision(tmp_path, capsys):
    from monitor.cli import main

    data = tmp_path / "quake.jsonl"
    data.write_text("".join(json.dumps({"id": f"q{n}", "lang": "en", "published": f"2024-05-02T0{n}:00:00+00:00",
                                        "source": source, "cluster": "quake", "title": title, "text": text}) + "\n"
                            for n, (source, (title, text)) in enumerate(
                                (("wire.example", QUAKE_WIRE), ("paper.example", QUAKE_PAPER)), start=1)))
    assert main(["eval-clusters", str(data), "--explain", "q2"]) == 0
    out = capsys.readouterr().out
    assert "item q2 (event quake)" in out and "first q1" in out
    assert all(name in out for name in ("cosine", "same_source", "clock_hours_apart", "log_hours_since_latest"))
    assert "decision: joined story" in out
    # with the rules deciding, the same features of the same candidates (the rules' decision)
    assert main(["eval-clusters", str(data), "--explain", "q2"]) == 0
    out = capsys.readouterr().out
    assert "item q2 (event quake)" in out and "first q1" in out and "cosine" in out
    assert main(["eval-clusters", str(data), "--explain", "nobody"]) == 2
    assert "no item with that id" in capsys.readouterr().err


def _explained_features(out: str) -> dict[str, float]:
    return {name: float(value) for name, value in (line.split() for line in out.splitlines()
                                                   if line.startswith("    ") and len(line.split()) == 2)}


def test_undated_articles_are_scored_without_the_seconds_between_them(tmp_path, capsys):
    # A labelled set without dates is fed in file order, a second apart: the scorer must not read that as
    # "published together" (for dated news, a burst of reports minutes apart is mostly one event).
    from monitor.cli import main

    data = tmp_path / "undated.jsonl"
    data.write_text("".join(json.dumps({"id": f"q{n}", "lang": "en", "published": None, "source": source,
                                        "cluster": "quake", "title": title, "text": text}) + "\n"
                            for n, (source, (title, text)) in enumerate(
                                (("wire.example", QUAKE_WIRE), ("paper.example", QUAKE_PAPER)), start=1)))
    assert main(["eval-clusters", str(data), "--explain", "q2"]) == 0
    out = capsys.readouterr().out
    features = _explained_features(out)
    assert features["time_known"] == 0.0 and features["log_hours_since_latest"] == 0.0
    assert features["log_hours_since_first"] == 0.0 and features["cosine"] > 0.0  # what they say is still weighed
    dated = tmp_path / "dated.jsonl"
    dated.write_text(data.read_text().replace('"published": null', '"published": "2024-05-02T01:00:00+00:00"', 1)
                     .replace('"published": null', '"published": "2024-05-02T03:00:00+00:00"'))
    assert main(["eval-clusters", str(dated), "--explain", "q2"]) == 0
    features = _explained_features(capsys.readouterr().out)
    assert features["time_known"] == 1.0 and features["log_hours_since_latest"] > 1.0


def test_a_model_file_that_cannot_be_read_is_one_clear_error(tmp_path):
    for text in ("{not json", '{"features": []}', "{}"):
        model = tmp_path / "scorer.json"
        model.write_text(text, encoding="utf-8")
        with pytest.raises(ScorerError, match=r"dedup: the scorer model .*scorer.json cannot be read .*scorer = false"):
            scorer_from(model.read_text, str(model))
    with pytest.raises(ScorerError, match="cannot be read"):
        scorer_from((tmp_path / "missing.json").read_text, "missing.json")


def test_a_restart_gives_the_scorer_the_stories_it_had_when_a_channel_heads_every_post_alike():
    # Each post's title is the channel's header line, which the window learns to drop as boilerplate: the title
    # terms a story keeps for the scorer must be the same whether it took its reports live or after a restart.
    header = "Новини Харкова"
    posts = [(f"{header}\nВибух у Харкові о 09:04, пошкоджено будинок на Салтівці.", 0),
             (f"{header}\nУ Львові відкрили новий міст через річку Полтву о 10:30.", 1),
             (f"{header}\nЗеленський провів нараду щодо енергетики о 11:15.", 2),
             (f"{header}\nВибух у Харкові о 12:04, уламки впали на Салтівці.", 3)]
    live = Clusterer(LEARNED)
    taken = [(report, live.add(report)) for report in
             (Report(n, header, text, T0 + timedelta(hours=hours), source=7) for n, (text, hours) in enumerate(posts))]
    back = Clusterer(LEARNED)
    for report, done in taken:
        back.restore(report, done.story_id, done.terms, done.lang, done.chars, done.days)
    def title_terms(clusterer: Clusterer) -> dict[int, set[str]]:
        return {sid: {term for term, at in story.centroid.items() if story.seen.titled[at]}
                for sid, story in clusterer.stories.items()}

    assert title_terms(live) == title_terms(back)
    after = Report(9, "Вибух біля Харкова", "Вибух на Салтівці, уламки.", T0 + timedelta(hours=3, minutes=20), source=8)
    assert live.add(after) == back.add(after)


def test_the_rules_thresholds_a_user_sets_do_not_move_the_scorer():
    # The scorer reads the rules' score over their threshold as a feature, by the rules' own constants: a
    # dedup.threshold kept from a config written for the rules must not change what the fitted model decides.
    reports = mutiny_reports()
    default = Clusterer(LEARNED)
    strict = Clusterer(ClusterSettings(learned=True, threshold=0.6, cross_threshold=0.5, long_threshold=0.9))
    assert [default.add(r).story_id for r in reports] == [strict.add(r).story_id for r in reports]
    # while the rules themselves are moved by them
    rules, strict_rules = Clusterer(ClusterSettings(learned=False)), Clusterer(ClusterSettings(learned=False,
                                                                                             threshold=0.6))
    assert [rules.add(r).story_id for r in reports] != [strict_rules.add(r).story_id for r in reports]


def test_a_story_a_rule_vetoes_is_never_joined_however_likely_the_model_finds_it():
    # A model that takes every pair for one event (no trees; log-odds 6) joins each report to a candidate,
    # except one the rules veto: reports naming dates days apart, a source's report of another event, titles
    # each naming someone the other does not mention. What the model learnt never overrides those.
    joins_all = Scorer(FEATURES, (), 6.0, 1.0, 0.5, "takes every pair for one event")

    def joined(first: tuple[str, str], second: tuple[str, str], sources: tuple[str, str]) -> bool:
        clusterer = Clusterer(LEARNED, scorer=joins_all)
        story = clusterer.add(Report(1, *first, T0, source=sources[0])).story_id
        return clusterer.add(Report(2, *second, T0 + timedelta(minutes=10), source=sources[1])).story_id == story

    assert not joined(forecast(8, "слабый снег"), forecast(16, "слабый снег"), ("amur", "amur"))  # dates
    assert not joined(APPEAL, TURNOUT, ("ria", "ria"))  # the source's other event
    assert not joined(ARSENAL, LIVERPOOL, ("bbc", "sky"))  # titles naming others
    # and without the veto the same model joins them
    assert joined(forecast(8, "слабый снег"), forecast(9, "слабый снег"), ("amur", "amur"))
    assert joined(APPEAL, TURNOUT, ("tass", "ria"))


def test_a_report_given_its_story_is_not_weighed_against_the_candidates():
    # An exact duplicate of a report already in a story (the same address or words from another source) and a report
    # put back on a restart come with their story: weighing candidates for them costs as much as for a new report
    # (features and trees for each), and decides nothing. Counted, not timed: no candidate is read for them.
    reports = mutiny_reports()
    clusterer = Clusterer(LEARNED)
    stories = [clusterer.add(report).story_id for report in reports[:20]]
    read_before = clusterer.stats["candidates"]
    assert read_before  # the new reports had candidates
    again = [clusterer.add(replace(report, key=f"again-{report.key}"), story_id=story).story_id
             for report, story in zip(reports[:20], stories, strict=True)]
    assert again == stories
    assert clusterer.stats["candidates"] == read_before
