"""Text helpers shared by every source: HTML → plain text, canonical URLs, item keys, fingerprints."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from operator import itemgetter
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.core.lexicon import LEXICON

# Elements whose content is never text a reader sees.
_SKIPPED = {"script", "style", "noscript", "template", "head", "svg"}
# Elements that end a line or a paragraph.
_BREAKS = {"br", "hr"}
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
    "table", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt", "dl",
}


class _TextCollector(HTMLParser):
    def __init__(self, keep_links: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.keep_links = keep_links
        self.links: list[tuple[str, int]] = []  # open <a>: href, index of its first part

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and self.keep_links:
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        if tag in _SKIPPED:
            self.skip_depth += 1
        elif tag in _BREAKS:
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href.startswith(("http://", "https://")) and label and not same_link(label, href):
                self.parts.append(f" ({href})")
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


# Text from a source is untrusted: a feed title can set the terminal's title or clipboard when printed,
# recolour the line, or reverse what follows it. Escape sequences go whole (removing only ESC would leave
# `]0;title`): CSI (ESC [ or the 8-bit CSI, parameters, final byte); OSC, DCS, SOS, PM and APC strings up
# to BEL or ST, else to the end of the line as a terminal would swallow them; two-character escapes.
_ESCAPES = re.compile(
    "(?:\x1b\\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    "|(?:\x1b[\\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x00-\x1f\x7f-\x9f]*(?:\x07|\x1b\\\\|\x9c)?"
    "|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# Other C0 and C1 controls, and the bidi embeddings, overrides and isolates that reorder a line
# (U+202A-U+202E, U+2066-U+2069). The marks U+200E/U+200F/U+061C stay: they only set the direction of the
# neutral characters next to them, cannot reorder letters, and right-to-left text needs them.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n", "\x0b": " ", "\x0c": " "})


def strip_controls(text: str) -> str:
    """Text from a source without what a terminal or a renderer would act on: escape sequences whole,
    other control characters, bidi overrides and isolates. Line breaks of any kind become "\\n"; tabs stay."""
    if not _SUSPECT.search(text):  # nearly every text: one scan in C
        return text
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def one_line(text: str) -> str:
    """Text from a source that must stay on one line (a title, a name, an author, an address):
    controls stripped, every run of whitespace, line breaks included, one space."""
    return " ".join(strip_controls(text).split())


_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def normalize_space(text: str) -> str:
    """Text from a source with its controls stripped (`strip_controls`), runs of spaces collapsed, line
    breaks and paragraph breaks (one blank line) kept."""
    lines = [_SPACES.sub(" ", line).strip() for line in strip_controls(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters on one line, cut at a word where one is near, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut).rstrip(" ,.;:-") + "…"


def title_from_text(text: str, limit: int) -> str:
    """A title for a report whose source gives none: its first line, shortened to `limit` characters."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return shorten(first, limit)


def same_link(label: str, href: str) -> bool:
    """Whether a link's text is its address written out ("example.org/a…"), so it needs no repeat."""
    bare = re.sub(r"^https?://(www\.)?", "", href).rstrip("/")
    shown = re.sub(r"^https?://(www\.)?", "", label).rstrip("/…").rstrip(".")
    return bool(shown) and bare.startswith(shown)


def html_to_text(markup: str, keep_links: bool = False) -> str:
    """Plain text of an HTML fragment: entities decoded, scripts dropped, paragraphs kept.

    With keep_links, a link's target follows its text: `here (https://…)`.
    """
    if not markup:
        return ""
    if "<" not in markup:
        return normalize_space(unescape(markup))
    collector = _TextCollector(keep_links)
    collector.feed(markup)
    collector.close()
    return normalize_space("".join(collector.parts))


