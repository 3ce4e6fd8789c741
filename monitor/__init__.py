"""monitor: watches news feeds and Telegram channels, clusters reports into stories, pushes them to Telegram."""

__version__ = "0.1.0"
