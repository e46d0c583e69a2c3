from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.people.models import Household, Resident

DATE = forms.DateInput(attrs={"type": "date"})


class HouseholdForm(forms.Form):
    code = forms.CharField(label=_("Household code"), max_length=30)
    address = forms.CharField(label=_("Address"), max_length=300)
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False)


class ResidentForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none())
    first_names = forms.CharField(label=_("First names"), max_length=120)
    last_names = forms.CharField(label=_("Last names"), max_length=120)
    id_number = forms.CharField(label=_("Identity document"), max_length=30, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", "—"), *Resident.Sex.choices], required=False
    )
    resident_since = forms.DateField(label=_("Resident since"), widget=DATE)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args: object, body: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["household"].queryset = Household.objects.filter(body=body)  # type: ignore[attr-defined]


class CensusImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, comma-separated, with a header row.")
    )
