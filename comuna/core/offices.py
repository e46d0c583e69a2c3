"""Offices that stay under the assembly: who may stand, who is elected, when a recall opens.

Pure rules over plain values (institutions.md §1.3-1.5, §8): eligibility of a candidate
(LOCC Art. 15, 42; re-election limits and cool-downs from the ruleset), the count of an
election of a unit's spokespeople with their alternates (LOCC Arts. 11, 16.5: uninominal;
or Scottish STV when the body's ruleset chooses it), the dates of a term and of its recall
(LOCC Art. 12, 41; LOPP Art. 16) and the signatures a recall petition needs (LOCC Art. 40).
Ties are never broken silently: they raise ``TieError`` unless a lot drawn in the assembly is
given, and the result records how each tie was settled.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from comuna.core import tally
from comuna.core.blt import Election
from comuna.core.errors import InputError
from comuna.core.stv import Lot, StvResult, count_stv

# Units of a communal council whose spokespeople must be adults and unrelated (LOCC Art. 15).
FINANCE_AND_AUDIT = frozenset({"finance", "audit"})


@dataclass(frozen=True, slots=True)
class Standing:
    """What is known about a would-be candidate for a post, on the day of the election."""

    unit: str
    age: int
    residence_years: int
    new_community: bool = False
    recall_barred_until: dt.date | None = None
    consecutive_terms: int = 0
    """Terms held in this post back to back up to the election (``consecutive_terms()``)."""
    last_term_ended: dt.date | None = None
    shares_household_with: tuple[str, ...] = ()
    """Sitting finance/audit spokespeople who live in the candidate's household."""
    on_electoral_commission: bool = False
    on_finance_or_audit_unit: bool = False
    standing_for_other_unit: bool = False
    holds_other_unit: bool = False
    """Holds, on the day, a term in another of the council's units (LOCC Art. 11)."""


@dataclass(frozen=True, slots=True)
class Ineligibility:
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def eligibility(
    standing: Standing, params: Mapping[str, Any], on: dt.date
) -> tuple[Ineligibility, ...]:
    """Every reason why the person may not stand (empty: eligible)."""
    problems: list[Ineligibility] = []
    adult_unit = standing.unit in FINANCE_AND_AUDIT
    min_age = int(params["finance_audit_min_age" if adult_unit else "spokesperson_min_age"])
    if standing.age < min_age:
        problems.append(Ineligibility("offices.too_young", (("age", min_age),)))
    years = int(params["spokesperson_residence_years"])
    if standing.residence_years < years and not standing.new_community:
        problems.append(Ineligibility("offices.residence_too_short", (("years", years),)))
    if standing.recall_barred_until is not None and on < standing.recall_barred_until:
        until = standing.recall_barred_until.isoformat()
        problems.append(Ineligibility("offices.recall_barred", (("until", until),)))
    limit = int(params["reelection_limit"])
    if limit and standing.consecutive_terms >= limit:
        cool_down = int(params["cool_down_years"])
        if cool_down and standing.last_term_ended is not None:
            until = _add_years(standing.last_term_ended, cool_down).isoformat()
            problems.append(
                Ineligibility("offices.cool_down", (("limit", limit), ("until", until)))
            )
        else:
            problems.append(Ineligibility("offices.reelection_limit", (("limit", limit),)))
    if adult_unit and params["kinship_exclusion"] == "household" and standing.shares_household_with:
        names = ", ".join(standing.shares_household_with)
        problems.append(Ineligibility("offices.kinship", (("names", names),)))
    if standing.unit != "electoral" and standing.on_electoral_commission:
        problems.append(Ineligibility("offices.commission_member"))
    if standing.unit == "electoral" and standing.on_finance_or_audit_unit:
        problems.append(Ineligibility("offices.unit_member"))
    if standing.standing_for_other_unit:
        problems.append(Ineligibility("offices.other_unit"))
    if standing.holds_other_unit:
        problems.append(Ineligibility("offices.holds_other_unit"))
    return tuple(problems)


# --- Dates of a term and of its recall ------------------------------------------------------


# A new term that starts within this many days of the last one's end follows it directly.
CONTINUOUS_DAYS = 31


