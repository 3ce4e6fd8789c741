"""Text from a source made safe and plain: HTML → text, control characters and escape sequences stripped,
spaces collapsed, lines shortened."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

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


# A channel post's title: its first line, this long at most (read from a t.me page or received by the bot).
POST_TITLE_CHARS = 200


def media_title(kinds: list[str], channel_name: str) -> str:
    """The title of a channel post that has only media, no words: "Photo from Channel title"."""
    label = ", ".join(kinds) or "media"
    return f"{label[:1].upper()}{label[1:]} from {channel_name}"


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
