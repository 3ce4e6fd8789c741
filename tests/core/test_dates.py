"""The calendar days a text names."""

import pytest

from monitor.core.dates import calendar_days


@pytest.mark.parametrize(("text", "days"), [
    ("Прогноз погоды на 8 ноября", {312}),  # 31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 8
    ("Прогноз погоди на 8 листопада", {312}),
    ("Weather forecast for November 8th; on Sept. 16 snow", {312, 259}),
    ("On 24 June Wagner took Rostov, a day after 23 June", {175, 174}),
    ("1 января и 31 декабря", {1, 365}),
    ("28 февраля, 29 февраля, 1 марта", {59, 60}),  # 29 February is read as the 28th: a year has 365 days
    ("Отключения света с 6 по 8 ноября", {310, 311, 312}),  # every day of a short range
    ("Blackouts November 22-24", {326, 327, 328}),
    ("Snowstorm Dec 30–Jan 2; talks on March 3, April 5 and May 7", {364, 2, 62, 95, 127}),  # each day its month
    ("On the night of 31 October – 1 November, 12 drones were shot down", {304, 305}),  # not 12 November
    ("Talks on 5 May, 7 May and 9 May", {125, 127, 129}),
    ("Prices may 5 times exceed the May 2020 level; 31 февраля", set()),  # not dates
    ("Russia's Tu-22 May Strike Again", set()),  # a headline's capitalised words
    ("Без дат: 8 человек, ноябрь", set()),
    ("Индекс самоизоляции в День Победы", {129}), ("Напередодні Дня Перемоги", {129}),  # named days
    ("Victory Day parade; Christmas Day", {129, 359}),
    ("Кубок Победы; a victory day for the team", set()),  # not named days
    ("На проспекте Победы днём перекрыли движение", set()), ("Парк Победы. День открытых дверей", set()),
    ("Victory day for Liverpool; Orthodox Christmas Day", set()), ("У Дні Перемоги", {129}),
    ("Рассказ о Дне Победы", {129}), ("ДЕНЬ ПОБЕДЫ: парад", {129}),
    ("VICTORY DAY PARADE", {129}),
    ("Armenian Christmas Day; в день победы Трампа", set()),
])
def test_calendar_days_a_text_names(text, days):
    assert calendar_days(text) == days
