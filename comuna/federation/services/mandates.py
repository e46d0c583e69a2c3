"""Imperative mandates, the delegates' public votes, deviations, decisions and ratification."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from comuna.assemblies.models import Assembly
from comuna.bodies.models import Body
from comuna.bodies.services import amend_ruleset, post_entry
from comuna.core import federation as rules
from comuna.core.errors import InputError, RuleError
from comuna.core.tally import VoteCounts, decide
from comuna.federation.models import (
    Delegate,
    DelegateVote,
    Deviation,
    Item,
    Mandate,
    Ratification,
    Seat,
    Session,
)
from comuna.federation.services.common import now_or, params_of
from comuna.federation.services.parliament import DECISION_RULE, _ref, meeting


def _item_payload(item: Item) -> dict[str, object]:
    return {
        "federation": item.session.body.slug, "session": item.session_id,
        "item": item.position, "title": item.title,
    }  # fmt: skip


@transaction.atomic
def record_mandate(
    item: Item,
    member: Body,
    choice: str,
    *,
    by: User,
    assembly: Assembly | None = None,
    parliament: Session | None = None,
    now: dt.datetime | None = None,
) -> Mandate:
    """The member body's assembly tells its delegate how to vote on ``item``.

    Mandates are given before the session opens: the session row is locked, so a mandate
    racing the opening either lands first or is refused, never counted half.
    """
    if choice not in rules.MANDATE_CHOICES:
        raise InputError("mandate.bad_choice", "A mandate is yes, no, abstain or free.")
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("body")
        .get(pk=item.session_id)
    )
    if session.status != Session.Status.CONVENED:
        raise RuleError(
            "mandate.session_opened",
            "The session has already opened: mandates are given before it opens.",
        )
    if not Seat.objects.filter(body=session.body, member=member, closed_on__isnull=True).exists():
        raise RuleError("federation.not_a_member", "{body} is not a member.", body=member.name)
    fields = meeting(member, assembly, parliament)
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                item=item, member=member, choice=choice, recorded_at=now_or(now), **fields
            )
    except IntegrityError:
        raise RuleError(
            "mandate.already_given", "{body} has already given its mandate on this item.",
            body=member.name,
        ) from None  # fmt: skip
    item.session = session
    post_entry(
        member, "mandate.given", {**_item_payload(item), "mandate": choice, **_ref(fields)}, now
    )
    return mandate


def _current_delegate(seat: Seat) -> Delegate:
    delegate = Delegate.objects.filter(seat=seat, ended_on__isnull=True).first()
    if delegate is None:
        raise RuleError("parliament.no_delegate", "This seat has no delegate.")
    return delegate


@transaction.atomic
def cast_delegate_vote(
    item: Item, seat: Seat, choice: str, *, by: User, now: dt.datetime | None = None
) -> DelegateVote:
    """Record a delegate's public vote and compare it with the mandate of their body."""
    if choice not in rules.VOTE_CHOICES:
        raise InputError(
            "vote.bad_choice", "A vote is yes, no or abstain, not {choice!r}.", choice=choice
        )
    item = (
        Item.objects.select_for_update(of=("self",)).select_related("session__body").get(pk=item.pk)
    )
    if item.session.status != Session.Status.IN_SESSION:
        raise RuleError("parliament.not_in_session", "The parliament is not in session.")
    if item.closed_at is not None:
        raise RuleError("vote.closed", "Voting on this motion is not open.")
    seat = Seat.objects.select_related("member").get(pk=seat.pk)
    if seat.body_id != item.session.body_id or seat.closed_on is not None:
        raise RuleError("parliament.seat_closed", "This seat is closed.")
    delegate = _current_delegate(seat)
    mandate = (
        Mandate.objects.filter(item=item, member=seat.member)
        .values_list("choice", flat=True)
        .first()
        if seat.member
        else None
    )
    try:
        with transaction.atomic():
            vote = DelegateVote.objects.create(
                item=item, seat=seat, delegate=delegate, choice=choice, mandate=mandate or "",
                conformance=rules.conformance(mandate, choice), cast_at=now_or(now),
            )  # fmt: skip
    except IntegrityError:
        raise RuleError(
            "parliament.already_voted", "This seat has already voted on this item."
        ) from None
    if vote.conformance == rules.DEVIATION:
        flag_deviation(vote, now=now)
    return vote


@transaction.atomic
def flag_deviation(vote: DelegateVote, *, now: dt.datetime | None = None) -> Deviation:
    """Record that a delegate voted against the mandate: on the delegate's page, in the member
    body's record and the parliament's. The member body may then open a recall."""
    if vote.conformance != rules.DEVIATION:
        raise RuleError("mandate.no_deviation", "This vote followed its mandate.")
    vote = DelegateVote.objects.select_related("item__session__body", "seat__member").get(
        pk=vote.pk
    )
    member = vote.seat.member
    assert member is not None
    deviation, created = Deviation.objects.get_or_create(
        vote=vote,
        defaults={"delegate_id": vote.delegate_id, "member": member, "recorded_at": now_or(now)},
    )
    if created:
        payload = {
            **_item_payload(vote.item), "member": member.slug, "seat": vote.seat.label,
            "delegate": vote.delegate.resident_id, "mandate": vote.mandate, "vote": vote.choice,
        }  # fmt: skip
        post_entry(member, "mandate.deviation", payload, now)
        post_entry(vote.item.session.body, "mandate.deviation", payload, now)
    return deviation


