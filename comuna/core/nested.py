"""Nested tallies: one question put to every member of a federation, rolled up the tree.

Each council (or polling unit) reports its totals; every higher body (commune, district,
state, federation) gets the exact integer sums of the units below it and its own decision
under the rule of its level: a people's majority (a key of ``tally.DECISION_RULES``), an
optional turnout quorum, and optionally a majority of its member bodies, whose votes may
carry weights (Swiss half-cantons count 1/2).

Units that have not reported yet make a result provisional: every node says how many of its
units reported. The roll-up is a pure function of the tree, the reports and the rules, so it
is recomputable by anyone; ``RollUp.digest`` is a SHA-256 over a canonical encoding of all
three and of the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Protocol

from comuna.core.errors import InputError, TieError
from comuna.core.nested_digest import digest_lines, input_lines, result_line
from comuna.core.nested_tree import Tree as Tree
from comuna.core.nested_tree import Unit as Unit
from comuna.core.nested_tree import build_tree as build_tree
from comuna.core.nested_tree import units_from_paths as units_from_paths
from comuna.core.numeric import ratio
from comuna.core.quorum import QuorumResult, check_quorum, required_attendance
from comuna.core.tally import DECISION_RULES, Decision, VoteCounts, decide

TIE_POLICIES = ("status_quo", "refuse")


@dataclass(frozen=True, slots=True)
class UnitReport:
    """The count of one unit as its counting table reports it.

    ``cast`` is the number of ballots in the box; when given it must equal
    ``yes + no + empty + invalid``.
    """

    unit: str
    eligible: int
    yes: int
    no: int
    empty: int = 0
    invalid: int = 0
    cast: int | None = None

    @property
    def ballots(self) -> int:
        return self.yes + self.no + self.empty + self.invalid


@dataclass(frozen=True, slots=True)
class Totals:
    eligible: int = 0
    cast: int = 0
    yes: int = 0
    no: int = 0
    empty: int = 0
    invalid: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.eligible + other.eligible,
            self.cast + other.cast,
            self.yes + other.yes,
            self.no + other.no,
            self.empty + other.empty,
            self.invalid + other.invalid,
        )

    @property
    def valid(self) -> int:
        """Ballots that say yes or no."""
        return self.yes + self.no

    @property
    def yes_share(self) -> Fraction:
        """Yes as a share of yes + no (how Swiss results are published)."""
        return ratio(self.yes, self.valid)

    @property
    def turnout(self) -> Fraction:
        return ratio(self.cast, self.eligible)


_NO_TOTALS = Totals()


@dataclass(frozen=True, slots=True)
class LevelRule:
    """How a body at one level decides.

    ``people`` names a rule of ``tally.DECISION_RULES`` applied to the body's own totals
    (``majority_of_votes``: more yes than no, empty and invalid ballots ignored).
    ``turnout_quorum`` is the share of the electorate that must cast a ballot.
    ``members_majority`` also asks for a weighted majority of the member bodies directly
    below, each counting as yes when it approved under its own level's rule.
    ``tie`` says what a tie does: ``status_quo`` (the proposal fails, as in Swiss law) or
    ``refuse`` (raise ``TieError`` so that the body decides how to proceed).
    """

    people: str = "majority_of_votes"
    turnout_quorum: Fraction = Fraction(0)
    members_majority: bool = False
    tie: str = "status_quo"


_DEFAULT_RULE = LevelRule()


@dataclass(frozen=True, slots=True)
class MembersVote:
    """The weighted votes of the member bodies directly below a node."""

    yes: Fraction
    no: Fraction
    pending: Fraction
    """Weight of member bodies where no unit has reported yet."""

    @property
    def total(self) -> Fraction:
        return self.yes + self.no + self.pending

    @property
    def approved(self) -> bool:
        """More than half of all member weight (pending included) said yes."""
        return self.yes * 2 > self.total


@dataclass(frozen=True, slots=True)
class NodeResult:
    unit: str
    parent: str | None
    level: str
    totals: Totals
    units_expected: int
    """Reporting units (leaves) at or below this node."""
    units_reported: int
    people: Decision
    turnout: QuorumResult | None
    """The turnout quorum check; None when the level has no turnout quorum."""
    members: MembersVote | None
    approved: bool
    ties: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def final(self) -> bool:
        return self.units_reported == self.units_expected

    @property
    def reported_share(self) -> Fraction:
        return ratio(self.units_reported, self.units_expected)


class NodeSource(Protocol):
    """Where a ``RollUp`` gets its node results (built eagerly, or on demand from columns)."""

    def node(self, position: int) -> NodeResult: ...

    def all(self) -> tuple[NodeResult, ...]: ...


@dataclass(frozen=True, slots=True)
class _Built:
    nodes: tuple[NodeResult, ...]

    def node(self, position: int) -> NodeResult:
        return self.nodes[position]

    def all(self) -> tuple[NodeResult, ...]:
        return self.nodes


@dataclass(frozen=True, slots=True, eq=False)
class RollUp:
    root: str
    input_digest: str
    digest: str
    index: Mapping[str, int] = field(repr=False)
    """Position of each unit in ``nodes`` (read-only)."""
    _source: NodeSource = field(repr=False)

    @property
    def nodes(self) -> tuple[NodeResult, ...]:
        """Every node, parents before children, siblings in id order."""
        return self._source.all()

    def node(self, unit: str) -> NodeResult:
        position = self.index.get(unit)
        if position is None:
            raise InputError("nested.unknown_unit", "There is no unit {unit}.", unit=unit)
        return self._source.node(position)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RollUp):
            return NotImplemented
        return (self.root, self.input_digest, self.digest, self.nodes) == (
            other.root, other.input_digest, other.digest, other.nodes,
        )  # fmt: skip

    __hash__ = None  # type: ignore[assignment]


def check_report(report: UnitReport) -> Totals:
    """The report's totals, after checking its own invariants."""
    counts = (report.eligible, report.yes, report.no, report.empty, report.invalid)
    if min(counts) < 0 or (report.cast is not None and report.cast < 0):
        raise InputError(
            "nested.negative_count", "Unit {unit} reports a negative count.", unit=report.unit
        )
    ballots = report.ballots
    if report.cast is not None and report.cast != ballots:
        raise InputError(
            "nested.cast_mismatch",
            "Unit {unit}: {cast} ballots cast but yes+no+empty+invalid = {ballots}.",
            unit=report.unit,
            cast=report.cast,
            ballots=ballots,
        )
    if ballots > report.eligible:
        raise InputError(
            "nested.turnout_above_electorate",
            "Unit {unit}: {cast} ballots cast but only {eligible} eligible voters.",
            unit=report.unit,
            cast=ballots,
            eligible=report.eligible,
        )
    return Totals(report.eligible, ballots, report.yes, report.no, report.empty, report.invalid)


