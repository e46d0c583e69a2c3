"""Writes for the treasury: the chart of accounts, entries, reversals, income and payments.

Every entry is one transaction: the body row is locked first (entries of a body are numbered
and checked one after another), the lines are checked by ``core.ledger``, money accounts
(assets) may not go below zero, and the entry with its lines is appended to the body's public
record as ``ledger.entry``. Links to participatory budgets are in ``budget_link.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from comuna.assemblies.models import Decision
from comuna.bodies import services as body_services
from comuna.bodies.models import Body
from comuna.core import ledger
from comuna.core.errors import InputError, RuleError
from comuna.economy.models import Account, Entry, Line

Kind = Account.Kind
# The default chart (purpose, code, English name, kind): money held, the communal equity, the
# participatory-budget fund, what comes in and, per funded project, its allocation and expenses.
CHART: tuple[tuple[str, str, str, str], ...] = (
    ("cash", "1100", gettext_noop("Cash"), Kind.ASSET),
    ("bank", "1200", gettext_noop("Bank account"), Kind.ASSET),
    ("equity", "3100", gettext_noop("Communal equity"), Kind.EQUITY),
    ("pb_fund", "3200", gettext_noop("Participatory-budget fund"), Kind.EQUITY),
    ("contributions", "4100", gettext_noop("Contributions received"), Kind.INCOME),
    ("transfers", "4200", gettext_noop("Transfers received"), Kind.INCOME),
    ("expenses", "5100", gettext_noop("Operating expenses"), Kind.EXPENSE),
)
PROJECT_CHART: tuple[tuple[str, str, str, str], ...] = (
    ("allocation", "3300", gettext_noop("Allocation"), Kind.EQUITY),
    ("project_expense", "5300", gettext_noop("Project expenses"), Kind.EXPENSE),
)
MONEY_KINDS = (Kind.ASSET,)
INCOME_SOURCES = (Kind.INCOME, Kind.EQUITY, Kind.LIABILITY)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock(body: Body) -> Body:
    return Body.objects.select_for_update().get(pk=body.pk)


def _record_accounts(body: Body, accounts: Sequence[Account], now: dt.datetime | None) -> None:
    if accounts:
        rows = [[a.code, a.name, a.kind, a.project.code if a.project else None] for a in accounts]
        body_services.post_entry(body, "ledger.accounts_opened", {"accounts": rows}, now)


@transaction.atomic
def open_accounts(body: Body, now: dt.datetime | None = None) -> dict[str, Account]:
    """The body's default chart of accounts, created on first use; by purpose."""
    _lock(body)
    existing = {a.purpose: a for a in Account.objects.filter(body=body, project__isnull=True)}
    created = [
        Account.objects.create(body=body, code=code, name=name, kind=kind, purpose=purpose)
        for purpose, code, name, kind in CHART
        if purpose not in existing and not Account.objects.filter(body=body, code=code).exists()
    ]
    _record_accounts(body, created, now)
    return existing | {a.purpose: a for a in created}


def project_accounts(project: Any, now: dt.datetime | None = None) -> dict[str, Account]:
    """A funded project's allocation and expense accounts (inside the caller's transaction)."""
    body = project.process.body
    existing = {a.purpose: a for a in Account.objects.filter(project=project)}
    created = [
        Account.objects.create(
            body=body,
            code=f"{code}.{project.pk}",
            name=name,
            kind=kind,
            purpose=purpose,
            project=project,
        )  # fmt: skip
        for purpose, code, name, kind in PROJECT_CHART
        if purpose not in existing
    ]
    _record_accounts(body, created, now)
    return existing | {a.purpose: a for a in created}


def balance_of(account: Account) -> Decimal:
    """Debit-positive balance of ``account`` from its lines."""
    total = account.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return Decimal(total).quantize(ledger.CENT)


def _check_money_left(lines: Sequence[tuple[Account, Decimal]]) -> None:
    moved: dict[int, tuple[Account, Decimal]] = {}
    for account, amount in lines:
        before = moved.get(account.pk, (account, Decimal(0)))[1]
        moved[account.pk] = (account, before + amount)
    for account, amount in moved.values():
        if account.kind in MONEY_KINDS and amount < 0:
            held = balance_of(account)
            if held + amount < 0:
                raise RuleError(
                    "ledger.insufficient",
                    "{account} holds {held}; it cannot pay {amount}.",
                    account=account.label,
                    held=str(held),
                    amount=str(-amount),
                )


def _check_decision(body: Body, decision: Decision | None) -> int | None:
    if decision is None:
        return None
    if decision.body_id != body.pk or not decision.approved:
        raise RuleError(
            "ledger.bad_decision",
            "Decision {number} is not an approved decision of this body.",
            number=decision.number,
        )
    return decision.number


