"""Writes for participatory budgets: the process and its phases, projects, ballots, result.

Each public function is one transaction that checks the process's phase and the body's rules
and appends the binding acts (phase changes, reviews, the result) to the body's record.
Spending lines are in ``spending.py``; pabulib import in ``pb_files.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from comuna.assemblies.models import Decision
from comuna.bodies import services as body_services
from comuna.bodies.models import Body
from comuna.budgets.models import (
    PHASES,
    BudgetBallot,
    BudgetProcess,
    PhaseChange,
    Project,
    VoterMark,
    VotingCode,
)
from comuna.core.budget_ballots import BALLOT_KINDS, check_ballot, election_of, run_rule
from comuna.core.errors import InputError, RuleError
from comuna.economy import budget_link
from comuna.people.models import Resident

# Codes and receipts avoid look-alike characters: they are read off paper slips.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY345679"
Phase = BudgetProcess.Phase


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _random(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _locked(process: BudgetProcess) -> BudgetProcess:
    return (
        BudgetProcess.objects.select_for_update()
        .select_related("body", "ruleset")
        .get(pk=process.pk)
    )


def parse_money(value: Any, code: str = "budget.bad_amount") -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise InputError(code, "{value} is not a positive amount.", value=value)
    return amount


def decision_number(body: Body, decision: Decision | None) -> int | None:
    if decision is None:
        return None
    if decision.body_id != body.pk or not decision.approved:
        raise RuleError(
            "budget.bad_decision",
            "Decision {number} is not an approved decision of this body.",
            number=decision.number,
        )
    return decision.number


def _opened(process: BudgetProcess, number: int | None) -> dict[str, Any]:
    return {
        "process": process.pk,
        "title": process.title,
        "amount": str(process.amount),
        "ballot": process.ballot_kind,
        "limits": {
            "max_projects": process.max_projects,
            "max_cost": None if process.max_cost is None else str(process.max_cost),
            "points": process.points,
        },
        "ruleset_version": process.ruleset.number,
        "decision": number,
    }


@transaction.atomic
def open_process(
    body: Body,
    *,
    by: User,
    title: str,
    amount: Any,
    ballot_kind: str = BudgetProcess.BallotKind.APPROVAL,
    max_projects: int | None = None,
    max_cost: Any = None,
    points: int | None = None,
    decision: Decision | None = None,
    now: dt.datetime | None = None,
) -> BudgetProcess:
    """Open a budget process for ``body``: it starts by gathering proposals."""
    if not title.strip():
        raise InputError("budget.no_title", "A budget process needs a title.")
    if ballot_kind not in BALLOT_KINDS:
        raise InputError("budget.bad_ballot_kind", "Unknown kind of ballot.")
    if ballot_kind == "cumulative" and not points:
        raise InputError("budget.points_required", "Say how many points each voter shares out.")
    number = decision_number(body, decision)
    process = BudgetProcess.objects.create(
        body=body,
        ruleset=body_services.current_ruleset(body),
        title=title.strip(),
        amount=parse_money(amount),
        ballot_kind=ballot_kind,
        max_projects=max_projects or None,
        max_cost=parse_money(max_cost) if max_cost not in (None, "") else None,
        points=points if ballot_kind == "cumulative" else None,
        created_at=_now(now),
    )
    PhaseChange.objects.create(
        process=process,
        phase=Phase.PROPOSALS,
        decision=decision,
        changed_at=_now(now),
        changed_by=by,
    )
    body_services.post_entry(body, "budget.opened", _opened(process, number), now)
    return process


@transaction.atomic
def propose_project(
    process: BudgetProcess, *, title: str, cost: Any, description: str = "", by: User
) -> Project:
    """Add a proposal gathered from the community (proposals phase only)."""
    process = _locked(process)
    if process.phase != Phase.PROPOSALS:
        raise RuleError("budget.not_proposals", "Proposals are closed for this process.")
    if not title.strip():
        raise InputError("budget.no_project_title", "A project needs a title.")
    code = f"P{process.projects.count() + 1}"
    return Project.objects.create(
        process=process, code=code, title=title.strip(), description=description.strip(),
        cost=parse_money(cost),
    )  # fmt: skip


@transaction.atomic
def review_project(
    project: Project, *, feasible: bool, note: str = "", cost: Any = None, by: User,
    now: dt.datetime | None = None,
) -> Project:  # fmt: skip
    """The responsible unit's feasibility review; it may correct the cost. Recorded."""
    process = _locked(project.process)
    if process.phase != Phase.REVIEW:
        raise RuleError("budget.not_review", "Projects are reviewed in the review phase.")
    if not feasible and not note.strip():
        raise InputError("budget.reason_required", "Say why the project is not feasible.")
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.feasibility = (
        Project.Feasibility.FEASIBLE if feasible else Project.Feasibility.UNFEASIBLE
    )
    project.review_note = note.strip()
    if cost not in (None, ""):
        project.cost = parse_money(cost)
    project.save(update_fields=["feasibility", "review_note", "cost"])
    body_services.post_entry(
        process.body,
        "budget.project_reviewed",
        {
            "process": process.pk,
            "project": project.code,
            "title": project.title,
            "cost": str(project.cost),
            "feasible": feasible,
            "note": project.review_note,
            "by": by.username,
        },
        now,
    )
    return project


