"""Fit the deduplicator's pair scorer on the labelled sets and measure it on sets it was not fitted on.

Each labelled set goes through monitor's clusterer in published order, every report put into its labelled
story (so later reports see the stories they should), and for each report every candidate story the
clusterer retrieves gives one row: the pair's features (monitor/core/clustering/features.py) and whether the
story is the report's event. Gradient-boosted trees over those rows (scikit-learn, a dev dependency) are the
model; then the sets go through the clusterer again deciding with it, and the rows of the stories it made
(parts of an event, mixed stories) are added for a second fit. The decision threshold is the one whose stories
have the best mean F1 among those of mean precision 0.93 or more (precision first), on the sets held out below
(with --no-cv, on the sets fitted on).

Leave one set out: for each set, the model is fitted on all the others and the real clusterer runs with it
on the held-out set; its BCubed precision, recall and F1 are printed (and for tgcontest the pair scores,
ru and en), at the threshold that model chose on its own sets and again at the shipped one. Then the model
fitted on all the sets is written to monitor/data/scorer.json (--write).
--no-concepts measures the same without the concept lexicon (an ablation: what it adds across languages);
--no-rules-features without the rules' score and veto among the features (what they add).

    python benchmarks/train_scorer.py --shared ../shared/benchmarks --write
    python benchmarks/train_scorer.py --no-record --only dev,mutiny      # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import results, word_forms  # noqa: E402
from monitor.core.clustering import FEATURES, Clusterer, ClusterSettings, Scorer  # noqa: E402
from monitor.core.clustering.features import MODEL_FILE, time_unknown  # noqa: E402
from monitor.core.evaluation import bcubed, pair_scores  # noqa: E402
from monitor.core.terms import concepts  # noqa: E402
from monitor.evaluation import labelled_reports, read_pairs  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
SETS = {
    "dev": ROOT / "tests" / "data" / "dev-multilingual.jsonl",
    "mutiny": ROOT / "tests" / "data" / "mutiny-day.jsonl",
    **{path.stem: path for path in sorted(DATA.glob("*.jsonl"))},
}
TGCONTEST = "tgcontest"
Judged = dict[str, dict[frozenset[str], bool]]  # set name → its judged pairs and whether each is one event
VERSION = 1
SEED = 26
TREES, DEPTH, RATE = 120, 3, 0.1
UNDATED_WEIGHT = 100  # of each set's dated examples seen again with their time unknown (each set weighs 1000)
RULES_FEATURES = ("rules_ratio", "rules_vetoed")
BLANKED: set[int] = set()  # features every example has as 0 (an ablation: a tree never splits on them)


def rows_of(path: Path, scorer: Scorer | None = None, judged: dict[frozenset[str], bool] | None = None
            ) -> tuple[list[list[float]], list[int], list[int]]:
    """Features, labels and report numbers of every (report, candidate story) pair of a set. Without a
    scorer each report is put into its labelled story (the stories later reports see are right); with one,
    the clusterer decides with it, and a candidate is the report's event when most of its reports are (the
    stories are then as the scorer makes them, parts of an event and mixed ones included).
    `judged`: for a set labelled by pairs (tgcontest, whose events are the pairs' connected components, so
    two reports never compared are apart by construction), only the candidates that hold a report someone
    compared with this one give a row: the others' label is unknown, not "different"."""
    labelled = _labelled(path)
    stories: dict[str, int] = {}
    clusterer = Clusterer(ClusterSettings(), scorer=scorer or Scorer(FEATURES, (), 0.0, 0.0, 1.0, "none"))
    clusterer.trace = []
    events: dict[int, Counter] = defaultdict(Counter)
    members: dict[int, list[str]] = defaultdict(list)
    features, labels, reports = [], [], []
    for n, (item, report) in enumerate(labelled):
        event, key = str(item["cluster"]), str(item["id"])
        given = stories.setdefault(event, len(stories) + 1) if scorer is None else None
        story = clusterer.add(report, story_id=given).story_id
        for candidate, pair, _ in clusterer.trace[-1].candidates:
            if judged is not None and not any(frozenset((key, other)) in judged for other in members[candidate]):
                continue
            features.append([0.0 if n in BLANKED else value for n, value in enumerate(pair)])
            labels.append(int(events[candidate].most_common(1)[0][0] == event))
            reports.append(n)
        events[story][event] += 1
        members[story].append(key)
    return features, labels, reports


