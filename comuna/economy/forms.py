from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body
from comuna.budgets.forms import decision_field
from comuna.economy import services
from comuna.economy.models import Account

# movement -> (label of the account receiving the money, label of the one it comes from)
SIDES = {
    "income": (_("Received into"), _("Received as")),
    "transfer": (_("To account"), _("From account")),
    "payment": (_("Expense"), _("Paid from")),
}


def account_choices(body: Body, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """The body's accounts of ``kinds``; the default chart's while none is opened yet."""
    accounts = Account.objects.filter(body=body, kind__in=kinds).select_related("project")
    if accounts:
        return [(a.code, f"{a.code} {a.label}") for a in accounts]
    return [
        (code, f"{code} {gettext(name)}")
        for _purpose, code, name, kind in services.CHART
        if kind in kinds
    ]


class MovementForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("Description"), max_length=300)
    evidence = forms.CharField(label=_("Evidence (invoice, receipt, bank slip)"), max_length=200)

    def __init__(self, *args: Any, body: Body, movement: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        debit_kinds, credit_kinds = services.MOVEMENTS[movement]
        debit_label, credit_label = SIDES[movement]
        self.fields["debit"] = forms.ChoiceField(
            label=debit_label, choices=account_choices(body, debit_kinds)
        )
        self.fields["credit"] = forms.ChoiceField(
            label=credit_label, choices=account_choices(body, credit_kinds)
        )
        self.fields["decision"] = decision_field(body, _("Approved by the assembly in decision"))
        self.order_fields(["debit", "credit", "amount", "day", "description", "evidence"])


class ReverseEntryForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=300)
