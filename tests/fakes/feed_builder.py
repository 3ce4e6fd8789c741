"""Small RSS 2.0 / Atom / RSS 1.0 documents made from dicts, for tests and benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape


def entry(n: int, *, base: str = "https://news.example.org", at: datetime | None = None, **over) -> dict:
    """A plausible news entry number n."""
    at = at or datetime(2023, 6, 24, 6, 0, tzinfo=UTC) + timedelta(minutes=n)
    data = {
        "guid": f"{base}/story/{n}",
        "link": f"{base}/story/{n}?utm_source=rss&utm_medium=feed",
        "title": f"Report {n}: officials describe the situation in the region",
        "summary": f"<p>Paragraph one of report {n} &amp; more.</p><p>Paragraph two with <b>bold</b> words.</p>",
        "published": at,
    }
    data.update(over)
    return data


def rss2(entries: list[dict], title: str = "Example News") -> str:
    items = []
    for e in entries:
        parts = [f"<title>{escape(e['title'])}</title>"]
        if e.get("link"):
            parts.append(f"<link>{escape(e['link'])}</link>")
        if e.get("guid"):
            parts.append(f'<guid isPermaLink="false">{escape(e["guid"])}</guid>')
        if e.get("summary") is not None:
            parts.append(f"<description>{escape(e['summary'])}</description>")
        if e.get("published"):
            parts.append(f"<pubDate>{format_datetime(e['published'])}</pubDate>")
        items.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.org/</link><description>news</description>"
        + "\n".join(items) + "</channel></rss>"
    )


def atom(entries: list[dict], title: str = "Example Atom") -> str:
    out = []
    for e in entries:
        published = e["published"].isoformat().replace("+00:00", "Z")
        out.append(
            f"<entry><id>{escape(e.get('guid') or e['link'])}</id><title>{escape(e['title'])}</title>"
            f'<link rel="alternate" href="{escape(e["link"])}"/>'
            f"<updated>{published}</updated><published>{published}</published>"
            f'<summary type="html">{escape(e.get("summary") or "")}</summary></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:example:atom</id><updated>2023-06-24T12:00:00Z</updated>"
        + "\n".join(out) + "</feed>"
    )
