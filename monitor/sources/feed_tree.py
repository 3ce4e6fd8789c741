"""RSS 2.0, RSS 1.0 and Atom 1.0 read from lxml's tree: the fast path of `feeds.parse_feed`.

feedparser stays the reference: this reader gives the entries feedparser would give (the keys monitor reads),
or raises Unsure with the reason, and feedparser then reads the body. It is sure only of a well-formed document
of a known kind whose entries use a common vocabulary: title, link, guid/id, description/summary, content
(HTML, text, or XHTML in Atom), dates and author as direct children of the entry, the Dublin Core forms of
these, and elements that feedparser keeps under keys monitor does not read (categories, enclosures, Media RSS
pictures and unknown extensions). Anything else falls back: another feed kind, entities declared in a DOCTYPE,
xml:base, markup inside a text element, base64 or out-of-line content, a field given twice (feedparser's order
rules), elements feedparser maps onto those keys from elsewhere (media:title, itunes:summary, a title nested
deeper).

Where feedparser transforms a value it is feedparser's own function that does it here, so that both paths
agree by construction: the character encoding (`convert_to_utf8`, with its warnings), the DOCTYPE step,
relative addresses, HTML detection and rewriting, date formats, and the cp1252 and double-UTF-8 repairs.
These are feedparser 6 internals; the equivalence tests fail if a release moves them.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from xml.sax.saxutils import escape

from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import replace_doctype
from feedparser.urls import _urljoin, make_safe_absolute_uri, resolve_relative_uris
from lxml import etree

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RSS1 = "http://purl.org/rss/1.0/"
_ATOM = "http://www.w3.org/2005/Atom"
_XHTML = "http://www.w3.org/1999/xhtml"
_XHTML_TYPE = "application/xhtml+xml"
# Namespaces whose declaration on the root sets feedparser's idea of the version (and so of HTML sniffing).
_VERSION_NAMESPACES = {"http://my.netscape.com/rdf/simple/0.9/", _RSS1, _ATOM.lower()}

# feedparser's names for namespaces (URI → the prefix it writes, "" for the core RSS/Atom ones).
_PREFIXES = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
# Every element name feedparser has a handler for; any other element is kept under its own name.
_HANDLED_BY_FEEDPARSER = {name.split("_", 2)[2].lower() for name in dir(StrictFeedParser)
                          if name.startswith(("_start_", "_end_"))}

# An entry's children read here, by feedparser's name for them → the key they fill.
_TEXTS = {"title": "title", "dc_title": "title", "description": "summary", "dc_description": "summary",
          "summary": "summary", "content": "content", "content_encoded": "content"}
_DATES = {"pubdate": "published", "published": "published", "issued": "published", "dcterms_issued": "published",
          "updated": "updated", "modified": "updated", "lastbuilddate": "updated", "dc_date": "updated",
          "dcterms_modified": "updated", "created": "created", "dcterms_created": "created"}
_AUTHORS = {"author", "dc_creator"}
_AUTHOR_PARTS = {"name": "name", "email": "email", "uri": "href"}
# Elements feedparser has a handler for that fill no key monitor reads, wherever they are in an entry.
_INERT = {
    "category", "enclosure", "keywords", "tags", "comments", "source", "generator", "info", "subtitle", "tagline",
    "rights", "copyright", "dc_rights", "dc_subject", "dc_language", "language", "dc_publisher", "webmaster",
    "expirationdate", "dcterms_valid", "cc_license", "creativecommons_license", "newlocation", "cloud",
    "contributor", "media_content", "media_thumbnail", "media_group", "media_category", "media_keywords",
    "media_credit", "media_rating", "media_restriction", "media_license", "media_player", "itunes_image",
    "itunes_explicit", "itunes_block", "itunes_category", "itunes_keywords", "itunes_subtitle",
    "georss_point", "georss_line", "georss_polygon", "georss_box", "georss_where", "where", "geom", "georssgeom",
    "gml_point", "gml_pos", "gml_linestring", "gml_poslist", "gml_polygon", "gml_exterior", "gml_linearring",
    "psc_chapters", "psc_chapter", "width", "height",
}
# Children of a feed's image or text input that keep feedparser inside it (anything else makes it forget).
_IMAGE_PARTS = {"title", "link", "description", "url", "href", "width", "height"}
_TEXTINPUT_PARTS = {"title", "link", "description", "name"}


class Unsure(Exception):
    """Why the fast reader leaves a body to feedparser."""


def read(body: bytes, url: str, content_type: str) -> dict[str, Any]:
    """The feed as feedparser would give it (version, bozo, feed title, entries with the keys monitor reads);
    Unsure when this reader cannot be sure of that."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    result: dict[str, Any] = {}
    data = convert_to_utf8(headers, body, result)
    if not result.get("encoding"):
        raise Unsure("character encoding unknown")  # feedparser reads it with its lenient parser
    _, data, _ = replace_doctype(data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise Unsure(f"not well-formed XML ({exc})") from None
    if parser.error_log:
        raise Unsure(f"XML with errors ({parser.error_log.last_error})")
    if root.getroottree().docinfo.internalDTD is not None:
        raise Unsure("entities declared in a DOCTYPE")
    base = make_safe_absolute_uri("", url) or make_safe_absolute_uri(url) or ""
    base = make_safe_absolute_uri(base, base) or base  # as feedparser's first element leaves it
    feed = _Reader(root, base).feed()
    feed["bozo"] = bool(result.get("bozo"))
    if feed["bozo"]:
        feed["bozo_exception"] = result.get("bozo_exception")
    return feed


class _Reader:
    def __init__(self, root: etree._Element, base: str) -> None:
        self.root = root
        self.base = base
        self.names: dict[str, str] = {}
        # the element holding the entries, the one holding the feed's title, the entries' name
        self.version, self.container, self.head, self.entry_name = self._kind(root)
        self.atom = self.version == "atom10"

    def _kind(self, root: etree._Element) -> tuple[str, etree._Element, etree._Element, str]:
        declared = {uri.lower() for uri in root.nsmap.values()}
        if root.tag == "rss":
            channels = [c for c in root if c.tag == "channel"]
            if len(channels) != 1:
                raise Unsure(f"RSS with {len(channels)} channels")
            return "rss20", channels[0], channels[0], "item"
        # feedparser takes the version from the first of these namespaces declared: only one on the root
        if root.tag == f"{{{_RDF}}}RDF" and declared & _VERSION_NAMESPACES == {_RSS1}:
            channels = [c for c in root if c.tag == f"{{{_RSS1}}}channel"]
            if len(channels) != 1:
                raise Unsure(f"RSS 1.0 with {len(channels)} channels")
            return "rss10", root, channels[0], "item"
        if root.tag == f"{{{_ATOM}}}feed" and declared & _VERSION_NAMESPACES == {_ATOM.lower()}:
            return "atom10", root, root, "entry"
        raise Unsure(f"not RSS 2.0, RSS 1.0 or Atom 1.0 (root {root.tag}, namespaces {sorted(declared)})")

    def name(self, element: etree._Element) -> str:
        """feedparser's name for an element (`dc_creator`, `title`); a name it might read otherwise is unsure."""
        tag = element.tag
        known = self.names.get(tag)
        if known is not None:
            return known
        namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        local = local.lower()
        if "backend.userland.com/rss" in namespace.lower():
            prefix: str | None = ""
        else:
            prefix = _PREFIXES.get(namespace.lower())
        if prefix is None:
            # an unknown namespace: feedparser names the element by the prefix the document declared for it
            # (turbo:content is turbo_content), by its local name alone when it has none
            prefixed = f"{element.prefix}_{local}".lower() if element.prefix else local
            if prefixed in _HANDLED_BY_FEEDPARSER:
                raise Unsure(f"{tag} in an unknown namespace has a name feedparser reads")
            name = f"?{prefixed}"  # matches no name below
        else:
            name = f"{prefix}_{local}" if prefix else local
        self.names[tag] = name
        return name

    def feed(self) -> dict[str, Any]:
        entries = []
        feed_title: etree._Element | None = None
        for element in self.root.iter():
            for attribute in element.attrib:
                if attribute.rpartition("}")[2].lower() == "base":
                    raise Unsure("xml:base")  # it moves feedparser's base for relative addresses
            name = self.name(element)
            parent = element.getparent()
            if name in ("item", "entry"):
                if parent is not self.container or name != self.entry_name:
                    raise Unsure(f"{name} outside its place")
                entries.append(self.entry(element))
            elif name in ("image", "textinput"):
                allowed = _IMAGE_PARTS if name == "image" else _TEXTINPUT_PARTS
                for part in element.iterdescendants():
                    if "_" not in self.name(part) and self.name(part) not in allowed:
                        # feedparser would leave the image and file its title as the feed's
                        raise Unsure(f"{self.name(part)} in {name}")
            elif name in ("title", "dc_title", "media_title"):
                if parent is self.head:
                    if feed_title is not None or name != "title":
                        raise Unsure(f"feed title as {name}, or twice")
                    feed_title = element
                elif parent is None or self.name(parent) not in (self.entry_name, "image", "textinput"):
                    raise Unsure(f"{name} in {'no element' if parent is None else self.name(parent)}")
        if not entries:
            raise Unsure("no entries")  # nothing gained; feedparser tells an empty feed from a broken one
        title = self.content(feed_title, "title", "text/plain") if feed_title is not None else ""
        return {"version": self.version, "feed": {"title": title}, "entries": entries}

    def entry(self, item: etree._Element) -> dict[str, Any]:
        """One entry's keys, read as feedparser's handlers would fill them, child by child in document order."""
        for attribute in item.attrib:
            if attribute.rpartition("}")[2].lower() in ("lastmod", "href"):
                raise Unsure(f"{attribute} on an entry")  # CDF attributes feedparser reads as a date and a link
        entry: dict[str, Any] = {}
        about = item.get(f"{{{_RDF}}}about")
        if about:
            entry["id"] = about
        seen: set[str] = set()
        for child in item:
            name = self.name(child)
            if name in _TEXTS:
                key = _TEXTS[name]
                if key in seen and key != "content":
                    # feedparser keeps the first title; a second summary becomes content
                    raise Unsure(f"a second {key} ({name})")
                seen.add(key)
                self.read_text(entry, child, name, key)
            elif name == "link":
                self.read_link(entry, child)
            elif name in ("guid", "id"):
                self.read_id(entry, child)
            elif name in _DATES:
                key = _DATES[name]
                entry[key] = value = self.text(child, key, None)
                entry[f"{key}_parsed"] = _parse_date(value)
            elif name in _AUTHORS:
                if "author" in seen:
                    raise Unsure("a second author")  # feedparser mixes the second's details with the first's
                seen.add("author")
                entry["author"] = self.author(child)
            else:
                self.inert(child)
        return entry

    def inert(self, element: etree._Element) -> None:
        """An element that fills no key monitor reads, nor do any inside it."""
        name = self.name(element)
        if name in _HANDLED_BY_FEEDPARSER and name not in _INERT:
            raise Unsure(f"{name} in {self.name(element.getparent())}")
        for child in element:
            if name == "contributor" and self.name(child) in _AUTHOR_PARTS:
                continue
            self.inert(child)

    def text(self, element: etree._Element, key: str, content_type: str | None) -> str:
        """The value feedparser's pop() gives for a text element under `key` (its name for the element)."""
        if content_type == _XHTML_TYPE:
            value = _xhtml(element).strip()
        elif len(element):
            raise Unsure(f"markup inside {key}")  # not escaped: feedparser rebuilds it as XHTML
        else:
            value = (element.text or "").strip()
        if key in _FeedParserMixin.can_be_relative_uri and value:
            value = _urljoin(self.base, value)
        if not self.atom and content_type == "text/plain" and _FeedParserMixin.looks_like_html(value):
            content_type = "text/html"
        if (content_type or "text/html") in _FeedParserMixin.html_types and \
                key in _FeedParserMixin.can_contain_relative_uris and ("<" in value or "&" in value):
            # feedparser rewrites the markup (its text too: `<p/>` becomes `<p></p>`); text without tags
            # or references it copies as it is
            value = resolve_relative_uris(value, self.base, "utf-8", content_type or "text/html")
        return _repaired(value)

    def content(self, element: etree._Element, key: str, default_type: str) -> str:
        """A text construct (title, summary, content) as feedparser reads it in its media type."""
        content_type = _content_type(element, default_type)
        if content_type == _XHTML_TYPE and not self.atom:
            raise Unsure(f"XHTML {key} outside Atom")
        return self.text(element, key, content_type)

    def read_text(self, entry: dict[str, Any], element: etree._Element, name: str, key: str) -> None:
        default = "text/html" if name in ("description", "dc_description", "content_encoded") else "text/plain"
        value = self.content(element, "description" if key == "summary" and name != "summary" else key, default)
        if key == "content":
            entry.setdefault("content", []).append({"value": value})
            entry.setdefault("summary", value)
        else:
            entry[key] = value

    def read_link(self, entry: dict[str, Any], element: etree._Element) -> None:
        attributes = _attributes(element)
        attributes.setdefault("rel", "alternate")
        attributes.setdefault("type", "application/atom+xml" if attributes["rel"] == "self" else "text/html")
        href = attributes.get("url", attributes.get("uri", attributes.get("href")))
        if href:
            attributes["href"] = href
        if "href" in attributes:
            if attributes["rel"] == "alternate" and \
                    _FeedParserMixin.map_content_type(attributes["type"]) in _FeedParserMixin.html_types:
                entry["link"] = _urljoin(self.base, attributes["href"])
            if len(element) or (element.text or "").strip():
                raise Unsure("a link with both an address and text")
            return
        value = self.text(element, "link", None).replace("&amp;", "&")
        entry["link"] = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", value)

    def read_id(self, entry: dict[str, Any], element: etree._Element) -> None:
        is_link = _attributes(element).get("ispermalink", "true") == "true"
        value = self.text(element, "id", None) if is_link else _repaired((element.text or "").strip())
        if len(element):
            raise Unsure("markup inside id")
        entry["id"] = value
        if is_link:
            entry.setdefault("link", value)

    def author(self, element: etree._Element) -> str:
        detail: dict[str, str] = {}
        for child in element:
            part = _AUTHOR_PARTS.get(self.name(child))
            if part is None:
                self.inert(child)
                continue
            if len(child):
                raise Unsure(f"markup inside the author's {part}")
            value = (child.text or "").strip()
            detail[part] = _repaired(_urljoin(self.base, value)) if part == "href" and value else value
        # feedparser gathers the author's own text, around its parts
        value = _repaired(((element.text or "") + "".join(child.tail or "" for child in element)).strip())
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            return f"{name} ({email})"
        return name or email or value


def _content_type(element: etree._Element, default: str) -> str:
    """A text element's media type as feedparser reads it; unsure of any but plain text, HTML and XHTML."""
    attributes = _attributes(element)
    if "mode" in attributes or "src" in attributes:
        raise Unsure("base64 or out-of-line content")
    content_type = _FeedParserMixin.map_content_type(attributes.get("type", default))
    if content_type not in ("text/plain", "text/html", _XHTML_TYPE):
        raise Unsure(f"content of type {content_type}")
    return content_type


def _xhtml(element: etree._Element) -> str:
    """Inline XHTML as feedparser writes it out: tags in lower case with their attributes, text escaped, empty
    elements opened and closed, and a <div> that wraps it all left out."""
    pieces = [escape(element.text)] if element.text else []
    for child in element:
        _xhtml_pieces(child, pieces)
    while len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if pieces and (pieces[0] == "<div>" or pieces[0].startswith("<div ")) and pieces[-1] == "</div>":
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    break  # the first <div> closes before the end: it wraps only part
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        else:
            pieces = pieces[1:-1]
    return "".join(pieces)


def _xhtml_pieces(element: etree._Element, pieces: list[str]) -> None:
    namespace, _, local = element.tag[1:].partition("}") if element.tag.startswith("{") else ("", "", element.tag)
    tag = local.lower()
    # feedparser calls its end-tag handlers inside content too (</title>, </source>, </body> would act);
    # only XHTML elements are read, and none that names a handler or starts SVG or MathML
    if namespace != _XHTML or tag in ("body", "svg", "math"):
        raise Unsure(f"{tag} in XHTML content")
    attributes = "".join(f' {name}="{escape(value, {chr(34): "&quot;"})}"'
                         for name, value in _attributes(element).items())
    pieces.append(f"<{tag}{attributes}>")
    if element.text:
        pieces.append(escape(element.text))
    for child in element:
        _xhtml_pieces(child, pieces)
    pieces.append(f"</{tag}>")
    if element.tail:
        pieces.append(escape(element.tail))


def _attributes(element: etree._Element) -> dict[str, str]:
    """An element's attributes under feedparser's names: lower case, known namespaces by their prefix, `rel`
    and `type` values lower case."""
    out = {}
    for key, value in element.attrib.items():
        namespace, _, local = key[1:].rpartition("}") if key.startswith("{") else ("", "", key)
        prefix = _PREFIXES.get(namespace.lower(), "") if namespace else ""
        name = (f"{prefix}:{local}" if prefix else local).lower()
        out[name] = value.lower() if name in ("rel", "type") else value
    return out


def _repaired(value: str) -> str:
    """feedparser's last steps for every text: UTF-8 read as Latin-1 undone, cp1252 code points mapped."""
    if value.isascii():
        return value  # both steps leave ASCII as it is
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252)
