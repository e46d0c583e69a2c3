"""A delegate is also an office holder of the member body that elected them (ADR 0064).

Seating a delegate opens an offices ``Term`` on a ``Post`` of the member body, so that the
offices rules apply to delegates as to any spokesperson: eligibility (recall ban, re-election
limit, incompatibilities), the alternate, and recall by the member body's own assembly.
A deviation from the mandate opens that recall; when it is carried out the federation seat
follows (``follow_recall``, connected to ``offices.signals.term_recalled``, ADR 0065).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.bodies.models import Body
from comuna.bodies.services import post_entry
from comuna.core import offices as office_rules
from comuna.core.errors import RuleError
from comuna.federation.models import Delegate, Deviation, Seat
from comuna.federation.services.common import now_or, params_of
from comuna.offices import recall_services
from comuna.offices import services as offices
from comuna.offices.models import Post, Recall, Term
from comuna.people.models import Resident

# LOC Art. 51 (acting against the Parliament's decisions) and LOCC Art. 39.1 (acting against
# the assembly's decisions): a vote against the imperative mandate is that ground.
GROUNDS = (
    "Votó contra el mandato de la asamblea (LOC Art. 51; LOCC Art. 39.1): punto {item} "
    "«{title}» de la sesión del {day} del Parlamento de {federation}; mandato «{mandate}», "
    "voto «{vote}»."
)


def post_for(seat: Seat, now: dt.datetime | None) -> tuple[Post, int]:
    """The member body's post for its seats in the federation, and this seat's number in it
    (created on first use and entered in the member body's record)."""
    member, federation = seat.member, seat.body
    assert member is not None
    name = f"Vocería ante el Parlamento de {federation.name}"[:200]
    siblings = list(
        Seat.objects.filter(body=federation, member=member, closed_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    number = siblings.index(seat.pk) + 1 if seat.pk in siblings else 1
    post = Post.objects.filter(body=member, name=name).first()
    if post is None:
        post = Post.objects.create(
            body=member, unit=Post.Unit.OTHER, name=name, seats=max(number, len(siblings))
        )
        post_entry(
            member, "posts.established",
            {"posts": [{"post": post.pk, "unit": post.unit, "name": name, "seats": post.seats,
                        "rotation": post.rotation}], "federation": federation.slug},
            now,
        )  # fmt: skip
    elif post.seats < number:
        post.seats = number
        post.save(update_fields=["seats"])
    return post, number


def check_eligible(
    seat: Seat, people: list[Resident], post: Post, on: dt.date, federation: dict[str, Any]
) -> None:
    """The member body's offices rules, then the longer ban of LOC Art. 53 on a delegate who
    was recalled: the next ``recall_ban_terms`` terms of the parliament."""
    _version, params = offices.params_of(post.body)
    years = int(federation["parliament_term_years"]) * int(federation["recall_ban_terms"])
    for resident in people:
        recalled = Delegate.objects.filter(
            resident=resident, term__end_reason=Term.End.RECALLED, term__ended_on__isnull=False
        ).values_list("term__ended_on", flat=True)
        until = max((office_rules.term_end(day, years) for day in recalled), default=None)
        if until is not None and on < until:
            raise RuleError(
                "offices.recall_barred", "offices.recall_barred",
                name=resident.full_name, until=until.isoformat(),
            )  # fmt: skip
        offices.check_eligible(resident, post, on, params)


def open_term(
    seat: Seat,
    resident: Resident,
    alternate: Resident | None,
    *,
    ends_on: dt.date,
    federation: dict[str, Any],
    now: dt.datetime | None,
) -> Term:
    """Check eligibility and open the delegate's term (and close the one it replaces)."""
    today = timezone.localdate(now_or(now))
    post, number = post_for(seat, now)
    check_eligible(seat, [resident] + ([alternate] if alternate else []), post, today, federation)
    for previous in Term.objects.filter(post=post, seat=number, ended_on__isnull=True):
        offices.end_term(previous, Term.End.REPLACED, today, now)
    return Term.objects.create(
        post=post, seat=number, holder=resident, alternate=alternate,
        source=Term.Source.ELECTION, starts_on=today, ends_on=max(ends_on, today),
    )  # fmt: skip


def end_terms(delegates: list[Delegate], on: dt.date, now: dt.datetime | None) -> None:
    """The seats of these delegates closed (their body left): their terms end too."""
    for delegate in delegates:
        if delegate.term is not None and delegate.term.ended_on is None:
            offices.end_term(delegate.term, Term.End.SEAT_CLOSED, on, now)


def _term_of(delegate: Delegate, now: dt.datetime | None) -> Term:
    """The delegate's term, opened now for a delegate seated before terms existed."""
    if delegate.term is not None:
        return delegate.term
    post, number = post_for(delegate.seat, now)
    delegate.term = Term.objects.create(
        post=post, seat=number, holder=delegate.resident, source=Term.Source.ELECTION,
        starts_on=delegate.elected_on, ends_on=delegate.term_ends_on,
    )  # fmt: skip
    delegate.save(update_fields=["term"])
    return delegate.term


@transaction.atomic
def request_recall(deviation: Deviation, *, by: User, now: dt.datetime | None = None) -> Recall:
    """Open a recall of the delegate, on the ground of this deviation.

    By the federation's ``delegate_recall_vote``: in the member body, whose offices path
    follows (signatures of its members, the social-audit report, the recall motion in its
    assembly, LOCC Arts. 38-42); or by referendum (LOC Art. 50): signatures of the
    federation's electors, then ``open_recall_referendum``.
    """
    deviation = (
        Deviation.objects.select_for_update(of=("self",))
        .select_related("delegate__seat__body", "delegate__term", "member", "vote__item__session")
        .get(pk=deviation.pk)
    )
    if deviation.recall_id is not None or deviation.recall_requested_at is not None:
        raise RuleError("recall.already_requested", "A recall has already been requested.")
    delegate = deviation.delegate
    if delegate.ended_on is not None:
        raise RuleError(
            "recall.delegate_ended", "{name} no longer holds the seat.",
            name=delegate.resident.full_name,
        )  # fmt: skip
    term = _term_of(delegate, now)
    item = deviation.vote.item
    grounds = GROUNDS.format(
        item=item.position, title=item.title, day=item.session.scheduled_at.date().isoformat(),
        federation=delegate.seat.body.name, mandate=deviation.vote.mandate,
        vote=deviation.vote.choice,
    )  # fmt: skip
    on = timezone.localdate(now_or(now))
    federation = delegate.seat.body
    if params_of(federation)["delegate_recall_vote"] == "referendum":
        # LOC Art. 50: the commune's electors sign, and all of them vote (ADR 0066).
        recall = recall_services.open_recall(
            term, grounds=grounds, by=by, on=on, now=now, body=federation,
            vote=Recall.Vote.REFERENDUM,
        )  # fmt: skip
    else:
        recall = recall_services.open_recall(term, grounds=grounds, by=by, on=on, now=now)
    deviation.recall, deviation.recall_requested_at = recall, now_or(now)
    deviation.save(update_fields=["recall", "recall_requested_at"])
    post_entry(
        deviation.member, "delegate.recall_requested",
        {"delegate": delegate.resident_id, "seat": delegate.seat.label, "deviation": deviation.pk,
         "recall": recall.pk, "by": by.username},
        now,
    )  # fmt: skip
    return recall


def follow_recall(
    sender: Any,
    *,
    term: Term,
    successor: Term | None,
    on: dt.date,
    now: dt.datetime | None,
    **kwargs: Any,
) -> None:
    """A recall carried out in the member body ends the delegate's seat in the federation;
    the alternate takes it for the rest of the term, or it stays vacant (ADR 0065)."""
    delegate = (
        Delegate.objects.select_for_update(of=("self",))
        .select_related("seat__body", "seat__member")
        .filter(term=term)
        .first()
    )
    if delegate is None:
        return
    seat, member = delegate.seat, delegate.seat.member
    assert member is not None
    sitting = delegate.ended_on is None
    payload = {"federation": seat.body.slug, "seat": seat.label, "member": member.slug,
               "resident": delegate.resident_id, "term": term.pk, "in_seat": sitting,
               "successor": successor.holder_id if successor else None}  # fmt: skip
    if sitting:
        delegate.ended_on = on
        delegate.save(update_fields=["ended_on"])
    bodies = [member] + ([seat.body] if sitting and member.parent_id == seat.body_id else [])
    _record(bodies, "delegate.recalled", payload, now)
    if sitting and successor is not None:
        _seat_successor(delegate, successor, bodies, now)


def _seat_successor(
    delegate: Delegate, successor: Term, bodies: list[Body], now: dt.datetime | None
) -> Delegate:
    seated = Delegate.objects.create(
        seat=delegate.seat, resident=successor.holder, assembly=delegate.assembly,
        parliament=delegate.parliament, elected_on=successor.starts_on,
        term_ends_on=delegate.term_ends_on, term=successor,
    )  # fmt: skip
    payload = {"federation": delegate.seat.body.slug, "seat": delegate.seat.label,
               "follows": delegate.resident_id, "resident": seated.resident_id,
               "term": successor.pk, "term_ends_on": seated.term_ends_on.isoformat()}  # fmt: skip
    _record(bodies, "delegate.succeeded", payload, now)
    return seated


def _record(
    bodies: list[Body], kind: str, payload: dict[str, Any], now: dt.datetime | None
) -> None:
    for body in bodies:
        post_entry(body, kind, payload, now)
