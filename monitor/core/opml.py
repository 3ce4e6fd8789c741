"""OPML subscription lists: read what Feedly, Inoreader or Thunderbird export, write what they import."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from monitor.core.text import one_line


class OpmlError(ValueError):
    """The file is not OPML we can read; the message says what is wrong."""


@dataclass(frozen=True)
class Outline:
    url: str
    title: str
    folder: str = ""  # the enclosing outlines' titles, "News/World" for nested folders


def parse_opml(text: str | bytes) -> list[Outline]:
    """Every feed outline (one with xmlUrl), at any depth, in document order, first of each URL kept."""
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
        for outline in node.findall("outline"):
            title = one_line(outline.get("title") or outline.get("text") or "")  # it becomes a source's name
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            if url and url not in seen:
                seen.add(url)
                found.append(Outline(url=url, title=title, folder="/".join(folders)))
            walk(outline, folders + ((title,) if not url and title else ()))

    walk(body, ())
    return found


def render_opml(outlines: list[Outline], title: str, now: datetime) -> str:
    """OPML 2.0 with `type="rss"` outlines (what feed readers expect), folders as nested outlines."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for outline in outlines:
        parent = body
        if outline.folder:
            parent = folders.get(outline.folder)
            if parent is None:
                parent = ET.SubElement(body, "outline", text=outline.folder, title=outline.folder)
                folders[outline.folder] = parent
        ET.SubElement(parent, "outline", type="rss", text=outline.title or outline.url,
                      title=outline.title or outline.url, xmlUrl=outline.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
