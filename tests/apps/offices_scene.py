"""Builders for the offices tests, through the real services.

Carmen sits on the electoral commission (role ``electoral_commission``); the council is the
usual one of ``tests.builders`` (Marta the spokesperson, Luis the promoter).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Motion
from comuna.bodies import services as bodies
from comuna.bodies.models import Body, Role
from comuna.offices import election_services as elections
from comuna.offices import services
from comuna.offices.models import Election, Post
from comuna.people.models import Resident
from tests import builders


def carmen(body: Body) -> User:
    user = builders.make_user("carmen")
    bodies.grant_role(
        body, user, Role.Kind.ELECTORAL_COMMISSION, granted_by=builders.make_user("luis")
    )
    return user


def council(residents: int = 20) -> tuple[Body, User]:
    body = builders.make_council(residents=residents)
    user = carmen(body)
    services.establish_posts(body, by=user)
    return body, user


def audit_post(body: Body) -> Post:
    return Post.objects.get(body=body, unit=Post.Unit.AUDIT)


def members(body: Body) -> list[Resident]:
    return list(Resident.objects.of_body(body).order_by("pk"))


def paper_election(
    body: Body,
    user: User,
    votes: list[int],
    *,
    post: Post | None = None,
    held_on: dt.date | None = None,
) -> Election:
    """A paper uninominal election: one candidate per count in ``votes``, counted."""
    post = post or audit_post(body)
    held_on = held_on or timezone.localdate()
    election = elections.call_election(post, by=user, ballots="paper", held_on=held_on)
    for resident in members(body)[: len(votes)]:
        elections.register_candidacy(election, resident, by=user)
    elections.open_election(election, by=user)
    counts = {i + 1: n for i, n in enumerate(votes)}
    return elections.count_election(election, by=user, counts=counts)


def amend(body: Body, **changes: object) -> None:
    """Amend the ruleset by an assembly decision (open vote, everyone in favour)."""
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly)
    motion = builders.motion(
        assembly, kind=Motion.Kind.AMEND_RULESET, payload={"changes": changes}, title="Reglamento"
    )
    present = assembly.attendance.count()
    from comuna.core.tally import VoteCounts

    assemblies.close_vote(
        motion, by=builders.make_user("marta"), counts=VoteCounts(yes=present, no=0)
    )
    assemblies.close_assembly(assembly, by=builders.make_user("marta"))


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)
