"""Read a recorded budget result for people: rows and bar lengths for the explanation pages.

Everything here reads ``BudgetProcess.result`` (the exact JSON the rule returned) and turns
exact fractions into rounded money only for display.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

CENT = Decimal("0.01")
BAR_ROW = 10  # SVG units per chart row: a label line, then the bar


def money(value: str | Fraction | Decimal | None) -> str:
    if value is None:
        return ""
    exact = Fraction(str(value))
    shown = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(CENT, ROUND_HALF_EVEN)
    return str(shown)


def _percent(part: Fraction, whole: Fraction) -> str:
    """An SVG length in 0..100, two decimals, never above 100."""
    if whole <= 0:
        return "0"
    return money(min(part / whole, Fraction(1)) * 100)


def project_rows(result: dict[str, Any], titles: dict[str, str]) -> list[dict[str, Any]]:
    """One row per project: MES (or greedy) verdict and reason, greedy verdict, chart bar."""
    greedy = {p["project"]: p for p in (result.get("greedy") or {}).get("projects", [])}
    rows = []
    for n, p in enumerate(result["projects"]):
        cost = Fraction(p["cost"])
        paid = cost if p["funded"] else Fraction(p["supporters_money"] or 0)
        g = greedy.get(p["project"])
        rows.append(
            {
                **p,
                "title": titles.get(p["project"], p["project"]),
                "cost_shown": money(cost),
                "price_shown": money(p["price"]),
                "supporters_shown": money(p["supporters_money"]),
                "paid_percent": _percent(paid, cost),
                "greedy_funded": None if g is None else g["funded"],
                "greedy_reason": None if g is None else g["reason"],
                # Strings: a localised float ("3,2") is not an SVG length.
                "y": str(n * BAR_ROW + 4),
                "text_y": f"{n * BAR_ROW + 3.2:.1f}",
            }
        )
    return rows


def account_rows(result: dict[str, Any], titles: dict[str, str]) -> list[dict[str, Any]]:
    """One row per group of identical ballots: the share, what it paid for, what was left."""
    endowment = Fraction(result.get("endowment") or 0)
    rows = []
    for account in result.get("accounts", []):
        x = Fraction(0)
        segments = []
        for pid, amount in account["payments"]:
            width = Fraction(amount) / endowment * 100 if endowment else Fraction(0)
            segments.append(
                {"project": pid, "title": titles.get(pid, pid), "amount": money(amount),
                 "x": money(x), "width": money(width)}
            )  # fmt: skip
            x += width
        rows.append(
            {"voters": account["voters"], "segments": segments, "left": money(account["left"]),
             "left_x": money(x), "left_width": money(max(Fraction(100) - x, Fraction(0)))}
        )  # fmt: skip
    return rows


def comparison(result: dict[str, Any], ballots: list[list[list[Any]]]) -> dict[str, Any]:
    """How the proportional result differs from greedy: projects, money, voters served."""
    mes = set(result["selected"])
    greedy_result = result.get("greedy")
    greedy = set(greedy_result["selected"]) if greedy_result else set()
    n = len(ballots) or 1

    def served(selected: set[str]) -> int:
        return sum(1 for marks in ballots if any(pid in selected for pid, _v in marks))

    served_mes, served_greedy = served(mes), served(greedy)
    return {
        "both": sorted(mes & greedy),
        "only_mes": sorted(mes - greedy),
        "only_greedy": sorted(greedy - mes),
        "served_mes": served_mes,
        "served_greedy": served_greedy,
        "served_mes_percent": _percent(Fraction(served_mes), Fraction(n)),
        "served_greedy_percent": _percent(Fraction(served_greedy), Fraction(n)),
        "greedy_cost": money(greedy_result["total_cost"]) if greedy_result else "",
    }
