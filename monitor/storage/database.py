"""The database: one SQLite connection, the one thread that owns it, and the process lock.

Every repository method runs on that thread (`on_database_thread`), so SQLite never blocks the event
loop and writes never race; a write opens with BEGIN IMMEDIATE, so two processes writing at once wait
for each other instead of failing (see FIELD-NOTES).
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import os
import socket
import sqlite3
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from monitor.storage.migrations import migrate

BUSY_TIMEOUT_MS = 10_000

P = ParamSpec("P")
T = TypeVar("T")

IDS_PER_QUERY = 500  # ids in one `IN (...)` (SQLite limits the parameters of one statement)


def in_chunks(ids: list[T]) -> Iterator[tuple[list[T], str]]:
    """`ids` a statement's worth at a time, each chunk with the marks of its `IN (...)` ("?,?,?")."""
    for at in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[at:at + IDS_PER_QUERY]
        yield chunk, ",".join("?" * len(chunk))


class StoreError(Exception):
    """A store operation the user asked for cannot be done; the message says why."""


def to_iso(moment: datetime | None) -> str | None:
    """A moment as stored: ISO 8601 in UTC, to the second (None stays NULL)."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    """A stored moment back (NULL or "" is None)."""
    return None if not text else datetime.fromisoformat(text)


def moment(text: str) -> datetime:
    """A stored moment from a NOT NULL column."""
    return datetime.fromisoformat(text)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the database file (made with its folder if missing), migrated; the calling thread owns it."""
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        # isolation_level=None: we open transactions ourselves, with BEGIN IMMEDIATE.
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        raise StoreError(f"storage: cannot open {path} ({exc}); check storage.path and its folder") from None
    try:
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"storage: {path} is not a usable monitor database ({exc})") from None
    return conn


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction, taking the database's write lock at once (committed, or rolled back on error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Database:
    """The connection and the one thread that owns it: `run` is the only way to it from async code."""

    def __init__(self, conn: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self._conn = conn
        self._executor = executor

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open and migrate the database on a thread of its own (StoreError if it cannot be used)."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        try:
            conn = await asyncio.get_running_loop().run_in_executor(executor, connect, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(conn, executor)

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection; sqlite3 refuses its use from any thread but the database's."""
        return self._conn

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `function` on the database's thread, after whatever runs there now."""
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def close(self) -> None:
        await self.run(self._conn.close)
        self._executor.shutdown(wait=True)


class Repository:
    """One aggregate's tables; its public methods are `on_database_thread`, its helpers plain functions."""

    def __init__(self, database: Database) -> None:
        self._database = database

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._database.conn


R = TypeVar("R", bound=Repository)


def on_database_thread(method: Callable[Concatenate[R, P], T]) -> Callable[Concatenate[R, P], Coroutine[Any, Any, T]]:
    """Make a repository's synchronous method an async one that runs on the database's thread, with the
    same parameters and result (so `await store.sources.add(...)` is typed end to end)."""

    @functools.wraps(method)
    async def on_thread(self: R, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._database.run(method, self, *args, **kwargs)

    return on_thread


class DatabaseBusy(StoreError):
    """Another process holds the database's lock; the message names it."""


class DatabaseLock:
    """One polling process per database: an exclusive lock on the file `<database>.lock` next to it.

    SQLite serialises single writes, but two processes polling one database would both fetch every
    source, both cluster, and both deliver alerts and digests (twice to every subscriber). The lock is
    flock(2): the kernel drops it when its holder exits, however it exits, so a crash never leaves a
    stale lock behind. The file is never deleted (deleting races with a process opening it); it holds
    the last holder's pid and host, for the message to a second process.
    """

    def __init__(self, fd: int | None) -> None:
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: str | Path) -> DatabaseLock:
        """Take the lock of `database` at once, or raise DatabaseBusy naming the process that has it."""
        if str(database) == ":memory:":  # no other process can open it
            return cls(None)
        # the file's real path: a symbolic link or another relative path to one database names one lock
        path = Path(f"{Path(database).resolve()}.lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
        except OSError as exc:
            raise StoreError(f"storage: cannot create {path} ({exc.strerror}); check storage.path and its folder") \
                from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise DatabaseBusy(f"storage: {database} is in use by {holder}; stop that one first, or give "
                               "this one its own storage.path") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"monitor (pid {os.getpid()} on {socket.gethostname()})\n".encode(), 0)
        return cls(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the lock goes with the last descriptor
            self._fd = None
