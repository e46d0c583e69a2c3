"""Tying accounts to offices, so that their roles end with the term (ADR 0054)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.bodies.models import Body
from comuna.core.errors import ComunaError
from comuna.offices import account_services
from comuna.offices.forms import LinkAccountForm
from comuna.policies import requires
from comuna.web import render_refusal


@requires("roles.manage")
def link_account(request: HttpRequest, body: Body) -> HttpResponse:
    """ "This account is held by <resident>, as <post>": the role lasts as long as the term."""
    form = LinkAccountForm(request.POST or None, body=body, today=timezone.localdate())
    context = {"body": body, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            _link(form.cleaned_data, request.user)
        except ComunaError as error:
            return render_refusal(request, "offices/link_account.html", context, error)
        messages.success(request, _("Account tied to the term and entered in the public record."))
        return redirect("roles", body.slug)
    status = 400 if form.errors else 200
    return render(request, "offices/link_account.html", context, status=status)


def _link(data: dict[str, Any], by: User) -> None:
    if data["role"] is not None:
        account_services.link_account(data["role"], data["term"], by=by)
    else:
        account_services.grant_office_account(
            data["term"], username=data["username"], password=data["password"], by=by
        )
