"""What the treasury pages show: balances, the trial balance, a bar chart, running balances and
the journal as CSV. Read-only; the sums come from ``core.ledger`` over the stored lines."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from comuna.bodies.models import Body
from comuna.core import ledger
from comuna.economy.models import Account, Entry, Line

BAR_ROW = 10  # SVG units per chart row: a label line, then the bar
ZERO = Decimal(0)


def accounts_with_balances(body: Body) -> list[Account]:
    accounts = (
        Account.objects.filter(body=body)
        .select_related("project")
        .annotate(total=Sum("lines__amount"))
        .order_by("code")
    )
    for account in accounts:
        account.balance = Decimal(account.total or 0).quantize(ledger.CENT)  # type: ignore[attr-defined]
        account.shown = ledger.natural(account.kind, account.balance)  # type: ignore[attr-defined]
    return list(accounts)


def trial_balance(accounts: list[Account]) -> dict[str, Any]:
    """Debit and credit columns per account; the difference is zero when every entry balances."""
    rows = [
        {"account": a, "debit": a.balance if a.balance > 0 else None,  # type: ignore[attr-defined]
         "credit": -a.balance if a.balance < 0 else None}  # type: ignore[attr-defined]
        for a in accounts
    ]  # fmt: skip
    debits = sum((r["debit"] for r in rows if r["debit"]), ZERO)
    credits = sum((r["credit"] for r in rows if r["credit"]), ZERO)
    return {"rows": rows, "debits": debits, "credits": credits, "difference": debits - credits}


def chart(accounts: list[Account]) -> dict[str, Any]:
    """One bar per account with a balance, as a share of the largest one."""
    shown = [a for a in accounts if a.shown]  # type: ignore[attr-defined]
    largest = max((abs(a.shown) for a in shown), default=ZERO)  # type: ignore[attr-defined]
    bars = []
    for n, account in enumerate(shown):
        value = account.shown  # type: ignore[attr-defined]
        width = (abs(value) * 100 / largest).quantize(Decimal("0.1")) if largest else ZERO
        bars.append({"account": account, "value": value, "width": str(width),
                     "negative": value < 0, "y": str(n * BAR_ROW + 4),
                     "text_y": f"{n * BAR_ROW + 3.2:.1f}"})  # fmt: skip
    return {"bars": bars, "height": str(max(1, len(bars)) * BAR_ROW)}


def running_lines(account: Account) -> list[dict[str, Any]]:
    """Every line of ``account`` in entry order, with the running balance as the kind reads it."""
    lines = account.lines.select_related("entry").order_by("entry__number", "id")
    total = ZERO
    rows = []
    for line in lines:
        total += line.amount
        rows.append({"line": line, "entry": line.entry,
                     "balance": ledger.natural(account.kind, total)})  # fmt: skip
    return rows


def journal(body: Body) -> QuerySet[Line]:
    return (
        Line.objects.filter(entry__body=body)
        .select_related("entry", "account__project")
        .order_by("entry__number", "id")
    )


def journal_csv(body: Body) -> str:
    """The journal, one line per row: number, date, account code, account, debit, credit,
    description (and the entry it reverses)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "date", "account_code", "account", "debit", "credit",
                     "description", "reverses"])  # fmt: skip
    reversed_numbers = dict(
        Entry.objects.filter(body=body, reverses__isnull=False).values_list(
            "pk", "reverses__number"
        )
    )
    for line in journal(body):
        entry = line.entry
        writer.writerow([entry.number, entry.date.isoformat(), line.account.code,
                         _safe(line.account.label), line.debit or "", line.credit or "",
                         _safe(entry.description), reversed_numbers.get(entry.pk, "")])  # fmt: skip
    return out.getvalue()


def _safe(text: str) -> str:
    """Keep a spreadsheet from reading a description as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
