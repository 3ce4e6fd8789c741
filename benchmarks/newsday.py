"""A seeded 48-hour news day for benchmarks: labelled reports and the RSS 2.0 feeds that carry them.

Many stories, each reported by 1-8 sources: a source keeps some of the story's facts (names, key words, figures),
shuffles them, uses synonyms, and adds its own filler and the everyday words every report has ("officials",
"said"; "заявил", "уряд"). Words are pseudo-words with Zipf frequencies (Russian and Ukrainian ones with case
endings); names have Zipf popularity, so popular names recur across stories; a topic's stories share its words;
some stories are the next event about an earlier one's people. A fifth of the sources write Russian or Ukrainian;
some stories are reported across languages, names transliterated. Every source has exactly `per_feed` reports.
Standard library only; a seed gives the same bytes every run. benchmarks/clustering.py and benchmarks/polling.py
take their streams from here; written out, the JSON Lines suit `monitor eval-clusters`:

    python benchmarks/newsday.py --seed 1 --feeds 1000 --per-feed 50 --out DIR   # DIR/newsday.jsonl, DIR/feeds/
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

START = datetime(2024, 5, 14, tzinfo=UTC)
LANGS, LANG_SHARE = ("en", "ru", "uk"), (0.8, 0.1, 0.1)  # the sources' languages
SIZE_WEIGHTS = (30, 20, 14, 11, 9, 7, 5, 4)  # how many sources report a story: 1..8
CROSS_LANGUAGE = 0.15  # stories of several sources whose sources may write in any language
SEQUEL = 0.12  # stories that are the next event about an earlier story's people and words
WIRE_COPY = 0.3  # reports that rewrite the story's first report in their language (the wire copy)
SYNONYM = 0.35  # a source's chance to say a story's key word with a synonym
KEEP_FACT = 0.8  # a source's chance to keep each of a story's facts
DELAY_MEAN_S, DELAY_MAX_S = 80 * 60, 8 * 3600  # a report after its story's first
TOPIC_WORDS = 250

EVERYDAY = dict(zip(LANGS, map(str.split, (  # words every report has, the most frequent first
    """officials said government talks minister president police country state report according statement
week year day people percent million billion city region capital security forces military troops war peace
deal agreement plan meeting leaders party election vote parliament court law policy economy market prices bank
budget tax energy oil gas power water health hospital school children workers company industry trade exports
sanctions aid support crisis emergency attack fire killed injured dead victims residents local national foreign
public news media spokesman announced confirmed denied warned called urged added told asked expected continued
began held made took sent came left including several authorities sources agency service office director chief
head board committee council commission senior former first last second next major key top general central""",
    """заявил правительство переговоры министр президент полиция страны власти сообщает представители
глава области города жителей году неделе день время процентов миллионов миллиардов безопасности армии войска
война мира соглашение встреча лидеры партии выборы голосование парламент суд закон политика экономики рынке
цены банк бюджета налогов энергетики нефти газа воды здравоохранения больницы школы детей рабочих компании
промышленности торговли экспорта санкций помощи поддержки кризиса чрезвычайной атаки пожара погибли ранены
жертв местные национальной иностранных общества новости ведомства пресс-службе объявил подтвердил опроверг
предупредил призвал добавил рассказал ожидается продолжает начал провел направил включая несколько источники
агентство службы директор руководитель совета комиссии бывший первый последний второй следующий главный""",
    """заявив уряд переговори міністр президент поліція країни влада повідомляє представники голова області
