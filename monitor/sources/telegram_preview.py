"""Public Telegram channels through their web preview (t.me/s/NAME): HTML page → posts as Items.

The preview shows only public channels whose owners allow it, and only recent posts, oldest first,
about 20 a page; `?before=ID` gives the page of older posts. Markup facts: ../shared/FIELD-NOTES.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import lxml.etree
import lxml.html

from monitor.core.html import POST_TITLE_CHARS, media_title, normalize_space, one_line, same_link, title_from_text
from monitor.core.urls import fingerprint
from monitor.models import Item

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Post:
    id: int
    item: Item


@dataclass(frozen=True)
class PreviewPage:
    posts: tuple[Post, ...]  # by id, oldest first
    older_before: int | None = None  # `?before=` value of the page of older posts, if any
    title: str = ""
    error: str | None = None


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_MESSAGES = f"//div[{_cls('tgme_widget_message')}][@data-post]"
_TEXT = f".//div[{_cls('tgme_widget_message_text')}]"
_DATE = f".//a[{_cls('tgme_widget_message_date')}]//time/@datetime"
_VIEWS = f".//span[{_cls('tgme_widget_message_views')}]/text()"
_FORWARDED = f".//*[{_cls('tgme_widget_message_forwarded_from_name')}]"
_AUTHOR = f".//*[{_cls('tgme_widget_message_from_author')}]"
_MORE = f"//a[{_cls('tme_messages_more')}]/@data-before"
_CHANNEL_TITLE = f"//div[{_cls('tgme_channel_info_header_title')}]"
_HISTORY = f"//section[{_cls('tgme_channel_history')}]"
_LANDING = f"//div[{_cls('tgme_page')}]"  # t.me/NAME: the page of a channel, user or bot without a preview
# What a post without text shows instead, so it is not lost: (marker class, description).
_MEDIA = (
    ("tgme_widget_message_photo_wrap", "photo"),
    ("tgme_widget_message_roundvideo_wrap", "round video"),
    ("tgme_widget_message_video_player", "video"),
    ("tgme_widget_message_voice", "voice message"),
    ("tgme_widget_message_document", "file"),
    ("tgme_widget_message_sticker_wrap", "sticker"),
    ("tgme_widget_message_poll", "poll"),
    ("tgme_widget_message_location_wrap", "location"),
)


def parse_preview(body: bytes, channel: str, fetched_at: datetime, charset: str = "utf-8") -> PreviewPage:
    """Parse one preview page; a page that shows no posts and is not an empty channel's comes back with
    `error`."""
    try:
        # Decoded here: Telegram sends the charset in the header, and fragments carry no <meta>.
        doc = lxml.html.fromstring(body.decode(charset, errors="replace") if body else "<html></html>")
    except (lxml.etree.ParserError, ValueError, LookupError) as exc:
        return PreviewPage((), error=f"the page cannot be parsed as HTML ({exc})")
    messages = doc.xpath(_MESSAGES)
    title = one_line(_text_of(doc.xpath(_CHANNEL_TITLE)[0])) if doc.xpath(_CHANNEL_TITLE) else ""
    if not messages:
        return PreviewPage((), title=title, error=_without_posts(doc, channel, title))
    posts: dict[int, Post] = {}
    for message in messages:
        post = _post(message, channel, title, fetched_at)
        if post is not None:
            posts[post.id] = post
    if not posts:  # post markup, none of it readable as a post: the layout changed under us
        return PreviewPage((), title=title, error=_layout_changed(channel))
    more = [int(v) for v in doc.xpath(_MORE) if v.isdigit()]
    return PreviewPage(tuple(posts[i] for i in sorted(posts)), older_before=min(more) if more else None, title=title)


def _without_posts(doc: lxml.html.HtmlElement, channel: str, title: str) -> str | None:
    """Why a page shows no posts; None for a public channel's page that has none to show (a channel without
    posts yet, a page older than its first post): the channel's header with its title, and a history with
    nothing in it. A history holding text or post ids that were not read as posts is a changed layout."""
    history = doc.xpath(_HISTORY)
    if history and title and not history[0].text_content().strip() and not history[0].xpath(".//*[@data-post]"):
        return None
    if not history and doc.xpath(_LANDING):
        return f"@{channel} shows no public posts: the channel is private, unknown, or hides its preview"
    return _layout_changed(channel)


def _layout_changed(channel: str) -> str:
    return (f"no posts found in the page: the layout may have changed (if https://t.me/s/{channel} shows posts "
            "in a browser, monitor needs an update)")


def _post(message: lxml.html.HtmlElement, channel: str, channel_title: str, fetched_at: datetime) -> Post | None:
    _, _, number = (message.get("data-post") or "").rpartition("/")
    if not number.isdigit():
        return None
    post_id = int(number)
    texts = message.xpath(_TEXT)
    text = _text_of(texts[0]) if texts else ""  # a photo's or a video's caption is here too
    preview = _link_preview(message)
    headline = text
    if preview and (not text or " " not in text.strip()):
        headline = preview  # a bare link: its preview's title is the headline
    if not text:
        kinds, said = _describe_media(message)
        text = normalize_space(" ".join([f"[{', '.join(kinds) or 'media'}]", said]))
        headline = text if said else media_title(kinds, channel_title or f"@{channel}")
    if preview:
        text = f"{text}\n\n{preview}"
    forwarded = message.xpath(_FORWARDED)
    author = message.xpath(_AUTHOR)
    link = f"https://t.me/{channel}/{post_id}"
    item = Item(
        key=f"post:{post_id}",
        url=link,
        canonical_url=link,
        title=title_from_text(headline, POST_TITLE_CHARS),
        text=text,
        published_at=_time(message, fetched_at),
        fingerprint=fingerprint("", text),
        guid=None,
        author=one_line(_text_of(author[0])) if author else None,
        forwarded_from=one_line(_text_of(forwarded[0])) if forwarded else None,
        views=_views(message.xpath(_VIEWS)),
    )
    return Post(post_id, item)


def _link_preview(message: lxml.html.HtmlElement) -> str:
    """The title and description of a link preview, a line each ("" when there is none)."""
    parts = []
    for name in ("link_preview_title", "link_preview_description"):
        found = message.xpath(f".//*[{_cls(name)}]")
        if found:
            parts.append(_text_of(found[0]))
    return "\n".join(p for p in parts if p)


def _describe_media(message: lxml.html.HtmlElement) -> tuple[list[str], str]:
    """What a post that has media and no text shows: the kinds of its media ("photo", "poll") and the words
    they carry (a poll's question, a file's name; "" for a photo)."""
    kinds = [label for marker, label in _MEDIA if message.xpath(f".//*[{_cls(marker)}]")]
    said = []
    for extra in ("tgme_widget_message_poll_question", "tgme_widget_message_document_title"):
        found = message.xpath(f".//*[{_cls(extra)}]")
        if found:
            said.append(one_line(_text_of(found[0])))
    return list(dict.fromkeys(kinds)), " ".join(filter(None, said))


def _text_of(element: lxml.html.HtmlElement) -> str:
    """Text of an element with line breaks kept and link targets written after their text."""
    out: list[str] = []

    def add(text: str | None) -> None:
        if text:  # newlines in the markup are layout, not text: only <br> breaks a line
            out.append(_WHITESPACE.sub(" ", text))

    def walk(node: lxml.html.HtmlElement) -> None:
        if not isinstance(node.tag, str):  # comments, processing instructions
            add(node.tail)
            return
        if node.tag == "br" or (node.tag in ("p", "div", "blockquote", "pre") and out):
            out.append("\n")
        add(node.text)
        for child in node:
            walk(child)
        if node.tag == "a":
            href = (node.get("href") or "").replace("&amp;", "&")
            label = node.text_content().strip()
            if href.startswith(("http://", "https://")) and label and not same_link(label, href):
                out.append(f" ({href})")
        add(node.tail)

    add(element.text)
    for child in element:
        walk(child)
    return normalize_space("".join(out))


def _time(message: lxml.html.HtmlElement, fetched_at: datetime) -> datetime:
    for value in message.xpath(_DATE):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            continue
    return fetched_at


_VIEW_UNITS = {"K": 1_000, "M": 1_000_000}


def _views(values: list[str]) -> int | None:
    """"37.2K" → 37200."""
    if not values:
        return None
    text = values[0].strip().upper()
    unit = _VIEW_UNITS.get(text[-1:], 1)
    try:
        return int(float(text.rstrip("KM")) * unit)
    except ValueError:
        return None
