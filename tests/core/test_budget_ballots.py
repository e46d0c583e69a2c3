"""Budget ballots, the ballot digest and the recorded result: examples and properties."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comuna.core import rulesets
from comuna.core.budget_ballots import (
    BallotLimits,
    check_ballot,
    election_digest,
    election_of,
    options_from,
    run_rule,
)
from comuna.core.budgeting import MesOptions, equal_shares, greedy
from comuna.core.errors import InputError
from comuna.core.pabulib import PbFile, PbProject, PbVote, parse_pb, to_election, write_pb

COSTS = {"agua": Decimal("400"), "luz": Decimal("300"), "cancha": Decimal("250.50")}
PARAMS = rulesets.profile("venezuela-2009")


def test_it_normalises_an_approval_ballot():
    marks = check_ballot(BallotLimits(), COSTS, [("luz", 1), ("agua", 1), ("cancha", 0)])
    assert marks == (("agua", 1), ("luz", 1))


@pytest.mark.parametrize(
    ("limits", "marks", "code"),
    [
        (BallotLimits(max_projects=1), [("luz", 1), ("agua", 1)], "budget.too_many_projects"),
        (BallotLimits(max_cost=Decimal(600)), [("luz", 1), ("agua", 1)], "budget.too_costly"),
        (BallotLimits(), [("pozo", 1)], "budget.unknown_project"),
        (BallotLimits(), [], "budget.empty_ballot"),
        (BallotLimits(), [("luz", 2)], "budget.bad_marks"),
        (BallotLimits("cumulative", points=5), [("luz", 4), ("agua", 2)], "budget.too_many_points"),
        (BallotLimits("ranked"), [("luz", 1), ("agua", 3)], "budget.bad_ranks"),
    ],
)
def test_it_refuses_ballots_outside_the_limits(limits, marks, code):
    with pytest.raises(InputError) as caught:
        check_ballot(limits, COSTS, marks)
    assert caught.value.code == code


def test_it_returns_a_ranking_in_rank_order():
    marks = check_ballot(BallotLimits("ranked"), COSTS, [("luz", 2), ("cancha", 1)])
    assert marks == (("cancha", 1), ("luz", 2))


ranked_ballots = st.permutations(sorted(COSTS)).flatmap(
    lambda order: st.integers(1, len(order)).map(lambda k: order[:k])
)


@given(ranked_ballots)
def test_it_accepts_every_ranking_and_is_idempotent(order):
    marks = [(pid, rank) for rank, pid in enumerate(order, start=1)]
    random.Random(len(order)).shuffle(marks)
    checked = check_ballot(BallotLimits("ranked"), COSTS, marks)
    assert [pid for pid, _r in checked] == list(order)
    assert check_ballot(BallotLimits("ranked"), COSTS, checked) == checked


@given(st.sets(st.sampled_from(sorted(COSTS)), min_size=1), st.integers(0, 3))
def test_it_enforces_the_project_limit_exactly(chosen, limit):
    limits = BallotLimits(max_projects=limit)
    marks = [(pid, 1) for pid in chosen]
    if len(chosen) <= limit:
        assert check_ballot(limits, COSTS, marks) == tuple(sorted(marks))
    else:
        with pytest.raises(InputError):
            check_ballot(limits, COSTS, marks)


@given(st.dictionaries(st.sampled_from(sorted(COSTS)), st.integers(1, 6), min_size=1))
def test_it_enforces_the_points_exactly(points):
    limits = BallotLimits("cumulative", points=8)
    marks = list(points.items())
    if sum(points.values()) <= 8:
        assert dict(check_ballot(limits, COSTS, marks)) == points
    else:
        with pytest.raises(InputError):
            check_ballot(limits, COSTS, marks)


elections = st.lists(
    st.sets(st.sampled_from(sorted(COSTS)), min_size=1).map(
        lambda s: tuple(sorted((pid, 1) for pid in s))
    ),
    min_size=1,
    max_size=12,
).map(
    lambda ballots: election_of(
        Decimal(700),
        sorted(COSTS.items()),
        [(f"V{i}", m) for i, m in enumerate(ballots)],
        "approval",
    )
)


@given(elections, st.randoms(use_true_random=False))
def test_it_digests_independently_of_order(election, rnd):
    ballots = [
        type(b)(b.voter_id, tuple(rnd.sample(b.weights, len(b.weights)))) for b in election.ballots
    ]
    rnd.shuffle(ballots)
    projects = list(election.projects)
    rnd.shuffle(projects)
    shuffled = type(election)(election.budget, tuple(projects), tuple(ballots))
    assert election_digest(shuffled) == election_digest(election)
    changed = type(election)(election.budget + 1, election.projects, election.ballots)
    assert election_digest(changed) != election_digest(election)


@settings(max_examples=40, deadline=None)
@given(elections)
def test_it_records_an_exact_result_that_a_pabulib_export_reproduces(election):
    result = run_rule(PARAMS, election)
    assert json.loads(json.dumps(result)) == result
    selected_cost = sum(Decimal(COSTS[pid]) for pid in result["selected"])
    assert Decimal(result["total_cost"]) == selected_cost <= election.budget
    _rule, options = options_from(PARAMS, election)
    assert isinstance(options, MesOptions)
    assert result["selected"] == list(equal_shares(election, options).selected)
    pb = PbFile(
        (("budget", str(election.budget)), ("vote_type", "approval")),
        ("project_id", "cost"),
        tuple(PbProject(p.project_id, p.cost) for p in election.projects),
        ("voter_id", "vote"),
        tuple(PbVote(b.voter_id, tuple(pid for pid, _w in b.weights)) for b in election.ballots),
    )
    reread = to_election(parse_pb(write_pb(pb)))
    assert election_digest(reread) == result["digest"]


@settings(max_examples=40, deadline=None)
@given(elections)
def test_it_applies_greedy_when_the_ruleset_says_so(election):
    params = rulesets.validate_amendment(PARAMS, {"budget_rule": "greedy"})
    result = run_rule(params, election)
    _rule, options = options_from(params, election)
    assert result["rule"] == "greedy"
    assert result["selected"] == list(greedy(election, options).selected)  # type: ignore[arg-type]


def test_it_records_every_option_that_changes_the_outcome():
    election = election_of(
        Decimal(700),
        sorted(COSTS.items()),
        [("A", (("agua", 1),)), ("B", (("luz", 1), ("cancha", 1)))],
        "approval",
    )
    result = run_rule(PARAMS, election)
    assert result["options"] == {
        "satisfaction": "cost",
        "completion": "add1",
        "add1_start": "floor",
        "add1_step": "1",
        "add1_stop": "over_budget",
    }
    assert result["tie_break"] == "max_votes,min_cost"
    assert Fraction(result["endowment"]) >= 350  # Add1 starts at floor(700 / 2)
    spent = {
        a["voters"][0]: sum(Fraction(x) for _p, x in a["payments"]) for a in result["accounts"]
    }
    assert all(amount <= Fraction(result["endowment"]) for amount in spent.values())


@pytest.mark.parametrize(
    ("name", "value"),
    [("budget_rule", "lottery"), ("budget_add1_step", "0"), ("budget_tie_break", "chaos")],
)
def test_it_refuses_unknown_budget_options_in_a_ruleset(name, value):
    with pytest.raises(InputError) as caught:
        rulesets.validate_amendment(PARAMS, {name: value})
    assert caught.value.code == "ruleset.bad_value"
