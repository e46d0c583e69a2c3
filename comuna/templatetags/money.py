"""``|money``: an amount as people read it in the page's language (1.510.000,00 in Spanish,
1,510,000.00 in English), always with two decimals. A builtin filter (see TEMPLATES)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """Empty for no value; the value unchanged when it is not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
