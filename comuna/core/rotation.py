"""Rotation of offices other than by election: lot, a roster of turns, short shifts.

- ``draw_by_lot``: Athens drew its councils from volunteers; here a seeded draw that anyone
  can recompute: each volunteer is ranked by SHA-256 of ``"{seed}:{key}"`` (hex, ascending)
  and the first ``seats`` are chosen. The seed is published before the draw (ADR 0052).
- ``next_in_roster``: the Aymara *turno* — households pass the office in a fixed order.
- ``shift_plan``: Zapatista boards — members serve short shifts of days or weeks in turn.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from comuna.core.errors import InputError

LOT_ALGORITHM = "sha256-rank/1"


@dataclass(frozen=True, slots=True)
class LotDraw:
    algorithm: str
    seed: str
    pool: tuple[str, ...]
    """Volunteer keys, sorted: the published input."""
    ranking: tuple[str, ...]
    chosen: tuple[str, ...]


def lot_digest(seed: str, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def draw_by_lot(volunteers: Sequence[str], seats: int, seed: str) -> LotDraw:
    pool = tuple(sorted(set(volunteers)))
    if len(pool) != len(volunteers):
        raise InputError("lot.duplicate_volunteer", "A volunteer is listed twice.")
    if not seed.strip():
        raise InputError("lot.no_seed", "A draw needs a published seed.")
    if not 1 <= seats <= len(pool):
        raise InputError(
            "lot.too_few_volunteers",
            "{count} volunteers cannot fill {seats} seats.",
            count=len(pool),
            seats=seats,
        )
    ranking = tuple(sorted(pool, key=lambda key: lot_digest(seed, key)))
    return LotDraw(LOT_ALGORITHM, seed, pool, ranking, ranking[:seats])


def next_in_roster(roster: Sequence[str], served: Sequence[str]) -> str:
    """The next household in ``roster`` after the last one in ``served`` (the turns already
    passed, oldest first); the roster starts again from the top when everyone has served."""
    if not roster:
        raise InputError("roster.empty", "The roster is empty.")
    last = next((key for key in reversed(served) if key in roster), None)
    if last is None:
        return roster[0]
    return roster[(list(roster).index(last) + 1) % len(roster)]


@dataclass(frozen=True, slots=True)
class Shift:
    member: str
    starts_on: dt.date
    ends_on: dt.date
    """Last day of the shift (inclusive)."""


def shift_plan(
    members: Sequence[str], start: dt.date, days: int, rounds: int = 1
) -> tuple[Shift, ...]:
    """Members serve ``days`` each in the order given, ``rounds`` times over."""
    if not members:
        raise InputError("shift.no_members", "A shift plan needs members.")
    if days < 1 or rounds < 1:
        raise InputError("shift.bad_length", "Shifts last at least one day.")
    shifts = []
    day = start
    for _ in range(rounds):
        for member in members:
            end = day + dt.timedelta(days=days - 1)
            shifts.append(Shift(member, day, end))
            day = end + dt.timedelta(days=1)
    return tuple(shifts)
