"""Voting pages: the phone ballot with a personal code, paper ballots, the code slips."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comuna.bodies.models import Body
from comuna.budgets import services
from comuna.budgets.forms import PaperBallotForm, PhoneBallotForm
from comuna.budgets.models import BudgetProcess, Project
from comuna.budgets.views import process_of
from comuna.core.errors import ComunaError
from comuna.policies import requires
from comuna.web import render_refusal


def _feasible(process: BudgetProcess) -> list[Project]:
    return list(process.projects.filter(feasibility=Project.Feasibility.FEASIBLE))


def _receipt(request: HttpRequest, body: Body, process: BudgetProcess, receipt: str,
             template: str = "budgets/receipt.html") -> HttpResponse:  # fmt: skip
    return render(request, template, {"body": body, "process": process, "receipt": receipt})


@requires("budget.vote")
def ballot(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The phone page: a member types their personal code and fills in the ballot."""
    process = process_of(body, pk)
    form = PhoneBallotForm(request.POST or None, process=process, projects=_feasible(process))
    context = {"body": body, "process": process, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            receipt = services.cast_budget_ballot(process, form.cleaned_data["code"], form.marks())
        except ComunaError as error:
            return render_refusal(request, "budgets/ballot.html", context, error)
        return _receipt(request, body, process, receipt)
    return render(request, "budgets/ballot.html", context, status=400 if form.errors else 200)


@requires("budget.count")
def paper(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The electoral commission enters the paper ballot a member handed in."""
    process = process_of(body, pk)
    form = PaperBallotForm(request.POST or None, process=process, projects=_feasible(process))
    context = {"body": body, "process": process, "form": form, "paper": True}
    if request.method == "POST" and form.is_valid():
        voter = form.cleaned_data["voter"]
        try:
            receipt = services.enter_paper_ballot(
                process, voter.resident, form.marks(), by=request.user
            )
        except ComunaError as error:
            return render_refusal(request, "budgets/ballot.html", context, error)
        return _receipt(request, body, process, receipt)
    return render(request, "budgets/ballot.html", context, status=400 if form.errors else 200)


@requires("budget.count")
def codes(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """Printable slips: each member's personal voting code, to hand out."""
    process = process_of(body, pk)
    slips = process.codes.select_related("resident").order_by(
        "resident__last_names", "resident__first_names"
    )
    return render(request, "budgets/codes.html", {"body": body, "process": process, "slips": slips})
