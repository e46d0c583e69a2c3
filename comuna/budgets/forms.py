from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.models import Decision
from comuna.bodies.models import Body
from comuna.budgets.models import BudgetProcess, Project, VotingCode

MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": 0}


class ProcessForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    amount = forms.DecimalField(label=_("Amount to distribute"), **MONEY)
    ballot_kind = forms.ChoiceField(label=_("Ballot"), choices=BudgetProcess.BallotKind.choices)
    max_projects = forms.IntegerField(
        label=_("At most this many projects per ballot"), required=False, min_value=1
    )
    max_cost = forms.DecimalField(
        label=_("Chosen projects may cost at most"), required=False, **MONEY
    )
    points = forms.IntegerField(
        label=_("Points per voter (cumulative ballot)"), required=False, min_value=1
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"] = decision_field(body, _("Approved by the assembly in decision"))


class ImportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("Pabulib file (.pb)"))


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Proposal"), max_length=200)
    cost = forms.DecimalField(label=_("Estimated cost"), **MONEY)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Verdict"),
        choices=[("1", _("feasible")), ("0", _("not feasible"))],
        coerce=lambda v: v == "1",
    )
    cost = forms.DecimalField(label=_("Reviewed cost"), required=False, **MONEY)
    note = forms.CharField(label=_("Review note"), required=False, max_length=500)


class DecisionField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {obj.motion.title}"


def decision_field(body: Body, label: Any) -> DecisionField:
    queryset = Decision.objects.filter(body=body, approved=True).select_related("motion")
    return DecisionField(label=label, queryset=queryset, required=False)


class AdvanceForm(forms.Form):
    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"] = decision_field(body, _("Approved by the assembly in decision"))


class BallotForm(forms.Form):
    """One field per project: a box to tick, points to give, or a rank to write."""

    def __init__(
        self, *args: Any, process: BudgetProcess, projects: list[Project], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = process.ballot_kind
        for project in projects:
            label = f"{project.title} ({project.cost})"
            if self.kind == "approval":
                field: forms.Field = forms.BooleanField(label=label, required=False)
            else:
                field = forms.IntegerField(label=label, required=False, min_value=0)
            self.fields[f"p_{project.code}"] = field

    def marks(self) -> list[tuple[str, int]]:
        marks = []
        for name, value in self.cleaned_data.items():
            if name.startswith("p_") and value:
                marks.append((name[2:], 1 if value is True else int(value)))
        return marks


class PhoneBallotForm(BallotForm):
    code = forms.CharField(
        label=_("Your voting code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class PaperBallotForm(BallotForm):
    def __init__(self, *args: Any, process: BudgetProcess, **kwargs: Any) -> None:
        super().__init__(*args, process=process, **kwargs)
        voted = process.marks.values("resident_id")
        codes = VotingCode.objects.filter(process=process).exclude(resident_id__in=voted)
        self.fields["voter"] = forms.ModelChoiceField(
            label=_("Member who handed in the ballot"),
            queryset=codes.select_related("resident"),
        )
        self.fields["voter"].label_from_instance = lambda c: c.resident.full_name  # type: ignore[attr-defined]
        self.order_fields(["voter"])


class SpendingForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("What was paid"), max_length=300)
    evidence = forms.CharField(label=_("Evidence (invoice, receipt, photo)"), max_length=200)
    progress = forms.IntegerField(
        label=_("Progress of the work (%)"), required=False, min_value=0, max_value=100
    )
    paid_from = forms.ChoiceField(
        label=_("Paid from"), choices=[("bank", _("Bank account")), ("cash", _("Cash"))],
        required=False,
        initial="bank",
    )  # fmt: skip

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"] = decision_field(
            body, _("Assembly decision approving spending above the allocation")
        )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)
