"""Calendar days a text names: "8 ноября", "November 8", every day of "с 6 по 8 ноября", "в День Победы",
as days of the year, so reports of events on different days can be told apart."""

from __future__ import annotations

import re

from monitor.core.terms import WORDS

# Month names as dates are written in news: genitive in ru and uk ("8 ноября", "8 листопада"), English
# capitalised, full or abbreviated, either order ("November 8", "8 Nov."; "may 5" is not a date).
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February is read as the 28th
_DAYS_BEFORE = tuple(sum(_MONTH_DAYS[:month]) for month in range(12))
YEAR_DAYS = 365
_MONTH_NAMES = ("января февраля марта апреля мая июня июля августа сентября октября ноября декабря "
                "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня "
                "January February March April May June July August September October November December "
                "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
_MONTHS = {name: n % 12 for n, name in enumerate(_MONTH_NAMES.split())} | {"Sept": 8}
_ENGLISH_MONTHS = frozenset(name for name in _MONTHS if name.isascii())
# English months that are also words: "Tu-22 May Strike Again", "COVID-19 May Have Peaked". Before a
# capitalised word (a headline's next word) a number before them is not read as a day.
_ALSO_WORDS = frozenset(("May", "March"))
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
# between the two days of a range, "с 6 по 8 ноября", "22-24 November", "6 and 8 May" (the dash is not a word)
_RANGE_WORDS = frozenset(("по", "до", "и", "і", "й", "та", "to", "and", "through"))


# Named days that are dates: after a word for day in ru/uk ("в День Победы", "напередодні Дня Перемоги"; not
# "на проспекте Победы днём", nor "Парк Победы. День открытых дверей"), before a capitalised "Day" in English
# ("Victory Day parade", "Christmas Day"; not "a victory day for Liverpool", nor the Orthodox or Armenian
# Christmas, 7 and 6 January), capitalised or in capitals ("ДЕНЬ ПОБЕДЫ"; not "день победы Трампа", the day
# of his victory). (month from 0, day). Azerbaijan's Victory Day (8 November) is read as 9 May.
_NAMED_AFTER_DAY = {"Победы": (4, 9), "Перемоги": (4, 9)}
_DAY_WORDS = frozenset(("день", "дня", "дню", "днём", "днем", "дне", "дні"))
_NAMED_BEFORE_DAY = {"Victory": (4, 9), "Christmas": (11, 25)}
_OTHER_CHRISTMASES = frozenset(("orthodox", "armenian"))
_NAMED_DAYS = frozenset(form for name in _NAMED_AFTER_DAY | _NAMED_BEFORE_DAY for form in (name, name.upper()))


def _named_day(words: list[str], i: int) -> tuple[int, int] | None:
    """The (month, day) of the named day words[i] names, or None."""
    before, name = words[i - 1] if i else "", words[i].capitalize()  # ПОБЕДЫ is Победы
    if before.casefold() in _DAY_WORDS:
        return _NAMED_AFTER_DAY.get(name)
    if i + 1 < len(words) and words[i + 1] in ("Day", "DAY") and before.casefold() not in _OTHER_CHRISTMASES:
        return _NAMED_BEFORE_DAY.get(name)
    return None


def calendar_days(text: str) -> frozenset[int]:
    """The days of the year (1-365; 29 February is the 28th) of the dates a text writes out, "8 ноября",
    "November 8", every day of "с 6 по 8 ноября", a named day ("в День Победы"): the days a report says
    its event happened on."""
    return calendar_days_of(WORDS.findall(text))


def _day(words: list[str], i: int) -> int:
    """The day of the month words[i] is ("8", "8th"), or 0."""
    match = _DAY.fullmatch(words[i]) if 0 <= i < len(words) else None
    return int(match[1]) if match else 0


def _range_start(words: list[str], i: int, step: int) -> int:
    """The other end of a range whose one end is words[i], reading away from the month by `step`."""
    return _day(words, i + step) or (_day(words, i + 2 * step) if 0 <= i + step < len(words)
                                     and words[i + step] in _RANGE_WORDS else 0)


MAX_RANGE_DAYS = 14  # a range of up to this many days has all its days ("з 13 по 17 травня" has the 15th)


def calendar_days_of(words: list[str]) -> frozenset[int]:
    if _MONTHS.keys().isdisjoint(words) and _NAMED_DAYS.isdisjoint(words):
        return frozenset()
    found = set()
    for i, word in enumerate(words):
        month = _MONTHS.get(word)
        if month is None:
            if word in _NAMED_DAYS and (named := _named_day(words, i)):
                found.add(_DAYS_BEFORE[named[0]] + named[1])
            continue
        day = other = 0
        headline_word = word in _ALSO_WORDS and i + 1 < len(words) and words[i + 1][:1].isupper()
        # a day before the month is its own, unless it is an English month's day ("Oct. 30 - Nov. 2"; but
        # in "31 October – 1 November" the 1 is November's)
        if not headline_word and (day := _day(words, i - 1)) and (
                i < 2 or words[i - 2] not in _ENGLISH_MONTHS or _day(words, i - 3)):
            other = _range_start(words, i - 1, -1)
        elif word in _ENGLISH_MONTHS and (day := _day(words, i + 1)):
            other = _range_start(words, i + 1, 1)
        else:
            continue
        last = _MONTH_DAYS[month] + (month == 1)  # 29 February is a date, read as the 28th
        days: list[int] | range = [d for d in (day, other) if 1 <= d <= last]
        if len(days) == 2 and abs(day - other) < MAX_RANGE_DAYS:
            days = range(min(days), max(days) + 1)
        found.update(_DAYS_BEFORE[month] + min(d, _MONTH_DAYS[month]) for d in days)
    return frozenset(found)


DAY_MINUTES = 24 * 60
# "01:19", "9:40", "12:44am", "9:40 pm": a bulletin's clock time (not "24.05", which is a date)
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?:\s?([ap])\.?m\b)?", re.IGNORECASE)


def nearest_gap(a: frozenset[int], b: frozenset[int], period: int) -> int | None:
    """The fewest steps between a member of `a` and one of `b` on a circle of `period` (days of the year around its
    end, minutes of the day around midnight); None where either is empty."""
    if not a or not b:
        return None
    return min(min(abs(x - y), period - abs(x - y)) for x in a for y in b)


def clock_times_of(text: str) -> frozenset[int]:
    """The clock times a text names, as minutes after midnight."""
    if ":" not in text:  # most texts name none: the search is what costs
        return frozenset()
    found = set()
    for hours, minutes, half in _CLOCK.findall(text):
        hour = int(hours)
        if half:
            if hour > 12:
                continue
            hour = hour % 12 + (12 if half.lower() == "p" else 0)
        found.add(hour * 60 + int(minutes))
    return frozenset(found)
