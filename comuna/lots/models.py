"""Lotteries (sortition): a pool of volunteers or members, quotas, probabilities, a public draw.

Stages: a lottery is prepared (pool and quotas change freely), *announced* (pool and quotas
frozen as CSV text, their digest published in the record), *computed* (the fairest
probabilities and the portfolio stored), *drawn* (the panel, from numbers announced in the
assembly, published in the record).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body
from comuna.people.models import Resident


class Lottery(models.Model):
    class Purpose(models.TextChoices):
        COMMISSION = "commission", _("commission")
        MEDIATORS = "mediators", _("mediators")
        OFFICE = "office", _("office")
        OTHER = "other", _("other")

    class Source(models.TextChoices):
        VOLUNTEERS = "volunteers", _("volunteers who signed up")
        CENSUS = "census", _("every member in the census")

    class Algorithm(models.TextChoices):
        LEXIMIN = "leximin", _("LEXIMIN (the fairest; recommended)")
        MAXIMIN = "maximin", _("maximin")
        NASH = "nash", _("Nash welfare")

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("preparing")
        ANNOUNCED = "announced", _("announced")
        COMPUTED = "computed", _("probabilities computed")
        DRAWN = "drawn", _("drawn")

    class Computation(models.TextChoices):
        IDLE = "idle", _("not started")
        RUNNING = "running", _("computing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="lotteries")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.COMMISSION
    )
    source = models.CharField(
        _("pool"), max_length=20, choices=Source.choices, default=Source.VOLUNTEERS
    )
    panel_size = models.PositiveSmallIntegerField(_("seats"))
    algorithm = models.CharField(
        _("method"), max_length=10, choices=Algorithm.choices, default=Algorithm.LEXIMIN
    )
    features = models.JSONField(_("features"), default=list)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.PREPARING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # Frozen at the announcement: exactly the files anyone downloads to re-run the lottery.
    pool_csv = models.TextField(blank=True)
    quotas_csv = models.TextField(blank=True)
    pool_digest = models.CharField(max_length=64, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    computation = models.CharField(
        max_length=10, choices=Computation.choices, default=Computation.IDLE
    )
    progress_stage = models.CharField(max_length=60, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    computation_started_at = models.DateTimeField(null=True, blank=True)
    computation_error = models.CharField(max_length=60, blank=True)
    # The command line's JSON (probabilities, stages, portfolio): what --replay reads.
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        constraints = [
            models.CheckConstraint(condition=models.Q(panel_size__gte=1), name="lottery_seats"),
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="lottery_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_preparing(self) -> bool:
        return self.stage == self.Stage.PREPARING


class Quota(models.Model):
    """How many seats a feature value (e.g. sex = F) must have at least and may have at most."""

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="quotas")
    feature = models.CharField(max_length=40)
    value = models.CharField(max_length=100)
    min = models.PositiveSmallIntegerField()
    max = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["feature", "value"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "feature", "value"], name="quota_unique"),
            models.CheckConstraint(
                condition=models.Q(min__lte=models.F("max")), name="quota_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}={self.value}: {self.min}..{self.max}"


class Volunteer(models.Model):
    """A member who signed up for the pool, recorded by a spokesperson or with their own code."""

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="volunteers")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    custom = models.JSONField(default=dict)
    """Values of the lottery's custom features, e.g. {"oficio": "docente"}."""
    signed_up_at = models.DateTimeField()
    # None: the member signed up themselves with their attendance voting code.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["signed_up_at"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "resident"], name="volunteer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} → {self.lottery}"


class Draw(models.Model):
    """The one draw of a lottery (a second draw is refused by the database)."""

    lottery = models.OneToOneField(Lottery, on_delete=models.PROTECT, related_name="draw")
    announced = models.CharField(_("announced numbers"), max_length=200)
    seed = models.CharField(max_length=64)
    ticket = models.CharField(max_length=80)
    """A whole number below the portfolio's denominator, which may exceed 64 bits."""
    shape = models.PositiveIntegerField()
    panel = models.JSONField()
    """Resident ids (as text, the pool's ids), sorted."""
    portfolio_digest = models.CharField(max_length=64)
    drawn_at = models.DateTimeField()
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.lottery}: {', '.join(self.panel)}"

    @property
    def resident_ids(self) -> list[int]:
        return [int(pk) for pk in self.panel]