міста мешканців році тижні день час відсотків мільйонів мільярдів безпеки армії війська війна миру угода
зустріч лідери партії вибори голосування парламент суд закон політика економіки ринку ціни банк бюджету
податків енергетики нафти газу води охорони здоров'я лікарні школи дітей працівників компанії промисловості
торгівлі експорту санкцій допомоги підтримки кризи надзвичайної атаки пожежі загинули поранені жертв місцеві
національної іноземних суспільства новини відомства пресслужбі оголосив підтвердив спростував попередив
закликав додав розповів очікується продовжує почав провів надіслав зокрема кілька джерела агентство служби
директор керівник ради комісії колишній перший останній другий наступний головний центральний регіональний
""")), strict=True))
FUNCTION = dict(zip(LANGS, map(str.split, ("the of in to and a on for with at by from as after over the of in to a",
                                            "в на и с по о к за из от до после что в на и",
                                            "в у на і з по про до за від після та що на і")), strict=True))
SHAPES = {lang: tuple(map(str.split, parts)) for lang, parts in {  # onsets, vowels, codas, suffixes, endings
    "en": ("b c d f g h k l m n p r s t v w br cr dr fr gr pr tr bl cl fl pl sl st sp sh ch th",
           "a e i o u a e i o ea ee ou oo ai", "- - - n r s t l m nd nt st rt ck ng ll",
           "- - - - er ion ment al ity ive ance", "- - - - - - - - - - s s ed ing"),
    "ru": ("б в г д ж з к л м н п р с т ф х ц ч ш бр вр гр др кр пр тр ст сл см зв сп",
           "а о у е и я ы ю а о е", "- - н р с т л м к в ст нт рт",
           "- - - ник ост ств ен ов", "- а у ом е ы ов ами ах ой ого ую"),
    "uk": ("б в г ґ д ж з к л м н п р с т ф х ц ч ш бр гр др кр пр тр ст сл зв сп",
           "а о у е и і ї є я ю а о і", "- - н р с т л м к в ст нт рт",
           "- - - ник ост ств ен ов", "- а у ом і и ів ами ах ою ові ого"),
}.items()}
RU_TO_UK = str.maketrans({"и": "і", "ы": "и", "э": "е"})  # a Ukrainian cognate of a Russian word
NAME_SOUNDS = tuple(map(str.split, ("b d g k l m n p r s t v z sh ch kh zh ts br dr gr kr pr st tr sl", "a e i o u a o",
                                    "- - n r l s k v m", "- - - - ov ev enko in ski er son ez ani esku uk ich")))
TRANSLIT = [("sh", "ш"), ("ch", "ч"), ("kh", "х"), ("zh", "ж"), ("ts", "ц")] + list(zip(
    "abdegiklmnoprstuvz", "абдегиклмнопрстувз", strict=True))
NAME_ENDINGS = {"ru": ("а", "у", "ом", "е"), "uk": ("а", "у", "ом", "і")}  # after a consonant
ORGS = dict(zip(LANGS, map(str.split, ("Party Bank Group Council Fund Union Corporation Agency Institute",
                                       "партия банк группа совет фонд союз корпорация агентство институт",
                                       "партія банк група рада фонд союз корпорація агентство інститут")), strict=True))
SIGNATURES = {"en": "Read more news from {} on our website.", "ru": "Подписывайтесь на {}, чтобы быть в курсе.",
              "uk": "Підписуйтесь на {}, щоб бути в курсі."}


def mix(*parts: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): a word's or a name's letters from its number."""
    h = 0x9E3779B97F4A7C15
    for part in parts:
        h = (h ^ part) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h = (h ^ h >> 31) * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
    return h ^ h >> 29


def zipf(u: float, n: int, s: float = 1.0, shift: float = 2.7) -> int:
    """The rank 0..n-1 at quantile u of Zipf-Mandelbrot weights 1 / (rank + shift) ** s (continuous inverse)."""
    if s == 1:
        return min(n - 1, int(shift * ((n + shift) / shift) ** u - shift))
    a = 1 - s
    return min(n - 1, int((u * ((n + shift) ** a - shift ** a) + shift ** a) ** (1 / a) - shift))


def pick(rnd, seq):
    return seq[int(rnd() * len(seq))]


def pseudo_word(h: int, shape: tuple, syllables: int) -> str:
    onsets, vowels, codas, suffixes = shape[:4]
    out = []
    for _ in range(syllables):
        h, i = divmod(h, len(onsets))
        h, j = divmod(h, len(vowels))
        out.append(onsets[i] + vowels[j])
    h, i = divmod(h, len(codas))
    return ("".join(out) + codas[i] + suffixes[h % len(suffixes)]).replace("-", "")


def transliterate(latin: str, lang: str) -> str:
    out = latin.lower()
    for a, b in TRANSLIT:
        out = out.replace(a, b)
    out = out.replace("и", "і") if lang == "uk" else out
    return out[:1].upper() + out[1:]


