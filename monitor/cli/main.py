"""The `monitor` command: parses the arguments, sets up logging, runs the command and turns the errors a user
can fix into one line and exit status 2."""

from __future__ import annotations

import logging
import sys

from monitor import app
from monitor.cli.parser import build_parser
from monitor.config import ConfigError, load
from monitor.core.clustering import ScorerError
from monitor.core.opml import OpmlError
from monitor.embedding import EmbeddingError
from monitor.storage.database import StoreError


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr,
    )
    # httpx (the bot library's HTTP client) logs every request at INFO, URL included: too chatty for a bot's day.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # python-telegram-bot tells each step of starting and stopping at INFO; -v shows them.
    if not getattr(args, "verbose", False):
        logging.getLogger("telegram").setLevel(logging.WARNING)
    try:
        if not getattr(args, "needs_config", True):
            return args.handler(args, None) or 0
        settings = load(args.config)
        if settings.telegram.token:
            for handler in logging.getLogger().handlers:
                handler.addFilter(_Redact(settings.telegram.token))
        return args.handler(args, settings) or 0
    except (ConfigError, StoreError, OpmlError, app.BotError, EmbeddingError, ScorerError) as exc:
        print(f"monitor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


class _Redact(logging.Filter):
    """Keeps the bot token out of every log line, whoever logs it (libraries put it in URLs)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        return True

