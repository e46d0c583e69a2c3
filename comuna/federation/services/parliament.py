"""The parliament of mandated delegates: seats, elections, sessions, mandates, public votes,
deviations, requests of the member bodies and ratification by them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from comuna.assemblies.models import Assembly
from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset, post_entry
from comuna.core import federation as rules
from comuna.core.errors import InputError, RuleError
from comuna.core.rulesets import fraction, validate_amendment
from comuna.federation.models import Delegate, Item, Request, Seat, Session, Speaker
from comuna.federation.services import delegate_offices
from comuna.federation.services.common import is_within, lock, now_or, params_of
from comuna.people.models import Resident

DECISION_RULE = "majority_of_members"  # LOC Art. 26


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def meeting(member: Body, assembly: Assembly | None, parliament: Session | None) -> dict[str, Any]:
    """The meeting of ``member`` that decides: its assembly (a council) or its parliament (a
    commune or upper level), in session now."""
    if (assembly is None) == (parliament is None):
        raise InputError(
            "federation.meeting_required", "Name the assembly or parliament session that decided."
        )
    # Read afresh: the caller's copy may predate the meeting's closing.
    held = (
        Assembly.objects.filter(pk=assembly.pk).first()
        if assembly is not None
        else Session.objects.filter(pk=parliament.pk if parliament else None).first()
    )
    if held is None or held.body_id != member.pk or held.status != "in_session":
        raise RuleError(
            "federation.meeting_not_in_session",
            "The decision must be taken by an assembly of {name} in session.",
            name=member.name,
        )
    return {"assembly": assembly, "parliament": parliament}


def _ref(fields: dict[str, Any]) -> dict[str, Any]:
    if fields["assembly"] is not None:
        return {"assembly": fields["assembly"].pk}
    return {"parliament_session": fields["parliament"].pk}


def _no_session_in_progress(body: Body) -> None:
    if Session.objects.filter(body=body, status=Session.Status.IN_SESSION).exists():
        raise RuleError(
            "federation.session_in_progress",
            "The parliament is in session; membership changes wait until it closes.",
        )


@transaction.atomic
def elect_delegate(
    seat: Seat,
    resident: Resident,
    *,
    by: User,
    assembly: Assembly | None = None,
    parliament: Session | None = None,
    alternate: Resident | None = None,
    now: dt.datetime | None = None,
) -> Delegate:
    """Record the delegate a member body's assembly elected to its seat, for the term, with
    the alternate it named (LOC Art. 23). The delegate holds an office of the member body
    too (ADR 0064): its eligibility rules apply, and its assembly may recall them."""
    lock(seat.body)
    seat = (
        Seat.objects.select_for_update(of=("self",))
        .select_related("member", "body")
        .get(pk=seat.pk)
    )
    if seat.closed_on is not None:
        raise RuleError("parliament.seat_closed", "This seat is closed.")
    if seat.member is None:
        raise RuleError(
            "parliament.placeholder_seat",
            "This seat is filled by the socio-productive organisations or the communal bank.",
        )
    fields = meeting(seat.member, assembly, parliament)
    _no_session_in_progress(seat.body)
    if alternate is not None and alternate.pk == resident.pk:
        raise InputError("delegate.alternate_is_delegate", "The alternate must be someone else.")
    params = params_of(seat.body)
    today = timezone.localdate(now_or(now))
    _check_members([resident] + ([alternate] if alternate else []), seat.member, params, today)
    ends_on = _years_after(today, params["parliament_term_years"])
    term = delegate_offices.open_term(
        seat, resident, alternate, ends_on=ends_on, federation=params, now=now
    )
    Delegate.objects.filter(seat=seat, ended_on__isnull=True).update(ended_on=today)
    delegate = Delegate.objects.create(
        seat=seat, resident=resident, elected_on=today, term_ends_on=ends_on, term=term, **fields
    )
    payload = {
        "federation": seat.body.slug, "seat": seat.label, "member": seat.member.slug,
        "resident": resident.pk, "alternate": alternate.pk if alternate else None,
        "term": term.pk, "term_ends_on": delegate.term_ends_on.isoformat(),
        **_ref(fields), "by": by.username,
    }  # fmt: skip
    post_entry(seat.body, "delegate.elected", payload, now)
    post_entry(seat.member, "delegate.elected", payload, now)
    return delegate


def _check_members(
    people: list[Resident], member: Body, params: dict[str, Any], today: dt.date
) -> None:
    """The delegate and the alternate belong to the member body and are old enough."""
    for person in people:
        if person.left_on is not None or not is_within(person.body_id, member):
            raise RuleError(
                "delegate.not_a_member", "{name} is not a member of {body}.",
                name=person.full_name, body=member.name,
            )  # fmt: skip
    for person in people:
        if person.age(today) < params["spokesperson_min_age"]:
            raise RuleError(
                "delegate.too_young",
                "A delegate must be at least {age}.",
                age=params["spokesperson_min_age"],
            )


def _support(body: Body, kind: str) -> dict[str, list[Request]]:
    """Pending requests of current member bodies, by subject."""
    found: dict[str, list[Request]] = {}
    pending = Request.objects.filter(
        body=body, kind=kind, met_by__isnull=True, member__parent=body
    ).select_related("member")
    for request in pending.order_by("pk"):
        found.setdefault(request.subject, []).append(request)
    return found


def supported_subjects(body: Body, kind: str) -> list[tuple[str, int, int]]:
    """(subject, supporting member bodies, needed) for the body's pending requests."""
    params = params_of(body)
    threshold = fraction(
        params,
        "parliament_extraordinary_call"
        if kind == Request.Kind.EXTRAORDINARY
        else "parliament_agenda_item_call",
    )
    needed = rules.support_needed(Body.objects.filter(parent=body).count(), threshold)
    return [(s, len(rs), needed) for s, rs in sorted(_support(body, kind).items())]


