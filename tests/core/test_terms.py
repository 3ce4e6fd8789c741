import pytest

from monitor.core.text import calendar_days, language, skeleton, stem, terms


@pytest.mark.parametrize("forms", [
    ["Пригожин", "Пригожина", "Пригожину", "Prigozhin", "Prigozhyn", "Prigozhin's"],
    ["Зеленский", "Зеленський", "Zelensky", "Zelenskyy"],
    ["Вагнер", "Wagner", "Вагнера"],
    ["Лукашенко", "Lukashenko"],
    ["Херсон", "Kherson", "Херсона"],
    ["Одесса", "Одеса", "Odesa", "Odessa"],
])
def test_names_meet_across_scripts_and_word_forms(forms):
    assert len({stem(f.removesuffix("'s")) for f in forms}) == 1, [stem(f) for f in forms]


def test_the_ukrainian_apostrophe_is_part_of_the_word_and_not_spelled():
    # ʼ is a letter to Unicode: Вʼячеслав is one word, spelled as the Russian Вячеслав is.
    assert terms("Вʼячеслав оглянув обʼєкт") == terms("Вячеслав оглянув объект")


def test_skeleton():
    assert skeleton("Пригожин") == skeleton("Prigozhin") == "prigozin"
    assert skeleton("Erdoğan") == skeleton("Erdogan") and skeleton("Türkiye") == skeleton("Turkiye")


def test_terms_drop_stop_words_and_keep_numbers():
    assert terms("The Kremlin said that 60 000 tonnes of grain were destroyed") == [
        "kremli", "60", "000", "ton", "~grain", "~destruction"]


def test_news_words_of_one_meaning_become_one_term_across_languages():
    en = set(terms("60 000 tonnes of grain destroyed as residents are evacuated from flooded villages"))
    ru = set(terms("Уничтожено 60 000 тонн зерна, жителей затопленных сел эвакуируют"))
    uk = set(terms("Знищено 60 000 тонн зерна, мешканців підтоплених сіл евакуюють"))
    shared = {"60", "000", "ton", "~grain", "~destruction", "~evacuation", "~flood", "~village"}
    assert shared <= en and shared <= ru and shared <= uk, (en, ru, uk)


@pytest.mark.parametrize(("forms", "different"), [
    (["суд", "суда", "суду", "court", "courts"], "судно"),
    (["мост", "моста", "мосту", "міст", "bridge"], "мостовая"),
])
def test_short_words_keep_their_forms_together(forms, different):
    assert len({terms(f)[0] for f in forms}) == 1, [terms(f) for f in forms]
    assert terms("и в на что это") == []


@pytest.mark.parametrize(("text", "lang"), [
    ("Wagner fighters take control of the headquarters in Rostov", "en"),
    ("Бойцы Вагнера заняли штаб округа в Ростове, сообщил Пригожин", "ru"),
    ("Вагнерівці захопили штаб округу в Ростові, заявив Пригожин", "uk"),
    ("⚡️ 12:30 🔥", ""),
])
def test_language_of_a_report(text, lang):
    assert language(text) == lang


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
