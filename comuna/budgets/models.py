"""Participatory budgets: a process in phases, its projects, ballots, result and spending."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body, RulesetVersion
from comuna.core.budget_ballots import BallotLimits
from comuna.people.models import Resident

MONEY = {"max_digits": 16, "decimal_places": 2}


class BudgetProcess(models.Model):
    class Phase(models.TextChoices):
        PROPOSALS = "proposals", _("proposals")
        REVIEW = "review", _("feasibility review")
        VOTING = "voting", _("voting")
        RESULT = "result", _("result")
        EXECUTION = "execution", _("execution follow-up")
        CLOSED = "closed", _("closed")

    class BallotKind(models.TextChoices):
        APPROVAL = "approval", _("approval: mark the projects you support")
        CUMULATIVE = "cumulative", _("cumulative: share out points")
        RANKED = "ranked", _("ranked: number the projects in order")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="budget_processes")
    ruleset = models.ForeignKey(RulesetVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount to distribute"), **MONEY)
    ballot_kind = models.CharField(
        _("ballot"), max_length=12, choices=BallotKind.choices, default=BallotKind.APPROVAL
    )
    max_projects = models.PositiveSmallIntegerField(
        _("at most this many projects per ballot"), null=True, blank=True
    )
    max_cost = models.DecimalField(
        _("chosen projects may cost at most"), null=True, blank=True, **MONEY
    )
    points = models.PositiveSmallIntegerField(_("points per voter"), null=True, blank=True)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.PROPOSALS)
    imported = models.BooleanField(default=False)
    """Made from a pabulib file for analysis: no phases, no electorate."""
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("budget process")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_amount_positive"),
            models.CheckConstraint(
                condition=~Q(ballot_kind="cumulative") | Q(points__gt=0),
                name="budget_cumulative_has_points",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def limits(self) -> BallotLimits:
        return BallotLimits(self.ballot_kind, self.max_projects, self.max_cost, self.points)


PHASES = [value for value, _label in BudgetProcess.Phase.choices]


class Project(models.Model):
    class Feasibility(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        FEASIBLE = "feasible", _("feasible")
        UNFEASIBLE = "unfeasible", _("not feasible")

    process = models.ForeignKey(BudgetProcess, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("project"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cost = models.DecimalField(_("cost"), **MONEY)
    feasibility = models.CharField(
        max_length=12, choices=Feasibility.choices, default=Feasibility.PENDING
    )
    review_note = models.TextField(_("review note"), blank=True)
    funded = models.BooleanField(null=True)

    class Meta:
        ordering = ["process", "id"]
        constraints = [
            models.UniqueConstraint(fields=["process", "code"], name="budget_project_code_unique"),
            models.CheckConstraint(condition=Q(cost__gt=0), name="budget_project_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class PhaseChange(models.Model):
    """A phase the process entered, with the assembly decision that approved it (if any)."""

    process = models.ForeignKey(BudgetProcess, on_delete=models.PROTECT, related_name="phases")
    phase = models.CharField(max_length=12, choices=BudgetProcess.Phase.choices)
    decision = models.ForeignKey(
        "assemblies.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["process", "changed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["process", "phase"], name="budget_phase_once"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id}: {self.phase}"


class VotingCode(models.Model):
    """A member's personal code for this process, printed on a slip."""

    process = models.ForeignKey(BudgetProcess, on_delete=models.PROTECT, related_name="codes")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=12)

    class Meta:
        ordering = ["resident__last_names", "resident__first_names"]
        constraints = [
            models.UniqueConstraint(fields=["process", "resident"], name="budget_code_per_member"),
            models.UniqueConstraint(fields=["process", "code"], name="budget_code_unique"),
        ]

    def __str__(self) -> str:
        return f"code of {self.resident_id}"


class VoterMark(models.Model):
    """That a member has voted in the process — never what they chose."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        PAPER = "paper", _("paper")

    process = models.ForeignKey(BudgetProcess, on_delete=models.PROTECT, related_name="marks")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=6, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "resident"], name="budget_one_ballot_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"voted in process {self.process_id}"


class BudgetBallot(models.Model):
    """A ballot: random key, random receipt, no voter, no time — unlinkable to anyone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    process = models.ForeignKey(BudgetProcess, on_delete=models.PROTECT, related_name="ballots")
    receipt = models.CharField(max_length=40)
    marks = models.JSONField()
    """[[project code, value], ...]: 1 per approval, points, or rank (1 = first)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "receipt"], name="budget_receipt_unique"),
        ]

    def __str__(self) -> str:
        return self.receipt


class Spending(models.Model):
    """One line of a funded project's spending log. Never changed: a correction is a new,
    reversing line."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="spending")
    amount = models.DecimalField(_("amount"), **MONEY)
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    evidence = models.CharField(_("evidence (invoice, receipt, photo)"), max_length=200)
    progress = models.PositiveSmallIntegerField(
        _("progress of the work (%)"), null=True, blank=True
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    decision = models.ForeignKey(
        "assemblies.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry = models.ForeignKey(
        "economy.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="spending"
    )
    """The treasury entry this line posted (none for lines recorded before the treasury)."""
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0)
                | Q(reverses__isnull=False, amount__lt=0),
                name="spending_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="spending_progress_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None