# Query parameters that identify a campaign or a click, never the document.
_TRACKING_EXACT = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "twclid", "igshid", "igsh",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "spm", "cmpid", "ocid",
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "s_cid",
    "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "__twitter_impression",
    "_ga", "_gl", "oly_anon_id", "oly_enc_id", "vero_id", "wt_mc", "wt.mc_id", "xtor", "utm",
}
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters and fragment, otherwise as written (the link users see)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https"):
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def canonical_url(url: str) -> str:
    """The form of a URL used to recognise one document under its variants.

    Lower-case scheme and host, https for http, no `www.`, no default port, no fragment, no
    tracking parameters, the rest of the query sorted, no trailing slash. Not-URLs come back
    stripped but otherwise untouched.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    host = host.removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit(("https", host, path, urlencode(query), ""))


_WORDS = re.compile(r"\w+", re.UNICODE)
# Fewer words than this and two different reports could share them by chance ("Live updates").
_MIN_FINGERPRINT_WORDS = 8


def fingerprint(title: str, text: str) -> str:
    """A short hash of the words of title + text, or "" when there are too few words to be telling."""
    words = _WORDS.findall(f"{title}\n{text}".casefold())
    if len(words) < _MIN_FINGERPRINT_WORDS:
        return ""
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:20]


def item_key(guid: str | None, link: str | None, title: str, text: str) -> str:
    """A stable key for an item inside its source: guid, else canonical link, else hash of content."""
    if guid and guid.strip():
        return "guid:" + guid.strip()
    if link and link.strip():
        return "url:" + canonical_url(link)
    digest = hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()
    return "hash:" + digest


# Telegram usernames: 5-32 characters, a letter first, then letters, digits, underscores.
_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_CHANNEL_FORMS = re.compile(
    r"^(?:@|(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?)?(?P<name>[^/?#\s]+)/?(?:[?#].*)?$", re.IGNORECASE
)


def parse_channel_name(value: str) -> str | None:
    """The bare channel name from `name`, `@name`, `t.me/name` or `https://t.me/s/name`; None if it is none."""
    match = _CHANNEL_FORMS.match((value or "").strip())
    name = match.group("name") if match else ""
    return name if _CHANNEL.match(name) else None


def channel_url(channel: str) -> str:
    """A channel's public address, which the store keeps as the source's URL."""
    return f"https://t.me/{channel}"


def channel_of(url: str) -> str:
    """The channel name in an address made by channel_url."""
    return url.rstrip("/").rsplit("/", 1)[-1]


# -- terms for matching reports: word forms, scripts and languages folded together ----------------

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
_DOUBLE = re.compile(r"(.)\1+")
WORDS = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits: a word in any script
STEM_CHARS = 6  # word forms share their first letters: Пригожина/Пригожину → prigoz


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """A script-independent spelling of a word: Пригожин, Prigozhin and Prigozhyn all give `prigozin`;
    Latin letters lose their accents (Erdoğan, Türkiye, Sánchez are spelled without them too)."""
    text = word.casefold().translate(_CYRILLIC)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for latin, folded in _LATIN_FOLDS:
        text = text.replace(latin, folded)
    return _DOUBLE.sub(r"\1", text)


# Inflection endings dropped before cutting, so short words keep their forms together (суда/суду →
# sud, бойцы/бойцов → boic) and names meet whatever the script (Одесса/Odesa → odes). Case endings are
# dropped from the skeleton, so a Latin spelling loses the same vowel its Cyrillic original does;
# English endings only from Latin words.
_SKELETON_ENDINGS = ("ami", "ogo", "ego", "omu", "emu", "imi", "ih", "ov", "ev", "ei", "am", "ah", "om", "em", "oi",
                     "ou", "ui", "ii", "ie", "a", "o", "e", "i", "u")
LATIN_ENDINGS = ("ings", "ing", "ies", "ied", "es", "ed", "s")
_MIN_STEM = 3


def drop_ending(word: str, endings: tuple[str, ...]) -> str:
    """The word without the first of `endings` it has, if at least three letters remain."""
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=200_000)  # news vocabulary repeats; folding each word once is most of the saving
def stem(word: str) -> str:
    """A light, language-blind stem: the word's skeleton without its inflection ending, cut to
    STEM_CHARS letters."""
    word = word.casefold()
    if word.isascii():
        word = drop_ending(word, LATIN_ENDINGS)
    return drop_ending(skeleton(word), _SKELETON_ENDINGS)[:STEM_CHARS]


CONCEPT_MARK = "~"  # a concept's term starts with it ("~dam"); no word's term does


def _concepts() -> dict[tuple[bool, str], str]:
    """(Latin?, stem) → concept id ("~dam") for the words of the news lexicon, so a Russian, Ukrainian
    and English word for one thing become one term. Stems are looked up within their script (English
    "selling" and Russian "село" share a stem, not a meaning); where two concepts claim a stem, the
    one whose word is closest to the stem (the shortest) keeps it, and a tie leaves it unmapped."""
    claims: dict[tuple[bool, str], tuple[int, str]] = {}
    clashes: set[tuple[bool, str]] = set()
    for line in LEXICON.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
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


CONCEPTS = _concepts()


_STOP_WORDS_TEXT = """
a an the and or but if of to in on at by for from with as is are was were be been being it its this that these
those he she they we you i his her their our your not no yes do does did has have had will would can could may
might must shall should than then there here which who whom whose what when where why how all any each more most
other some such only own same so too very just also about after before over under into out up down again further
once said says say new one two three per via amid against between during while
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня
еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там
потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе
под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были
куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них какая
много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
всю между это также заявил заявила сообщил сообщила сообщает сообщили по словам
і в у на з із зі та й що не як до за від по це він вона воно вони ми ви я ти його її їх але або чи якщо коли
вже ще так також бо для при про через після перед над під між без тут там де є був була було були буде може
щоб цей ця ці цього цієї цих який яка яке які свій своє свою своїх нас вас нам вам їм мене тебе себе сам сама
раніше заявив заявила повідомив повідомила повідомляє повідомили за словами
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


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


