"""Nested consultations and founding referendums: each council's count, and every level's
result rolled up by ``core.nested`` (provisional while the consultation is open).

Reads are public (``federation.view``). Writes belong to the council's electoral commission
at its polling station (``consultation.report`` in the council), as on the station page: a
member's ballot on the commission's phone, and the council's count (paper, or the phone
ballots).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema

from comuna.api.auth import body_by_slug, policy
from comuna.api.routers.assemblies import resident_of
from comuna.api.schemas import MAX_ID, ErrorOut, Id
from comuna.bodies.models import Body
from comuna.core.errors import InputError
from comuna.core.nested import NodeResult
from comuna.federation import services, tallies
from comuna.federation.models import Consultation, ConsultationUnit, UnitReport

router = Router(tags=["consultations"])
ConsultationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Count_ = Annotated[int | None, Field(None, ge=0, le=1_000_000)]
REFUSALS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def body_of_consultation(consultation_id: int, **_: Any) -> Body:
    return get_object_or_404(Body, consultations=consultation_id)


class ConsultationOut(Schema):
    id: int
    body: str
    kind: str = Field(..., description="founding (referendum) or question")
    question: str
    status: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    approved: bool | None
    units_expected: int
    units_reported: int


class ReportOut(Schema):
    eligible: int
    yes: int
    no: int
    empty: int
    invalid: int
    source: str = Field(..., description="paper (counted by hand) or phones (ballots here)")
    reported_at: dt.datetime


class UnitOut(Schema):
    unit: str
    name: str
    parent: str | None
    level: str
    weight: str = Field(..., description="Weight in its parent's majority of member bodies.")
    is_leaf: bool
    report: ReportOut | None


class MembersVoteOut(Schema):
    yes: str
    no: str
    pending: str
    approved: bool


class LevelResultOut(Schema):
    unit: str
    parent: str | None
    level: str
    eligible: int
    cast: int
    yes: int
    no: int
    empty: int
    invalid: int
    units_expected: int
    units_reported: int
    final: bool = Field(..., description="Every station below has reported.")
    people_rule: str
    people_needed: int
    people_approved: bool
    turnout_required: int | None
    turnout_reached: bool | None
    members: MembersVoteOut | None
    approved: bool
    notes: list[str]


class ConsultationDetailOut(ConsultationOut):
    rules: dict[str, Any]
    provisional: bool = Field(..., description="Still open: the results may change.")
    units: list[UnitOut]
    results: list[LevelResultOut]
    digest: str = Field(..., description="What `comuna tally` prints for the unit reports CSV.")
    tally_command: str


class CountIn(Schema):
    """The paper count of the council's ballot box; send nothing to report the phone ballots."""

    yes: Count_ = None
    no: Count_ = None
    empty: Count_ = None
    invalid: Count_ = None


class StationBallotIn(Schema):
    resident: Id
    choice: Literal["yes", "no", "empty"]


class StationOut(Schema):
    consultation: int
    unit: str
    ballots: int = Field(..., description="Ballots in this station's box so far.")


def _counts(consultation: Consultation) -> dict[str, int]:
    return {"units_expected": consultation.n_expected, "units_reported": consultation.n_reported}


def _consultations():  # -> QuerySet[Consultation]
    leaves = Q(units__is_leaf=True)
    return Consultation.objects.select_related("body").annotate(
        n_expected=Count("units", filter=leaves),
        n_reported=Count("units__report", filter=leaves),
    )


def _consultation_out(item: Consultation) -> dict[str, Any]:
    return {
        "id": item.pk, "body": item.body.slug, "kind": item.kind, "question": item.question,
        "status": item.status, "opened_at": item.opened_at, "closed_at": item.closed_at,
        "approved": item.approved, **_counts(item),
    }  # fmt: skip


