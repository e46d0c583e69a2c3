"""Assemblies of a body: convocation, attendance, motions, ballots and binding decisions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body, RulesetVersion
from comuna.people.models import Resident


class Choice(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    ABSTAIN = "abstain", _("abstain")


CHOICE_VALUES = [value for value, _label in Choice.choices]


class Assembly(models.Model):
    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary")
        EXTRAORDINARY = "extraordinary", _("extraordinary")

    class Status(models.TextChoices):
        CONVENED = "convened", _("convened")
        IN_SESSION = "in_session", _("in session")
        CLOSED = "closed", _("closed")
        NO_QUORUM = "no_quorum", _("not held: no quorum")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="assemblies")
    ruleset = models.ForeignKey(RulesetVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORDINARY)
    place = models.CharField(_("place"), max_length=200)
    first_call_at = models.DateTimeField(_("first call"))
    second_call_at = models.DateTimeField(_("second call"))
    notice = models.TextField(_("notice"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONVENED)
    opened_on_call = models.PositiveSmallIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    electorate_at_opening = models.PositiveIntegerField(null=True, blank=True)
    summary = models.TextField(_("summary of the debates"), blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-first_call_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(second_call_at__gte=models.F("first_call_at")),
                name="assembly_second_call_after_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.first_call_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_SESSION


class AgendaItem(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("item"), max_length=300)
    notes = models.TextField(_("notes of the debate"), blank=True)

    class Meta:
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "position"], name="agenda_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="attendance")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="attendance")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Handed to the attendee on a slip: lets them cast secret ballots from a phone.
    voting_code = models.CharField(max_length=12)

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "resident"], name="attendance_once"),
            models.UniqueConstraint(fields=["assembly", "voting_code"], name="voting_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.assembly}"


class Motion(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("general")
        CREATE_COMMITTEE = "create_committee", _("create a working committee")
        AMEND_RULESET = "amend_ruleset", _("amend the ruleset")
        RECALL = "recall", _("recall an office holder")

    class Method(models.TextChoices):
        OPEN_COUNT = "open_count", _("open vote, hand count")
        OPEN_ROLL = "open_roll", _("open vote, person by person")
        SECRET_COUNT = "secret_count", _("secret vote, paper count")
        SECRET_PHONE = "secret_phone", _("secret vote on phones")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("voting")
        CLOSED = "closed", _("closed")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="motions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="motions"
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    payload = models.JSONField(default=dict, blank=True)
    method = models.CharField(_("voting method"), max_length=20, choices=Method.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assembly", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_secret(self) -> bool:
        return self.method in (self.Method.SECRET_COUNT, self.Method.SECRET_PHONE)

    @property
    def counted_by_hand(self) -> bool:
        return self.method in (self.Method.OPEN_COUNT, self.Method.SECRET_COUNT)


class RollCallVote(models.Model):
    """An open vote, person by person: public by design."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="roll_call")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "resident"], name="roll_call_once"),
            models.CheckConstraint(
                condition=models.Q(choice__in=CHOICE_VALUES), name="roll_call_choice_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.choice}"


class VoterMark(models.Model):
    """That an attendee has cast their secret ballot on a motion — never what they chose."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="voter_marks")
    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "attendance"], name="one_ballot_per_voter"),
        ]

    def __str__(self) -> str:
        return f"voted on motion {self.motion_id}"


class SecretBallot(models.Model):
    """A secret ballot: random key, no voter, no timestamp, so it cannot be linked to anyone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballots")
    receipt = models.CharField(max_length=32, unique=True)
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(choice__in=CHOICE_VALUES), name="secret_ballot_choice_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt


class Decision(models.Model):
    """The binding result of a motion, numbered in the body's decision log."""

    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="decision")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions")
    ruleset = models.ForeignKey(RulesetVersion, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    yes = models.PositiveIntegerField()
    no = models.PositiveIntegerField()
    abstain = models.PositiveIntegerField()
    attendees = models.PositiveIntegerField()
    electorate = models.PositiveIntegerField()
    rule = models.CharField(max_length=40)
    needed = models.PositiveIntegerField()
    approved = models.BooleanField()
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["body", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="decision_number_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    yes__lte=models.F("attendees") - models.F("no") - models.F("abstain")
                ),
                name="decision_counts_within_attendance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.motion.title}"
