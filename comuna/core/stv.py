"""Single transferable vote under the Scottish local government rules (SSI 2007/42, 2011/399).

Schedule 1, rules 45-52 of the 2007 Order (46-53 of the 2011 Order), as counted here:

- quota = floor(valid papers / (seats + 1)) + 1 (rule 46);
- a candidate whose votes equal or exceed the quota at the end of a stage is deemed elected
  (rule 47); the largest outstanding surplus is transferred first, one surplus per stage
  (rule 49(1));
- a surplus moves *every* paper the candidate holds (weighted inclusive Gregory): each paper
  gets surplus x its value when received / the candidate's total, truncated to 5 decimals
  (rule 48(3)-(4)); papers with no next available preference, and the remainders cut by the
  truncation, are non-transferable; the elected candidate keeps exactly the quota;
- with no surplus left, the continuing candidate with the fewest votes is excluded and all
  their papers move at the value they arrived with (rule 50), one candidate per stage;
- when the continuing candidates are as many as the vacancies, they are all elected and
  nothing more is transferred (rule 52);
- ties of surpluses (rule 49(2)-(3)) and of exclusion (rule 51) look at the most recent
  preceding stage at which the tied candidates had unequal votes, then at a lot that the caller
  supplies (``Lot``); without one the count refuses with ``TieError``.

Arithmetic is exact: every quantity in this count has at most five decimals, so it is held as
an integer number of 1/100000 votes (ADR 0010) and shown as a ``Decimal`` with five places.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from comuna.core.blt import Election
from comuna.core.errors import InputError, TieError

PLACES = 5
SCALE = 10**PLACES

TieHistory = Literal["latest", "earliest"]


def to_votes(units: int) -> Decimal:
    """An exact count of 1/100000 votes as a Decimal with five places."""
    return Decimal(units).scaleb(-PLACES)


@dataclass(frozen=True, slots=True)
class Lot:
    """The result of drawing lots, given before the count.

    ``order`` ranks candidate indices from most to least favoured: when a lot must choose whose
    surplus goes first, the most favoured wins; when it must choose whom to exclude, the least
    favoured goes. With a ``seed`` instead, the order is by SHA-256 of ``"{seed}:{index}:{name}"``
    (hex digest, ascending), which anyone can recompute.
    """

    order: tuple[int, ...] | None = None
    seed: str | None = None

    def ranking(self, candidates: Sequence[str]) -> tuple[int, ...]:
        if self.order is not None:
            if sorted(self.order) != list(range(len(candidates))):
                raise InputError(
                    "stv.bad_lot_order", "A lot order must list every candidate exactly once."
                )
            return self.order
        if self.seed is None:
            raise InputError("stv.empty_lot", "A lot needs an order or a seed.")
        seed = self.seed

        def digest(i: int) -> str:
            return hashlib.sha256(f"{seed}:{i}:{candidates[i]}".encode()).hexdigest()

        return tuple(sorted(range(len(candidates)), key=digest))


@dataclass(frozen=True, slots=True)
class TieRecord:
    stage: int
    """Decided at the end of this stage, for what the count does next."""
    purpose: Literal["surplus_order", "exclusion", "election_order"]
    tied: tuple[int, ...]
    chosen: int
    decided_by: str
    """``"stage N"`` (votes at that earlier stage), ``"lot"``, or ``"candidate order"``."""


@dataclass(frozen=True, slots=True)
class ValueTransfer:
    """Papers that moved at one stage with the same value before and after."""

    papers: int
    value_received: Decimal
    transfer_value: Decimal


@dataclass(frozen=True, slots=True)
class Stage:
    number: int
    action: Literal["first_preferences", "surplus", "exclusion"]
    candidate: int | None
    """Whose surplus was transferred, or who was excluded (None at the first stage)."""
    changes: tuple[Decimal, ...]
    """Votes gained (negative: given away) by each candidate at this stage."""
    totals: tuple[Decimal, ...]
    """Each candidate's votes at the end of this stage."""
    non_transferable: Decimal
    """Cumulative: papers with no next available preference, plus truncation remainders."""
    lost_to_truncation: Decimal
    """Cumulative part of ``non_transferable`` cut off by the 5-decimal truncation."""
    elected: tuple[int, ...] = ()
    """Deemed elected at the end of this stage, in order."""
    value_transfers: tuple[ValueTransfer, ...] = ()


