"""Founding a commune (or an upper level) and changing its membership (LOC Arts. 10-17)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from comuna.bodies.models import Body, Role, RulesetVersion
from comuna.bodies.services import current_ruleset, post_entry
from comuna.core import rulesets
from comuna.core.errors import InputError, RuleError
from comuna.federation.models import Delegate, Founding, Seat, Session
from comuna.federation.services import delegate_offices
from comuna.federation.services.common import MEMBER_KINDS, lock, now_or, params_of
from comuna.federation.services.consultations import start_consultation


@transaction.atomic
def start_founding(
    *,
    name: str,
    territory: str,
    charter: str,
    members: list[Body],
    promoters: list[User],
    notified_on: dt.date,
    kind: str = Body.Kind.COMMUNE,
    profile: str = "",
    slug: str = "",
    now: dt.datetime | None = None,
) -> Founding:
    """The promoter commission starts founding ``kind`` from neighbouring ``members``."""
    if not name.strip() or not territory.strip():
        raise InputError("body.missing_name", "A council needs a name and a territory.")
    if not charter.strip():
        raise InputError("founding.no_charter", "The founding charter cannot be empty.")
    if notified_on > timezone.localdate(now_or(now)):
        raise InputError("founding.notified_in_future", "The notification date is in the future.")
    members = _check_members(kind, members)
    profile = profile or current_ruleset(members[0]).profile
    params = rulesets.profile(profile)
    slug = slug or slugify(name)[:80]
    if not slug or Body.objects.filter(slug=slug).exists():
        raise InputError("body.slug_taken", "The short name {slug} is already in use.", slug=slug)
    body = Body.objects.create(
        kind=kind, name=name.strip(), slug=slug, territory=territory.strip(),
        founded_on=notified_on,
    )  # fmt: skip
    version = RulesetVersion.objects.create(
        body=body, number=1, profile=profile, params=params, adopted_on=notified_on,
        reason="founding",
    )  # fmt: skip
    for user in promoters:
        Role.objects.get_or_create(user=user, body=body, kind=Role.Kind.PROMOTER)
    founding = Founding.objects.create(body=body, charter=charter.strip(), notified_on=notified_on)
    founding.members.set(members)
    post_entry(
        body,
        "founding.started",
        {
            "name": body.name, "kind": kind, "territory": body.territory,
            "notified_on": notified_on.isoformat(), "members": [m.slug for m in members],
            "promoters": sorted(u.username for u in promoters),
            "ruleset": {"version": version.number, "profile": profile, "params": params},
        },
        now,
    )  # fmt: skip
    return founding


def _check_members(kind: str, members: list[Body]) -> list[Body]:
    if kind not in MEMBER_KINDS:
        raise InputError(
            "founding.bad_kind", "A {kind} is not founded from member bodies.", kind=kind
        )
    members = sorted(set(members), key=lambda b: b.pk)
    if len(members) < 2:
        raise RuleError("founding.too_few_members", "A founding joins at least two member bodies.")
    _check_free_members(kind, members)
    return members


def _check_free_members(kind: str, members: list[Body]) -> None:
    for member in members:
        if member.kind not in MEMBER_KINDS[kind]:
            raise RuleError(
                "founding.wrong_member_kind", "{name} cannot be a member of a {kind}.",
                name=member.name, kind=kind,
            )  # fmt: skip
        if member.parent_id is not None:
            raise RuleError(
                "founding.member_taken", "{name} already belongs to another body.", name=member.name
            )


def _locked_founding(founding: Founding) -> Founding:
    return (
        Founding.objects.select_for_update(of=("self",)).select_related("body").get(pk=founding.pk)
    )


@transaction.atomic
def disseminate_charter(
    founding: Founding, *, started_on: dt.date, by: User, now: dt.datetime | None = None
) -> Founding:
    """The draft charter goes out for public dissemination from ``started_on`` (LOC Art. 13)."""
    founding = _locked_founding(founding)
    if founding.status != Founding.Status.DRAFTING:
        raise RuleError("founding.wrong_step", "The founding is not at that step.")
    if not founding.notified_on <= started_on <= timezone.localdate(now_or(now)):
        raise InputError(
            "founding.bad_dissemination_date",
            "Dissemination starts between the notification and today.",
        )
    founding.status = Founding.Status.DISSEMINATION
    founding.dissemination_from = started_on
    founding.save(update_fields=["status", "dissemination_from"])
    post_entry(
        founding.body,
        "founding.charter_published",
        {"charter": founding.charter, "from": started_on.isoformat(), "by": by.username},
        now,
    )
    return founding


@transaction.atomic
def open_referendum(founding: Founding, *, by: User, now: dt.datetime | None = None) -> Founding:
    """After the dissemination period, the referendum opens in every member council."""
    founding = _locked_founding(founding)
    if founding.status != Founding.Status.DISSEMINATION:
        raise RuleError("founding.wrong_step", "The founding is not at that step.")
    params = params_of(founding.body)
    assert founding.dissemination_from is not None
    until = founding.dissemination_from + dt.timedelta(days=params["commune_dissemination_days"])
    if timezone.localdate(now_or(now)) < until:
        raise RuleError(
            "founding.dissemination_not_over",
            "The charter is being disseminated until {until}.",
            until=until.isoformat(),
        )
    members = list(founding.members.order_by("pk"))
    _check_free_members(founding.body.kind, members)
    rules = {
        founding.body.kind: {
            "people": "majority_of_votes",
            "turnout_quorum": params["commune_referendum_turnout"],
            "members_majority": False,
        }
    }
    founding.referendum = start_consultation(
        founding.body, members, question=founding.charter, rules=rules, by=by,
        kind="founding", now=now,
    )  # fmt: skip
    founding.status = Founding.Status.REFERENDUM
    founding.save(update_fields=["referendum", "status"])
    return founding


@transaction.atomic
def register_founding(
    founding: Founding,
    *,
    registration_number: str,
    on: dt.date,
    by: User,
    now: dt.datetime | None = None,
) -> Founding:
    """Register the approved body (LOC Art. 17): its members join it and its seats open."""
    founding = _locked_founding(founding)
    if founding.status != Founding.Status.APPROVED:
        raise RuleError("founding.wrong_step", "The founding is not at that step.")
    if not registration_number.strip():
        raise InputError("founding.no_registration_number", "Give the registration number.")
    body = lock(founding.body)
    # Locked: two foundings sharing a council cannot both register it.
    members = list(
        Body.objects.select_for_update(of=("self",))
        .filter(foundings_joined=founding)
        .order_by("pk")
    )
    _check_free_members(body.kind, members)
    body.registration_number, body.registered_on = registration_number.strip(), on
    body.save(update_fields=["registration_number", "registered_on"])
    Body.objects.filter(pk__in=[m.pk for m in members]).update(parent=body)
    seats = _open_seats(body, members, on)
    founding.status = Founding.Status.REGISTERED
    founding.save(update_fields=["status"])
    post_entry(
        body,
        "founding.registered",
        {
            "registration_number": body.registration_number, "on": on.isoformat(),
            "members": [m.slug for m in members], "seats": [_seat_json(s) for s in seats],
            "by": by.username,
        },
        now,
    )  # fmt: skip
    return founding


def _seat_json(seat: Seat) -> dict[str, str]:
    return {
        "kind": seat.kind,
        "member": seat.member.slug if seat.member else "",
        "label": seat.label,
    }


def _open_seats(body: Body, members: list[Body], on: dt.date) -> list[Seat]:
    """One seat per member body (LOC Art. 23), and in a commune three for the socio-productive
    organisations and one for the communal bank: placeholders until the economy app exists."""
    params = params_of(body)
    seats = [
        Seat(body=body, kind=Seat.Kind.MEMBER, member=m, label=m.name, opened_on=on)
        for m in members
        for _ in range(params["parliament_seats_per_member"])
    ]
    if body.kind == Body.Kind.COMMUNE:
        for n in range(1, params["parliament_enterprise_seats"] + 1):
            seats.append(Seat(body=body, kind=Seat.Kind.ENTERPRISE, label=str(n), opened_on=on))
        for n in range(1, params["parliament_bank_seats"] + 1):
            seats.append(Seat(body=body, kind=Seat.Kind.BANK, label=str(n), opened_on=on))
    for seat in seats:
        seat.save()
    return seats


def _no_session_in_progress(body: Body) -> None:
    if Session.objects.filter(body=body, status=Session.Status.IN_SESSION).exists():
        raise RuleError(
            "federation.session_in_progress",
            "The parliament is in session; membership changes wait until it closes.",
        )


@transaction.atomic
def join_federation(
    body: Body, member: Body, *, by: User, on: dt.date, now: dt.datetime | None = None
) -> Body:
    """``member`` joins the registered ``body``: a new seat, a larger majority."""
    body = lock(body)
    if body.registered_on is None:
        raise RuleError(
            "federation.not_registered", "{name} is not registered yet.", name=body.name
        )
    _check_free_members(body.kind, [Body.objects.select_for_update().get(pk=member.pk)])
    _no_session_in_progress(body)
    before = Body.objects.filter(parent=body).count()
    Body.objects.filter(pk=member.pk).update(parent=body)
    seats = _open_seats_for(body, member, on)
    post_entry(
        body,
        "federation.joined",
        {"member": member.slug, "members_before": before, "members_after": before + 1,
         "seats": [_seat_json(s) for s in seats], "on": on.isoformat(), "by": by.username},
        now,
    )  # fmt: skip
    return member


def _open_seats_for(body: Body, member: Body, on: dt.date) -> list[Seat]:
    per_member = params_of(body)["parliament_seats_per_member"]
    seats = [
        Seat(body=body, kind=Seat.Kind.MEMBER, member=member, label=member.name, opened_on=on)
        for _ in range(per_member)
    ]
    for seat in seats:
        seat.save()
    return seats


@transaction.atomic
def leave_federation(
    body: Body, member: Body, *, by: User, on: dt.date, now: dt.datetime | None = None
) -> Body:
    """``member`` leaves ``body``: its seat closes and its delegate's mandate ends."""
    body = lock(body)
    member = Body.objects.select_for_update().get(pk=member.pk)
    if member.parent_id != body.pk:
        raise RuleError("federation.not_a_member", "{body} is not a member.", body=member.name)
    _no_session_in_progress(body)
    before = Body.objects.filter(parent=body).count()
    seats = Seat.objects.filter(body=body, member=member, closed_on__isnull=True)
    sitting = Delegate.objects.filter(seat__in=seats, ended_on__isnull=True)
    delegate_offices.end_terms(list(sitting.select_related("term")), on, now)
    sitting.update(ended_on=on)
    seats.update(closed_on=on)
    Body.objects.filter(pk=member.pk).update(parent=None)
    post_entry(
        body,
        "federation.left",
        {"member": member.slug, "members_before": before, "members_after": before - 1,
         "on": on.isoformat(), "by": by.username},
        now,
    )  # fmt: skip
    return member
