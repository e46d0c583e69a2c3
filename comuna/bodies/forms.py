from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body, Role
from comuna.core.rulesets import PROFILES


class OfficerForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    kind = forms.ChoiceField(label=_("Role"), choices=Role.Kind.choices)
    password = forms.CharField(
        label=_("Password (only for a new account)"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class RevokeForm(forms.Form):
    """Take one role away; the reasons are those of ``services.REVOKE_REASONS``."""

    REASONS = [
        ("stepped_down", _("stepped down (the promoter team stops once the council is installed)")),
        ("left_office", _("no longer holds the office")),
        ("withdrawn", _("withdrawn by the promoter team")),
    ]
    role = forms.ModelChoiceField(queryset=Role.objects.none(), widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS)

    def __init__(self, body: Body, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].queryset = Role.objects.filter(body=body)  # type: ignore[attr-defined]


# Every reason ``services.revoke_role`` records, for the history of roles.
REASON_LABELS = {
    **dict(RevokeForm.REASONS),
    "term_expired": _("term expired"),
    "term_recalled": _("recalled"),
    "term_replaced": _("replaced by a new election"),
    "term_closed": _("seat closed"),
}


class RegistrationForm(forms.Form):
    number = forms.CharField(label=_("Registration number"), max_length=60)
    on = forms.DateField(label=_("Registered on"), widget=forms.DateInput(attrs={"type": "date"}))


class FoundCouncilForm(forms.Form):
    name = forms.CharField(label=_("Name of the council"), max_length=200)
    territory = forms.CharField(
        label=_("Territory and boundaries"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Streets and landmarks that bound the community (North, South, East, West)."),
    )
    setting = forms.ChoiceField(label=_("Setting"), choices=Body.Setting.choices)
    founded_on = forms.DateField(
        label=_("Date the promoter team formed"), widget=forms.DateInput(attrs={"type": "date"})
    )
    profile = forms.ChoiceField(
        label=_("Ruleset"),
        choices=[(name, name) for name in PROFILES],
        initial="venezuela-2009",
    )
