"""Amounts are shown as people read them: grouped thousands, two decimals, per language."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from comuna.templatetags.money import money


def test_it_groups_thousands_with_two_decimals_in_each_language():
    with translation.override("es"):
        assert money(Decimal("1510000")) == "1.510.000,00"
        assert money("-2500.5") == "-2.500,50"
    with translation.override("en"):
        assert money(Decimal("1510000")) == "1,510,000.00"


def test_it_leaves_no_value_empty_and_words_alone():
    assert money(None) == ""
    assert money("") == ""
    assert money("—") == "—"
