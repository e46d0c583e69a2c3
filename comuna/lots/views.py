"""Lottery pages: prepare the pool and quotas, announce, compute (with progress), draw."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body
from comuna.core.errors import ComunaError
from comuna.lots import display, services
from comuna.lots import pool as pools
from comuna.lots.forms import DrawForm, LotteryForm, SignUpForm, quota_rows
from comuna.lots.models import Lottery
from comuna.people.models import Resident
from comuna.people.views import search_residents
from comuna.policies import can, requires
from comuna.web import render_refusal


def _lottery(body: Body, pk: int) -> Lottery:
    return get_object_or_404(Lottery.objects.select_related("body"), body=body, pk=pk)


@requires("lottery.view")
def lottery_list(request: HttpRequest, body: Body) -> HttpResponse:
    lotteries = body.lotteries.annotate(volunteering=Count("volunteers")).select_related("draw")
    context = {
        "body": body,
        "lotteries": lotteries,
        "can_manage": can(request.user, "lottery.manage", body),
    }
    return render(request, "lots/list.html", context)


@requires("lottery.manage")
def lottery_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = LotteryForm(request.POST or None)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lottery = services.create_lottery(
                body,
                title=data["title"],
                purpose=data["purpose"],
                panel_size=data["panel_size"],
                source=data["source"],
                features=form.all_features(),
                algorithm=data["algorithm"],
                by=request.user,
            )
        except ComunaError as error:
            return render_refusal(request, "lots/new.html", context, error)
        return redirect("lottery_detail", body.slug, lottery.pk)
    return render(request, "lots/new.html", context, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest,
    lottery: Lottery,
    error: ComunaError | None = None,
    status: int = 200,
    **extra: object,
) -> HttpResponse:
    context = display.context(lottery, can(request.user, "lottery.manage", lottery.body))
    context.update(extra)
    context.setdefault("draw_form", DrawForm())
    if error is not None:
        return render_refusal(request, "lots/detail.html", context, error)
    return render(request, "lots/detail.html", context, status=status)


@requires("lottery.view")
def lottery_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    return _detail(request, _lottery(body, pk))


@requires("lottery.manage")
def volunteers(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """A spokesperson records sign-ups: search the census, add to the pool."""
    lottery = _lottery(body, pk)
    error = None
    if request.method == "POST":
        chosen = request.POST.get("resident", "")
        resident = get_object_or_404(
            Resident, pk=int(chosen) if chosen.isdigit() else 0, body__in=pools.bodies_of(body)
        )
        try:
            services.sign_up_volunteer(lottery, resident, by=request.user)
        except ComunaError as failure:
            error = failure
        else:
            messages.success(request, _("%(name)s is in the pool.") % {"name": resident.full_name})
            return redirect(f"{request.path}?q={request.POST.get('q', '')}")
    query = request.GET.get("q", request.POST.get("q", "")).strip()
    found = []
    if query:
        members = pools.members(body, timezone.localdate())
        found = search_residents(body, query).filter(pk__in=members.values("pk"))[:30]
    context = {
        "body": body,
        "lottery": lottery,
        "query": query,
        "found": found,
        "pool": lottery.volunteers.select_related("resident").order_by("-signed_up_at"),
    }
    if error is not None:
        return render_refusal(request, "lots/volunteers.html", context, error)
    return render(request, "lots/volunteers.html", context)


@requires("lottery.volunteer")
def sign_up(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """A member volunteers from their phone with their attendance voting code."""
    lottery = _lottery(body, pk)
    custom = [f for f in lottery.features if f not in pools.BUILTIN_FEATURES]
    form = SignUpForm(request.POST or None, custom=custom)
    context = {"body": body, "lottery": lottery, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_up_with_code(
                lottery, form.cleaned_data["voting_code"], custom=form.custom()
            )
        except ComunaError as error:
            return render_refusal(request, "lots/sign_up.html", context, error)
        messages.success(request, _("You are in the pool. Thank you for volunteering."))
        return redirect("lottery_detail", body.slug, lottery.pk)
    return render(request, "lots/sign_up.html", context, status=400 if form.errors else 200)


@require_POST
@requires("lottery.manage")
def quotas(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    lottery = _lottery(body, pk)
    try:
        services.set_quotas(lottery, quota_rows(request.POST))
    except ComunaError as error:
        return _detail(request, lottery, error)
    messages.success(request, _("The quotas are saved."))
    return redirect("lottery_detail", body.slug, lottery.pk)


@require_POST
@requires("lottery.manage")
def announce(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    lottery = _lottery(body, pk)
    try:
        services.announce_lottery(lottery, by=request.user)
    except ComunaError as error:
        return _detail(request, lottery, error)
    messages.success(request, _("The pool and quotas are frozen and published in the record."))
    return redirect("lottery_detail", body.slug, lottery.pk)


@require_POST
@requires("lottery.manage")
def compute(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    lottery = _lottery(body, pk)
    try:
        services.start_computation(lottery, by=request.user)
    except ComunaError as error:
        return _detail(request, lottery, error)
    return redirect("lottery_detail", body.slug, lottery.pk)


@require_POST
@requires("lottery.manage")
def draw(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    lottery = _lottery(body, pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, lottery, draw_form=form, status=400)
    try:
        services.draw_lottery(lottery, announced=form.cleaned_data["announced"], by=request.user)
    except ComunaError as error:
        return _detail(request, lottery, error, draw_form=form)
    messages.success(request, _("The panel is drawn and published in the record."))
    return redirect("lottery_detail", body.slug, lottery.pk)


def _download(text: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires("lottery.view")
def pool_file(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    lottery = _lottery(body, pk)
    if not lottery.pool_csv:
        raise Http404
    return _download(lottery.pool_csv, f"lottery-{pk}-pool.csv", "text/csv; charset=utf-8")


@requires("lottery.view")
def quotas_file(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    lottery = _lottery(body, pk)
    if not lottery.quotas_csv:
        raise Http404
    return _download(lottery.quotas_csv, f"lottery-{pk}-quotas.csv", "text/csv; charset=utf-8")


@requires("lottery.view")
def record_file(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The command line's JSON (probabilities and portfolio) plus the draw: for --replay."""
    lottery = _lottery(body, pk)
    if lottery.result is None:
        raise Http404
    text = json.dumps(display.record_json(lottery), indent=2, ensure_ascii=False)
    return _download(text, f"lottery-{pk}.json", "application/json")
