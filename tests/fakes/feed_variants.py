"""Seeded feeds of every kind monitor reads, in the shapes real servers send: RSS 2.0, RSS 1.0 and Atom 1.0 with
HTML in descriptions, CDATA, entities, missing fields, relative links, odd dates, several enclosures, authors
with addresses, other encodings and media types, and now and then something a lenient parser has to forgive.
For comparing the two ways monitor reads a feed (tests/test_feed_paths.py, benchmarks/parsing.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

BASE = datetime(2024, 5, 14, 6, 0, tzinfo=UTC)
WORDS = ("officials", "said", "talks", "minister", "region", "report", "city", "police", "budget", "energy",
         "court", "election", "Rostov", "Moscow", "Kyiv", "Berlin", "café", "naïve", "résumé", "Привет", "мир",
         "новости", "Україна")
CONTENT_TYPES = ("application/rss+xml", "application/xml; charset=utf-8", "text/xml", "text/html", "",
                 "application/atom+xml", "text/xml; charset=utf-8")


def variant(seed: int) -> tuple[bytes, str]:
    """Feed number `seed`: its body and the Content-Type it is served with."""
    rnd = random.Random(seed)
    kind = rnd.choice(("rss2", "rss2", "rss2", "atom", "rss1"))
    entries = [_entry(rnd, seed, n) for n in range(rnd.randint(1, 12))]
    text = {"rss2": _rss2, "atom": _atom, "rss1": _rss1}[kind](rnd, entries)
    if rnd.random() < 0.03:  # a control character a lenient parser forgives and a strict one refuses
        text = text.replace("</title>", "\x0b</title>", 1)
    if rnd.random() < 0.02:  # an HTML entity XML does not define
        text = text.replace("</description>", "&nbsp;</description>", 1)
    if rnd.random() < 0.02:  # cut short
        text = text[: len(text) * 2 // 3]
    encoding = rnd.choice(("utf-8",) * 8 + ("windows-1251", "iso-8859-1"))
    if encoding != "utf-8":
        text = text.replace('encoding="utf-8"', f'encoding="{encoding}"', 1)
    return text.encode(encoding, "xmlcharrefreplace"), rnd.choice(CONTENT_TYPES)


def _words(rnd: random.Random, low: int, high: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(low, high)))


def _entry(rnd: random.Random, seed: int, n: int) -> dict:
    path = f"/{2024}/05/{seed}-{n}"
    host = rnd.choice(("https://news.example.org", "http://www.example.com", "https://example.net:8443"))
    link = rnd.choice((host + path, host + path + "?utm_source=rss&amp;id=7", path, path[1:], "../up" + path,
                       f"  {host}{path}\n", "", None, host + path + "#frag"))
    when = BASE + timedelta(minutes=rnd.randint(-5000, 5000))
    date = rnd.choice((
        format_datetime(when), format_datetime(when).replace("+0000", "GMT"), format_datetime(when, usegmt=True),
        when.strftime("%a, %d %b %Y %H:%M:%S EST"), when.isoformat(), when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        when.strftime("%Y-%m-%d %H:%M"), when.strftime("%d %b %Y"), "yesterday", "", None,
        format_datetime(datetime.now(UTC) + timedelta(days=3)), "Mon, 31 Feb 2024 10:00:00 +0000",
    ))
    words = _words(rnd, 8, 40)
    summary = rnd.choice((
        f"<p>{words} &amp; more.</p><p>Second <b>bold</b> <a href=\"{path}\">link</a>.</p>",
        f"<p>{words}</p><script>track()</script><img src=\"/pic.jpg\"/>",
        f"{words} &nbsp; &mdash; &#147;quoted&#148; a &lt; b",
        words, f"<div>{words}<br>line<br/>two &copy; 2024</div>", "", None, "<p><img src='only.jpg'></p>",
        f"  \n {words}  \n", f"<ul><li>{words}</li><li>two</li></ul>", "<p>Tom & Jerry < 3</p>",
    ))
    return {
        "title": "<b>Naked</b> markup" if rnd.random() < 0.01 else rnd.choice((
                             _words(rnd, 3, 12), f"{_words(rnd, 2, 5)} &amp; co", "&lt;b&gt;Bold&lt;/b&gt; claim",
                             f"Fish &amp; chips &#8212; {_words(rnd, 1, 3)}", "", None, "  spaced \n title ",
                             "A &lt;tag&gt; in text", "Caf\u00c3\u00a9 mojibake", "Quote \u0093here\u0094",
                             _words(rnd, 30, 40))),
        "link": link,
        "guid": rnd.choice((host + path, f"urn:uuid:{seed}-{n}", f"tag:example.org,2024:{seed}-{n}", str(n),
                            None, None)),
        "permalink": rnd.choice((None, "true", "false", "False")),
        "summary": summary,
        "cdata": rnd.random() < 0.3,
        "content": rnd.choice((None, None, f"<p>{_words(rnd, 20, 60)}</p><p>{words}</p>", "<p></p>")),
        "date": date,
        "date_tag": rnd.choice(("pubDate", "pubDate", "dc:date")),
        "author": rnd.choice((None, None, "Jane Doe", "jane@example.org (Jane Doe)", "jane@example.org",
                              "<Jane>")),
        "enclosures": rnd.randint(0, 3) if rnd.random() < 0.3 else 0,
        "categories": [rnd.choice(WORDS) for _ in range(rnd.randint(0, 3))],
        "media": rnd.random() < 0.2,
        "extensions": rnd.random() < 0.1,
        "atom_type": rnd.choice(("html", "text", None)),
    }


def _text(tag: str, value: str | None, cdata: bool = False, attrs: str = "") -> str:
    if value is None:
        return ""
    if cdata and "]]>" not in value:
        return f"<{tag}{attrs}><![CDATA[{value}]]></{tag}>"
    return f"<{tag}{attrs}>{escape(value)}</{tag}>"


def _raw(tag: str, value: str | None, attrs: str = "") -> str:
    """An element whose value is already XML text (entities as written)."""
    return "" if value is None else f"<{tag}{attrs}>{value}</{tag}>"


NAMESPACES = ('xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
              'xmlns:media="http://search.yahoo.com/mrss/" xmlns:turbo="http://turbo.yandex.ru" '
              'xmlns:yandex="http://news.yandex.ru"')


def _extras(e: dict) -> str:
    out = "".join(f'<enclosure url="https://cdn.example.org/{i}.mp3" length="{i}000" type="audio/mpeg"/>'
                  for i in range(e["enclosures"]))
    out += "".join(f"<category>{escape(c)}</category>" for c in e["categories"])
    if e["media"]:
        out += '<media:content url="https://cdn.example.org/p.jpg" medium="image"/>' \
               '<media:thumbnail url="https://cdn.example.org/t.jpg"/>'
    if e["extensions"]:  # elements of namespaces feedparser does not know, named like ones it reads
        out += f"<yandex:full-text>{escape(e['summary'] or '')}</yandex:full-text>" \
               f"<turbo:content><![CDATA[<p>{e['title'] or ''}</p>]]></turbo:content>"
    return out


def _rss2(rnd: random.Random, entries: list[dict]) -> str:
    items = []
    for e in entries:
        guid_attrs = f" isPermaLink={quoteattr(e['permalink'])}" if e["permalink"] else ""
        parts = [_raw("title", e["title"]), _raw("link", e["link"]), _text("guid", e["guid"], attrs=guid_attrs),
                 _text("description", e["summary"], e["cdata"]), _text("content:encoded", e["content"], True),
                 _text(e["date_tag"], e["date"]), _text(rnd.choice(("author", "dc:creator")), e["author"]),
                 _extras(e)]
        rnd.shuffle(parts)
        items.append("<item>" + "".join(parts) + "</item>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {NAMESPACES}><channel>'
            f"{_raw('title', rnd.choice(('Example &amp; News', 'Новости', '&lt;b&gt;Bold&lt;/b&gt; feed', '')))}"
            "<link>https://news.example.org/</link><description>news</description>"
            + "\n".join(items) + "</channel></rss>")


def _atom(rnd: random.Random, entries: list[dict]) -> str:
    out = []
    for e in entries:
        type_attr = f' type="{e["atom_type"]}"' if e["atom_type"] else ""
        links = ""
        if e["link"] is not None:
            links += f'<link rel="alternate" type="text/html" href={quoteattr(e["link"].strip())}/>'
        if rnd.random() < 0.4:
            links += '<link rel="related" href="https://other.example.org/x"/><link rel="self" href="/self"/>'
        summary = e["summary"] if e["atom_type"] != "text" else e["summary"] and e["summary"].replace("<", "")
        parts = [_text("id", e["guid"] or f"urn:x:{id(e)}"), _raw("title", e["title"], attrs=type_attr), links,
                 _text("summary", summary, e["cdata"], attrs=type_attr),
                 _xhtml(rnd, e["content"]) if rnd.random() < 0.3 else
                 _text("content", e["content"], attrs=' type="html"'),
                 _text(rnd.choice(("published", "updated")), e["date"])]
        if e["author"]:
            parts.append(f"<author><name>{escape(e['author'])}</name>"
                         + ("<email>jane@example.org</email>" if rnd.random() < 0.5 else "")
                         + ("<uri>/jane</uri>" if rnd.random() < 0.3 else "") + "</author>")
        parts.append(_extras(e).replace("<enclosure", '<link rel="enclosure"').replace("url=", "href="))
        rnd.shuffle(parts)
        out.append("<entry>" + "".join(parts) + "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" {NAMESPACES}>'
            f"{_raw('title', rnd.choice(('Atom &amp; Eve', 'Лента', '')))}<id>urn:example:feed</id>"
            "<updated>2024-05-15T12:00:00Z</updated>" + "\n".join(out) + "</feed>")


XHTML = ('<div xmlns="http://www.w3.org/1999/xhtml">{}</div>', '\n  <div xmlns="http://www.w3.org/1999/xhtml">{}</div>\n',
         '<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml"><xhtml:p>{}</xhtml:p></xhtml:div>',
         '<p xmlns="http://www.w3.org/1999/xhtml">{}</p><p xmlns="http://www.w3.org/1999/xhtml">two</p>',
         'Lead <div xmlns="http://www.w3.org/1999/xhtml">{}</div>',
         '<div xmlns="http://www.w3.org/1999/xhtml"><div>{}</div><div>next</div></div>',
         '<div xmlns="http://www.w3.org/1999/xhtml"><p class="Lead" Title="x&amp;y">{}</p><br/><img src="/a.png"/>'
         '<a href="/rel">link</a> &amp; &lt;tail&gt; <p/></div>')


def _xhtml(rnd: random.Random, content: str | None) -> str:
    """Atom content as inline XHTML, with or without the wrapping <div>."""
    words = escape(content.replace("<p>", "").replace("</p>", " ")) if content else "words &amp; more"
    return f'<content type="xhtml">{rnd.choice(XHTML).format(words)}</content>'


def _rss1(rnd: random.Random, entries: list[dict]) -> str:
    items = []
    for n, e in enumerate(entries):
        about = e["link"].strip() if e["link"] else f"https://news.example.org/rdf/{n}"
        parts = [_raw("title", e["title"]), _raw("link", e["link"]), _text("description", e["summary"], e["cdata"]),
                 _text("dc:date", e["date"]), _text("dc:creator", e["author"]),
                 _text("content:encoded", e["content"], True)]
        rnd.shuffle(parts)
        items.append(f"<item rdf:about={quoteattr(about)}>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
            f'{NAMESPACES}><channel rdf:about="https://news.example.org/"><title>RDF news</title>'
            "<link>https://news.example.org/</link><description>d</description></channel>"
            + "\n".join(items) + "</rdf:RDF>")
