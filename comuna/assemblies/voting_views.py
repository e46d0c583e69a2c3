"""Voting pages: a motion's vote (open counts, roll call, phone ballots), the ballot box."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.assemblies import services
from comuna.assemblies.forms import BallotForm, CountForm
from comuna.assemblies.models import Motion, RollCallVote
from comuna.bodies.models import Body, RecordEntry
from comuna.core.errors import ComunaError
from comuna.core.tally import VoteCounts
from comuna.policies import can, requires
from comuna.web import render_refusal


def _motion(body: Body, pk: int) -> Motion:
    return get_object_or_404(
        Motion.objects.select_related("assembly__ruleset", "assembly__body"),
        assembly__body=body,
        pk=pk,
    )


def _context(
    request: HttpRequest, body: Body, motion: Motion, **extra: object
) -> dict[str, object]:
    context: dict[str, object] = {
        "body": body,
        "motion": motion,
        "assembly": motion.assembly,
        "can_run": can(request.user, "vote.close", body),
        "can_open_vote": can(request.user, "vote.open", body),
        "decision": getattr(motion, "decision", None)
        if motion.status == Motion.Status.CLOSED
        else None,
        "count_form": CountForm(),
        "present": motion.assembly.attendance.count(),
    }
    if motion.method == Motion.Method.OPEN_ROLL and motion.status == Motion.Status.OPEN:
        voted = RollCallVote.objects.filter(motion=motion, resident=OuterRef("resident"))
        context["roll"] = (
            motion.assembly.attendance.select_related("resident")
            .annotate(voted=Exists(voted))
            .order_by("resident__last_names")
        )
    if motion.method == Motion.Method.SECRET_PHONE:
        context["ballots_cast"] = motion.voter_marks.count()
    context.update(extra)
    return context


@requires("assembly.view")
def motion_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    motion = _motion(body, pk)
    return render(request, "assemblies/motion.html", _context(request, body, motion))


@require_POST
@requires("vote.open")
def open_vote(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    motion = _motion(body, pk)
    try:
        services.open_vote(motion, by=request.user)
    except ComunaError as error:
        return render_refusal(
            request, "assemblies/motion.html", _context(request, body, motion), error
        )
    messages.success(request, _("Voting is open."))
    return redirect("motion_detail", body.slug, pk)


@require_POST
@requires("vote.cast_roll_call")
def roll_call(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    motion = _motion(body, pk)
    resident = get_object_or_404(
        motion.assembly.attendance.select_related("resident"),
        resident_id=request.POST.get("resident"),
    ).resident
    try:
        services.cast_roll_call_vote(
            motion, resident, request.POST.get("choice", ""), by=request.user
        )
    except ComunaError as error:
        return render_refusal(
            request, "assemblies/motion.html", _context(request, body, motion), error
        )
    return redirect("motion_detail", body.slug, pk)


@require_POST
@requires("vote.close")
def close_vote(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    motion = _motion(body, pk)
    counts = None
    if motion.counted_by_hand:
        form = CountForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "assemblies/motion.html",
                _context(request, body, motion, count_form=form),
                status=400,
            )
        counts = VoteCounts(**form.cleaned_data)
    try:
        decision = services.close_vote(motion, by=request.user, counts=counts)
    except ComunaError as error:
        context = _context(request, body, motion)
        if motion.counted_by_hand:
            context["count_form"] = form
        return render_refusal(request, "assemblies/motion.html", context, error)
    verdict = _("approved") if decision.approved else _("rejected")
    messages.success(
        request,
        _("Decision %(number)s: %(verdict)s.") % {"number": decision.number, "verdict": verdict},
    )
    return redirect("motion_detail", body.slug, pk)


@requires("vote.cast_ballot")
def ballot(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The phone page: an attendee types their code and votes; gets a receipt."""
    motion = _motion(body, pk)
    form = BallotForm(request.POST or None)
    context = {"body": body, "motion": motion, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            receipt = services.cast_ballot(
                motion, form.cleaned_data["code"], form.cleaned_data["choice"]
            )
        except ComunaError as error:
            return render_refusal(request, "assemblies/ballot.html", context, error)
        return render(
            request, "assemblies/receipt.html", {"body": body, "motion": motion, "receipt": receipt}
        )
    return render(request, "assemblies/ballot.html", context, status=400 if form.errors else 200)


@requires("assembly.view")
def ballot_box(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """The public ballot box of a closed secret vote: every receipt and its choice."""
    motion = _motion(body, pk)
    entry = None
    if motion.status == Motion.Status.CLOSED:
        entry = RecordEntry.objects.filter(
            body=body, kind="decision.made", payload__number=motion.decision.number
        ).first()
    ballots = entry.payload.get("ballots", []) if entry else []
    receipt = request.GET.get("receipt", "").strip().upper()
    found = None
    if receipt:
        found = next((choice for key, choice in ballots if key == receipt), "")
    return render(
        request,
        "assemblies/ballot_box.html",
        {
            "body": body,
            "motion": motion,
            "ballots": ballots,
            "entry": entry,
            "receipt": receipt,
            "found": found,
        },
    )