# The clusterer splits a report's beginning once and reads its terms, names and language from the
# same words: each word's reading (its term, its term as a name, its letters by script) is looked up
# once, cached (news repeats its vocabulary), instead of a pass of regular expressions for each.
Reading = tuple[str, str, int]


class Memo(dict):
    """A function's results by argument, for the clusterer's innermost loops: a plain dict, so a hit is one
    lookup in C (`map(memo.__getitem__, words)`), where a bounded lru_cache also moves the hit to the front
    of its list (half again as long, on the synthetic stream). Emptied when full, so its memory is bounded:
    news repeats its vocabulary, and the words in use come back at once."""

    def __init__(self, function: Callable, size: int = 200_000) -> None:
        super().__init__()
        self.function = function
        self.size = size

    def __missing__(self, key):
        if len(self) >= self.size:
            self.clear()
        value = self[key] = self.function(key)
        return value


def readings(words: Sequence[str]) -> list[Reading]:
    """The readings of words split by WORDS, as written (case tells names)."""
    return list(map(_READINGS.__getitem__, words))


# (the fields of readings taken in C: these run on every word of every report)
_TERM, _NAME, _LETTERS = itemgetter(0), itemgetter(1), itemgetter(2)


def terms_of(read: Sequence[Reading]) -> list[str]:
    return list(filter(None, map(_TERM, read)))


def name_terms_of(read: Sequence[Reading]) -> set[str]:
    names = set(map(_NAME, read))
    names.discard("")
    return names


