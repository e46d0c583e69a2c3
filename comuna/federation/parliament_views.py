"""Pages of the parliament: sessions and public votes, delegates' records, and the member
body's side (elections, mandates, requests, ratifications, recall)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body
from comuna.core import federation as fed
from comuna.core.errors import ComunaError
from comuna.federation import queries, services
from comuna.federation.forms import (
    DelegateVoteForm,
    ElectionForm,
    ItemForm,
    MandateForm,
    RatificationForm,
    RequestForm,
    SessionForm,
)
from comuna.federation.models import (
    Delegate,
    DelegateVote,
    Deviation,
    Item,
    Mandate,
    MandateChoice,
    Request,
    Seat,
    Session,
)
from comuna.federation.services.common import councils_under
from comuna.federation.services.parliament import seated, supported_subjects
from comuna.offices.models import Recall
from comuna.people.models import Resident
from comuna.policies import can, requires
from comuna.web import render_refusal


@requires("parliament.convene")
def session_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = SessionForm(request.POST or None)
    context = {
        "body": body,
        "form": form,
        "extraordinary": supported_subjects(body, Request.Kind.EXTRAORDINARY),
        "agenda_items": supported_subjects(body, Request.Kind.AGENDA_ITEM),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.convene_session(
                body, by=request.user, place=data["place"], scheduled_at=data["scheduled_at"],
                agenda=data["agenda"].splitlines(), kind=data["kind"],
                open_parliament=data["open_parliament"],
                requested_subject=request.POST.get("requested_subject", ""),
            )  # fmt: skip
        except ComunaError as error:
            return render_refusal(request, "federation/session_new.html", context, error)
        messages.success(request, _("The session is convened and entered in the public record."))
        return redirect("federation_session", body.slug, session.pk)
    status = 400 if form.errors else 200
    return render(request, "federation/session_new.html", context, status=status)


def _session_context(request: HttpRequest, body: Body, pk: int) -> dict[str, Any]:
    session = get_object_or_404(Session, body=body, pk=pk)
    items = list(session.items.order_by("position"))
    seats = list(Seat.objects.filter(body=body, closed_on__isnull=True).select_related("member"))
    delegates = {
        d.seat_id: d
        for d in Delegate.objects.filter(seat__in=seats, ended_on__isnull=True).select_related(
            "resident"
        )
    }
    mandates = {(m.item_id, m.member_id): m for m in Mandate.objects.filter(item__in=items)}
    votes = {(v.item_id, v.seat_id): v for v in DelegateVote.objects.filter(item__in=items)}
    rows = [
        {
            "item": item,
            "seats": [
                {
                    "seat": seat,
                    "delegate": delegates.get(seat.pk),
                    "mandate": mandates.get((item.pk, seat.member_id)),
                    "vote": votes.get((item.pk, seat.pk)),
                    "form": DelegateVoteForm(
                        initial={"seat": seat.pk}, prefix=f"i{item.pk}s{seat.pk}"
                    ),
                }
                for seat in seats
            ],
        }
        for item in items
    ]
    query = request.GET.get("q", "").strip()
    return {
        "body": body,
        "session": session,
        "rows": rows,
        "seated": seated(body),
        "can_run": can(request.user, "parliament.run", body),
        "can_add": can(request.user, "parliament.convene", body),
        "item_form": ItemForm(),
        "speakers": session.speakers.select_related("resident__body"),
        "query": query,
        "found": _members_found(body, query) if query else [],
    }


def _members_found(body: Body, query: str) -> list[Resident]:
    residents = Resident.objects.filter(body__in=councils_under(body)).current()
    for word in query.split():
        residents = residents.filter(
            Q(first_names__icontains=word) | Q(last_names__icontains=word) | Q(id_number=word)
        )
    return list(residents.select_related("body").order_by("last_names", "first_names")[:20])


@requires("federation.view")
def session(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    return render(request, "federation/session.html", _session_context(request, body, pk))


def _session_action(request: HttpRequest, body: Body, pk: int, action: Any) -> HttpResponse:
    try:
        action()
    except ComunaError as error:
        context = _session_context(request, body, pk)
        return render_refusal(request, "federation/session.html", context, error)
    return redirect("federation_session", body.slug, pk)


@require_POST
@requires("parliament.convene")
def item_add(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """Add an item to a convened session, optionally amending the parliament's rules."""
    session = get_object_or_404(Session, body=body, pk=pk)
    form = ItemForm(request.POST)
    if not form.is_valid():
        context = {**_session_context(request, body, pk), "item_form": form}
        return render(request, "federation/session.html", context, status=400)
    data = form.cleaned_data
    try:
        services.add_item(session, data["title"], changes=data["changes"], by=request.user)
    except ComunaError as error:
        context = {**_session_context(request, body, pk), "item_form": form, "form": form}
        return render_refusal(request, "federation/session.html", context, error)
    messages.success(request, _("The item is on the agenda and in the public record."))
    return redirect("federation_session", body.slug, pk)


