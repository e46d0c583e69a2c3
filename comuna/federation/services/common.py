"""Helpers shared by the federation services (reads only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset
from comuna.core import rulesets

# Each level federates the level below it (LOC Art. 60; LOPP Art. 15). A corridor joins
# communes like a communal city does.
LEVELS = ("council", "commune", "communal_city", "federation", "confederation")
MEMBER_KINDS: dict[str, tuple[str, ...]] = {
    "commune": ("council",),
    "communal_city": ("commune",),
    "corridor": ("commune",),
    "federation": ("communal_city", "corridor", "commune"),
    "confederation": ("federation",),
}


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def params_of(body: Body) -> dict[str, Any]:
    """The body's ruleset, with parameters added to its profile after it was adopted."""
    version = current_ruleset(body)
    return {**rulesets.profile(version.profile), **version.params}


def lock(body: Body) -> Body:
    """Lock the body row: membership changes and session openings queue behind each other."""
    return Body.objects.select_for_update().get(pk=body.pk)


def members_of(body: Body) -> list[Body]:
    return list(Body.objects.filter(parent=body).order_by("name"))


def councils_under(body: Body) -> list[Body]:
    """Every council at or below ``body`` (one query per level)."""
    found, frontier = [], [body]
    while frontier:
        councils = [b for b in frontier if b.kind == Body.Kind.COUNCIL]
        found.extend(councils)
        frontier = list(Body.objects.filter(parent__in=[b for b in frontier if b not in councils]))
    return found


def is_within(council_pk: int, body: Body) -> bool:
    return council_pk in {c.pk for c in councils_under(body)}
