"""Recall pages: the petition and its signatures, the social-audit report, the assembly vote."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body
from comuna.core.errors import ComunaError
from comuna.offices import recall_services
from comuna.offices.forms import AuditReportForm, RecallAssemblyForm, RecallForm
from comuna.offices.models import Recall, RecallSignature, Term
from comuna.people.models import Resident
from comuna.people.views import search_residents
from comuna.policies import can, requires
from comuna.web import render_refusal


def _terms(body: Body):  # -> QuerySet[Term]
    today = timezone.localdate()
    return (
        Term.objects.filter(
            post__body=body, ended_on__isnull=True, starts_on__lte=today, ends_on__gte=today
        )
        .select_related("holder", "post")
        .order_by("post__name", "seat")
    )


@requires("recall.manage")
def recall_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = RecallForm(request.POST or None, terms=_terms(body))
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            recall = recall_services.open_recall(
                form.cleaned_data["term"],
                grounds=form.cleaned_data["grounds"],
                by=request.user,
                on=timezone.localdate(),
            )
        except ComunaError as error:
            return render_refusal(request, "offices/recall_new.html", context, error)
        messages.success(
            request, _("The recall petition is open and entered in the public record.")
        )
        return redirect("recall_detail", body.slug, recall.pk)
    return render(request, "offices/recall_new.html", context, status=400 if form.errors else 200)


def _recall(body: Body, pk: int) -> Recall:
    return get_object_or_404(
        Recall.objects.select_related(
            "term__holder", "term__alternate", "term__post", "motion__assembly", "decision"
        ),
        body=body,
        pk=pk,
    )


def _context(
    request: HttpRequest, body: Body, recall: Recall, **extra: object
) -> dict[str, object]:
    query = request.GET.get("q", "").strip()
    signed = RecallSignature.objects.filter(recall=recall, resident=OuterRef("pk"))
    found = search_residents(body, query).annotate(signed=Exists(signed))[:30] if query else []
    context: dict[str, object] = {
        "body": body,
        "recall": recall,
        "signed": recall.signatures.count(),
        "can_run": can(request.user, "recall.manage", body),
        "query": query,
        "found": found,
        "report_form": AuditReportForm(),
        "assembly_form": RecallAssemblyForm(body=body),
        "today": timezone.localdate(),
        "successor": getattr(recall.term, "followed_by", None)
        if recall.status == Recall.Status.RECALLED
        else None,
    }
    context.update(extra)
    return context


@requires("office.view")
def recall_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    recall = _recall(body, pk)
    return render(request, "offices/recall.html", _context(request, body, recall))


@require_POST
@requires("recall.manage")
def recall_sign(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    recall = _recall(body, pk)
    resident = get_object_or_404(Resident, body=body, pk=request.POST.get("resident") or 0)
    try:
        recall_services.sign_recall(recall, resident, by=request.user, on=timezone.localdate())
    except ComunaError as error:
        return render_refusal(
            request, "offices/recall.html", _context(request, body, recall), error
        )
    messages.success(request, _("Signature of %(name)s recorded.") % {"name": resident.full_name})
    return redirect(
        f"{reverse('recall_detail', args=[body.slug, pk])}?{urlencode({'q': request.POST.get('q', '')})}"
    )


@require_POST
@requires("recall.manage")
def recall_report(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    recall = _recall(body, pk)
    form = AuditReportForm(request.POST)
    context = _context(request, body, recall, report_form=form)
    if not form.is_valid():
        return render(request, "offices/recall.html", context, status=400)
    try:
        recall_services.file_audit_report(
            recall, form.cleaned_data["report"], by=request.user, on=timezone.localdate()
        )
    except ComunaError as error:
        return render_refusal(request, "offices/recall.html", context, error)
    messages.success(request, _("The social audit report is filed."))
    return redirect("recall_detail", body.slug, pk)


@require_POST
@requires("recall.manage")
def recall_to_assembly(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    recall = _recall(body, pk)
    form = RecallAssemblyForm(request.POST, body=body)
    context = _context(request, body, recall, assembly_form=form)
    if not form.is_valid():
        return render(request, "offices/recall.html", context, status=400)
    try:
        motion = recall_services.put_recall_to_assembly(
            recall,
            form.cleaned_data["assembly"],
            by=request.user,
            method=form.cleaned_data["method"],
        )
    except ComunaError as error:
        return render_refusal(request, "offices/recall.html", context, error)
    messages.success(request, _("The recall is on the assembly's agenda."))
    return redirect("motion_detail", body.slug, motion.pk)