def _check_rules(rules: Mapping[str, LevelRule]) -> None:
    for level, rule in rules.items():
        if rule.people not in DECISION_RULES:
            raise InputError(
                "nested.unknown_rule",
                "Level {level} names an unknown rule {rule}.",
                level=level,
                rule=rule.people,
            )
        if rule.tie not in TIE_POLICIES:
            raise InputError(
                "nested.unknown_tie_policy",
                "Level {level}: tie policy must be one of {policies}, not {tie}.",
                level=level,
                policies=list(TIE_POLICIES),
                tie=rule.tie,
            )
        required_attendance(0, rule.turnout_quorum)  # raises on a threshold outside [0, 1]


def _leaf_totals(tree: Tree, reports: Iterable[UnitReport]) -> dict[str, Totals]:
    totals: dict[str, Totals] = {}
    for report in reports:
        if report.unit not in tree.units:
            raise InputError(
                "nested.unknown_unit", "A report names an unknown unit {unit}.", unit=report.unit
            )
        if tree.children[report.unit]:
            raise InputError(
                "nested.report_on_inner_unit",
                "Unit {unit} has member units; its totals are their sum, not a report.",
                unit=report.unit,
            )
        if report.unit in totals:
            raise InputError(
                "nested.duplicate_report", "Unit {unit} reported twice.", unit=report.unit
            )
        totals[report.unit] = check_report(report)
    return totals


def roll_up(
    units: Iterable[Unit] | Tree,
    reports: Iterable[UnitReport],
    rules: Mapping[str, LevelRule] | None = None,
) -> RollUp:
    """Sum the reports up the tree and decide at every node by the rule of its level.

    ``rules`` maps a level name to its ``LevelRule``; a level not listed decides by a plain
    majority of yes over no. Reports may arrive in any order; the result does not depend on it.
    ``units`` may be a ``Tree`` from ``build_tree``, reused across roll-ups.

    Computed column-wise by ``nested_fast`` (ADR 0043) when every count fits its int64
    bound, otherwise node by node in Python integers; both give the same result and digest.
    """
    from comuna.core import nested_fast  # numpy; imports this module

    rules = dict(rules or {})
    _check_rules(rules)
    tree = units if isinstance(units, Tree) else build_tree(units)
    leaf_totals = _leaf_totals(tree, reports)
    fast = nested_fast.roll_up_totals(tree, leaf_totals, rules)
    return fast if fast is not None else _roll_up_python(tree, leaf_totals, rules)


