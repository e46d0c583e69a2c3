"""Federation from below: founding a commune by referendum, nested consultations, the
parliament of mandated delegates, imperative mandates and their conformance."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.models import Assembly
from comuna.bodies.models import Body, RulesetVersion
from comuna.core.federation import MANDATE_CHOICES, VOTE_CHOICES
from comuna.people.models import Resident


def _decided_in(name: str) -> models.CheckConstraint:
    """A member body decides in its assembly (a council) or its parliament (a commune...)."""
    return models.CheckConstraint(
        condition=models.Q(assembly__isnull=False, parliament__isnull=True)
        | models.Q(assembly__isnull=True, parliament__isnull=False),
        name=name,
    )


def _assembly() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        Assembly, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


def _parliament() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        "Session", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class VoteChoice(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    ABSTAIN = "abstain", _("abstain")


class MandateChoice(models.TextChoices):
    YES = "yes", _("vote yes")
    NO = "no", _("vote no")
    ABSTAIN = "abstain", _("abstain")
    FREE = "free", _("free vote")


class Consultation(models.Model):
    """A question put to every member of a body's member councils, counted per council.

    The tree of units is frozen when it opens (``ConsultationUnit``), so that councils joining
    or leaving meanwhile change nothing in the count.
    """

    class Kind(models.TextChoices):
        FOUNDING = "founding", _("founding referendum")
        QUESTION = "question", _("consultation")
        RECALL = "recall", _("recall referendum")

    class Status(models.TextChoices):
        OPEN = "open", _("voting")
        CLOSED = "closed", _("closed")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="consultations")
    ruleset = models.ForeignKey(RulesetVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    question = models.TextField(_("question"))
    rules = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)
    digest = models.CharField(max_length=64, blank=True)
    # A recall referendum settles this recall when its count closes (LOC Art. 50, ADR 0066).
    recall = models.OneToOneField(
        "offices.Recall", null=True, blank=True, on_delete=models.PROTECT, related_name="referendum"
    )

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.question[:80]


class ConsultationUnit(models.Model):
    """One body of the consultation's tree; councils (leaves) are the polling stations."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="units")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(Body, null=True, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20)
    is_leaf = models.BooleanField()
    # What this unit's vote counts for when its parent's level asks for a majority of member
    # bodies: an exact fraction such as "1" or "1/2" (a half-state), see ``core.nested.Unit``.
    weight = models.CharField(max_length=20, default="1")

    class Meta:
        ordering = ["consultation", "body__name"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "body"], name="consultation_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.body} ({self.level})"


class UnitReport(models.Model):
    """The count of one council, entered by its electoral commission or taken from ballots."""

    class Source(models.TextChoices):
        PAPER = "paper", _("paper count")
        PHONES = "phones", _("ballots on phones")

    unit = models.OneToOneField(ConsultationUnit, on_delete=models.PROTECT, related_name="report")
    eligible = models.PositiveIntegerField(_("members on the register"))
    yes = models.PositiveIntegerField(_("yes"))
    no = models.PositiveIntegerField(_("no"))
    empty = models.PositiveIntegerField(_("blank"), default=0)
    invalid = models.PositiveIntegerField(_("spoilt"), default=0)
    source = models.CharField(max_length=8, choices=Source.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    eligible__gte=models.F("yes")
                    + models.F("no")
                    + models.F("empty")
                    + models.F("invalid")
                ),
                name="unit_report_within_register",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.body}: {self.yes}/{self.no}"

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.empty + self.invalid


class ConsultationMark(models.Model):
    """That a member has voted in a consultation — never what they chose."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "resident"], name="one_consultation_ballot_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"voted in consultation {self.consultation_id}"


class ConsultationBallot(models.Model):
    """A secret ballot: random key, its polling station, the choice; no voter, no time."""

    class Choice(models.TextChoices):
        YES = "yes", _("yes")
        NO = "no", _("no")
        EMPTY = "empty", _("blank")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(ConsultationUnit, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(max_length=6, choices=Choice.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(choice__in=["yes", "no", "empty"]),
                name="consultation_ballot_choice_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Founding(models.Model):
    """The founding of a commune (or an upper level) from neighbouring member bodies (LOC
    Arts. 10-17): promoter commission, charter, dissemination, referendum, registration."""

    class Status(models.TextChoices):
        DRAFTING = "drafting", _("drafting the charter")
        DISSEMINATION = "dissemination", _("public dissemination")
        REFERENDUM = "referendum", _("referendum")
        APPROVED = "approved", _("approved, to register")
        REJECTED = "rejected", _("rejected by referendum")
        REGISTERED = "registered", _("registered")

    body = models.OneToOneField(Body, on_delete=models.PROTECT, related_name="founding")
    charter = models.TextField(_("founding charter"))
    notified_on = models.DateField(_("notified on"))
    dissemination_from = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.DRAFTING)
    members = models.ManyToManyField(Body, related_name="foundings_joined", blank=True)
    referendum = models.OneToOneField(
        Consultation, null=True, blank=True, on_delete=models.PROTECT, related_name="founding"
    )

    def __str__(self) -> str:
        return str(self.body)


class Seat(models.Model):
    """A seat in a body's parliament: one per member body, plus the economy's seats."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("member body")
        ENTERPRISE = "enterprise", _("social-property enterprises")
        BANK = "bank", _("communal bank")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="seats")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    member = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="seats_held"
    )
    label = models.CharField(_("seat"), max_length=200)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["body", "kind", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "member"],
                condition=models.Q(closed_on__isnull=True, member__isnull=False),
                name="one_open_seat_per_member_body",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="member", member__isnull=False)
                | (~models.Q(kind="member") & models.Q(member__isnull=True)),
                name="seat_member_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Delegate(models.Model):
    """Who holds a seat, elected by the member body's assembly for a term."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="delegates")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="delegations")
    assembly = _assembly()
    parliament = _parliament()
    elected_on = models.DateField()
    term_ends_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # The same mandate seen from the member body: an office of its own, under its assembly,
    # recallable there (ADR 0064). Null only for delegates seated before it existed.
    term = models.OneToOneField(
        "offices.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="delegate"
    )

    class Meta:
        ordering = ["seat", "-elected_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat"],
                condition=models.Q(ended_on__isnull=True),
                name="one_delegate_per_seat",
            ),
            _decided_in("delegate_elected_in_one_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} — {self.seat}"


class Session(models.Model):
    """A session of a body's parliament: delegates vote; in an *open* parliament every member
    of every member body may attend and speak."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary")
        EXTRAORDINARY = "extraordinary", _("extraordinary")

    class Status(models.TextChoices):
        CONVENED = "convened", _("convened")
        IN_SESSION = "in_session", _("in session")
        CLOSED = "closed", _("closed")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="sessions")
    ruleset = models.ForeignKey(RulesetVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.ORDINARY)
    open_parliament = models.BooleanField(_("open parliament"), default=False)
    place = models.CharField(_("place"), max_length=200)
    scheduled_at = models.DateTimeField(_("date and time"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONVENED)
    members_at_opening = models.PositiveIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.scheduled_at:%Y-%m-%d}"


