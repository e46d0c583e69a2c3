"""Bodies (councils, communes...), their rulesets, roles, committees and public record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comuna.core import rulesets


class Body(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", _("communal council")
        COMMUNE = "commune", _("commune")
        COMMUNAL_CITY = "communal_city", _("communal city")
        CORRIDOR = "corridor", _("corridor")
        FEDERATION = "federation", _("federation")
        CONFEDERATION = "confederation", _("confederation")
        COLLECTIVE = "collective", _("collective")

    class Setting(models.TextChoices):
        URBAN = "urban", _("urban")
        RURAL = "rural", _("rural")
        INDIGENOUS = "indigenous", _("indigenous")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    territory = models.TextField(_("territory and boundaries"))
    setting = models.CharField(
        _("setting"), max_length=12, choices=Setting.choices, default=Setting.URBAN
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    founded_on = models.DateField(_("founded on"))
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.name


class RulesetVersion(models.Model):
    """One version of the parameters a body lives by; the newest is in force."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="ruleset_versions")
    number = models.PositiveIntegerField()
    profile = models.CharField(max_length=40)
    params = models.JSONField()
    adopted_on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["body", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="ruleset_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} v{self.number}"

    def param(self, name: str) -> Any:
        return self.params[name]

    def fraction(self, name: str):  # -> Fraction
        return rulesets.fraction(self.params, name)


class Role(models.Model):
    """Who may act for a body through an account (residents need none to take part)."""

    class Kind(models.TextChoices):
        PROMOTER = "promoter", _("promoter")
        SPOKESPERSON = "spokesperson", _("spokesperson")
        ELECTORAL_COMMISSION = "electoral_commission", _("electoral commission")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=30, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "body", "kind"], name="role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} — {self.body}"


class Committee(models.Model):
    """A working committee (comité de trabajo), created by assembly decision (LOCC Art. 28)."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="committees")
    name = models.CharField(_("name"), max_length=200)
    created_by = models.OneToOneField(
        "assemblies.Decision", on_delete=models.PROTECT, related_name="committee"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="committee_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RecordEntry(models.Model):
    """One binding act in a body's hash-chained public record. Never updated or deleted."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="record")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=60)
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["body", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["body", "seq"], name="record_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.body.slug}#{self.seq} {self.kind}"
