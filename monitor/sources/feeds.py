"""RSS 2.0, RSS 1.0 and Atom bodies → Items. A well-formed feed of the common kinds is read from lxml's tree
(feed_tree); feedparser reads every other body and stays the reference both agree with. Runs in worker
processes, so it takes and returns plain picklable values and never raises for a bad body."""

from __future__ import annotations

import calendar
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser

from monitor.core.html import html_to_text, one_line, title_from_text
from monitor.core.urls import canonical_url, fingerprint, item_key, strip_tracking
from monitor.models import Item
from monitor.sources import feed_tree

# Longer texts are cut: clustering reads the beginning, and the store stays small.
MAX_TEXT_CHARS = 20_000
# An entry without a title (valid in RSS 2.0) is titled by the first words of its text, at most this long.
UNTITLED_TITLE_CHARS = 100
# A date further ahead than this is a feed's mistake; the fetch time is used instead.
_FUTURE_SLACK = timedelta(hours=1)


@dataclass(frozen=True)
class ParsedFeed:
    items: tuple[Item, ...]
    title: str = ""
    error: str | None = None  # set when the body is not a usable feed
    warning: str | None = None  # set when the feed parsed with problems but gave entries


def parse_feed(body: bytes, url: str, content_type: str, fetched_at: datetime, fast_path: bool = True) -> ParsedFeed:
    """Parse a feed body into Items; a body that is not a feed comes back with `error` set. Without
    `fast_path`, feedparser reads every body (the reference the fast path is compared with)."""
    parsed = None
    if fast_path:
        try:
            parsed = feed_tree.read(body, url, content_type)
        except Exception:  # feed_tree.Unsure, or a body it did not foresee: feedparser reads it
            parsed = None
    if parsed is None:
        headers = {"content-location": url}
        if content_type:
            headers["content-type"] = content_type
        try:
            # a stream, as feedparser opens a bytes value that names a file or URL ("/dev/zero") and reads that
            parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False)
        except Exception as exc:  # feedparser promises not to raise; a pathological body may still
            return ParsedFeed((), error=f"cannot parse the body ({type(exc).__name__}: {exc})")
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries:
        if parsed.get("version") and not problem:
            return ParsedFeed((), title=_title(parsed))  # a real feed that is empty right now
        if parsed.get("version"):
            return ParsedFeed((), error=f"the feed is malformed and yields no entries ({problem}); "
                                        "the server may have sent it cut short")
        sniff = body[:512].lstrip().lower()
        if sniff.startswith((b"<!doctype html", b"<html")) or b"<html" in sniff:
            return ParsedFeed((), error="the URL serves an HTML page, not a feed; use the page's RSS/Atom link")
        reason = f" ({type(problem).__name__}: {problem})" if problem else ""
        return ParsedFeed((), error=f"the body is not an RSS or Atom feed{reason}; check the URL")
    items = tuple(_items(entries, fetched_at))
    warning = f"parsed with problems ({problem})" if problem else None
    return ParsedFeed(items, title=_title(parsed), warning=warning)


def _title(parsed: Mapping) -> str:
    return one_line(html_to_text(parsed.get("feed", {}).get("title", "") or ""))


def _items(entries: list, fetched_at: datetime):
    seen: set[str] = set()
    for entry in entries:
        title = one_line(html_to_text(entry.get("title", "") or ""))
        text = _entry_text(entry)
        link = one_line(entry.get("link") or "")
        if not link.lower().startswith(("http://", "https://")):
            link = ""  # feedparser offers an Atom id such as tag:… as the link; that is no address
        guid = one_line(entry.get("id") or "") or None
        if not (title or text or link):
            continue  # nothing a reader would see: an id alone, or markup without text
        key = item_key(guid, link, title, text)
        if key in seen:  # some feeds repeat an entry; the first one counts
            continue
        seen.add(key)
        yield Item(
            key=key,
            url=strip_tracking(link),
            canonical_url=canonical_url(link) if link else "",
            # the key and fingerprint above are of what the entry carries, not of the title made here
            title=title or title_from_text(text, UNTITLED_TITLE_CHARS),
            text=text,
            published_at=_published(entry, fetched_at),
            fingerprint=fingerprint(title, text),
            guid=guid,
            author=one_line(entry.get("author") or "") or None,
        )


def _entry_text(entry: Mapping) -> str:
    """The fullest text the entry carries, content or summary: the longest markup that has any text (an
    Atom entry's content may be only a picture, its summary the words)."""
    candidates = [c.get("value", "") or "" for c in entry.get("content") or []]
    candidates.append(entry.get("summary", "") or "")
    for markup in sorted(candidates, key=len, reverse=True):
        text = html_to_text(markup)
        if text:
            return text[:MAX_TEXT_CHARS]
    return ""


def _published(entry: Mapping, fetched_at: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # as stored: feedparser's own lookup of a missing `updated_parsed` answers with the published date
        # (which comes first here anyway) and warns that it will stop doing so
        value = dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)
        if value:
            try:
                when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
            return fetched_at if when > fetched_at + _FUTURE_SLACK else when
    return fetched_at
