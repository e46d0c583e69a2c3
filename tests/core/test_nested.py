"""Nested roll-up: invariants, decision rules at several levels, provisional results, digest."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comuna.core.errors import InputError, TieError
from comuna.core.nested import (
    LevelRule,
    RollUp,
    Totals,
    Unit,
    UnitReport,
    roll_up,
    units_from_paths,
)

# A small federation: two states, one of them a "half" state, councils under communes.
TREE = (
    Unit("fed", None, "federation"),
    Unit("north", "fed", "state"),
    Unit("south", "fed", "state", Fraction(1, 2)),
    Unit("n-commune", "north", "commune"),
    Unit("n1", "n-commune", "council"),
    Unit("n2", "n-commune", "council"),
    Unit("s1", "south", "council"),
)


def report(unit: str, eligible: int, yes: int, no: int, empty: int = 0, invalid: int = 0):
    return UnitReport(unit, eligible, yes, no, empty, invalid)


def test_it_sums_every_level_exactly() -> None:
    reports = [report("n1", 100, 40, 10, 2, 1), report("n2", 50, 5, 30), report("s1", 80, 30, 20)]
    result = roll_up(TREE, reports)
    assert result.node("n-commune").totals == Totals(150, 88, 45, 40, 2, 1)
    assert result.node("north").totals == result.node("n-commune").totals
    assert result.node("fed").totals == Totals(230, 138, 75, 60, 2, 1)
    assert result.node("fed").totals.yes_share == Fraction(75, 135)
    assert [n.unit for n in result.nodes] == [
        "fed",
        "north",
        "n-commune",
        "n1",
        "n2",
        "south",
        "s1",
    ]


def test_it_refuses_a_unit_reported_twice() -> None:
    with pytest.raises(InputError) as caught:
        roll_up(TREE, [report("n1", 10, 1, 1), report("n1", 10, 1, 1)])
    assert caught.value.code == "nested.duplicate_report"
    assert caught.value.params == {"unit": "n1"}


def test_it_refuses_more_ballots_than_electors() -> None:
    with pytest.raises(InputError) as caught:
        roll_up(TREE, [report("n1", 10, 8, 2, 1)])
    assert caught.value.code == "nested.turnout_above_electorate"
    assert caught.value.params["cast"] == 11


def test_it_refuses_a_cast_count_that_does_not_add_up() -> None:
    with pytest.raises(InputError) as caught:
        roll_up(TREE, [UnitReport("n1", 100, 10, 10, 0, 0, cast=21)])
    assert caught.value.code == "nested.cast_mismatch"


@pytest.mark.parametrize(
    ("units", "reports", "code"),
    [
        (TREE, [report("nowhere", 1, 1, 0)], "nested.unknown_unit"),
        (TREE, [report("north", 1, 1, 0)], "nested.report_on_inner_unit"),
        (TREE, [report("n1", 10, -1, 0)], "nested.negative_count"),
        ((*TREE, Unit("fed2")), [], "nested.roots"),
        ((*TREE, Unit("x", "ghost")), [], "nested.unknown_parent"),
        ((*TREE, Unit("n1", "fed")), [], "nested.duplicate_unit"),
        ((*TREE, Unit("a", "b"), Unit("b", "a")), [], "nested.cycle"),
        ((*TREE, Unit("z", "fed", "", Fraction(0))), [], "nested.bad_weight"),
    ],
)
def test_it_refuses_malformed_trees_and_reports(units, reports, code) -> None:
    with pytest.raises(InputError) as caught:
        roll_up(units, reports)
    assert caught.value.code == code


def test_it_applies_a_turnout_quorum_per_level() -> None:
    rules = {"commune": LevelRule(turnout_quorum=Fraction(1, 2))}
    result = roll_up(TREE, [report("n1", 100, 40, 0), report("n2", 100, 9, 1)], rules)
    commune = result.node("n-commune")
    assert commune.people.approved
    assert commune.turnout is not None
    assert (commune.turnout.required, commune.turnout.reached) == (100, False)
    assert result.node("n1").turnout is None
    assert not commune.approved
    assert "turnout quorum missed: 50 cast, 100 needed" in commune.notes
    # The council level has no quorum: n1 approves on its own.
    assert result.node("n1").approved


def test_it_lets_member_bodies_outvote_the_people_under_a_double_majority() -> None:
    # The people say yes overall, but the half state alone says yes: 1/2 of 3/2 is no majority.
    rules = {"federation": LevelRule(members_majority=True)}
    reports = [report("n1", 100, 40, 45), report("n2", 10, 0, 1), report("s1", 200, 150, 10)]
    fed = roll_up(TREE, reports, rules).node("fed")
    assert fed.people.approved
    assert fed.members is not None
    assert (fed.members.yes, fed.members.no, fed.members.pending) == (
        Fraction(1, 2),
        Fraction(1),
        Fraction(0),
    )
    assert not fed.approved


def test_it_needs_more_than_half_the_member_weight_and_counts_pending_bodies() -> None:
    rules = {"federation": LevelRule(members_majority=True)}
    fed = roll_up(TREE, [report("n1", 100, 60, 40)], rules).node("fed")
    assert fed.members is not None
    assert (fed.members.yes, fed.members.pending) == (Fraction(1), Fraction(1, 2))
    assert fed.members.approved  # 1 of 3/2 is already more than half
    assert not fed.final
    assert fed.reported_share == Fraction(1, 3)


def test_it_lets_a_tie_keep_the_status_quo_and_records_it() -> None:
    node = roll_up(TREE, [report("s1", 10, 4, 4)]).node("s1")
    assert not node.approved
    assert node.ties == (
        "people tie (4 yes and 4 no): the proposal does not pass, the status quo stands",
    )


def test_it_refuses_a_tie_when_the_rule_says_so() -> None:
    rules = {"council": LevelRule(tie="refuse")}
    with pytest.raises(TieError) as caught:
        roll_up(TREE, [report("s1", 10, 4, 4)], rules)
    assert caught.value.code == "nested.tie"
    assert caught.value.params["unit"] == "s1"


def test_it_refuses_a_member_bodies_tie_when_the_rule_says_so() -> None:
    tree = (Unit("f", None, "fed"), Unit("a", "f"), Unit("b", "f"))
    rules = {"fed": LevelRule(members_majority=True, tie="refuse")}
    with pytest.raises(TieError) as caught:
        roll_up(tree, [report("a", 10, 6, 1), report("b", 10, 1, 2)], rules)
    assert caught.value.params["what"] == "members"


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (LevelRule(people="most_shouting"), "nested.unknown_rule"),
        (LevelRule(tie="coin"), "nested.unknown_tie_policy"),
        (LevelRule(turnout_quorum=Fraction(3, 2)), "quorum.bad_threshold"),
    ],
)
def test_it_refuses_bad_rules(rule: LevelRule, code: str) -> None:
    with pytest.raises(InputError) as caught:
        roll_up(TREE, [], {"state": rule})
    assert caught.value.code == code


def test_it_marks_bodies_without_reports() -> None:
    result = roll_up(TREE, [report("s1", 10, 6, 3)])
    north = result.node("north")
    assert (north.units_reported, north.units_expected, north.approved) == (0, 2, False)
    assert north.notes == ("no unit has reported",)
    assert result.node("fed").notes == ("provisional: 1 of 3 units reported",)


def test_it_uses_other_people_rules_from_the_tally_registry() -> None:
    # 5 yes, 2 no, 3 empty: a majority of the votes, but not of the 10 ballots cast.
    rules = {"council": LevelRule(people="majority_of_attendees")}
    node = roll_up(TREE, [report("s1", 12, 5, 2, 3)], rules).node("s1")
    assert (node.people.base, node.people.needed, node.approved) == (10, 6, False)
    assert roll_up(TREE, [report("s1", 12, 5, 2, 3)]).node("s1").approved


def test_it_gives_the_same_digest_for_the_same_inputs_and_a_new_one_for_any_change() -> None:
    reports = [report("n1", 100, 40, 10), report("s1", 80, 30, 20)]
    first = roll_up(TREE, reports)
    again = roll_up(tuple(reversed(TREE)), list(reversed(reports)))
    changed = roll_up(TREE, [report("n1", 100, 40, 11), report("s1", 80, 30, 20)])
    other_rule = roll_up(TREE, reports, {"state": LevelRule(turnout_quorum=Fraction(1, 2))})
    assert len(first.digest) == 64
    assert (again.digest, again.input_digest) == (first.digest, first.input_digest)
    assert changed.digest != first.digest
    assert other_rule.input_digest != first.input_digest


def test_it_builds_a_tree_from_paths() -> None:
    units = units_from_paths(
        [("CH", "SG", "Rheintal", "Au"), ("CH", "SG", "abroad")], ("federation", "canton")
    )
    assert {u.id: (u.parent, u.level) for u in units} == {
        "CH": (None, "federation"),
        "SG": ("CH", "canton"),
        "Rheintal": ("SG", ""),
        "Au": ("Rheintal", ""),
        "abroad": ("SG", ""),
    }
    with pytest.raises(InputError) as caught:
        units_from_paths([("CH", "A", "x"), ("CH", "B", "x")])
    assert caught.value.code == "nested.two_parents"


# --- properties -------------------------------------------------------------------------


@st.composite
def federations(draw: st.DrawFn) -> tuple[tuple[Unit, ...], list[UnitReport]]:
    """A random tree of depth <= 4 and a random valid report for some of its leaves."""
    units = [Unit("root", None, "federation")]
    frontier = ["root"]
    for depth in range(draw(st.integers(1, 3))):
        nxt = []
        for parent in frontier:
            for k in range(draw(st.integers(1, 3))):
                uid = f"{parent}.{k}"
                weight = draw(st.sampled_from([Fraction(1), Fraction(1, 2)]))
                units.append(Unit(uid, parent, f"level{depth + 1}", weight))
                nxt.append(uid)
        frontier = nxt
    reports = []
    for leaf in frontier:
        if draw(st.booleans()):
            eligible = draw(st.integers(0, 500))
            parts = draw(st.lists(st.integers(0, 200), min_size=4, max_size=4))
            while sum(parts) > eligible:
                parts = [p // 2 for p in parts]
            reports.append(UnitReport(leaf, eligible, *parts))
    return tuple(units), reports


RULES = {
    "federation": LevelRule(members_majority=True, turnout_quorum=Fraction(1, 3)),
    "level1": LevelRule(turnout_quorum=Fraction(1, 4)),
}


def _children_sum(result: RollUp, unit: str) -> Totals:
    return sum((n.totals for n in result.nodes if n.parent == unit), Totals())


@settings(max_examples=60, deadline=None)
@given(federations())
def test_it_keeps_sums_and_turnout_consistent_at_every_level(case) -> None:
    units, reports = case
    result = roll_up(units, reports, RULES)
    assert result.node("root").totals == sum(
        (Totals(r.eligible, r.ballots, r.yes, r.no, r.empty, r.invalid) for r in reports),
        Totals(),
    )
    for node in result.nodes:
        t = node.totals
        assert t.cast == t.yes + t.no + t.empty + t.invalid
        assert t.cast <= t.eligible
        if node.units_expected > 1:
            assert t == _children_sum(result, node.unit)


@settings(max_examples=40, deadline=None)
@given(federations(), st.randoms(use_true_random=False))
def test_it_does_not_depend_on_the_order_of_reports(case, random) -> None:
    units, reports = case
    shuffled_reports, shuffled_units = list(reports), list(units)
    random.shuffle(shuffled_reports)
    random.shuffle(shuffled_units)
    assert roll_up(units, reports, RULES) == roll_up(shuffled_units, shuffled_reports, RULES)


@settings(max_examples=40, deadline=None)
@given(federations(), st.randoms(use_true_random=False))
def test_it_never_lowers_the_reported_share_as_units_report(case, random) -> None:
    units, reports = case
    random.shuffle(reports)
    previous: dict[str, Fraction] = {}
    for count in range(len(reports) + 1):
        result = roll_up(units, reports[:count], RULES)
        shares = {n.unit: n.reported_share for n in result.nodes}
        assert all(shares[u] >= s for u, s in previous.items())
        previous = shares
    leaves = sum(
        1 for n in result.nodes if n.units_expected == 1 and not _has_children(result, n.unit)
    )
    assert result.node("root").reported_share == Fraction(len(reports), leaves)


def _has_children(result: RollUp, unit: str) -> bool:
    return any(n.parent == unit for n in result.nodes)


def test_it_writes_each_digest_line_as_canonical_json() -> None:
    from comuna.core import nested_digest

    units = (Unit('dé"\\|\n', None, "fed"), Unit("a", 'dé"\\|\n', "x", Fraction(1, 2)))
    reports = [report("a", 10, 3, 2, 1, 0)]
    rules = {"fed": LevelRule(members_majority=True, turnout_quorum=Fraction(1, 3))}
    result = roll_up(units, reports, rules)
    lines = nested_digest.input_lines(
        {u.id: u for u in units}, {"a": Totals(10, 6, 3, 2, 1, 0)}, rules
    )
    lines += [nested_digest.result_line(node) for node in result.nodes]
    assert len(lines) == 7  # version, 2 units, 1 report, 1 rule, 2 results
    for line in lines[1:]:
        assert json.dumps(json.loads(line), ensure_ascii=False) == line
    assert json.loads(lines[-2])[12] == ["1/2", "0", "0"]
    assert result.input_digest == nested_digest.digest_lines(lines[:5])


def test_it_founds_a_commune_only_with_a_yes_majority_and_fifteen_percent_turnout() -> None:
    # LOC Arts. 12, 14-16: each council is a polling station; the founding referendum passes
    # with a majority of yes and a turnout of at least 15 % of the area's electors.
    tree = (Unit("commune", None, "commune"), Unit("c1", "commune"), Unit("c2", "commune"))
    rules = {"commune": LevelRule(turnout_quorum=Fraction(15, 100))}
    low = roll_up(tree, [report("c1", 400, 40, 10), report("c2", 600, 39, 0)], rules)
    enough = roll_up(tree, [report("c1", 400, 40, 10), report("c2", 600, 40, 60)], rules)
    assert low.node("commune").turnout is not None
    assert (low.node("commune").turnout.required, low.node("commune").approved) == (150, False)
    assert low.node("commune").people.approved
    # Exactly 150 of 1,000 cast: the quorum is "at least", so 80 yes to 70 no pass.
    assert (enough.node("commune").totals.cast, enough.node("commune").approved) == (150, True)
    no_wins = roll_up(tree, [report("c1", 400, 30, 50), report("c2", 600, 40, 30)], rules)
    assert not no_wins.node("commune").approved


def test_it_recalls_by_referendum_only_with_turnout_strictly_above_fifteen_percent() -> None:
    # LOC Art. 50: recalled if a majority votes yes and turnout is more than 15 % of the
    # register. Exactly 150 of 1,000 is not enough, where the founding's "at least" passes.
    tree = (Unit("commune", None, "commune"), Unit("c1", "commune"), Unit("c2", "commune"))
    strict = {"commune": LevelRule(turnout_quorum=Fraction(3, 20), turnout_strict=True)}
    at_least = {"commune": LevelRule(turnout_quorum=Fraction(3, 20))}
    exactly = [report("c1", 400, 40, 10), report("c2", 600, 40, 60)]
    assert roll_up(tree, exactly, at_least).node("commune").approved
    node = roll_up(tree, exactly, strict).node("commune")
    assert (node.turnout.required, node.approved) == (151, False)
    assert "turnout quorum missed: 150 cast, 151 needed" in node.notes
    more = [report("c1", 400, 41, 10), report("c2", 600, 40, 60)]
    assert roll_up(tree, more, strict).node("commune").approved


@given(federations())
def test_it_hashes_a_strict_quorum_and_leaves_other_rules_as_before(case) -> None:
    tree, reports = case
    level = tree[0].level
    plain = roll_up(tree, reports, {level: LevelRule(turnout_quorum=Fraction(1, 3))})
    strict = roll_up(
        tree, reports, {level: LevelRule(turnout_quorum=Fraction(1, 3), turnout_strict=True)}
    )
    assert plain.input_digest != strict.input_digest
    root = strict.node(strict.root)
    assert root.turnout is not None
    assert root.turnout.reached == (root.totals.cast * 3 > root.totals.eligible)
    assert plain.node(plain.root).turnout.reached == (
        plain.node(plain.root).totals.cast * 3 >= plain.node(plain.root).totals.eligible
    )
