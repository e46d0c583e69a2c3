"""Double-entry bookkeeping: entries of signed lines, balance checks, balances, reversals.

A line carries an account code and a signed ``Decimal`` amount: positive is a debit, negative a
credit. An entry balances when its lines sum to exactly zero; it has at least two lines, none of
them zero, every amount in whole cents. Balances are sums of lines per account (debit-positive);
the trial balance of balanced entries sums to zero. A mistake is never edited: it is reversed by
an entry whose lines are the original's with the sign flipped. Pure: no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from comuna.core.errors import InputError

CENT = Decimal("0.01")
ZERO = Decimal(0)
KINDS = ("asset", "liability", "equity", "income", "expense")
# Accounts whose natural balance is a debit; the others are normally in credit.
DEBIT_NATURED = frozenset({"asset", "expense"})


@dataclass(frozen=True, slots=True)
class Line:
    account: str
    amount: Decimal

    @property
    def debit(self) -> Decimal:
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.amount if self.amount < 0 else ZERO


@dataclass(frozen=True, slots=True)
class Entry:
    number: int
    lines: tuple[Line, ...]
    reverses: int | None = None


@dataclass(frozen=True, slots=True)
class TrialBalance:
    """Balances per account (debit-positive) and the totals of debits and credits."""

    balances: tuple[tuple[str, Decimal], ...]
    debits: Decimal
    credits: Decimal
    notes: tuple[str, ...]

    @property
    def difference(self) -> Decimal:
        return self.debits - self.credits

    def balance(self, account: str) -> Decimal:
        return dict(self.balances).get(account, ZERO)


def is_money(amount: Decimal) -> bool:
    return amount.is_finite() and amount == amount.quantize(CENT)


def check_entry(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The lines of a valid entry, or an ``InputError`` saying what is wrong."""
    checked = tuple(lines)
    if len(checked) < 2:
        raise InputError("ledger.too_few_lines", "An entry needs at least two lines.")
    for line in checked:
        if not line.account:
            raise InputError("ledger.no_account", "Every line needs an account.")
        if not is_money(line.amount):
            raise InputError(
                "ledger.bad_amount", "{amount} is not an amount in cents.", amount=line.amount
            )
        if line.amount == ZERO:
            raise InputError("ledger.zero_line", "A line of zero moves nothing.")
    total = sum((line.amount for line in checked), ZERO)
    if total != ZERO:
        raise InputError(
            "ledger.unbalanced",
            "Debits and credits differ by {difference}.",
            difference=str(total),
        )
    return checked


def transfer(debit: str, credit: str, amount: Decimal) -> tuple[Line, ...]:
    """The two lines moving ``amount`` into ``debit`` out of ``credit``."""
    if debit == credit:
        raise InputError("ledger.same_account", "Money must move between two accounts.")
    if not is_money(amount) or amount <= ZERO:
        raise InputError("ledger.bad_amount", "{amount} is not an amount in cents.", amount=amount)
    return check_entry((Line(debit, amount), Line(credit, -amount)))


def reversal_lines(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The lines that undo ``lines``: same accounts, opposite signs, same order."""
    return check_entry(Line(line.account, -line.amount) for line in lines)


def mirrors(original: Iterable[Line], reversal: Iterable[Line]) -> bool:
    return tuple(reversal) == tuple(Line(line.account, -line.amount) for line in original)


def balances(entries: Iterable[Entry]) -> dict[str, Decimal]:
    """Debit-positive balance of every account that appears in ``entries``."""
    result: dict[str, Decimal] = {}
    for entry in entries:
        for line in entry.lines:
            result[line.account] = result.get(line.account, ZERO) + line.amount
    return result


def trial_balance(entries: Iterable[Entry]) -> TrialBalance:
    """Balances by account code, with total debits and credits; notes any unbalanced entry."""
    collected = tuple(entries)
    notes = tuple(
        f"entry {entry.number} does not balance"
        for entry in collected
        if sum((line.amount for line in entry.lines), ZERO) != ZERO
    )
    totals = balances(collected)
    rows = tuple(sorted(totals.items()))
    debits = sum((amount for _code, amount in rows if amount > 0), ZERO)
    credits = sum((-amount for _code, amount in rows if amount < 0), ZERO)
    return TrialBalance(rows, debits, credits, notes)


def natural(kind: str, balance: Decimal) -> Decimal:
    """A debit-positive balance shown the way the account kind is read (credit-natured flip)."""
    return balance if kind in DEBIT_NATURED else -balance


def running(entries: Iterable[Entry], account: str) -> tuple[tuple[int, Decimal, Decimal], ...]:
    """(entry number, movement, running balance) for each entry touching ``account``."""
    rows = []
    total = ZERO
    for entry in entries:
        moved = sum((line.amount for line in entry.lines if line.account == account), ZERO)
        if any(line.account == account for line in entry.lines):
            total += moved
            rows.append((entry.number, moved, total))
    return tuple(rows)
