"""Writes for assemblies: convocation, attendance, quorum, votes and decisions.

Each public function is one transaction that checks the body's rules (the ruleset version the
assembly was convened under) and appends binding acts to the body's public record.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from comuna.assemblies.models import (
    CHOICE_VALUES,
    AgendaItem,
    Assembly,
    Attendance,
    Decision,
    Motion,
    RollCallVote,
    SecretBallot,
    VoterMark,
)
from comuna.bodies import services as body_services
from comuna.bodies.models import Body, Committee
from comuna.core import rulesets
from comuna.core.errors import InputError, RuleError
from comuna.core.quorum import check_quorum
from comuna.core.tally import VoteCounts, decide
from comuna.people.models import Resident

# Voting codes avoid look-alike characters: they are read off paper slips in a hall.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY345679"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _locked(model: type, pk: int) -> Any:
    return model.objects.select_for_update().get(pk=pk)


@transaction.atomic
def convene_assembly(
    body: Body,
    *,
    by: User,
    place: str,
    first_call_at: dt.datetime,
    second_call_at: dt.datetime,
    agenda: list[str],
    notice: str = "",
    kind: str = Assembly.Kind.ORDINARY,
    now: dt.datetime | None = None,
) -> Assembly:
    """Convene an assembly of ``body`` with its agenda, place, first and second call."""
    items = [item.strip() for item in agenda if item.strip()]
    if not items:
        raise InputError("assembly.empty_agenda", "An assembly needs at least one agenda item.")
    if not place.strip():
        raise InputError("assembly.no_place", "Say where the assembly meets.")
    if second_call_at < first_call_at:
        raise InputError(
            "assembly.second_call_before_first", "The second call cannot come before the first."
        )
    if first_call_at < _now(now) - dt.timedelta(minutes=5):
        raise InputError("assembly.in_the_past", "An assembly cannot be convened in the past.")
    ruleset = body_services.current_ruleset(body)
    assembly = Assembly.objects.create(
        body=body,
        ruleset=ruleset,
        kind=kind,
        place=place.strip(),
        first_call_at=first_call_at,
        second_call_at=second_call_at,
        notice=notice.strip(),
        convened_by=by,
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(assembly=assembly, position=i, title=title) for i, title in enumerate(items, 1)
    )
    body_services.post_entry(
        body,
        "assembly.convened",
        {
            "assembly": assembly.pk,
            "kind": kind,
            "place": assembly.place,
            "first_call_at": first_call_at.isoformat(),
            "second_call_at": second_call_at.isoformat(),
            "agenda": items,
            "ruleset_version": ruleset.number,
            "by": by.username,
        },
        now,
    )
    return assembly


def electorate_of(assembly: Assembly, day: dt.date | None = None) -> int:
    if assembly.electorate_at_opening is not None:
        return assembly.electorate_at_opening
    day = day or timezone.localdate(assembly.first_call_at)
    return Resident.objects.electorate(
        assembly.body, assembly.ruleset.param("member_min_age"), day
    ).count()


def quorum_of(assembly: Assembly, call: int, present: int | None = None):  # -> QuorumResult
    threshold = assembly.ruleset.fraction(
        "quorum_first_call" if call == 1 else "quorum_second_call"
    )
    if present is None:
        present = assembly.attendance.count()
    return check_quorum(electorate_of(assembly), present, threshold)


def _new_voting_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@transaction.atomic
def record_attendance(
    assembly: Assembly, resident: Resident, *, by: User, now: dt.datetime | None = None
) -> Attendance:
    """Record that ``resident`` is present; only members of the body's electorate count."""
    assembly = (
        Assembly.objects.select_for_update().select_related("ruleset", "body").get(pk=assembly.pk)
    )
    if assembly.status not in (Assembly.Status.CONVENED, Assembly.Status.IN_SESSION):
        raise RuleError(
            "attendance.assembly_closed", "This assembly is no longer taking attendance."
        )
    day = timezone.localdate(assembly.first_call_at)
    min_age = assembly.ruleset.param("member_min_age")
    if not Resident.objects.electorate(assembly.body, min_age, day).filter(pk=resident.pk).exists():
        raise RuleError(
            "attendance.not_a_member",
            "{name} is not a member of this body's assembly (census, age {age}+).",
            name=resident.full_name,
            age=min_age,
        )
    already = RuleError(
        "attendance.already_recorded",
        "{name} is already recorded as present.",
        name=resident.full_name,
    )
    # The unique constraints decide: one attendance per person, one code per assembly. A code
    # collision (1 in 300 million per pair) is simply retried with a fresh code.
    for _attempt in range(5):
        if Attendance.objects.filter(assembly=assembly, resident=resident).exists():
            raise already
        try:
            with transaction.atomic():
                return Attendance.objects.create(
                    assembly=assembly,
                    resident=resident,
                    recorded_at=_now(now),
                    recorded_by=by,
                    voting_code=_new_voting_code(),
                )
        except IntegrityError:
            continue
    raise already


