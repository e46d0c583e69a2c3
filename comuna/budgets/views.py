"""Budget pages: the list, opening or importing a process, its phases, projects and review."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body
from comuna.budgets import pb_files, services
from comuna.budgets.forms import AdvanceForm, ImportForm, ProcessForm, ProposalForm, ReviewForm
from comuna.budgets.models import BudgetProcess, Project
from comuna.core.errors import ComunaError, InputError
from comuna.policies import can, requires
from comuna.web import render_refusal


def process_of(body: Body, pk: int) -> BudgetProcess:
    return get_object_or_404(
        BudgetProcess.objects.select_related("body", "ruleset"), body=body, pk=pk
    )


@requires("budget.view")
def process_list(request: HttpRequest, body: Body) -> HttpResponse:
    processes = body.budget_processes.annotate(
        n_projects=Count("projects", distinct=True),
        n_funded=Count("projects", filter=Q(projects__funded=True), distinct=True),
    ).order_by("-created_at")
    return render(
        request,
        "budgets/list.html",
        {
            "body": body,
            "processes": processes,
            "can_manage": can(request.user, "budget.manage", body),
        },
    )


@requires("budget.manage")
def process_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = ProcessForm(request.POST or None, body=body)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            process = services.open_process(body, by=request.user, **form.cleaned_data)
        except ComunaError as error:
            return render_refusal(request, "budgets/new.html", context, error)
        messages.success(request, _("The budget process is open for proposals."))
        return redirect("budget_detail", body.slug, process.pk)
    return render(request, "budgets/new.html", context, status=400 if form.errors else 200)


@requires("budget.manage")
def process_import(request: HttpRequest, body: Body) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > pb_files.MAX_IMPORT_BYTES:
                raise InputError("budget.file_too_large", "The file is too large.")
            text = upload.read().decode("utf-8-sig")
            process = pb_files.import_pb(
                body, text, title=form.cleaned_data["title"], by=request.user
            )
        except UnicodeDecodeError:
            error = InputError("budget.file_not_text", "The file is not UTF-8 text.")
            return render_refusal(request, "budgets/import.html", context, error)
        except ComunaError as error:
            return render_refusal(request, "budgets/import.html", context, error)
        messages.success(request, _("The file was imported and its result computed."))
        return redirect("budget_result", body.slug, process.pk)
    return render(request, "budgets/import.html", context, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, body: Body, process: BudgetProcess) -> dict[str, object]:
    return {
        "body": body,
        "process": process,
        "projects": process.projects.all(),
        "phases": process.phases.select_related("decision"),
        "ballots_cast": process.marks.count(),
        "electorate": process.codes.count(),
        "can_manage": can(request.user, "budget.manage", body),
        "can_review": can(request.user, "budget.review", body),
        "can_count": can(request.user, "budget.count", body),
        "proposal_form": ProposalForm(),
        "review_form": ReviewForm(),
        "advance_form": AdvanceForm(body=body),
        "next_phase": _next_phase(process),
    }


def _next_phase(process: BudgetProcess) -> str | None:
    phases = list(BudgetProcess.Phase)
    index = phases.index(BudgetProcess.Phase(process.phase))
    if process.imported or index + 1 == len(phases):
        return None
    return phases[index + 1].label


@requires("budget.view")
def process_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    process = process_of(body, pk)
    return render(request, "budgets/detail.html", _detail_context(request, body, process))


def _refuse(request: HttpRequest, body: Body, process: BudgetProcess, error: ComunaError,
            **forms: object) -> HttpResponse:  # fmt: skip
    context = _detail_context(request, body, process) | forms
    return render_refusal(request, "budgets/detail.html", context, error)


@require_POST
@requires("budget.manage")
def propose(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    process = process_of(body, pk)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, body, process) | {"proposal_form": form}
        return render(request, "budgets/detail.html", context, status=400)
    try:
        services.propose_project(process, by=request.user, **form.cleaned_data)
    except ComunaError as error:
        return _refuse(request, body, process, error, proposal_form=form)
    messages.success(request, _("The proposal was added."))
    return redirect("budget_detail", body.slug, pk)


@require_POST
@requires("budget.review")
def review(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    project = get_object_or_404(
        Project.objects.select_related("process"), process__body=body, pk=pk
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, body, project.process) | {"review_form": form}
        return render(request, "budgets/detail.html", context, status=400)
    try:
        services.review_project(project, by=request.user, **form.cleaned_data)
    except ComunaError as error:
        return _refuse(request, body, project.process, error)
    messages.success(request, _("The review of %(project)s is recorded.") % {"project": project})
    return redirect("budget_detail", body.slug, project.process_id)


@require_POST
@requires("budget.manage")
def advance(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    process = process_of(body, pk)
    form = AdvanceForm(request.POST, body=body)
    if not form.is_valid():
        context = _detail_context(request, body, process) | {"advance_form": form}
        return render(request, "budgets/detail.html", context, status=400)
    try:
        process = services.advance_phase(
            process, by=request.user, decision=form.cleaned_data["decision"]
        )
    except ComunaError as error:
        return _refuse(request, body, process, error, advance_form=form)
    messages.success(
        request,
        _("The process is now in the phase: %(phase)s.") % {"phase": process.get_phase_display()},
    )
    return redirect("budget_detail", body.slug, pk)
