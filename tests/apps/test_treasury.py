"""The treasury through its services and pages: entries balance, nothing is deleted, the
budget's allocations and spending post their entries, and the verifier re-checks the ledger."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.urls import reverse

from comuna import verify
from comuna.bodies.export import export_record
from comuna.bodies.models import RecordEntry
from comuna.budgets import services as budgets
from comuna.budgets import spending
from comuna.core.errors import InputError, RuleError
from comuna.economy import services as treasury
from comuna.economy.models import Account, Entry, Line
from tests import builders
from tests.apps import budget_scene
from tests.apps.test_record_tamper import rechain

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DAY = dt.date(2026, 3, 1)
D = Decimal


@pytest.fixture
def council():
    return builders.make_council(residents=12)


@pytest.fixture
def marta(council):
    return User.objects.get(username="marta")


def income(body, amount="500", into="1100", source="4100", **extra):
    marta = User.objects.get(username="marta")
    return treasury.record_income(
        body, into=into, source=source, amount=amount, day=DAY, description="Aporte de vecinos",
        evidence="Recibo 1", by=marta, **extra,
    )  # fmt: skip


def balances(body):
    return {a.code: treasury.balance_of(a) for a in Account.objects.filter(body=body)}


def ledger_kinds(body):
    return list(RecordEntry.objects.filter(body=body).values_list("kind", flat=True))


def test_it_opens_the_default_chart_once_and_records_it(council):
    first = treasury.open_accounts(council)
    again = treasury.open_accounts(council)
    assert {a.pk for a in first.values()} == {a.pk for a in again.values()}
    assert {"cash", "bank", "pb_fund", "equity", "contributions", "transfers"} <= set(first)
    assert ledger_kinds(council).count("ledger.accounts_opened") == 1


def test_it_records_income_numbered_balanced_and_in_the_record(council, marta):
    first, second = income(council), income(council, "20.25", into="1200", source="4200")
    assert (first.number, second.number) == (1, 2)
    assert balances(council)["1100"] == D("500") and balances(council)["4100"] == D("-500")
    assert sum(balances(council).values()) == 0
    payload = RecordEntry.objects.filter(kind="ledger.entry").last().payload
    assert payload["number"] == 2 and [ln["amount"] for ln in payload["lines"]] == [
        "20.25",
        "-20.25",
    ]


@pytest.mark.parametrize(
    ("movement", "debit", "credit", "amount", "code"),
    [
        ("income", "1100", "4100", "0", "ledger.bad_amount"),
        ("income", "1100", "4100", "1.001", "ledger.bad_amount"),
        ("income", "1100", "1100", "5", "ledger.unknown_account"),
        ("payment", "5100", "1100", "5", "ledger.insufficient"),
        ("transfer", "1200", "1200", "5", "ledger.same_account"),
        ("transfer", "1200", "9999", "5", "ledger.unknown_account"),
    ],
)
def test_it_refuses_a_bad_movement_without_writing(
    council, marta, movement, debit, credit, amount, code
):
    with pytest.raises((InputError, RuleError)) as caught:
        treasury.record_movement(
            council, movement=movement, debit=debit, credit=credit, amount=amount, day=DAY,
            description="x", evidence="y", by=marta,
        )  # fmt: skip
    assert caught.value.code == code
    assert not Entry.objects.exists() and "ledger.entry" not in ledger_kinds(council)


def test_it_refuses_an_unbalanced_entry_from_any_caller(council, marta):
    accounts = treasury.open_accounts(council)
    with pytest.raises(InputError) as caught:
        treasury.record_entry(
            council, lines=[(accounts["cash"], D("10")), (accounts["contributions"], D("-9"))],
            day=DAY, description="x", evidence="y", by=marta,
        )  # fmt: skip
    assert caught.value.code == "ledger.unbalanced"


def test_it_reverses_an_entry_once_and_never_deletes(council, marta):
    entry = income(council)
    reversal = treasury.reverse_entry(entry, reason="Recibo duplicado", by=marta)
    assert reversal.reverses == entry and reversal.number == 2
    assert all(v == 0 for v in balances(council).values())
    with pytest.raises(RuleError):
        treasury.reverse_entry(entry, reason="otra vez", by=marta)
    with pytest.raises(RuleError):
        treasury.reverse_entry(reversal, reason="deshacer", by=marta)
    for rows in (Entry.objects.filter(pk=entry.pk), Line.objects.filter(entry=entry)):
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.update(description="x") if rows.model is Entry else rows.update(amount=1)
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.delete()


def test_it_refuses_to_reverse_income_already_spent(council, marta):
    entry = income(council, "100")
    treasury.record_movement(
        council, movement="payment", debit="5100", credit="1100", amount="80", day=DAY,
        description="Pintura", evidence="Factura 3", by=marta,
    )  # fmt: skip
    with pytest.raises(RuleError) as caught:
        treasury.reverse_entry(entry, reason="error", by=marta)
    assert caught.value.code == "ledger.insufficient"


def test_it_refuses_an_unapproved_or_foreign_decision(council, marta):
    other = builders.make_council(residents=12, slug="otro")
    decision = budget_approved(other)
    with pytest.raises(RuleError) as caught:
        income(council, decision=decision)
    assert caught.value.code == "ledger.bad_decision"


def budget_approved(body):
    from tests.apps.test_budget_services import approved_decision

    return approved_decision(body)


# --- participatory budgets in the treasury ------------------------------------------------------


def test_it_refuses_to_start_execution_when_the_fund_lacks_the_money(council, marta):
    process = budget_scene.process_with_result(council)
    budget_scene.fund_budget(council, "5000")
    with pytest.raises(RuleError) as caught:
        budgets.advance_phase(process, by=marta)
    assert caught.value.code == "ledger.fund_short"
    assert caught.value.params == {"held": "5000.00", "needed": "7000.00"}
    process.refresh_from_db()
    assert process.phase == "result" and not Account.objects.filter(project__isnull=False)


def test_it_allocates_the_funded_projects_in_one_entry_when_execution_starts(council):
    process = budget_scene.process_in_execution(council)
    allocation = Entry.objects.get(number=2)
    lines = {ln.account.code: ln.amount for ln in allocation.lines.select_related("account")}
    funded = process.projects.filter(funded=True).order_by("id")
    assert lines == {"3200": D("7000"), **{f"3300.{p.pk}": -p.cost for p in funded}}
    assert balances(council)["3200"] == D("-3000")  # what is left in the fund


def test_it_posts_each_spending_line_and_its_reversal_in_the_treasury(council, marta):
    process = budget_scene.process_in_execution(council)
    square = process.projects.get(code="P3")
    line = spending.record_spending(
        square, amount="1200.50", spent_on_day=DAY, description="Cemento", evidence="Factura 12",
        by=marta, paid_from="bank",
    )  # fmt: skip
    expense = Account.objects.get(project=square, purpose="project_expense")
    assert line.entry.number == 3 and treasury.balance_of(expense) == D("1200.50")
    assert balances(council)["1200"] == D("10000") - D("1200.50")
    with pytest.raises(RuleError) as caught:  # only together with its line
        treasury.reverse_entry(line.entry, reason="Factura duplicada", by=marta)
    assert caught.value.code == "ledger.reverse_the_spending_line"
    reversal = spending.reverse_spending(line, reason="Factura duplicada", by=marta)
    assert reversal.entry.reverses == line.entry and treasury.balance_of(expense) == 0
    spending_payload = RecordEntry.objects.filter(kind="budget.spending").first().payload
    assert spending_payload["entry"] == 3


def test_it_refuses_spending_that_the_bank_cannot_pay(council, marta):
    process = budget_scene.process_in_execution(council)
    square = process.projects.get(code="P3")
    with pytest.raises(RuleError) as caught:
        spending.record_spending(
            square, amount="100", spent_on_day=DAY, description="Cemento", evidence="F 1",
            by=marta, paid_from="cash",
        )  # fmt: skip
    assert caught.value.code == "ledger.insufficient"
    assert not square.spending.exists()


# --- the independent verifier -------------------------------------------------------------------


@pytest.fixture
def exported(council, marta):
    process = budget_scene.process_in_execution(council)
    line = spending.record_spending(
        process.projects.get(code="P2"), amount="2000", spent_on_day=DAY, description="Postes",
        evidence="Factura 7", by=marta,
    )  # fmt: skip
    spending.reverse_spending(line, reason="Devolución", by=marta)
    income(council, "50")
    data = export_record([council])
    assert verify.verify_export(data) == []
    return data


def forge(data, change):
    """Apply ``change`` to the first ledger entry it accepts, then rewrite the chain from there
    so that only the ledger checks can notice."""
    forged = copy.deepcopy(data)
    body = forged["bodies"][0]
    for position, entry in enumerate(body["entries"]):
        if entry["kind"] == "ledger.entry" and change(entry["payload"]):
            rechain(body, position)
            return forged
    raise AssertionError("nothing to change")


def _amount(payload):
    payload["lines"][0]["amount"] = str(Decimal(payload["lines"][0]["amount"]) + 1)
    return True


def _number(payload):
    if payload["number"] != 3:
        return False
    payload["number"] = 4
    return True


def _mirror(payload):
    if payload["reverses"] is None:
        return False
    payload["lines"][0]["amount"], payload["lines"][1]["amount"] = "-1999.00", "1999.00"
    return True


def _overdraw(payload):
    if payload["number"] != 1:
        return False
    for line in payload["lines"]:
        line["amount"] = str(-Decimal(line["amount"]))
    return True


@pytest.mark.parametrize("change", [_amount, _number, _mirror, _overdraw])
def test_it_catches_a_forged_ledger_entry_even_with_the_chain_rewritten(exported, change):
    problems = verify.verify_export(forge(exported, change))
    assert problems, change.__name__
    assert "ledger entry" in str(problems[0]) or "below zero" in str(problems[0])


def test_it_names_a_rechained_entry_with_an_amount_that_is_not_a_number(exported):
    def garbled(payload):
        payload["lines"][0]["amount"] = "diez"
        return True

    problems = verify.verify_export(forge(exported, garbled))
    assert problems and "malformed" in str(problems[0])


def test_it_catches_one_changed_line_amount_in_an_export(exported):
    forged = copy.deepcopy(exported)
    entry = next(e for e in forged["bodies"][0]["entries"] if e["kind"] == "ledger.entry")
    entry["payload"]["lines"][0]["amount"] = "10001.00"
    assert verify.verify_export(forged)


# --- pages --------------------------------------------------------------------------------------


def url(name, council, *args):
    return reverse(name, args=[council.slug, *args])


@pytest.fixture
def marta_client(client, marta):
    client.force_login(marta)
    return client


def test_it_records_income_and_a_payment_from_the_forms(marta_client, client, council):
    form = {"debit": "1200", "credit": "4200", "amount": "300.00", "day": "2026-03-01",
            "description": "Transferencia de la alcaldía", "evidence": "Planilla 9"}  # fmt: skip
    response = marta_client.post(url("treasury_income", council), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    payment = {**form, "debit": "5100", "credit": "1200", "amount": "120",
               "description": "Bombillos"}  # fmt: skip
    assert marta_client.post(url("treasury_payment", council), payment).status_code == 302
    page = client.get(url("treasury", council), **EN).content.decode()
    assert "Trial balance" in page and "Transfers received" in page and "300.00" in page
    csv_text = client.get(url("treasury_journal_csv", council)).content.decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [r["account_code"] for r in rows] == ["1200", "4200", "5100", "1200"]
    assert rows[3]["credit"] == "120.00" and rows[0]["description"] == form["description"]
    bank = Account.objects.get(body=council, code="1200")
    ledger_page = client.get(url("treasury_account", council, bank.pk), **EN).content.decode()
    assert "180.00" in ledger_page  # the running balance after the payment


def test_it_refuses_an_overdraft_with_a_message_not_a_crash(marta_client, council):
    form = {"debit": "5100", "credit": "1100", "amount": "10", "day": "2026-03-01",
            "description": "Café", "evidence": "Ticket"}  # fmt: skip
    response = marta_client.post(url("treasury_payment", council), form, **EN)
    assert response.status_code == 409 and "holds 0" in response.content.decode()
    response = marta_client.post(url("treasury_payment", council), {**form, "amount": "x"})
    assert response.status_code == 400 and not Entry.objects.exists()


def test_it_reverses_from_the_entry_page_and_shows_the_fingerprint(marta_client, client, council):
    entry = income(council)
    page = client.get(url("treasury_entry", council, entry.pk)).content.decode()
    record = RecordEntry.objects.get(kind="ledger.entry")
    assert record.hash in page
    response = marta_client.post(url("treasury_reverse", council, entry.pk), {"reason": "Error"})
    assert response.status_code == 302
    assert Entry.objects.get(reverses=entry).number == 2
    again = marta_client.post(url("treasury_reverse", council, entry.pk), {"reason": "Otra"})
    assert again.status_code == 409


def test_it_lets_only_spokespeople_record(client, council):
    ana = budget_scene.make_electoral_commission(council)
    client.force_login(ana)
    assert client.get(url("treasury_income", council)).status_code == 403
    client.force_login(User.objects.get(username="luis"))
    assert client.get(url("treasury_income", council)).status_code == 403
    assert client.get(url("treasury", council)).status_code == 200


def test_it_lists_accounts_and_journal_in_a_fixed_number_of_queries(
    client, council, marta, django_assert_max_num_queries
):
    budget_scene.process_in_execution(council)
    for n in range(15):
        income(council, f"{n + 1}.00")
    for name in ("treasury", "treasury_journal"):
        with django_assert_max_num_queries(8):
            assert client.get(url(name, council)).status_code == 200
    with django_assert_max_num_queries(8):
        client.get(url("treasury_journal_csv", council))
    bank = Account.objects.get(body=council, code="1100")
    with django_assert_max_num_queries(6):
        client.get(url("treasury_account", council, bank.pk))


def test_it_keeps_the_append_only_triggers_on_the_treasury_and_spending_tables(db):
    from tests.apps.test_append_only import _triggers

    triggers = _triggers()
    for table in ("economy_account", "economy_entry", "economy_line", "budgets_spending"):
        names = triggers.get(table, set())
        assert {n for n in names if "append_only" in n or "_no_" in n}, table