@transaction.atomic
def make_request(
    body: Body,
    member: Body,
    *,
    kind: str,
    subject: str,
    by: User,
    assembly: Assembly | None = None,
    parliament: Session | None = None,
    now: dt.datetime | None = None,
) -> Request:
    """A member body asks for an extraordinary session or an agenda item (LOC Arts. 25, 22.9)."""
    if kind not in Request.Kind.values or not subject.strip():
        raise InputError("request.incomplete", "Say what the request is about.")
    if not Body.objects.filter(pk=member.pk, parent=body).exists():
        raise RuleError("federation.not_a_member", "{body} is not a member.", body=member.name)
    fields = meeting(member, assembly, parliament)
    try:
        with transaction.atomic():
            request = Request.objects.create(
                body=body, member=member, kind=kind, subject=subject.strip(),
                requested_at=now_or(now), **fields,
            )  # fmt: skip
    except IntegrityError:
        raise RuleError(
            "request.already_made", "{body} has already made this request.", body=member.name
        ) from None
    post_entry(
        body, "request.made",
        {"member": member.slug, "kind": kind, "subject": request.subject, **_ref(fields)}, now,
    )  # fmt: skip
    return request


@transaction.atomic
def convene_session(
    body: Body,
    *,
    by: User,
    place: str,
    scheduled_at: dt.datetime,
    agenda: list[str],
    kind: str = Session.Kind.ORDINARY,
    open_parliament: bool = False,
    requested_subject: str = "",
    now: dt.datetime | None = None,
) -> Session:
    """Convene a session; items requested by enough member bodies join its agenda by right."""
    body = lock(body)
    if body.registered_on is None:
        raise RuleError(
            "federation.not_registered", "{name} is not registered yet.", name=body.name
        )
    items = [a.strip() for a in agenda if a.strip()]
    if not place.strip():
        raise InputError("assembly.no_place", "Say where the assembly meets.")
    calls: list[Request] = []
    if requested_subject:
        calls = _calls(body, requested_subject)
        kind = Session.Kind.EXTRAORDINARY
        items = items or [requested_subject]
    forced = [
        (s, rs) for s, rs in _support(body, Request.Kind.AGENDA_ITEM).items() if _enough(body, rs)
    ]
    if not items and not forced:
        raise InputError("assembly.empty_agenda", "An assembly needs at least one agenda item.")
    session = Session.objects.create(
        body=body, ruleset=current_ruleset(body), kind=kind, open_parliament=open_parliament,
        place=place.strip(), scheduled_at=scheduled_at,
    )  # fmt: skip
    for position, title in enumerate(items, 1):
        Item.objects.create(session=session, position=position, title=title)
    for position, (subject, requests) in enumerate(forced, len(items) + 1):
        Item.objects.create(session=session, position=position, title=subject, forced=True)
        Request.objects.filter(pk__in=[r.pk for r in requests]).update(met_by=session)
    Request.objects.filter(pk__in=[r.pk for r in calls]).update(met_by=session)
    post_entry(
        body, "parliament.convened",
        {"session": session.pk, "kind": kind, "open_parliament": open_parliament,
         "place": session.place, "at": scheduled_at.isoformat(),
         "agenda": [i.title for i in session.items.order_by("position")],
         "forced_items": [s for s, _ in forced], "called_by": [r.member.slug for r in calls], "by": by.username},
        now,
    )  # fmt: skip
    return session


