"""Pages that fill posts without an election (lot, roster, shifts) and file holders' reports."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.assemblies.models import Decision
from comuna.bodies.models import Body
from comuna.core.errors import ComunaError, InputError
from comuna.offices import rotation_services as rotations
from comuna.offices import services
from comuna.offices.forms import HolderReportForm, LotForm, PostForm, RosterForm, ShiftForm
from comuna.offices.models import Post, Term
from comuna.offices.views import holder_context, post_context
from comuna.people.models import Resident
from comuna.policies import requires
from comuna.web import render_refusal


@requires("office.manage")
def post_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = PostForm(request.POST or None)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            post = services.create_post(body, by=request.user, **form.cleaned_data)
        except ComunaError as error:
            return render_refusal(request, "offices/post_new.html", context, error)
        messages.success(request, _("The post is created and entered in the public record."))
        return redirect("post_detail", body.slug, post.pk)
    return render(request, "offices/post_new.html", context, status=400 if form.errors else 200)


def _post(body: Body, pk: int) -> Post:
    return get_object_or_404(Post, body=body, pk=pk)


def _refuse(request: HttpRequest, body: Body, post: Post, form: object, error: ComunaError | None):
    context = {**post_context(request, body, post), "rotation_form": form}
    if error is None:
        return render(request, "offices/post.html", context, status=400)
    return render_refusal(request, "offices/post.html", {**context, "form": form}, error)


@require_POST
@requires("office.manage")
def post_lot(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    post = _post(body, pk)
    form = LotForm(request.POST)
    if not form.is_valid():
        return _refuse(request, body, post, form, None)
    data = form.cleaned_data
    try:
        volunteers = services.residents_named(body, data["volunteers"])
        rotations.draw_by_lot(
            post, volunteers, seed=data["seed"], by=request.user, on=data["starts_on"]
        )
    except ComunaError as error:
        return _refuse(request, body, post, form, error)
    messages.success(request, _("The lot is drawn and entered in the public record."))
    return redirect("post_detail", body.slug, pk)


@require_POST
@requires("office.manage")
def post_roster(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    post = _post(body, pk)
    form = RosterForm(request.POST, residents=Resident.objects.of_body(body).current())
    if not form.is_valid():
        return _refuse(request, body, post, form, None)
    try:
        rotations.take_roster_turn(
            post, form.cleaned_data["resident"], by=request.user, on=form.cleaned_data["starts_on"]
        )
    except ComunaError as error:
        return _refuse(request, body, post, form, error)
    messages.success(request, _("The household took its turn."))
    return redirect("post_detail", body.slug, pk)


@require_POST
@requires("office.manage")
def post_shifts(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    post = _post(body, pk)
    form = ShiftForm(request.POST)
    if not form.is_valid():
        return _refuse(request, body, post, form, None)
    data = form.cleaned_data
    try:
        members = services.residents_named(body, data["members"])
        rotations.plan_shifts(
            post, members, start=data["starts_on"], by=request.user, rounds=data["rounds"]
        )
    except ComunaError as error:
        return _refuse(request, body, post, form, error)
    messages.success(request, _("The shifts are planned and entered in the public record."))
    return redirect("post_detail", body.slug, pk)


@require_POST
@requires("office.manage")
def holder_report(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    terms = Term.objects.filter(holder_id=pk, post__body=body)
    get_object_or_404(Resident, body=body, pk=pk)
    form = HolderReportForm(request.POST, terms=terms)
    try:
        if not form.is_valid():
            raise InputError("report.empty", "A report needs a text.")
        number = form.cleaned_data["decision"]
        decision = None
        if number:
            decision = Decision.objects.filter(body=body, number=number).first()
            if decision is None:
                raise InputError("report.unknown_decision", "No decision {number}.", number=number)
        services.file_report(
            form.cleaned_data["term"],
            form.cleaned_data["text"],
            by=request.user,
            decision=decision,
            on=timezone.localdate(),
        )
    except ComunaError as error:
        context = {**holder_context(request, body, pk), "report_form": form}
        return render_refusal(request, "offices/holder.html", context, error)
    messages.success(request, _("The report is filed and entered in the public record."))
    return redirect("holder_detail", body.slug, pk)
