"""Posts, terms, elections and recalls: offices that stay under the assembly."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.models import Assembly, Attendance, Decision, Motion
from comuna.bodies.models import Body, Committee, Role
from comuna.people.models import Household, Resident


class Post(models.Model):
    """A seat or group of seats (a unit's five spokespeople, a committee's one)."""

    class Unit(models.TextChoices):
        EXECUTIVE = "executive", _("executive unit")
        FINANCE = "finance", _("administrative and financial unit")
        AUDIT = "audit", _("social audit unit")
        ELECTORAL = "electoral", _("electoral commission")
        OTHER = "other", _("other post")

    class Rotation(models.TextChoices):
        ELECTION = "election", _("election")
        LOT = "lot", _("lot among volunteers")
        ROSTER = "roster", _("roster of households (turno)")
        SHIFT = "shift", _("short rotating shifts")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="posts")
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    committee = models.OneToOneField(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="post"
    )
    name = models.CharField(_("name"), max_length=200)
    seats = models.PositiveSmallIntegerField(_("seats"))
    rotation = models.CharField(
        _("rotation"), max_length=10, choices=Rotation.choices, default=Rotation.ELECTION
    )

    class Meta:
        ordering = ["body", "unit", "name"]
        verbose_name = _("post")
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="post_name_unique"),
            models.CheckConstraint(
                condition=models.Q(seats__gte=1, seats__lte=50), name="post_seats_bounds"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Election(models.Model):
    class Method(models.TextChoices):
        UNINOMINAL = "uninominal", _("uninominal: one mark per voter, most votes win")
        STV = "stv", _("single transferable vote (Scottish rules)")

    class Ballots(models.TextChoices):
        PHONE = "phone", _("secret ballots on phones, with the voting code")
        PAPER = "paper", _("paper ballots, count entered")

    class Status(models.TextChoices):
        CANDIDACIES = "candidacies", _("receiving candidacies")
        VOTING = "voting", _("voting")
        COUNTED = "counted", _("counted")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="elections")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="elections")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    ballots = models.CharField(_("ballots"), max_length=8, choices=Ballots.choices)
    assembly = models.ForeignKey(
        Assembly, null=True, blank=True, on_delete=models.PROTECT, related_name="elections"
    )
    held_on = models.DateField(_("held on"))
    seats = models.PositiveSmallIntegerField(_("seats"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CANDIDACIES)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("election")
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="election_seats_min"),
        ]

    def __str__(self) -> str:
        return f"{self.post} — {self.held_on:%Y-%m-%d}"


class Candidacy(models.Model):
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="candidacies")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="candidacies")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "resident"], name="candidacy_once"),
            models.UniqueConstraint(fields=["election", "number"], name="candidacy_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.resident}"


class ElectionVoterMark(models.Model):
    """That an attendee has voted in an election — never how."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="voter_marks")
    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["election", "attendance"], name="one_election_ballot_per_voter"
            ),
        ]

    def __str__(self) -> str:
        return f"voted in election {self.election_id}"


