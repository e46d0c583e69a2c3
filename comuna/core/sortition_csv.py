"""Read a lottery's quotas and pool from CSV text (the command line reads the files).

Two layouts are accepted, told apart by their headers:

* Sortition Foundation: quotas ``feature,value,min,max[,...]`` (extra columns such as
  ``min_flex,max_flex`` are ignored); people one per row, the **first column is the id**, one
  column per feature (named as the feature), other columns ignored.
* Nature 2021 replication data: quotas ``category,feature,min,max`` (a *category* is our
  feature, a *feature* our value); respondents one per row with only the category columns and
  no id column. A respondent's id is then the **1-based row number** below the header
  (``"1"`` is the first respondent), which is what someone counting the rows of the
  spreadsheet would say; the file line is the id plus one.

Cells are stripped of surrounding spaces; blank lines are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from comuna.core.errors import InputError
from comuna.core.sortition import Person, Pool, Quota, make_pool


def parse_pool(quota_text: str | Iterable[str], people_text: str | Iterable[str]) -> Pool:
    quotas = parse_quotas(quota_text)
    features = tuple(dict.fromkeys(q.feature for q in quotas))
    return make_pool(quotas, parse_people(people_text, features))


def parse_quotas(text: str | Iterable[str]) -> tuple[Quota, ...]:
    rows = _rows(text)
    if not rows:
        raise InputError("sortition.empty_quotas", "The quota file is empty.")
    line, header = rows[0]
    names = [h.lower() for h in header]
    if names[:4] == ["category", "feature", "min", "max"]:
        pass
    elif names[:4] != ["feature", "value", "min", "max"]:
        raise InputError(
            "sortition.bad_quota_header",
            "Line {line}: the quota header must start with feature,value,min,max or "
            "category,feature,min,max, not {header}.",
            line=line,
            header=",".join(header),
        )
    quotas = []
    for line, row in rows[1:]:
        if len(row) < 4:
            raise InputError(
                "sortition.bad_quota_row", "Line {line}: expected 4 columns.", line=line
            )
        quotas.append(
            Quota(row[0], row[1], _integer(row[2], line, "min"), _integer(row[3], line, "max"))
        )
    if not quotas:
        raise InputError("sortition.empty_quotas", "The quota file has no quotas.")
    return tuple(quotas)


def parse_people(text: str | Iterable[str], features: tuple[str, ...]) -> tuple[Person, ...]:
    rows = _rows(text)
    if not rows:
        raise InputError("sortition.empty_pool", "The people file is empty.")
    header_line, header = rows[0]
    missing = [f for f in features if f not in header]
    if missing:
        raise InputError(
            "sortition.missing_feature",
            "Line {line}: the people file has no column for feature(s) {features}.",
            line=header_line,
            features=", ".join(missing),
        )
    # No id column when the first column is itself a feature (the Nature 2021 layout).
    numbered = header[0] in features
    columns = [header.index(f) for f in features]
    people = []
    for number, (line, row) in enumerate(rows[1:], start=1):
        if len(row) < len(header):
            raise InputError(
                "sortition.bad_person_row",
                "Line {line}: expected {expected} columns, found {found}.",
                line=line,
                expected=len(header),
                found=len(row),
            )
        person_id = str(number) if numbered else row[0]
        if not person_id:
            raise InputError("sortition.missing_id", "Line {line}: the id is empty.", line=line)
        people.append(Person(person_id, tuple(row[c] for c in columns)))
    return tuple(people)


def _rows(text: str | Iterable[str]) -> list[tuple[int, list[str]]]:
    lines = text.splitlines() if isinstance(text, str) else [s.rstrip("\r\n") for s in text]
    rows = []
    for number, row in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip() for cell in row]
        if any(cells):
            rows.append((number, cells))
    return rows


def _integer(cell: str, line: int, column: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise InputError(
            "sortition.bad_number",
            "Line {line}: {column} must be a whole number, not {cell!r}.",
            line=line,
            column=column,
            cell=cell,
        ) from None
