"""Nested consultations and founding referendums: ballots and counts per council, rolled up."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset, post_entry
from comuna.core.errors import InputError, RuleError
from comuna.core.nested import UnitReport as CoreReport
from comuna.core.nested import check_report
from comuna.core.tally import DECISION_RULES
from comuna.federation.models import (
    Consultation,
    ConsultationBallot,
    ConsultationMark,
    ConsultationUnit,
    Founding,
    UnitReport,
)
from comuna.federation.services.common import now_or
from comuna.federation.tallies import rollup
from comuna.people.models import Resident
from comuna.people.services import electorate_size

BALLOT_CHOICES = ("yes", "no", "empty")


def _check_rules(rules: dict[str, Any]) -> dict[str, Any]:
    clean = {}
    for level, spec in rules.items():
        people = spec.get("people", "majority_of_votes")
        try:
            quorum = Fraction(str(spec.get("turnout_quorum", "0")))
        except (ValueError, ZeroDivisionError):
            quorum = Fraction(-1)
        if people not in DECISION_RULES or not 0 <= quorum <= 1:
            raise InputError(
                "consultation.bad_rule", "The rule for level {level} is not valid.", level=level
            )
        clean[level] = {
            "people": people,
            "turnout_quorum": f"{quorum.numerator}/{quorum.denominator}",
            "members_majority": bool(spec.get("members_majority", False)),
        }
    return clean


def _tree(root: Body, members: list[Body]) -> list[tuple[Body, Body | None]]:
    units: list[tuple[Body, Body | None]] = [(root, None)]
    frontier: list[tuple[Body, Body | None]] = [(m, root) for m in members]
    while frontier:
        units.extend(frontier)
        inner = {b.pk: b for b, _ in frontier if b.kind != Body.Kind.COUNCIL}
        frontier = [(b, inner[b.parent_id]) for b in Body.objects.filter(parent__in=list(inner))]
    return units


def start_consultation(
    root: Body,
    members: list[Body],
    *,
    question: str,
    rules: dict[str, Any],
    by: User,
    kind: str = Consultation.Kind.QUESTION,
    now: dt.datetime | None = None,
) -> Consultation:
    """Open a consultation over ``root`` and its ``members`` (inside the caller's transaction)."""
    if not question.strip():
        raise InputError("consultation.no_question", "Write the question put to the members.")
    rules = _check_rules(rules)
    units = _tree(root, members)
    if not any(b.kind == Body.Kind.COUNCIL for b, _ in units):
        raise RuleError("consultation.no_councils", "There is no council to vote in.")
    consultation = Consultation.objects.create(
        body=root, ruleset=current_ruleset(root), kind=kind, question=question.strip(),
        rules=rules, opened_at=now_or(now),
    )  # fmt: skip
    ConsultationUnit.objects.bulk_create(
        ConsultationUnit(
            consultation=consultation,
            body=b,
            parent=p,
            level=b.kind,
            is_leaf=b.kind == Body.Kind.COUNCIL,
        )  # fmt: skip
        for b, p in units
    )
    post_entry(
        root,
        "consultation.opened",
        {"consultation": consultation.pk, "kind": kind, "question": consultation.question,
         "rules": rules, "units": [[b.slug, p.slug if p else None, b.kind] for b, p in units],
         "by": by.username},
        now,
    )  # fmt: skip
    return consultation


@transaction.atomic
def open_consultation(
    body: Body, *, question: str, rules: dict[str, Any], by: User, now: dt.datetime | None = None
) -> Consultation:
    """Put ``question`` to every member of every council of ``body``."""
    members = list(Body.objects.filter(parent=body).order_by("pk"))
    if not members and body.kind != Body.Kind.COUNCIL:
        raise RuleError("consultation.no_councils", "There is no council to vote in.")
    return start_consultation(body, members, question=question, rules=rules, by=by, now=now)


def _station(consultation: Consultation, council: Body) -> ConsultationUnit:
    """The council's polling station, locked (ballots, its report and the close queue on it)."""
    unit = (
        ConsultationUnit.objects.select_for_update()
        .filter(consultation=consultation, body=council, is_leaf=True)
        .first()
    )
    if unit is None:
        raise RuleError(
            "consultation.not_in_tree",
            "{name} does not vote in this consultation.",
            name=council.name,
        )
    if Consultation.objects.get(pk=consultation.pk).status != Consultation.Status.OPEN:
        raise RuleError("consultation.closed", "This consultation is closed.")
    if UnitReport.objects.filter(unit=unit).exists():
        raise RuleError(
            "consultation.already_reported",
            "{name} has already reported its count.",
            name=council.name,
        )
    return unit


@transaction.atomic
def cast_consultation_ballot(
    consultation: Consultation, resident: Resident, choice: str, *, by: User
) -> ConsultationBallot:
    """A member votes at their council's station (on the electoral commission's phone, or
    their own). One ballot per member, settled by the database; the ballot names no one."""
    if choice not in BALLOT_CHOICES:
        raise InputError("consultation.bad_choice", "A ballot says yes, no or blank.")
    unit = _station(consultation, resident.body)
    min_age = current_ruleset(resident.body).param("member_min_age")
    today = timezone.localdate()
    if (
        not Resident.objects.electorate(resident.body, min_age, today)
        .filter(pk=resident.pk)
        .exists()
    ):
        raise RuleError(
            "consultation.not_a_member", "{name} is not on the register of this council.",
            name=resident.full_name,
        )  # fmt: skip
    try:
        with transaction.atomic():
            ConsultationMark.objects.create(consultation=consultation, resident=resident)
    except IntegrityError:
        raise RuleError(
            "consultation.already_voted", "{name} has already voted.", name=resident.full_name
        ) from None
    return ConsultationBallot.objects.create(unit=unit, choice=choice)


@transaction.atomic
def report_unit(
    consultation: Consultation,
    council: Body,
    *,
    by: User,
    counts: dict[str, int] | None = None,
    now: dt.datetime | None = None,
) -> UnitReport:
    """Close the council's station with its paper count, or with its phone ballots."""
    unit = _station(consultation, council)
    ballots = dict(unit.ballots.values_list("choice").annotate(n=Count("pk")))
    if counts is None:
        if not ballots:
            raise RuleError(
                "consultation.no_ballots", "No ballot was cast here: enter the paper count."
            )
        counts, source = {**ballots, "invalid": 0}, UnitReport.Source.PHONES
    elif ballots:
        raise RuleError(
            "consultation.mixed_sources",
            "Ballots were cast on phones here: report those, not a paper count.",
        )
    else:
        source = UnitReport.Source.PAPER
    eligible = electorate_size(council)
    report = CoreReport(
        council.slug, eligible, int(counts.get("yes", 0)), int(counts.get("no", 0)),
        int(counts.get("empty", 0)), int(counts.get("invalid", 0)),
    )  # fmt: skip
    if min(report.yes, report.no, report.empty, report.invalid) < 0:
        raise InputError("tally.negative_count", "Vote counts cannot be negative.")
    if report.ballots > eligible:
        raise RuleError(
            "consultation.more_ballots_than_members",
            "{cast} ballots but only {eligible} members on the register.",
            cast=report.ballots, eligible=eligible,
        )  # fmt: skip
    check_report(report)
    made = UnitReport.objects.create(
        unit=unit, eligible=eligible, yes=report.yes, no=report.no, empty=report.empty,
        invalid=report.invalid, source=source, reported_by=by, reported_at=now_or(now),
    )  # fmt: skip
    post_entry(
        consultation.body,
        "consultation.unit_reported",
        {"consultation": consultation.pk, "unit": council.slug, "source": source,
         "eligible": eligible, "yes": report.yes, "no": report.no, "empty": report.empty,
         "invalid": report.invalid, "by": by.username},
        now,
    )  # fmt: skip
    return made


@transaction.atomic
def close_consultation(
    consultation: Consultation, *, by: User, now: dt.datetime | None = None
) -> Consultation:
    """Close the count: roll the reports up, record every level's result and the digest.

    Councils that have not reported count as not reported (the result says how many did).
    """
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.OPEN:
        raise RuleError("consultation.closed", "This consultation is closed.")
    units = list(
        ConsultationUnit.objects.select_for_update()
        .filter(consultation=consultation)
        .select_related("body")
    )
    weights = {u.body.slug: u.weight for u in units}
    result = rollup(consultation)
    root = result.node(result.root)
    consultation.status = Consultation.Status.CLOSED
    consultation.closed_at = now_or(now)
    consultation.approved = root.approved
    consultation.digest = result.digest
    consultation.save(update_fields=["status", "closed_at", "approved", "digest"])
    post_entry(
        consultation.body,
        "consultation.closed",
        {
            "consultation": consultation.pk, "kind": consultation.kind,
            "rules": consultation.rules, "approved": root.approved,
            "units_reported": root.units_reported, "units_expected": root.units_expected,
            "results": [
                {"unit": n.unit, "parent": n.parent, "level": n.level,
                 "weight": weights[n.unit], "eligible": n.totals.eligible,
                 "cast": n.totals.cast, "yes": n.totals.yes, "no": n.totals.no,
                 "reported": n.units_reported, "approved": n.approved}
                for n in result.nodes
            ],
            "input_digest": result.input_digest, "digest": result.digest, "by": by.username,
        },
        now,
    )  # fmt: skip
    if consultation.kind == Consultation.Kind.FOUNDING:
        status = Founding.Status.APPROVED if root.approved else Founding.Status.REJECTED
        Founding.objects.filter(referendum=consultation).update(status=status)
    return consultation
