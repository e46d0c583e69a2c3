"""Rules of federation from below: seats, thresholds, imperative mandates and ratification.

Pure functions over plain values. Conformance is computed from the public record only: the
mandate a member body's assembly gave and the vote its delegate cast in the parliament.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from comuna.core.errors import InputError
from comuna.core.quorum import required_attendance
from comuna.core.tally import DECISION_RULES

VOTE_CHOICES = ("yes", "no", "abstain")
MANDATE_CHOICES = (*VOTE_CHOICES, "free")

CONFORM, DEVIATION, FREE, NO_MANDATE = "conform", "deviation", "free", "no_mandate"


def conformance(mandate: str | None, vote: str) -> str:
    """Whether a delegate's public ``vote`` matched the ``mandate`` of the body they represent.

    ``None`` means the body gave no mandate on the item; ``free`` means it left the vote to the
    delegate's judgement. Any other mandate is imperative (LOC Art. 26): the vote conforms only
    when it is the same choice.
    """
    if vote not in VOTE_CHOICES:
        raise InputError("mandate.bad_vote", "A vote is yes, no or abstain, not {vote}.", vote=vote)
    if mandate is None:
        return NO_MANDATE
    if mandate not in MANDATE_CHOICES:
        raise InputError(
            "mandate.bad_choice", "A mandate is yes, no, abstain or free, not {choice}.",
            choice=mandate,
        )  # fmt: skip
    if mandate == "free":
        return FREE
    return CONFORM if mandate == vote else DEVIATION


@dataclass(frozen=True, slots=True)
class ConformanceSummary:
    """How a delegate (or the delegates of one body) voted against their mandates."""

    votes: int = 0
    conform: int = 0
    deviation: int = 0
    free: int = 0
    no_mandate: int = 0

    @property
    def bound(self) -> int:
        """Votes cast under an imperative mandate."""
        return self.conform + self.deviation

    @property
    def rate(self) -> Fraction | None:
        """Share of bound votes that followed the mandate; None when no vote was bound."""
        return Fraction(self.conform, self.bound) if self.bound else None


def summarise(pairs: Iterable[tuple[str | None, str]]) -> ConformanceSummary:
    """Summarise ``(mandate, vote)`` pairs."""
    counts = dict.fromkeys((CONFORM, DEVIATION, FREE, NO_MANDATE), 0)
    total = 0
    for mandate, vote in pairs:
        counts[conformance(mandate, vote)] += 1
        total += 1
    return ConformanceSummary(total, **counts)


def support_needed(members: int, threshold: Fraction) -> int:
    """How many member bodies must back a request for it to reach ``threshold`` (at least)."""
    return required_attendance(members, threshold)


def threshold_reached(supporting: int, members: int, threshold: Fraction) -> bool:
    return members > 0 and supporting >= support_needed(members, threshold)


def parliament_seats(members: int, *, per_member: int, enterprise: int, bank: int) -> int:
    """Seats of a parliament: ``per_member`` per member body plus the economy's seats."""
    if min(members, per_member, enterprise, bank) < 0:
        raise InputError("federation.negative_seats", "Seat numbers cannot be negative.")
    return members * per_member + enterprise + bank


def majority_of_members(members: int) -> int:
    """Yes votes a parliament needs under ``majority_of_members`` (LOC Art. 26)."""
    return DECISION_RULES["majority_of_members"].needed(members) if members else 0


@dataclass(frozen=True, slots=True)
class Composition:
    """What a body's size means for its parliament and its referendums."""

    member_bodies: int
    seats: int
    majority: int
    extraordinary_call: int
    agenda_item_call: int
    electorate: int
    referendum_turnout: int


@dataclass(frozen=True, slots=True)
class SizeRules:
    per_member: int = 1
    enterprise: int = 0
    bank: int = 0
    extraordinary_call: Fraction = Fraction(7, 10)
    agenda_item_call: Fraction = Fraction(3, 5)
    referendum_turnout: Fraction = Fraction(3, 20)


def composition(electorates: Mapping[str, int], rules: SizeRules) -> Composition:
    """Seats, majorities and thresholds of a body whose members have ``electorates``.

    ``majority`` assumes every economy seat is filled; a vacant seat counts no member.
    """
    count = len(electorates)
    seats = parliament_seats(
        count, per_member=rules.per_member, enterprise=rules.enterprise, bank=rules.bank
    )
    electorate = sum(electorates.values())
    return Composition(
        member_bodies=count,
        seats=seats,
        majority=majority_of_members(seats),
        extraordinary_call=support_needed(count, rules.extraordinary_call),
        agenda_item_call=support_needed(count, rules.agenda_item_call),
        electorate=electorate,
        referendum_turnout=required_attendance(electorate, rules.referendum_turnout),
    )


@dataclass(frozen=True, slots=True)
class MembershipEffect:
    before: Composition
    after: Composition


def membership_effect(
    electorates: Mapping[str, int],
    rules: SizeRules,
    *,
    joining: Mapping[str, int] | None = None,
    leaving: Iterable[str] = (),
) -> MembershipEffect:
    """The composition before and after member bodies join or leave: shown before deciding."""
    joining = dict(joining or {})
    leaving = set(leaving)
    unknown = sorted(leaving - set(electorates))
    if unknown:
        raise InputError("federation.not_a_member", "{body} is not a member.", body=unknown[0])
    already = sorted(set(joining) & set(electorates))
    if already:
        raise InputError(
            "federation.already_member", "{body} is already a member.", body=already[0]
        )
    after = {k: v for k, v in electorates.items() if k not in leaving} | joining
    return MembershipEffect(composition(electorates, rules), composition(after, rules))


PENDING, IN_EFFECT, NOT_RATIFIED = "pending", "in_effect", "not_ratified"


def ratification(ratified: int, rejected: int, members: int) -> str:
    """Status of an upper level's decision that takes effect only when its members ratify it.

    Zapatista 2023 (Novena parte): the upper level has no authority of its own, so its decision
    binds only when **every** member body has ratified it; one refusal is enough to stop it.
    """
    if min(ratified, rejected, members) < 0 or ratified + rejected > members:
        raise InputError(
            "federation.bad_ratification",
            "{ratified} ratified and {rejected} refused out of {members} member bodies.",
            ratified=ratified, rejected=rejected, members=members,
        )  # fmt: skip
    if rejected:
        return NOT_RATIFIED
    return IN_EFFECT if members and ratified == members else PENDING
