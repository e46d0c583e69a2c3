"""Unit reports as CSV text: the interchange format of ``comuna tally``.

One row per unit. Columns (header names, any order):

- ``unit``: the unit's id (required);
- ``parent`` (the parent's id, empty for the root) **or** ``path`` (the ancestors' ids from
  the root down to the parent, separated by ``/``; empty for the root);
- ``eligible``, ``yes``, ``no``, ``empty``, ``invalid``: the unit's counts; leave all five
  empty for a unit that is part of the tree but has not reported (or has member units);
- optional ``cast`` (ballots cast; checked against the sum), ``level`` (e.g. ``commune``)
  and ``weight`` (the unit's weight as a member body, a fraction such as ``1/2``).

Units named only as a parent or on a path need no row of their own.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from comuna.core.errors import InputError
from comuna.core.nested import Unit, UnitReport

COUNT_COLUMNS = ("eligible", "yes", "no", "empty", "invalid")


@dataclass(frozen=True, slots=True)
class ParsedReports:
    units: tuple[Unit, ...]
    reports: tuple[UnitReport, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    unit: str
    parents: tuple[str, ...]
    """Ancestors, root first (only the parent when the ``parent`` column is used)."""
    level: str
    weight: Fraction | None
    report: UnitReport | None


def parse_unit_reports(text: str | Iterable[str], levels: Sequence[str] = ()) -> ParsedReports:
    """Units and reports from CSV ``text``; ``levels[d]`` names the level of depth ``d``
    for units whose row gives no ``level``."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or ()]
    reader.fieldnames = header
    _check_header(header)
    rows = [_parse_row(raw, n) for n, raw in enumerate(reader, start=2)]
    units = _units(rows, header)
    depth = _depths(units)
    units = tuple(
        u if u.level or depth[u.id] >= len(levels) else _with_level(u, levels[depth[u.id]])
        for u in units
    )
    return ParsedReports(units, tuple(r.report for r in rows if r.report is not None))


def _check_header(header: Sequence[str]) -> None:
    missing = [c for c in ("unit", *COUNT_COLUMNS) if c not in header]
    if ("parent" in header) == ("path" in header):
        missing.append("parent or path (exactly one)")
    if missing:
        raise InputError(
            "tally_csv.header",
            "Line 1: the header lacks {missing}.",
            line=1,
            missing=", ".join(missing),
        )


def _parse_row(raw: dict[str | None, str | None], line: int) -> _Row:
    if None in raw:
        raise InputError("tally_csv.extra_fields", "Line {line}: too many fields.", line=line)
    cell = {k: (v or "").strip() for k, v in raw.items() if k is not None}
    unit = cell["unit"]
    if not unit:
        raise InputError("tally_csv.no_unit", "Line {line}: the unit id is empty.", line=line)
    if "path" in cell:
        parents = tuple(p.strip() for p in cell["path"].split("/")) if cell["path"] else ()
    else:
        parents = (cell["parent"],) if cell["parent"] else ()
    if any(not p for p in parents):
        raise InputError("tally_csv.bad_path", "Line {line}: empty id in the path.", line=line)
    return _Row(
        line, unit, parents, cell.get("level", ""), _weight(cell, line), _report(cell, line)
    )


def _integer(cell: dict[str, str], column: str, line: int) -> int:
    value = cell[column]
    if not value.isdigit():
        raise InputError(
            "tally_csv.bad_number",
            "Line {line}: {column} must be a whole number >= 0, not {value!r}.",
            line=line,
            column=column,
            value=value,
        )
    return int(value)


def _report(cell: dict[str, str], line: int) -> UnitReport | None:
    filled = [c for c in COUNT_COLUMNS if cell[c]]
    if not filled and not cell.get("cast"):
        return None
    if len(filled) != len(COUNT_COLUMNS):
        missing = [c for c in COUNT_COLUMNS if not cell[c]]
        raise InputError(
            "tally_csv.partial_counts",
            "Line {line}: counts are missing for {missing}.",
            line=line,
            missing=", ".join(missing),
        )
    eligible, yes, no, empty, invalid = (_integer(cell, c, line) for c in COUNT_COLUMNS)
    cast = _integer(cell, "cast", line) if cell.get("cast") else None
    return UnitReport(cell["unit"], eligible, yes, no, empty, invalid, cast)


def _weight(cell: dict[str, str], line: int) -> Fraction | None:
    if not cell.get("weight"):
        return None
    try:
        return Fraction(cell["weight"])
    except (ValueError, ZeroDivisionError):
        raise InputError(
            "tally_csv.bad_weight",
            "Line {line}: weight {value!r} is not a number or fraction.",
            line=line,
            value=cell["weight"],
        ) from None


def _units(rows: Sequence[_Row], header: Sequence[str]) -> tuple[Unit, ...]:
    made: dict[str, Unit] = {}
    seen: dict[str, int] = {}
    for row in rows:
        if row.unit in seen:
            raise InputError(
                "tally_csv.duplicate_unit",
                "Line {line}: unit {unit} already has a row (line {first}).",
                line=row.line,
                unit=row.unit,
                first=seen[row.unit],
            )
        seen[row.unit] = row.line
    for row in rows:
        chain = (*row.parents, row.unit)
        for depth, uid in enumerate(chain):
            parent = chain[depth - 1] if depth else None
            if uid in made and made[uid].parent != parent and "path" in header:
                raise InputError(
                    "tally_csv.two_parents",
                    "Line {line}: unit {unit} appears under both {first} and {second}.",
                    line=row.line,
                    unit=uid,
                    first=made[uid].parent,
                    second=parent,
                )
            if uid == row.unit:
                made[uid] = Unit(uid, parent, row.level, row.weight or Fraction(1))
            elif uid not in made:
                made[uid] = Unit(uid, None if "parent" in header else parent)
    return tuple(made.values())


def _depths(units: Sequence[Unit]) -> dict[str, int]:
    parent = {u.id: u.parent for u in units}
    depth: dict[str, int] = {}
    for uid in parent:
        chain: list[str] = []
        node: str | None = uid
        while node is not None and node not in depth and len(chain) <= len(parent):
            chain.append(node)
            node = parent.get(node)
        base = depth[node] + 1 if node is not None and node in depth else 0
        for offset, item in enumerate(reversed(chain)):
            depth[item] = base + offset
    return depth


def _with_level(unit: Unit, level: str) -> Unit:
    return Unit(unit.id, unit.parent, level, unit.weight)
