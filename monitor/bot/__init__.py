"""The Telegram bot (python-telegram-bot): one module per feature, wired by build_application."""

import os

# Opt in to python-telegram-bot 23's durations as timedelta now (RetryAfter.retry_after among them):
# otherwise every 429 logs a deprecation warning. The sender reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")
