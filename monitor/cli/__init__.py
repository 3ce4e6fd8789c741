"""The `monitor` command: a thin layer that parses arguments, calls app and the services, and prints. It never
imports the bot package (what the bot renders reaches it through app)."""

from monitor.cli.main import main
from monitor.cli.parser import build_parser, command_parsers, documented_names

__all__ = ["build_parser", "command_parsers", "documented_names", "main"]
