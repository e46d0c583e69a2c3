from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.models import Assembly, Choice, Motion

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ConveneForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Assembly.Kind.choices)
    place = forms.CharField(label=_("Place"), max_length=200)
    first_call_at = forms.DateTimeField(label=_("First call"), widget=DATETIME)
    second_call_at = forms.DateTimeField(label=_("Second call"), widget=DATETIME)
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line."),
    )
    notice = forms.CharField(
        label=_("Notice to the community"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Motion"), max_length=300)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=None, required=False)
    method = forms.ChoiceField(label=_("Voting method"), choices=Motion.Method.choices)
    # Recall motions are put from the recall's page, which links them to the petition.
    kind = forms.ChoiceField(
        label=_("Effect if approved"),
        choices=[c for c in Motion.Kind.choices if c[0] != Motion.Kind.RECALL],
    )
    committee = forms.CharField(label=_("Name of the committee to create"), required=False)
    changes = forms.CharField(
        label=_("Ruleset changes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: parameter = value, e.g. quorum_second_call = 1/4"),
    )

    def __init__(self, *args: object, assembly: Assembly, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agenda_item"].queryset = assembly.agenda.all()  # type: ignore[attr-defined]

    def payload(self) -> dict[str, object]:
        data = self.cleaned_data
        if data["kind"] == Motion.Kind.CREATE_COMMITTEE:
            return {"committee": data["committee"]}
        if data["kind"] == Motion.Kind.AMEND_RULESET:
            changes = {}
            for line in data["changes"].splitlines():
                if "=" in line:
                    name, value = line.split("=", 1)
                    changes[name.strip()] = value.strip()
            return {"changes": changes}
        return {}


class CountForm(forms.Form):
    yes = forms.IntegerField(label=_("Yes"), min_value=0)
    no = forms.IntegerField(label=_("No"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0, initial=0)


class BallotForm(forms.Form):
    code = forms.CharField(
        label=_("Your voting code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=Choice.choices, widget=forms.RadioSelect
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the debates"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
