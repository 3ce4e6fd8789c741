"""Keyword watches: the one owner of the watch rows AND the in-memory index that matches them, so the two
never disagree. A chat's watches match only while it is subscribed: pausing, forgetting, moving or losing
a chat changes both together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from monitor.core.query import Query, QueryError, Words, parse_query
from monitor.core.watch_index import WatchIndex
from monitor.models import Watch
from monitor.storage.chats import WatchRefused
from monitor.storage.store import Store

__all__ = ["WatchRefused", "Watches", "meaning"]

log = logging.getLogger("monitor.watches")


def meaning(query: str) -> str:
    """What makes two watches the same: how they match, not how they are written (a stored one that no
    longer parses, its text)."""
    try:
        return parse_query(query).canonical
    except QueryError:
        return query.casefold()


class Watches:
    def __init__(self, store: Store, max_per_chat: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.max_per_chat = max_per_chat
        self.clock = clock
        self._index = WatchIndex()
        self._matching: dict[int, Watch] = {}  # the indexed watches: those of active chats that parse

    def __len__(self) -> int:
        """How many watches match now."""
        return len(self._matching)

    async def load(self) -> int:
        """Index the watches of every active chat; return how many."""
        for watch in await self.store.chats.watches():
            self._index_watch(watch)
        return len(self)

    async def add(self, chat_id: int, query: Query) -> Watch:
        """Add a watch to a chat, matching from now on; WatchRefused if the chat has as many as it may, or one
        that means the same."""
        watch = await self.store.chats.add_watch(chat_id, query.text, self.clock(), self.max_per_chat, meaning)
        self._index_watch(watch, query)
        log.info("watches: chat=%s watch=%s added", chat_id, watch.id)
        return watch

    async def remove(self, chat_id: int, watch_id: int) -> Watch | None:
        """Remove one of a chat's watches; None if the chat has no such watch."""
        removed = await self.store.chats.remove_watch(chat_id, watch_id)
        if removed is not None:
            self._drop(removed.id)
        return removed

    async def of_chat(self, chat_id: int) -> list[Watch]:
        """A chat's watches, oldest first (also those of a paused chat, which do not match)."""
        return await self.store.chats.watches(chat_id)

    async def queries(self, chat_id: int) -> list[Query]:
        """A chat's watches as queries, to match stories the index never saw (a digest's); those that no longer
        parse are left out, as the index leaves them out."""
        found = []
        for watch in await self.store.chats.watches(chat_id):
            try:
                found.append(parse_query(watch.query))
            except QueryError:
                continue
        return found

    def matching(self, words: Words) -> list[Watch]:
        """The watches a text's words match, by watch id."""
        return [self._matching[watch_id] for watch_id in self._index.matching(words)]

    async def resumed(self, chat_id: int) -> None:
        """A chat subscribed again: its stored watches match again."""
        for watch in await self.store.chats.watches(chat_id):
            self._index_watch(watch)

    def paused(self, chat_id: int) -> None:
        """A chat paused, was forgotten, or refuses messages: its watches stop matching (their rows are the
        chat's business)."""
        for watch in [w for w in self._matching.values() if w.chat_id == chat_id]:
            self._drop(watch.id)

    def moved(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup (the rows moved with it): its watches now alert the new chat."""
        for watch in [w for w in self._matching.values() if w.chat_id == old_chat_id]:
            self._matching[watch.id] = replace(watch, chat_id=new_chat_id)

    def _index_watch(self, watch: Watch, query: Query | None = None) -> None:
        try:
            self._index.add(watch.id, query or parse_query(watch.query))
        except QueryError as exc:  # stored before a rule changed: keep it listed, but it cannot match
            log.warning("watches: chat=%s watch=%s cannot be used (%s)", watch.chat_id, watch.id, exc.code)
            return
        self._matching[watch.id] = watch

    def _drop(self, watch_id: int) -> None:
        self._index.remove(watch_id)
        self._matching.pop(watch_id, None)

