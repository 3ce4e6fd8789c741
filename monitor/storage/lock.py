"""One polling process per database: an exclusive lock on the file `<database>.lock` next to it.

SQLite serialises single writes, but two processes polling one database would both fetch every
source, both cluster, and both deliver alerts and digests (twice to every subscriber). The lock is
flock(2): the kernel drops it when its holder exits, however it exits, so a crash never leaves a
stale lock behind. The file is never deleted (deleting races with a process opening it); it holds
the last holder's pid and host, for the message to a second process.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from monitor.storage.store import StoreError


class DatabaseBusy(StoreError):
    """Another process holds the database's lock; the message names it."""


class DatabaseLock:
    """An exclusive lock on a database, held until `release` or the end of the process."""

    def __init__(self, fd: int | None) -> None:
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: str | Path) -> DatabaseLock:
        """Take the lock of `database` at once, or raise DatabaseBusy naming the process that has it."""
        if str(database) == ":memory:":  # no other process can open it
            return cls(None)
        path = Path(f"{database}.lock")
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
