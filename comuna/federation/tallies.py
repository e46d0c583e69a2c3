"""Reads over consultations: the roll-up of unit reports with ``core.nested``, and the CSV of
unit reports that ``comuna tally`` re-runs to the same digest."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

from comuna.core.nested import LevelRule, RollUp, Unit, UnitReport, roll_up
from comuna.federation.models import Consultation, ConsultationUnit
from comuna.federation.models import UnitReport as Report


def level_rules(rules: dict[str, Any]) -> dict[str, LevelRule]:
    return {
        level: LevelRule(
            people=spec.get("people", "majority_of_votes"),
            turnout_quorum=Fraction(str(spec.get("turnout_quorum", "0"))),
            members_majority=bool(spec.get("members_majority", False)),
        )
        for level, spec in rules.items()
    }


def _units(consultation: Consultation) -> list[ConsultationUnit]:
    return list(consultation.units.select_related("body", "parent", "report").order_by("pk"))


def _reports(units: list[ConsultationUnit]) -> list[UnitReport]:
    reports = []
    for unit in units:
        report: Report | None = getattr(unit, "report", None)
        if unit.is_leaf and report is not None:
            reports.append(
                UnitReport(
                    unit.body.slug,
                    report.eligible,
                    report.yes,
                    report.no,
                    report.empty,
                    report.invalid,
                )  # fmt: skip
            )
    return reports


def rollup(consultation: Consultation) -> RollUp:
    """Every body's totals and decision from the reports in so far (provisional until all)."""
    units = _units(consultation)
    tree = [
        Unit(u.body.slug, u.parent.slug if u.parent else None, u.level, Fraction(u.weight))
        for u in units
    ]
    return roll_up(tree, _reports(units), level_rules(consultation.rules))


def reports_csv(consultation: Consultation) -> str:
    """The unit reports in the format of ``comuna tally`` (``core.tally_csv``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["unit", "parent", "level", "eligible", "yes", "no", "empty", "invalid", "weight"]
    writer.writerow(header)
    for unit in _units(consultation):
        report: Report | None = getattr(unit, "report", None)
        counts = (
            [report.eligible, report.yes, report.no, report.empty, report.invalid]
            if report is not None
            else [""] * 5
        )
        parent = unit.parent.slug if unit.parent else ""
        writer.writerow([unit.body.slug, parent, unit.level, *counts, unit.weight])
    return out.getvalue()


def tally_command(consultation: Consultation) -> str:
    """The ``comuna tally`` command line that re-runs this roll-up from the CSV."""
    specs = []
    for level, spec in sorted(consultation.rules.items()):
        items = [spec.get("people", "majority_of_votes")]
        if spec.get("members_majority"):
            items.append("members")
        if Fraction(str(spec.get("turnout_quorum", "0"))):
            items.append(f"quorum={spec['turnout_quorum']}")
        specs.append(f"--rule {level}={','.join(items)}")
    return " ".join(["comuna tally", f"consultation-{consultation.pk}.csv", *specs])
