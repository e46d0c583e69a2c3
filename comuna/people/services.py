"""Writes for the census. Changes that move the electorate are appended to the record."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset, post_entry
from comuna.core.errors import InputError, RuleError
from comuna.people.models import Household, Resident

CENSUS_COLUMNS = (
    "household_code",
    "address",
    "sector",
    "first_names",
    "last_names",
    "id_number",
    "birth_date",
    "sex",
    "resident_since",
    "phone",
)
REQUIRED_COLUMNS = (
    "household_code",
    "address",
    "first_names",
    "last_names",
    "birth_date",
    "resident_since",
)


def electorate_size(body: Body, day: dt.date | None = None) -> int:
    ruleset = current_ruleset(body)
    day = day or timezone.localdate()
    return Resident.objects.electorate(body, ruleset.param("member_min_age"), day).count()


@transaction.atomic
def add_household(body: Body, *, code: str, address: str, sector: str = "") -> Household:
    code, address = code.strip(), address.strip()
    if not code or not address:
        raise InputError("census.household_incomplete", "A household needs a code and an address.")
    if Household.objects.filter(body=body, code=code).exists():
        raise InputError(
            "census.household_exists", "Household {household} already exists.", household=code
        )
    return Household.objects.create(body=body, code=code, address=address, sector=sector.strip())


def _check_resident(body: Body, data: dict[str, Any], today: dt.date) -> None:
    if not data["first_names"].strip() or not data["last_names"].strip():
        raise InputError("census.name_missing", "First and last names are required.")
    if data["birth_date"] > today:
        raise InputError("census.birth_in_future", "The date of birth is in the future.")
    if data["resident_since"] < data["birth_date"]:
        raise InputError("census.residence_before_birth", "Residence cannot start before birth.")
    id_number = data.get("id_number", "").strip()
    if id_number and Resident.objects.filter(body=body, id_number=id_number).exists():
        raise InputError(
            "census.id_taken",
            "Identity document {id_number} is already in the census.",
            id_number=id_number,
        )


@transaction.atomic
def register_resident(
    household: Household, *, now: dt.datetime | None = None, **data: Any
) -> Resident:
    """Add a resident to the census; the record notes the new electorate size."""
    body = household.body
    today = (now or timezone.now()).date()
    _check_resident(body, data, today)
    resident = Resident.objects.create(body=body, household=household, **data)
    post_entry(
        body,
        "census.resident_registered",
        {
            "resident": resident.pk,
            "household": household.code,
            "electorate": electorate_size(body, today),
        },
        now,
    )
    return resident


@transaction.atomic
def record_departure(resident: Resident, on: dt.date) -> Resident:
    """A resident left the territory: kept in the census history, out of the electorate."""
    if resident.left_on:
        raise RuleError(
            "census.already_left",
            "This resident already left on {on}.",
            on=resident.left_on.isoformat(),
        )
    resident.left_on = on
    resident.save(update_fields=["left_on"])
    post_entry(
        resident.body,
        "census.resident_left",
        {
            "resident": resident.pk,
            "on": on.isoformat(),
            "electorate": electorate_size(resident.body),
        },
    )
    return resident


@dataclass
class ImportReport:
    households: int = 0
    residents: int = 0
    errors: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)


def _parse_date(value: str, column: str, line: int) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            "census.csv_bad_date",
            "Line {line}: {column} must be a date YYYY-MM-DD, not {value!r}.",
            line=line,
            column=column,
            value=value,
        ) from None


def _parse_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InputError(
            "census.csv_missing_columns",
            "The CSV lacks the columns: {columns}.",
            columns=", ".join(missing),
        )
    rows = []
    try:
        for row in reader:
            cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            rows.append((reader.line_num, cells))
    except csv.Error as error:  # e.g. a field beyond the csv module's size limit
        raise InputError(
            "census.csv_unreadable", "The CSV could not be read: {detail}.", detail=str(error)
        ) from None
    if not rows:
        raise InputError("census.csv_empty", "The CSV has no rows.")
    return rows


@transaction.atomic
def import_census(body: Body, text: str, *, now: dt.datetime | None = None) -> ImportReport:
    """Import households and residents from CSV; all rows or none.

    Every row is checked; if any fails, nothing is written and the report lists each bad row
    with its line number (``InputError`` with ``params["errors"]``).
    """
    today = (now or timezone.now()).date()
    rows = _parse_rows(text)
    report = ImportReport()
    households = {h.code: h for h in Household.objects.filter(body=body)}
    seen_ids: set[str] = set(
        Resident.objects.filter(body=body).exclude(id_number="").values_list("id_number", flat=True)
    )
    valid: list[tuple[str, dict[str, Any]]] = []
    new_households: dict[str, Household] = {}
    for line, row in rows:
        try:
            data = _row_to_resident(row, line, today, seen_ids)
        except InputError as error:
            report.errors.append((line, error.code, error.params))
            continue
        code = row["household_code"]
        if code not in households and code not in new_households:
            if not row.get("address"):
                report.errors.append((line, "census.household_incomplete", {"line": line}))
                continue
            new_households[code] = Household(
                body=body, code=code, address=row["address"], sector=row.get("sector", "")
            )
        valid.append((code, data))
    if report.errors:
        raise InputError(
            "census.csv_rejected",
            "{count} rows have errors; nothing was imported.",
            count=len(report.errors),
            errors=report.errors,
        )
    Household.objects.bulk_create(new_households.values())
    households.update(
        {h.code: h for h in Household.objects.filter(body=body, code__in=new_households)}
    )
    Resident.objects.bulk_create(
        Resident(body=body, household=households[code], **data) for code, data in valid
    )
    report.households, report.residents = len(new_households), len(valid)
    post_entry(
        body,
        "census.imported",
        {
            "households_added": report.households,
            "residents_added": report.residents,
            "electorate": electorate_size(body, today),
        },
        now,
    )
    return report


@functools.cache
def _max_lengths() -> dict[str, int]:
    """Column limits of the census models (static: computed once, not for every CSV row)."""
    fields = {f.name: f for f in (*Household._meta.fields, *Resident._meta.fields)}
    fields["household_code"] = Household._meta.get_field("code")
    return {column: fields[column].max_length or 0 for column in CENSUS_COLUMNS}


def _row_to_resident(
    row: dict[str, str], line: int, today: dt.date, seen_ids: set[str]
) -> dict[str, Any]:
    for column in REQUIRED_COLUMNS:
        if not row.get(column):
            raise InputError(
                "census.csv_missing_value",
                "Line {line}: {column} is empty.",
                line=line,
                column=column,
            )
    # Checked here, not left to the database: PostgreSQL would refuse the whole import with
    # an error no one can act on, SQLite would silently keep the overlong value.
    for column, limit in _max_lengths().items():
        if limit and len(row.get(column, "")) > limit:
            raise InputError(
                "census.csv_too_long",
                "Line {line}: {column} is longer than {limit}.",
                line=line,
                column=column,
                limit=limit,
            )
    birth = _parse_date(row["birth_date"], "birth_date", line)
    since = _parse_date(row["resident_since"], "resident_since", line)
    if birth > today:
        raise InputError(
            "census.birth_in_future", "Line {line}: the date of birth is in the future.", line=line
        )
    if since < birth:
        raise InputError(
            "census.residence_before_birth",
            "Line {line}: residence cannot start before birth.",
            line=line,
        )
    sex = row.get("sex", "").upper()
    if sex not in {"", "F", "M", "X"}:
        raise InputError(
            "census.csv_bad_sex",
            "Line {line}: sex must be F, M or X, not {value!r}.",
            line=line,
            value=row.get("sex", ""),
        )
    id_number = row.get("id_number", "")
    if id_number:
        if id_number in seen_ids:
            raise InputError(
                "census.id_taken",
                "Line {line}: identity document {id_number} appears twice.",
                line=line,
                id_number=id_number,
            )
        seen_ids.add(id_number)
    return {
        "first_names": row["first_names"],
        "last_names": row["last_names"],
        "id_number": id_number,
        "birth_date": birth,
        "sex": sex,
        "resident_since": since,
        "phone": row.get("phone", ""),
    }
