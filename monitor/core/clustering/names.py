"""Who and what a report names: the names in its title (capitalised words its text writes capitalised too,
short quoted names), and a name's key, by which another text's terms mention it whatever the spelling
(Kiev and Kyiv, Lugansk and Luhansk)."""

from __future__ import annotations

import re
import sys
from collections.abc import Container, Iterable, Iterator
from collections.abc import Set as AbstractSet
from itertools import compress
from operator import not_

from monitor.core.clustering.settings import TEXT_CHARS
from monitor.core.clustering.words import read_text
from monitor.core.terms import CONCEPT_MARK, Memo, may_name, name_key, name_terms_of


def _abbreviation(word: str) -> bool:
    return len(word) > 1 and word.isupper()


_OPENING_QUOTES, _CLOSING_QUOTES = "«„“\"", "»“”\""
# a quoted phrase in a title, beginning with a word: «…», „…“, “…”, "…"
_QUOTED_NAME = re.compile(f"[{_OPENING_QUOTES}](?=[^\\W_])([^{_OPENING_QUOTES}{_CLOSING_QUOTES}\\n]{{1,60}})"
                          f"[{_CLOSING_QUOTES}]")
QUOTED_NAME_WORDS = 3  # a longer quote is what someone said, not the name of something
_SENTENCE_ENDS = frozenset(".!?…:\n")
_OPENERS = " \t«»\"'“”„(—–-"


def _mid_sentence(text: str, start: int) -> bool:
    """Whether the word starting at `start` stands inside a sentence, where only names are capitalised."""
    at = start - 1
    while at >= 0 and text[at] in _OPENERS:
        at -= 1
    return at >= 0 and text[at] not in _SENTENCE_ENDS


_TAIL = re.compile(r"\s+[—–|(-].*")  # what follows a headline: " — видео", " (ВИДЕО)", " | РБК"
_ATTRIBUTION = re.compile(r"(?::|,\s*[—–-])")  # «…»: … and «…», — Буданов


def _said(title: str, quote: re.Match) -> bool:
    """Whether a quote in a title is what someone said: after a colon, ending the title but for a label
    ("Зеленский: «Мы не сдадимся»", "Буданов: «Никаких переговоров» — видео"), or beginning it, before a
    colon or a comma and a dash ("«Большой риск»: посольство оценило…", "«Никаких переговоров», — Буданов")."""
    before, after = title[:quote.start()].rstrip(), title[quote.end():].strip()
    return ((before.endswith(":") and not _TAIL.sub("", " " + after).strip(" .!?…"))
            or (not before and _ATTRIBUTION.match(after) is not None))


