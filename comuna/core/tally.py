"""Tallies of single assembly votes and the decision rules applied to them.

A motion is decided on yes / no / abstain counts. Which majority wins is a named rule of the
body's ruleset (``DECISION_RULES``); the result carries the numbers the rule used, so the acta
and the verifier can show and re-check why a motion passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from comuna.core.errors import InputError, TieError


@dataclass(frozen=True, slots=True)
class VoteCounts:
    yes: int
    no: int
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True, slots=True)
class Decision:
    rule: str
    counts: VoteCounts
    base: int
    """The number the majority is taken of (attendees, votes cast, members)."""
    needed: int
    """Yes votes needed to approve."""
    approved: bool
    notes: tuple[str, ...] = ()


def _more_than(fraction: Fraction, base: int) -> int:
    """Smallest whole number strictly greater than ``fraction * base``."""
    # Integer arithmetic on numerator and denominator: exact, and no Fraction per call.
    return fraction.numerator * base // fraction.denominator + 1


def _at_least(fraction: Fraction, base: int) -> int:
    return -(-fraction.numerator * base // fraction.denominator)


HALF, TWO_THIRDS = Fraction(1, 2), Fraction(2, 3)


@dataclass(frozen=True, slots=True)
class DecisionRule:
    key: str
    base: str  # "attendees" | "cast" | "yes_no" | "members"
    share: Fraction
    strict: bool
    """Yes must be more than ``share`` of the base (True) or at least that share (False)."""

    def needed(self, base: int) -> int:
        """Yes votes needed to approve out of ``base``."""
        return _more_than(self.share, base) if self.strict else _at_least(self.share, base)


DECISION_RULES: dict[str, DecisionRule] = {
    # LOCC Art. 22: simple majority of those attending.
    "majority_of_attendees": DecisionRule("majority_of_attendees", "attendees", HALF, True),
    # More yes than no; abstentions do not count either way.
    "majority_of_votes": DecisionRule("majority_of_votes", "yes_no", HALF, True),
    # LOC Art. 26: majority of all members of the parliament, present or not.
    "majority_of_members": DecisionRule("majority_of_members", "members", HALF, True),
    # Qualified majority, e.g. LOC Art. 20 (charter amendments).
    "two_thirds_of_attendees": DecisionRule(
        "two_thirds_of_attendees", "attendees", TWO_THIRDS, False
    ),
}


def decide(counts: VoteCounts, rule: str, *, attendees: int, members: int) -> Decision:
    """Apply the named decision ``rule`` to ``counts``."""
    if rule not in DECISION_RULES:
        raise InputError("tally.unknown_rule", "Unknown decision rule {rule}.", rule=rule)
    if min(counts.yes, counts.no, counts.abstain) < 0:
        raise InputError("tally.negative_count", "Vote counts cannot be negative.")
    if counts.cast > attendees:
        raise InputError(
            "tally.more_votes_than_attendees",
            "{cast} votes were counted but only {attendees} members attend.",
            cast=counts.cast,
            attendees=attendees,
        )
    definition = DECISION_RULES[rule]
    base = {
        "attendees": attendees,
        "cast": counts.cast,
        "yes_no": counts.yes + counts.no,
        "members": members,
    }[definition.base]
    needed = definition.needed(base)
    notes: list[str] = []
    if counts.cast < attendees:
        notes.append(f"{attendees - counts.cast} attendees did not vote")
    return Decision(
        rule=rule,
        counts=counts,
        base=base,
        needed=needed,
        approved=base > 0 and counts.yes >= needed,
        notes=tuple(notes),
    )


# --- Choosing among candidates or options in one assembly vote --------------------------


@dataclass(frozen=True, slots=True)
class CandidateTally:
    """Votes per candidate (in the order given) and who won, with any tie and how it broke."""

    method: str
    seats: int
    ballots: int
    votes: tuple[tuple[str, int], ...]
    winners: tuple[str, ...]
    ties: tuple[str, ...] = ()


def plurality(
    ballots: Iterable[str],
    candidates: Sequence[str],
    *,
    seats: int = 1,
    tie_break: Sequence[str] | None = None,
) -> CandidateTally:
    """One mark per ballot; the ``seats`` candidates with most marks win.

    A tie at the last seat refuses with ``TieError`` unless ``tie_break`` (an order of the
    candidates fixed in advance, e.g. drawn by lot) settles it; the tie is recorded.
    """
    marks = ((choice,) for choice in ballots)
    return _elect("plurality", marks, candidates, seats, tie_break)


def approval(
    ballots: Iterable[Iterable[str]],
    candidates: Sequence[str],
    *,
    seats: int = 1,
    tie_break: Sequence[str] | None = None,
) -> CandidateTally:
    """Each ballot approves any number of candidates; the most approved win (ties as in
    ``plurality``). An empty ballot counts as cast and approves nobody."""
    return _elect("approval", ballots, candidates, seats, tie_break)


def _elect(
    method: str,
    ballots: Iterable[Iterable[str]],
    candidates: Sequence[str],
    seats: int,
    tie_break: Sequence[str] | None,
) -> CandidateTally:
    if len(set(candidates)) != len(candidates):
        raise InputError("tally.duplicate_candidate", "A candidate is listed twice.")
    if not 1 <= seats <= len(candidates):
        raise InputError(
            "tally.bad_seats",
            "Cannot fill {seats} seats from {count} candidates.",
            seats=seats,
            count=len(candidates),
        )
    votes = dict.fromkeys(candidates, 0)
    cast = 0
    for ballot in ballots:
        marks = list(ballot)
        if len(set(marks)) != len(marks):
            raise InputError(
                "tally.duplicate_mark", "Ballot {number} marks a candidate twice.", number=cast + 1
            )
        for mark in marks:
            if mark not in votes:
                raise InputError(
                    "tally.unknown_candidate",
                    "Ballot {number} names {candidate}, who is not standing.",
                    number=cast + 1,
                    candidate=mark,
                )
            votes[mark] += 1
        cast += 1
    winners, ties = _top(votes, seats, tie_break)
    return CandidateTally(method, seats, cast, tuple(votes.items()), winners, ties)


def _top(
    votes: dict[str, int], seats: int, tie_break: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ranked = sorted(votes, key=lambda c: -votes[c])
    cutoff = votes[ranked[seats - 1]]
    sure = tuple(c for c in ranked if votes[c] > cutoff)
    tied = [c for c in ranked if votes[c] == cutoff]
    open_seats = seats - len(sure)
    if len(tied) == open_seats:
        return sure + tuple(tied), ()
    if tie_break is None or not set(tied) <= set(tie_break):
        raise TieError(
            "tally.tie",
            "{candidates} tie with {votes} votes for {seats} seat(s); give a tie-break order.",
            candidates=", ".join(tied),
            votes=cutoff,
            seats=open_seats,
        )
    chosen = sorted(tied, key=list(tie_break).index)[:open_seats]
    note = (
        f"{', '.join(tied)} tied with {cutoff} votes for {open_seats} seat(s); "
        f"the tie-break order chose {', '.join(chosen)}"
    )
    return sure + tuple(chosen), (note,)
