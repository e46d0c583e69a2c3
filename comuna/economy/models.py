"""The double-entry treasury of a body: accounts, entries and their lines.

Rows are never changed (database triggers); a mistake is undone by a reversing entry. A line's
amount is signed: positive is a debit, negative a credit; each entry's lines sum to zero,
checked by the service and, on PostgreSQL, by a deferred constraint trigger (ADR 0100).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body

MONEY = {"max_digits": 16, "decimal_places": 2}


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("asset")
        LIABILITY = "liability", _("liability")
        EQUITY = "equity", _("equity and funds")
        INCOME = "income", _("income")
        EXPENSE = "expense", _("expense")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("account"), max_length=200)
    """English for the default chart (shown translated), the body's own words otherwise."""
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    purpose = models.CharField(max_length=20, blank=True)
    """What the treasury uses the account for: ``cash``, ``bank``, ``pb_fund``, ``allocation``..."""
    project = models.ForeignKey(
        "budgets.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )

    class Meta:
        ordering = ["body", "code"]
        constraints = [
            models.UniqueConstraint(fields=["body", "code"], name="account_code_unique"),
            models.UniqueConstraint(
                fields=["project", "purpose"],
                condition=Q(project__isnull=False),
                name="account_one_per_project_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        if self.project_id is not None:
            return f"{gettext(self.name)}: {self.project}"
        return gettext(self.name)


class Entry(models.Model):
    """One journal entry of a body, numbered 1, 2, 3... with no gaps."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField()
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    evidence = models.CharField(_("evidence (invoice, receipt, bank slip)"), max_length=200)
    decision = models.ForeignKey(
        "assemblies.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["body", "number"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="entry_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id} #{self.number}"


class Line(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["entry", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="line_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"

    @property
    def debit(self):  # -> Decimal | None
        return self.amount if self.amount > 0 else None

    @property
    def credit(self):  # -> Decimal | None
        return -self.amount if self.amount < 0 else None
