"""The keyword-watch language: parse a query into a tree and match it against a report's words; each
node names the index keys a matching report must have one of (core/watch_index.py files watches by them).

Words match on word forms and across scripts (`prigozhin` finds `Пригожина`) through `word_root`,
built on the deduplicator's script folding (`skeleton`). Matching walks the report's words once: no user-supplied
regular expression ever runs, so a watch cannot stall the poller.

    Prigozhin Rostov          both words (AND is implied)
    Prigozhin OR Пригожин     either
    Wagner -Kyiv, NOT Kyiv    without Kyiv
    "Wagner group"            these words in this order
    kharkiv*                  words starting so (at least three letters)
    (Rostov OR Moscow) Wagner parentheses group
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from monitor.core.terms import LATIN_ENDINGS, WORD_CACHE, WORDS, Endings, drop_ending, skeleton

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 20
MIN_PREFIX_CHARS = 3

# Phones turn " into typographic quotes; all of these open or close a phrase.
_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "”": "”"}
_OR = {"OR", "ИЛИ", "АБО", "|"}
_AND = {"AND", "И", "І", "&"}
_NOT = {"NOT", "НЕ"}


class QueryError(ValueError):
    """A query that cannot be used. `code` names the problem (the bot words it in the user's
    language); `detail` is the part of the query concerned, if any."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# -- what a report offers to match ---------------------------------------------------------------

# Endings a watch word may take in a report: Latin plural and verb endings (before folding), and the
# vowel endings of Russian and Ukrainian cases. Consonant endings (-ov, -ev, -in) are kept: they end
# surnames, and dropping them makes Lavrov match "лавра" and Rostov "рост".
_VOWEL_ENDINGS = Endings("ami", "ogo", "ego", "omu", "emu", "imi", "ii", "ie", "ei", "oi", "ui", "ou",
                         "a", "o", "e", "i", "u")
_LONG_ROOT = 5  # a root this long also matches longer words it starts (Iran → Iranian, Prigozhin → Prigozhin's)


@lru_cache(maxsize=WORD_CACHE)  # news vocabulary repeats: each word is folded once
def word_root(word: str) -> str:
    """A word without its inflection ending, in a script-independent spelling: Пригожина, Пригожину,
    Prigozhin and Prigozhyn all give `prigozin`; negotiations gives `negotiation`."""
    word = word.casefold().replace("ё", "е")
    if word.isascii():
        word = drop_ending(word, LATIN_ENDINGS)
    return drop_ending(skeleton(word), _VOWEL_ENDINGS)


def _has_prefix(sorted_words: tuple[str, ...], prefix: str) -> bool:
    at = bisect_left(sorted_words, prefix)
    return at < len(sorted_words) and sorted_words[at].startswith(prefix)


def _word_key(root: str) -> str:
    """The index key of a word: a short root exactly, a long one by its first letters (a long root also
    matches the longer words it starts, which share those letters)."""
    return "*" + root[:_LONG_ROOT] if len(root) >= _LONG_ROOT else "=" + root


def _prefix_key(text: str) -> str:
    return "^" + text[:MIN_PREFIX_CHARS]


@dataclass(frozen=True)
class Words:
    """A report's words, folded once for all the watches tested against it."""

    roots: tuple[str, ...]  # every word's root, in order (for phrases)
    root_set: frozenset[str]
    skeletons: tuple[str, ...]  # whole words, script-folded, sorted and distinct (prefix tests: binary search)
    raw: tuple[str, ...]  # whole words as written (case-folded), sorted and distinct

    def index_keys(self) -> set[str]:
        keys = {_word_key(r) for r in self.root_set}
        keys.update("*" + w[:_LONG_ROOT] for w in self.skeletons if len(w) >= _LONG_ROOT)
        keys.update(_prefix_key(w) for w in self.skeletons)
        keys.update(_prefix_key(w) for w in self.raw)
        return keys


def words_of(*texts: str) -> Words:
    """The words of a report's title and text."""
    raw = [w for text in texts for w in WORDS.findall(text.casefold().replace("ё", "е"))]
    roots = tuple(word_root(w) for w in raw)
    return Words(roots, frozenset(roots), tuple(sorted({skeleton(w) for w in raw})), tuple(sorted(set(raw))))


# -- the tree ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    shown: str
    root: str

    def matches(self, words: Words) -> bool:
        return self.root in words.root_set or (len(self.root) >= _LONG_ROOT and _has_prefix(words.skeletons, self.root))

    def keys(self) -> frozenset[str] | None:
        return frozenset({_word_key(self.root)})

    def describe(self) -> str:
        return self.shown

    def canonical(self) -> str:
        return f"w:{self.root}"


