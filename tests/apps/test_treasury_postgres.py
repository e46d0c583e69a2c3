"""The treasury on PostgreSQL: the database itself refuses an unbalanced entry at commit, and
two payments racing for the last money of an allocation leave one refused, nothing half-written."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from comuna.bodies.models import RecordEntry
from comuna.budgets import spending
from comuna.economy import services as treasury
from comuna.economy.models import Account, Entry, Line
from tests import builders
from tests.apps import budget_scene
from tests.apps.test_concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="deferred triggers and races on PostgreSQL"
    ),
]


def raw_entry(body, marta, number, amounts, accounts):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO economy_entry (body_id, number, date, description, evidence,"
            " recorded_at, recorded_by_id) VALUES (%s, %s, '2026-03-01', 'a mano', 'x', now(), %s)"
            " RETURNING id",
            [body.pk, number, marta.pk],
        )
        entry_id = cursor.fetchone()[0]
        for account, amount in zip(accounts, amounts, strict=True):
            cursor.execute(
                "INSERT INTO economy_line (entry_id, account_id, amount) VALUES (%s, %s, %s)",
                [entry_id, account.pk, amount],
            )


@pytest.fixture
def opened(transactional_db):
    body = builders.make_council(residents=2)
    accounts = treasury.open_accounts(body)
    return body, User.objects.get(username="marta"), accounts


@pytest.mark.parametrize(
    "amounts", [["10.00", "-9.99"], ["10.00"], ["10.00", "-10.00", "0.01"]], ids=str
)
def test_it_refuses_to_commit_an_unbalanced_entry_written_by_raw_sql(opened, amounts):
    body, marta, accounts = opened
    chosen = [accounts["cash"], accounts["contributions"], accounts["bank"]][: len(amounts)]
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        raw_entry(body, marta, 1, amounts, chosen)  # each row is accepted until the commit
    assert not Entry.objects.exists() and not Line.objects.exists()


def test_it_commits_a_balanced_entry_written_by_raw_sql(opened):
    body, marta, accounts = opened
    with transaction.atomic():
        raw_entry(body, marta, 1, ["10.00", "-10.00"], [accounts["cash"], accounts["equity"]])
    assert Line.objects.count() == 2


def test_it_refuses_a_line_on_another_body_s_account(opened):
    body, marta, accounts = opened
    other = treasury.open_accounts(builders.make_council(residents=2, slug="otro"))
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_entry(body, marta, 1, ["10.00", "-10.00"], [accounts["cash"], other["equity"]])


def test_it_refuses_one_of_two_payments_racing_for_the_last_money(transactional_db):
    body = builders.make_council(residents=12)
    process = budget_scene.process_in_execution(body)
    square = process.projects.get(code="P3")  # allocation 4000
    marta = User.objects.get(username="marta")
    common = {"spent_on_day": dt.date(2026, 3, 1), "evidence": "Factura", "by": marta}
    spending.record_spending(square, amount="3000", description="Cemento", **common)
    jobs = [
        (
            lambda n=n: spending.record_spending(
                square, amount="800", description=f"Pago {n}", **common
            )
        )  # fmt: skip
        for n in range(2)
    ]
    results = race(jobs)
    assert Counter(status for status, _v in results) == {"ok": 1, "refused": 1}
    assert {v for s, v in results if s == "refused"} == {"spending.over_allocation"}
    expense = Account.objects.get(project=square, purpose="project_expense")
    assert treasury.balance_of(expense) == Decimal("3800.00")
    assert square.spending.count() == 2 and Entry.objects.filter(body=body).count() == 4
    numbers = sorted(Entry.objects.filter(body=body).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert RecordEntry.objects.filter(body=body, kind="ledger.entry").count() == 4


def test_it_refuses_one_of_two_payments_racing_for_the_last_cash(transactional_db):
    body = builders.make_council(residents=2)
    treasury.open_accounts(body)
    marta = User.objects.get(username="marta")
    treasury.record_income(
        body, into="1100", source="4100", amount="100", day=dt.date(2026, 3, 1),
        description="Aporte", evidence="Recibo", by=marta,
    )  # fmt: skip
    jobs = [
        (
            lambda: treasury.record_movement(
                body,
                movement="payment",
                debit="5100",
                credit="1100",
                amount="60",
                day=dt.date(2026, 3, 2),
                description="Pago",
                evidence="F",
                by=marta,
            )
        )  # fmt: skip
        for _ in range(2)
    ]
    results = race(jobs)
    assert Counter(status for status, _v in results) == {"ok": 1, "refused": 1}
    assert treasury.balance_of(Account.objects.get(body=body, code="1100")) == Decimal("40.00")