@transaction.atomic
def add_item(
    session: Session,
    title: str,
    *,
    by: User,
    changes: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Item:
    """Put an item on a convened session's agenda, before it opens so that the member bodies
    can mandate their delegates on it. ``changes`` amend the parliament's own ruleset when
    the item takes effect (LOC Art. 22.7, ADR 0067); they are checked now."""
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("body").get(pk=session.pk)
    )
    if session.status != Session.Status.CONVENED:
        raise RuleError("parliament.agenda_closed", "Items are added before the session opens.")
    title = title.strip()
    if not title:
        raise InputError("parliament.item_without_title", "Give the item a title.")
    checked = _checked_changes(session.body, changes or {})
    last = session.items.order_by("-position").values_list("position", flat=True).first()
    item = Item.objects.create(
        session=session, position=(last or 0) + 1, title=title, changes=checked
    )
    payload: dict[str, Any] = {"session": session.pk, "item": item.position, "title": title}
    if checked:
        payload["changes"] = checked
    post_entry(session.body, "parliament.item_added", {**payload, "by": by.username}, now)
    return item


def _checked_changes(body: Body, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` normalised against the body's ruleset in force (nothing written)."""
    amended = validate_amendment(current_ruleset(body).params, changes)
    return {name: amended[name] for name in sorted(changes)}


def _enough(body: Body, requests: list[Request]) -> bool:
    params = params_of(body)
    threshold = fraction(params, "parliament_agenda_item_call")
    return rules.threshold_reached(
        len(requests), Body.objects.filter(parent=body).count(), threshold
    )


def _calls(body: Body, subject: str) -> list[Request]:
    requests = _support(body, Request.Kind.EXTRAORDINARY).get(subject, [])
    members = Body.objects.filter(parent=body).count()
    threshold = fraction(params_of(body), "parliament_extraordinary_call")
    if not rules.threshold_reached(len(requests), members, threshold):
        raise RuleError(
            "parliament.call_not_supported",
            "{supporting} member bodies asked for it; {needed} are needed.",
            supporting=len(requests), needed=rules.support_needed(members, threshold),
        )  # fmt: skip
    return requests


def seated(body: Body) -> int:
    """Members of the parliament now: open seats with a delegate (vacant seats count none)."""
    return Delegate.objects.filter(
        seat__body=body, seat__closed_on__isnull=True, ended_on__isnull=True
    ).count()


@transaction.atomic
def open_session(session: Session, *, by: User, now: dt.datetime | None = None) -> Session:
    lock(session.body)
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("body").get(pk=session.pk)
    )
    if session.status != Session.Status.CONVENED:
        raise RuleError("parliament.not_convened", "This session cannot be opened now.")
    members = seated(session.body)
    if members == 0:
        raise RuleError("parliament.no_delegates", "No delegate has been elected yet.")
    session.status, session.members_at_opening = Session.Status.IN_SESSION, members
    session.opened_at = now_or(now)
    session.save(update_fields=["status", "members_at_opening", "opened_at"])
    post_entry(session.body, "parliament.opened", {"session": session.pk, "members": members}, now)
    return session


@transaction.atomic
def give_floor(
    session: Session, resident: Resident, *, by: User, now: dt.datetime | None = None
) -> Speaker:
    """Put ``resident`` on the session's list of speakers (Ataroa's open parliament)."""
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("body").get(pk=session.pk)
    )
    if session.status != Session.Status.IN_SESSION:
        raise RuleError("parliament.not_in_session", "The parliament is not in session.")
    if resident.left_on is not None or not is_within(resident.body_id, session.body):
        raise RuleError(
            "delegate.not_a_member", "{name} is not a member of {body}.",
            name=resident.full_name, body=session.body.name,
        )  # fmt: skip
    is_delegate = Delegate.objects.filter(
        resident=resident, seat__body=session.body, seat__closed_on__isnull=True,
        ended_on__isnull=True,
    ).exists()  # fmt: skip
    if not is_delegate and not session.open_parliament:
        raise RuleError(
            "parliament.delegates_only",
            "Only delegates speak in this session: it is not an open parliament.",
        )
    last = session.speakers.order_by("-position").values_list("position", flat=True).first()
    return Speaker.objects.create(
        session=session, resident=resident, position=(last or 0) + 1,
        is_delegate=is_delegate, recorded_at=now_or(now),
    )  # fmt: skip
