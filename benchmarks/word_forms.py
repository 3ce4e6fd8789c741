"""Word forms from a library instead of monitor's light stemmer: what each costs, and what it does to matching.

monitor reads a word as a term by dropping an inflection ending, folding the word to one Latin skeleton (so
Пригожина, Prigozhin and Prigozhyn meet) and cutting it to six letters (monitor/core/terms.py). The well-kept
packages that read word forms for English, Russian and Ukrainian are weighed against it here on the words of
the labelled sets and of a realistic news day (benchmarks/newsday.py), each in a process of its own:

- microseconds a distinct word (the clusterer reads each distinct word once while it is in its cache, so the
  first pass over a busy day reads hundreds of thousands of them) and the memory the package takes loaded;
- how well the terms tell events apart on the labelled sets: for pairs of reports in one language, the mean
  share of title terms two reports of one event have in common, and two reports of different events
  published within 36 hours (higher is better for the first, lower for the second, and their gap).

The candidates, each read as monitor would (the skeleton and the six-letter cut after the library's form):
`ours`; `snowball` (PyStemmer: English for Latin words, Russian for Cyrillic, ours for Ukrainian words, which
Snowball has no stemmer for); `snowball-en` (PyStemmer's English for Latin words, ours for the rest);
`simplemma` (dictionary lemmas, en/ru/uk); `pymorphy3` (dictionary lemmas, ru/uk with pymorphy3-dicts-uk; ours
for Latin words). A package that is not installed is reported as such.
What each does to the clusterer's decisions end to end is `python benchmarks/train_scorer.py --stemmer NAME`.

    pip install PyStemmer simplemma pymorphy3 pymorphy3-dicts-uk   # the libraries compared (not dependencies)
    python benchmarks/word_forms.py
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import newsday, results  # noqa: E402
from monitor.core import terms  # noqa: E402

SETS = sorted((ROOT / "benchmarks" / "data").glob("*.jsonl")) + sorted((ROOT / "tests" / "data").glob("*.jsonl"))
UKRAINIAN = frozenset("іїєґ")
NEAR = timedelta(hours=36)
STEMMERS = ("ours", "snowball", "snowball-en", "simplemma", "pymorphy3")
OURS = terms._stem  # kept: `use` replaces the module's


def _finish(form: str) -> str:
    """A library's word form read as monitor reads its own: one skeleton without its vowel ending (so a Latin
    spelling meets the Cyrillic one: Odesa and Одесса), cut to six letters."""
    return terms.drop_ending(terms._skeleton(form.casefold()), terms._SKELETON_ENDINGS)[:terms.STEM_CHARS]


def stemmer(name: str) -> Callable[[str], str]:
    """The casefolded word → its term's stem, by `name` (ImportError where its package is not installed)."""
    ours = OURS
    if name == "ours":
        return ours
    if name in ("snowball", "snowball-en"):
        import Stemmer  # PyStemmer

        english, russian = Stemmer.Stemmer("english"), Stemmer.Stemmer("russian")

        def snowball(lowered: str) -> str:
            if lowered.isascii():
                return _finish(english.stemWord(lowered))
            if name == "snowball-en" or UKRAINIAN.intersection(lowered):
                return ours(lowered)
            return _finish(russian.stemWord(lowered))

        return snowball
    if name == "simplemma":
        import simplemma

        def lemma(lowered: str) -> str:
            lang = ("en",) if lowered.isascii() else ("uk",) if UKRAINIAN.intersection(lowered) else ("ru", "uk")
            return _finish(simplemma.lemmatize(lowered, lang=lang))

        return lemma
    if name == "pymorphy3":
        import pymorphy3

        russian_morph, ukrainian_morph = pymorphy3.MorphAnalyzer(lang="ru"), pymorphy3.MorphAnalyzer(lang="uk")

        def normal(lowered: str) -> str:
            if lowered.isascii():
                return ours(lowered)
            morph = ukrainian_morph if UKRAINIAN.intersection(lowered) else russian_morph
            return _finish(morph.parse(lowered)[0].normal_form)

        return normal
    raise ValueError(f"unknown stemmer {name!r}: one of {', '.join(STEMMERS)}")


def use(name: str) -> None:
    """Read words with the named stemmer from now on (before any word is read: readings are remembered), the
    concept lexicon keyed by the same stems."""
    terms._stem = stemmer(name)
    terms.concepts.cache_clear()
    terms._READINGS.clear()


def _reports() -> list[dict]:
    reports = []
    for path in SETS:
        with path.open(encoding="utf-8") as lines:
            reports.extend({**json.loads(line), "set": path.stem} for line in lines if line.strip())
    return reports


def _words(reports: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for report in reports:
        seen.update(dict.fromkeys(w.casefold() for w in terms.WORDS.findall(f"{report['title']} {report['text']}")))
    return [w for w in seen if not w.isdigit() and len(w) > 1]


def measure(name: str) -> dict:
    """In a process of its own: the named stemmer's load memory, speed and how its terms separate events."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        stem = stemmer(name)
        stem("проверка")  # dictionaries load on first use
    except ImportError as exc:
        return {"stemmer": name, "missing": str(exc)}
    loaded_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    labelled = _reports()
    day = newsday.reports(1, 200, 50)
    words = list(dict.fromkeys(_words(labelled) + _words(day)))  # (the two share some words)
    started = time.process_time()
    for word in words:
        stem(word)
    us_per_word = (time.process_time() - started) / len(words) * 1e6
    use(name)
    same, other = [], []
    for set_name in sorted({r["set"] for r in labelled}):
        chosen = [r for r in labelled if r["set"] == set_name and r["title"]]
        titles = {r["id"]: set(terms.terms(r["title"])) for r in chosen}
        for a, b in combinations(chosen, 2):
            if a["lang"] != b["lang"] or not titles[a["id"]] or not titles[b["id"]]:
                continue
            when_a, when_b = (datetime.fromisoformat(r["published"]) for r in (a, b))
            if abs(when_a - when_b) > NEAR:
                continue
            ta, tb = titles[a["id"]], titles[b["id"]]
            share = len(ta & tb) / min(len(ta), len(tb))
            (same if a["cluster"] == b["cluster"] else other).append(share)
    return {"stemmer": name, "words": len(words), "us_per_word": round(us_per_word, 2),
            "loaded_mb": round(loaded_mb, 1), "same_event": round(sum(same) / len(same), 3),
            "other_events": round(sum(other) / len(other), 3),
            "gap": round(sum(same) / len(same) - sum(other) / len(other), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stemmers", default=",".join(STEMMERS), help="comma-separated (default: all)")
    results.add_flag(parser)
    args = parser.parse_args()
    rows = []
    context = multiprocessing.get_context("spawn")  # each library loaded in a clean process: its memory alone
    for name in args.stemmers.split(","):
        with context.Pool(1) as pool:
            rows.append(pool.apply(measure, (name,)))
        print(rows[-1], flush=True)
    lines = ["stemmer | distinct words | µs a word | MB loaded | title terms shared, one event | other events | gap",
             "--- | --- | --- | --- | --- | --- | ---"]
    for row in rows:
        if "missing" in row:
            lines.append(f"{row['stemmer']} | not installed ({row['missing']}) | | | | |")
        else:
            lines.append(f"{row['stemmer']} | {row['words']:,} | {row['us_per_word']} | {row['loaded_mb']} | "
                         f"{row['same_event']} | {row['other_events']} | {row['gap']}")
    table = "\n".join(lines)
    print(table)
    if not args.no_record:
        results.record("word forms: monitor's stemmer against the libraries", table)


if __name__ == "__main__":
    main()
