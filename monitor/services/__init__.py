"""The domain between the adapters (sources, storage, Telegram) and the faces (the bot, the CLI): built once in
monitor/app.py; never imports the Telegram package or the CLI."""
