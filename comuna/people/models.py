"""The census of a council: households and residents. The electorate is derived from it."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from comuna.bodies.models import Body


def age_on(birth_date: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Household(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="households")
    code = models.CharField(_("household code"), max_length=30)
    address = models.CharField(_("address"), max_length=300)
    sector = models.CharField(_("sector"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["body", "code"], name="household_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.address}"


class ResidentQuerySet(models.QuerySet["Resident"]):
    def current(self) -> ResidentQuerySet:
        return self.filter(left_on__isnull=True)

    def of_body(self, body: Body) -> ResidentQuerySet:
        return self.filter(body=body)

    def electorate(self, body: Body, min_age: int, day: dt.date) -> ResidentQuerySet:
        """Members with a vote on ``day``: living in the territory and older than ``min_age``.

        "Mayores de quince años" (LOCC Art. 21): having turned ``min_age``.
        """
        return self.of_body(body).current().filter(birth_date__lte=years_before(day, min_age))


class Resident(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        OTHER = "X", _("other")

    # The body is the household's; kept on the row so that the electorate is one indexed filter
    # and an identity document is unique within a census (a database constraint).
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="residents")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="residents")
    first_names = models.CharField(_("first names"), max_length=120)
    last_names = models.CharField(_("last names"), max_length=120)
    id_number = models.CharField(_("identity document"), max_length=30, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    resident_since = models.DateField(_("resident since"))
    left_on = models.DateField(_("left the territory on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["last_names", "first_names"]
        indexes = [models.Index(fields=["body", "last_names", "first_names"])]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "id_number"],
                condition=~models.Q(id_number=""),
                name="resident_id_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_names}"

    def age(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)
