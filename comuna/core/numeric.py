"""Exact arithmetic helpers: ``Fraction`` for shares and quotas, ``Decimal`` for money."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction


def to_decimal(value: Fraction, places: int) -> Decimal:
    """Show an exact fraction as a Decimal with ``places`` places (truncated, never rounded up)."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(quantum, rounding=ROUND_DOWN)


def ratio(part: int, whole: int) -> Fraction:
    """``part / whole`` as a Fraction, 0 when ``whole`` is 0."""
    return Fraction(part, whole) if whole else Fraction(0)
