"""The index of many watches by the words they need: a query's `keys` against a report's `Words.index_keys`."""

from __future__ import annotations

from monitor.core.query import Query, Words


class WatchIndex:
    """Many watches, found by the words they need: a report is tested only against the watches
    that one of its words can satisfy, so thousands of watches cost little per report."""

    def __init__(self) -> None:
        self._queries: dict[int, Query] = {}
        self._by_key: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self._queries)

    def add(self, watch_id: int, query: Query) -> None:
        self.remove(watch_id)
        self._queries[watch_id] = query
        for key in query.keys:
            self._by_key.setdefault(key, set()).add(watch_id)

    def remove(self, watch_id: int) -> None:
        query = self._queries.pop(watch_id, None)
        if query is None:
            return
        for key in query.keys:
            ids = self._by_key.get(key)
            if ids is not None:
                ids.discard(watch_id)
                if not ids:
                    del self._by_key[key]

    def matching(self, words: Words) -> list[int]:
        """The ids of the watches this report matches, in ascending order."""
        candidates: set[int] = set()
        for key in words.index_keys():
            found = self._by_key.get(key)
            if found:
                candidates |= found
        return sorted(i for i in candidates if self._queries[i].matches(words))
