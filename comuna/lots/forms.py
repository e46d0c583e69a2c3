from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from comuna.core.errors import InputError
from comuna.lots.models import Lottery
from comuna.lots.pool import BUILTIN_FEATURES


class LotteryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Lottery.Purpose.choices)
    panel_size = forms.IntegerField(label=_("Seats"), min_value=1, max_value=1000)
    source = forms.ChoiceField(label=_("Pool"), choices=Lottery.Source.choices)
    features = forms.MultipleChoiceField(
        label=_("Features with quotas"),
        choices=list(BUILTIN_FEATURES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    custom_features = forms.CharField(
        label=_("Other features"),
        required=False,
        max_length=200,
        help_text=_("Asked at sign-up; separate them with commas, e.g. trade, committee."),
    )
    algorithm = forms.ChoiceField(label=_("Method"), choices=Lottery.Algorithm.choices)

    def all_features(self) -> list[str]:
        data = self.cleaned_data
        custom = [f.strip() for f in data["custom_features"].split(",") if f.strip()]
        return [*data["features"], *custom]


class SignUpForm(forms.Form):
    voting_code = forms.CharField(
        label=_("Your voting code"),
        max_length=12,
        help_text=_("The code on the slip you received at the door of the assembly."),
    )

    def __init__(self, *args: object, custom: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for feature in custom:
            self.fields[f"custom_{feature}"] = forms.CharField(
                label=feature, max_length=100, required=False
            )

    def custom(self) -> dict[str, str]:
        return {
            name.removeprefix("custom_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("custom_")
        }


class DrawForm(forms.Form):
    announced = forms.CharField(
        label=_("Numbers announced in the assembly"),
        max_length=200,
        help_text=_("Exactly as read out, e.g. the dice thrown in public: 4 1 6 2 2 5"),
    )


def quota_rows(post: QueryDict) -> list[tuple[str, str, int, int]]:
    """The quota table's rows: feature-N, value-N, min-N, max-N for N = 0, 1, ..."""
    rows = []
    index = 0
    while f"feature-{index}" in post:
        cells = [post.get(f"{name}-{index}", "").strip() for name in ("min", "max")]
        try:
            low, high = (int(cell) for cell in cells)
        except ValueError:
            raise InputError(
                "lots.bad_number", "Minimums and maximums must be whole numbers."
            ) from None
        rows.append((post[f"feature-{index}"], post.get(f"value-{index}", ""), low, high))
        index += 1
    return rows