@router.get("/bodies/{slug}/consultations", response={200: list[ConsultationOut], 404: ErrorOut})
@policy("federation.view", body=body_by_slug)
def list_consultations(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """A body's consultations and founding referendum, latest first."""
    body = body_by_slug(slug)
    found = _consultations().filter(body=body).order_by("-opened_at")
    return [_consultation_out(c) for c in found]


def _report_out(report: UnitReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "eligible": report.eligible, "yes": report.yes, "no": report.no, "empty": report.empty,
        "invalid": report.invalid, "source": report.source, "reported_at": report.reported_at,
    }  # fmt: skip


def _result_out(node: NodeResult) -> dict[str, Any]:
    totals, turnout, members = node.totals, node.turnout, node.members
    return {
        "unit": node.unit, "parent": node.parent, "level": node.level,
        "eligible": totals.eligible, "cast": totals.cast, "yes": totals.yes, "no": totals.no,
        "empty": totals.empty, "invalid": totals.invalid,
        "units_expected": node.units_expected, "units_reported": node.units_reported,
        "final": node.final, "people_rule": node.people.rule,
        "people_needed": node.people.needed, "people_approved": node.people.approved,
        "turnout_required": turnout.required if turnout else None,
        "turnout_reached": turnout.reached if turnout else None,
        "members": None if members is None else {
            "yes": str(members.yes), "no": str(members.no), "pending": str(members.pending),
            "approved": members.approved,
        },
        "approved": node.approved, "notes": [*node.notes, *node.ties],
    }  # fmt: skip


@router.get(
    "/consultations/{consultation_id}", response={200: ConsultationDetailOut, 404: ErrorOut}
)
@policy("federation.view", body=body_of_consultation)
def get_consultation(request: HttpRequest, consultation_id: ConsultationId) -> dict[str, Any]:
    """A consultation with each council's report and every level's result under its rule:
    totals, the people's majority, turnout quorum, weighted majority of member bodies."""
    item = get_object_or_404(_consultations(), pk=consultation_id)
    units = list(item.units.select_related("body", "parent", "report").order_by("pk"))
    result = tallies.rollup(item)
    return {
        **_consultation_out(item),
        "rules": item.rules,
        "provisional": item.status == Consultation.Status.OPEN,
        "units": [
            {
                "unit": u.body.slug,
                "name": u.body.name,
                "parent": u.parent.slug if u.parent else None,
                "level": u.level,
                "weight": u.weight,
                "is_leaf": u.is_leaf,
                "report": _report_out(getattr(u, "report", None)),
            }  # fmt: skip
            for u in units
        ],
        "results": [_result_out(node) for node in result.nodes],
        "digest": result.digest,
        "tally_command": tallies.tally_command(item),
    }


def _station(slug: str, consultation_id: int) -> tuple[Consultation, Body]:
    council = body_by_slug(slug)
    unit = get_object_or_404(
        ConsultationUnit.objects.select_related("consultation"),
        consultation_id=consultation_id, body=council, is_leaf=True,
    )  # fmt: skip
    return unit.consultation, council


def _station_out(consultation: Consultation, council: Body) -> dict[str, Any]:
    unit = ConsultationUnit.objects.get(consultation=consultation, body=council)
    return {"consultation": consultation.pk, "unit": council.slug, "ballots": unit.ballots.count()}


@router.post(
    "/bodies/{slug}/consultations/{consultation_id}/ballots",
    response={201: StationOut, **REFUSALS},
)
@policy("consultation.report", body=body_by_slug)
def cast_station_ballot(
    request: HttpRequest, slug: str, consultation_id: ConsultationId, data: StationBallotIn
) -> tuple[int, dict]:
    """A member votes at the council's station, on the electoral commission's phone: the
    ballot keeps the choice and the station only, the member is marked as having voted."""
    consultation, council = _station(slug, consultation_id)
    resident = resident_of(council, data.resident)
    services.cast_consultation_ballot(consultation, resident, data.choice, by=request.auth)
    return 201, _station_out(consultation, council)


@router.post(
    "/bodies/{slug}/consultations/{consultation_id}/report",
    response={201: UnitOut, **REFUSALS},
)
@policy("consultation.report", body=body_by_slug)
def report_unit(
    request: HttpRequest, slug: str, consultation_id: ConsultationId, data: CountIn | None = None
) -> tuple[int, dict]:
    """Close the council's station with its paper count (yes and no at least), or, sending no
    count, with the ballots cast on phones. Entered in the consultation's public record."""
    consultation, council = _station(slug, consultation_id)
    given = {} if data is None else data.model_dump(exclude_none=True)
    if given and not {"yes", "no"} <= set(given):
        raise InputError("consultation.counts_required", "Enter at least the yes and no counts.")
    counts = {"empty": 0, "invalid": 0, **given} if given else None
    report = services.report_unit(consultation, council, by=request.auth, counts=counts)
    unit = report.unit
    return 201, {
        "unit": council.slug, "name": council.name,
        "parent": unit.parent.slug if unit.parent else None, "level": unit.level,
        "weight": unit.weight, "is_leaf": unit.is_leaf, "report": _report_out(report),
    }  # fmt: skip