# The direction each feature may move the probability in (1 up, -1 down, 0 either way): what is known
# about news before any data, so a few hundred examples cannot teach the trees that sharing more words makes
# two reports less likely to be one event.
DIRECTIONS = {
    **dict.fromkeys(("cosine", "latest_cosine", "title_share", "names_shared", "numbers_shared", "dates_shared",
                     "other_source_cosine", "cross_language_cosine", "shared_beyond_concepts", "articles_cosine",
                     "rules_ratio", "same_source_title_recent"), 1),
    **dict.fromkeys(("names_unshared", "title_names_new", "story_names_missing", "titles_name_others", "numbers_new",
                     "dates_apart", "rules_vetoed",
                     "clock_hours_apart", "log_hours_since_latest", "log_hours_since_first",
                     "log_hours_since_same_source"), -1),
}


def fit(rows: dict[str, tuple], names: list[str]) -> tuple[Scorer, dict]:
    """Gradient-boosted trees over the rows of the named sets, each set weighing as much as any other, and
    the threshold that maximises F1 of its joins on those rows: the scorer, and its model file's content."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, weight, groups = [], [], [], []
    known = FEATURES.index("time_known")
    for name in names:
        features, labels, reports = rows[name]
        if not labels:
            continue
        x += features
        y += labels
        weight += [1000 / len(labels)] * len(labels)
        groups += [(name, r) for r in reports]
        # and each dated pair again with its time unknown (UNDATED_WEIGHT), so the model has learnt to
        # decide from what the reports say where nothing tells when they came (undated labelled articles)
        dated = [n for n, row in enumerate(features) if row[known]] if UNDATED_WEIGHT else []
        x += [list(time_unknown(features[n])) for n in dated]
        y += [labels[n] for n in dated]
        weight += [UNDATED_WEIGHT / len(labels)] * len(dated)
        groups += [(name + " undated", reports[n]) for n in dated]
    model = HistGradientBoostingClassifier(
        max_iter=TREES, max_depth=DEPTH, learning_rate=RATE, max_leaf_nodes=None, min_samples_leaf=20,
        l2_regularization=1.0, monotonic_cst=[DIRECTIONS.get(name, 0) for name in FEATURES], early_stopping=False,
        random_state=SEED)
    model.fit(np.array(x), np.array(y), sample_weight=np.array(weight))
    content = {"version": f"{VERSION}: gradient-boosted trees fitted on {', '.join(names)}",
               "features": list(FEATURES), "start": round(float(np.ravel(model._baseline_prediction)[0]), 6),
               "rate": 1.0, "trees": [_tree(predictor[0].nodes) for predictor in model._predictors],
               "threshold": 0.5}
    scorer = Scorer.from_json(json.dumps(content))
    content["threshold"] = round(_threshold([scorer.probability(row) for row in x], y, groups), 4)
    return Scorer.from_json(json.dumps(content)), content


def _tree(nodes) -> dict:
    """A fitted tree's nodes as the model file keeps them (the learning rate is in the leaves' values)."""
    leaf = [bool(node["is_leaf"]) for node in nodes]
    return {"feature": [0 if end else int(node["feature_idx"]) for node, end in zip(nodes, leaf, strict=True)],
            # unrounded: a threshold can be a value fitted, and a row on it goes left (x <= threshold) only if it is
            "threshold": [0.0 if end else float(node["num_threshold"]) for node, end in zip(nodes, leaf, strict=True)],
            "left": [-1 if end else int(node["left"]) for node, end in zip(nodes, leaf, strict=True)],
            "right": [-1 if end else int(node["right"]) for node, end in zip(nodes, leaf, strict=True)],
            "value": [round(float(node["value"]), 6) if end else 0.0 for node, end in zip(nodes, leaf, strict=True)]}


def _threshold(probabilities: list[float], labels: list[int], groups: list) -> float:
    """The probability from which a report joins its best candidate that maximises F1 of the joins (a join
    is right when the best candidate is the report's story)."""
    best: dict = {}
    joinable = set()
    for p, label, group in zip(probabilities, labels, groups, strict=True):
        if label:
            joinable.add(group)
        if group not in best or p > best[group][0]:
            best[group] = (p, label)
    decisions = sorted(best.values(), reverse=True)
    right = wrong = 0
    chosen, top = 0.5, -1.0
    for p, label in decisions:
        right += label
        wrong += not label
        precision, recall = right / (right + wrong), right / max(len(joinable), 1)
        f = 2 * precision * recall / (precision + recall) if right else 0.0
        if f > top:
            top, chosen = f, p
    return chosen


@cache
def _labelled(path: Path) -> list:
    """A labelled set as `labelled_reports` reads it, read once: every fit and threshold tried clusters it again."""
    problems: list[str] = []
    return labelled_reports(str(path), problems)


def cluster(path: Path, scorer: Scorer) -> dict[str, int]:
    clusterer = Clusterer(ClusterSettings(), scorer=scorer)
    return {str(item["id"]): clusterer.add(report).story_id for item, report in _labelled(path)}


DROPPED_SHARE = 0.1  # of each set's reports with candidates, left out of a fit with --drop-seed


def dropped_reports(rows: dict[str, tuple], seed: int) -> dict[str, set[int]]:
    """Of each set, a seeded DROPPED_SHARE of its reports with candidates (the same for every fit of a run): refits
    without them tell how far the figures move when the rows do a little, so that a variant is compared with the
    baseline on the same seeds rather than judged by one fit."""
    dropped = {}
    for name, (_, _, reports) in rows.items():
        having = sorted(set(reports))
        dropped[name] = set(random.Random(f"{seed}:{name}").sample(having, round(len(having) * DROPPED_SHARE)))
    return dropped


def without(rows: tuple, dropped: set[int]) -> tuple:
    """A set's (features, labels, reports) without the rows of the dropped reports."""
    features, labels, reports = rows
    kept = [n for n, report in enumerate(reports) if report not in dropped]
    return [features[n] for n in kept], [labels[n] for n in kept], [reports[n] for n in kept]


def trained(sets: dict[str, Path], forced: dict[str, tuple], names: list[str], judged: Judged,
            choose: bool = True, dropped: dict[str, set[int]] | None = None) -> tuple[Scorer, dict]:
    """Fitted on the named sets in two rounds: on their rows with every report in its labelled story, then
    again with the rows of the stories the first model makes added (so it learns from its own mistakes
    too: a story missing part of its event, or holding another's report). The threshold is then the one
    whose stories are best on those sets (`story_threshold`), unless not `choose` (the caller chooses it).
    `dropped`: reports of each set whose rows the second round leaves out too (`dropped_reports`)."""
    scorer, _ = fit(forced, names)
    rows = {}
    for name in names:
        features, labels, reports = forced[name]
        own = without(rows_of(sets[name], scorer, judged.get(name)), (dropped or {}).get(name, set()))
        rows[name] = (features + own[0], labels + own[1], reports + [n + len(reports) + 1 for n in own[2]])
    scorer, content = fit(rows, names)
    if choose:
        content["threshold"] = story_threshold(content, {name: sets[name] for name in names}, judged)
    return Scorer.from_json(json.dumps(content)), content


THRESHOLDS = tuple(round(0.15 + 0.05 * n, 2) for n in range(11))  # 0.15 … 0.65
PRECISION_FIRST = 0.93  # a wrong merge hides an event, a missed one shows it twice: precision is held first
SERIES_FIRST = 0.95  # of a set of recurring bulletins: the share of one event among the pairs of one series joined


def story_threshold(content: dict, sets: dict[str, Path], judged: Judged) -> float:
    """The threshold whose stories are best over the sets the model was fitted on (`precision_first`). The joins'
    own threshold (`_threshold`) counts each decision alone, but a missed join splits a story for every report
    after it, and a wrong one draws the next reports in: the clusterer's stories are the figure that counts."""
    scores: dict[float, list] = defaultdict(list)
    for name, path in sets.items():
        gold = _gold(path)
        for threshold, predicted in clustered_at_each(content, path).items():
            scores[threshold].append(_scores(gold, predicted, judged.get(name)))
    return precision_first(scores)


def clustered_at_each(content: dict, path: Path) -> dict[float, dict[str, int]]:
    """A set's stories as the model clusters it at every threshold tried."""
    return {threshold: cluster(path, Scorer.from_json(json.dumps({**content, "threshold": threshold})))
            for threshold in THRESHOLDS}


def precision_first(scores: dict[float, list], series: dict[float, list[float]] | None = None) -> float:
    """Of the thresholds, with the scores of each set at each (and the series precision of each set of recurring
    bulletins at each), the one with the best mean F1 among those whose mean precision is PRECISION_FIRST or more
    and where every set of bulletins keeps SERIES_FIRST (the most precise where none is). The bulletins' floor is
    the issue's own: a region's alert hours later merged into the first arrives only as a silent edit; the mean
    alone let a thousandth of F1 buy it (0.924 on templates-1 at 0.45, 0.958 at 0.5)."""
    best: tuple = ()
    for threshold, by_set in scores.items():
        precision, f1 = _means(by_set)
        precise = precision >= PRECISION_FIRST and all(s >= SERIES_FIRST for s in (series or {}).get(threshold, ()))
        key = (precise, f1 if precise else precision)
        if not best or key > best[0]:
            best = (key, threshold)
    return best[1]


def _means(scores: list) -> tuple[float, float]:
    """The mean precision and F1 of sets' scores."""
    return (sum(s.precision for s in scores) / len(scores), sum(s.f1 for s in scores) / len(scores))


def _scores(gold: dict[str, str], predicted: dict[str, int], judged: dict[frozenset[str], bool] | None):
    if judged is None:
        return bcubed(gold, predicted)
    return pair_scores([(*sorted(pair), label) for pair, label in judged.items()], predicted)


def _gold(path: Path) -> dict[str, str]:
    return {str(item["id"]): item["cluster"] for item, _ in _labelled(path)}


def held_out_figures(path: Path, predicted: dict[str, int], pairs: Path | None) -> dict:
    gold = _gold(path)
    scores = bcubed(gold, predicted)
    figures = {"precision": round(scores.precision, 3), "recall": round(scores.recall, 3), "f1": round(scores.f1, 3)}
    recurring = series_precision(gold, predicted)
    if recurring is not None:
        figures["series precision"] = recurring
    if pairs is not None:
        labelled = _pairs(pairs)
        for lang in ("ru", "en", None):
            chosen = [(str(p["a"]), str(p["b"]), bool(p["label"])) for p in labelled
                      if lang is None or _pair_lang(pairs, p) == lang]
            s = pair_scores(chosen, predicted)
            figures[f"pairs {lang or 'all'} P/R/F1"] = f"{s.precision:.3f} / {s.recall:.3f} / {s.f1:.3f}"
    return figures


def series_precision(gold: dict[str, str], predicted: dict[str, int]) -> float | None:
    """On a set of recurring templated posts (labels "t1:alert:mykolaiv:20240524T0100": a series, then when),
    the share of one event among the pairs of one series that the clusterer put in one story: a region's alerts
    hours apart, a city's forecasts for two days. None for a set labelled otherwise."""
    def recurring(label: object) -> bool:  # (a set labelled by pairs has numbers for its events)
        return isinstance(label, str) and label.count(":") >= 3

    if not any(map(recurring, gold.values())):
        return None
    joined = same = 0
    by_story: dict[int, list[str]] = defaultdict(list)
    for report, story in predicted.items():
        if recurring(gold[report]):
            by_story[story].append(gold[report])
    for labels in by_story.values():
        joined += sum(n * (n - 1) // 2 for n in Counter(label.rpartition(":")[0] for label in labels).values())
        same += sum(n * (n - 1) // 2 for n in Counter(labels).values())
    return round(same / joined, 3) if joined else 1.0


@cache
def _pairs(path: Path) -> list[dict]:
    problems: list[str] = []
    return read_pairs(str(path), problems)


_PAIR_LANGS: dict[tuple[str, str], str] = {}


def _pair_lang(path: Path, pair: dict) -> str:
    if not _PAIR_LANGS:
        import gzip
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                p = json.loads(line)
                _PAIR_LANGS[(str(p["a"]), str(p["b"]))] = p["lang"]
    return _PAIR_LANGS[(str(pair["a"]), str(pair["b"]))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "benchmarks",
                        help="the folder with tgcontest-pairs/ (default: ../shared/benchmarks); left out when absent")
    parser.add_argument("--only", help="comma-separated set names to use (default: all)")
    parser.add_argument("--write", action="store_true", help=f"write the model fitted on all sets to "
                                                             f"monitor/data/{MODEL_FILE}")
    parser.add_argument("--no-cv", action="store_true", help="skip leave-one-set-out (only fit and --write)")
    parser.add_argument("--drop-seed", type=int, metavar="N",
                        help=f"fit without the rows of a seeded {DROPPED_SHARE:.0%}% of each set's reports (every fold "
                             "and round alike): compare a variant with the baseline over several seeds, as one refit "
                             "moves a set's figures by up to 0.05 (not with --write)")
    parser.add_argument("--no-concepts", action="store_true",
                        help="an ablation: read words without the concept lexicon (monitor/data/concepts.tsv)")
    parser.add_argument("--stemmer", choices=word_forms.STEMMERS, default="ours",
                        help="an ablation: read word forms with a library instead of monitor's stemmer "
                             "(benchmarks/word_forms.py; the library must be installed)")
    parser.add_argument("--no-rules-features", action="store_true",
                        help="an ablation: fit without the rules' score and veto as features (the vetoes still hold)")
    results.add_flag(parser)
    args = parser.parse_args()
    ran_at = results.commit()  # before --write changes the model file: the entry names the code that ran
    if args.no_rules_features:
        if args.write:
            parser.error("--no-rules-features is an ablation: monitor computes those features, so its model has them")
        BLANKED.update(FEATURES.index(name) for name in RULES_FEATURES)
    if args.stemmer != "ours":
        if args.write:
            parser.error("--stemmer is an ablation: monitor reads words with its own stemmer, so its model must too")
        word_forms.use(args.stemmer)
    if args.write and args.drop_seed is not None:
        parser.error("--drop-seed measures how the figures move; the shipped model is fitted on every report")
    if args.no_concepts:
        if args.write:
            parser.error("--no-concepts is an ablation: monitor reads words with the lexicon, so its model must too")
        concepts().clear()  # before any word is read (readings are remembered)
    sets = dict(SETS)
    pairs = None
    tgcontest = args.shared / "tgcontest-pairs"
    if (tgcontest / "tgcontest-pairs.articles.jsonl.gz").exists():
        sets[TGCONTEST] = tgcontest / "tgcontest-pairs.articles.jsonl.gz"
        pairs = tgcontest / "tgcontest-pairs.pairs.jsonl.gz"
    if args.only:
        sets = {name: sets[name] for name in args.only.split(",")}
    judged: Judged = {}
    if pairs is not None and TGCONTEST in sets:
        judged[TGCONTEST] = {frozenset((str(p["a"]), str(p["b"]))): bool(p["label"]) for p in _pairs(pairs)}
    rows = {name: rows_of(path, judged=judged.get(name)) for name, path in sets.items()}
    dropped = dropped_reports(rows, args.drop_seed) if args.drop_seed is not None else {}
    rows = {name: without(value, dropped.get(name, set())) for name, value in rows.items()}
    for name, (_, labels, reports) in rows.items():
        print(f"{name}: {len(labels)} pairs, {sum(labels)} same event, {len(set(reports))} reports with candidates",
              file=sys.stderr)
    report = defaultdict(dict)
    curves: dict[float, list] = defaultdict(list)  # each held-out set's scores at every threshold tried
    series: dict[float, list[float]] = defaultdict(list)  # each held-out set of bulletins' series precision at each
    held_out: dict[str, dict[float, dict[str, int]]] = {}  # each held-out set's stories at every threshold tried
    if not args.no_cv:
        for name, path in sets.items():
            scorer, content = trained(sets, rows, [other for other in sets if other != name], judged, dropped=dropped)
            held_out[name] = clustered_at_each(content, path)
            report[name] = held_out_figures(path, held_out[name][scorer.threshold],
                                            pairs if name == TGCONTEST else None)
            report[name]["threshold"] = scorer.threshold
            print(f"{name}: {report[name]}", flush=True)
            gold = _gold(path)  # read once for the set's eleven thresholds
            for threshold, predicted in held_out[name].items():
                curves[threshold].append(_scores(gold, predicted, judged.get(name)))
                recurring = series_precision(gold, predicted)
                if recurring is not None:
                    series[threshold].append(recurring)
    final, content = trained(sets, rows, list(sets), judged, choose=not curves, dropped=dropped)
    if curves:
        # The shipped model's threshold is chosen on the sets held out from the models fitted without them: on the
        # sets it was fitted on, a model of many trees is surer than it will be on news it has not seen (the mean F1
        # there is flat over a range of thresholds, and the one chosen moved with every refit).
        content["threshold"] = precision_first(curves, series)
        final = Scorer.from_json(json.dumps(content))
        for threshold, by_set in curves.items():
            precision, f1 = _means(by_set)
            report["held-out mean by threshold (tgcontest: its judged pairs)"][str(threshold)] = (
                f"P {precision:.3f} / F1 {f1:.3f}")
            print(f"held-out mean at {threshold}: P {precision:.3f} / F1 {f1:.3f}")
        # Each set again, held out, at the threshold shipped: the figures of the rule the shipped model follows (the
        # threshold is one number chosen on all the held-out curves, this set's among them)
        for name, stories in held_out.items():
            report[name]["at the shipped threshold"] = held_out_figures(
                sets[name], stories[final.threshold], pairs if name == TGCONTEST else None)
            print(f"{name} at {final.threshold}: {report[name]['at the shipped threshold']}")
        shipped = [report[name]["at the shipped threshold"] for name in held_out]
        report["mean at the shipped threshold"] = {
            what: round(sum(figures[what] for figures in shipped) / len(shipped), 4) for what in ("precision", "f1")}
        print(f"held out at the shipped threshold: {report['mean at the shipped threshold']}")
    print(f"fitted on all: {len(final.trees)} trees, threshold {final.threshold}"
          + (" (chosen on the held-out sets)" if curves else " (chosen on the sets fitted on)"))
    if args.write:
        text = json.dumps(content, indent=1) + "\n"
        (ROOT / "monitor" / "data" / MODEL_FILE).write_text(text, encoding="utf-8")
        print(f"wrote monitor/data/{MODEL_FILE}", file=sys.stderr)
    if report and not args.no_record:
        title = "pair scorer, leave one set out (BCubed on the held-out set)"
        results.record(title + (", without the concept lexicon" if args.no_concepts else "")
                       + (", without the rules' features" if args.no_rules_features else "")
                       + (f", words read by {args.stemmer}" if args.stemmer != "ours" else ""), dict(report),
                       ran_at=ran_at)


if __name__ == "__main__":
    main()