def _check_can_enter(process: BudgetProcess, phase: str) -> None:
    projects = process.projects.all()
    if phase == Phase.REVIEW and not projects.exists():
        raise RuleError("budget.no_projects", "There are no proposals to review.")
    if phase == Phase.VOTING:
        if projects.filter(feasibility=Project.Feasibility.PENDING).exists():
            raise RuleError("budget.unreviewed", "Review every project before the vote.")
        if not projects.filter(feasibility=Project.Feasibility.FEASIBLE).exists():
            raise RuleError("budget.nothing_feasible", "No project is feasible.")
    if phase == Phase.RESULT and not process.ballots.exists():
        raise RuleError("budget.no_ballots", "No ballot has been cast.")


@transaction.atomic
def advance_phase(
    process: BudgetProcess,
    *,
    by: User,
    decision: Decision | None = None,
    now: dt.datetime | None = None,
) -> BudgetProcess:
    """Move to the next phase; recorded with the assembly decision that approved it."""
    process = _locked(process)
    if process.imported or process.phase == Phase.CLOSED:
        raise RuleError("budget.no_next_phase", "This process has no further phase.")
    phase = PHASES[PHASES.index(process.phase) + 1]
    number = decision_number(process.body, decision)
    _check_can_enter(process, phase)
    if phase == Phase.VOTING:
        _issue_codes(process, timezone.localdate(_now(now)))
    extra: dict[str, Any] = {}
    if phase == Phase.RESULT:
        extra = decide_result(process)
    process.phase = phase
    process.save(update_fields=["phase", "result"])
    PhaseChange.objects.create(
        process=process, phase=phase, decision=decision, changed_at=_now(now), changed_by=by
    )
    body_services.post_entry(
        process.body,
        "budget.phase",
        {"process": process.pk, "phase": phase, "decision": number, "by": by.username},
        now,
    )
    if extra:
        body_services.post_entry(process.body, "budget.result", extra, now)
    if phase == Phase.EXECUTION:
        budget_link.allocate_budget(process, by=by, now=now)
    return process


def _issue_codes(process: BudgetProcess, day: dt.date) -> None:
    """A personal voting code for every member of the electorate on the day voting opens."""
    members = Resident.objects.electorate(
        process.body, process.ruleset.param("member_min_age"), day
    ).values_list("pk", flat=True)
    codes: set[str] = set()
    rows = []
    for resident_id in members:
        code = _random(8)
        while code in codes:
            code = _random(8)
        codes.add(code)
        rows.append(VotingCode(process=process, resident_id=resident_id, code=code))
    VotingCode.objects.bulk_create(rows)


