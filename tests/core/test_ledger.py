"""Double-entry core: entries balance, balances add up, reversals undo (with properties)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comuna.core import ledger
from comuna.core.errors import InputError
from comuna.core.ledger import Entry, Line

D = Decimal
ACCOUNTS = ("1100", "1200", "3200", "4100", "5300.1")
cents = st.integers(min_value=1, max_value=10**9).map(lambda n: D(n) / 100)


@st.composite
def balanced_lines(draw) -> tuple[Line, ...]:
    """A random balanced entry: debits and credits drawn, the last line closes the gap."""
    lines = [
        Line(draw(st.sampled_from(ACCOUNTS)), draw(cents) * draw(st.sampled_from((1, -1))))
        for _ in range(draw(st.integers(1, 6)))
    ]
    gap = -sum((line.amount for line in lines), D(0))
    if gap == 0:
        lines.append(Line(ACCOUNTS[0], D("1.00")))
        gap = D("-1.00")
    lines.append(Line(draw(st.sampled_from(ACCOUNTS)), gap))
    return tuple(lines)


entries = st.lists(balanced_lines(), min_size=1, max_size=20).map(
    lambda many: tuple(Entry(n, lines) for n, lines in enumerate(many, 1))
)


def test_it_accepts_a_two_line_transfer():
    lines = ledger.transfer("1200", "3200", D("10000.00"))
    assert [(line.debit, line.credit) for line in lines] == [(D("10000.00"), 0), (0, D("10000.00"))]


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ((Line("1100", D("5")),), "ledger.too_few_lines"),
        ((Line("1100", D("5")), Line("3200", D("-4.99"))), "ledger.unbalanced"),
        ((Line("1100", D("0.005")), Line("3200", D("-0.005"))), "ledger.bad_amount"),
        ((Line("1100", D("0")), Line("3200", D("0")), Line("4100", D(0))), "ledger.zero_line"),
        ((Line("1100", D("NaN")), Line("3200", D("1"))), "ledger.bad_amount"),
        ((Line("", D("1")), Line("3200", D("-1"))), "ledger.no_account"),
    ],
)
def test_it_refuses_an_entry_that_is_not_sound_money(lines, code):
    with pytest.raises(InputError) as caught:
        ledger.check_entry(lines)
    assert caught.value.code == code


def test_it_refuses_a_transfer_to_the_same_account_or_of_nothing():
    for args, code in ((("1100", "1100", D(1)), "ledger.same_account"),
                       (("1100", "1200", D(0)), "ledger.bad_amount")):  # fmt: skip
        with pytest.raises(InputError) as caught:
            ledger.transfer(*args)
        assert caught.value.code == code


@given(entries)
def test_it_keeps_every_trial_balance_at_zero(journal):
    trial = ledger.trial_balance(journal)
    assert trial.difference == 0 and trial.debits == trial.credits and trial.notes == ()
    assert sum(ledger.balances(journal).values(), D(0)) == 0


@given(balanced_lines())
def test_it_checks_every_balanced_entry_and_refuses_it_off_by_a_cent(lines):
    assert ledger.check_entry(lines) == lines
    off = (*lines[:-1], Line(lines[-1].account, lines[-1].amount + D("0.01")))
    if off[-1].amount != 0:
        with pytest.raises(InputError):
            ledger.check_entry(off)


@given(entries, st.data())
def test_it_undoes_any_entry_by_its_reversal(journal, data):
    original = data.draw(st.sampled_from(journal))
    undo = Entry(len(journal) + 1, ledger.reversal_lines(original.lines), original.number)
    assert ledger.mirrors(original.lines, undo.lines)
    without = ledger.balances(e for e in journal if e is not original)
    after = ledger.balances((*journal, undo))
    assert {k: v for k, v in after.items() if v} == {k: v for k, v in without.items() if v}


@given(entries)
def test_it_runs_an_account_balance_to_its_final_balance(journal):
    rows = ledger.running(journal, "1100")
    final = ledger.balances(journal).get("1100", D(0))
    assert (rows[-1][2] if rows else D(0)) == final
    assert sum((moved for _n, moved, _total in rows), D(0)) == final


def test_it_reads_balances_the_way_each_kind_is_read():
    assert ledger.natural("asset", D("5")) == D("5")
    assert ledger.natural("equity", D("-5")) == D("5")
    trial = ledger.trial_balance([Entry(1, ledger.transfer("1200", "3200", D("7.50")))])
    assert trial.balance("3200") == D("-7.50") and trial.balance("9999") == 0
