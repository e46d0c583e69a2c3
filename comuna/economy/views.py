"""Treasury pages: the overview with the trial balance, an account's ledger, an entry, the
journal (and its CSV), and the forms that record income, transfers, payments and reversals."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comuna.bodies.models import Body, RecordEntry
from comuna.core.errors import ComunaError
from comuna.economy import reports, services
from comuna.economy.forms import MovementForm, ReverseEntryForm
from comuna.economy.models import Account, Entry
from comuna.policies import allowed, requires
from comuna.web import render_refusal

TITLES = {
    "income": gettext_lazy("Record income"),
    "transfer": gettext_lazy("Record a transfer"),
    "payment": gettext_lazy("Record a payment"),
}


@requires("treasury.view")
def overview(request: HttpRequest, body: Body) -> HttpResponse:
    accounts = reports.accounts_with_balances(body)
    context = {
        "body": body,
        "accounts": accounts,
        "trial": reports.trial_balance(accounts),
        "chart": reports.chart(accounts),
        "entries": Entry.objects.filter(body=body).order_by("-number")[:10],
        "can_record": allowed(request.user, body, ("treasury.record",))["treasury.record"],
    }
    return render(request, "economy/overview.html", context)


@requires("treasury.view")
def journal(request: HttpRequest, body: Body) -> HttpResponse:
    page = Paginator(reports.journal(body), 200).get_page(request.GET.get("page"))
    return render(request, "economy/journal.html", {"body": body, "page": page})


@requires("treasury.view")
def journal_csv(request: HttpRequest, body: Body) -> HttpResponse:
    response = HttpResponse(reports.journal_csv(body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{body.slug}-journal.csv"'
    return response


@requires("treasury.view")
def account_ledger(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("project"), body=body, pk=pk)
    context = {"body": body, "account": account, "rows": reports.running_lines(account)}
    return render(request, "economy/account.html", context)


def _entry_context(request: HttpRequest, body: Body, entry: Entry, **extra: object) -> dict:
    fingerprint = RecordEntry.objects.filter(
        body=body, kind="ledger.entry", payload__number=entry.number
    ).first()
    return {
        "body": body,
        "entry": entry,
        "lines": entry.lines.select_related("account__project"),
        "reversed_by": Entry.objects.filter(reverses=entry).first(),
        "record": fingerprint,
        "can_reverse": allowed(request.user, body, ("treasury.record",))["treasury.record"]
        and entry.reverses_id is None
        and not entry.spending.exists(),
        "form": ReverseEntryForm(),
        **extra,
    }


@requires("treasury.view")
def entry_detail(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        Entry.objects.select_related("reverses", "decision", "recorded_by"), body=body, pk=pk
    )
    return render(request, "economy/entry.html", _entry_context(request, body, entry))


@requires("treasury.record")
def record(request: HttpRequest, body: Body, movement: str) -> HttpResponse:
    form = MovementForm(request.POST or None, body=body, movement=movement)
    context = {"body": body, "form": form, "movement": movement, "title": TITLES[movement]}
    if request.method != "POST":
        return render(request, "economy/record.html", context)
    if not form.is_valid():
        return render(request, "economy/record.html", context, status=400)
    data = form.cleaned_data
    try:
        entry = services.record_movement(
            body, movement=movement, debit=data["debit"], credit=data["credit"],
            amount=data["amount"], day=data["day"], description=data["description"],
            evidence=data["evidence"], decision=data["decision"], by=request.user,
        )  # fmt: skip
    except ComunaError as error:
        return render_refusal(request, "economy/record.html", context, error)
    messages.success(request, _("The entry is recorded in the public record."))
    return redirect("treasury_entry", body.slug, entry.pk)


@require_POST
@requires("treasury.record")
def reverse(request: HttpRequest, body: Body, pk: int) -> HttpResponse:
    entry = get_object_or_404(Entry, body=body, pk=pk)
    form = ReverseEntryForm(request.POST)
    context = _entry_context(request, body, entry, form=form)
    if not form.is_valid():
        return render(request, "economy/entry.html", context, status=400)
    try:
        reversal = services.reverse_entry(
            entry, reason=form.cleaned_data["reason"], by=request.user
        )
    except ComunaError as error:
        return render_refusal(request, "economy/entry.html", context, error)
    messages.success(request, _("The entry is reversed by a new entry."))
    return redirect("treasury_entry", body.slug, reversal.pk)
