from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body
from comuna.core.rulesets import PROFILES


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