@transaction.atomic
def open_assembly(
    assembly: Assembly, *, call: int, by: User, now: dt.datetime | None = None
) -> Assembly:
    """Open the session on the first or second call, refusing when quorum is not reached."""
    assembly = _locked(Assembly, assembly.pk)
    moment = _now(now)
    if assembly.status != Assembly.Status.CONVENED:
        raise RuleError("assembly.not_convened", "This assembly cannot be opened now.")
    if call not in (1, 2):
        raise InputError("assembly.bad_call", "The call must be the first or the second.")
    call_at = assembly.first_call_at if call == 1 else assembly.second_call_at
    if moment < call_at:
        raise RuleError(
            "assembly.call_not_yet",
            "The call is at {at}; it is not time yet.",
            at=timezone.localtime(call_at).strftime("%Y-%m-%d %H:%M"),
        )
    quorum = quorum_of(assembly, call)
    if not quorum.reached:
        raise RuleError(
            "quorum.not_reached",
            "No quorum: {present} present, {required} needed ({missing} missing).",
            present=quorum.present,
            required=quorum.required,
            missing=quorum.missing,
            electorate=quorum.electorate,
        )
    assembly.status = Assembly.Status.IN_SESSION
    assembly.opened_on_call = call
    assembly.opened_at = moment
    assembly.electorate_at_opening = quorum.electorate
    assembly.save()
    body_services.post_entry(
        assembly.body,
        "assembly.opened",
        {
            "assembly": assembly.pk,
            "call": call,
            "electorate": quorum.electorate,
            "present": quorum.present,
            "threshold": str(quorum.threshold),
            "required": quorum.required,
        },
        now,
    )
    return assembly


@transaction.atomic
def declare_no_quorum(assembly: Assembly, *, by: User, now: dt.datetime | None = None) -> Assembly:
    """After the second call fails, the assembly is recorded as not held."""
    assembly = _locked(Assembly, assembly.pk)
    if assembly.status != Assembly.Status.CONVENED:
        raise RuleError("assembly.not_convened", "This assembly cannot be opened now.")
    if _now(now) < assembly.second_call_at:
        raise RuleError(
            "assembly.call_not_yet",
            "The call is at {at}; it is not time yet.",
            at=timezone.localtime(assembly.second_call_at).strftime("%Y-%m-%d %H:%M"),
        )
    quorum = quorum_of(assembly, 2)
    if quorum.reached:
        raise RuleError("assembly.quorum_present", "The quorum is present: open the assembly.")
    assembly.status = Assembly.Status.NO_QUORUM
    assembly.closed_at = _now(now)
    assembly.save()
    body_services.post_entry(
        assembly.body,
        "assembly.not_held",
        {
            "assembly": assembly.pk,
            "electorate": quorum.electorate,
            "present": quorum.present,
            "required": quorum.required,
        },
        now,
    )
    return assembly


