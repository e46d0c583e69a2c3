"""Rotation of offices other than by election: a seeded lot among volunteers (Athens), the
roster of households passing the office in turn (Aymara *turno*), short rotating shifts
(Zapatista boards). Each is one transaction appended to the public record."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from comuna.bodies import services as body_services
from comuna.core import offices as rules
from comuna.core import rotation
from comuna.core.errors import RuleError
from comuna.offices.models import Post, Term
from comuna.offices.services import check_eligible, close_expired, params_of, term_years
from comuna.people.models import Resident

# --- Rotation other than by election ----------------------------------------------------------


def _open_seat(post: Post, on: dt.date, now: dt.datetime | None) -> int:
    close_expired(post, on, now)
    taken = set(
        Term.objects.filter(post=post, ended_on__isnull=True).values_list("seat", flat=True)
    )
    free = [s for s in range(1, post.seats + 1) if s not in taken]
    if not free:
        raise RuleError("offices.seats_taken", "The post's seats are still held.")
    return free[0]


@transaction.atomic
def draw_by_lot(
    post: Post,
    volunteers: list[Resident],
    *,
    seed: str,
    by: User,
    on: dt.date,
    now: dt.datetime | None = None,
) -> list[Term]:
    """Fill the post's free seats by a seeded draw among eligible volunteers (ADR 0052)."""
    _version, params = params_of(post.body)
    for resident in volunteers:
        check_eligible(resident, post, on, params)
    free = (
        post.seats - Term.objects.filter(post=post, ended_on__isnull=True, ends_on__gte=on).count()
    )
    draw = rotation.draw_by_lot([str(r.pk) for r in volunteers], max(free, 1), seed.strip())
    chosen = {str(r.pk): r for r in volunteers}
    ends = rules.term_end(on, term_years(post, params))
    terms = []
    for key in draw.chosen:
        terms.append(
            Term.objects.create(
                post=post,
                seat=_open_seat(post, on, now),
                holder=chosen[key],
                source=Term.Source.LOT,
                starts_on=on,
                ends_on=ends,
            )
        )
    body_services.post_entry(
        post.body,
        "lot.drawn",
        {
            "post": post.pk,
            "algorithm": draw.algorithm,
            "seed": draw.seed,
            "pool": list(draw.pool),
            "ranking": list(draw.ranking),
            "chosen": list(draw.chosen),
            "by": by.username,
        },
        now,
    )
    return terms


@transaction.atomic
def take_roster_turn(
    post: Post, resident: Resident, *, by: User, on: dt.date, now: dt.datetime | None = None
) -> Term:
    """The next household in the roster (households by code) passes the office (turno)."""
    _version, params = params_of(post.body)
    roster = list(post.body.households.order_by("code").values_list("pk", flat=True))
    served = list(
        Term.objects.filter(post=post, household__isnull=False)
        .order_by("starts_on", "pk")
        .values_list("household_id", flat=True)
    )
    due = rotation.next_in_roster([str(h) for h in roster], [str(h) for h in served])
    if str(resident.household_id) != due:
        raise RuleError(
            "roster.not_their_turn",
            "It is not the turn of {name}'s household.",
            name=resident.full_name,
        )
    check_eligible(resident, post, on, params)
    term = Term.objects.create(
        post=post,
        seat=_open_seat(post, on, now),
        holder=resident,
        household_id=resident.household_id,
        source=Term.Source.ROSTER,
        starts_on=on,
        ends_on=rules.term_end(on, 1),
    )
    body_services.post_entry(
        post.body,
        "roster.turn",
        {
            "post": post.pk,
            "household": resident.household_id,
            "holder": resident.pk,
            "term": term.pk,
            "by": by.username,
        },
        now,
    )
    return term


@transaction.atomic
def plan_shifts(
    post: Post,
    members: list[Resident],
    *,
    start: dt.date,
    by: User,
    rounds: int = 1,
    now: dt.datetime | None = None,
) -> list[Term]:
    """Members serve the post in short shifts, one after the other (Zapatista boards)."""
    _version, params = params_of(post.body)
    for resident in members:
        check_eligible(resident, post, start, params)
    plan = rotation.shift_plan(
        [str(r.pk) for r in members], start, int(params["rotation_shift_days"]), rounds
    )
    busy = Q(ended_on__isnull=True, ends_on__gte=start) | Q(ended_on__gte=start)
    if Term.objects.filter(post=post).filter(busy).exists():
        raise RuleError("offices.seats_taken", "The post's seats are still held.")
    by_key = {str(r.pk): r for r in members}
    # Each shift's last day is fixed in advance, so it is stored as its end (``ended_on``).
    made = Term.objects.bulk_create(
        Term(
            post=post,
            seat=1,
            holder=by_key[s.member],
            source=Term.Source.SHIFT,
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            ended_on=s.ends_on,
        )
        for s in plan
    )
    body_services.post_entry(
        post.body,
        "shifts.planned",
        {
            "post": post.pk,
            "days": int(params["rotation_shift_days"]),
            "shifts": [[s.member, s.starts_on.isoformat(), s.ends_on.isoformat()] for s in plan],
            "by": by.username,
        },
        now,
    )
    return made
