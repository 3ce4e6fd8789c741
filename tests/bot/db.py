"""Reading the test's SQLite file the way an operator would, while monitor runs."""

from __future__ import annotations

import asyncio
import sqlite3
import time


def rows(tmp_path, sql: str):
    conn = sqlite3.connect(tmp_path / "m.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def wait_rows(tmp_path, sql: str, expected, timeout_s: float = 15.0):
    """Wait (without blocking the event loop monitor runs in) until the query gives `expected`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and rows(tmp_path, sql) != expected:
        await asyncio.sleep(0.05)
    assert rows(tmp_path, sql) == expected