@require_POST
@requires("parliament.run")
def session_open(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    item = get_object_or_404(Session, body=body, pk=pk)
    return _session_action(request, body, pk, lambda: services.open_session(item, by=request.user))


@require_POST
@requires("parliament.run")
def session_close(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    item = get_object_or_404(Session, body=body, pk=pk)
    return _session_action(request, body, pk, lambda: services.close_session(item, by=request.user))


@require_POST
@requires("parliament.run")
def give_floor(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    item = get_object_or_404(Session, body=body, pk=pk)
    resident = get_object_or_404(
        Resident, pk=request.POST.get("resident") or 0, body__in=councils_under(body)
    )
    return _session_action(
        request, body, pk, lambda: services.give_floor(item, resident, by=request.user)
    )


@require_POST
@requires("parliament.run")
def item_vote(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, session__body=body, pk=pk)
    seat = get_object_or_404(Seat, body=body, pk=request.POST.get("seat") or 0)
    form = DelegateVoteForm(request.POST, prefix=f"i{item.pk}s{seat.pk}")
    if not form.is_valid():
        context = _session_context(request, body, item.session_id)
        context["error"] = _("Choose yes, no or abstain.")
        return render(request, "federation/session.html", context, status=400)
    choice = form.cleaned_data["choice"]
    return _session_action(
        request, body, item.session_id,
        lambda: services.cast_delegate_vote(item, seat, choice, by=request.user),
    )  # fmt: skip


@require_POST
@requires("parliament.run")
def item_close(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, session__body=body, pk=pk)
    return _session_action(
        request, body, item.session_id, lambda: services.close_item(item, by=request.user)
    )


@requires("federation.view")
def delegate(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """A delegate's public record: every vote beside the mandate, and every deviation."""
    return render(request, "federation/delegate.html", _delegate_context(request, body, pk))


def _delegate_context(request: HttpRequest, body: Body, pk: int) -> dict[str, Any]:
    found = get_object_or_404(
        Delegate.objects.select_related(
            "resident", "seat__member", "seat__body", "term__alternate"
        ),
        seat__body=body, pk=pk,
    )  # fmt: skip
    votes = found.votes.select_related("item__session").order_by("-cast_at")
    deviations = found.deviations.select_related("vote__item", "recall", "member").order_by(
        "-recorded_at"
    )
    member = found.seat.member
    context = {
        "body": body,
        "delegate": found,
        "successor": Delegate.objects.filter(term__follows=found.term_id)
        .select_related("resident")
        .first()
        if found.term_id
        else None,
        "vacant": found.ended_on is not None
        and not Delegate.objects.filter(seat=found.seat, ended_on__isnull=True).exists(),
        "votes": votes,
        "summary": fed.summarise((v.mandate or None, v.choice) for v in votes),
        "deviations": deviations,
        "can_recall": member is not None and can(request.user, "delegation.record", member),
        "can_put_to_referendum": can(request.user, "consultation.open", body),
    }
    return context


# --- The member body's side: its assembly's decisions towards the federation --------------


def _federation_of(body: Body) -> Body:
    if body.parent is None:
        raise Http404
    return body.parent


def _member_context(request: HttpRequest, body: Body) -> dict[str, Any]:
    parent = _federation_of(body)
    meetings = queries.meetings(body)
    seats = Seat.objects.filter(body=parent, member=body, closed_on__isnull=True)
    election = ElectionForm(meetings=meetings, initial={"seat": seats.first()})
    election.fields["seat"].queryset = seats  # type: ignore[attr-defined]
    people = Resident.objects.filter(body__in=councils_under(body), left_on__isnull=True)
    for field in ("resident", "alternate"):
        election.fields[field].queryset = people.order_by("last_names", "first_names")  # type: ignore[attr-defined]
    pending = Item.objects.filter(
        session__body=parent, session__status=Session.Status.CONVENED
    ).select_related("session")
    labels = dict(MandateChoice.choices)
    given = {
        item: labels[choice]
        for item, choice in Mandate.objects.filter(member=body, item__in=pending).values_list(
            "item", "choice"
        )
    }
    to_ratify = Item.objects.filter(session__body=parent, effect=Item.Effect.PENDING).exclude(
        ratifications__member=body
    )
    return {
        "body": body,
        "federation": parent,
        "meetings": meetings,
        "delegates": Delegate.objects.filter(seat__in=seats, ended_on__isnull=True).select_related(
            "resident", "seat"
        ),
        "election_form": election,
        "pending": [
            (
                i,
                given.get(i.pk),
                MandateForm(meetings=meetings, initial={"item": i.pk}, prefix=f"i{i.pk}"),
            )
            for i in pending
        ],
        "to_ratify": [
            (i, RatificationForm(meetings=meetings, initial={"item": i.pk}, prefix=f"r{i.pk}"))
            for i in to_ratify
        ],
        "request_form": RequestForm(meetings=meetings),
        "deviations": Deviation.objects.filter(member=body).select_related(
            "delegate__resident", "vote__item"
        ),
    }


@requires("delegation.record")
def member_side(request: HttpRequest, body: Body) -> HttpResponse:
    return render(request, "federation/member.html", _member_context(request, body))


def _member_refusal(request: HttpRequest, body: Body, error: ComunaError | None) -> HttpResponse:
    context = _member_context(request, body)
    if error is None:
        context["error"] = _("Some fields are missing or not valid.")
        return render(request, "federation/member.html", context, status=400)
    return render_refusal(request, "federation/member.html", context, error)


@require_POST
@requires("delegation.record")
def member_act(request: HttpRequest, body: Body) -> HttpResponse:
    """One of the member body's decisions: elect, mandate, request, ratify."""
    parent = _federation_of(body)
    meetings = queries.meetings(body)
    action = _ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return _member_refusal(request, body, None)
    try:
        done = action(request, body, parent, meetings)
    except ComunaError as error:
        return _member_refusal(request, body, error)
    if not done:
        return _member_refusal(request, body, None)
    messages.success(request, _("Done, and entered in the public record."))
    return redirect("federation_member", body.slug)


def _elect(request: HttpRequest, body: Body, parent: Body, meetings: list) -> bool:  # type: ignore[type-arg]
    form = ElectionForm(request.POST, meetings=meetings)
    form.fields["seat"].queryset = Seat.objects.filter(body=parent, member=body)  # type: ignore[attr-defined]
    people = Resident.objects.filter(body__in=councils_under(body))
    form.fields["resident"].queryset = people  # type: ignore[attr-defined]
    form.fields["alternate"].queryset = people  # type: ignore[attr-defined]
    if not form.is_valid():
        return False
    data = form.cleaned_data
    where = queries.resolve_meeting(body, data["meeting"])
    services.elect_delegate(
        data["seat"], data["resident"], alternate=data["alternate"], by=request.user, **where
    )
    return True


def _mandate(request: HttpRequest, body: Body, parent: Body, meetings: list) -> bool:  # type: ignore[type-arg]
    prefix = f"i{request.POST.get('item', '')}"
    form = MandateForm(request.POST, meetings=meetings, prefix=prefix)
    if not form.is_valid():
        return False
    item = get_object_or_404(Item, session__body=parent, pk=form.cleaned_data["item"])
    where = queries.resolve_meeting(body, form.cleaned_data["meeting"])
    services.record_mandate(item, body, form.cleaned_data["choice"], by=request.user, **where)
    return True


def _request(request: HttpRequest, body: Body, parent: Body, meetings: list) -> bool:  # type: ignore[type-arg]
    form = RequestForm(request.POST, meetings=meetings)
    if not form.is_valid():
        return False
    data = form.cleaned_data
    where = queries.resolve_meeting(body, data["meeting"])
    services.make_request(
        parent, body, kind=data["kind"], subject=data["subject"], by=request.user, **where
    )
    return True


def _ratify(request: HttpRequest, body: Body, parent: Body, meetings: list) -> bool:  # type: ignore[type-arg]
    prefix = f"r{request.POST.get('item', '')}"
    form = RatificationForm(request.POST, meetings=meetings, prefix=prefix)
    if not form.is_valid():
        return False
    item = get_object_or_404(Item, session__body=parent, pk=form.cleaned_data["item"])
    where = queries.resolve_meeting(body, form.cleaned_data["meeting"])
    services.ratify_item(item, body, form.cleaned_data["ratified"], by=request.user, **where)
    return True


_ACTIONS = {"elect": _elect, "mandate": _mandate, "request": _request, "ratify": _ratify}


@require_POST
@requires("delegation.record")
def recall(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """Open a recall of a delegate who deviated: a petition in this body's offices (ADR 0064)."""
    deviation = get_object_or_404(Deviation.objects.select_related("delegate"), member=body, pk=pk)
    try:
        recall = services.request_recall(deviation, by=request.user)
    except ComunaError as error:
        return _member_refusal(request, body, error)
    messages.success(request, _("The recall petition is open and entered in the public record."))
    return redirect("recall_detail", recall.body.slug, recall.pk)


@require_POST
@requires("consultation.open")
def recall_referendum(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    """Put a delegate's recall, its petition signed, to the electorate (LOC Art. 50)."""
    recall = get_object_or_404(Recall, body=body, pk=pk)
    delegate = get_object_or_404(Delegate, term=recall.term_id)
    try:
        consultation = services.open_recall_referendum(recall, by=request.user)
    except ComunaError as error:
        context = _delegate_context(request, body, delegate.pk)
        return render_refusal(request, "federation/delegate.html", context, error)
    return redirect("federation_consultation", body.slug, consultation.pk)
