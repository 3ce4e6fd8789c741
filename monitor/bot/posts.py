"""Posts of channels the bot administers (channel_post / edited_channel_post updates) → ChannelPosts: here,
because only the bot package reads Telegram's types."""

from __future__ import annotations

from datetime import UTC

from telegram import Chat, Message

from monitor.core.html import POST_TITLE_CHARS, html_to_text, media_title, one_line, title_from_text
from monitor.core.urls import fingerprint
from monitor.models import ChannelPost, Item

# What a post without text shows instead, so it is not lost: (Message attribute, description).
_MEDIA = (("photo", "photo"), ("video", "video"), ("video_note", "round video"), ("animation", "GIF"),
          ("voice", "voice message"), ("audio", "audio"), ("document", "file"), ("sticker", "sticker"),
          ("poll", "poll"), ("location", "location"))


def source_url(chat: Chat) -> str:
    return f"tg://channel/{chat.id}"


def post_link(chat: Chat, message_id: int) -> str:
    """t.me/NAME/ID for public channels; t.me/c/ID/… (members only) for private ones."""
    if chat.username:
        return f"https://t.me/{chat.username}/{message_id}"
    internal = str(chat.id).removeprefix("-100")
    return f"https://t.me/c/{internal}/{message_id}"


def read_post(message: Message) -> ChannelPost:
    """The parts of a channel post monitor stores; link targets kept, media-only posts described and
    titled by their channel ("Photo from Newsroom"), control characters stripped."""
    chat = message.chat
    name = one_line(chat.title or "") or (f"@{chat.username}" if chat.username else str(chat.id))
    markup = message.text_html if message.text else (message.caption_html if message.caption else "")
    text = headline = html_to_text(markup, keep_links=True)  # a photo's caption is its text
    if not text:
        kinds = [label for attribute, label in _MEDIA if getattr(message, attribute, None)]
        text = f"[{', '.join(kinds) or 'media'}]" + (f" {one_line(message.poll.question)}" if message.poll else "")
        headline = text if message.poll else media_title(kinds, name)
    origin = message.forward_origin
    forwarded = None
    if origin is not None:
        forwarded = one_line(getattr(getattr(origin, "chat", None), "title", None)
                             or getattr(getattr(origin, "sender_user", None), "full_name", None)
                             or getattr(origin, "sender_user_name", None) or "") or None
    link = post_link(chat, message.message_id)
    item = Item(key=f"post:{message.message_id}", url=link, canonical_url=link,
                title=title_from_text(headline, POST_TITLE_CHARS), text=text,
                published_at=message.date.astimezone(UTC), fingerprint=fingerprint("", text),
                author=one_line(message.author_signature or "") or None, forwarded_from=forwarded)
    return ChannelPost(source_url(chat), name, item, message.message_id)