@dataclass(frozen=True)
class Prefix:
    shown: str
    folded: str  # script-independent: kharkiv* finds Харків
    raw: str  # as typed: syri* finds Syrian, whose folded spelling (siran) differs at the cut

    def matches(self, words: Words) -> bool:
        return ((len(self.folded) >= MIN_PREFIX_CHARS and _has_prefix(words.skeletons, self.folded))
                or _has_prefix(words.raw, self.raw))

    def keys(self) -> frozenset[str] | None:
        keys = {_prefix_key(self.raw)}
        if len(self.folded) >= MIN_PREFIX_CHARS:
            keys.add(_prefix_key(self.folded))
        return frozenset(keys)

    def describe(self) -> str:
        return f"{self.shown}*"

    def canonical(self) -> str:
        return f"p:{self.folded}/{self.raw}"


@dataclass(frozen=True)
class Phrase:
    shown: str
    roots: tuple[str, ...]

    def matches(self, words: Words) -> bool:
        first, size, seq = self.roots[0], len(self.roots), words.roots
        if first not in words.root_set:
            return False
        return any(seq[at:at + size] == self.roots for at, s in enumerate(seq) if s == first)

    def keys(self) -> frozenset[str] | None:
        return frozenset({_word_key(max(self.roots, key=len))})  # the longest word is the most telling

    def describe(self) -> str:
        return f'"{self.shown}"'

    def canonical(self) -> str:
        return "ph:" + " ".join(self.roots)


@dataclass(frozen=True)
class Not:
    child: Node

    def matches(self, words: Words) -> bool:
        return not self.child.matches(words)

    def keys(self) -> frozenset[str] | None:
        return None  # "not X" can match anything: it gives no word to look up

    def describe(self) -> str:
        return f"NOT {_grouped(self.child)}"

    def canonical(self) -> str:
        return f"not({self.child.canonical()})"


@dataclass(frozen=True)
class AllOf:
    children: tuple[Node, ...]

    def matches(self, words: Words) -> bool:
        return all(c.matches(words) for c in self.children)

    def keys(self) -> frozenset[str] | None:
        # Any one required part's words will do; the fewest, longest words make the index sharpest.
        options = [k for k in (c.keys() for c in self.children) if k is not None]
        if not options:
            return None
        return min(options, key=lambda k: (len(k), -min(map(len, k))))

    def describe(self) -> str:
        return " AND ".join(_grouped(c) for c in self.children)

    def canonical(self) -> str:
        return _canonical_group("and", AllOf, self.children)


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]

    def matches(self, words: Words) -> bool:
        return any(c.matches(words) for c in self.children)

    def keys(self) -> frozenset[str] | None:
        out: set[str] = set()
        for child in self.children:
            keys = child.keys()
            if keys is None:
                return None
            out |= keys
        return frozenset(out)

    def describe(self) -> str:
        return " OR ".join(_grouped(c) for c in self.children)

    def canonical(self) -> str:
        return _canonical_group("or", AnyOf, self.children)


Node = Word | Prefix | Phrase | Not | AllOf | AnyOf


def _grouped(node: Node) -> str:
    return f"({node.describe()})" if isinstance(node, AllOf | AnyOf) else node.describe()


def _canonical_group(name: str, kind: type[AllOf | AnyOf], children: tuple[Node, ...]) -> str:
    """AND and OR in any order, nested in their own kind or not, each part once: `a (b a)` is `a b`."""
    parts: set[str] = set()
    pending = list(children)
    while pending:
        child = pending.pop()
        if isinstance(child, kind):
            pending.extend(child.children)
        else:
            parts.add(child.canonical())
    return parts.pop() if len(parts) == 1 else f"{name}({','.join(sorted(parts))})"


@dataclass(frozen=True)
class Query:
    text: str
    root: Node
    keys: frozenset[str] = field(compare=False)  # a matching report has at least one of these words

    def matches(self, words: Words) -> bool:
        return self.root.matches(words)

    def describe(self) -> str:
        """How the query was understood, with AND, OR and NOT spelled out."""
        return self.root.describe()

    @property
    def canonical(self) -> str:
        """The query's meaning in one string, equal for queries that match the same way whatever their
        order, spacing, case, script or grouping (`Rostov Prigozhin` = `prigozhin  rostov`)."""
        return self.root.canonical()