def election_for(process: BudgetProcess):  # -> Election
    """The process as the rule's election: feasible projects, every ballot by its receipt."""
    projects = [
        (p.code, p.cost)
        for p in process.projects.filter(feasibility=Project.Feasibility.FEASIBLE).order_by("id")
    ]
    ballots = [
        (receipt, tuple((pid, value) for pid, value in marks))
        for receipt, marks in process.ballots.order_by("receipt").values_list("receipt", "marks")
    ]
    return election_of(process.amount, projects, ballots, process.ballot_kind)


def decide_result(process: BudgetProcess) -> dict[str, Any]:
    """Apply the ruleset's rule; store the full result; mark the funded projects."""
    result = run_rule(process.ruleset.params, election_for(process))
    process.result = result
    funded = set(result["selected"])
    for project in process.projects.filter(feasibility=Project.Feasibility.FEASIBLE):
        project.funded = project.code in funded
        project.save(update_fields=["funded"])
    # The record carries the anonymous ballots (receipt, marks), as a secret vote's decision
    # carries its ballot box, so the verifier can recheck the digest and the votes; the
    # per-voter accounts are left out: the rule recomputes them from the ballots.
    summary = {k: v for k, v in result.items() if k != "accounts"}
    ballots = [
        [r, m] for r, m in process.ballots.order_by("receipt").values_list("receipt", "marks")
    ]
    return {"process": process.pk, "ruleset_version": process.ruleset.number,
            "ballot_kind": process.ballot_kind, "ballots": ballots, **summary}  # fmt: skip


def _ballot_marks(process: BudgetProcess, marks: list[tuple[str, int]]) -> list[list[Any]]:
    costs = dict(
        process.projects.filter(feasibility=Project.Feasibility.FEASIBLE).values_list(
            "code", "cost"
        )
    )
    return [list(mark) for mark in check_ballot(process.limits, costs, marks)]


def _store_ballot(process: BudgetProcess, resident_id: int, channel: str, marks: list) -> str:
    try:
        with transaction.atomic():
            VoterMark.objects.create(process=process, resident_id=resident_id, channel=channel)
    except IntegrityError:
        raise RuleError("budget.already_voted", "This member has already voted.") from None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return BudgetBallot.objects.create(
                    process=process, receipt=_random(10), marks=marks
                ).receipt
        except IntegrityError:
            continue
    raise RuleError("budget.receipt_collision", "Try again.")


def _voting(process: BudgetProcess) -> BudgetProcess:
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    if process.phase != Phase.VOTING:
        raise RuleError("budget.not_voting", "Voting is not open in this process.")
    return process


@transaction.atomic
def cast_budget_ballot(process: BudgetProcess, code: str, marks: list[tuple[str, int]]) -> str:
    """Vote from a phone with one's personal code; returns the receipt.

    Who voted (the mark) and what they chose (the ballot) share nothing but the process.
    """
    process = _voting(process)
    checked = _ballot_marks(process, marks)
    holder = VotingCode.objects.filter(process=process, code=code.strip().upper()).first()
    if holder is None:
        raise RuleError("budget.bad_code", "That voting code is not valid for this process.")
    return _store_ballot(process, holder.resident_id, VoterMark.Channel.PHONE, checked)


@transaction.atomic
def enter_paper_ballot(
    process: BudgetProcess, resident: Resident, marks: list[tuple[str, int]], *, by: User
) -> str:
    """The electoral commission enters a member's paper ballot; returns the receipt."""
    process = _voting(process)
    checked = _ballot_marks(process, marks)
    if not VotingCode.objects.filter(process=process, resident=resident).exists():
        raise RuleError(
            "budget.not_a_voter", "{name} is not in this process's electorate.",
            name=resident.full_name,
        )  # fmt: skip
    return _store_ballot(process, resident.pk, VoterMark.Channel.PAPER, checked)
