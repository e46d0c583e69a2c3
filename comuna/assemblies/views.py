"""Assembly pages: convene, attendance and quorum, opening, closing, acta."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.assemblies import acta as acta_data
from comuna.assemblies import services
from comuna.assemblies.forms import ConveneForm, MotionForm, SummaryForm
from comuna.assemblies.models import Assembly, Attendance
from comuna.bodies.models import Body
from comuna.core.errors import ComunaError
from comuna.people.models import Resident
from comuna.people.views import search_residents
from comuna.policies import can, requires
from comuna.web import render_refusal


def _assembly(body: Body, pk: int) -> Assembly:
    return get_object_or_404(Assembly.objects.select_related("ruleset", "body"), body=body, pk=pk)


@requires("assembly.view")
def assembly_list(request: HttpRequest, body: Body) -> HttpResponse:
    assemblies = body.assemblies.annotate(
        present=Count("attendance", distinct=True), n_motions=Count("motions", distinct=True)
    ).order_by("-first_call_at")
    return render(
        request,
        "assemblies/list.html",
        {
            "body": body,
            "assemblies": assemblies,
            "can_convene": can(request.user, "assembly.convene", body),
        },
    )


@requires("assembly.convene")
def convene(request: HttpRequest, body: Body) -> HttpResponse:
    form = ConveneForm(request.POST or None)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assembly = services.convene_assembly(
                body,
                by=request.user,
                kind=data["kind"],
                place=data["place"],
                first_call_at=data["first_call_at"],
                second_call_at=data["second_call_at"],
                agenda=data["agenda"].splitlines(),
                notice=data["notice"],
            )
        except ComunaError as error:
            return render_refusal(request, "assemblies/convene.html", context, error)
        messages.success(request, _("The assembly is convened and entered in the public record."))
        return redirect("assembly_detail", body.slug, assembly.pk)
    return render(request, "assemblies/convene.html", context, status=400 if form.errors else 200)


def _quorum_context(assembly: Assembly) -> dict[str, object]:
    if assembly.status != Assembly.Status.CONVENED:
        return {}
    first, second = services.quorum_of(assembly, 1), services.quorum_of(assembly, 2)
    percent = round(100 * first.present / first.electorate) if first.electorate else 0
    return {
        "quorum1": first,
        "quorum2": second,
        "present_percent": min(percent, 100),
        "mark1": round(100 * first.threshold),
        "mark2": round(100 * second.threshold),
    }


@requires("assembly.view")
def assembly_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    motions = assembly.motions.select_related("decision", "agenda_item").order_by("id")
    context = {
        "body": body,
        "assembly": assembly,
        "agenda": assembly.agenda.all(),
        "motions": motions,
        "present": assembly.attendance.count(),
        "can_run": can(request.user, "assembly.open", body),
        "can_attend": can(request.user, "attendance.record", body),
        "motion_form": MotionForm(assembly=assembly),
        "summary_form": SummaryForm(),
        **_quorum_context(assembly),
    }
    return render(request, "assemblies/detail.html", context)


@requires("attendance.record")
def attendance(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    if request.method == "POST":
        resident = get_object_or_404(Resident, pk=request.POST.get("resident"), body=body)
        try:
            services.record_attendance(assembly, resident, by=request.user)
        except ComunaError as error:
            return _attendance_page(request, body, assembly, error=error)
        messages.success(request, _("%(name)s is present.") % {"name": resident.full_name})
        return redirect(f"{request.path}?q={request.POST.get('q', '')}")
    return _attendance_page(request, body, assembly)


def _attendance_page(
    request: HttpRequest, body: Body, assembly: Assembly, error: ComunaError | None = None
) -> HttpResponse:
    query = request.GET.get("q", request.POST.get("q", "")).strip()
    present = Attendance.objects.filter(assembly=assembly, resident=OuterRef("pk"))
    day = timezone.localdate(assembly.first_call_at)
    members = Resident.objects.electorate(body, assembly.ruleset.param("member_min_age"), day)
    found = (
        search_residents(body, query)
        .filter(pk__in=members.values("pk"))
        .annotate(is_present=Exists(present))[:30]
        if query
        else []
    )
    recent = assembly.attendance.select_related("resident").order_by("-recorded_at")[:15]
    context = {
        "body": body,
        "assembly": assembly,
        "query": query,
        "found": found,
        "recent": recent,
        **_quorum_context(assembly),
        "present": assembly.attendance.count(),
    }
    if error is not None:
        return render_refusal(request, "assemblies/attendance.html", context, error)
    return render(request, "assemblies/attendance.html", context)


@requires("assembly.view")
def attendance_sheet(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """A printable sheet to sign at the door when there is no phone or no power."""
    assembly = _assembly(body, pk)
    day = timezone.localdate(assembly.first_call_at)
    members = (
        Resident.objects.electorate(body, assembly.ruleset.param("member_min_age"), day)
        .select_related("household")
        .order_by("last_names", "first_names")
    )
    return render(
        request, "assemblies/sheet.html", {"body": body, "assembly": assembly, "members": members}
    )


@requires("attendance.record")
def voting_codes(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """Printable slips with each attendee's voting code, to hand out at the door."""
    assembly = _assembly(body, pk)
    rows = assembly.attendance.select_related("resident").order_by("resident__last_names")
    return render(
        request, "assemblies/codes.html", {"body": body, "assembly": assembly, "rows": rows}
    )


