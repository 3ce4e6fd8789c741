"""t.me/s-style channel preview pages written for monitor's tests, in the markup Telegram serves
(the structure of ../shared/fixtures/tme-preview/full.html), with pagination by `?before=ID`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from urllib.parse import parse_qs, urlsplit

from tests.fakes.feed_server import FeedServer, Route

PAGE_SIZE = 20


@dataclass
class FakePost:
    id: int
    html: str = ""  # inner HTML of .tgme_widget_message_text; "" for media-only posts
    at: datetime | None = None
    views: str = "1.2K"
    forwarded_from: str | None = None
    media: str = ""  # extra markup inside the bubble (photo, video, poll ...)


@dataclass
class FakeChannel:
    name: str
    title: str = "Test channel"
    posts: list[FakePost] = field(default_factory=list)

    def add(self, count: int, start_id: int | None = None, gap: int = 1) -> list[FakePost]:
        """Append `count` text posts with ids `gap` apart."""
        next_id = start_id or ((self.posts[-1].id + gap) if self.posts else 100)
        added = []
        for n in range(count):
            post_id = next_id + n * gap
            at = datetime(2023, 6, 24, 6, 0, tzinfo=UTC) + timedelta(minutes=post_id)
            added.append(FakePost(post_id, f"Post number {post_id} of {self.name}<br/>Second line &amp; more", at))
        self.posts.extend(added)
        return added

    def page(self, before: int | None = None) -> str:
        older = [p for p in self.posts if before is None or p.id < before]
        shown = sorted(older, key=lambda p: p.id)[-PAGE_SIZE:]
        more = ""
        if shown and any(p.id < shown[0].id for p in self.posts):
            more = (f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/{self.name}?before='
                    f'{shown[0].id}" class="tme_messages_more js-messages_more" data-before="{shown[0].id}"></a></div>')
        body = "\n".join(self._message(p) for p in shown)
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{escape(self.title)} – Telegram</title></head>
<body><div class="tgme_channel_info"><div class="tgme_channel_info_header">
<div class="tgme_channel_info_header_title"><span dir="auto">{escape(self.title)}</span></div></div></div>
<main class="tgme_main"><section class="tgme_channel_history js-message_history">{more}
{body}
</section></main></body></html>"""

    def _message(self, post: FakePost) -> str:
        at = (post.at or datetime(2023, 6, 24, tzinfo=UTC)).isoformat()
        forwarded = (f'<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from&nbsp;<a '
                     f'class="tgme_widget_message_forwarded_from_name" href="https://t.me/x"><span dir="auto">'
                     f'{escape(post.forwarded_from)}</span></a></div>') if post.forwarded_from else ""
        text = (f'<div class="tgme_widget_message_text js-message_text" dir="auto">{post.html}</div>'
                if post.html else "")
        return f"""<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{self.name}/{post.id}">
<div class="tgme_widget_message_bubble">{forwarded}{post.media}{text}
<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short">
<span class="tgme_widget_message_views">{post.views}</span><span class="tgme_widget_message_meta">
<a class="tgme_widget_message_date" href="https://t.me/{self.name}/{post.id}"><time datetime="{at}"
class="time">06:00</time></a></span></div></div></div></div></div>"""


def serve_channel(server: FeedServer, channel: FakeChannel) -> None:
    """Serve /s/NAME and /s/NAME?before=ID from the channel's current posts."""

    def make(path: str) -> Route:
        before = parse_qs(urlsplit(path).query).get("before", [None])[0]
        return Route(body=channel.page(int(before) if before else None).encode(),
                     content_type="text/html; charset=utf-8", etag="")

    server.set_dynamic(f"/s/{channel.name}", make)
