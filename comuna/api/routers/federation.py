"""Federation: the tree of member bodies with seats and delegates, the founding, parliament
sessions with each item's public votes beside the mandates, conformance and deviations.

Reads are public (``federation.view``), as the pages are. Writes are what member bodies do
from phones and scripts, under the policies of the pages: a member body records its
assembly's mandate on an item (``delegation.record`` in the member body), and the chair of
the parliament records a delegate's public vote (``parliament.run`` in the federation).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema

from comuna.api.auth import body_by_slug, policy
from comuna.api.schemas import MAX_ID, ErrorOut, Id
from comuna.assemblies.models import Assembly
from comuna.bodies.models import Body
from comuna.core import federation as fed
from comuna.core.errors import InputError
from comuna.federation import queries, services
from comuna.federation.models import (
    Delegate,
    DelegateVote,
    Deviation,
    Founding,
    Item,
    Mandate,
    Seat,
    Session,
)

router = Router(tags=["federation"])
SessionId = Annotated[int, Path(ge=1, le=MAX_ID)]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
REFUSALS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def body_of_session(session_id: int, **_: Any) -> Body:
    return get_object_or_404(Body, sessions=session_id)


def body_of_item(item_id: int, **_: Any) -> Body:
    return get_object_or_404(Body, sessions__items=item_id)


class DelegateOut(Schema):
    id: int
    resident: int
    name: str
    elected_on: dt.date
    term_ends_on: dt.date


class SeatOut(Schema):
    id: int
    label: str
    kind: str
    member: str | None
    delegate: DelegateOut | None


class NodeOut(Schema):
    slug: str
    name: str
    kind: str
    parent: str | None
    residents: int | None = Field(..., description="Current residents (members only).")
    seats: list[SeatOut] = Field(..., description="Open seats of this body's parliament.")


class TreeOut(Schema):
    root: str
    nodes: list[NodeOut] = Field(..., description="The body, then its members, level by level.")


class FoundingOut(Schema):
    body: str
    status: str
    charter: str
    notified_on: dt.date
    dissemination_from: dt.date | None
    members: list[str]
    referendum: int | None
    referendum_approved: bool | None


class SessionOut(Schema):
    id: int
    body: str
    kind: str
    status: str
    open_parliament: bool
    place: str
    scheduled_at: dt.datetime
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    members_at_opening: int | None
    items: int


class MandateOut(Schema):
    member: str
    choice: str
    recorded_at: dt.datetime


class DelegateVoteOut(Schema):
    seat: int
    seat_label: str
    member: str | None
    delegate: int
    delegate_name: str
    choice: str
    mandate: str = Field(..., description="The member body's mandate; empty when none.")
    conformance: str = Field(..., description="conform, deviation, free or no_mandate")
    cast_at: dt.datetime


class ItemOut(Schema):
    id: int
    position: int
    title: str
    forced: bool
    closed_at: dt.datetime | None
    yes: int | None
    no: int | None
    abstain: int | None
    needed: int | None
    approved: bool | None
    effect: str
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Ruleset changes the item adopts when it takes effect (LOC Art. 22.7).",
    )
    mandates: list[MandateOut]
    votes: list[DelegateVoteOut]


class SessionDetailOut(SessionOut):
    item_list: list[ItemOut]


class ConformanceOut(Schema):
    votes: int
    conform: int
    deviation: int
    free: int
    no_mandate: int


class DelegateConformanceOut(ConformanceOut):
    delegate: int
    resident: int
    name: str
    seat: str


class MemberConformanceOut(ConformanceOut):
    member: str


class ConformanceReportOut(Schema):
    body: str
    delegates: list[DelegateConformanceOut]
    members: list[MemberConformanceOut]


class DeviationOut(Schema):
    id: int
    federation: str
    member: str
    delegate: int
    delegate_name: str
    session: int
    item: int
    item_title: str
    mandate: str
    vote: str
    recorded_at: dt.datetime
    recall_requested_at: dt.datetime | None
    recall: int | None = Field(None, description="The recall opened on this deviation.")
    recall_status: str | None = Field(None, description="Its step, or recalled / rejected.")


class MandateIn(Schema):
    item: Id
    choice: Literal["yes", "no", "abstain", "free"]
    assembly: Id | None = Field(None, description="The member council's assembly in session.")
    parliament_session: Id | None = Field(
        None, description="Or the member body's own parliament session (upper levels)."
    )


class MandateGivenOut(MandateOut):
    item: int


class DelegateVoteIn(Schema):
    seat: Id
    choice: Literal["yes", "no", "abstain"]


def _delegate_out(delegate: Delegate | None) -> dict[str, Any] | None:
    if delegate is None:
        return None
    return {
        "id": delegate.pk, "resident": delegate.resident_id, "name": delegate.resident.full_name,
        "elected_on": delegate.elected_on, "term_ends_on": delegate.term_ends_on,
    }  # fmt: skip


def _flatten(
    node: queries.Node, parent: str | None, seats: dict[int, list[Seat]], out: list[dict]
) -> None:
    delegates = {d.seat_id: d for d in node.delegates}
    out.append(
        {
            "slug": node.body.slug, "name": node.body.name, "kind": node.body.kind,
            "parent": parent, "residents": node.residents if parent else None,
            "seats": [
                {"id": s.pk, "label": s.label, "kind": s.kind,
                 "member": s.member.slug if s.member else None,
                 "delegate": _delegate_out(delegates.get(s.pk))}
                for s in seats.get(node.body.pk, [])
            ],
        }
    )  # fmt: skip
    for child in node.children:
        _flatten(child, node.body.slug, seats, out)


@router.get("/bodies/{slug}/federation", response={200: TreeOut, 404: ErrorOut})
@policy("federation.view", body=body_by_slug)
def get_tree(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The body and every member body below it, with their open seats and current delegates."""
    root = queries.tree(body_by_slug(slug))
    bodies: list[int] = []
    stack = [root]
    while stack:
        node = stack.pop()
        bodies.append(node.body.pk)
        stack.extend(node.children)
    seats: dict[int, list[Seat]] = {}
    open_seats = Seat.objects.filter(body__in=bodies, closed_on__isnull=True)
    for seat in open_seats.select_related("member").order_by("kind", "label"):
        seats.setdefault(seat.body_id, []).append(seat)
    nodes: list[dict[str, Any]] = []
    _flatten(root, None, seats, nodes)
    return {"root": root.body.slug, "nodes": nodes}