class ElectionBallot(models.Model):
    """A secret election ballot: random key, no voter, no time. ``marks`` lists candidacy
    numbers, in order of preference for STV, a single one for uninominal (empty: blank)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots_cast")
    receipt = models.CharField(max_length=32, unique=True)
    marks = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.receipt


class Term(models.Model):
    class Source(models.TextChoices):
        ELECTION = "election", _("elected")
        LOT = "lot", _("drawn by lot")
        ROSTER = "roster", _("turn of the roster")
        SHIFT = "shift", _("rotating shift")
        SUCCESSION = "succession", _("alternate who took the post")

    class End(models.TextChoices):
        EXPIRED = "expired", _("term expired")
        RECALLED = "recalled", _("recalled")
        REPLACED = "replaced", _("replaced by a new election")
        SEAT_CLOSED = "closed", _("seat closed")

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="terms")
    seat = models.PositiveSmallIntegerField()
    holder = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="terms")
    alternate = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="alternate_terms"
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.PROTECT, related_name="terms"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="turns"
    )
    follows = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="followed_by"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=End.choices, blank=True)

    class Meta:
        ordering = ["post", "seat", "-starts_on"]
        verbose_name = _("term")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "seat"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_term_per_seat",
            ),
            models.CheckConstraint(condition=models.Q(seat__gte=1), name="term_seat_min"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} — {self.post} ({self.starts_on:%Y-%m-%d})"

    def in_force(self, on: dt.date) -> bool:
        return self.starts_on <= on <= (self.ended_on or self.ends_on)


class Recall(models.Model):
    """A recall (revocatoria, LOCC Arts. 38-42): petition, social-audit report, assembly vote."""

    class Status(models.TextChoices):
        PETITION = "petition", _("collecting signatures")
        REPORT = "report", _("awaiting the social-audit report")
        ASSEMBLY = "assembly", _("to be put to the assembly")
        VOTING = "voting", _("before the assembly")
        REFERENDUM = "referendum", _("put to a referendum")
        RECALLED = "recalled", _("recalled")
        REJECTED = "rejected", _("not recalled")

    class Vote(models.TextChoices):
        ASSEMBLY = "assembly", _("by the assembly")
        REFERENDUM = "referendum", _("by referendum")

    OPEN = (Status.PETITION, Status.REPORT, Status.ASSEMBLY, Status.VOTING, Status.REFERENDUM)

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="recalls")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="recalls")
    grounds = models.TextField(_("grounds"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PETITION)
    # Who decides: the body's assembly (LOCC Art. 41) or a referendum of its whole electorate
    # (LOC Art. 50, a commune's parliament spokespeople; run by the federation app, ADR 0066).
    vote = models.CharField(max_length=10, choices=Vote.choices, default=Vote.ASSEMBLY)
    opened_on = models.DateField()
    electorate = models.PositiveIntegerField()
    needed = models.PositiveIntegerField()
    threshold_reached_on = models.DateField(null=True, blank=True)
    report_due_on = models.DateField(null=True, blank=True)
    report = models.TextField(_("social-audit report"), blank=True)
    report_filed_on = models.DateField(null=True, blank=True)
    assembly_due_on = models.DateField(null=True, blank=True)
    motion = models.OneToOneField(
        Motion, null=True, blank=True, on_delete=models.PROTECT, related_name="recall"
    )
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="recall"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("recall")
        constraints = [
            models.UniqueConstraint(
                fields=["term"],
                condition=models.Q(
                    status__in=["petition", "report", "assembly", "voting", "referendum"]
                ),
                name="one_open_recall_per_term",
            ),
            models.CheckConstraint(condition=models.Q(needed__gte=1), name="recall_needed_min"),
        ]

    def __str__(self) -> str:
        return f"{self.term.holder} — {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def due_on(self) -> dt.date | None:
        """The deadline of the step the recall is at."""
        if self.status == self.Status.REPORT:
            return self.report_due_on
        if self.status in (self.Status.ASSEMBLY, self.Status.VOTING):
            return self.assembly_due_on
        return None


class RecallSignature(models.Model):
    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="signatures")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recall", "resident"], name="one_signature_per_member"),
        ]

    def __str__(self) -> str:
        return f"signature {self.pk} on recall {self.recall_id}"


class Report(models.Model):
    """An office holder's account to the assembly, optionally of a decision carried out."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="reports")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="office_reports"
    )
    text = models.TextField(_("report"))
    filed_on = models.DateField()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("report")

    def __str__(self) -> str:
        return f"{self.term.holder} — {self.filed_on:%Y-%m-%d}"


class OfficeAccount(models.Model):
    """An account's role held because a resident holds a term: the role ends with the term.

    The link lives here, not on ``bodies.Role``, so that bodies stay free of offices (ADR 0054).
    Revoking the role deletes the link with it; the public record keeps both acts.
    """

    role = models.OneToOneField(Role, on_delete=models.CASCADE, related_name="office")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="accounts")

    class Meta:
        verbose_name = _("office account")

    def __str__(self) -> str:
        return f"{self.role} — {self.term.holder}"