def title_names_of(title: str, text: str, vector: Container[str]) -> frozenset[str]:
    """The names in a title: its capitalised words that the beginning of its text (after the title, when
    the text starts with it, as a post does) writes capitalised too, or, in a post, that its first line (the title)
    capitalises inside a sentence, unless it is a Title Case line (two or more of its longer words inside its
    sentences capitalised, and most of them); not lexicon words, not abbreviations
    (UK, ЮЗАО: another article spells them out), and only those the report's terms have (not a channel's
    header, left out as boilerplate). Neither an outlet's name after the headline nor "Massive" after a
    "LIVE:" label is in the text so. A title's first word is capitalised whatever it is: it counts only
    when the text capitalises it inside a sentence ("Путин", not "Сильное" or "Heavy" beginning one).
    So a Title Case headline's names are those its text capitalises too. A short quoted name that begins
    capitalised and that its text quotes too gives its words as names: a contest's «На спорте», a party's
    «Слуга народа» (not a lowercase «варварство», nor a quoted sentence, nor what someone `_said`)."""
    words, read = read_text[title]
    names = {name for word, (_, name, *_) in zip(words, read, strict=True)
             if name and name in vector and not _abbreviation(word)}
    quoted = list(_QUOTED_NAME.finditer(title))
    if not names and not quoted:
        return frozenset()
    text = text.strip()
    head = title.strip().removesuffix("…").rstrip()  # a post's first line, cut short as its title
    at = text.find(head, 0, len(head) + 8) if head else -1  # the post's first line, maybe after an emoji
    body = text[at + len(head):] if at >= 0 else text
    body = body[:TEXT_CHARS]
    named: set[str] = set()
    opening = set()  # the names of the words that open the title's quotes
    for match in quoted:
        phrase = match[1]
        inside, read_inside = read_text[phrase]
        opening.add(read_inside[0][1])
        # the text quotes it too, as written (a Title Case headline's "Getting Stronger" is not a name when
        # the text quotes "getting stronger"), maybe inside a longer quote, maybe in other quote marks
        if (len(inside) <= QUOTED_NAME_WORDS and inside[0][0].isupper() and not _said(title, match)
                and re.search(f"[{_OPENING_QUOTES}]{re.escape(phrase)}[{_CLOSING_QUOTES}]", body)):
            named.update(term for word, (term, *_) in zip(inside, read_inside, strict=True)
                         if term in vector and term[0] != CONCEPT_MARK and not _abbreviation(word))
    body_words, body_read = read_text[body]
    in_text = name_terms_of(body_read)  # the words it capitalises
    if at >= 0:
        # A post's first line is its title: the post writes a word there as it writes it anywhere, so one inside
        # the line's sentence is a name however little the rest says (a channel's schedule or alert for one
        # region: "Графік відключень у Києві на сьогодні", then the hours); unless the line capitalises two or more
        # of its longer words inside its sentences and most of them, as a Title Case headline does ("Explosion Rocks
        # Kyiv", "Kyiv Mayor Reports Fire After Debris Falls")
        inside = [word for word in dict.fromkeys(words[1:])  # (the first word: below; an emoji may stand before it)
                  if any(_mid_sentence(head, place) for place in _places(head, word))]
        longer = [word for word in inside if len(word) >= 4]
        upper = sum(word[0].isupper() for word in longer)
        if upper < 2 or upper * 2 <= len(longer):
            in_text |= name_terms_of([reading for word, reading in zip(words, read, strict=True)
                                      if word in inside and word[0].isupper()])
    names &= in_text
    # The title's first word, and a quote's, are capitalised whatever they are: they count when the text
    # capitalises them inside a sentence ("Буданов: «Никаких переговоров»" quoted after a colon does not).
    for first in ({read[0][1]} | opening) & names:
        written = dict.fromkeys(word for word, (_, name, *_) in zip(body_words, body_read, strict=True)
                                if name == first)  # how the text writes it
        if not any(_mid_sentence(body, at) for word in written for at in _places(body, word)):
            names.discard(first)
    return frozenset(names | named)


def _places(text: str, word: str) -> Iterator[int]:
    """Where the word stands in the text on its own (not as the beginning or end of a longer one)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        # not after or before a letter or digit (what WORDS takes: str.isalnum)
        if not (at and text[at - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
            yield at
        at = text.find(word, end)


def _shared_key(term: str) -> str:
    return sys.intern(name_key(term))  # one string for each key: the readings' keys are the same strings


# The keys of title names and of the names compared with them, and of the terms of stories leaving the window or
# restored (a report's own keys come with its words' readings)
name_keys = Memo(_shared_key, size=20_000)



def keys_of(terms: Iterable[str]) -> set[str]:
    """The `name_key`s of the terms that may be names: not the lexicon's concepts, not numbers (no name is either)."""
    return {name_keys[term] for term in terms if may_name(term)}


def unmentioned(names: Iterable[str], mentioned: AbstractSet[str]) -> bool:
    """Whether one of the names is not mentioned. A name of fewer than three consonants is mentioned by a
    longer word that begins like it (Kenya by "Kenyan", Иран by "иранских")."""
    for key in map(name_keys.__getitem__, names):
        if key not in mentioned and (len(key) == 3 or not any(other.startswith(key) for other in mentioned)):
            return True
    return False


def key_string(keys: Iterable[str], known: str = "") -> str:
    """Name keys in one string, each after a bar ("|kv|lvv"), after the `known` ones but for keys that begin one of
    those: a story keeps whom its terms mention so, a few bytes a key (a set each was too much of the window's
    memory), and whether a key is among them, or a longer key beginning like it, is one search in C
    (`unmentioned_by`), which a key beginning a known one does not change."""
    barred = list(map("|".__add__, keys))  # (in C, as the searches: this runs for every report)
    return known + "".join(compress(barred, map(not_, map(known.__contains__, barred))))


def unmentioned_by(names: Iterable[str], terms: Container[str], keys: str) -> bool:
    """`unmentioned(names, keys_of(terms))` for title names (never a concept), where `keys` is the `key_string` of
    `keys_of(terms)`, or of all but keys that begin a longer one in it (`Story.keys`): a name (not a number: no number
    is whom a story mentions) that is one of the terms is mentioned; any other is mentioned where a key begins like
    its key (keys are at most three letters, so a three-letter key is found only as itself)."""
    key_of = name_keys.__getitem__
    return any(f"|{key_of(name)}" not in keys for name in names if name.isdigit() or name not in terms)