class Day:
    """The world (words, names, topics, sources) and the sources' writing. The pools grow with the stream and
    the heads of the key words' and names' popularity flatten, so that a story meets about as many look-alikes
    among 100,000 reports as among 2,000. A word or a name is made from its number when first used."""

    def __init__(self, seed: int, feeds: int, per_feed: int) -> None:
        self.rng = rng = random.Random(seed)
        self.rnd, self.seed, self.scale = rng.random, seed, max(1.0, feeds * per_feed / 2000)
        self.made: dict[tuple[str, int], str] = {}  # words and names made so far, by language and number
        self.named: dict[tuple[str, int], list[str]] = {}
        self.topic_words: dict[int, list[int]] = {}
        self.words, self.names, self.topics = (int(n * self.scale) for n in (4000, 20_000, 80))
        self.vocabulary = int(20_000 * self.scale ** 0.5)  # of filler: types grow as the root of the text (Heaps)
        self.endings = {lang: [e.replace("-", "") for e in shape[4]] for lang, shape in SHAPES.items()}
        shares = list(itertools.accumulate(LANG_SHARE))
        self.sources = [{"lang": LANGS[bisect.bisect(shares, (f + 0.5) / feeds)], "id": f,
                         "host": f"outlet{f}.example.org", "title_case": rng.random() < 0.3,
                         "signature": rng.random() < 0.25,
                         "filler": [zipf(rng.random(), self.vocabulary) for _ in range(40)]} for f in range(feeds)]

    def key_word(self, u: float) -> int:
        return zipf(u, self.words, 1.0, 200 * self.scale)

    def topic(self, t: int) -> list[int]:
        if t not in self.topic_words:
            rnd = random.Random(mix(self.seed, 7, t)).random
            self.topic_words[t] = [self.key_word(rnd()) for _ in range(TOPIC_WORDS)]
        return self.topic_words[t]

    def form(self, lang: str, concept: int) -> str:
        """A word in a language; frequent words are short; half the Ukrainian ones are Russian cognates."""
        found = self.made.get((lang, concept))
        if found is None:
            if lang == "uk" and concept % 2:
                found = self.form("ru", concept).translate(RU_TO_UK)
            else:
                found = pseudo_word(mix(self.seed, LANGS.index(lang), concept), SHAPES[lang],
                                    1 + (concept > 300) + (concept % 3 == 0))
            self.made[lang, concept] = found
        return found

    def name_words(self, n: int, lang: str) -> list[str]:
        """A person (given name and surname), a place, or an organisation, in a language's script."""
        found = self.named.get((lang, n))
        if found is None:
            h = mix(self.seed, 3, n)
            latin = [pseudo_word(h, NAME_SOUNDS, 2 + h % 2).capitalize()]
            if n % 3 == 0:
                given = zipf((h >> 11) / 2 ** 53, int(1000 * self.scale), 0.7, 20)
                latin.insert(0, pseudo_word(mix(self.seed, 4, given), NAME_SOUNDS, 1 + given % 2).capitalize())
            found = latin if lang == "en" else [transliterate(w, lang) for w in latin]
            if n % 3 == 2:
                found.append(ORGS[lang][n % len(ORGS[lang])])
            self.named[lang, n] = found
        return found

    def plan(self, feeds: int, per_feed: int, span_s: float) -> list[dict]:
        """Stories by start: facts and (source, delay) pairs, every source given exactly per_feed reports."""
        rng, rnd, capacity, left = self.rng, self.rnd, [per_feed] * feeds, feeds * per_feed
        stories: list[dict] = []
        open_sources = {lang: [s["id"] for s in self.sources if s["lang"] == lang] for lang in LANGS}
        while left:
            size = rng.choices(range(1, 9), SIZE_WEIGHTS)[0]
            langs = [lang for lang in LANGS if open_sources[lang]]
            lang = rng.choices(langs, [len(open_sources[g]) for g in langs])[0]
            cross, chosen = size > 1 and rnd() < CROSS_LANGUAGE, list[int]()
            for _ in range(min(size, left)):
                pool = open_sources[pick(rnd, langs) if cross and chosen else lang]
                source = pick(rnd, ([s for s in pool if s not in chosen] if len(pool) <= 16 else pool) or [None])
                if source is None or source in chosen:
                    continue
                chosen.append(source)
                capacity[source] -= 1
                left -= 1
                if not capacity[source]:
                    pool.remove(source)
            while True:  # more stories break by day than by night
                start = rnd() * span_s
                if rnd() < 0.35 + 0.65 * math.sin(math.pi * ((start / 3600 - 5) % 24) / 24) ** 2:
                    break
            earlier = pick(rnd, stories) if stories and rnd() < SEQUEL else None
            later = earlier["start"] + rng.uniform(3600, 30 * 3600) if earlier else span_s
            start, earlier = (later, earlier) if later < span_s else (start, None)
            topic = earlier["topic"] if earlier else int(rnd() * self.topics)
            words = [pick(rnd, self.topic(topic)) if rnd() < 0.5 else self.key_word(rnd())
                     for _ in range(rng.randint(6, 12))]
            names = [zipf(rnd(), self.names, 0.9, 10 * self.scale) for _ in range(rng.randint(2, 4))]
            if earlier:  # the next event about the same people: most names and half the words again
                names = earlier["names"][:3] + names[3:]
                words = earlier["words"][: len(words) // 2] + words[len(words) // 2:]
            numbers = [str(rng.randint(2, 60 if rnd() < 0.5 else 9000)) for _ in range(rng.randint(0, 2))]
            delays = [min(DELAY_MAX_S, rng.expovariate(1 / DELAY_MEAN_S)) for _ in chosen[1:]]
            delays = [0.0] + [d if start + d < span_s else (span_s - start) * rnd() for d in delays]  # within the day
            if chosen:
                stories.append({"topic": topic, "start": start, "names": names, "words": words, "numbers": numbers,
                                "sources": list(zip(chosen, delays, strict=True))})
        return sorted(stories, key=lambda s: s["start"])

    def word(self, concept: int, lang: str, synonyms: float = 0.0) -> str:
        if self.rnd() < synonyms:  # the word or one of up to two others of the vocabulary that say the same
            others = (mix(self.seed, 5, concept, k) % self.words for k in range(concept % 3))
            concept = pick(self.rnd, [concept, *others])
        return self.form(lang, concept) + pick(self.rnd, self.endings[lang])

    def name(self, n: int, lang: str) -> list[str]:
        words = list(self.name_words(n, lang))
        if lang != "en" and self.rnd() < 0.6 and words[-1][0].isupper() and words[-1][-1] not in "аеиоуія":
            words[-1] += pick(self.rnd, NAME_ENDINGS[lang])  # a case ending
        return words

    def filler(self, lang: str, source: dict) -> str:
        r = self.rnd()
        if r < 0.4:
            return EVERYDAY[lang][zipf(self.rnd(), len(EVERYDAY[lang]), 0.8)]
        if r < 0.75:
            return pick(self.rnd, FUNCTION[lang])
        return self.word(pick(self.rnd, source["filler"]) if r < 0.85 else zipf(self.rnd(), self.vocabulary), lang)

    def write(self, story: dict, source: dict, wire: tuple | None) -> tuple[list[str], list[list[str]]]:
        """A source's title words and body sentences for a story; `wire` is the story's first in its language."""
        rng, rnd, lang = self.rng, self.rnd, source["lang"]
        if wire and rnd() < WIRE_COPY:  # the wire copy with some words of its own
            def edit(words: list[str]) -> list[str]:
                return [self.filler(lang, source) if rnd() < 0.2 else w for w in words]
            return edit(wire[0]), [edit(s) for s in wire[1]]
        names = [n for n in story["names"] if rnd() < KEEP_FACT] or story["names"][:1]
        facts = [self.name(n, lang) for n in names]
        facts += [[self.word(w, lang, SYNONYM)] for w in story["words"] if rnd() < KEEP_FACT]
        facts += [[n] for n in story["numbers"] if rnd() < KEEP_FACT]
        rng.shuffle(facts)
        length = rng.randint(6, 12)
        title = [w for fact in facts[: rng.randint(2, 4)] for w in fact][:length]
        title += [self.filler(lang, source) for _ in range(length - len(title))]
        rng.shuffle(title)
        words = [w for fact in facts + rng.sample(facts, len(facts) // 3) for w in fact]  # a third said twice
        words += [self.filler(lang, source) for _ in range(rng.randint(30, 80) - len(words))]
        lead, rest = words[: len(facts) + 6], words[len(facts) + 6:]  # the facts come first
        rng.shuffle(lead)
        rng.shuffle(rest)
        words, body = lead + rest, []
        while words:
            n = rng.randint(7, 14)
            body.append(words[:n])
            words = words[n:]
        return title, body


def sentence(words: list[str], title_case: bool = False) -> str:
    text = " ".join(w[:1].upper() + w[1:] for w in words) if title_case else " ".join(words)
    return text[:1].upper() + text[1:]


def reports(seed: int, feeds: int, per_feed: int, hours: float = 48.0) -> list[dict]:
    """Every report of the day by publication: id, lang, published, source, title, text, cluster, url, source_id."""
    day, out = Day(seed, feeds, per_feed), []
    for number, story in enumerate(day.plan(feeds, per_feed, hours * 3600)):
        wires: dict[str, tuple] = {}
        for source_id, delay in story["sources"]:
            source = day.sources[source_id]
            lang = source["lang"]
            title, body = day.write(story, source, wires.get(lang))
            wires.setdefault(lang, (title, body))
            text = " ".join(sentence(s) + "." for s in body)
            if source["signature"]:
                text += "\n" + SIGNATURES[lang].format(f"Outlet {source_id}")
            out.append({"lang": lang, "published": START + timedelta(seconds=int(story["start"] + delay)),
                        "source": source["host"], "source_id": source_id, "text": text, "cluster": f"s{number}",
                        "title": sentence(title, source["title_case"] and lang == "en")})
    out.sort(key=lambda r: (r["published"], r["source_id"]))
    for n, report in enumerate(out):
        report["id"], report["url"] = f"r{n}", f"https://{report['source']}/{report['published']:%Y/%m/%d}/{n}"
    return out


def jsonl(items: list[dict]) -> bytes:
    keys = ("id", "lang", "published", "source", "title", "text", "cluster")
    return "".join(json.dumps({k: r[k].isoformat() if k == "published" else r[k] for k in keys}, ensure_ascii=False)
                   + "\n" for r in items).encode()


def rss(items: list[dict]) -> bytes:
    """One source's feed, newest first."""
    source, lang = items[-1]["source_id"], items[-1]["lang"]
    entries = "\n".join(
        f"<item><title>{escape(r['title'])}</title><link>{r['url']}</link><guid>{r['url']}</guid>"
        f"<description>{escape('<p>' + r['text'].replace(chr(10), '</p><p>') + '</p>')}</description>"
        f"<pubDate>{format_datetime(r['published'])}</pubDate></item>" for r in reversed(items))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>Outlet {source}</title><link>https://outlet{source}.example.org/</link>"
            f"<description>News from Outlet {source}</description><language>{lang}</language>"
            f"<lastBuildDate>{format_datetime(items[-1]['published'])}</lastBuildDate>\n{entries}</channel></rss>"
            ).encode()


def feeds(items: list[dict]) -> dict[str, bytes]:
    """RSS 2.0 bodies by path ("/feed/0", …), one for each source, of its reports."""
    by_source: dict[int, list[dict]] = {}
    for r in items:
        by_source.setdefault(r["source_id"], []).append(r)
    return {f"/feed/{s}": rss(rs) for s, rs in sorted(by_source.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--feeds", type=int, default=1000, help="sources, one feed each (default 1000)")
    parser.add_argument("--per-feed", type=int, default=50, help="reports per source (default 50)")
    parser.add_argument("--hours", type=float, default=48.0, help="hours the day spans (default 48)")
    parser.add_argument("--out", type=Path, required=True, help="folder for newsday.jsonl and feeds/")
    parser.add_argument("--no-feeds", action="store_true", help="write only the JSON Lines")
    args = parser.parse_args()
    items = reports(args.seed, args.feeds, args.per_feed, args.hours)
    (args.out / "feeds").mkdir(parents=True, exist_ok=True)
    (args.out / "newsday.jsonl").write_bytes(jsonl(items))
    for path, body in ({} if args.no_feeds else feeds(items)).items():
        (args.out / "feeds" / f"{path.rsplit('/', 1)[1]}.xml").write_bytes(body)
    print(f"{len(items)} reports of {len({r['cluster'] for r in items})} stories from {args.feeds} sources "
          f"written to {args.out}")


if __name__ == "__main__":
    main()