class Item(models.Model):
    """An agenda item of a parliament session, voted by the delegates in public."""

    class Effect(models.TextChoices):
        IN_EFFECT = "in_effect", _("in effect")
        PENDING = "pending", _("awaiting ratification by the member bodies")
        NOT_RATIFIED = "not_ratified", _("not ratified: without effect")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("item"), max_length=300)
    forced = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    yes = models.PositiveIntegerField(null=True, blank=True)
    no = models.PositiveIntegerField(null=True, blank=True)
    abstain = models.PositiveIntegerField(null=True, blank=True)
    needed = models.PositiveIntegerField(null=True, blank=True)
    approved = models.BooleanField(null=True)
    effect = models.CharField(max_length=14, choices=Effect.choices, blank=True)
    # Ruleset changes the item adopts when it takes effect (LOC Art. 22.7, ADR 0067): the
    # parameter -> value mapping checked when the item was put on the agenda; empty otherwise.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="item_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Mandate(models.Model):
    """A member body's instruction to its delegate on one item, decided by its assembly."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="mandates")
    member = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="mandates_given")
    choice = models.CharField(_("mandate"), max_length=8, choices=MandateChoice.choices)
    assembly = _assembly()
    parliament = _parliament()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="one_mandate_per_item"),
            models.CheckConstraint(
                condition=models.Q(choice__in=list(MANDATE_CHOICES)), name="mandate_choice_valid"
            ),
            _decided_in("mandate_decided_in_one_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


class DelegateVote(models.Model):
    """A delegate's vote in the parliament: public, compared with the mandate."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="votes")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=8, choices=VoteChoice.choices)
    mandate = models.CharField(max_length=8, blank=True)
    conformance = models.CharField(max_length=12)
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "seat__label"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seat"], name="one_vote_per_seat"),
            models.CheckConstraint(
                condition=models.Q(choice__in=list(VOTE_CHOICES)), name="delegate_vote_choice_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate}: {self.choice}"

    def get_mandate_display(self) -> str:
        """The mandate in words ("vote yes"), or "" where the member body gave none."""
        labels = dict(MandateChoice.choices)
        return str(labels.get(self.mandate, self.mandate))


class Deviation(models.Model):
    """A vote against the mandate, on the delegate's page and in the member body's record."""

    vote = models.OneToOneField(DelegateVote, on_delete=models.PROTECT, related_name="deviation")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="deviations")
    member = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="deviations")
    recorded_at = models.DateTimeField()
    recall_requested_at = models.DateTimeField(null=True, blank=True)
    recall = models.OneToOneField(
        "offices.Recall", null=True, blank=True, on_delete=models.PROTECT, related_name="deviation"
    )

    def __str__(self) -> str:
        return f"{self.delegate}: {self.vote.choice} / {self.vote.mandate}"


class Request(models.Model):
    """A member body's request: an extraordinary session (70 %) or an agenda item (60 %)."""

    class Kind(models.TextChoices):
        EXTRAORDINARY = "extraordinary", _("extraordinary session")
        AGENDA_ITEM = "agenda_item", _("agenda item")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="requests")
    member = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="requests_made")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    assembly = _assembly()
    parliament = _parliament()
    requested_at = models.DateTimeField()
    met_by = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="requests_met"
    )

    class Meta:
        ordering = ["subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "member", "kind", "subject"], name="one_request_per_member"
            ),
            _decided_in("request_decided_in_one_meeting"),
        ]

    def __str__(self) -> str:
        return self.subject


class Ratification(models.Model):
    """A member body's assembly ratifying (or refusing) an upper level's decision."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="ratifications")
    member = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="ratifications")
    ratified = models.BooleanField()
    assembly = _assembly()
    parliament = _parliament()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="one_ratification_per_member"),
            _decided_in("ratification_decided_in_one_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.ratified}"


class Speaker(models.Model):
    """Someone given the floor in a session. In an open parliament any member of any member
    body may speak; otherwise only the delegates. Speaking binds nothing: not in the record."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="speakers")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    is_delegate = models.BooleanField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="speaker_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.resident}"
