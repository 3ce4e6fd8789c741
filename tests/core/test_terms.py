import pytest

from monitor.core.text import skeleton, stem, terms


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


def test_skeleton():
    assert skeleton("Пригожин") == skeleton("Prigozhin") == "prigozin"


def test_terms_drop_stop_words_and_keep_numbers():
    assert terms("The Kremlin said that 60 000 tonnes of grain were destroyed") == [
        "kremli", "60", "000", "tones", "grain", "destro"]
    assert terms("и в на что это") == []
