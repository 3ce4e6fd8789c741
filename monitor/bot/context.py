"""Typed access to the services handlers need, kept in application.bot_data."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import CallbackContext

from monitor.poller import ItemSink
from monitor.storage.store import Store

_KEY = "monitor.services"


@dataclass(frozen=True)
class BotServices:
    store: Store
    hand_on: ItemSink  # where new items go after they are stored (as the poller does)


def attach(bot_data: dict, services: BotServices) -> None:
    bot_data[_KEY] = services


def services(context: CallbackContext) -> BotServices:
    return context.application.bot_data[_KEY]
