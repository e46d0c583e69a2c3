"""What the lottery page shows, built from the stored lottery (reads only)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils import timezone

from comuna.core.errors import ComunaError
from comuna.lots import pool as pools
from comuna.lots.models import Draw, Lottery
from comuna.messages import describe
from comuna.people.models import Resident

CHART_WIDTH = 300
BAR_HEIGHT = 14


def value_label(feature: str, value: str) -> str:
    if feature == "sex" and value in Resident.Sex.values:
        return str(Resident.Sex(value).label)
    return value


def feature_label(feature: str) -> str:
    return str(pools.BUILTIN_FEATURES.get(feature, feature))


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    values: tuple[str, ...]
    probability: Fraction
    percent: str
    probability_decimal: str
    selected: bool
    bar: int
    y: int


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}"


def _frozen_people(lottery: Lottery) -> dict[str, tuple[str, ...]]:
    rows = list(csv.reader(lottery.pool_csv.splitlines()))
    return {row[0]: tuple(row[1:]) for row in rows[1:] if row}


def _names(ids: list[str]) -> dict[str, str]:
    residents = Resident.objects.filter(pk__in=[int(i) for i in ids]).only(
        "first_names", "last_names"
    )
    return {str(r.pk): r.full_name for r in residents}


def probability_rows(lottery: Lottery, draw: Draw | None, can_manage: bool) -> list[Row]:
    exact = {pid: Fraction(p) for pid, p in (lottery.result or {})["probabilities_exact"].items()}
    people = _frozen_people(lottery)
    selected = set(draw.panel) if draw else set()
    shown = list(exact) if can_manage else sorted(selected)
    names = _names(shown)
    top = max(exact.values(), default=Fraction(1)) or Fraction(1)
    order = sorted(exact, key=lambda pid: (-exact[pid], int(pid) if pid.isdigit() else pid))
    return [
        Row(
            id=pid,
            name=names.get(pid, ""),
            values=tuple(
                value_label(f, v) for f, v in zip(lottery.features, people[pid], strict=False)
            ),
            probability=exact[pid],
            percent=_percent(exact[pid]),
            probability_decimal=f"{float(exact[pid]):.4f}",
            selected=pid in selected,
            bar=round(CHART_WIDTH * exact[pid] / top),
            y=i * BAR_HEIGHT,
        )
        for i, pid in enumerate(order)
    ]


def portfolio_rows(lottery: Lottery) -> list[dict[str, Any]]:
    """Each possible panel composition: its exact weight and how many of each type sit on it."""
    result = lottery.result or {}
    width = len(result["features"])
    rows = []
    for shape in result["portfolio"]:
        weight = Fraction(shape["weight"])
        parts = [
            (
                ", ".join(
                    value_label(f, str(v))
                    for f, v in zip(result["features"], entry[:width], strict=True)
                ),
                entry[width],
            )
            for entry in shape["counts"]
        ]
        rows.append({"weight": shape["weight"], "percent": _percent(weight), "parts": parts})
    return rows


def context(lottery: Lottery, can_manage: bool) -> dict[str, Any]:
    draw = Draw.objects.filter(lottery=lottery).first()
    result: dict[str, Any] = {
        "body": lottery.body,
        "lottery": lottery,
        "can_manage": can_manage,
        "draw": draw,
        "feature_labels": [feature_label(f) for f in lottery.features],
        "running": lottery.computation == Lottery.Computation.RUNNING,
        "bar_height": BAR_HEIGHT,
        "chart_width": CHART_WIDTH,
        "computation_error": (
            describe(ComunaError(lottery.computation_error)) if lottery.computation_error else ""
        ),
    }
    if lottery.is_preparing:
        result.update(_preparing(lottery, can_manage))
    if lottery.result is not None:
        rows = probability_rows(lottery, draw, can_manage)
        result["rows"] = rows
        result["chart_height"] = BAR_HEIGHT * len(rows)
        result["minimum_percent"] = _percent(Fraction(lottery.result["minimum_exact"]))
        result["fair_share_percent"] = _percent(Fraction(lottery.panel_size, max(len(rows), 1)))
        result["stages"] = lottery.result["stages"]
        result["shapes"] = len(lottery.result["portfolio"])
        result["portfolio"] = portfolio_rows(lottery)
        result["version"] = lottery.result["version"]
    if draw is not None:
        names = _names(draw.panel)
        ordered = sorted(draw.panel, key=lambda pid: (len(pid), pid))
        result["panel"] = [(pid, names.get(pid, "")) for pid in ordered]
    return result


def _preparing(lottery: Lottery, can_manage: bool) -> dict[str, Any]:
    report = pools.report(lottery, timezone.localdate())
    relaxations = report.feasibility.relaxations if report.feasibility else ()
    return {
        "report": report,
        "report_error": describe(report.error) if report.error else "",
        "quota_rows": [
            (i, row, feature_label(row.feature), value_label(row.feature, row.value))
            for i, row in enumerate(report.rows)
        ],
        "conflicts": [
            {
                "feature": feature_label(r.feature),
                "value": value_label(r.feature, r.value),
                "lower": r.new_min < r.min,
                "min": r.min,
                "max": r.max,
                "new_min": r.new_min,
                "new_max": r.new_max,
            }
            for r in relaxations
        ],
        "short_features": [feature_label(f) for f in report.short_features],
        "volunteer_names": (
            lottery.volunteers.select_related("resident").order_by("resident__last_names")
            if can_manage and lottery.source == Lottery.Source.VOLUNTEERS
            else []
        ),
    }


def record_json(lottery: Lottery) -> dict[str, Any]:
    """What ``comuna lottery --replay`` reads, with the lottery's identity and its draw."""
    data: dict[str, Any] = {
        "lottery": lottery.pk,
        "body": lottery.body.slug,
        "title": lottery.title,
        **(lottery.result or {}),
        "seed_procedure": "comuna-lottery-seed/1",
    }
    draw = Draw.objects.filter(lottery=lottery).first()
    if draw is not None:
        data["draw"] = {
            "announced": draw.announced,
            "seed": draw.seed,
            "ticket": int(draw.ticket),
            "shape": draw.shape,
            "panel": list(draw.panel),
            "portfolio_digest": draw.portfolio_digest,
        }
    return data
