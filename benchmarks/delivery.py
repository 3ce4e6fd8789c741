"""Digest fan-out: N subscribers (default 2,000) whose digests are due when monitor starts, sent through
the outbox to the loopback Bot API server in tests/fakes (the real python-telegram-bot client, real
HTTP, a real SQLite file). The day has 60 stories from 12 sources, so each digest is composed for real.

Prints the sustained messages per second (first to last message), the most messages that arrived in
any one-second window (Telegram's limit is 30), duplicates (must be 0) and the time from start until
every chat had its digest.

    python benchmarks/delivery.py
    python benchmarks/delivery.py --chats 500 --json
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import results  # noqa: E402
from monitor import app, config  # noqa: E402
from monitor.core.urls import canonical_url, fingerprint  # noqa: E402
from monitor.models import Item  # noqa: E402
from monitor.storage.store import Store  # noqa: E402
from tests.fakes.bot_api import FakeBotApi  # noqa: E402

WORDS = (
    "kremlin", "wagner", "rostov", "moscow", "kyiv", "dam", "flood", "bridge", "crash", "market", "rate", "bank",
    "court", "strike", "drone", "port", "grain", "talks", "ceasefire", "election", "protest", "storm", "fire",
    "border", "minister", "army", "summit", "energy", "gas", "oil",
)


async def seed(path: Path, chats: int, rng: random.Random) -> None:
    store = await Store.open(path)
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=2)).strftime("%H:%M")
    for chat_id in range(1, chats + 1):
        await store.chats.subscribe(chat_id, "private", "", None, "en", now)
        await store.chats.update(chat_id, digest_time=due)
    for s in range(12):
        # channels the bot administers: sources that are not polled (there is no network here)
        source = await store.sources.ensure("bot_channel", f"tg://channel/-100{s}", f"Source {s}", now)
        items = []
        for n in range(60):
            if rng.random() < 0.5 / (1 + n / 10):  # the first stories are carried by more sources
                words = rng.sample(WORDS, 5)
                title = f"Event {n}: {' '.join(words)} (source {s} wording {rng.randint(1, 9)})"
                url = f"https://news{s}.example.org/{n}"
                items.append(Item(key=f"{s}-{n}", url=url, canonical_url=canonical_url(url), title=title,
                                  text=f"Report {n} about {' '.join(words)}.", fingerprint=fingerprint(title, str(n)),
                                  published_at=now - timedelta(hours=rng.uniform(0, 20))))
        await store.items.insert(source.id, items, now)
    await store.close()


async def measure(chats: int) -> dict:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder, FakeBotApi() as bot_api:
        path = Path(folder) / "m.db"
        await seed(path, chats, rng)
        settings = config.parse({"telegram": {"token": bot_api.token, "api_base_url": bot_api.root},
                                 "storage": {"path": str(path)}, "polling": {"parse_processes": 1}}, environ={})
        stop = asyncio.Event()
        started = time.monotonic()
        running = asyncio.create_task(app.run(settings, stop, out=io.StringIO()))
        deadline = started + 600
        while time.monotonic() < deadline:
            delivered = {int(c.params["chat_id"]) for c in bot_api.calls_of("sendMessage") if c.result is not None}
            if len(delivered) >= chats:
                break
            await asyncio.sleep(0.5)
        drained_s = time.monotonic() - started
        stop.set()
        await running
    sent = sorted(c.at for c in bot_api.calls_of("sendMessage") if c.result is not None)
    per_chat = Counter(int(c.params["chat_id"]) for c in bot_api.calls_of("sendMessage") if c.result is not None)
    busiest, left = 0, 0
    for right, moment in enumerate(sent):
        while moment - sent[left] >= 1.0:
            left += 1
        busiest = max(busiest, right - left + 1)
    span = sent[-1] - sent[0] if len(sent) > 1 else 1.0
    return {"chats": chats, "messages": len(sent), "chats_served": len(per_chat),
            "messages_per_s": round((len(sent) - 1) / span, 2), "max_in_one_second": busiest,
            "duplicates": sum(n - 1 for n in per_chat.values() if n > 1), "drain_s": round(drained_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    results.add_flag(parser)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.chats))
    if not args.no_record:
        results.record("delivery: digest fan-out", figures)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['chats']:,} chats, {figures['messages']:,} messages ({figures['chats_served']:,} chats "
              f"served): {figures['messages_per_s']} messages/s sustained, at most {figures['max_in_one_second']} "
              f"in any one second, {figures['duplicates']} duplicates, every chat served {figures['drain_s']} s "
              "after start")


if __name__ == "__main__":
    main()
