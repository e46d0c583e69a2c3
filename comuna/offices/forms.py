from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.models import Assembly, Motion
from comuna.bodies.models import Body, Role
from comuna.offices.account_services import terms_in_force
from comuna.offices.models import Election, Post, Term

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_BLT_BYTES = 2 * 1024 * 1024


class ElectionForm(forms.Form):
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none())
    ballots = forms.ChoiceField(label=_("Ballots"), choices=Election.Ballots.choices)
    assembly = forms.ModelChoiceField(
        label=_("Assembly where phones vote"), queryset=Assembly.objects.none(), required=False
    )
    held_on = forms.DateField(
        label=_("Date of the vote (paper ballots)"), widget=DATE, required=False
    )

    def __init__(self, *args: object, body: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["post"].queryset = Post.objects.filter(body=body)  # type: ignore[attr-defined]
        self.fields["assembly"].queryset = Assembly.objects.filter(  # type: ignore[attr-defined]
            body=body, status__in=[Assembly.Status.CONVENED, Assembly.Status.IN_SESSION]
        )


class CandidacyForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput)


class UninominalBallotForm(forms.Form):
    code = forms.CharField(
        label=_("Your voting code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    candidate = forms.TypedChoiceField(
        label=_("Your candidate"), coerce=int, widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args: object, election: Election, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["candidate"].choices = [  # type: ignore[attr-defined]
            (c.number, f"{c.number}. {c.resident.full_name}")
            for c in election.candidacies.select_related("resident")
        ] + [("", _("Blank ballot"))]

    def marks(self) -> list[int]:
        chosen = self.cleaned_data.get("candidate")
        return [chosen] if chosen not in (None, "") else []


class RankedBallotForm(forms.Form):
    code = UninominalBallotForm.base_fields["code"]

    def __init__(self, *args: object, election: Election, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.candidacies = list(election.candidacies.select_related("resident"))
        for c in self.candidacies:
            self.fields[f"rank_{c.number}"] = forms.IntegerField(
                label=f"{c.number}. {c.resident.full_name}",
                min_value=1,
                max_value=len(self.candidacies),
                required=False,
                help_text=_("Your preference: 1 for the first, 2 for the next... or empty."),
            )

    def marks(self) -> list[int]:
        ranks = [
            (self.cleaned_data[f"rank_{c.number}"], c.number)
            for c in self.candidacies
            if self.cleaned_data.get(f"rank_{c.number}")
        ]
        return [number for _rank, number in sorted(ranks)]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        ranks = [v for k, v in data.items() if k.startswith("rank_") and v]
        if len(ranks) != len(set(ranks)):
            raise forms.ValidationError(_("Give each preference number once."))
        return data


class CountForm(forms.Form):
    """Paper count: the votes of each candidate; or a BLT file of ranked ballots."""

    lot = forms.CharField(
        label=_("Order drawn by lot in the assembly (only if there is a tie)"),
        required=False,
        help_text=_("Every candidate number once, most favoured first, e.g. 3, 1, 2"),
    )
    blt = forms.FileField(label=_("Ranked ballots (BLT file)"), required=False)

    def __init__(self, *args: object, election: Election, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.election = election
        paper = election.ballots == Election.Ballots.PAPER
        if not (paper and election.method == Election.Method.STV):
            del self.fields["blt"]
        if paper and election.method == Election.Method.UNINOMINAL:
            for c in election.candidacies.select_related("resident"):
                self.fields[f"votes_{c.number}"] = forms.IntegerField(
                    label=_("Votes for %(name)s") % {"name": c.resident.full_name}, min_value=0
                )

    def clean_lot(self) -> list[int] | None:
        text = self.cleaned_data["lot"].replace(",", " ").split()
        if not text:
            return None
        try:
            return [int(t) for t in text]
        except ValueError:
            raise forms.ValidationError(_("Write candidate numbers, e.g. 3, 1, 2")) from None

    def clean_blt(self) -> str | None:
        upload = self.cleaned_data.get("blt")
        if upload is None:
            return None
        if upload.size > MAX_BLT_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None

    def counts(self) -> dict[int, int] | None:
        votes = {
            int(name.split("_")[1]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("votes_")
        }
        return votes or None


class RecallForm(forms.Form):
    term = forms.ModelChoiceField(label=_("Office holder"), queryset=None)
    grounds = forms.CharField(
        label=_("Grounds (LOCC Art. 39)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, terms: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["term"].queryset = terms  # type: ignore[attr-defined]


class AuditReportForm(forms.Form):
    report = forms.CharField(
        label=_("Report of the social audit unit"), widget=forms.Textarea(attrs={"rows": 4})
    )


class RecallAssemblyForm(forms.Form):
    assembly = forms.ModelChoiceField(label=_("Assembly"), queryset=Assembly.objects.none())
    method = forms.ChoiceField(label=_("Voting method"), choices=Motion.Method.choices)

    def __init__(self, *args: object, body: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assembly"].queryset = Assembly.objects.filter(  # type: ignore[attr-defined]
            body=body, status__in=[Assembly.Status.CONVENED, Assembly.Status.IN_SESSION]
        )


class PostForm(forms.Form):
    name = forms.CharField(label=_("Name of the post"), max_length=200)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50, initial=1)
    rotation = forms.ChoiceField(label=_("Rotation"), choices=Post.Rotation.choices)


class PeopleField(forms.CharField):
    """Residents by identity document or census number, one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class LotForm(forms.Form):
    volunteers = PeopleField(
        label=_("Volunteers"), help_text=_("One per line: identity document or census number.")
    )
    seed = forms.CharField(
        label=_("Published seed"),
        max_length=200,
        help_text=_("Announced before the draw, e.g. the acta number and a dice roll."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)


class RosterForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("Who serves for the household"), queryset=None)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)

    def __init__(self, *args: object, residents: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["resident"].queryset = residents  # type: ignore[attr-defined]


class ShiftForm(forms.Form):
    members = PeopleField(
        label=_("Members, in the order they serve"),
        help_text=_("One per line: identity document or census number."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    rounds = forms.IntegerField(label=_("Rounds"), min_value=1, max_value=20, initial=1)


class HolderReportForm(forms.Form):
    term = forms.ModelChoiceField(label=_("Post"), queryset=None)
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}))
    decision = forms.IntegerField(
        label=_("Decision number carried out (optional)"), required=False, min_value=1
    )

    def __init__(self, *args: object, terms: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["term"].queryset = terms  # type: ignore[attr-defined]


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return f"{obj.post.name} — {obj.seat} — {obj.holder.full_name}"  # type: ignore[attr-defined]


class LinkAccountForm(forms.Form):
    """Tie an account's role to the term its holder sits in (ADR 0054): an existing role, or
    a username that gets the role the seat gives (a new account needs a password)."""

    term = TermChoiceField(label=_("Term it comes from"), queryset=Term.objects.none())
    role = forms.ModelChoiceField(
        label=_("Account and role"), queryset=Role.objects.none(), required=False
    )
    username = forms.CharField(
        label=_("Or a username, to give it the role the seat gives"),
        max_length=150,
        required=False,
    )
    password = forms.CharField(
        label=_("Password (only for a new account)"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, body: Body, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        roles = Role.objects.filter(body=body, office__isnull=True).exclude(kind=Role.Kind.PROMOTER)
        self.fields["role"].queryset = roles.select_related("user")  # type: ignore[attr-defined]
        self.fields["term"].queryset = terms_in_force(body.pk, today)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("role")) == bool((data.get("username") or "").strip()):
            raise forms.ValidationError(_("Choose an account's role, or give a username."))
        return data
