"""Result pages: why each project was or was not funded, how each share was spent, the
difference from greedy, the pabulib export, and each funded project's spending log."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body
from comuna.budgets import explain, pb_files, spending
from comuna.budgets.forms import ReverseForm, SpendingForm
from comuna.budgets.models import BudgetProcess, Project, Spending
from comuna.budgets.views import process_of
from comuna.core.errors import ComunaError
from comuna.policies import can, requires
from comuna.web import render_refusal


def _decided(body: Body, pk: int) -> BudgetProcess:
    process = process_of(body, pk)
    if process.result is None:
        raise Http404("no result yet")
    return process


def _titles(process: BudgetProcess) -> dict[str, str]:
    return dict(process.projects.values_list("code", "title"))


@requires("budget.view")
def result(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    process = _decided(body, pk)
    data = process.result or {}
    rows = explain.project_rows(data, _titles(process))
    ballots = list(process.ballots.values_list("marks", flat=True))
    context = {
        "body": body,
        "process": process,
        "data": data,
        "rows": rows,
        "chart_height": str(len(rows) * explain.BAR_ROW),
        "compare": explain.comparison(data, ballots),
        "total_shown": explain.money(data["total_cost"]),
        "endowment_shown": explain.money(data.get("endowment")),
        "add1_steps": len(data.get("add1_steps", [])),
    }
    return render(request, "budgets/result.html", context)


@requires("budget.view")
def voters(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """How each voter's equal share was spent, found by the receipt on their ballot."""
    process = _decided(body, pk)
    data = process.result or {}
    rows = explain.account_rows(data, _titles(process))
    receipt = request.GET.get("receipt", "").strip().upper()
    found = next((row for row in rows if receipt in row["voters"]), None) if receipt else None
    context = {
        "body": body,
        "process": process,
        "rows": rows,
        "receipt": receipt,
        "found": found,
        "endowment_shown": explain.money(data.get("endowment")),
    }
    return render(request, "budgets/voters.html", context)


@requires("budget.view")
def export(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """Projects and anonymous ballots as pabulib: only once voting has closed."""
    process = _decided(body, pk)
    response = HttpResponse(pb_files.export_pb(process), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{body.slug}-budget-{process.pk}.pb"'
    return response


def _project(body: Body, pk: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related("process__body"), process__body=body, pk=pk
    )


def _project_context(request: HttpRequest, body: Body, project: Project, **extra: object):
    lines = project.spending.select_related("decision", "reverses", "entry").order_by(
        "recorded_at", "id"
    )
    reversed_ids = set(
        Spending.objects.filter(project=project, reverses__isnull=False).values_list(
            "reverses_id", flat=True
        )
    )
    total = project.spending.aggregate(total=Sum("amount"))["total"] or 0
    progress = next(
        (line.progress for line in reversed(list(lines)) if line.progress is not None), None
    )
    return {
        "body": body,
        "process": project.process,
        "project": project,
        "lines": lines,
        "reversed_ids": reversed_ids,
        "total": total,
        "spent_percent": min(100, round(100 * total / project.cost)) if project.cost else 0,
        "progress": progress,
        "can_spend": can(request.user, "budget.spend", body)
        and project.funded
        and project.process.phase == BudgetProcess.Phase.EXECUTION,
        "form": SpendingForm(body=body),
        "reverse_form": ReverseForm(),
        "accounts": project.accounts.select_related("project").order_by("code"),
        **extra,
    }


@requires("budget.view")
def project_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    project = _project(body, pk)
    return render(request, "budgets/project.html", _project_context(request, body, project))


@require_POST
@requires("budget.spend")
def spend(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    project = _project(body, pk)
    form = SpendingForm(request.POST, body=body)
    context = _project_context(request, body, project, form=form)
    if not form.is_valid():
        return render(request, "budgets/project.html", context, status=400)
    data = form.cleaned_data
    try:
        spending.record_spending(
            project, amount=data["amount"], spent_on_day=data["spent_on"],
            description=data["description"], evidence=data["evidence"],
            progress=data["progress"], decision=data["decision"], by=request.user,
            paid_from=data["paid_from"] or "bank",
        )  # fmt: skip
    except ComunaError as error:
        return render_refusal(request, "budgets/project.html", context, error)
    messages.success(request, _("The spending is recorded in the public record."))
    return redirect("budget_project", body.slug, pk)


@require_POST
@requires("budget.spend")
def reverse(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    line = get_object_or_404(
        Spending.objects.select_related("project__process"), project__process__body=body, pk=pk
    )
    form = ReverseForm(request.POST)
    context = _project_context(request, body, line.project, reverse_form=form)
    if not form.is_valid():
        return render(request, "budgets/project.html", context, status=400)
    try:
        spending.reverse_spending(line, reason=form.cleaned_data["reason"], by=request.user)
    except ComunaError as error:
        context.pop("form")
        context["form"] = SpendingForm(body=body)
        return render_refusal(request, "budgets/project.html", context | {"form": form}, error)
    messages.success(request, _("The line is reversed by a correcting line."))
    return redirect("budget_project", body.slug, line.project_id)
