"""Which plural form a count takes: CLDR's rule for whole numbers in the languages monitor speaks
("Language Plural Rules"), one rule for the bot's texts and the terminal's lines alike."""

from __future__ import annotations

# The categories whole numbers fall in: English one (1) and other; Russian and Ukrainian one (1, 21, 101…),
# few (2-4, 22-24…) and many (0, 5-20, 25-30…).
PLURAL_CATEGORIES = {"en": ("one", "other"), "ru": ("one", "few", "many"), "uk": ("one", "few", "many")}


def plural_category(language: str, count: int) -> str:
    """The CLDR plural category of a whole number in a language ("en", "ru", "uk"; English's rule for any
    other): which form of a counted text it takes."""
    n = abs(count)
    if language in ("ru", "uk"):
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"
