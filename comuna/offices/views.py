"""Offices pages: posts and who holds them, office holders' records, elections."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body
from comuna.core import rotation
from comuna.core.errors import ComunaError
from comuna.offices import election_services as elections
from comuna.offices import results, services
from comuna.offices.forms import (
    CountForm,
    ElectionForm,
    HolderReportForm,
    LotForm,
    RankedBallotForm,
    RosterForm,
    ShiftForm,
    UninominalBallotForm,
)
from comuna.offices.models import Election, Post, Recall, Report, Term
from comuna.people.models import Resident
from comuna.people.views import search_residents
from comuna.policies import allowed, can, requires
from comuna.web import render_refusal

SOON_DAYS = 90


def _in_force(on: dt.date):  # -> QuerySet[Term]
    return Term.objects.filter(starts_on__lte=on).exclude(ended_on__lt=on).filter(ends_on__gte=on)


@requires("office.view")
def offices_home(request: HttpRequest, body: Body) -> HttpResponse:
    """Every post with its holders and vacancies, terms ending soon, elections and recalls."""
    today = timezone.localdate()
    current = _in_force(today).select_related("holder", "alternate").order_by("seat")
    posts = list(
        Post.objects.filter(body=body).prefetch_related(
            Prefetch("terms", current, to_attr="current")
        )
    )
    for post in posts:
        post.vacant = max(post.seats - len(post.current), 0)
    soon = today + dt.timedelta(days=SOON_DAYS)
    context = {
        "body": body,
        "posts": posts,
        "ending": current.filter(post__body=body, ends_on__lte=soon).select_related("post"),
        "elections": Election.objects.filter(body=body).select_related("post")[:20],
        "recalls": Recall.objects.filter(body=body).select_related("term__holder", "term__post")[
            :20
        ],
        "can_manage": can(request.user, "office.manage", body),
        "can_elect": can(request.user, "election.manage", body),
        "can_recall": can(request.user, "recall.manage", body),
        "today": today,
    }
    return render(request, "offices/home.html", context)


@require_POST
@requires("office.manage")
def establish_posts(request: HttpRequest, body: Body) -> HttpResponse:
    made = services.establish_posts(body, by=request.user)
    messages.success(request, _("%(count)s posts established.") % {"count": len(made)})
    return redirect("offices_home", body.slug)


def post_context(request: HttpRequest, body: Body, post: Post) -> dict[str, object]:
    terms = post.terms.select_related("holder", "alternate").order_by("-starts_on", "seat")
    return {"body": body, "post": post, "terms": terms, **rotation_context(request, body, post)}


@requires("office.view")
def post_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, body=body, pk=pk)
    return render(request, "offices/post.html", post_context(request, body, post))


def next_household(post: Post):  # -> Household | None
    households = list(post.body.households.order_by("code"))
    if not households:
        return None
    served = Term.objects.filter(post=post, household__isnull=False).order_by("starts_on", "pk")
    due = rotation.next_in_roster(
        [str(h.pk) for h in households],
        [str(h) for h in served.values_list("household_id", flat=True)],
    )
    return next(h for h in households if str(h.pk) == due)


def rotation_context(request: HttpRequest, body: Body, post: Post) -> dict[str, object]:
    """The form that fills this post, for those who may (empty for everyone else)."""
    if not can(request.user, "office.manage", body) or post.rotation == Post.Rotation.ELECTION:
        return {}
    if post.rotation == Post.Rotation.LOT:
        return {"rotation_form": LotForm(), "rotation_url": "post_lot"}
    if post.rotation == Post.Rotation.SHIFT:
        return {"rotation_form": ShiftForm(), "rotation_url": "post_shifts"}
    household = next_household(post)
    residents = (
        Resident.objects.filter(household=household).current()
        if household
        else Resident.objects.none()
    )
    return {
        "rotation_form": RosterForm(residents=residents),
        "rotation_url": "post_roster",
        "household": household,
    }


def holder_context(request: HttpRequest, body: Body, pk: int) -> dict[str, object]:
    terms = Term.objects.filter(holder_id=pk, post__body=body).select_related("post")
    resident = get_object_or_404(Resident, body=body, pk=pk)
    if not terms.exists():  # only people who hold or held an office have a public page
        raise Http404
    reports = Report.objects.filter(term__holder=resident).select_related(
        "decision__motion", "term__post"
    )
    context: dict[str, object] = {
        "body": body,
        "resident": resident,
        "terms": terms.order_by("-starts_on"),
        "alternate_for": Term.objects.filter(alternate=resident).select_related("post", "holder"),
        "recalls": Recall.objects.filter(term__holder=resident).select_related(
            "term__post", "decision"
        ),
        "reports": reports,
    }
    if can(request.user, "office.manage", body):
        context["report_form"] = HolderReportForm(terms=terms)
    return context


@requires("office.view")
def holder_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The public record of someone who holds or held an office: leading by obeying."""
    return render(request, "offices/holder.html", holder_context(request, body, pk))


