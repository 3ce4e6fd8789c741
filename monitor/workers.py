"""Worker processes that live exactly as long as the process that started them: the feed parsers and the
clusterer's process. Started by a forkserver (not fork: the parent runs threads, SQLite's and the name lookups of
the HTTP client, that fork would copy mid-step), deaf to the Ctrl-C and SIGTERM meant for the parent, gone when
it is."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing import forkserver, resource_tracker

# Imported once by the forkserver, so each worker forked from it starts with them loaded.
PRELOAD = ["monitor.sources.feeds", "monitor.sources.telegram_preview", "monitor.services.dedup"]


def worker_pool(processes: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Executor:
    """A pool of `processes` worker processes, each running `initializer(*initargs)` first. Nothing starts
    until the first task is handed to it: a pass that parses nothing starts no process."""
    return _Pool(processes, initializer, initargs)


class _Pool(Executor):
    """A ProcessPoolExecutor made at the first `submit` (from the event loop's thread, the one that handles
    signals: see `_start`)."""

    def __init__(self, processes: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
        self._processes, self._initializer, self._initargs = processes, initializer, initargs
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._pool is None:
            self._pool = _start(self._processes, self._initializer, self._initargs)
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait, cancel_futures=cancel_futures)


def _start(processes: int, initializer: Callable[..., None] | None, initargs: tuple) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    # The forkserver starts here with SIGINT and SIGTERM blocked, a mask it and every worker it forks
    # inherit from birth: Ctrl-C or SIGTERM sent to the whole process group is the parent's alone to
    # handle (a worker or forkserver hit while starting dies with a traceback and breaks the pool).
    # The resource tracker first, as starting it unblocks both signals.
    resource_tracker.ensure_running()
    unmasked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
    return ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_serve_parent,
                               initargs=(initializer, initargs))


def _serve_parent(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """In each worker: live exactly as long as the process that started the pool, then `initializer`.

    A worker would otherwise outlive a killed parent forever (it waits on a queue it also holds the
    write end of), and with it the forkserver and resource tracker, which exit once no worker is left.
    """
    parent = multiprocessing.parent_process()  # its sentinel is a pipe only the parent writes to
    if parent is not None:

        def leave_with_parent() -> None:
            parent.join()  # returns at the pipe's end of file: the parent has exited, however it died
            os._exit(0)

        threading.Thread(target=leave_with_parent, name="parent-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def yield_cpu(niceness: int) -> None:
    """In a worker (an `initializer`): ask the system for `niceness` less of the CPU than the process that started it,
    so that where the cores are too few the others go first. Nothing changes where the CPU is free. A system that
    refuses leaves the worker as it was: a priority is a hint, and a pool whose initializer fails is broken for every
    task. (Every system with a forkserver, which these pools need, has `os.nice`.)"""
    with contextlib.suppress(OSError):
        os.nice(niceness)