@require_POST
@requires("assembly.open")
def open_assembly(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    try:
        services.open_assembly(
            assembly, call=int(request.POST.get("call", "1") or 1), by=request.user
        )
    except (ComunaError, ValueError) as error:
        return _detail_refusal(request, body, assembly, error)
    messages.success(request, _("Quorum reached: the assembly is in session."))
    return redirect("assembly_detail", body.slug, pk)


@require_POST
@requires("assembly.open")
def declare_no_quorum(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    try:
        services.declare_no_quorum(assembly, by=request.user)
    except ComunaError as error:
        return _detail_refusal(request, body, assembly, error)
    messages.success(request, _("Recorded: the assembly was not held for lack of quorum."))
    return redirect("assembly_detail", body.slug, pk)


@require_POST
@requires("assembly.close")
def close_assembly(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    form = SummaryForm(request.POST)
    form.is_valid()
    try:
        services.close_assembly(
            assembly, by=request.user, summary=form.cleaned_data.get("summary", "")
        )
    except ComunaError as error:
        return _detail_refusal(request, body, assembly, error)
    messages.success(request, _("The assembly is closed. Its acta is ready to print."))
    return redirect("acta", body.slug, pk)


@require_POST
@requires("motion.add")
def motion_new(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    form = MotionForm(request.POST, assembly=assembly)
    if not form.is_valid():
        return _detail_refusal(request, body, assembly, None, motion_form=form)
    data = form.cleaned_data
    try:
        motion = services.add_motion(
            assembly,
            title=data["title"],
            text=data["text"],
            method=data["method"],
            kind=data["kind"],
            payload=form.payload(),
            agenda_item=data["agenda_item"],
        )
    except ComunaError as error:
        return _detail_refusal(request, body, assembly, error, motion_form=form)
    return redirect("motion_detail", body.slug, motion.pk)


def _detail_refusal(
    request: HttpRequest,
    body: Body,
    assembly: Assembly,
    error: Exception | None,
    motion_form: MotionForm | None = None,
) -> HttpResponse:
    context = {
        "body": body,
        "assembly": assembly,
        "agenda": assembly.agenda.all(),
        "motions": assembly.motions.select_related("decision", "agenda_item").order_by("id"),
        "present": assembly.attendance.count(),
        "can_run": True,
        "can_attend": True,
        "motion_form": motion_form or MotionForm(assembly=assembly),
        "summary_form": SummaryForm(),
        **_quorum_context(assembly),
    }
    if isinstance(error, ComunaError):
        return render_refusal(request, "assemblies/detail.html", context, error)
    if error is not None:
        context["error"] = _("The request was malformed.")
    return render(request, "assemblies/detail.html", context, status=400)


@requires("assembly.view")
def acta(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    return render(request, "assemblies/acta.html", {"body": body, **acta_data.gather(assembly)})


@requires("assembly.view")
def acta_pdf(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    assembly = _assembly(body, pk)
    pdf = acta_data.render_pdf(acta_data.gather(assembly))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="acta-{body.slug}-{assembly.pk}.pdf"'
    return response
