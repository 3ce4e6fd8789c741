"""The plural rule the bot's texts and the terminal's lines share."""

import pytest

from monitor.core.plurals import PLURAL_CATEGORIES, plural_category

NUMBERS = [*range(201), 1001, 1011, 1111, 10_000, 1_000_021]


def test_the_plural_rules_are_cldrs():
    """Checked against Babel's copy of CLDR (a development dependency; monitor does without it)."""
    babel = pytest.importorskip("babel")
    for language in PLURAL_CATEGORIES:
        rule = babel.Locale.parse(language).plural_form
        for n in NUMBERS:
            assert plural_category(language, n) == rule(n), (language, n)


def test_whole_numbers_fall_in_each_category_listed_and_no_other():
    for language, categories in PLURAL_CATEGORIES.items():
        assert {plural_category(language, n) for n in NUMBERS} == set(categories), language

