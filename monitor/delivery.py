"""Delivery: every message monitor sends is written to the outbox first (storage), then sent here, then
marked sent with Telegram's message id. A restart resumes what is pending; a message is never queued
twice (idempotency keys), and one at a time is in flight, so a hard kill can repeat at most one.

- Telegram's limits: at most 30 messages in any second overall, one a second per private chat on
  average, 20 a minute per group (`Pacer`); a chat that must wait does not hold up the others.
- 429: everything pauses for the `retry_after` Telegram asks, then goes on.
- Network errors and 5xx: retried with growing waits, then marked failed with the reason.
- 403 (blocked, kicked) and "chat not found": the chat is gone (`on_chat_gone`: the subscriber becomes
  inactive and its pending messages are dropped; /start makes it active again).
- A group that became a supergroup: the chat moved (`on_chat_moved`), and the message goes there.
- An edit that changes nothing counts as done.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from monitor.models import Outgoing
from monitor.storage.outbox import OutboxRepository

log = logging.getLogger("monitor.delivery")

MAX_ATTEMPTS = 5  # network errors and 5xx: then the message is marked failed
FIRST_BACKOFF_S = 1.0
GLOBAL_PAUSE_S = 2.0  # after a 429 everything rests this long at most; the chat itself waits what Telegram asked
PRUNE_EVERY_S = 3600.0
KEEP_SENT = timedelta(days=7)  # sent, failed and dropped messages are kept this long (for /status and debugging)
OVERALL_PER_WINDOW = 30
# Counted from when each request was answered: the 31st-next request starts a second after the 1st was
# answered, so it also arrives a second after the 1st arrived, whatever the network or the event loop did.
OVERALL_WINDOW_S = 1.0
PRIVATE_BURST = 3  # a private chat: at most 3 messages in any 3 seconds (1 a second on average, short bursts)
GROUP_PER_MINUTE = 20


class Pacer:
    """Telegram's flood limits, as waits: how long a message to a chat must wait before it may go."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, overall: int = OVERALL_PER_WINDOW,
                 window_s: float = OVERALL_WINDOW_S, private_burst: int = PRIVATE_BURST,
                 group_per_minute: int = GROUP_PER_MINUTE) -> None:
        self.clock = clock
        self.overall, self.window_s = overall, window_s
        self.private_burst, self.group_per_minute = private_burst, group_per_minute
        self._sent: deque[float] = deque()  # send times within the last window
        self._chat_sent: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._chat_paused_until: dict[int, float] = {}

    def overall_wait_s(self) -> float:
        """How long until any message may go (a 429 pause, or the overall limit)."""
        now = self.clock()
        waits = [self._paused_until - now]
        while self._sent and now - self._sent[0] >= self.window_s:
            self._sent.popleft()
        if len(self._sent) >= self.overall:
            waits.append(self._sent[0] + self.window_s - now)
        return max(0.0, *waits)

    def wait_s(self, chat_id: int) -> float:
        now = self.clock()
        waits = [self.overall_wait_s(), self._chat_paused_until.get(chat_id, 0.0) - now]
        history = self._chat_sent.get(chat_id)
        if history:
            # a private chat (user ids are positive): `private_burst` per that many seconds; a group: 20 a minute
            limit, span_s = (self.private_burst, float(self.private_burst)) if chat_id > 0 else \
                (self.group_per_minute, 60.0)
            while history and now - history[0] >= span_s:
                history.popleft()
            if len(history) >= limit:
                waits.append(history[0] + span_s - now)
        return max(0.0, *waits)

    def record(self, chat_id: int) -> None:
        now = self.clock()
        self._sent.append(now)
        self._chat_sent.setdefault(chat_id, deque()).append(now)
        if len(self._chat_sent) > 50_000:  # forget chats idle for a minute
            for chat in [c for c, h in self._chat_sent.items() if not h or now - h[-1] > 60.0]:
                del self._chat_sent[chat]

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """Send nothing (to this chat, or at all) for a while."""
        until = self.clock() + seconds
        if chat_id is None:
            self._paused_until = max(self._paused_until, until)
        else:
            self._chat_paused_until[chat_id] = max(self._chat_paused_until.get(chat_id, 0.0), until)


