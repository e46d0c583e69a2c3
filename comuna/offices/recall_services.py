"""Writes for recalls (revocatoria, LOCC Arts. 38-42; LOPP Art. 16).

Petition with a signature threshold (10 % of the electorate, from mid-term), the social-audit
report within its deadline, the vote in an assembly as a motion of kind ``recall`` with its own
quorum and rule, and — when approved, in the decision's transaction — the holder's term ended
and the alternate seated. Every step is appended to the public record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from comuna.assemblies.models import Assembly, Decision, Motion
from comuna.bodies import services as body_services
from comuna.bodies.models import Body
from comuna.core import offices as rules
from comuna.core.errors import InputError, RuleError
from comuna.core.quorum import check_quorum
from comuna.core.rulesets import fraction
from comuna.offices.models import Post, Recall, RecallSignature, Term
from comuna.offices.services import end_term, params_of
from comuna.offices.signals import term_recalled
from comuna.people.models import Resident, years_before


def _locked(recall: Recall) -> Recall:
    return (
        Recall.objects.select_for_update()
        .select_related("term__post__body", "term__holder")
        .get(pk=recall.pk)
    )


def _record(recall: Recall, kind: str, payload: dict[str, Any], now: dt.datetime | None) -> None:
    body_services.post_entry(recall.body, kind, {"recall": recall.pk, **payload}, now)


@transaction.atomic
def open_recall(
    term: Term,
    *,
    grounds: str,
    by: User,
    on: dt.date,
    now: dt.datetime | None = None,
    body: Body | None = None,
    vote: str = Recall.Vote.ASSEMBLY,
) -> Recall:
    """File a recall petition against the holder of ``term``, once the share of the term the
    ruleset asks has passed (LOPP Art. 16: the midpoint).

    ``body`` (default: the post's) is where members sign, by its ruleset; with ``vote``
    ``referendum`` its whole electorate, down to its councils, votes instead of an assembly.
    """
    if not grounds.strip():
        raise InputError("recall.no_grounds", "State the grounds of the recall (LOCC Art. 39).")
    if not term.in_force(on):
        raise RuleError("recall.term_not_in_force", "That term is not in force.")
    body = body or term.post.body
    _version, params = params_of(body)
    opens = rules.recall_opens_on(
        term.starts_on, term.ends_on, fraction(params, "recall_min_elapsed_term")
    )
    if on < opens:
        raise RuleError(
            "recall.too_early", "A recall may be filed from {on}.", on=opens.isoformat()
        )
    electorate = electorate_of(body, int(params["member_min_age"]), on).count()
    needed = rules.signatures_needed(electorate, fraction(params, "recall_petition_threshold"))
    try:
        with transaction.atomic():
            recall = Recall.objects.create(
                body=body,
                term=term,
                vote=vote,
                grounds=grounds.strip(),
                opened_on=on,
                electorate=electorate,
                needed=needed,
                opened_by=by,
            )
    except IntegrityError:
        raise RuleError(
            "recall.already_open", "A recall of this term is already under way."
        ) from None
    _record(
        recall,
        "recall.opened",
        {
            "term": term.pk,
            "holder": term.holder_id,
            "post": term.post_id,
            "grounds": recall.grounds,
            "electorate": electorate,
            "needed": needed,
            "vote": vote,
            "by": by.username,
        },
        now,
    )
    return recall


@transaction.atomic
def sign_recall(
    recall: Recall, resident: Resident, *, by: User, on: dt.date, now: dt.datetime | None = None
) -> RecallSignature:
    """Record one member's signature (one per member: a database constraint)."""
    recall = _locked(recall)
    if recall.status != Recall.Status.PETITION:
        raise RuleError("recall.not_collecting", "This petition no longer takes signatures.")
    _version, params = params_of(recall.body)
    min_age = int(params["member_min_age"])
    if not electorate_of(recall.body, min_age, on).filter(pk=resident.pk).exists():
        raise RuleError(
            "recall.not_a_member",
            "{name} is not a member of the assembly.",
            name=resident.full_name,
        )
    try:
        with transaction.atomic():
            signature = RecallSignature.objects.create(
                recall=recall, resident=resident, signed_on=on
            )
    except IntegrityError:
        raise RuleError(
            "recall.already_signed",
            "{name} has already signed this petition.",
            name=resident.full_name,
        ) from None
    signed = recall.signatures.count()
    _record(
        recall,
        "recall.signed",
        {"resident": resident.pk, "signatures": signed, "by": by.username},
        now,
    )
    if signed >= recall.needed:
        _threshold_reached(recall, signed, params, on, now)
    return signature


def _threshold_reached(
    recall: Recall, signed: int, params: dict[str, Any], on: dt.date, now: dt.datetime | None
) -> None:
    """The social audit unit reports next; when the accused sits on that unit the request
    goes straight to the coordination collective and on to the assembly (LOCC Art. 41)."""
    recall.threshold_reached_on = on
    if recall.vote == Recall.Vote.REFERENDUM:
        recall.status = Recall.Status.REFERENDUM  # LOC Art. 50: no report, no assembly
    elif recall.term.post.unit == Post.Unit.AUDIT:
        recall.status = Recall.Status.ASSEMBLY
        recall.assembly_due_on = on + dt.timedelta(days=int(params["recall_to_assembly_days"]))
    else:
        recall.status = Recall.Status.REPORT
        recall.report_due_on = on + dt.timedelta(days=int(params["recall_report_days"]))
    recall.save(
        update_fields=["status", "threshold_reached_on", "report_due_on", "assembly_due_on"]
    )
    due = recall.report_due_on or recall.assembly_due_on
    _record(
        recall,
        "recall.threshold_reached",
        {
            "signatures": signed,
            "needed": recall.needed,
            "next": recall.status,
            "due_on": due.isoformat() if due else None,
        },
        now,
    )


@transaction.atomic
def file_audit_report(
    recall: Recall, text: str, *, by: User, on: dt.date, now: dt.datetime | None = None
) -> Recall:
    """The social-audit unit's report (LOCC Art. 41), within its deadline or marked late."""
    recall = _locked(recall)
    if recall.status != Recall.Status.REPORT:
        raise RuleError("recall.no_report_due", "No report is due on this recall.")
    if not text.strip():
        raise InputError("report.empty", "A report needs a text.")
    _version, params = params_of(recall.body)
    recall.report, recall.report_filed_on = text.strip(), on
    recall.assembly_due_on = on + dt.timedelta(days=int(params["recall_to_assembly_days"]))
    recall.status = Recall.Status.ASSEMBLY
    recall.save(update_fields=["report", "report_filed_on", "assembly_due_on", "status"])
    _record(
        recall,
        "recall.report_filed",
        {
            "report": recall.report,
            "due_on": recall.report_due_on.isoformat(),
            "late": on > recall.report_due_on,
            "assembly_due_on": recall.assembly_due_on.isoformat(),
            "by": by.username,
        },
        now,
    )
    return recall


@transaction.atomic
def put_recall_to_assembly(
    recall: Recall, assembly: Assembly, *, by: User, method: str, now: dt.datetime | None = None
) -> Motion:
    """Add the recall to ``assembly`` as a motion of kind ``recall`` (not yet voting)."""
    from comuna.assemblies import services as assemblies

    recall = _locked(recall)
    if recall.status != Recall.Status.ASSEMBLY:
        raise RuleError("recall.not_ready", "This recall is not ready for the assembly.")
    if assembly.body_id != recall.body_id:
        raise InputError("recall.foreign_assembly", "That assembly belongs to another body.")
    holder = recall.term.holder
    motion = assemblies.add_motion(
        assembly,
        title=f"Revocatoria: {holder.full_name} ({recall.term.post})",
        text=recall.grounds,
        method=method,
        kind=Motion.Kind.RECALL,
        payload={"recall": recall.pk},
    )
    recall.motion, recall.status = motion, Recall.Status.VOTING
    recall.save(update_fields=["motion", "status"])
    _record(
        recall,
        "recall.put_to_assembly",
        {"assembly": assembly.pk, "motion": motion.pk, "by": by.username},
        now,
    )
    return motion


def check_recall_motion(body: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """A recall motion names an existing recall of the body (called by ``add_motion``)."""
    try:
        recall = Recall.objects.get(pk=int(payload.get("recall", 0)), body=body)
    except (Recall.DoesNotExist, TypeError, ValueError):
        raise InputError("recall.unknown", "No such recall in this body.") from None
    return {"recall": recall.pk, "term": recall.term_id, "holder": recall.term.holder_id}


def check_recall_quorum(motion: Motion) -> None:
    """The recall vote has its own quorum (LOCC Art. 41: 20 % of the electorate)."""
    assembly = motion.assembly
    _version, params = params_of(assembly.body)
    quorum = check_quorum(
        assembly.electorate_at_opening or 0,
        assembly.attendance.count(),
        fraction(params, "recall_vote_quorum"),
    )
    if not quorum.reached:
        raise RuleError(
            "quorum.not_reached",
            "No quorum: {present} present, {required} needed ({missing} missing).",
            present=quorum.present,
            required=quorum.required,
            missing=quorum.missing,
        )


def recall_vote_rule(assembly: Assembly) -> str:
    return str(params_of(assembly.body)[1]["recall_vote_rule"])


def settle_recall(decision: Decision, now: dt.datetime | None) -> None:
    """Carry out the assembly's decision on a recall, inside the decision's transaction: an
    approved recall ends the term, bars the holder (LOCC Art. 42) and seats the alternate."""
    recall = _locked(Recall.objects.get(motion=decision.motion))
    recall.decision = decision
    on = timezone.localdate(decision.decided_at)
    _settle(recall, decision.approved, on, {"decision": decision.number}, now)


def settle_recall_by_referendum(
    recall: Recall, approved: bool, *, on: dt.date, ref: dict[str, Any], now: dt.datetime | None
) -> None:
    """Carry out a recall referendum's result (LOC Art. 50), inside the transaction that
    closes its count; ``ref`` names the count in the record (e.g. its consultation)."""
    recall = _locked(recall)
    if recall.status != Recall.Status.REFERENDUM:
        raise RuleError("recall.no_referendum_due", "This recall is not awaiting a referendum.")
    _settle(recall, approved, on, ref, now)


def _settle(
    recall: Recall, approved: bool, on: dt.date, ref: dict[str, Any], now: dt.datetime | None
) -> None:
    recall.status = Recall.Status.RECALLED if approved else Recall.Status.REJECTED
    recall.save(update_fields=["decision", "status"])
    if not approved:
        _record(recall, "recall.rejected", ref, now)
        return
    term, successor = _end_recalled_term(recall.term, on, now)
    _record(
        recall,
        "recall.carried_out",
        {
            **ref,
            "term": term.pk,
            "holder": term.holder_id,
            "successor": successor.pk if successor else None,
        },
        now,
    )
    term_recalled.send(sender=Recall, recall=recall, term=term, successor=successor, on=on, now=now)


def electorate_of(body: Body, min_age: int, on: dt.date) -> QuerySet[Resident]:
    """Who may sign: the body's members, or for a commune or upper level the members of every
    council under it (LOC Art. 50: "electores y electoras de la comuna")."""
    if body.kind == Body.Kind.COUNCIL:
        return Resident.objects.electorate(body, min_age, on)
    found, frontier = [], [body.pk]
    while frontier:
        frontier = list(Body.objects.filter(parent__in=frontier).values_list("pk", flat=True))
        found += frontier
    return Resident.objects.filter(body__in=found, left_on__isnull=True).filter(
        birth_date__lte=years_before(on, min_age)
    )


def _end_recalled_term(
    term: Term, on: dt.date, now: dt.datetime | None
) -> tuple[Term, Term | None]:
    """End the term and seat the alternate; a term that already ended meanwhile (its seat
    closed) keeps its end date but is marked recalled, so the ban applies, and no one is
    seated (ADR 0065)."""
    if term.ended_on is None:
        term = end_term(term, Term.End.RECALLED, on, now)
        return term, _seat_alternate(term, on, now)
    term.end_reason = Term.End.RECALLED
    term.save(update_fields=["end_reason"])
    return term, None


def _seat_alternate(term: Term, on: dt.date, now: dt.datetime | None) -> Term | None:
    """The alternate finishes the term (LOCC Arts. 41, 43); without one the seat is vacant
    and the electoral commission calls an election."""
    if term.alternate_id is None:
        return None
    successor = Term.objects.create(
        post=term.post,
        seat=term.seat,
        holder_id=term.alternate_id,
        source=Term.Source.SUCCESSION,
        election=term.election,
        follows=term,
        starts_on=on,
        ends_on=term.ends_on,
    )
    body_services.post_entry(
        term.post.body,
        "term.succeeded",
        {
            "term": successor.pk,
            "follows": term.pk,
            "post": term.post_id,
            "holder": successor.holder_id,
            "ends_on": successor.ends_on.isoformat(),
        },
        now,
    )
    return successor