@router.get("/bodies/{slug}/founding", response={200: FoundingOut, 404: ErrorOut})
@policy("federation.view", body=body_by_slug)
def get_founding(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Where the founding of this body stands: charter, members, referendum, registration."""
    founding = get_object_or_404(
        Founding.objects.select_related("body", "referendum"), body__slug=slug
    )
    referendum = founding.referendum
    return {
        "body": founding.body.slug, "status": founding.status, "charter": founding.charter,
        "notified_on": founding.notified_on, "dissemination_from": founding.dissemination_from,
        "members": list(founding.members.order_by("name").values_list("slug", flat=True)),
        "referendum": referendum.pk if referendum else None,
        "referendum_approved": referendum.approved if referendum else None,
    }  # fmt: skip


def _session_out(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk, "body": session.body.slug, "kind": session.kind,
        "status": session.status, "open_parliament": session.open_parliament,
        "place": session.place, "scheduled_at": session.scheduled_at,
        "opened_at": session.opened_at, "closed_at": session.closed_at,
        "members_at_opening": session.members_at_opening, "items": session.n_items,
    }  # fmt: skip


def _sessions():  # -> QuerySet[Session]
    return Session.objects.select_related("body").annotate(n_items=Count("items"))


@router.get("/bodies/{slug}/sessions", response={200: list[SessionOut], 404: ErrorOut})
@policy("federation.view", body=body_by_slug)
def list_sessions(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The sessions of a body's parliament, latest first."""
    body = body_by_slug(slug)
    return [_session_out(s) for s in _sessions().filter(body=body).order_by("-scheduled_at")]


def _vote_out(vote: DelegateVote) -> dict[str, Any]:
    return {
        "seat": vote.seat_id, "seat_label": vote.seat.label,
        "member": vote.seat.member.slug if vote.seat.member else None,
        "delegate": vote.delegate_id, "delegate_name": vote.delegate.resident.full_name,
        "choice": vote.choice, "mandate": vote.mandate, "conformance": vote.conformance,
        "cast_at": vote.cast_at,
    }  # fmt: skip


def _item_out(item: Item, mandates: list[Mandate], votes: list[DelegateVote]) -> dict[str, Any]:
    return {
        "id": item.pk, "position": item.position, "title": item.title, "forced": item.forced,
        "closed_at": item.closed_at, "yes": item.yes, "no": item.no, "abstain": item.abstain,
        "needed": item.needed, "approved": item.approved, "effect": item.effect,
        "changes": item.changes,
        "mandates": [
            {"member": m.member.slug, "choice": m.choice, "recorded_at": m.recorded_at}
            for m in mandates
        ],
        "votes": [_vote_out(v) for v in votes],
    }  # fmt: skip


@router.get("/sessions/{session_id}", response={200: SessionDetailOut, 404: ErrorOut})
@policy("federation.view", body=body_of_session)
def get_session(request: HttpRequest, session_id: SessionId) -> dict[str, Any]:
    """A session with every item: the mandates given, each delegate's public vote beside its
    mandate and conformance, and the count once the item is closed."""
    session = get_object_or_404(_sessions(), pk=session_id)
    items = list(session.items.order_by("position"))
    mandates: dict[int, list[Mandate]] = {}
    for mandate in Mandate.objects.filter(item__in=items).select_related("member"):
        mandates.setdefault(mandate.item_id, []).append(mandate)
    votes: dict[int, list[DelegateVote]] = {}
    cast = DelegateVote.objects.filter(item__in=items).select_related(
        "seat__member", "delegate__resident"
    )
    for vote in cast.order_by("seat__label", "seat_id"):
        votes.setdefault(vote.item_id, []).append(vote)
    return {
        **_session_out(session),
        "item_list": [
            _item_out(i, sorted(mandates.get(i.pk, []), key=lambda m: m.member.slug),
                      votes.get(i.pk, []))
            for i in items
        ],
    }  # fmt: skip


def _summary(summary: fed.ConformanceSummary) -> dict[str, int]:
    return {
        "votes": summary.votes, "conform": summary.conform, "deviation": summary.deviation,
        "free": summary.free, "no_mandate": summary.no_mandate,
    }  # fmt: skip


@router.get("/bodies/{slug}/conformance", response={200: ConformanceReportOut, 404: ErrorOut})
@policy("federation.view", body=body_by_slug)
def get_conformance(request: HttpRequest, slug: str) -> dict[str, Any]:
    """How every delegate, and the delegates of each member body, voted against their mandates
    in this body's parliament."""
    body = body_by_slug(slug)
    by_delegate = queries.delegate_conformance(body)
    by_member = queries.member_conformance(body)
    delegates = Delegate.objects.filter(pk__in=list(by_delegate)).select_related("resident", "seat")
    members = Body.objects.filter(pk__in=[pk for pk in by_member if pk is not None])
    return {
        "body": body.slug,
        "delegates": [
            {"delegate": d.pk, "resident": d.resident_id, "name": d.resident.full_name,
             "seat": d.seat.label, **_summary(by_delegate[d.pk])}
            for d in delegates.order_by("seat__label", "pk")
        ],
        "members": [
            {"member": m.slug, **_summary(by_member[m.pk])} for m in members.order_by("name")
        ],
    }  # fmt: skip


@router.get("/bodies/{slug}/deviations", response={200: list[DeviationOut], 404: ErrorOut})
@policy("federation.view", body=body_by_slug)
def list_deviations(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """Votes against a mandate: in this body's parliament, or by this member body's delegates."""
    body = body_by_slug(slug)
    found = (
        Deviation.objects.filter(Q(member=body) | Q(vote__item__session__body=body))
        .select_related("member", "delegate__resident", "vote__item__session__body", "recall")
        .order_by("-recorded_at", "-pk")
    )
    return [
        {
            "id": d.pk,
            "federation": d.vote.item.session.body.slug,
            "member": d.member.slug,
            "delegate": d.delegate_id,
            "delegate_name": d.delegate.resident.full_name,
            "session": d.vote.item.session_id,
            "item": d.vote.item_id,
            "item_title": d.vote.item.title,
            "mandate": d.vote.mandate,
            "vote": d.vote.choice,
            "recorded_at": d.recorded_at,
            "recall_requested_at": d.recall_requested_at,
            "recall": d.recall_id,
            "recall_status": d.recall.status if d.recall else None,
        }  # fmt: skip
        for d in found
    ]


def _meeting(member: Body, data: MandateIn) -> dict[str, Any]:
    """The member body's meeting that decided, looked up inside that body only."""
    if (data.assembly is None) == (data.parliament_session is None):
        raise InputError(
            "federation.meeting_required", "Name the assembly or parliament session that decided."
        )
    if data.assembly is not None:
        assembly = Assembly.objects.filter(body=member, pk=data.assembly).first()
        if assembly is not None:
            return {"assembly": assembly, "parliament": None}
    else:
        session = Session.objects.filter(body=member, pk=data.parliament_session).first()
        if session is not None:
            return {"assembly": None, "parliament": session}
    return queries.resolve_meeting(member, "")  # refuses: not a meeting of this body


@router.post("/bodies/{slug}/mandates", response={201: MandateGivenOut, **REFUSALS})
@policy("delegation.record", body=body_by_slug)
def record_mandate(request: HttpRequest, slug: str, data: MandateIn) -> tuple[int, dict]:
    """The member body's assembly (or parliament) mandates its delegate on an item of its
    federation's next session: yes, no, abstain, or a free vote."""
    member = body_by_slug(slug)
    item = Item.objects.filter(session__body_id=member.parent_id, pk=data.item).first()
    if member.parent_id is None or item is None:
        raise InputError(
            "federation.unknown_item", "The federation has no item {item}.", item=data.item
        )
    where = _meeting(member, data)
    mandate = services.record_mandate(item, member, data.choice, by=request.auth, **where)
    return 201, {
        "item": item.pk,
        "member": member.slug,
        "choice": mandate.choice,
        "recorded_at": mandate.recorded_at,
    }


@router.post("/items/{item_id}/votes", response={201: DelegateVoteOut, **REFUSALS})
@policy("parliament.run", body=body_of_item)
def cast_delegate_vote(
    request: HttpRequest, item_id: ItemId, data: DelegateVoteIn
) -> tuple[int, dict]:
    """Record a delegate's public vote on an item, as cast in the session; the answer says
    whether it followed the member body's mandate (a deviation is recorded at once)."""
    item = get_object_or_404(Item.objects.select_related("session"), pk=item_id)
    seat = Seat.objects.filter(body_id=item.session.body_id, pk=data.seat).first()
    if seat is None:
        raise InputError("federation.unknown_seat", "This parliament has no seat {seat}.",
                         seat=data.seat)  # fmt: skip
    vote = services.cast_delegate_vote(item, seat, data.choice, by=request.auth)
    found = DelegateVote.objects.select_related("seat__member", "delegate__resident").get(
        pk=vote.pk
    )
    return 201, _vote_out(found)