@dataclass(frozen=True, slots=True)
class StvResult:
    candidates: tuple[str, ...]
    seats: int
    valid: int
    quota: int
    elected: tuple[int, ...]
    """Candidate indices in order of election."""
    stages: tuple[Stage, ...]
    ties: tuple[TieRecord, ...] = ()
    notes: tuple[str, ...] = ()
    withdrawn: frozenset[int] = frozenset()
    blank: int = 0
    """Papers with no preference for any candidate still standing (not valid votes)."""
    tie_history: TieHistory = "latest"
    method: str = "scottish-stv"

    @property
    def elected_names(self) -> tuple[str, ...]:
        return tuple(self.candidates[i] for i in self.elected)

    def stage_elected(self, candidate: int) -> int | None:
        """The stage at the end of which ``candidate`` was deemed elected."""
        return next((s.number for s in self.stages if candidate in s.elected), None)


@dataclass(slots=True)
class _Count:
    """Mutable working state of one count; never leaves this module."""

    election: Election
    quota: int
    rankings: list[tuple[int, ...]]
    lot: Lot | None
    tie_history: TieHistory
    totals: list[int]
    continuing: list[bool]
    piles: list[dict[tuple[int, int, int], int]]
    """Per candidate: (ranking id, position in ranking, value in units) -> number of papers."""
    history: list[tuple[int, ...]] = field(default_factory=list)
    elected: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    ties: list[TieRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    non_transferable: int = 0
    truncated: int = 0

    @property
    def vacancies(self) -> int:
        return self.election.seats - len(self.elected)


def _group(election: Election) -> tuple[list[tuple[int, ...]], list[int], int]:
    """Identical rankings merged (withdrawn candidates struck out); and the blank papers."""
    weights: dict[tuple[int, ...], int] = {}
    blank = 0
    withdrawn = election.withdrawn
    for ballot in election.ballots:
        ranking = ballot.ranking
        if withdrawn:
            ranking = tuple(c for c in ranking if c not in withdrawn)
        if ranking:
            weights[ranking] = weights.get(ranking, 0) + ballot.weight
        else:
            blank += ballot.weight
    # Sorted so that nothing in the count depends on the order of the papers in the file.
    rankings = sorted(weights)
    return rankings, [weights[r] for r in rankings], blank


def _break_tie(
    count: _Count,
    tied: list[int],
    purpose: Literal["surplus_order", "exclusion", "election_order"],
    highest: bool,
) -> int:
    """Rules 49(2)-(3) and 51(2): earlier stages, then the lot."""
    stages = range(len(count.history) - 2, -1, -1)
    if count.tie_history == "earliest":
        stages = range(0, len(count.history) - 1)
    candidates = list(tied)
    for index in stages:
        votes = count.history[index]
        best = max(votes[c] for c in candidates) if highest else min(votes[c] for c in candidates)
        narrowed = [c for c in candidates if votes[c] == best]
        if len(narrowed) < len(candidates):
            candidates = narrowed
            if len(candidates) == 1:
                return _record(count, tied, purpose, candidates[0], f"stage {index + 1}")
    if purpose == "election_order":
        return _record(count, tied, purpose, min(candidates), "candidate order")
    if count.lot is None:
        names = ", ".join(count.election.candidates[c] for c in candidates)
        raise TieError(
            "stv.tie",
            "A tie between {candidates} after stage {stage} needs a lot (an order or a seed).",
            candidates=names,
            stage=len(count.history),
            purpose=purpose,
        )
    ranking = count.lot.ranking(count.election.candidates)
    place = {c: i for i, c in enumerate(ranking)}
    pick = min if highest else max
    return _record(count, tied, purpose, pick(candidates, key=place.__getitem__), "lot")


def _record(
    count: _Count,
    tied: list[int],
    purpose: Literal["surplus_order", "exclusion", "election_order"],
    chosen: int,
    decided_by: str,
) -> int:
    # Ties are decided at the end of the latest stage, for what happens next.
    count.ties.append(
        TieRecord(len(count.history), purpose, tuple(sorted(tied)), chosen, decided_by)
    )
    return chosen


def _order(count: _Count, group: list[int], transfers_follow: bool) -> int:
    """The candidate of ``group`` with the most votes now, ties broken by the rules.

    A tie matters only when a surplus will be transferred: otherwise it merely orders the list
    of the elected, and the candidates' file order is used without a lot.
    """
    best = max(count.totals[c] for c in group)
    tied = [c for c in group if count.totals[c] == best]
    if len(tied) == 1:
        return tied[0]
    if transfers_follow and best > count.quota:
        return _break_tie(count, tied, "surplus_order", highest=True)
    return _break_tie(count, tied, "election_order", highest=True)


def _elect_reaching_quota(count: _Count) -> list[int]:
    """Deem elected everyone at or above the quota, largest first (rule 47)."""
    reached = [c for c, on in enumerate(count.continuing) if on and count.totals[c] >= count.quota]
    # A Droop quota fits at most `vacancies` times; when they all fill now, nothing transfers.
    transfers_follow = len(reached) < count.vacancies
    ordered: list[int] = []
    while reached:
        chosen = _order(count, reached, transfers_follow)
        reached.remove(chosen)
        ordered.append(chosen)
    for c in ordered:
        count.continuing[c] = False
        count.elected.append(c)
        if count.totals[c] > count.quota:
            count.pending.append(c)
    return ordered


def _move(
    count: _Count, source: int, new_value: dict[int, int]
) -> tuple[list[int], int, list[ValueTransfer]]:
    """Move every paper of ``source`` to its next available preference.

    ``new_value`` maps the value a paper arrived with to the value it carries on (units).
    Returns the units each candidate gains, the units that found no next preference, and the
    papers moved per value.
    """
    gains = [0] * len(count.totals)
    exhausted = 0
    papers: dict[int, int] = {}
    continuing = count.continuing
    rankings = count.rankings
    piles = count.piles
    for (rid, position, value), number in piles[source].items():
        ranking = rankings[rid]
        carried = new_value[value]
        papers[value] = papers.get(value, 0) + number
        nxt = position + 1
        while nxt < len(ranking) and not continuing[ranking[nxt]]:
            nxt += 1
        if nxt == len(ranking):
            exhausted += number * carried
            continue
        target = ranking[nxt]
        key = (rid, nxt, carried)
        pile = piles[target]
        pile[key] = pile.get(key, 0) + number
        gains[target] += number * carried
    piles[source] = {}
    moved = [ValueTransfer(papers[v], to_votes(v), to_votes(new_value[v])) for v in sorted(papers)]
    return gains, exhausted, moved


def _transfer_surplus(count: _Count, source: int) -> tuple[list[int], list[ValueTransfer]]:
    total = count.totals[source]
    surplus = total - count.quota
    values = {value for (_, _, value) in count.piles[source]}
    # Rule 48(3): surplus x value when received / total, to five decimals, remainder ignored.
    new_value = {v: surplus * v // total for v in values}
    gains, exhausted, moved = _move(count, source, new_value)
    transferred = sum(gains)
    count.truncated += surplus - transferred - exhausted
    count.non_transferable += surplus - transferred
    gains[source] = -surplus
    return gains, moved


def _transfer_exclusion(count: _Count, source: int) -> tuple[list[int], list[ValueTransfer]]:
    values = {value for (_, _, value) in count.piles[source]}
    gains, exhausted, moved = _move(count, source, {v: v for v in values})
    count.non_transferable += exhausted
    gains[source] = -count.totals[source]
    return gains, moved


def _exclude_one(count: _Count) -> int:
    standing = [c for c, on in enumerate(count.continuing) if on]
    lowest = min(count.totals[c] for c in standing)
    tied = [c for c in standing if count.totals[c] == lowest]
    if len(tied) == 1:
        return tied[0]
    return _break_tie(count, tied, "exclusion", highest=False)


def _close_stage(
    count: _Count,
    action: Literal["first_preferences", "surplus", "exclusion"],
    source: int | None,
    gains: list[int],
    moved: list[ValueTransfer],
) -> None:
    for c, gain in enumerate(gains):
        count.totals[c] += gain
    count.history.append(tuple(count.totals))
    elected = _elect_reaching_quota(count) if count.vacancies else []
    count.stages.append(
        Stage(
            number=len(count.history),
            action=action,
            candidate=source,
            changes=tuple(to_votes(g) for g in gains),
            totals=tuple(to_votes(t) for t in count.totals),
            non_transferable=to_votes(count.non_transferable),
            lost_to_truncation=to_votes(count.truncated),
            elected=tuple(elected),
            value_transfers=tuple(moved),
        )
    )


def _fill_last_vacancies(count: _Count) -> bool:
    """Rule 52: as many continuing candidates as vacancies are all elected, no more transfers."""
    standing = [c for c, on in enumerate(count.continuing) if on]
    if len(standing) > count.vacancies:
        return False
    if len(standing) < count.vacancies:
        count.notes.append(
            f"Only {len(standing)} candidate(s) left for {count.vacancies} vacancies: "
            "the remaining seats stay empty."
        )
    ordered: list[int] = []
    while standing:
        chosen = _order(count, standing, transfers_follow=False)
        standing.remove(chosen)
        ordered.append(chosen)
    for c in ordered:
        count.continuing[c] = False
        count.elected.append(c)
    last = count.stages[-1]
    count.stages[-1] = Stage(
        number=last.number,
        action=last.action,
        candidate=last.candidate,
        changes=last.changes,
        totals=last.totals,
        non_transferable=last.non_transferable,
        lost_to_truncation=last.lost_to_truncation,
        elected=last.elected + tuple(ordered),
        value_transfers=last.value_transfers,
    )
    if ordered:
        count.notes.append(
            "Elected without reaching the quota, as the last continuing candidates (rule 52): "
            + ", ".join(count.election.candidates[c] for c in ordered)
            + "."
        )
    return True


def _start(
    election: Election, lot: Lot | None, tie_history: TieHistory
) -> tuple[_Count, list[int], int, int]:
    """The count before its first stage, the first preferences, valid and blank papers."""
    if election.seats < 1:
        raise InputError("stv.no_seats", "An election needs at least one seat.")
    rankings, weights, blank = _group(election)
    valid = sum(weights)
    n = len(election.candidates)
    count = _Count(
        election=election,
        quota=(valid // (election.seats + 1) + 1) * SCALE,
        rankings=rankings,
        lot=lot,
        tie_history=tie_history,
        totals=[0] * n,
        continuing=[i not in election.withdrawn for i in range(n)],
        piles=[{} for _ in range(n)],
    )
    gains = [0] * n
    for rid, (ranking, weight) in enumerate(zip(rankings, weights, strict=True)):
        first = ranking[0]
        count.piles[first][(rid, 0, SCALE)] = weight
        gains[first] += weight * SCALE
    return count, gains, valid, blank


def count_stv(
    election: Election, lot: Lot | None = None, tie_history: TieHistory = "latest"
) -> StvResult:
    """Count ``election`` under the Scottish STV rules.

    ``lot`` settles ties that the earlier stages do not; without it such a tie raises
    ``TieError``. ``tie_history="earliest"`` looks at the first stage at which tied candidates
    differed instead of the most recent one the statute names (an option some rule books use).
    """
    count, gains, valid, blank = _start(election, lot, tie_history)
    _close_stage(count, "first_preferences", None, gains, [])
    while count.vacancies and not _fill_last_vacancies(count):
        if count.pending:
            source = _order(count, count.pending, transfers_follow=True)
            count.pending.remove(source)
            gains, moved = _transfer_surplus(count, source)
            _close_stage(count, "surplus", source, gains, moved)
        else:
            source = _exclude_one(count)
            count.continuing[source] = False
            gains, moved = _transfer_exclusion(count, source)
            _close_stage(count, "exclusion", source, gains, moved)
    return StvResult(
        candidates=election.candidates,
        seats=election.seats,
        valid=valid,
        quota=count.quota // SCALE,
        elected=tuple(count.elected),
        stages=tuple(count.stages),
        ties=tuple(count.ties),
        notes=tuple(count.notes),
        withdrawn=election.withdrawn,
        blank=blank,
        tie_history=tie_history,
    )
