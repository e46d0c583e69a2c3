"""Pages of federation: the tree, founding a commune, consultations, membership changes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body
from comuna.core.errors import ComunaError
from comuna.federation import queries, services, tallies
from comuna.federation.forms import (
    ConsultationForm,
    DisseminationForm,
    FoundingForm,
    PaperCountForm,
    RegistrationForm,
    StationBallotForm,
)
from comuna.federation.models import Consultation, ConsultationUnit, Founding, Session
from comuna.federation.services.common import MEMBER_KINDS, councils_under, params_of
from comuna.people.models import Resident
from comuna.policies import can, requires
from comuna.web import render_refusal


@requires("federation.view")
def overview(request: HttpRequest, body: Body) -> HttpResponse:
    context = {
        "body": body,
        "parent": body.parent,
        "founding": Founding.objects.filter(body=body).first(),
        "foundings": Founding.objects.filter(members=body).select_related("body"),
        "node": queries.tree(body, depth=1),
        "conformance": _conformance_rows(body),
        **_last_ordinary(body),
        "consultations": Consultation.objects.filter(body=body).order_by("-opened_at")[:20],
        "sessions": Session.objects.filter(body=body).order_by("-scheduled_at")[:20],
        "votes_in": Consultation.objects.filter(
            units__body=body, units__is_leaf=True, status=Consultation.Status.OPEN
        ).select_related("body"),
        "can_found": can(request.user, "federation.found", body),
        # Short-circuits: no role query for what the body's state rules out anyway.
        "can_manage": bool(body.registered_on) and can(request.user, "parliament.convene", body),
        "can_delegation": bool(body.parent_id) and can(request.user, "delegation.record", body),
    }
    return render(request, "federation/overview.html", context)


def _last_ordinary(body: Body) -> dict[str, object]:
    """Ordinary sessions are monthly (LOC Art. 25): how long since the last one was held."""
    last = (
        Session.objects.filter(body=body, kind=Session.Kind.ORDINARY, opened_at__isnull=False)
        .order_by("-opened_at")
        .values_list("opened_at", flat=True)
        .first()
    )
    if last is None:
        return {"last_ordinary": None}
    days = (timezone.localdate() - timezone.localdate(last)).days
    return {"last_ordinary": last, "days_since_ordinary": days, "ordinary_overdue": days > 31}


def _conformance_rows(body: Body) -> list[tuple[Body, object]]:
    """How each member body's delegates voted against its mandates, from the public votes."""
    summaries = queries.member_conformance(body)
    members = Body.objects.filter(pk__in=[pk for pk in summaries if pk is not None])
    return [(m, summaries[m.pk]) for m in members.order_by("name")]


@requires("federation.view")
def tree(request: HttpRequest, body: Body) -> HttpResponse:
    return render(request, "federation/tree.html", {"body": body, "node": queries.tree(body)})


def _candidates(body: Body, kind: str):  # type: ignore[no-untyped-def]
    return Body.objects.filter(parent__isnull=True, kind__in=MEMBER_KINDS.get(kind, ())).exclude(
        pk=body.pk
    )


def _kind_above(body: Body) -> str:
    above = [k for k, below in MEMBER_KINDS.items() if body.kind in below]
    if not above:
        raise Http404
    return above[0]


@requires("federation.found")
def found(request: HttpRequest, body: Body) -> HttpResponse:
    kind = _kind_above(body)
    form = FoundingForm(request.POST or None, candidates=_candidates(body, kind))
    context = {"body": body, "form": form, "kind": kind}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            founding = services.start_founding(
                name=data["name"], territory=data["territory"], charter=data["charter"],
                members=[body, *data["members"]], promoters=[request.user],
                notified_on=data["notified_on"], kind=kind,
            )  # fmt: skip
        except ComunaError as error:
            return render_refusal(request, "federation/found.html", context, error)
        messages.success(request, _("The promoter commission is formed; the founding has begun."))
        return redirect("federation_founding", founding.body.slug)
    return render(request, "federation/found.html", context, status=400 if form.errors else 200)


