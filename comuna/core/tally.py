"""Tallies of single assembly votes and the decision rules applied to them.

A motion is decided on yes / no / abstain counts. Which majority wins is a named rule of the
body's ruleset (``DECISION_RULES``); the result carries the numbers the rule used, so the acta
and the verifier can show and re-check why a motion passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from comuna.core.errors import InputError


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
    product = fraction * base
    return product.numerator // product.denominator + 1


def _at_least(fraction: Fraction, base: int) -> int:
    product = fraction * base
    return -(-product.numerator // product.denominator)


@dataclass(frozen=True, slots=True)
class DecisionRule:
    key: str
    base: str  # "attendees" | "cast" | "yes_no" | "members"
    needed: Callable[[int], int]


DECISION_RULES: dict[str, DecisionRule] = {
    # LOCC Art. 22: simple majority of those attending.
    "majority_of_attendees": DecisionRule(
        "majority_of_attendees", "attendees", lambda b: _more_than(Fraction(1, 2), b)
    ),
    # More yes than no; abstentions do not count either way.
    "majority_of_votes": DecisionRule(
        "majority_of_votes", "yes_no", lambda b: _more_than(Fraction(1, 2), b)
    ),
    # LOC Art. 26: majority of all members of the parliament, present or not.
    "majority_of_members": DecisionRule(
        "majority_of_members", "members", lambda b: _more_than(Fraction(1, 2), b)
    ),
    # Qualified majority, e.g. LOC Art. 20 (charter amendments).
    "two_thirds_of_attendees": DecisionRule(
        "two_thirds_of_attendees", "attendees", lambda b: _at_least(Fraction(2, 3), b)
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
