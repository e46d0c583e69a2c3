"""The vectorised roll-up (nested_fast) against the Python reference: same nodes, same
digests, same errors, on random trees with half-weight members, ties, missing reports,
turnout quorums and double majorities."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comuna.core.counting import count_ballots
from comuna.core.errors import ComunaError, InputError
from comuna.core.nested import (
    TIE_POLICIES,
    LevelRule,
    RollUp,
    Unit,
    UnitReport,
    build_tree,
    roll_up,
    roll_up_reference,
)
from comuna.core.nested_fast import BOUND, Columns, roll_up_counts
from comuna.core.tally import DECISION_RULES

WEIGHTS = [Fraction(1), Fraction(1, 2), Fraction(1, 3), Fraction(2)]
THRESHOLDS = [Fraction(0), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(1)]


@st.composite
def level_rules(draw: st.DrawFn, levels: list[str]) -> dict[str, LevelRule]:
    rules = {}
    for level in levels:
        if draw(st.booleans()):
            rules[level] = LevelRule(
                people=draw(st.sampled_from(sorted(DECISION_RULES))),
                turnout_quorum=draw(st.sampled_from(THRESHOLDS)),
                members_majority=draw(st.booleans()),
                tie=draw(st.sampled_from(TIE_POLICIES)),
            )
    return rules


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Unit], list[UnitReport], dict[str, LevelRule]]:
    """A random tree of depth <= 4 (some leaves shallower), small counts so that ties are
    frequent, some leaves not reported, and random rules per level."""
    units = [Unit("root", None, "top")]
    frontier, leaves = ["root"], []
    for depth in range(draw(st.integers(0, 3))):
        nxt = []
        for parent in frontier:
            kids = draw(st.integers(0 if parent != "root" else 1, 3))
            if not kids:
                leaves.append(parent)
            for k in range(kids):
                uid = f"{parent}.{k}"
                units.append(Unit(uid, parent, f"d{depth + 1}", draw(st.sampled_from(WEIGHTS))))
                nxt.append(uid)
        frontier = nxt
    leaves += frontier
    reports = []
    for leaf in leaves:
        if draw(st.integers(0, 3)):  # three in four leaves report
            eligible = draw(st.integers(0, 12))
            parts = draw(st.lists(st.integers(0, 5), min_size=4, max_size=4))
            while sum(parts) > eligible:
                parts = [p // 2 for p in parts]
            reports.append(UnitReport(leaf, eligible, *parts))
    rules = draw(level_rules(["top", "d1", "d2", "d3"]))
    return units, draw(st.permutations(reports)), rules


def outcome(run, *args) -> RollUp | tuple[str, dict]:
    try:
        return run(*args)
    except ComunaError as error:
        return (error.code, error.params)


def assert_same(fast: RollUp | tuple, reference: RollUp | tuple) -> None:
    if isinstance(reference, tuple):
        assert fast == reference
        return
    assert isinstance(fast, RollUp)
    assert (fast.input_digest, fast.digest) == (reference.input_digest, reference.digest)
    assert fast.nodes == reference.nodes
    for node in reference.nodes:
        assert fast.node(node.unit) == node


@settings(max_examples=300, deadline=None)
@given(cases())
def test_it_gives_the_reference_results_and_digests(case) -> None:
    units, reports, rules = case
    fast = outcome(roll_up, units, reports, rules)
    assert_same(fast, outcome(roll_up_reference, units, reports, rules))
    if isinstance(fast, RollUp):
        assert isinstance(fast._source, Columns)  # the int64 path ran


@settings(max_examples=200, deadline=None)
@given(cases())
def test_it_gives_the_reference_results_from_count_arrays(case) -> None:
    units, reports, rules = case
    ids = [r.unit for r in reports]
    counts = np.array([[r.yes, r.no, r.empty, r.invalid] for r in reports], dtype=np.int64)
    fast = outcome(
        roll_up_counts, build_tree(units), ids, [r.eligible for r in reports],
        counts.reshape(len(reports), 4), rules,
    )  # fmt: skip
    assert_same(fast, outcome(roll_up_reference, units, reports, rules))


BAD_REPORTS = [
    UnitReport("nowhere", 5, 1, 1),
    UnitReport("root.0", 5, 1, 1),  # an inner unit
    UnitReport("root.1.0", -1, 0, 0),
    UnitReport("root.1.0", 5, 0, -2),
    UnitReport("root.1.0", 3, 2, 2),  # more ballots than electors
    UnitReport("root.1.1", 5, 1, 1),
    UnitReport("root.1.1", 5, 1, 1),  # reported twice
]
TREE = [
    Unit("root", None, "top"),
    Unit("root.0", "root", "a"),
    Unit("root.0.0", "root.0", "b"),
    Unit("root.1", "root", "a", Fraction(1, 2)),
    Unit("root.1.0", "root.1", "b"),
    Unit("root.1.1", "root.1", "b"),
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(BAD_REPORTS), min_size=1, max_size=5))
def test_it_refuses_bad_reports_with_the_reference_error(reports) -> None:
    counts = np.array([[r.yes, r.no, r.empty, r.invalid] for r in reports], dtype=np.int64)
    fast = outcome(
        roll_up_counts, build_tree(TREE), [r.unit for r in reports],
        [r.eligible for r in reports], counts, {},
    )  # fmt: skip
    assert fast == outcome(roll_up_reference, TREE, reports, {})
    assert outcome(roll_up, TREE, reports, {}) == outcome(roll_up_reference, TREE, reports, {})


def test_it_falls_back_to_python_integers_beyond_the_int64_bound() -> None:
    huge = BOUND // 2
    reports = [UnitReport("root.0.0", 2 * huge, huge, 0), UnitReport("root.1.0", huge, 0, huge)]
    rules = {"top": LevelRule(turnout_quorum=Fraction(1, 3), members_majority=True)}
    fast, reference = roll_up(TREE, reports, rules), roll_up_reference(TREE, reports, rules)
    assert not isinstance(fast._source, Columns)
    assert_same(fast, reference)
    assert fast.node("root").totals.eligible == 3 * huge  # beyond 2**63
    ids, eligible = ["root.0.0", "root.1.0"], [2 * huge, huge]
    counts = np.array([[huge, 0, 0, 0], [0, huge, 0, 0]], dtype=np.int64)
    assert_same(roll_up_counts(build_tree(TREE), ids, eligible, counts, rules), reference)


def test_it_falls_back_on_electorates_beyond_int64() -> None:
    tree, ids = build_tree(TREE), ["root.0.0", "root.1.0"]
    counts = np.array([[3, 1, 0, 0], [0, 2, 0, 0]], dtype=np.int64)
    reports = [UnitReport("root.0.0", 2**63, 3, 1), UnitReport("root.1.0", 2**64 - 1, 0, 2)]
    expected = roll_up_reference(TREE, reports)
    assert_same(roll_up_counts(tree, ids, [2**63, 2**64 - 1], counts), expected)
    unsigned = np.array([2**63, 2**64 - 1], dtype=np.uint64)  # never wrapped to negative
    assert_same(roll_up_counts(tree, ids, unsigned, counts), expected)


def test_it_falls_back_when_the_electorates_could_sum_beyond_int64() -> None:
    ids = ["root.0.0", "root.1.0", "root.1.1"]
    big = BOUND - 1  # each fits int64, three of them do not
    counts = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]], dtype=np.int64)
    fast = roll_up_counts(build_tree(TREE), ids, [big] * 3, counts)
    assert not isinstance(fast._source, Columns)
    assert fast.node("root").totals.eligible == 3 * big
    reports = [UnitReport(u, big, *row) for u, row in zip(ids, counts.tolist(), strict=True)]
    assert_same(fast, roll_up_reference(TREE, reports))


def test_it_refuses_counts_that_are_not_integers() -> None:
    with pytest.raises(InputError) as caught:
        roll_up_counts(build_tree(TREE), ["root.0.0"], [5], np.array([[1.0, 2.0, 0.0, 0.0]]))
    assert caught.value.params == {"name": "counts"}


def test_it_falls_back_when_the_weights_do_not_fit() -> None:
    primes = [1_000_003, 1_000_033, 1_000_037, 1_000_039]  # lcm > 2**62 of the denominators
    units = [Unit("r")] + [Unit(f"u{p}", "r", "", Fraction(1, p)) for p in primes]
    reports = [UnitReport(f"u{p}", 10, i, 1) for i, p in enumerate(primes)]
    rules = {"": LevelRule(members_majority=True)}
    fast = roll_up(units, reports, rules)
    assert not isinstance(fast._source, Columns)
    assert_same(fast, roll_up_reference(units, reports, rules))


def test_it_counts_ballots_to_the_same_digest_as_the_reference() -> None:
    rng = np.random.default_rng(7)
    tree = build_tree(TREE)
    leaves = ["root.0.0", "root.1.0", "root.1.1"]
    unit_index = rng.integers(0, 3, 10_000)
    counts = count_ballots(unit_index, rng.integers(0, 4, 10_000), 3)
    eligible = [5_000, 5_000, 5_000]
    rows = zip(leaves, eligible, counts.tolist(), strict=True)
    reports = [UnitReport(u, e, *row) for u, e, row in rows]
    rules = {"top": LevelRule(members_majority=True)}
    fast = roll_up_counts(tree, leaves, eligible, counts, rules)
    assert_same(fast, roll_up_reference(TREE, reports, rules))
    assert roll_up_counts(tree, leaves, eligible, counts, rules).digest == fast.digest


def test_it_refuses_counts_of_the_wrong_shape() -> None:
    with pytest.raises(InputError) as caught:
        roll_up_counts(build_tree(TREE), ["root.0.0"], [5], np.zeros((1, 3), dtype=np.int64))
    assert caught.value.code == "counting.shape"