def _founding_context(request: HttpRequest, body: Body) -> dict[str, object]:
    founding = get_object_or_404(Founding.objects.select_related("referendum"), body=body)
    return {
        **_deadlines(founding),
        "body": body,
        "founding": founding,
        "members": founding.members.order_by("name"),
        "can_manage": can(request.user, "founding.manage", body),
        "dissemination_form": DisseminationForm(initial={"started_on": timezone.localdate()}),
        "registration_form": RegistrationForm(initial={"registered_on": timezone.localdate()}),
    }


def _deadlines(founding: Founding) -> dict[str, object]:
    """The law's deadlines for the promoter commission, shown (and flagged when missed)."""
    params = params_of(founding.body)
    referendum_by = founding.notified_on + dt.timedelta(
        days=params["commune_referendum_deadline_days"]
    )
    closed = founding.referendum.closed_at if founding.referendum else None
    register_by = (
        timezone.localdate(closed) + dt.timedelta(days=params["commune_registration_days"])
        if closed
        else None
    )
    today = timezone.localdate()
    return {
        "referendum_by": referendum_by,
        "referendum_late": founding.status in ("drafting", "dissemination")
        and today > referendum_by,
        "register_by": register_by,
        "register_late": founding.status == "approved" and register_by and today > register_by,
    }


@requires("federation.view")
def founding(request: HttpRequest, body: Body) -> HttpResponse:
    return render(request, "federation/founding.html", _founding_context(request, body))


@require_POST
@requires("founding.manage")
def founding_step(request: HttpRequest, body: Body) -> HttpResponse:
    context = _founding_context(request, body)
    item: Founding = context["founding"]  # type: ignore[assignment]
    step = request.POST.get("step", "")
    try:
        if step == "disseminate":
            form = DisseminationForm(request.POST)
            context["dissemination_form"] = form
            if not form.is_valid():
                return render(request, "federation/founding.html", context, status=400)
            services.disseminate_charter(
                item, started_on=form.cleaned_data["started_on"], by=request.user
            )
        elif step == "referendum":
            services.open_referendum(item, by=request.user)
        elif step == "register":
            form = RegistrationForm(request.POST)
            context["registration_form"] = form
            if not form.is_valid():
                return render(request, "federation/founding.html", context, status=400)
            services.register_founding(
                item, registration_number=form.cleaned_data["registration_number"],
                on=form.cleaned_data["registered_on"], by=request.user,
            )  # fmt: skip
        else:
            return render(request, "federation/founding.html", context, status=400)
    except ComunaError as error:
        return render_refusal(request, "federation/founding.html", context, error)
    messages.success(request, _("Done, and entered in the public record."))
    return redirect("federation_founding", body.slug)


@requires("consultation.open")
def consultation_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = ConsultationForm(request.POST or None)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        levels = sorted({body.kind, *_levels_below(body)})
        try:
            consultation = services.open_consultation(
                body, question=form.cleaned_data["question"], rules=form.rules(levels),
                by=request.user,
            )  # fmt: skip
        except ComunaError as error:
            return render_refusal(request, "federation/consultation_new.html", context, error)
        return redirect("federation_consultation", body.slug, consultation.pk)
    status = 400 if form.errors else 200
    return render(request, "federation/consultation_new.html", context, status=status)


def _levels_below(body: Body) -> set[str]:
    levels = {c.kind for c in councils_under(body)}
    return levels | set(Body.objects.filter(parent=body).values_list("kind", flat=True))


