"""The `eval-clusters` harness: labelled JSON Lines → the clusterer, in published order → scores."""

from __future__ import annotations

import gzip
import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from monitor.core.clustering import FEATURES, Clusterer, ClusterSettings, Decision, Embed, Report, Scorer
from monitor.core.evaluation import (
    Breakdown,
    Decided,
    Labelled,
    Scores,
    bcubed,
    breakdown,
    cause_lines,
    decision_causes,
    pair_scores,
)
from monitor.core.urls import canonical_url

# Items without a date (tgcontest) are fed in file order, a second apart, all inside one window.
_UNDATED_BASE = datetime(2000, 1, 1, tzinfo=UTC)
_VETOED = FEATURES.index("rules_vetoed")  # of a traced candidate's features


@dataclass
class Result:
    items: int = 0
    stories: int = 0
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    embedded: int = 0  # texts the clusterer sent to the embedding model
    scores: Scores = Scores(0.0, 0.0, 0.0)
    pairs: Scores | None = None
    breakdown: Breakdown = field(default_factory=Breakdown)  # pairs by languages and kinds of error
    problems: list[str] = field(default_factory=list)
    explained: str = ""  # `--explain`: an item's candidates and decision
    causes: dict[str, int] | None = None  # `--causes`: the reports of an event seen before, by what became of them

    def figures(self) -> dict:
        out: dict = {"precision": round(self.scores.precision, 4), "recall": round(self.scores.recall, 4),
                     "f1": round(self.scores.f1, 4), "stories": self.stories, "items": self.items,
                     "items_per_s": round(self.items / self.seconds, 1) if self.seconds else None,
                     "peak_rss_mb": round(self.peak_rss_mb, 1), "embedded": self.embedded}
        if self.pairs is not None:
            out.update(pair_precision=round(self.pairs.precision, 4), pair_recall=round(self.pairs.recall, 4),
                       pair_f1=round(self.pairs.f1, 4))
        out.update(self.breakdown.figures())
        if self.causes is not None:
            out["causes"] = dict(self.causes)
        return out

    def summary(self) -> str:
        f = self.figures()
        lines = [f"items {f['items']}, stories {f['stories']}",
                 f"BCubed precision {f['precision']:.3f}  recall {f['recall']:.3f}  F1 {f['f1']:.3f}"]
        if self.pairs is not None:
            lines.append(f"pairs  precision {f['pair_precision']:.3f}  recall {f['pair_recall']:.3f}  "
                         f"F1 {f['pair_f1']:.3f}")
        lines.append(f"{f['items_per_s']} items/s, {f['embedded']} texts embedded, peak RSS {f['peak_rss_mb']} MB")
        lines += self.breakdown.lines()
        if self.causes is not None:
            lines += cause_lines(self.causes)
        return "\n".join(lines)


def _open(path: str):
    return gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")


def read_items(path: str, problems: list[str]) -> list[dict]:
    """Valid items of a JSON Lines file; each bad line is reported by number and skipped."""
    items = []
    with _open(path) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or "id" not in item or "cluster" not in item:
                    raise ValueError("needs at least the keys id and cluster")
                published = item.get("published")
                item["_at"] = datetime.fromisoformat(published).astimezone(UTC) if published else None
            except (ValueError, TypeError) as exc:
                problems.append(f"{path} line {number}: skipped ({exc})")
                continue
            item["_line"] = number
            items.append(item)
    return items


def _source(source: object) -> str | None:
    """Who published an item. A source given as an article's address (the labelled real news) stands for
    its site, as a feed does in monitor: two articles of one site are one source's reports."""
    if source is None:
        return None
    source = str(source)
    if source.startswith(("http://", "https://")):
        return urlsplit(canonical_url(source)).hostname or source
    return source


def labelled_reports(path: str, problems: list[str]) -> list[tuple[dict, Report]]:
    """A labelled file's valid items and the reports the clusterer sees of them, in published order (the
    report's key is its place in that order)."""
    items = read_items(path, problems)
    for n, item in enumerate(items):
        item["_dated"] = item["_at"] is not None
        if item["_at"] is None:
            item["_at"] = _UNDATED_BASE + timedelta(seconds=n)
    items.sort(key=lambda i: (i["_at"], i["_line"]))
    return [(item, Report(n, str(item.get("title") or ""), str(item.get("text") or ""), item["_at"],
                          source=_source(item.get("source")), dated=item["_dated"])) for n, item in enumerate(items)]