def language_of(read: Sequence[Reading]) -> str:
    packed = sum(map(_LETTERS, read))
    cyrillic, latin, ukrainian, russian, english = ((packed // _FIELD ** n) % _FIELD for n in range(5))
    if cyrillic > latin:
        return "uk" if ukrainian > russian else "ru"
    if latin and english:
        return "en"
    return ""


def _reading(word: str) -> Reading:
    lowered = word.casefold()
    term = _term(lowered.replace("ё", "е"))
    name = term if word[0].isupper() and term[:1] != CONCEPT_MARK else ""
    return term, name, _script_letters(lowered)


_READINGS = Memo(_reading)


def _term(word: str) -> str:
    if word in STOP_WORDS or len(word) < 2:
        return ""
    if word.isdigit():
        return word
    key = stem(word)
    return CONCEPTS.get((word.isascii(), key), key)


# Runs of letters, not single letters: the same counts (summed lengths) from far fewer matches.
_CYRILLIC_LETTERS = re.compile(r"[а-яёіїєґ]+")
_LATIN_LETTERS = re.compile(r"[a-z]+")
_UKRAINIAN_ONLY = re.compile(r"[іїєґ]+")
_RUSSIAN_ONLY = re.compile(r"[ыэъё]+")
_ENGLISH_MARKERS = frozenset(("the", "and", "of", "to", "in", "is", "was", "for", "on", "with", "that", "by",
                              "from", "at", "as", "has", "have", "are"))
_FIELD = 1 << 40  # more letters than any text has


def _letters(pattern: re.Pattern, text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def _script_letters(lowered: str) -> int:
    """A word's Cyrillic, Latin, Ukrainian-only and Russian-only letters, and 1 if it is a common English
    word, packed into one number (field by field, each below _FIELD): a text's counts are then one sum."""
    counts = (_letters(_CYRILLIC_LETTERS, lowered), _letters(_LATIN_LETTERS, lowered),
              _letters(_UKRAINIAN_ONLY, lowered), _letters(_RUSSIAN_ONLY, lowered), lowered in _ENGLISH_MARKERS)
    return sum(count * _FIELD ** n for n, count in enumerate(counts))


# Month names as dates are written in news: genitive in ru and uk ("8 ноября", "8 листопада"), English
# capitalised, full or abbreviated, either order ("November 8", "8 Nov."; "may 5" is not a date).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February is read as the 28th
_DAYS_BEFORE = tuple(sum(_MONTH_DAYS[:month]) for month in range(12))
YEAR_DAYS = 365
_MONTH_NAMES = ("января февраля марта апреля мая июня июля августа сентября октября ноября декабря "
                "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня "
                "January February March April May June July August September October November December "
                "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
_MONTHS = {name: n % 12 for n, name in enumerate(_MONTH_NAMES.split())} | {"Sept": 8}
_ENGLISH_MONTHS = frozenset(name for name in _MONTHS if name.isascii())
# English months that are also words: "Tu-22 May Strike Again", "COVID-19 May Have Peaked". Before a
# capitalised word (a headline's next word) a number before them is not read as a day.
_ALSO_WORDS = frozenset(("May", "March"))
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
# between the two days of a range, "с 6 по 8 ноября", "22-24 November", "6 and 8 May" (the dash is not a word)
_RANGE_WORDS = frozenset(("по", "до", "и", "і", "й", "та", "to", "and", "through"))


# Named days that are dates: after a word for day in ru/uk ("в День Победы", "напередодні Дня Перемоги"; not
# "на проспекте Победы днём", nor "Парк Победы. День открытых дверей"), before a capitalised "Day" in English
# ("Victory Day parade", "Christmas Day"; not "a victory day for Liverpool", nor the Orthodox or Armenian
# Christmas, 7 and 6 January), capitalised or in capitals ("ДЕНЬ ПОБЕДЫ"; not "день победы Трампа", the day
# of his victory). (month from 0, day). Azerbaijan's Victory Day (8 November) is read as 9 May.
_NAMED_AFTER_DAY = {"Победы": (4, 9), "Перемоги": (4, 9)}
_DAY_WORDS = frozenset(("день", "дня", "дню", "днём", "днем", "дне", "дні"))
_NAMED_BEFORE_DAY = {"Victory": (4, 9), "Christmas": (11, 25)}
_OTHER_CHRISTMASES = frozenset(("orthodox", "armenian"))
_NAMED_DAYS = frozenset(form for name in _NAMED_AFTER_DAY | _NAMED_BEFORE_DAY for form in (name, name.upper()))


def _named_day(words: list[str], i: int) -> tuple[int, int] | None:
    """The (month, day) of the named day words[i] names, or None."""
    before, name = words[i - 1] if i else "", words[i].capitalize()  # ПОБЕДЫ is Победы
    if before.casefold() in _DAY_WORDS:
        return _NAMED_AFTER_DAY.get(name)
    if i + 1 < len(words) and words[i + 1] in ("Day", "DAY") and before.casefold() not in _OTHER_CHRISTMASES:
        return _NAMED_BEFORE_DAY.get(name)
    return None


def calendar_days(text: str) -> frozenset[int]:
    """The days of the year (1-365; 29 February is the 28th) of the dates a text writes out, "8 ноября",
    "November 8", every day of "с 6 по 8 ноября", a named day ("в День Победы"): the days a report says
    its event happened on."""
    return calendar_days_of(WORDS.findall(text))


def _day(words: list[str], i: int) -> int:
    """The day of the month words[i] is ("8", "8th"), or 0."""
    match = _DAY.fullmatch(words[i]) if 0 <= i < len(words) else None
    return int(match[1]) if match else 0


def _range_start(words: list[str], i: int, step: int) -> int:
    """The other end of a range whose one end is words[i], reading away from the month by `step`."""
    return _day(words, i + step) or (_day(words, i + 2 * step) if 0 <= i + step < len(words)
                                     and words[i + step] in _RANGE_WORDS else 0)


MAX_RANGE_DAYS = 14  # a range of up to this many days has all its days ("з 13 по 17 травня" has the 15th)


def calendar_days_of(words: list[str]) -> frozenset[int]:
    if _MONTHS.keys().isdisjoint(words) and _NAMED_DAYS.isdisjoint(words):
        return frozenset()
    found = set()
    for i, word in enumerate(words):
        month = _MONTHS.get(word)
        if month is None:
            if word in _NAMED_DAYS and (named := _named_day(words, i)):
                found.add(_DAYS_BEFORE[named[0]] + named[1])
            continue
        day = other = 0
        headline_word = word in _ALSO_WORDS and i + 1 < len(words) and words[i + 1][:1].isupper()
        # a day before the month is its own, unless it is an English month's day ("Oct. 30 - Nov. 2"; but
        # in "31 October – 1 November" the 1 is November's)
        if not headline_word and (day := _day(words, i - 1)) and (
                i < 2 or words[i - 2] not in _ENGLISH_MONTHS or _day(words, i - 3)):
            other = _range_start(words, i - 1, -1)
        elif word in _ENGLISH_MONTHS and (day := _day(words, i + 1)):
            other = _range_start(words, i + 1, 1)
        else:
            continue
        last = _MONTH_DAYS[month] + (month == 1)  # 29 February is a date, read as the 28th
        days = [d for d in (day, other) if 1 <= d <= last]
        if len(days) == 2 and abs(day - other) < MAX_RANGE_DAYS:
            days = range(min(days), max(days) + 1)
        found.update(_DAYS_BEFORE[month] + min(d, _MONTH_DAYS[month]) for d in days)
    return frozenset(found)