@requires("federation.view")
def consultation(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    context = _consultation_context(request, body, pk)
    return render(request, "federation/consultation.html", context)


def _consultation_context(request: HttpRequest, body: Body, pk: int) -> dict[str, object]:
    item = get_object_or_404(Consultation, body=body, pk=pk)
    result = tallies.rollup(item)
    units = {
        u.body.slug: u
        for u in item.units.select_related("body", "parent", "report").order_by("body__name")
    }
    rows = [(units[n.unit], n) for n in result.nodes]
    return {
        "body": body,
        "consultation": item,
        "rows": rows,
        "root": result.node(result.root),
        "digest": result.digest,
        "command": tallies.tally_command(item),
        "can_close": can(request.user, "consultation.open", body),
    }


@requires("federation.view")
def consultation_csv(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    item = get_object_or_404(Consultation, body=body, pk=pk)
    response = HttpResponse(tallies.reports_csv(item), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consultation-{item.pk}.csv"'
    return response


@require_POST
@requires("consultation.open")
def consultation_close(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    item = get_object_or_404(Consultation, body=body, pk=pk)
    try:
        services.close_consultation(item, by=request.user)
    except ComunaError as error:
        context = _consultation_context(request, body, pk)
        return render_refusal(request, "federation/consultation.html", context, error)
    messages.success(request, _("The count is closed and entered in the public record."))
    return redirect("federation_consultation", body.slug, pk)


def _station_context(body: Body, pk: int) -> dict[str, object]:
    unit = get_object_or_404(
        ConsultationUnit.objects.select_related("consultation__body"),
        consultation__pk=pk, body=body, is_leaf=True,
    )  # fmt: skip
    voters = Resident.objects.of_body(body).current().order_by("last_names", "first_names")
    ballot_form = StationBallotForm()
    ballot_form.fields["resident"].queryset = voters  # type: ignore[attr-defined]
    return {
        "body": body,
        "unit": unit,
        "consultation": unit.consultation,
        "report": getattr(unit, "report", None),
        "ballots": unit.ballots.count(),
        "ballot_form": ballot_form,
        "count_form": PaperCountForm(),
    }


@requires("consultation.report")
def station(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The council's polling station: ballots on the commission's phone, or the paper count."""
    context = _station_context(body, pk)
    if request.method != "POST":
        return render(request, "federation/station.html", context)
    item: Consultation = context["consultation"]  # type: ignore[assignment]
    action = request.POST.get("action", "")
    try:
        if action == "ballot":
            form = StationBallotForm(request.POST)
            form.fields["resident"].queryset = Resident.objects.of_body(body)  # type: ignore[attr-defined]
            if not form.is_valid():
                context["ballot_form"] = form
                return render(request, "federation/station.html", context, status=400)
            services.cast_consultation_ballot(
                item, form.cleaned_data["resident"], form.cleaned_data["choice"], by=request.user
            )
            messages.success(request, _("The ballot is in the box."))
        elif action == "paper":
            form = PaperCountForm(request.POST)
            if not form.is_valid():
                context["count_form"] = form
                return render(request, "federation/station.html", context, status=400)
            services.report_unit(item, body, by=request.user, counts=form.cleaned_data)
            messages.success(request, _("The count of this council is reported."))
        elif action == "phones":
            services.report_unit(item, body, by=request.user)
            messages.success(request, _("The count of this council is reported."))
        else:
            return render(request, "federation/station.html", context, status=400)
    except ComunaError as error:
        return render_refusal(request, "federation/station.html", context, error)
    return redirect("federation_station", body.slug, pk)


@requires("membership.manage")
def membership(request: HttpRequest, body: Body) -> HttpResponse:
    """Members joining and leaving, with the consequences on seats and quorum shown first."""
    join = _member_param(request, "join", _candidates(body, body.kind))
    leave = _member_param(request, "leave", Body.objects.filter(parent=body))
    context: dict[str, object] = {
        "body": body,
        "members": Body.objects.filter(parent=body).order_by("name"),
        "candidates": _candidates(body, body.kind).order_by("name"),
        "join": join,
        "leave": leave,
    }
    if join or leave:
        context["effect"] = queries.membership_effect(body, join=join, leave=leave)
    if request.method != "POST" or not (join or leave):
        return render(request, "federation/membership.html", context)
    try:
        if join is not None:
            services.join_federation(body, join, by=request.user, on=timezone.localdate())
        elif leave is not None:
            services.leave_federation(body, leave, by=request.user, on=timezone.localdate())
    except ComunaError as error:
        return render_refusal(request, "federation/membership.html", context, error)
    messages.success(request, _("Done, and entered in the public record."))
    return redirect("federation_membership", body.slug)


def _member_param(request: HttpRequest, name: str, choices) -> Body | None:  # type: ignore[no-untyped-def]
    slug = request.POST.get(name) or request.GET.get(name)
    return choices.filter(slug=slug).first() if slug else None