def consecutive_terms(
    terms: Sequence[tuple[dt.date, dt.date]], on: dt.date, cool_down_years: int
) -> int:
    """How many of ``terms`` (start, end) in a post form an unbroken run up to ``on``.

    Terms follow each other when the gap between them is shorter than the cool-down (or a
    month without one); a rest of the full cool-down breaks the run, so the count restarts.
    """

    def rested(end: dt.date, start: dt.date) -> bool:
        if cool_down_years:
            return start >= _add_years(end, cool_down_years)
        return (start - end).days > CONTINUOUS_DAYS

    run, previous_end = 0, None
    for start, end in sorted(terms):
        run = 1 if previous_end is None or rested(previous_end, start) else run + 1
        previous_end = end
    if previous_end is None or rested(previous_end, on):
        return 0
    return run


def term_end(starts_on: dt.date, years: int) -> dt.date:
    return _add_years(starts_on, years)


def recall_opens_on(starts_on: dt.date, ends_on: dt.date, elapsed: Fraction) -> dt.date:
    """First day a recall petition may be filed: once ``elapsed`` of the term has passed."""
    days = (ends_on - starts_on).days
    return starts_on + dt.timedelta(days=-(-days * elapsed.numerator // elapsed.denominator))


def signatures_needed(electorate: int, threshold: Fraction) -> int:
    """At least ``threshold`` of the electorate, rounded up, and never fewer than one."""
    return max(1, -(-electorate * threshold.numerator // threshold.denominator))


# --- Counting an election -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfficeResult:
    """Who takes the seats and who are their alternates, with the count's audit trail."""

    method: str
    seats: int
    principals: tuple[str, ...]
    alternates: tuple[str, ...]
    """``alternates[i]`` replaces ``principals[i]``; fewer when candidates run out."""
    votes: tuple[tuple[str, int], ...] = ()
    ties: tuple[str, ...] = ()
    stv: StvResult | None = None


def count_uninominal(
    votes: Mapping[str, int],
    candidates: Sequence[str],
    seats: int,
    tie_break: Sequence[str] | None = None,
) -> OfficeResult:
    """Each voter marks one candidate (LOCC Art. 11); the ``seats`` most voted are elected and
    the next ``seats`` are their alternates, the most voted runner-up with the most voted
    principal. A tie at either boundary needs ``tie_break`` (an order drawn by lot)."""
    if any(n < 0 for n in votes.values()):
        raise InputError("tally.negative_count", "Vote counts cannot be negative.")
    ballots = list(
        itertools.chain.from_iterable(itertools.repeat(c, votes.get(c, 0)) for c in candidates)
    )
    first = tally.plurality(ballots, candidates, seats=seats, tie_break=tie_break)
    rest = [c for c in candidates if c not in first.winners]
    ties = first.ties
    alternates: tuple[str, ...] = ()
    if rest:
        second = tally.plurality(
            [b for b in ballots if b in rest],
            rest,
            seats=min(seats, len(rest)),
            tie_break=tie_break,
        )
        alternates, ties = _by_votes(second.winners, votes), ties + second.ties
    return OfficeResult(
        method="uninominal",
        seats=seats,
        principals=_by_votes(first.winners, votes),
        alternates=alternates,
        votes=tuple((c, votes.get(c, 0)) for c in candidates),
        ties=ties,
    )


def _by_votes(chosen: Sequence[str], votes: Mapping[str, int]) -> tuple[str, ...]:
    # Stable: among equal votes the order the tie-break (or the ballot) gave is kept.
    return tuple(sorted(chosen, key=lambda c: -votes.get(c, 0)))


def count_ranked(election: Election, lot_order: Sequence[int] | None = None) -> OfficeResult:
    """Scottish STV for the seats; the alternates are the candidates not elected, those who
    stayed in the count longest first (still continuing at the end, by their final votes; then
    the last excluded) — ADR 0051."""
    lot = Lot(order=tuple(lot_order)) if lot_order is not None else None
    result = count_stv(election, lot=lot)
    last = result.stages[-1].totals
    excluded_at = {s.candidate: s.number for s in result.stages if s.action == "exclusion"}
    others = [
        i
        for i in range(len(election.candidates))
        if i not in result.elected and i not in election.withdrawn
    ]
    others.sort(key=lambda i: (excluded_at.get(i, len(result.stages) + 1), last[i]), reverse=True)
    names = election.candidates
    return OfficeResult(
        method="stv",
        seats=election.seats,
        principals=result.elected_names,
        alternates=tuple(names[i] for i in others[: election.seats]),
        ties=tuple(
            f"stage {t.stage}: {', '.join(names[i] for i in t.tied)} tied; {t.decided_by} chose "
            f"{names[t.chosen]}"
            for t in result.ties
        ),
        stv=result,
    )