def evaluate_file(path: str, settings: ClusterSettings, pairs_path: str | None = None,
                  assignments_path: str | None = None, embed: Embed | None = None,
                  progress: Callable[[int, int], None] | None = None, scorer: Scorer | None = None,
                  explain: str | None = None, causes: bool = False) -> Result:
    """Cluster a labelled file and score the outcome; `progress` is told (items done, items) as it goes.
    `explain`: an item's id, whose candidates and decision go to `Result.explained`. `causes`: count the reports of
    an event seen before by what became of them (`Result.causes`)."""
    result = Result()
    if not Path(path).exists():
        result.problems.append(f"{path} not found")
        return result
    labelled = labelled_reports(path, result.problems)
    items = [item for item, _ in labelled]
    clusterer = Clusterer(settings, embed=embed, scorer=scorer)
    predicted: dict[str, int] = {}
    started = time.perf_counter()
    # With `explain` every item is traced, not only that one (with `causes` too): the stories then keep what the
    # features compare
    clusterer.trace = [] if explain is not None or causes else None
    decided: list[Decided] = []
    for n, (item, report) in enumerate(labelled):
        predicted[str(item["id"])] = clusterer.add(report).story_id
        if clusterer.trace:
            decision = clusterer.trace[-1]
            if str(item["id"]) == explain:
                result.explained = explanation(item, decision, clusterer.scorer, labelled, predicted)
            if causes:
                weighed = [(story, bool(features[_VETOED])) for story, features, _ in decision.candidates]
                decided.append(Decided(item["cluster"], decision.story_id, weighed, decision.offered))
            clusterer.trace.clear()
        if progress:
            progress(n + 1, len(items))
    result.seconds = time.perf_counter() - started
    result.embedded = clusterer.embedded
    result.items = len(items)
    result.stories = len(set(predicted.values()))
    result.scores = bcubed({str(i["id"]): i["cluster"] for i in items}, predicted)
    result.breakdown = breakdown([
        Labelled(str(i["id"]), i["cluster"], predicted[str(i["id"])], str(i.get("lang") or ""),
                 _source(i.get("source")), i["_at"] if i.get("published") else None,
                 str(i.get("title") or ""), str(i.get("text") or "")) for i in items])
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if causes:
        result.causes = decision_causes(decided)
    if pairs_path:
        pairs = [(str(p["a"]), str(p["b"]), bool(p["label"])) for p in read_pairs(pairs_path, result.problems)]
        result.pairs = pair_scores(pairs, predicted)
    if assignments_path:
        Path(assignments_path).write_text("".join(f"{i}\t{s}\n" for i, s in predicted.items()), encoding="utf-8")
    return result


def read_pairs(path: str, problems: list[str]) -> list[dict]:
    pairs = []
    with _open(path) as lines:
        for number, line in enumerate(lines, start=1):
            try:
                pair = json.loads(line)
                pairs.append({"a": pair["a"], "b": pair["b"], "label": pair["label"]})
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path} line {number}: skipped ({exc})")
    return pairs


def explanation(item: dict, decision: Decision, scorer: Scorer | None, labelled: list[tuple[dict, Report]],
                predicted: dict[str, int]) -> str:
    """Why an item went where it went: each candidate story (its first report's id and title, its labelled
    events), the pair's features and probability, and the decision."""
    members: dict[int, list[dict]] = {}
    for other, _ in labelled:
        story = predicted.get(str(other["id"]))
        if story is not None and other is not item:
            members.setdefault(story, []).append(other)
    how = (f"scorer {scorer.version}: probabilities" if scorer is not None
           else "rules: mean cosines (not faded; the rules' dates, sources and titles are not shown)")
    lines = [f"item {item['id']} (event {item['cluster']}): {str(item.get('title') or '')[:100]}",
             f"{how}, threshold {decision.threshold:.3f}, {len(decision.candidates)} candidates"]
    for story_id, features, probability in sorted(decision.candidates, key=lambda c: -c[2]):
        reports = members.get(story_id, [])
        events = ", ".join(sorted({str(r["cluster"]) for r in reports}))
        first = reports[0] if reports else {}
        lines.append(f"  story {story_id} ({len(reports)} reports, events {events}; first {first.get('id')}: "
                     f"{str(first.get('title') or '')[:70]}): score {probability:.3f}")
        lines.extend(f"    {name:<28} {value:8.3f}" for name, value in zip(FEATURES, features, strict=True))
    verdict = "started a new story" if decision.created else "joined story"
    lines.append(f"decision: {verdict} {decision.story_id}" + (" (given)" if decision.forced else ""))
    return "\n".join(lines)
