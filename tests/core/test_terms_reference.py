"""Word readings are the same as the plain implementation's below, word form by word form: the fast paths in
monitor/core/terms.py (one casefold, folds and doubled letters looked for before they are replaced, endings found by
length, letters counted by table) must not change a term, a name, a stem or a language. The reference is
monitor/core/terms.py as it was before those fast paths; a change meant to read words differently changes it too."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib.resources import files
from itertools import product
from pathlib import Path

from benchmarks import newsday
from monitor.core import query, terms

# -- the reference ------------------------------------------------------------------------------------------------

_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e", "ж": "z",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c", "ш": "s",
    "щ": "s", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "u", "я": "a", "ʼ": "",
})
_LATIN_FOLDS = (("shch", "s"), ("sch", "s"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("tz", "c"), ("ch", "c"),
                ("sh", "s"), ("ya", "a"), ("yu", "u"), ("ye", "e"), ("yo", "o"), ("ia", "a"), ("iu", "u"),
                ("ph", "f"), ("w", "v"), ("y", "i"), ("j", "i"), ("x", "ks"), ("q", "k"))
_DOUBLE = re.compile(r"(.)\1+")
_SKELETON_ENDINGS = ("ami", "ogo", "ego", "omu", "emu", "imi", "ih", "ov", "ev", "ei", "am", "ah", "om", "em", "oi",
                     "ou", "ui", "ii", "ie", "a", "o", "e", "i", "u")
_LATIN_ENDINGS = ("ings", "ing", "ies", "ied", "es", "ed", "s")
_VOWEL_ENDINGS = ("ami", "ogo", "ego", "omu", "emu", "imi", "ii", "ie", "ei", "oi", "ui", "ou", "a", "o", "e", "i", "u")
_CYRILLIC_LETTERS = re.compile(r"[а-яёіїєґ]+")
_LATIN_LETTERS = re.compile(r"[a-z]+")
_UKRAINIAN_ONLY = re.compile(r"[іїєґ]+")
_RUSSIAN_ONLY = re.compile(r"[ыэъё]+")
_ENGLISH_MARKERS = frozenset(("the", "and", "of", "to", "in", "is", "was", "for", "on", "with", "that", "by",
                              "from", "at", "as", "has", "have", "are"))
_FIELD = 1 << 40


def skeleton(word: str) -> str:
    hard_c = "c(?=c*[abdfgjklmnopqrstuvwxàáâãäåæòóôõöøùúûüāăąōŏőūŭůűų])"  # before a, o, u, a consonant (not h, z)
    text = re.sub(hard_c, "k", word.casefold()).translate(_CYRILLIC)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for latin, folded in _LATIN_FOLDS:
        text = text.replace(latin, folded)
    return _DOUBLE.sub(r"\1", text)


def drop_ending(word: str, endings: tuple[str, ...]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def stem(word: str) -> str:
    word = word.casefold()
    if word.isascii():
        word = drop_ending(word, _LATIN_ENDINGS)
    return drop_ending(skeleton(word), _SKELETON_ENDINGS)[:6]


def word_root(word: str) -> str:
    word = word.casefold().replace("ё", "е")
    if word.isascii():
        word = drop_ending(word, _LATIN_ENDINGS)
    return drop_ending(skeleton(word), _VOWEL_ENDINGS)


def _data(name: str) -> list[str]:
    text = (files("monitor") / "data" / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def concepts() -> dict[tuple[bool, str], str]:
    claims: dict[tuple[bool, str], tuple[int, str]] = {}
    clashes: set[tuple[bool, str]] = set()
    for line in _data("concepts.tsv"):
        concept, *columns = line.split("\t")
        for column in columns:
            for entry in column.split(","):
                parts = terms.WORDS.findall(entry.replace("ё", "е"))
                if not parts:
                    continue
                word = max(parts, key=len)
                key = (word.isascii(), stem(word))
                claim = (len(word), "~" + concept)
                held = claims.get(key)
                if held is None or claim[0] < held[0]:
                    claims[key] = claim
                    clashes.discard(key)
                elif claim[0] == held[0] and claim[1] != held[1]:
                    clashes.add(key)
    return {key: concept for key, (_, concept) in claims.items() if key not in clashes}


STOP_WORDS = frozenset(word for line in _data("stopwords.txt") for word in line.split())


def term(word: str) -> str:
    if word in STOP_WORDS or len(word) < 2:
        return ""
    if word.isdigit():
        return word
    key = stem(word)
    return concepts().get((word.isascii(), key), key)


def script_letters(lowered: str) -> int:
    counts = [sum(map(len, pattern.findall(lowered)))
              for pattern in (_CYRILLIC_LETTERS, _LATIN_LETTERS, _UKRAINIAN_ONLY, _RUSSIAN_ONLY)]
    return sum(count * _FIELD ** n for n, count in enumerate([*counts, lowered in _ENGLISH_MARKERS]))


def name_key(found: str) -> str | None:
    if not found or found.startswith("~") or found.isdigit():
        return None
    return re.sub("[aeiouy]", "", found).replace("h", "g")[:3]


def reading(word: str) -> tuple[str, str, int, str | None]:
    lowered = word.casefold()
    found = term(lowered.replace("ё", "е"))
    return found, found if word[0].isupper() and found[:1] != "~" else "", script_letters(lowered), name_key(found)


def language(text: str) -> str:
    packed = sum(reading(word)[2] for word in terms.WORDS.findall(text))
    cyrillic, latin, ukrainian, russian, english = ((packed // _FIELD ** n) % _FIELD for n in range(5))
    if cyrillic > latin:
        return "uk" if ukrainian > russian else "ru"
    return "en" if latin and english else ""


# -- the sample -----------------------------------------------------------------------------------------------------

DATA = Path(__file__).resolve().parent.parent / "data"
TRICKY = """Пригожин Пригожина Prigozhin Prigozhyn Зеленський Зеленский Zelenskyy Вʼячеслав обʼєкт обʼєктів пʼять
Їжак їжаків Єгипет єдність Ґанок ґудзик ЁЛКА ёжик Ёлкин всё ещё Erdoğan Türkiye Sánchez Ødegaard Łódź Dvořák
naïve façade ß Straße ﬁnal K ſ İstanbul ΣΊΣΥΦΟΣ Ελλάδα ² ٣٤ ＡＢＣ １２ ʼ tsh tshch shch shchuka Khrushchev
Shchukin Tskhinvali Kharkiv Kherson zhukov Zaporizhzhia Mariupol Tzar yoyo yaya iuia Phillip Xerxes Quixote
jujitsu schnapps cheetah aaa aaaa bookkeeper committee Mississippi Оттава ссора 2024 1945th 60 000 3G 4x4 COVID19
a A I x Я я в В и И і ua UN Ua Un The THE the And OF aB Київ Kyiv Києва Росія Россия Москва Moskva ПВО pvo
McDonald O Brien Abu ibn al Assad Hezbollah Хезболла Хізбалла Гамас ХАМАС Hamas Netanyahu Нетаньяху
ings ing ies ied es ed s sings things ami ogo ego omu emu imi ih ov ev ei am ah om em oi ou ui ii ie
bidding ladies studied classes parked mamami dogogo kiev кийевов Ивано Франковск Ivano Frankivsk
а б ж ш щ ъ ь ы э ю ёё її єє ґґ ІІ"""


def sample_words() -> list[str]:
    """Word forms of a generated news day, of the labelled sets, hand-picked tricky ones, every letter of the
    Latin, Greek and Cyrillic blocks, and every short chain of the letters the folds and endings read."""
    texts = [r[field] for r in newsday.reports(7, 150, 10) for field in ("title", "text")]
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            report = json.loads(line)
            texts += [report.get("title", ""), report.get("text", "")]
    words = {word for text in texts for word in terms.WORDS.findall(text)}
    words |= set(TRICKY.split()) | STOP_WORDS | {word.capitalize() for word in STOP_WORDS}
    letters = [chr(code) for code in range(0x41, 0x530) if chr(code).isalnum()]
    words |= {form for letter in letters for form in (letter, letter + letter, "ab" + letter, letter + "ami")}
    words |= {"".join(chain) for n in (1, 2, 3) for chain in product("tschkzyaieuophwjxq", repeat=n)}
    words |= {"pr" + "".join(chain) for chain in product("schtkz", repeat=4)}
    return sorted(words)


def test_every_word_form_is_read_as_the_reference_reads_it():
    differ = [(word, terms._reading(word), reading(word)) for word in sample_words()
              if terms._reading(word) != reading(word) or terms.stem(word) != stem(word)
              or terms.skeleton(word) != skeleton(word) or query.word_root(word) != word_root(word)]
    assert not differ, differ[:20]


def test_texts_have_the_reference_terms_names_and_language():
    texts = [r[field] for r in newsday.reports(11, 50, 5) for field in ("title", "text")]
    texts += [line for line in TRICKY.splitlines()]
    for text in texts:
        read = [reading(word) for word in terms.WORDS.findall(text)]
        assert terms.terms(text) == [found for found, *_ in read if found], text
        assert terms.name_terms(text) == {name for _, name, *_ in read if name}, text
        keys = {key for *_, key in read if key is not None}
        assert terms.name_keys_of(terms.readings(terms.WORDS.findall(text))) == keys, text
        assert terms.language(text) == language(text), text
