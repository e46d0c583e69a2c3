"""The pool of a lottery as the pure core sees it: people by resident id, feature values, quotas.

Reads only. Feature values come from the census (sex, age band on the day, household sector,
council of a commune's member) or from the volunteer's sign-up (custom features). The CSV text
written here is what the announcement freezes and what anyone downloads to re-run the draw
with ``comuna lottery``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset
from comuna.core.errors import ComunaError
from comuna.core.sortition import Person, Pool, Quota, make_pool
from comuna.core.sortition_check import Feasibility, check_feasibility
from comuna.lots.models import Lottery
from comuna.people.models import Resident, age_on, years_before

BUILTIN_FEATURES = {
    "sex": _("gender (census sex)"),
    "age": _("age band"),
    "sector": _("sector (household)"),
    "council": _("council (for a commune)"),
}
AGE_BANDS = ((15, 29), (30, 44), (45, 64), (65, None))
UNKNOWN = "?"


def age_band(birth_date: dt.date, day: dt.date) -> str:
    age = age_on(birth_date, day)
    for low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return f"{low}+" if high is None else f"{low}-{high}"
    return f"<{AGE_BANDS[0][0]}"


def bodies_of(body: Body) -> list[Body]:
    """The body and, for a commune, its member councils (whose residents make its pool)."""
    return [body, *body.members.all()]


def members(body: Body, day: dt.date):  # -> QuerySet[Resident]
    """Members of the body's assembly (of its councils' assemblies, for a commune) on ``day``."""
    min_age = current_ruleset(body).param("member_min_age")
    return (
        Resident.objects.filter(body__in=bodies_of(body))
        .current()
        .filter(birth_date__lte=years_before(day, min_age))
    )


def candidates(lottery: Lottery, day: dt.date) -> list[tuple[Resident, dict[str, str]]]:
    """Who is in the pool: the volunteers, or every member of the census."""
    related = ("household", "body")
    if lottery.source == Lottery.Source.CENSUS:
        return [(r, {}) for r in members(lottery.body, day).select_related(*related)]
    volunteers = lottery.volunteers.select_related(*(f"resident__{r}" for r in related))
    return [(v.resident, v.custom) for v in volunteers]


def value_of(resident: Resident, custom: dict[str, str], feature: str, day: dt.date) -> str:
    if feature == "sex":
        return resident.sex or UNKNOWN
    if feature == "age":
        return age_band(resident.birth_date, day)
    if feature == "sector":
        return resident.household.sector.strip() or UNKNOWN
    if feature == "council":
        return resident.body.slug
    return str(custom.get(feature, "")).strip() or UNKNOWN


def people_of(lottery: Lottery, day: dt.date) -> tuple[Person, ...]:
    return tuple(
        Person(
            str(resident.pk), tuple(value_of(resident, custom, f, day) for f in lottery.features)
        )
        for resident, custom in candidates(lottery, day)
    )


def quotas_of(lottery: Lottery, people: tuple[Person, ...]) -> tuple[Quota, ...]:
    """Every value present gets a quota: the one set, or 0..seats (no constraint)."""
    stored = {(q.feature, q.value): q for q in lottery.quotas.all()}
    quotas = []
    for column, feature in enumerate(lottery.features):
        values = {p.values[column] for p in people} | {v for f, v in stored if f == feature}
        for value in sorted(values):
            row = stored.get((feature, value))
            low, high = (row.min, row.max) if row else (0, lottery.panel_size)
            quotas.append(Quota(feature, value, low, high))
    return tuple(quotas)


def build_pool(lottery: Lottery, day: dt.date) -> Pool:
    people = people_of(lottery, day)
    return make_pool(quotas_of(lottery, people), people)


def pool_csv(pool: Pool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *pool.features])
    for person in sorted(pool.people, key=lambda p: p.id):
        writer.writerow([person.id, *person.values])
    return out.getvalue()


def quotas_csv(pool: Pool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "min", "max"])
    for quota in pool.quotas:
        writer.writerow([quota.feature, quota.value, quota.min, quota.max])
    return out.getvalue()


@dataclass(frozen=True)
class QuotaRow:
    """A quota with the number of people in the pool who have the value."""

    feature: str
    value: str
    min: int
    max: int
    available: int


@dataclass(frozen=True)
class Report:
    """What the page shows before the announcement: the quotas and whether they can be met."""

    pool_size: int
    rows: tuple[QuotaRow, ...]
    feasibility: Feasibility | None
    error: ComunaError | None
    short_features: tuple[str, ...]
    """Features whose minimums add up to more than the seats."""


def report(lottery: Lottery, day: dt.date) -> Report:
    try:
        pool = build_pool(lottery, day)
    except ComunaError as error:
        return Report(0, (), None, error, ())
    return report_on(pool, lottery.panel_size)


def report_on(pool: Pool, seats: int) -> Report:
    count = Counter(
        (feature, value)
        for person in pool.people
        for feature, value in zip(pool.features, person.values, strict=True)
    )
    rows = tuple(
        QuotaRow(q.feature, q.value, q.min, q.max, count[(q.feature, q.value)]) for q in pool.quotas
    )
    short = tuple(f for f in pool.features if sum(r.min for r in rows if r.feature == f) > seats)
    try:
        feasibility = check_feasibility(pool, seats)
    except ComunaError as error:
        return Report(len(pool.people), rows, None, error, short)
    return Report(len(pool.people), rows, feasibility, None, short)