def _check_motion_payload(body: Body, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    if kind == Motion.Kind.CREATE_COMMITTEE:
        name = str(payload.get("committee", "")).strip()
        if not name:
            raise InputError("committee.missing_name", "A committee needs a name.")
        if Committee.objects.filter(body=body, name__iexact=name).exists():
            raise RuleError("committee.exists", "The committee {name} already exists.", name=name)
        return {"committee": name}
    if kind == Motion.Kind.AMEND_RULESET:
        changes = payload.get("changes") or {}
        if not isinstance(changes, dict) or not changes:
            raise InputError("ruleset.no_changes", "Say which parameters change.")
        current = body_services.current_ruleset(body).params
        amended = rulesets.validate_amendment(current, changes)
        return {"changes": {name: amended[name] for name in changes}}
    if kind == Motion.Kind.RECALL:
        from comuna.offices.recall_services import check_recall_motion

        return check_recall_motion(body, payload)
    return {}


@transaction.atomic
def add_motion(
    assembly: Assembly,
    *,
    title: str,
    method: str,
    text: str = "",
    kind: str = Motion.Kind.GENERAL,
    payload: dict[str, Any] | None = None,
    agenda_item: AgendaItem | None = None,
) -> Motion:
    """Put a motion before the assembly (not yet voting)."""
    assembly = _locked(Assembly, assembly.pk)
    if assembly.status in (Assembly.Status.CLOSED, Assembly.Status.NO_QUORUM):
        raise RuleError("assembly.closed", "This assembly is closed.")
    if not title.strip():
        raise InputError("motion.no_title", "A motion needs a title.")
    if method not in Motion.Method.values:
        raise InputError("motion.bad_method", "Unknown voting method {method}.", method=method)
    if kind not in Motion.Kind.values:
        raise InputError("motion.bad_kind", "Unknown kind of motion {kind}.", kind=kind)
    if agenda_item is not None and agenda_item.assembly_id != assembly.pk:
        raise InputError("motion.foreign_item", "That agenda item belongs to another assembly.")
    return Motion.objects.create(
        assembly=assembly,
        agenda_item=agenda_item,
        title=title.strip(),
        text=text.strip(),
        kind=kind,
        method=method,
        payload=_check_motion_payload(assembly.body, kind, payload or {}),
    )


@transaction.atomic
def open_vote(motion: Motion, *, by: User, now: dt.datetime | None = None) -> Motion:
    motion = _locked(Motion, motion.pk)
    if not motion.assembly.is_open:
        raise RuleError("vote.assembly_not_in_session", "The assembly is not in session.")
    if motion.status != Motion.Status.DRAFT:
        raise RuleError("vote.not_draft", "This motion has already been put to the vote.")
    if motion.kind == Motion.Kind.RECALL:
        from comuna.offices.recall_services import check_recall_quorum

        check_recall_quorum(motion)
    motion.status = Motion.Status.OPEN
    motion.opened_at = _now(now)
    motion.save(update_fields=["status", "opened_at"])
    return motion


def _open_motion_for_voting(motion_pk: int, method: str) -> Motion:
    # Locks the motion so that a close cannot slip between the check and the ballot.
    motion = Motion.objects.select_for_update().select_related("assembly").get(pk=motion_pk)
    if motion.status != Motion.Status.OPEN:
        raise RuleError("vote.closed", "Voting on this motion is not open.")
    if motion.method != method:
        raise RuleError("vote.wrong_method", "This motion is not voted that way.")
    return motion


def _check_choice(choice: str) -> None:
    if choice not in CHOICE_VALUES:
        raise InputError(
            "vote.bad_choice", "A vote is yes, no or abstain, not {choice!r}.", choice=choice
        )


@transaction.atomic
def cast_roll_call_vote(
    motion: Motion, resident: Resident, choice: str, *, by: User
) -> RollCallVote:
    """Record one person's open vote, as the spokesperson hears it."""
    _check_choice(choice)
    motion = _open_motion_for_voting(motion.pk, Motion.Method.OPEN_ROLL)
    if not Attendance.objects.filter(assembly=motion.assembly, resident=resident).exists():
        raise RuleError(
            "vote.not_attending", "{name} is not recorded as present.", name=resident.full_name
        )
    try:
        with transaction.atomic():
            return RollCallVote.objects.create(motion=motion, resident=resident, choice=choice)
    except IntegrityError:
        raise RuleError(
            "vote.already_cast", "This person has already voted on this motion."
        ) from None


def _receipt() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


@transaction.atomic
def cast_ballot(motion: Motion, voting_code: str, choice: str) -> str:
    """Cast a secret ballot from a phone with the attendee's voting code; returns the receipt.

    The voter mark (who voted) and the ballot (what was chosen) share nothing but the motion:
    the ballot has a random key, a random receipt and no time. The unique constraint on the
    mark makes a second ballot impossible even under concurrent requests.
    """
    _check_choice(choice)
    motion = _open_motion_for_voting(motion.pk, Motion.Method.SECRET_PHONE)
    attendance = Attendance.objects.filter(
        assembly=motion.assembly, voting_code=voting_code.strip().upper()
    ).first()
    if attendance is None:
        raise RuleError("vote.bad_code", "That voting code is not valid for this assembly.")
    try:
        with transaction.atomic():
            VoterMark.objects.create(motion=motion, attendance=attendance)
    except IntegrityError:
        raise RuleError(
            "vote.already_cast", "This person has already voted on this motion."
        ) from None
    ballot = SecretBallot.objects.create(motion=motion, receipt=_receipt(), choice=choice)
    return ballot.receipt


def _counts_from_rows(motion: Motion) -> VoteCounts:
    rows = motion.ballots if motion.method == Motion.Method.SECRET_PHONE else motion.roll_call
    tally = dict(rows.values_list("choice").annotate(n=Count("pk")).values_list("choice", "n"))
    return VoteCounts(
        yes=tally.get("yes", 0), no=tally.get("no", 0), abstain=tally.get("abstain", 0)
    )


def _vote_evidence(motion: Motion) -> dict[str, Any]:
    if motion.method == Motion.Method.SECRET_PHONE:
        return {
            "ballots": [
                list(pair)
                for pair in motion.ballots.order_by("receipt").values_list("receipt", "choice")
            ]
        }
    if motion.method == Motion.Method.OPEN_ROLL:
        return {
            "roll_call": [
                list(pair)
                for pair in motion.roll_call.order_by("resident_id").values_list(
                    "resident_id", "choice"
                )
            ]
        }
    return {}


@transaction.atomic
def close_vote(
    motion: Motion, *, by: User, counts: VoteCounts | None = None, now: dt.datetime | None = None
) -> Decision:
    """Close the vote, apply the ruleset's decision rule and record the binding decision."""
    motion = (
        Motion.objects.select_for_update()
        .select_related("assembly__body", "assembly__ruleset")
        .get(pk=motion.pk)
    )
    assembly = motion.assembly
    if motion.status != Motion.Status.OPEN:
        raise RuleError("vote.closed", "Voting on this motion is not open.")
    if motion.counted_by_hand:
        if counts is None:
            raise InputError("vote.counts_required", "Enter the counted yes, no and abstain votes.")
    else:
        counts = _counts_from_rows(motion)
    attendees = assembly.attendance.count()
    ruleset = assembly.ruleset
    result = decide(
        counts,
        _rule_of(motion),
        attendees=attendees,
        members=assembly.electorate_at_opening or 0,
    )
    moment = _now(now)
    motion.status, motion.closed_at = Motion.Status.CLOSED, moment
    motion.save(update_fields=["status", "closed_at"])
    body = assembly.body
    number = (Decision.objects.filter(body=body).aggregate(n=Max("number"))["n"] or 0) + 1
    decision = Decision.objects.create(
        motion=motion,
        body=body,
        ruleset=ruleset,
        number=number,
        yes=counts.yes,
        no=counts.no,
        abstain=counts.abstain,
        attendees=attendees,
        electorate=assembly.electorate_at_opening or 0,
        rule=result.rule,
        needed=result.needed,
        approved=result.approved,
        decided_at=moment,
    )
    body_services.post_entry(
        body,
        "decision.made",
        {
            "number": number,
            "assembly": assembly.pk,
            "motion": motion.title,
            "text": motion.text,
            "kind": motion.kind,
            "payload": motion.payload,
            "method": motion.method,
            "counts": {"yes": counts.yes, "no": counts.no, "abstain": counts.abstain},
            "attendees": attendees,
            "electorate": decision.electorate,
            "rule": result.rule,
            "needed": result.needed,
            "approved": result.approved,
            "ruleset_version": ruleset.number,
            **_vote_evidence(motion),
        },
        now,
    )
    if result.approved:
        _carry_out(decision, moment.date(), now)
    if motion.kind == Motion.Kind.RECALL:  # approved or not, the recall is settled
        from comuna.offices.recall_services import settle_recall

        settle_recall(decision, now)
    return decision


def _rule_of(motion: Motion) -> str:
    if motion.kind == Motion.Kind.RECALL:
        from comuna.offices.recall_services import recall_vote_rule

        return recall_vote_rule(motion.assembly)
    return str(motion.assembly.ruleset.param("decision_rule"))


def _carry_out(decision: Decision, on: dt.date, now: dt.datetime | None) -> None:
    motion = decision.motion
    if motion.kind == Motion.Kind.CREATE_COMMITTEE:
        body_services.create_committee(decision.body, motion.payload["committee"], decision, now)
    elif motion.kind == Motion.Kind.AMEND_RULESET:
        body_services.amend_ruleset(
            decision.body,
            motion.payload["changes"],
            decision_number=decision.number,
            on=on,
            now=now,
        )


@transaction.atomic
def close_assembly(
    assembly: Assembly, *, by: User, summary: str = "", now: dt.datetime | None = None
) -> Assembly:
    assembly = _locked(Assembly, assembly.pk)
    if assembly.status != Assembly.Status.IN_SESSION:
        raise RuleError("assembly.not_in_session", "The assembly is not in session.")
    if assembly.motions.filter(status=Motion.Status.OPEN).exists():
        raise RuleError("assembly.open_votes", "Close every open vote before closing the assembly.")
    assembly.status = Assembly.Status.CLOSED
    assembly.closed_at = _now(now)
    if summary.strip():
        assembly.summary = summary.strip()
    assembly.save()
    body_services.post_entry(
        assembly.body,
        "assembly.closed",
        {
            "assembly": assembly.pk,
            "attendance": assembly.attendance.count(),
            "decisions": sorted(
                Decision.objects.filter(motion__assembly=assembly).values_list("number", flat=True)
            ),
        },
        now,
    )
    return assembly


@transaction.atomic
def record_debate_notes(item: AgendaItem, notes: str, *, by: User) -> AgendaItem:
    if item.assembly.status in (Assembly.Status.CLOSED, Assembly.Status.NO_QUORUM):
        raise RuleError("assembly.closed", "This assembly is closed.")
    item.notes = notes.strip()
    item.save(update_fields=["notes"])
    return item
