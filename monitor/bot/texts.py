"""Everything the bot says, in English, Russian and Ukrainian: one catalogue per language (a data file in
monitor/bot/locales/), the same keys in each (a test checks). Texts are Telegram HTML; `say` escapes every
value put into them. A text with a count is one entry with a form for each CLDR plural category its language
has; `say` picks the form by the value named `count`."""

from __future__ import annotations

import html
import tomllib
from importlib.resources import files

from monitor.core.plurals import plural_category

LANGUAGES = ("en", "ru", "uk")
DEFAULT_LANGUAGE = "en"


class Html(str):
    """A value that is markup already (built from escaped parts): `say` puts it in as it is."""


def language_of(code: str | None) -> str:
    """The catalogue for a Telegram language code ("ru", "uk", "en-GB", …); English for the rest."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def say(language: str, key: str, **values: object) -> str:
    """The text `key` in `language`, with values escaped for Telegram HTML; a counted text in the form
    its `count` value asks for."""
    language = language if language in CATALOGUES else DEFAULT_LANGUAGE
    entry = CATALOGUES[language][key]
    text = entry if isinstance(entry, str) else entry[plural_category(language, int(str(values["count"])))]
    safe = {k: v if isinstance(v, Html) else html.escape(str(v), quote=False) for k, v in values.items()}
    return text.format(**safe)


def counted(language: str, key: str, count: int) -> Html:
    """A count with its noun (`n_sources`: "1 source", "5 источников"), to be put into another text."""
    return Html(say(language, key, count=count))


# The bot's commands, in the order /help and Telegram's menu show them; `admin` ones are listed only
# where sources are not open to everyone.
COMMANDS = (
    ("start", False), ("watch", False), ("watches", False), ("unwatch", False), ("sources", False),
    ("digest", False), ("time", False), ("tz", False), ("settings", False), ("add", True), ("remove", True),
    ("status", True), ("lang", False), ("previews", False), ("stop", False), ("forget", False), ("help", False),
)

# The commands that change a chat's subscription or settings (their handlers are `changes_chat`): in a group
# only its administrators and the bot's admins may use them. /settings shows to everyone; its buttons change.
CHANGES_CHAT = frozenset({"start", "watch", "unwatch", "time", "tz", "lang", "previews", "stop", "forget"})

# A catalogue: key → text, or key → {CLDR plural category → text} for a counted one.
Catalogue = dict[str, str | dict[str, str]]


def _catalogue(language: str) -> Catalogue:
    """A language's texts, as shipped in monitor/bot/locales/ (package data)."""
    return tomllib.loads(files("monitor.bot").joinpath("locales", f"{language}.toml").read_text(encoding="utf-8"))


CATALOGUES: dict[str, Catalogue] = {language: _catalogue(language) for language in LANGUAGES}
