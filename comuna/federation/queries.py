"""Reads for the federation pages: the tree, conformance, membership effects, meetings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from comuna.assemblies.models import Assembly
from comuna.bodies.models import Body, RulesetVersion
from comuna.core import federation as fed
from comuna.core.errors import RuleError
from comuna.core.rulesets import fraction
from comuna.federation.models import Delegate, DelegateVote, Item, Session
from comuna.federation.services.common import councils_under, params_of
from comuna.people.models import Resident, years_before


@dataclass
class Node:
    body: Body
    children: list[Node] = field(default_factory=list)
    delegates: list[Delegate] = field(default_factory=list)
    decisions: list[Item] = field(default_factory=list)
    residents: int = 0


def tree(root: Body, depth: int = 6) -> Node:
    """The body and everything below it, with delegates and recent decisions (few queries)."""
    nodes = {root.pk: Node(root)}
    frontier = [root.pk]
    for _level in range(depth):
        kids = list(
            Body.objects.filter(parent__in=frontier)
            .annotate(n=Count("residents", filter=Q(residents__left_on__isnull=True)))
            .order_by("name")
        )
        if not kids:
            break
        for kid in kids:
            nodes[kid.pk] = Node(kid, residents=kid.n)  # type: ignore[attr-defined]
            nodes[kid.parent_id].children.append(nodes[kid.pk])
        frontier = [k.pk for k in kids]
    delegates = Delegate.objects.filter(
        seat__body__in=list(nodes), seat__closed_on__isnull=True, ended_on__isnull=True
    ).select_related("resident", "seat")
    for delegate in delegates:
        nodes[delegate.seat.body_id].delegates.append(delegate)
    decided = (
        Item.objects.filter(session__body__in=list(nodes), closed_at__isnull=False)
        .select_related("session")
        .order_by("-closed_at")[:50]
    )
    for item in decided:
        node = nodes[item.session.body_id]
        if len(node.decisions) < 5:
            node.decisions.append(item)
    return nodes[root.pk]


def conformance_by(votes: Any, key: str) -> dict[Any, fed.ConformanceSummary]:
    pairs: dict[Any, list[tuple[str | None, str]]] = {}
    for row in votes.values(key, "mandate", "choice"):
        pairs.setdefault(row[key], []).append((row["mandate"] or None, row["choice"]))
    return {k: fed.summarise(v) for k, v in pairs.items()}


def delegate_conformance(body: Body) -> dict[int, fed.ConformanceSummary]:
    return conformance_by(DelegateVote.objects.filter(item__session__body=body), "delegate_id")


def member_conformance(body: Body) -> dict[int, fed.ConformanceSummary]:
    return conformance_by(DelegateVote.objects.filter(item__session__body=body), "seat__member_id")


def size_rules(body: Body) -> fed.SizeRules:
    params = params_of(body)
    commune = body.kind == Body.Kind.COMMUNE
    return fed.SizeRules(
        per_member=params["parliament_seats_per_member"],
        enterprise=params["parliament_enterprise_seats"] if commune else 0,
        bank=params["parliament_bank_seats"] if commune else 0,
        extraordinary_call=fraction(params, "parliament_extraordinary_call"),
        agenda_item_call=fraction(params, "parliament_agenda_item_call"),
        referendum_turnout=fraction(params, "commune_referendum_turnout"),
    )


def electorates(bodies: list[Body]) -> dict[str, int]:
    """Members on the register of each body (the sum of its councils' for upper levels).

    One count per distinct minimum age among the councils' rulesets, not one per council.
    """
    under = {b.slug: councils_under(b) for b in bodies}
    councils = {c.pk: c for found in under.values() for c in found}
    ages: dict[int, list[int]] = {}
    versions = RulesetVersion.objects.filter(body__in=list(councils)).order_by("body", "-number")
    seen: set[int] = set()
    for version in versions:
        if version.body_id not in seen:
            seen.add(version.body_id)
            ages.setdefault(version.param("member_min_age"), []).append(version.body_id)
    today = timezone.localdate()
    counts: dict[int, int] = {}
    for age, pks in ages.items():
        rows = (
            Resident.objects.current()
            .filter(body__in=pks, birth_date__lte=years_before(today, age))
            .values_list("body")
            .annotate(n=Count("pk"))
        )
        counts.update(dict(rows))
    return {slug: sum(counts.get(c.pk, 0) for c in found) for slug, found in under.items()}


def membership_effect(body: Body, *, join: Body | None = None, leave: Body | None = None):  # type: ignore[no-untyped-def]
    members = list(Body.objects.filter(parent=body))
    current = electorates(members)
    joining = electorates([join]) if join is not None else {}
    leaving = [leave.slug] if leave is not None else []
    return fed.membership_effect(current, size_rules(body), joining=joining, leaving=leaving)


def meetings(member: Body) -> list[tuple[str, str]]:
    """The member body's meetings in session: where its decisions are taken now."""
    if member.kind == Body.Kind.COUNCIL:
        held = member.assemblies.filter(status=Assembly.Status.IN_SESSION).order_by(
            "-first_call_at"
        )
        return [(f"a{a.pk}", f"{a} — {a.place}") for a in held]
    sessions = Session.objects.filter(body=member, status=Session.Status.IN_SESSION)
    return [(f"p{s.pk}", f"{s} — {s.place}") for s in sessions]


def resolve_meeting(member: Body, value: str) -> dict[str, Any]:
    prefix, pk = value[:1], value[1:]
    if pk.isdigit() and prefix == "a":
        assembly = Assembly.objects.filter(body=member, pk=pk).first()
        if assembly is not None:
            return {"assembly": assembly, "parliament": None}
    if pk.isdigit() and prefix == "p":
        session = Session.objects.filter(body=member, pk=pk).first()
        if session is not None:
            return {"assembly": None, "parliament": session}
    return _no_meeting(member)


def _no_meeting(member: Body) -> dict[str, Any]:
    raise RuleError(
        "federation.meeting_not_in_session",
        "The decision must be taken by an assembly of {name} in session.",
        name=member.name,
    )
