"""Pages of a body: overview, founding, decision log, public record, ruleset."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.assemblies.models import Assembly, Decision
from comuna.bodies import services
from comuna.bodies.export import export_record
from comuna.bodies.forms import (
    REASON_LABELS,
    FoundCouncilForm,
    OfficerForm,
    RegistrationForm,
    RevokeForm,
)
from comuna.bodies.models import Body, RecordEntry, Role
from comuna.core.errors import ComunaError
from comuna.people.services import electorate_size
from comuna.policies import PUBLIC, allowed, requires
from comuna.web import render_refusal


def home(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.annotate(
        n_residents=Count("residents", filter=Q(residents__left_on__isnull=True))
    ).order_by("name")
    return render(request, "bodies/home.html", {"bodies": bodies})


home.policy = PUBLIC  # type: ignore[attr-defined]


@requires("body.found")
def found_council(request: HttpRequest) -> HttpResponse:
    form = FoundCouncilForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.found_council(promoters=[request.user], **form.cleaned_data)
        except ComunaError as error:
            return render_refusal(request, "bodies/found.html", {"form": form}, error)
        messages.success(request, _("The council is founded. Next: its census."))
        return redirect("census", body.slug)
    return render(request, "bodies/found.html", {"form": form}, status=400 if form.errors else 200)


@requires("body.view")
def body_detail(request: HttpRequest, body: Body) -> HttpResponse:
    now = timezone.now()
    ruleset = services.current_ruleset(body)
    may = allowed(
        request.user,
        body,
        ("assembly.open", "assembly.convene", "census.view_residents", "roles.manage"),
    )
    context = {
        "body": body,
        "ruleset": ruleset,
        "electorate": electorate_size(body),
        "residents": body.residents.filter(left_on__isnull=True).count(),
        "households": body.households.count(),
        "upcoming": body.assemblies.filter(
            status=Assembly.Status.CONVENED, second_call_at__gte=now
        ).order_by("first_call_at")[:5],
        "in_session": body.assemblies.filter(status=Assembly.Status.IN_SESSION),
        "decisions": Decision.objects.filter(body=body).select_related("motion")[:8],
        "decisions_total": Decision.objects.filter(body=body).count(),
        "committees": body.committees.all(),
        "participation": participation(body),
        "can_run": may["assembly.open"],
        "can_convene": may["assembly.convene"],
        "can_census": may["census.view_residents"],
        "can_roles": may["roles.manage"],
    }
    return render(request, "bodies/detail.html", context)


def participation(body: Body, last: int = 12) -> list[dict[str, object]]:
    """Attendance share of the electorate at the last assemblies held: drift made visible."""
    held = (
        body.assemblies.filter(electorate_at_opening__isnull=False)
        .annotate(present=Count("attendance"))
        .order_by("-first_call_at")[:last]
    )
    rows = []
    for assembly in reversed(list(held)):
        share = (
            assembly.present / assembly.electorate_at_opening
            if assembly.electorate_at_opening
            else 0
        )
        rows.append(
            {
                "assembly": assembly,
                "present": assembly.present,
                "electorate": assembly.electorate_at_opening,
                "percent": round(100 * share),
            }
        )
    return rows


@requires("decision.view")
def decision_log(request: HttpRequest, body: Body) -> HttpResponse:
    decisions = Decision.objects.filter(body=body).select_related("motion__assembly", "ruleset")
    return render(request, "bodies/decisions.html", {"body": body, "decisions": decisions})


@requires("record.export")
def record(request: HttpRequest, body: Body) -> HttpResponse:
    entries = RecordEntry.objects.filter(body=body).order_by("-seq")[:200]
    return render(request, "bodies/record.html", {"body": body, "entries": entries})


@requires("record.export")
def record_json(request: HttpRequest, body: Body) -> JsonResponse:
    response = JsonResponse(
        export_record([body]), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="{body.slug}-record.json"'
    return response


@requires("body.view")
def ruleset(request: HttpRequest, body: Body) -> HttpResponse:
    versions = body.ruleset_versions.order_by("-number")
    return render(
        request, "bodies/ruleset.html", {"body": body, "versions": versions, "current": versions[0]}
    )


def _history_row(entry: RecordEntry) -> dict[str, object]:
    """One act of the history of roles, with its labels translated."""
    kinds = dict(Role.Kind.choices)
    if entry.kind == "body.founded":
        user, role = ", ".join(entry.payload["promoters"]), Role.Kind.PROMOTER
    else:
        user, role = entry.payload["user"], entry.payload["role"]
    reason = entry.payload.get("reason")
    return {
        "entry": entry,
        "user": user,
        "role": kinds.get(role, role),
        "by": entry.payload.get("by"),
        "reason": REASON_LABELS.get(reason, reason) if reason else "",
    }


def _roles_context(body: Body, form: OfficerForm) -> dict[str, object]:
    roles = (
        Role.objects.filter(body=body)
        .select_related("user", "office__term__post", "office__term__holder")
        .order_by("kind", "user__username")
    )
    promoters = [r for r in roles if r.kind == Role.Kind.PROMOTER]
    return {
        "body": body,
        "form": form,
        "roles": roles,
        "today": timezone.localdate(),
        "reasons": RevokeForm.REASONS,
        "history": [_history_row(entry) for entry in services.role_history(body)],
        # Offices are held: the council is installed and the promoter team should step down
        # (LOCC Arts. 5-6, institutions.md 1.6; ADR 0054).
        "promoters_should_step_down": bool(promoters)
        and body.posts.filter(terms__ended_on__isnull=True).exists(),
    }


@requires("roles.manage")
def roles(request: HttpRequest, body: Body) -> HttpResponse:
    """Who acts for the body with an account, handing out roles and their history."""
    form = OfficerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_officer(body, granted_by=request.user, **form.cleaned_data)
        except ComunaError as error:
            return render_refusal(request, "bodies/roles.html", _roles_context(body, form), error)
        messages.success(request, _("Role granted and entered in the public record."))
        return redirect("roles", body.slug)
    context = _roles_context(body, form)
    return render(request, "bodies/roles.html", context, status=400 if form.errors else 200)


@require_POST
@requires("roles.manage")
def revoke_role(request: HttpRequest, body: Body) -> HttpResponse:
    """Take a role away (a promoter stepping down, an officer who left); it goes on record."""
    form = RevokeForm(body, request.POST)
    if not form.is_valid():
        return render(request, "bodies/roles.html", _roles_context(body, OfficerForm()), status=400)
    role = form.cleaned_data["role"]
    try:
        services.revoke_role(role, by=request.user, reason=form.cleaned_data["reason"])
    except ComunaError as error:
        context = _roles_context(body, OfficerForm())
        return render_refusal(request, "bodies/roles.html", context, error)
    messages.success(request, _("Role taken away and entered in the public record."))
    if not allowed(request.user, body, ("roles.manage",))["roles.manage"]:
        return redirect("body_detail", body.slug)  # a promoter who stepped down
    return redirect("roles", body.slug)


@requires("body.register")
def registration(request: HttpRequest, body: Body) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            services.record_registration(body, by=request.user, **form.cleaned_data)
        except ComunaError as error:
            return render_refusal(request, "bodies/registration.html", context, error)
        messages.success(request, _("Registration recorded."))
        return redirect("body_detail", body.slug)
    return render(request, "bodies/registration.html", context, status=400 if form.errors else 200)