def roll_up_reference(
    units: Iterable[Unit] | Tree,
    reports: Iterable[UnitReport],
    rules: Mapping[str, LevelRule] | None = None,
) -> RollUp:
    """``roll_up`` node by node in Python integers: the reference the fast path is tested
    against (and its fallback beyond the int64 bound)."""
    rules = dict(rules or {})
    _check_rules(rules)
    tree = units if isinstance(units, Tree) else build_tree(units)
    return _roll_up_python(tree, _leaf_totals(tree, reports), rules)


def _roll_up_python(
    tree: Tree, leaf_totals: Mapping[str, Totals], rules: Mapping[str, LevelRule]
) -> RollUp:
    results: dict[str, NodeResult] = {}
    for uid in reversed(tree.order):  # children before parents
        results[uid] = _decide_node(tree, uid, leaf_totals, results, rules)
    nodes = tuple(results[uid] for uid in tree.order)
    input_digest = digest_lines(input_lines(tree.units, leaf_totals, rules))
    digest = digest_lines([input_digest, *(result_line(n) for n in nodes)])
    index = MappingProxyType({uid: i for i, uid in enumerate(tree.order)})
    return RollUp(tree.root, input_digest, digest, index, _Built(nodes))


def _decide_node(
    tree: Tree,
    uid: str,
    leaf_totals: Mapping[str, Totals],
    done: Mapping[str, NodeResult],
    rules: Mapping[str, LevelRule],
) -> NodeResult:
    unit = tree.units[uid]
    child_ids = tree.children[uid]
    kids = [done[k] for k in child_ids] if child_ids else []
    if kids:
        totals = sum((k.totals for k in kids), _NO_TOTALS)
        expected = sum(k.units_expected for k in kids)
        reported = sum(k.units_reported for k in kids)
    else:
        leaf = leaf_totals.get(uid)
        totals, expected, reported = leaf or _NO_TOTALS, 1, int(leaf is not None)
    rule = rules.get(unit.level, _DEFAULT_RULE)
    counts = VoteCounts(totals.yes, totals.no, totals.empty + totals.invalid)
    people = decide(counts, rule.people, attendees=totals.cast, members=totals.eligible)
    turnout = None
    if rule.turnout_quorum:
        turnout = check_quorum(totals.eligible, totals.cast, rule.turnout_quorum)
    members = _members_vote(tree, kids) if rule.members_majority and kids else None
    approved = (
        reported > 0
        and people.approved
        and (turnout is None or turnout.reached)
        and (members is None or members.approved)
    )
    ties = _ties(uid, totals, members, rule) if reported else ()
    notes = (
        ()
        if reported == expected and turnout is None
        else _notes(totals, turnout, reported, expected)
    )
    return NodeResult(
        uid, unit.parent, unit.level, totals, expected, reported, people, turnout, members,
        approved, ties, notes,
    )  # fmt: skip


def _ties(
    uid: str, totals: Totals, members: MembersVote | None, rule: LevelRule
) -> tuple[str, ...]:
    ties: tuple[str, ...] = ()
    if totals.yes == totals.no:
        ties = (_tie(uid, "people", f"{totals.yes} yes and {totals.no} no", rule),)
    if members is not None and members.yes * 2 == members.total:
        detail = f"member bodies {members.yes} of {members.total}"
        ties += (_tie(uid, "members", detail, rule),)
    return ties


def _notes(
    totals: Totals, turnout: QuorumResult | None, reported: int, expected: int
) -> tuple[str, ...]:
    if not reported:
        return ("no unit has reported",)
    notes: tuple[str, ...] = ()
    if reported < expected:
        notes = (f"provisional: {reported} of {expected} units reported",)
    if turnout is not None and not turnout.reached:
        notes += (f"turnout quorum missed: {totals.cast} cast, {turnout.required} needed",)
    return notes


def _members_vote(tree: Tree, kids: Iterable[NodeResult]) -> MembersVote:
    yes = no = pending = Fraction(0)
    for kid in kids:
        weight = tree.units[kid.unit].weight
        if kid.units_reported == 0:
            pending += weight
        elif kid.approved:
            yes += weight
        else:
            no += weight
    return MembersVote(yes, no, pending)


def _tie(uid: str, what: str, detail: str, rule: LevelRule) -> str:
    if rule.tie == "refuse":
        raise TieError(
            "nested.tie",
            "Tie at {unit} ({what}): {detail}; the rule says to refuse.",
            unit=uid,
            what=what,
            detail=detail,
        )
    return f"{what} tie ({detail}): the proposal does not pass, the status quo stands"