def _payload(entry: Entry, lines: Sequence[Line], decision: int | None) -> dict[str, Any]:
    return {
        "number": entry.number,
        "date": entry.date.isoformat(),
        "description": entry.description,
        "evidence": entry.evidence,
        "decision": decision,
        "reverses": entry.reverses.number if entry.reverses else None,
        "by": entry.recorded_by.username,
        "lines": [
            {"account": ln.account.code, "name": ln.account.name, "kind": ln.account.kind,
             "amount": str(ln.amount)}
            for ln in lines
        ],
    }  # fmt: skip


@transaction.atomic
def record_entry(
    body: Body,
    *,
    lines: Sequence[tuple[Account, Decimal]],
    day: dt.date,
    description: str,
    evidence: str,
    by: User,
    decision: Decision | None = None,
    reverses: Entry | None = None,
    now: dt.datetime | None = None,
) -> Entry:
    """Append one balanced entry to ``body``'s journal and to its public record."""
    _lock(body)
    if not description.strip() or not evidence.strip():
        raise InputError("ledger.incomplete", "Say what the entry is and where the evidence is.")
    if any(account.body_id != body.pk for account, _amount in lines):
        raise InputError("ledger.foreign_account", "Every account must belong to this body.")
    ledger.check_entry(ledger.Line(account.code, amount) for account, amount in lines)
    number = _check_decision(body, decision)
    _check_money_left(lines)
    last = Entry.objects.filter(body=body).aggregate(last=Max("number"))["last"] or 0
    entry = Entry.objects.create(
        body=body, number=last + 1, date=day, description=description.strip(),
        evidence=evidence.strip(), decision=decision, reverses=reverses,
        recorded_at=_now(now), recorded_by=by,
    )  # fmt: skip
    rows = Line.objects.bulk_create(
        [Line(entry=entry, account=account, amount=amount) for account, amount in lines]
    )
    body_services.post_entry(body, "ledger.entry", _payload(entry, rows, number), now)
    return entry


@transaction.atomic
def reverse_entry(
    entry: Entry,
    *,
    reason: str,
    by: User,
    now: dt.datetime | None = None,
    spending_line: bool = False,
) -> Entry:
    """Undo ``entry`` by a new entry with every line's sign flipped; the original stays.

    A budget spending line's entry is reversed with its line (``spending_line``), never alone:
    the project's log and its expense account must tell the same story.
    """
    body = _lock(entry.body)
    entry = Entry.objects.get(pk=entry.pk)
    if entry.reverses_id is not None or Entry.objects.filter(reverses=entry).exists():
        raise RuleError(
            "ledger.already_reversed", "This entry was already reversed or is a reversal."
        )
    if not spending_line and entry.spending.exists():
        raise RuleError(
            "ledger.reverse_the_spending_line",
            "This payment is a spending line of a budget project: reverse the line on the"
            " project's page.",
        )
    if not reason.strip():
        raise InputError("ledger.reason_required", "Say why the entry is reversed.")
    lines = [(line.account, -line.amount) for line in entry.lines.select_related("account")]
    return record_entry(
        body, lines=lines, day=timezone.localdate(_now(now)), description=reason,
        evidence=entry.evidence, by=by, reverses=entry, now=now,
    )  # fmt: skip


def parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        amount = Decimal(0)
    if not ledger.is_money(amount) or amount <= 0:
        raise InputError("ledger.bad_amount", "{amount} is not an amount in cents.", amount=value)
    return amount


def _account(body: Body, code: str, kinds: Sequence[str]) -> Account:
    account = Account.objects.filter(body=body, code=code, kind__in=kinds).first()
    if account is None:
        raise InputError(
            "ledger.unknown_account", "There is no account {account} for this.", account=code
        )
    return account


@transaction.atomic
def record_movement(
    body: Body,
    *,
    movement: str,
    debit: str,
    credit: str,
    amount: Any,
    day: dt.date,
    description: str,
    evidence: str,
    by: User,
    decision: Decision | None = None,
    now: dt.datetime | None = None,
) -> Entry:
    """Income (money in from an income or fund account), a transfer between accounts, or a
    payment (an expense paid from money held): two lines, checked like every entry."""
    open_accounts(body, now)
    kinds = MOVEMENTS[movement]
    into = _account(body, debit, kinds[0])
    out = _account(body, credit, kinds[1])
    value = parse_amount(amount)
    ledger.transfer(into.code, out.code, value)
    return record_entry(
        body, lines=[(into, value), (out, -value)], day=day, description=description,
        evidence=evidence, by=by, decision=decision, now=now,
    )  # fmt: skip


ALL_KINDS = tuple(Kind.values)
# movement -> (kinds allowed on the debit side, kinds allowed on the credit side)
MOVEMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "income": (MONEY_KINDS, INCOME_SOURCES),
    "transfer": (ALL_KINDS, ALL_KINDS),
    "payment": ((Kind.EXPENSE,), MONEY_KINDS),
}


def record_income(body: Body, *, into: str, source: str, **kwargs: Any) -> Entry:
    return record_movement(body, movement="income", debit=into, credit=source, **kwargs)
