"""Participatory budgets in the treasury (ADR 0100).

When execution starts, one entry moves each funded project's allocation out of the
participatory-budget fund into the project's allocation account; it is refused when the fund
does not hold that money. Each spending line is a payment from cash or the bank to the
project's expense account; a reversed line is a reversed entry. All inside the budget
service's transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from comuna.core.errors import InputError, RuleError
from comuna.economy import services
from comuna.economy.models import Account, Entry

PAYING_ACCOUNTS = ("bank", "cash")


def allocate_budget(process: Any, *, by: User, now: dt.datetime | None = None) -> Entry | None:
    """Move the funded projects' costs from the budget fund to their allocation accounts."""
    body = process.body
    funded = list(process.projects.filter(funded=True).order_by("id"))
    if not funded:
        return None
    fund = services.open_accounts(body, now)["pb_fund"]
    needed = sum((project.cost for project in funded), Decimal(0))
    held = -services.balance_of(fund)
    if held < needed:
        raise RuleError(
            "ledger.fund_short",
            "The participatory-budget fund holds {held}; the funded projects need {needed}."
            " Record the money received into the fund first.",
            held=str(held),
            needed=str(needed),
        )
    lines: list[tuple[Account, Decimal]] = [(fund, needed)]
    for project in funded:
        lines.append((services.project_accounts(project, now)["allocation"], -project.cost))
    return services.record_entry(
        body, lines=lines, day=timezone.localdate(now or timezone.now()),
        description=f"Allocations of {process.title}", evidence=f"budget.result {process.pk}",
        by=by, now=now,
    )  # fmt: skip


def post_spending(
    project: Any, amount: Decimal, *, paid_from: str, day: dt.date, description: str,
    evidence: str, by: User, decision: Any = None, now: dt.datetime | None = None,
) -> Entry:  # fmt: skip
    """The payment entry of a spending line: the project's expense against cash or the bank."""
    if paid_from not in PAYING_ACCOUNTS:
        raise InputError(
            "ledger.unknown_account", "There is no account {account} for this.", account=paid_from
        )
    body = project.process.body
    money = services.open_accounts(body, now)[paid_from]
    expense = services.project_accounts(project, now)["project_expense"]
    return services.record_entry(
        body, lines=[(expense, amount), (money, -amount)], day=day,
        description=f"{project.code}. {description}", evidence=evidence, by=by,
        decision=decision, now=now,
    )  # fmt: skip


def reverse_spending_entry(
    original: Any, reason: str, by: User, now: dt.datetime | None = None
) -> Entry | None:
    """Reverse the entry of the line being corrected (none for a line from before the treasury)."""
    if original.entry_id is None:
        return None
    return services.reverse_entry(original.entry, reason=reason, by=by, now=now, spending_line=True)
