"""OPML subscription lists: read what Feedly, Inoreader or Thunderbird export, write what they import.

Public Telegram channels are written as `<monitor:channel>` elements, in monitor's own namespace, beside
the feeds' outlines: readers go through `<outline>` elements only, so they skip them, while an outline
without a feed address would become an empty folder in Thunderbird and FreshRSS. Intervals and a
channel's backfill travel as `monitor:` attributes, which readers ignore too.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from monitor.core.html import one_line

NAMESPACE = "urn:x-monitor:opml"
ET.register_namespace("monitor", NAMESPACE)
_CHANNEL = f"{{{NAMESPACE}}}channel"
_INTERVAL = f"{{{NAMESPACE}}}interval"
_BACKFILL = f"{{{NAMESPACE}}}backfill"


class OpmlError(ValueError):
    """The file is not OPML we can read; the message says what is wrong."""


@dataclass(frozen=True)
class Outline:
    url: str  # a feed's xmlUrl; a channel's t.me address
    title: str
    folder: str = ""  # the enclosing outlines' titles, "News/World" for nested folders
    kind: str = "feed"  # or "telegram": a public channel
    interval_s: float | None = None
    backfill: int | None = None  # telegram: how many recent posts its first poll stores


def parse_opml(text: str | bytes) -> list[Outline]:
    """Every feed outline (one with xmlUrl) and monitor channel, at any depth, in document order, first of
    each URL kept."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise OpmlError(f"opml: not well-formed XML ({exc}); export the file again from your reader") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"opml: the root element is <{root.tag}>, not <opml>; this is not an OPML file")
    body = root.find("body")
    if body is None:
        raise OpmlError("opml: the file has no <body>; export the file again from your reader")
    found: list[Outline] = []
    seen: set[str] = set()

    def walk(node: ET.Element, folders: tuple[str, ...]) -> None:
        for element in node:
            title = one_line(element.get("title") or element.get("text") or "")  # it becomes a source's name
            if element.tag == _CHANNEL:
                url, kind = one_line(element.get("htmlUrl") or ""), "telegram"
            elif element.tag == "outline":
                url, kind = one_line(element.get("xmlUrl") or element.get("xmlurl") or ""), "feed"
            else:
                continue
            if url and url not in seen:
                seen.add(url)
                found.append(Outline(url=url, title=title, folder="/".join(folders), kind=kind,
                                     interval_s=_interval(element.get(_INTERVAL)),
                                     backfill=_backfill(element.get(_BACKFILL))))
            walk(element, folders + ((title,) if not url and title else ()))

    walk(body, ())
    return found


# A missing or unusable attribute gives None: the source then takes the default, as when added by hand.
def _interval(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and value > 0 else None


def _backfill(text: str | None) -> int | None:
    try:
        value = int(text or "")
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def render_opml(outlines: list[Outline], title: str, now: datetime) -> str:
    """OPML 2.0 with `type="rss"` outlines (what feed readers expect), folders as nested outlines, channels
    as monitor:channel elements."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for outline in outlines:
        parent = body
        if outline.folder:
            folder = folders.get(outline.folder)
            if folder is None:
                folder = ET.SubElement(body, "outline", text=outline.folder, title=outline.folder)
                folders[outline.folder] = folder
            parent = folder
        name = outline.title or outline.url
        if outline.kind == "telegram":
            element = ET.SubElement(parent, _CHANNEL, text=name, title=name, htmlUrl=outline.url)
        else:
            element = ET.SubElement(parent, "outline", type="rss", text=name, title=name, xmlUrl=outline.url)
        if outline.interval_s is not None:
            element.set(_INTERVAL, f"{outline.interval_s:.15g}")
        if outline.backfill is not None:
            element.set(_BACKFILL, str(outline.backfill))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
