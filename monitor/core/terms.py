"""Terms for matching reports: word forms, scripts and languages folded together (Пригожина, Prigozhin and
Prigozhyn meet; the lexicon's concepts join эвакуация, евакуація and evacuation), stop words left out,
names told by case, and a report's language guessed from its letters."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from importlib.resources import files
from itertools import compress, islice, repeat
from operator import itemgetter
from typing import cast

# Cyrillic (ru, uk) → a Latin skeleton; Latin transliterations are folded to the same skeleton below,
# so Пригожин, Пригожина, Prigozhin and Prigozhyn meet.
_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e", "ж": "z",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c", "ш": "s",
    "щ": "s", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "u", "я": "a", "ʼ": "",
})
_LATIN_FOLDS = (("shch", "s"), ("sch", "s"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("tz", "c"), ("ch", "c"),
                ("sh", "s"), ("ya", "a"), ("yu", "u"), ("ye", "e"), ("yo", "o"), ("ia", "a"), ("iu", "u"),
                ("ph", "f"), ("w", "v"), ("y", "i"), ("j", "i"), ("x", "ks"), ("q", "k"))
# A Latin c that sounds k (before a, o, u or a consonant but h and z: Crimea, Moscow, Macron, Alcaraz) is read as k,
# as its Cyrillic spelling writes it (Крым, Москва, Макрон); before e, i, y it sounds s or ts, and ch, cz and a word's
# last c (Djokovic) are ч or ц, which the skeleton writes c
_HARD_C = re.compile(r"c(?=c*[abdfgj-xà-æò-öø-üāăąōŏőūŭůűų])")  # (Accra; not Gucci; Cádiz as Cadiz)
_DOUBLE = re.compile(r"(.)\1+")
_DOUBLED = re.compile(r"(.)\1")  # finds a doubled letter sooner than _DOUBLE, which looks for the whole run
WORDS = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits: a word in any script
STEM_CHARS = 6  # word forms share their first letters: Пригожина/Пригожину → prigoz


# Words each cache of word forms keeps: news repeats its vocabulary (the words in use now come back at once), and
# a cache as large as a busy day's vocabulary held more memory than the stories it serves
WORD_CACHE = 50_000


@lru_cache(maxsize=8192)  # behind the watches' own cache (the readings fold with _skeleton, behind their memo)
def skeleton(word: str) -> str:
    """A script-independent spelling of a word: Пригожин, Prigozhin and Prigozhyn all give `prigozin`;
    Latin letters lose their accents (Erdoğan, Türkiye, Sánchez are spelled without them too)."""
    return _skeleton(word.casefold())


# Whether any of the folds applies: most words have none of them, and one search costs less than twenty replaces
_FOLDABLE = re.compile("|".join(latin for latin, _ in _LATIN_FOLDS))
_FIRST_LETTER = itemgetter(1)  # a doubled letter's match → the letter, in C (a template r"\1" is run in Python)


def _skeleton(lowered: str) -> str:
    """`skeleton` of a casefolded word (the readings casefold each word once; casefolding again changes nothing)."""
    text = _HARD_C.sub("k", lowered) if "c" in lowered else lowered
    if not text.isascii():  # the Cyrillic letters and the accents are not in ASCII words
        text = text.translate(_CYRILLIC)
        if not text.isascii():
            text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if _FOLDABLE.search(text):
        for latin, folded in _LATIN_FOLDS:  # in turn: a fold may make the next one's letters ("tsh" → "ch" → "c")
            text = text.replace(latin, folded)
    return _DOUBLE.sub(_FIRST_LETTER, text) if _DOUBLED.search(text) else text


class Endings(tuple):
    """Inflection endings, longest first: a tuple, so `word.endswith(endings)` tests them all in one call."""

    by_length: tuple[tuple[int, frozenset[str]], ...]  # the endings of each length, the longest first

    def __new__(cls, *endings: str) -> Endings:
        self = super().__new__(cls, sorted(endings, key=len, reverse=True))
        self.by_length = tuple((length, frozenset(e for e in endings if len(e) == length))
                               for length in sorted(set(map(len, endings)), reverse=True))
        return self


# Inflection endings dropped before cutting, so short words keep their forms together (суда/суду →
# sud, бойцы/бойцов → boic) and names meet whatever the script (Одесса/Odesa → odes). Case endings are
# dropped from the skeleton, so a Latin spelling loses the same vowel its Cyrillic original does;
# English endings only from Latin words.
_SKELETON_ENDINGS = Endings("ami", "ogo", "ego", "omu", "emu", "imi", "ih", "ov", "ev", "ei", "am", "ah", "om", "em",
                            "oi", "ou", "ui", "ii", "ie", "a", "o", "e", "i", "u")
LATIN_ENDINGS = Endings("ings", "ing", "ies", "ied", "es", "ed", "s")
_MIN_STEM = 3


def drop_ending(word: str, endings: Endings) -> str:
    """The word without the longest of `endings` it has that leaves at least three letters."""
    if not word.endswith(endings):  # most words: one test in C
        return word
    for length, forms in endings.by_length:  # a word has one ending of each length: one lookup a length
        if word[-length:] in forms and len(word) - length >= _MIN_STEM:
            return word[:-length]
    return word


def stem(word: str) -> str:
    """A light, language-blind stem: the word's skeleton without its inflection ending, cut to
    STEM_CHARS letters."""
    return _stem(word.casefold())


def _stem(lowered: str) -> str:
    """`stem` of a casefolded word."""
    if lowered.isascii():
        lowered = drop_ending(lowered, LATIN_ENDINGS)
    return drop_ending(_skeleton(lowered), _SKELETON_ENDINGS)[:STEM_CHARS]


CONCEPT_MARK = "~"  # a concept's term starts with it ("~dam"); no word's term does


def _data(name: str) -> list[str]:
    """The lines of a word list shipped in monitor/data/, without blank lines and comments (#)."""
    text = (files("monitor") / "data" / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache  # built on first use: a command that reads no report (an all-304 pass, a digest) does not wait for it
def concepts() -> dict[tuple[bool, str], str]:
    """(Latin?, stem) → concept id ("~dam") for the words of the news lexicon, so a Russian, Ukrainian
    and English word for one thing become one term. Stems are looked up within their script (English
    "selling" and Russian "село" share a stem, not a meaning); where two concepts claim a stem, the
    one whose word is closest to the stem (the shortest) keeps it, and a tie leaves it unmapped."""
    claims: dict[tuple[bool, str], tuple[int, str]] = {}
    clashes: set[tuple[bool, str]] = set()
    for line in _data("concepts.tsv"):
        concept, *columns = line.split("\t")
        for column in columns:
            for entry in column.split(","):
                parts = WORDS.findall(entry.replace("ё", "е"))
                if not parts:
                    continue
                word = max(parts, key=len)
                key = (word.isascii(), stem(word))
                claim = (len(word), CONCEPT_MARK + concept)
                held = claims.get(key)
                if held is None or claim[0] < held[0]:
                    claims[key] = claim
                    clashes.discard(key)
                elif claim[0] == held[0] and claim[1] != held[1]:
                    clashes.add(key)
    return {key: concept for key, (_, concept) in claims.items() if key not in clashes}


STOP_WORDS = frozenset(word for line in _data("stopwords.txt") for word in line.split())


def terms(text: str) -> list[str]:
    """The matching terms of a text: words without stop words and one-letter tokens, stemmed and
    folded across scripts, news words mapped to their lexicon concept; numbers are kept whole
    (casualty counts and dates tell events apart)."""
    return terms_of(readings(WORDS.findall(text)))


def name_terms(text: str) -> set[str]:
    """The terms of a text's capitalised words that are not in the news lexicon: names of people,
    places and organisations (and a sentence's first word, which is harmless: it is usually shared
    by reports that share it)."""
    return name_terms_of(readings(WORDS.findall(text)))


def language(text: str) -> str:
    """"en", "ru" or "uk" for a report in one of the languages monitor knows well, else ""."""
    return language_of(readings(WORDS.findall(text)))


def may_name(term: str) -> bool:
    """Whether a (non-empty) term may be someone's or somewhere's: not one of the lexicon's concepts, not a number."""
    return term[0] != CONCEPT_MARK and not term.isdigit()


def name_key(term: str) -> str:
    """What a name is known by in another text: its first three consonants, h as g. Spellings of one name
    differ in their vowels (Kiev and Kyiv, Lvov and Lviv, Lugansk and Luhansk), and the light stemmer cuts
    some forms of a name differently (Китаем → kita, Китая → kit)."""
    # a replace a vowel: six passes in C take less than one translate, which looks each letter up in Python's dict
    return term.replace("a", "").replace("e", "").replace("i", "").replace("o", "").replace("u", "").replace(
        "y", "").replace("h", "g")[:3]


# The clusterer splits a report's beginning once and reads its terms, names and language from the
# same words: each word's reading (its term, its term as a name, its letters by script, the term's name key) is
# looked up once, cached (news repeats its vocabulary), instead of a pass of regular expressions for each.
Reading = tuple[str, str, int, str | None]


class Memo(dict):
    """A function's results by argument, for the clusterer's innermost loops: a plain dict, so a hit is one
    lookup in C (`map(memo.__getitem__, words)`), where a bounded lru_cache also moves the hit to the front
    of its list (half again as long, on the synthetic stream). Emptied when full, so its memory is bounded:
    news repeats its vocabulary, and the words in use come back at once."""

    def __init__(self, function: Callable, size: int = WORD_CACHE) -> None:
        super().__init__()
        self.function = function
        self.size = size

    def __missing__(self, key):
        if len(self) >= self.size:  # the older half goes: words still in use come back, the rest stay gone
            for old in list(islice(self, self.size // 2)):
                del self[old]
        value = self[key] = self.function(key)
        return value


def readings(words: Sequence[str]) -> list[Reading]:
    """The readings of words split by WORDS, as written (case tells names)."""
    return list(map(_READINGS.__getitem__, words))


# (the fields of readings taken in C: these run on every word of every report)
_TERM, _NAME, _LETTERS, _KEY = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(3)


def terms_of(read: Sequence[Reading]) -> list[str]:
    return list(filter(None, map(_TERM, read)))


def name_terms_of(read: Sequence[Reading]) -> set[str]:
    names = set(map(_NAME, read))
    names.discard("")
    return names


def name_keys_of(read: Sequence[Reading], named: bool = False) -> set[str]:
    """The `name_key`s of the terms that may be names: not the lexicon's concepts, not numbers (no name is either);
    `named`: of its names only (`name_terms_of`)."""
    # in C; a key may be "" (a term of vowels only), so not filter(None, ...)
    keys = set(compress(map(_KEY, read), map(_NAME, read)) if named else map(_KEY, read))
    keys.discard(None)
    return cast(set[str], keys)


def language_of(read: Sequence[Reading]) -> str:
    packed = sum(map(_LETTERS, read))
    cyrillic, latin, ukrainian, russian, english = ((packed // _FIELD ** n) % _FIELD for n in range(5))
    if cyrillic > latin:
        return "uk" if ukrainian > russian else "ru"
    if latin and english:
        return "en"
    return ""


def _reading(word: str) -> Reading:
    # Each word of each report comes here the first time the memo sees it (a busy day's vocabulary is larger than
    # the memo): the word is casefolded once, and its term found here rather than through `stem` and its cache.
    lowered = word.casefold()
    folded = lowered.replace("ё", "е")
    if folded in STOP_WORDS or len(folded) < 2:
        term = ""
    elif folded.isdigit():
        term = folded
    else:
        stemmed = _stem(folded)
        term = concepts().get((folded.isascii(), stemmed), stemmed)
    # one string for each term, however many words fold to it: stories and the window hold each term many times
    term = sys.intern(term)
    name = term if word[0].isupper() and term[:1] != CONCEPT_MARK else ""
    # the key a name is known by, for any term that may be one (`name_keys_of`); one string for each key
    key = sys.intern(name_key(term)) if term and may_name(term) else None
    letters = _script_letters(lowered)
    # one number for each count of letters, however many words have it: most of the memo's words share one of a few
    # hundred, and each number of five fields is a large integer of its own (2 MB of the memo when full)
    return term, name, _LETTER_COUNTS.setdefault(letters, letters), key


_READINGS = Memo(_reading)
_LETTER_COUNTS: dict[int, int] = {}


_ENGLISH_MARKERS = frozenset(("the", "and", "of", "to", "in", "is", "was", "for", "on", "with", "that", "by",
                              "from", "at", "as", "has", "have", "are"))
_FIELD = 1 << 40  # more letters than any text has
_ENGLISH_MARK = _FIELD ** 4  # the fifth field: common English words
# The letters each field of _script_letters counts: Cyrillic, Latin, Ukrainian-only, Russian-only
_SCRIPTS = ("абвгдежзийклмнопрстуфхцчшщъыьэюяёіїєґ", "abcdefghijklmnopqrstuvwxyz", "іїєґ", "ыэъё")
# each letter's counts, packed: a word's are the sum of its letters'
_LETTER_FIELDS = {letter: sum(_FIELD ** n for n, letters in enumerate(_SCRIPTS) if letter in letters)
                  for letter in _SCRIPTS[0] + _SCRIPTS[1]}


def _script_letters(lowered: str) -> int:
    """A word's Cyrillic, Latin, Ukrainian-only and Russian-only letters, and 1 if it is a common English
    word, packed into one number (field by field, each below _FIELD): a text's counts are then one sum."""
    if lowered.isascii():  # most words: Latin letters and digits only
        latin = len(lowered) if lowered.isalpha() else sum(map(str.isalpha, lowered))
        return latin * _FIELD + _ENGLISH_MARK if lowered in _ENGLISH_MARKERS else latin * _FIELD
    return sum(map(_LETTER_FIELDS.get, lowered, repeat(0)))  # (no English marker is written in other letters)