# --- Elections ---------------------------------------------------------------------------------


def _election(body: Body, pk: int) -> Election:
    return get_object_or_404(Election.objects.select_related("post", "assembly"), body=body, pk=pk)


@requires("election.manage")
def election_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = ElectionForm(request.POST or None, body=body)
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = elections.call_election(
                data["post"],
                by=request.user,
                ballots=data["ballots"],
                held_on=data["held_on"] or timezone.localdate(),
                assembly=data["assembly"],
            )
        except ComunaError as error:
            return render_refusal(request, "offices/election_new.html", context, error)
        messages.success(request, _("The election is called and entered in the public record."))
        return redirect("election_detail", body.slug, election.pk)
    return render(request, "offices/election_new.html", context, status=400 if form.errors else 200)


def _election_context(request: HttpRequest, body: Body, election: Election, **extra: object):
    query = request.GET.get("q", "").strip()
    may = allowed(request.user, body, ("election.manage", "roles.manage"))
    context: dict[str, object] = {
        "body": body,
        "election": election,
        "candidacies": election.candidacies.select_related("resident"),
        "can_run": may["election.manage"],
        "can_roles": may["roles.manage"],
        "query": query,
        "found": search_residents(body, query)[:30] if query else [],
        "count_form": CountForm(election=election),
        "result": results.rows(election),
        "ballots_cast": election.voter_marks.count(),
    }
    context.update(extra)
    return context


@requires("office.view")
def election_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    election = _election(body, pk)
    return render(request, "offices/election.html", _election_context(request, body, election))


@require_POST
@requires("election.manage")
def candidacy_add(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    election = _election(body, pk)
    resident = get_object_or_404(Resident, body=body, pk=request.POST.get("resident") or 0)
    try:
        elections.register_candidacy(election, resident, by=request.user)
    except ComunaError as error:
        context = _election_context(request, body, election)
        return render_refusal(request, "offices/election.html", context, error)
    messages.success(request, _("%(name)s is standing.") % {"name": resident.full_name})
    return redirect("election_detail", body.slug, pk)


@require_POST
@requires("election.manage")
def election_open(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    election = _election(body, pk)
    try:
        elections.open_election(election, by=request.user)
    except ComunaError as error:
        context = _election_context(request, body, election)
        return render_refusal(request, "offices/election.html", context, error)
    messages.success(request, _("Voting is open."))
    return redirect("election_detail", body.slug, pk)


@require_POST
@requires("election.manage")
def election_count(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    election = _election(body, pk)
    form = CountForm(request.POST, request.FILES, election=election)
    context = _election_context(request, body, election, count_form=form)
    if not form.is_valid():
        return render(request, "offices/election.html", context, status=400)
    try:
        elections.count_election(
            election,
            by=request.user,
            counts=form.counts(),
            blt=form.cleaned_data.get("blt"),
            lot=form.cleaned_data["lot"],
        )
    except ComunaError as error:
        return render_refusal(request, "offices/election.html", context, error)
    messages.success(request, _("The election is counted and the elected are seated."))
    return redirect("election_detail", body.slug, pk)


@requires("election.cast_ballot")
def election_ballot(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The phone page: an attendee types their code and votes; gets a receipt."""
    election = _election(body, pk)
    form_class = (
        RankedBallotForm if election.method == Election.Method.STV else UninominalBallotForm
    )
    form = form_class(request.POST or None, election=election)
    context = {"body": body, "election": election, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            receipt = elections.cast_election_ballot(
                election, form.cleaned_data["code"], form.marks()
            )
        except ComunaError as error:
            return render_refusal(request, "offices/ballot.html", context, error)
        return render(
            request,
            "offices/receipt.html",
            {"body": body, "election": election, "receipt": receipt},
        )
    return render(request, "offices/ballot.html", context, status=400 if form.errors else 200)


@requires("office.view")
def election_blt(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The ranked ballots of a counted phone election as BLT, for `comuna stv` or any counter."""
    election = _election(body, pk)
    if election.status != Election.Status.COUNTED or election.ballots != Election.Ballots.PHONE:
        return render(
            request,
            "offices/election.html",
            _election_context(
                request, body, election, error=_("Ballots are published once counted.")
            ),
            status=409,
        )
    response = HttpResponse(elections.blt_of(election), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{body.slug}-election-{pk}.blt"'
    return response
