"""The sender: every message monitor sends goes through here, so rate limits, Telegram's errors and
blocked chats are handled in one place (the outbox will sit in front of it).

- 429: wait `retry_after`, then try again;
- network trouble and 5xx: retry with growing waits, then give up and log;
- 403 (blocked, kicked, chat gone): the subscriber is marked inactive; /start makes it active again;
- an edit that changes nothing is not an error.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from monitor.storage.store import Store

log = logging.getLogger("monitor.delivery")

MAX_ATTEMPTS = 4
FIRST_BACKOFF_S = 1.0
MAX_RETRY_AFTER_S = 300.0  # a longer flood wait is not sat out by one message


def _wait_s(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta: both are handled
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Sender:
    def __init__(self, bot: Bot, store: Store, backoff_s: float = FIRST_BACKOFF_S) -> None:
        self.bot = bot
        self.store = store
        self.backoff_s = backoff_s
        self.in_flight = 0  # messages being sent right now (for /status)

    async def send(self, chat_id: int, text: str, *, thread_id: int | None = None, previews: bool = False,
                   markup: InlineKeyboardMarkup | None = None) -> int | None:
        """Send a message; its id, or None if it could not be delivered (the reason is logged)."""
        message = await self._call(chat_id, lambda: self.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, message_thread_id=thread_id, reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=not previews)))
        return None if message is None else message.message_id

    async def edit(self, chat_id: int, message_id: int, text: str, *, previews: bool = False,
                   markup: InlineKeyboardMarkup | None = None) -> bool:
        """Replace a sent message's text; False if it could not be edited."""
        done = await self._call(chat_id, lambda: self.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML, reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=not previews)), unchanged_ok=True)
        return done is not None

    async def _call(self, chat_id: int, request: Callable[[], Awaitable], unchanged_ok: bool = False):
        self.in_flight += 1
        try:
            wait_s = self.backoff_s
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    return await request()
                except RetryAfter as exc:
                    delay = _wait_s(exc)
                    if delay > MAX_RETRY_AFTER_S or attempt == MAX_ATTEMPTS:
                        log.warning("delivery: chat=%s flood wait of %gs; message dropped", chat_id, delay)
                        return None
                    log.info("delivery: chat=%s Telegram asks to wait %gs", chat_id, delay)
                    await asyncio.sleep(delay)
                except Forbidden as exc:
                    reason = exc.message.removeprefix("Forbidden: ")
                    await self.store.deactivate(chat_id, f"blocked: {reason}", datetime.now(UTC))
                    log.info("delivery: chat=%s refuses messages (%s); marked inactive", chat_id, reason)
                    return None
                except ChatMigrated as exc:
                    log.warning("delivery: chat=%s became supergroup %s; it must /start there", chat_id,
                                exc.new_chat_id)
                    return None
                except BadRequest as exc:
                    if unchanged_ok and "not modified" in exc.message.lower():
                        return True  # the message already says this
                    if "chat not found" in exc.message.lower():
                        await self.store.deactivate(chat_id, f"gone: {exc.message}", datetime.now(UTC))
                    log.warning("delivery: chat=%s Telegram refused the message: %s", chat_id, exc.message)
                    return None
                except NetworkError as exc:  # timeouts and 5xx answers
                    if attempt == MAX_ATTEMPTS:
                        log.warning("delivery: chat=%s not sent after %d tries: %s", chat_id, attempt, exc)
                        return None
                    await asyncio.sleep(wait_s)
                    wait_s *= 2
                except TelegramError as exc:
                    log.warning("delivery: chat=%s Telegram error: %s", chat_id, exc)
                    return None
            return None
        finally:
            self.in_flight -= 1