def _wait_s(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta: both are handled
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Sender:
    """Sends what the outbox holds, most urgent first, within Telegram's limits, until stopped."""

    def __init__(self, bot: Bot, outbox: OutboxRepository, pacer: Pacer | None = None, *,
                 on_chat_gone: Callable[[int, str], Awaitable[int]],
                 on_chat_moved: Callable[[int, int], Awaitable[None]],
                 wake: asyncio.Event | None = None, backoff_s: float = FIRST_BACKOFF_S) -> None:
        """`on_chat_gone(chat, reason)`: the chat refuses messages; it returns how many pending ones it dropped.
        `on_chat_moved(old, new)`: a group became a supergroup. `wake`: set by whoever queues a message (the
        alerts and digests are built before the sender, which needs the chats they serve)."""
        self.bot = bot
        self.outbox = outbox
        self.pacer = pacer or Pacer()
        self.backoff_s = backoff_s
        self.on_chat_gone = on_chat_gone
        self.on_chat_moved = on_chat_moved
        self._wake = wake or asyncio.Event()

    def notify(self) -> None:
        """New messages are in the outbox: look now."""
        self._wake.set()

    async def queue(self, messages: list[Outgoing]) -> None:
        """Put messages in the outbox (those already there, by their keys, are not added again) and send them."""
        await self.outbox.enqueue(messages, datetime.now(UTC))
        self.notify()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; the message in flight then is finished and marked."""
        pruned_at = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - pruned_at > PRUNE_EVERY_S:
                    pruned_at = time.monotonic()
                    await self.outbox.prune(datetime.now(UTC) - KEEP_SENT)
                await self._pass(stop)
            except Exception:  # the store failing (disk full, locked too long): keep trying, never die silently
                log.exception("delivery: sending failed; trying again in 5 s")
                await self._sleep(stop, 5.0)

    async def _pass(self, stop: asyncio.Event) -> None:
        """Send what is due now, then wait until something else may be."""
        self._wake.clear()
        due = await self.outbox.pending(datetime.now(UTC))
        sent_any, soonest_s = False, None
        for message in due:
            overall_s = self.pacer.overall_wait_s()
            if overall_s > 0 and not self._wake.is_set():
                await self._sleep(stop, overall_s)
            if stop.is_set() or self._wake.is_set():
                break  # something more urgent may have come in: look again
            wait = self.pacer.wait_s(message.chat_id)
            if wait > 0:
                soonest_s = wait if soonest_s is None else min(soonest_s, wait)
                continue
            await self._deliver(message)
            sent_any = True
        if sent_any or self._wake.is_set() or stop.is_set():
            return
        retry_at = await self.outbox.next_retry_at(datetime.now(UTC))
        if retry_at is not None:
            retry_s = max(0.05, (retry_at - datetime.now(UTC)).total_seconds())
            soonest_s = retry_s if soonest_s is None else min(soonest_s, retry_s)
        await self._sleep(stop, soonest_s)

    async def _sleep(self, stop: asyncio.Event, timeout_s: float | None) -> None:
        waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _deliver(self, listed: Outgoing) -> None:
        if listed.id is None:  # listed from the outbox, so it has its id there
            raise ValueError("delivery: a message not queued in the outbox")
        outbox_id = listed.id
        message = await self.outbox.still_pending(outbox_id)  # as it stands now: its text may have grown
        if message is None:  # sent, or dropped (the chat blocked the bot, or /forget) since it was listed
            return
        chat_id = message.chat_id
        try:
            message_id = await self._request(message)
        except RetryAfter as exc:
            delay = _wait_s(exc)
            self.pacer.pause(delay, chat_id)
            self.pacer.pause(min(delay, GLOBAL_PAUSE_S))
            log.info("delivery: chat=%s Telegram asks to wait %gs", chat_id, delay)
            await self.outbox.mark_retry(outbox_id, datetime.now(UTC) + timedelta(seconds=delay),
                                         f"429: retry after {delay:g}s", count=False)
            return
        except Forbidden as exc:
            await self._gone(chat_id, "blocked: " + exc.message.removeprefix("Forbidden: "))
            return
        except ChatMigrated as exc:  # the group became a supergroup: everything moves there, and is sent again
            await self.on_chat_moved(chat_id, exc.new_chat_id)
            await self.outbox.mark_retry(outbox_id, datetime.now(UTC), f"moved to {exc.new_chat_id}", count=False)
            log.info("delivery: chat=%s became supergroup %s; its subscription moved", chat_id, exc.new_chat_id)
            return
        except BadRequest as exc:
            text = exc.message.lower()
            if message.kind == "edit" and "not modified" in text:  # the message already says this
                await self.outbox.mark_sent(message, message.edit_message_id, datetime.now(UTC))
            elif "chat not found" in text:
                await self._gone(chat_id, f"gone: {exc.message}")
            else:
                log.warning("delivery: chat=%s message=%s refused: %s", chat_id, outbox_id, exc.message)
                await self.outbox.mark_failed(outbox_id, f"400: {exc.message}", datetime.now(UTC))
            return
        except NetworkError as exc:  # timeouts, connection trouble, 5xx
            if message.attempts + 1 >= MAX_ATTEMPTS:
                log.warning("delivery: chat=%s message=%s failed after %d tries: %s", chat_id, outbox_id,
                            message.attempts + 1, exc)
                await self.outbox.mark_failed(outbox_id, f"network: {exc}", datetime.now(UTC))
            else:
                wait = self.backoff_s * 2 ** message.attempts
                await self.outbox.mark_retry(outbox_id, datetime.now(UTC) + timedelta(seconds=wait),
                                                   f"network: {exc}")
            return
        except TelegramError as exc:
            await self.outbox.mark_failed(outbox_id, f"telegram: {exc}", datetime.now(UTC))
            return
        await self.outbox.mark_sent(message, message_id, datetime.now(UTC))

    async def _request(self, message: Outgoing) -> int | None:
        try:
            return await self._send(message)
        finally:
            self.pacer.record(message.chat_id)  # once answered (see OVERALL_WINDOW_S), refused or not

    async def _send(self, message: Outgoing) -> int | None:
        markup = InlineKeyboardMarkup.de_json(json.loads(message.markup), self.bot) if message.markup else None
        previews = LinkPreviewOptions(is_disabled=not message.previews)
        if message.kind == "edit":
            await self.bot.edit_message_text(message.text, chat_id=message.chat_id,
                                             message_id=message.edit_message_id, parse_mode=ParseMode.HTML,
                                             reply_markup=markup, link_preview_options=previews)
            return message.edit_message_id
        sent = await self.bot.send_message(message.chat_id, message.text, parse_mode=ParseMode.HTML,
                                           message_thread_id=message.thread_id, reply_markup=markup,
                                           link_preview_options=previews)
        return sent.message_id

    async def _gone(self, chat_id: int, reason: str) -> None:
        dropped = await self.on_chat_gone(chat_id, reason)
        log.info("delivery: chat=%s refuses messages (%s); marked inactive, %d pending dropped", chat_id, reason,
                 dropped)
