from __future__ import annotations

from pathlib import Path

import pytest

from monitor import config
from tests.fakes.feed_server import FeedServer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def feed_server():
    with FeedServer() as server:
        yield server


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_settings(tmp_path: Path, sources: list[dict], **polling) -> config.Settings:
    """Settings for a test: a database in tmp_path, fast polling, the given [[sources]]."""
    options = {"timeout": "5s", "jitter": 0, "parse_processes": 1, **polling}
    return config.parse(
        {"storage": {"path": str(tmp_path / "monitor.db")}, "polling": options, "sources": sources},
        path="test",
        environ={},
    )


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
