"""The Telegram bot (python-telegram-bot): one module per feature, wired by build_application."""
