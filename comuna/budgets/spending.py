"""Writes for the spending log of funded projects. Every line is recorded and posts its payment
entry in the treasury (``comuna.economy.budget_link``, ADR 0100); a correction is a reversing
line with a reversing entry; the total stays within the allocation unless the assembly approved
more."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from comuna.assemblies.models import Decision
from comuna.bodies import services as body_services
from comuna.budgets.models import BudgetProcess, Project, Spending
from comuna.budgets.services import decision_number, parse_money
from comuna.core.errors import InputError, RuleError
from comuna.economy import budget_link


def spent_on(project: Project) -> Decimal:
    return project.spending.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _post(project: Project, line: Spending, now: dt.datetime | None) -> None:
    body_services.post_entry(
        project.process.body,
        "budget.spending",
        {
            "process": project.process_id,
            "project": project.code,
            "line": line.pk,
            "amount": str(line.amount),
            "date": line.spent_on.isoformat(),
            "description": line.description,
            "evidence": line.evidence,
            "progress": line.progress,
            "reverses": line.reverses_id,
            "decision": line.decision.number if line.decision else None,
            "entry": line.entry.number if line.entry else None,
            "total": str(spent_on(project)),
            "allocation": str(project.cost),
        },
        now,
    )


def _funded(project: Project) -> Project:
    project = Project.objects.select_for_update().select_related("process__body").get(pk=project.pk)
    if project.process.phase != BudgetProcess.Phase.EXECUTION or not project.funded:
        raise RuleError(
            "spending.not_in_execution", "Spending is recorded for funded projects in execution."
        )
    return project


@transaction.atomic
def record_spending(
    project: Project,
    *,
    amount: Any,
    spent_on_day: dt.date,
    description: str,
    evidence: str,
    by: User,
    progress: int | None = None,
    decision: Decision | None = None,
    paid_from: str = "bank",
    now: dt.datetime | None = None,
) -> Spending:
    """A payment for a funded project, from the bank or cash, posted in the treasury."""
    project = _funded(project)
    if not description.strip() or not evidence.strip():
        raise InputError("spending.incomplete", "Say what was paid and where the evidence is kept.")
    if progress is not None and not 0 <= progress <= 100:
        raise InputError("spending.bad_progress", "Progress is a percentage from 0 to 100.")
    value = parse_money(amount, "spending.bad_amount")
    decision_number(project.process.body, decision)
    total = spent_on(project) + value
    if total > project.cost and decision is None:
        raise RuleError(
            "spending.over_allocation",
            "This would bring the spending to {total}, above the allocation of {allocation};"
            " the assembly must approve it.",
            total=str(total),
            allocation=str(project.cost),
        )
    entry = budget_link.post_spending(
        project, value, paid_from=paid_from, day=spent_on_day, description=description.strip(),
        evidence=evidence.strip(), by=by, decision=decision, now=now,
    )  # fmt: skip
    line = Spending.objects.create(
        project=project, amount=value, spent_on=spent_on_day, description=description.strip(),
        evidence=evidence.strip(), progress=progress, decision=decision, entry=entry,
        recorded_at=now or timezone.now(), recorded_by=by,
    )  # fmt: skip
    _post(project, line, now)
    return line


@transaction.atomic
def reverse_spending(
    line: Spending, *, reason: str, by: User, now: dt.datetime | None = None
) -> Spending:
    """Correct a line by a new line of the opposite amount; the original stays."""
    project = _funded(line.project)
    line = Spending.objects.get(pk=line.pk)
    if line.is_reversal or Spending.objects.filter(reverses=line).exists():
        raise RuleError("spending.already_reversed", "This line was already reversed.")
    if not reason.strip():
        raise InputError("spending.reason_required", "Say why the line is reversed.")
    entry = budget_link.reverse_spending_entry(line, reason.strip(), by, now)
    reversal = Spending.objects.create(
        project=project, amount=-line.amount, spent_on=timezone.localdate(now or timezone.now()),
        description=reason.strip(), evidence=line.evidence, reverses=line, entry=entry,
        recorded_at=now or timezone.now(), recorded_by=by,
    )  # fmt: skip
    _post(project, reversal, now)
    return reversal