@transaction.atomic
def close_item(item: Item, *, by: User, now: dt.datetime | None = None) -> Item:
    """Count the delegates' votes by a majority of the parliament's members (LOC Art. 26).

    Where upper levels have no authority of their own (``zapatista``), an approved item waits
    for every member body to ratify it.
    """
    item = (
        Item.objects.select_for_update(of=("self",)).select_related("session__body").get(pk=item.pk)
    )
    session = item.session
    if session.status != Session.Status.IN_SESSION:
        raise RuleError("parliament.not_in_session", "The parliament is not in session.")
    if item.closed_at is not None:
        raise RuleError("vote.closed", "Voting on this motion is not open.")
    tally = dict(item.votes.values_list("choice").annotate(n=Count("pk")))
    counts = VoteCounts(tally.get("yes", 0), tally.get("no", 0), tally.get("abstain", 0))
    members = session.members_at_opening or 0
    result = decide(counts, DECISION_RULE, attendees=members, members=members)
    own_authority = params_of(session.body)["upper_level_has_own_authority"]
    item.yes, item.no, item.abstain = counts.yes, counts.no, counts.abstain
    item.needed, item.approved, item.closed_at = result.needed, result.approved, now_or(now)
    item.effect = "" if not result.approved else (
        Item.Effect.IN_EFFECT if own_authority else Item.Effect.PENDING
    )  # fmt: skip
    item.save()
    votes = item.votes.select_related("delegate").order_by("seat__label", "seat_id")
    post_entry(
        session.body,
        "parliament.decision",
        {
            **_item_payload(item),
            "counts": {"yes": counts.yes, "no": counts.no, "abstain": counts.abstain},
            "attendees": members, "electorate": members, "rule": DECISION_RULE,
            "needed": result.needed, "approved": result.approved, "effect": item.effect,
            **({"changes": item.changes} if item.changes else {}),
            "votes": [
                [v.seat.label, v.delegate.resident_id, v.choice, v.mandate, v.conformance]
                for v in votes
            ],
        },
        now,
    )  # fmt: skip
    _take_effect(item, now)
    return item


def _take_effect(item: Item, now: dt.datetime | None) -> None:
    """An item in effect that amends the rules adopts the new ruleset version now, in the
    deciding transaction (ADR 0067)."""
    if item.effect != Item.Effect.IN_EFFECT or not item.changes:
        return
    amend_ruleset(
        item.session.body, item.changes, parliament_item=(item.session_id, item.position),
        on=timezone.localdate(now_or(now)), now=now,
    )  # fmt: skip


@transaction.atomic
def close_session(session: Session, *, by: User, now: dt.datetime | None = None) -> Session:
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("body").get(pk=session.pk)
    )
    if session.status != Session.Status.IN_SESSION:
        raise RuleError("parliament.not_in_session", "The parliament is not in session.")
    if session.items.filter(closed_at__isnull=True).exists():
        raise RuleError("parliament.open_items", "Vote on every item before closing the session.")
    session.status, session.closed_at = Session.Status.CLOSED, now_or(now)
    session.save(update_fields=["status", "closed_at"])
    post_entry(session.body, "parliament.closed", {"session": session.pk}, now)
    return session


@transaction.atomic
def ratify_item(
    item: Item,
    member: Body,
    ratified: bool,
    *,
    by: User,
    assembly: Assembly | None = None,
    parliament: Session | None = None,
    now: dt.datetime | None = None,
) -> Item:
    """A member body's assembly ratifies (or refuses) an upper level's decision."""
    item = (
        Item.objects.select_for_update(of=("self",)).select_related("session__body").get(pk=item.pk)
    )
    body = item.session.body
    if item.effect != Item.Effect.PENDING:
        raise RuleError("ratification.not_pending", "This decision is not awaiting ratification.")
    if not Body.objects.filter(pk=member.pk, parent=body).exists():
        raise RuleError("federation.not_a_member", "{body} is not a member.", body=member.name)
    fields = meeting(member, assembly, parliament)
    try:
        with transaction.atomic():
            Ratification.objects.create(
                item=item, member=member, ratified=ratified, recorded_at=now_or(now), **fields
            )
    except IntegrityError:
        raise RuleError(
            "ratification.already_recorded", "{body} has already decided on this.", body=member.name
        ) from None
    done = dict(item.ratifications.values_list("ratified").annotate(n=Count("pk")))
    members = Body.objects.filter(parent=body).count()
    status = rules.ratification(done.get(True, 0), done.get(False, 0), members)
    item.effect = {
        rules.IN_EFFECT: Item.Effect.IN_EFFECT,
        rules.NOT_RATIFIED: Item.Effect.NOT_RATIFIED,
        rules.PENDING: Item.Effect.PENDING,
    }[status]
    item.save(update_fields=["effect"])
    payload = {**_item_payload(item), "member": member.slug, "ratified": ratified,
               "effect": item.effect, **_ref(fields)}  # fmt: skip
    post_entry(member, "decision.ratification", payload, now)
    post_entry(body, "decision.ratification", payload, now)
    _take_effect(item, now)
    return item
