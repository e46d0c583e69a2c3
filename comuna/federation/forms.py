from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.forms import DATETIME
from comuna.bodies.models import Body
from comuna.federation.models import MandateChoice, Request, Session, VoteChoice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FoundingForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    territory = forms.CharField(
        label=_("Territory and boundaries"), widget=forms.Textarea(attrs={"rows": 2})
    )
    charter = forms.CharField(
        label=_("Draft founding charter"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Location, area, name, principles, census, diagnosis, potentials and programme "
            "(LOC Art. 12)."
        ),
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Neighbouring bodies that take part"),
        queryset=Body.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notified_on = forms.DateField(label=_("Notified to the ministry on"), widget=DATE)

    def __init__(self, *args: object, candidates: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].queryset = candidates  # type: ignore[attr-defined]


class DisseminationForm(forms.Form):
    started_on = forms.DateField(label=_("Dissemination started on"), widget=DATE)


class RegistrationForm(forms.Form):
    registration_number = forms.CharField(label=_("Registration number"), max_length=60)
    registered_on = forms.DateField(label=_("Registered on"), widget=DATE)


RULE_CHOICES = [
    ("majority", _("simple majority of the votes")),
    ("quorum", _("majority with a turnout quorum")),
    ("double", _("double majority: people and member bodies")),
]


class ConsultationForm(forms.Form):
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    rule = forms.ChoiceField(label=_("Decision rule at every level"), choices=RULE_CHOICES)
    turnout_quorum = forms.CharField(
        label=_("Turnout quorum"),
        initial="3/20",
        max_length=10,
        help_text=_("A fraction of the members, e.g. 3/20 for 15 %."),
    )

    def rules(self, levels: list[str]) -> dict[str, dict[str, object]]:
        rule = self.cleaned_data["rule"]
        quorum = self.cleaned_data["turnout_quorum"] if rule != "majority" else "0"
        spec = {"people": "majority_of_votes", "turnout_quorum": quorum}
        rules: dict[str, dict[str, object]] = {}
        for level in levels:
            inner = level != Body.Kind.COUNCIL
            rules[level] = {**spec, "members_majority": rule == "double" and inner}
        return rules


class PaperCountForm(forms.Form):
    yes = forms.IntegerField(label=_("Yes"), min_value=0)
    no = forms.IntegerField(label=_("No"), min_value=0)
    empty = forms.IntegerField(label=_("Blank"), min_value=0, initial=0)
    invalid = forms.IntegerField(label=_("Spoilt"), min_value=0, initial=0)


class StationBallotForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("Voter"), queryset=None)
    choice = forms.ChoiceField(
        label=_("Vote"),
        choices=[("yes", _("yes")), ("no", _("no")), ("empty", _("blank"))],
        widget=forms.RadioSelect,
    )


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Session.Kind.choices)
    open_parliament = forms.BooleanField(
        label=_("Open parliament: every member of every member body may attend and speak"),
        required=False,
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line."),
    )


class ItemForm(forms.Form):
    """An item added to a convened session; it may amend the parliament's rules (ADR 0067)."""

    title = forms.CharField(label=_("Item"), max_length=300)
    changes = forms.CharField(
        label=_("Amend the rules (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": "changes-help"}),
        help_text=_(
            "If approved, this item changes the parliament's ruleset. One per line: "
            "parameter = value, e.g. delegate_recall_vote = member_assembly"
        ),
    )

    def clean_changes(self) -> dict[str, str]:
        changes = {}
        for line in self.cleaned_data["changes"].splitlines():
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(_("Write each change as parameter = value."))
            name, value = line.split("=", 1)
            changes[name.strip()] = value.strip()
        return changes


class DelegateVoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Vote"), choices=VoteChoice.choices)


class MeetingForm(forms.Form):
    """A decision of a member body, taken in its assembly (a council) or its parliament."""

    meeting = forms.ChoiceField(label=_("Assembly that decided"))

    def __init__(self, *args: object, meetings: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["meeting"].choices = meetings  # type: ignore[attr-defined]


class ElectionForm(MeetingForm):
    seat = forms.ModelChoiceField(label=_("Seat"), queryset=None)
    resident = forms.ModelChoiceField(label=_("Delegate elected"), queryset=None)
    alternate = forms.ModelChoiceField(label=_("Alternate"), queryset=None, required=False)


class MandateForm(MeetingForm):
    item = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("Mandate"), choices=MandateChoice.choices)


class RequestForm(MeetingForm):
    kind = forms.ChoiceField(label=_("Request"), choices=Request.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=300)


class RatificationForm(MeetingForm):
    item = forms.IntegerField(widget=forms.HiddenInput)
    ratified = forms.TypedChoiceField(
        label=_("Decision of the assembly"),
        choices=[("1", _("ratify")), ("0", _("refuse"))],
        coerce=lambda v: v == "1",
    )
