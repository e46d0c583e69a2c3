"""Golden: six Swiss federal votes in canton St. Gallen (municipality -> district -> canton).

The files hold the official per-municipality results (77 municipalities and the Swiss abroad,
who belong to no district). They carry no district or canton rows, so the canton totals are
checked against a plain independent sum of the rows and, for "Ehe für alle" (2021-09-26),
against the published cantonal figures 98,737 yes / 67,760 no = 59.30 %.
"""

from __future__ import annotations

import csv
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from comuna.core.nested import LevelRule, RollUp, Totals, Unit, UnitReport, roll_up
from comuna.core.numeric import to_decimal
from comuna.core.tally_csv import parse_unit_reports

VOTES = "tally/onegov_sg_federal_votes"
DISTRICTS = {
    "Rheintal", "Rorschach", "Sarganserland", "See-Gaster", "St. Gallen", "Toggenburg",
    "Werdenberg", "Wil",
}  # fmt: skip
FIELDS = ("eligible_voters", "yeas", "nays", "empty", "invalid")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _tree_and_reports(rows: list[dict[str, str]]) -> tuple[list[Unit], list[UnitReport]]:
    units = {"SG": Unit("SG", None, "canton")}
    reports = []
    for row in rows:
        district = row["district"] or None  # the Swiss abroad hang directly off the canton
        if district and district not in units:
            units[district] = Unit(district, "SG", "district")
        units[row["entity_id"]] = Unit(row["entity_id"], district or "SG", "municipality")
        eligible, yes, no, empty, invalid = (int(row[f]) for f in FIELDS)
        reports.append(UnitReport(row["entity_id"], eligible, yes, no, empty, invalid))
    return list(units.values()), reports


def _vote_files(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / VOTES).glob("*.csv"))
    assert len(files) == 6
    return files


def _independent_sum(rows: list[dict[str, str]], district: str | None = None) -> Totals:
    sums: Counter[str] = Counter()
    for row in rows:
        if district is None or row["district"] == district:
            for f in FIELDS:
                sums[f] += int(row[f])
    ballots = sums["yeas"] + sums["nays"] + sums["empty"] + sums["invalid"]
    return Totals(
        sums["eligible_voters"], ballots, sums["yeas"], sums["nays"], sums["empty"], sums["invalid"]
    )


@pytest.mark.slow
def test_it_recomputes_district_and_canton_totals_of_six_votes(shared_data: Path) -> None:
    for path in _vote_files(shared_data):
        rows = _rows(path)
        units, reports = _tree_and_reports(rows)
        result = roll_up(units, reports, {"canton": LevelRule()})
        districts = [n for n in result.nodes if n.level == "district"]
        assert {n.unit for n in districts} == DISTRICTS
        for node in districts:
            assert node.totals == _independent_sum(rows, node.unit), (path.name, node.unit)
        canton = result.node("SG")
        assert canton.totals == _independent_sum(rows)
        assert (canton.units_expected, canton.units_reported) == (78, 78)
        assert canton.approved == (canton.totals.yes > canton.totals.no)


def test_it_matches_the_published_cantonal_result_of_ehe_fuer_alle(shared_data: Path) -> None:
    path = next(p for p in _vote_files(shared_data) if "ehe-fuer-alle" in p.name)
    units, reports = _tree_and_reports(_rows(path))
    canton = roll_up(units, reports).node("SG")
    assert (canton.totals.yes, canton.totals.no) == (98_737, 67_760)
    assert str(to_decimal(canton.totals.yes_share * 100, 2)) == "59.30"
    assert canton.approved


def test_it_gives_the_same_result_through_the_csv_format(shared_data: Path) -> None:
    path = next(p for p in _vote_files(shared_data) if "ehe-fuer-alle" in p.name)
    rows = _rows(path)
    lines = ["unit,path,level,eligible,yes,no,empty,invalid"]
    for row in rows:
        ancestors = "SG/" + row["district"] if row["district"] else "SG"
        lines.append(
            ",".join([row["entity_id"], ancestors, "municipality", *(row[f] for f in FIELDS)])
        )
    parsed = parse_unit_reports("\n".join(lines), ("canton", "district"))
    direct: RollUp = roll_up(*_tree_and_reports(rows))
    through_csv = roll_up(parsed.units, parsed.reports)
    assert through_csv.digest == direct.digest


def test_it_shows_the_provisional_yes_share_as_municipalities_report(shared_data: Path) -> None:
    path = next(p for p in _vote_files(shared_data) if "ehe-fuer-alle" in p.name)
    units, reports = _tree_and_reports(_rows(path))
    by_size = sorted(reports, key=lambda r: r.eligible)
    half = roll_up(units, by_size[:39]).node("SG")
    assert half.reported_share == Fraction(1, 2)
    assert not half.final
    assert half.notes == ("provisional: 39 of 78 units reported",)
    assert half.totals.yes + roll_up(units, by_size[39:]).node("SG").totals.yes == 98_737