# -- parsing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "or", "and", "not", "word", "phrase"
    text: str = ""
    negated: bool = False  # -word, -"phrase", -(...)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    at, size = 0, len(text)
    while at < size:
        char = text[at]
        if char.isspace():
            at += 1
            continue
        negated = char == "-" and at + 1 < size and not text[at + 1].isspace()
        if negated:
            at += 1
            char = text[at]
        if char in "()":
            out.append(_Token(char, char, negated))
            at += 1
        elif char in _QUOTES:
            end = text.find(_QUOTES[char], at + 1)
            if end < 0 and char == "“":
                end = text.find("“", at + 1)
            if end < 0:
                raise QueryError("quote", text[at:at + 30])
            out.append(_Token("phrase", text[at + 1:end], negated))
            at = end + 1
        else:
            end = at
            while end < size and not text[end].isspace() and text[end] not in "()" and text[end] not in _QUOTES:
                end += 1
            word = text[at:end]
            at = end
            if not negated and word in _OR:
                out.append(_Token("or", word))
            elif not negated and word in _AND:
                out.append(_Token("and", word))
            elif not negated and word in _NOT:
                out.append(_Token("not", word))
            else:
                out.append(_Token("word", word, negated))
    return out


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.words = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def ends_here(self, *kinds: str) -> bool:
        """Whether the query ends here, or the next token is of one of these kinds."""
        token = self.peek()
        return token is None or token.kind in kinds

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def alternatives(self) -> Node | None:
        parts = [self.sequence()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            if self.ends_here("or", ")"):
                raise QueryError("dangling", token.text)
            parts.append(self.sequence())
        found = [p for p in parts if p is not None]
        if not found:
            return None
        return found[0] if len(found) == 1 else AnyOf(tuple(found))

    def sequence(self) -> Node | None:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.take()
                if self.ends_here("or", ")", "and"):
                    raise QueryError("dangling", token.text)
                continue
            part = self.unary()
            if part is not None:
                parts.append(part)
        if not parts:
            following = self.peek()
            if following is not None and following.kind == "or":
                raise QueryError("dangling", following.text)
            return None
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def unary(self) -> Node | None:
        token = self.take()
        if token.kind == "not":
            if self.ends_here("or", ")", "and"):
                raise QueryError("dangling", token.text)
            inner = self.unary()
            return None if inner is None else _negate(inner)
        node = self.atom(token)
        return _negate(node) if token.negated and node is not None else node

    def atom(self, token: _Token) -> Node | None:
        if token.kind == "(":
            inner = self.alternatives()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError("open_paren")
            self.take()
            return inner
        if token.kind == ")":
            raise QueryError("close_paren")
        if token.kind == "phrase":
            return self.phrase(token.text)
        return self.word(token.text)

    def count(self, pieces: int) -> None:
        self.words += pieces
        if self.words > MAX_QUERY_WORDS:
            raise QueryError("too_many_words", str(MAX_QUERY_WORDS))

    def phrase(self, text: str) -> Node | None:
        pieces = WORDS.findall(text.casefold().replace("ё", "е"))
        if not pieces:
            return None
        self.count(len(pieces))
        shown = " ".join(WORDS.findall(text))
        if len(pieces) == 1:
            return Word(shown, word_root(pieces[0]))
        return Phrase(shown, tuple(word_root(p) for p in pieces))

    def word(self, text: str) -> Node | None:
        if text.endswith("*"):
            pieces = WORDS.findall(text.casefold().replace("ё", "е"))
            if not pieces:
                return None
            if len(pieces) > 1:  # Ростов-на-* : the words before, then the prefix
                raise QueryError("prefix_word", text)
            if len(pieces[0]) < MIN_PREFIX_CHARS:
                raise QueryError("short_prefix", text)
            self.count(1)
            return Prefix(WORDS.findall(text)[0], skeleton(pieces[0]), pieces[0])
        # Ростов-на-Дону, U.S.: the pieces of one written word, in order
        return self.phrase(text)


def _negate(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


def parse_query(text: str) -> Query:
    """A query's tree, or QueryError saying what is wrong with it."""
    text = " ".join(text.split())  # newlines and runs of spaces mean nothing, and would split a reply's markup
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError("too_long", str(MAX_QUERY_CHARS))
    parser = _Parser(_tokens(text))
    root = parser.alternatives()
    if parser.peek() is not None:  # only a stray ")" stops the top level early
        raise QueryError("close_paren")
    if root is None:
        raise QueryError("empty")
    keys = root.keys()
    if keys is None:
        raise QueryError("only_not")
    return Query(text, root, keys)
