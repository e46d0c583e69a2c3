"""Builders for budget tests, through the real services (personas from ``tests.builders``)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from comuna.bodies.models import Body, Role
from comuna.budgets import services
from comuna.budgets.models import BudgetProcess, VotingCode
from comuna.economy import services as treasury
from tests import builders

# Three proposals; a majority of 6 likes the pipe and the lights, a minority of 4 the square.
PROPOSALS = (("Tubería de la calle 3", "6000"), ("Alumbrado público", "3000"),
             ("Plaza para los niños", "4000"))  # fmt: skip


def make_electoral_commission(body: Body) -> User:
    ana = builders.make_user("ana")
    Role.objects.get_or_create(user=ana, body=body, kind=Role.Kind.ELECTORAL_COMMISSION)
    return ana


def process_in_review(body: Body, **kwargs: object) -> BudgetProcess:
    marta = User.objects.get(username="marta")
    process = services.open_process(
        body, by=marta, title="Presupuesto participativo 2026", amount="10000", **kwargs
    )  # type: ignore[arg-type]
    for title, cost in PROPOSALS:
        services.propose_project(process, title=title, cost=cost, by=marta)
    return services.advance_phase(process, by=marta)


def process_in_voting(body: Body, **kwargs: object) -> BudgetProcess:
    marta = User.objects.get(username="marta")
    process = process_in_review(body, **kwargs)
    for project in process.projects.all():
        services.review_project(project, feasible=True, by=marta)
    return services.advance_phase(process, by=marta)


def vote_split(process: BudgetProcess, majority: int = 6, minority: int = 4) -> list[str]:
    """``majority`` members approve P1 and P2, ``minority`` approve P3; returns receipts."""
    codes = list(VotingCode.objects.filter(process=process).order_by("pk"))
    receipts = []
    for i, code in enumerate(codes[: majority + minority]):
        marks = [("P1", 1), ("P2", 1)] if i < majority else [("P3", 1)]
        receipts.append(services.cast_budget_ballot(process, code.code, marks))
    return receipts


def fund_budget(body: Body, amount: str = "10000") -> None:
    """The money of the participatory budget arrives in the bank (a transfer received)."""
    treasury.open_accounts(body)
    treasury.record_income(
        body, into="1200", source="3200", amount=amount, day=dt.date(2026, 2, 1),
        description="Transferencia para el presupuesto participativo", evidence="Planilla 1",
        by=User.objects.get(username="marta"),
    )  # fmt: skip


def process_in_execution(body: Body) -> BudgetProcess:
    process = process_with_result(body)
    fund_budget(body, str(process.amount))
    return services.advance_phase(process, by=User.objects.get(username="marta"))


def process_with_result(body: Body) -> BudgetProcess:
    process = process_in_voting(body)
    vote_split(process)
    return services.advance_phase(process, by=User.objects.get(username="marta"))
