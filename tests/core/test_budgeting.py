"""Participatory budgeting rules: golden results, a slow exact reference, pabutools, properties."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from comuna.core.budgeting import (
    Ballot,
    Election,
    GreedyOptions,
    MesOptions,
    Project,
    _add1,
    _profile,
    equal_shares,
    greedy,
    tie_break_order,
)
from comuna.core.errors import TieError
from comuna.core.pabulib import PbFile, parse_pb, to_election
from tests.core.pb_reference import reference_add1, reference_mes


def load(shared_data: Path, name: str) -> tuple[PbFile, Election]:
    pb = parse_pb((shared_data / "pb" / f"{name}.pb").read_text(encoding="utf-8"))
    return pb, to_election(pb)


def official(pb: PbFile) -> set[str]:
    return {p.project_id for p in pb.projects if p.get("selected") == "1"}


def votes_then_cost(election: Election) -> MesOptions:
    return MesOptions(tie_break=tie_break_order(election, ["max_votes", "min_cost"]))


# --- golden: real elections -------------------------------------------------------------


def test_it_reproduces_the_official_assen_2024_outcome(shared_data: Path) -> None:
    pb, election = load(shared_data, "Netherlands_Assen_2024")
    result = equal_shares(election, votes_then_cost(election))
    assert (len(result.selected), result.total_cost) == (9, Decimal(76700))
    assert set(result.selected) == official(pb)
    assert result.endowment == 2033  # floor(100000 / 84) = 1190, then +1 per step


@pytest.mark.slow
def test_it_reproduces_the_official_wieliczka_2023_outcome(shared_data: Path) -> None:
    pb, election = load(shared_data, "Poland_Wieliczka_2023_Green_Budget")
    result = equal_shares(election, votes_then_cost(election))
    assert (len(result.selected), result.total_cost) == (30, Decimal(995079))
    assert set(result.selected) == official(pb)
    assert result.endowment == 315  # as published on equalshares.net


@pytest.mark.slow
def test_it_gives_31_projects_for_wieliczka_with_the_exhaustive_stop(shared_data: Path) -> None:
    _, election = load(shared_data, "Poland_Wieliczka_2023_Green_Budget")
    base = votes_then_cost(election)
    options = MesOptions(tie_break=base.tie_break, add1_start="exact", add1_stop="exhaustive")
    result = equal_shares(election, options)
    assert (len(result.selected), result.total_cost) == (31, Decimal(984579))
    assert {"66", "67"} <= set(result.selected) and "46" not in result.selected


@pytest.mark.slow
def test_it_reproduces_the_official_wroclaw_2017_greedy_outcome(shared_data: Path) -> None:
    pb, election = load(shared_data, "Poland_Wroclaw_2017")
    for skip in (True, False):  # the file says greedy-no-skip; both agree here
        result = greedy(election, GreedyOptions(skip=skip))
        assert set(result.selected) == official(pb)
        assert result.total_cost == Decimal(3970000)


# --- cross-check: pabutools as a black box -----------------------------------------------


def pabutools_outcomes(path: Path, add1: bool) -> tuple[set[str], set[str]]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(str(path))
    multi = profile.as_multiprofile()
    extra = {"voter_budget_increment": 1} if add1 else {}
    mes = method_of_equal_shares(instance, multi, sat_class=Cost_Sat, **extra)
    welfare = greedy_utilitarian_welfare(instance, multi, sat_class=Cost_Sat)
    return {p.name for p in mes}, {p.name for p in welfare}


@pytest.mark.parametrize(
    ("name", "add1"),
    [("Netherlands_Assen_2024", True), ("Poland_Wieliczka_2023_Green_Budget", False)],
)
def test_it_agrees_with_pabutools(shared_data: Path, name: str, add1: bool) -> None:
    _, election = load(shared_data, name)
    # pabutools breaks ties by project name; its Add1 starts at budget / voters.
    by_name = tuple(sorted(p.project_id for p in election.projects))
    options = MesOptions(
        tie_break=by_name,
        completion="add1" if add1 else "none",
        add1_start="exact",
        add1_stop="exhaustive",
    )
    peer_mes, peer_greedy = pabutools_outcomes(shared_data / "pb" / f"{name}.pb", add1)
    result = equal_shares(election, options)
    assert set(result.selected) == peer_mes
    assert result.greedy is not None and set(result.greedy.selected) == peer_greedy


# --- the fast engine against the plain exact definition ---------------------------------


@st.composite
def elections(draw: st.DrawFn, max_projects: int = 5, max_voters: int = 7) -> Election:
    count = draw(st.integers(2, max_projects))
    ids = [f"p{i}" for i in range(count)]
    costs = draw(st.lists(st.integers(1, 40), min_size=count, max_size=count))
    ballots = draw(
        st.lists(st.sets(st.sampled_from(ids), min_size=1), min_size=1, max_size=max_voters)
    )
    budget = draw(st.integers(1, 80))
    return Election(
        Decimal(budget),
        tuple(Project(i, Decimal(c)) for i, c in zip(ids, costs, strict=True)),
        tuple(Ballot(f"v{n}", tuple((p, 1) for p in sorted(b))) for n, b in enumerate(ballots)),
    )


def by_id(election: Election) -> tuple[str, ...]:
    return tuple(p.project_id for p in election.projects)


@settings(max_examples=60, deadline=None)
@given(elections(), st.integers(1, 30))
def test_it_matches_the_plain_definition_of_mes(election: Election, share: int) -> None:
    from comuna.core.equal_shares import replay, run_mes
    from comuna.core.mes_certified import certify

    profile, _ = _profile(election, MesOptions(tie_break=by_id(election)))
    slow = reference_mes(election, Fraction(share), cost_sat=True, tie_break=by_id(election))
    run = run_mes(profile, Fraction(share))
    assert [profile.project_ids[p.project] for p in run.purchases] == slow
    path = certify(profile, share, share)
    if path is not None:  # floats may decline (near ties), never disagree
        assert [profile.project_ids[p] for p, _ in path] == slow
        again = replay(profile, Fraction(share), path)
        assert again.purchases == run.purchases and again.class_money == run.class_money


@settings(max_examples=40, deadline=None)
@given(elections(max_projects=4, max_voters=5))
def test_it_matches_the_plain_definition_of_add1(election: Election) -> None:
    options = MesOptions(tie_break=by_id(election))
    result = equal_shares(election, options)
    assert list(result.selected) == reference_add1(election, tie_break=by_id(election))
    profile, _ = _profile(election, options)
    stepwise, _ = _add1(election, profile, options, leap=False)
    assert stepwise.endowment == result.endowment


@st.composite
def generic_elections(draw: st.DrawFn) -> Election:
    """Costs spread widely and cumulative weights, so that exact ties are rare and the float
    certificates, not the exact fallback, decide most rounds."""
    count = draw(st.integers(2, 6))
    ids = [f"p{i}" for i in range(count)]
    costs = draw(st.lists(st.integers(1, 10**6), min_size=count, max_size=count))
    weights = st.dictionaries(st.sampled_from(ids), st.integers(1, 3), min_size=1)
    ballots = draw(st.lists(weights, min_size=1, max_size=9))
    return Election(
        Decimal(draw(st.integers(1, 3 * 10**6))),
        tuple(Project(i, Decimal(c)) for i, c in zip(ids, costs, strict=True)),
        tuple(Ballot(f"v{n}", tuple(sorted(b.items()))) for n, b in enumerate(ballots)),
    )


@settings(max_examples=80, deadline=None)
@given(
    generic_elections(),
    st.integers(1, 400_000),
    st.integers(0, 4),
    st.sampled_from([Fraction(1), Fraction(7, 3), Fraction(5000)]),
    st.sampled_from(["cost", "count"]),
)
def test_it_certifies_only_paths_that_every_share_of_a_span_takes(
    election: Election, start: int, last: int, step: Fraction, satisfaction: str
) -> None:
    from comuna.core.equal_shares import replay, run_mes
    from comuna.core.mes_certified import settle

    order = by_id(election)
    profile, _ = _profile(election, MesOptions(satisfaction=satisfaction, tie_break=order))

    def share(i: int) -> Fraction:
        return start + i * step

    def bounds(i: int, j: int) -> tuple[float, float]:
        return math.nextafter(float(share(i)), -math.inf), math.nextafter(float(share(j)), math.inf)

    covered = []
    for a, b, path in settle(profile, bounds, 0, last):
        covered.extend(range(a, b + 1))
        if path is None:
            continue  # the caller then runs exactly; a certificate is never wrong, only absent
        for i in {a, b, (a + b) // 2}:
            slow = reference_mes(
                election, share(i), cost_sat=satisfaction == "cost", tie_break=order
            )
            assert [profile.project_ids[p] for p, _ in path] == slow
            assert replay(profile, share(i), path).purchases == run_mes(profile, share(i)).purchases
    assert covered == list(range(last + 1))


def test_it_certifies_spans_of_real_shares(shared_data: Path) -> None:
    from comuna.core.equal_shares import run_mes
    from comuna.core.mes_certified import certify

    _, election = load(shared_data, "Poland_Wieliczka_2023_Green_Budget")
    profile, _ = _profile(election, votes_then_cost(election))
    path = certify(profile, 158.0, 162.0)  # five Add1 steps at once
    assert path is not None
    for share in (158, 160, 162):
        assert [p for p, _ in path] == [
            p.project for p in run_mes(profile, Fraction(share)).purchases
        ]


def test_it_leaps_over_shares_without_changing_the_assen_outcome(shared_data: Path) -> None:
    _, election = load(shared_data, "Netherlands_Assen_2024")
    options = votes_then_cost(election)
    profile, _ = _profile(election, options)
    leaping, steps = _add1(election, profile, options)
    stepwise, every = _add1(election, profile, options, leap=False)
    assert leaping.purchases == stepwise.purchases and leaping.endowment == stepwise.endowment
    assert len(steps) < len(every) / 5  # the point of leaping


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_it_respects_budgets_and_ignores_voter_order(election: Election, rng) -> None:  # type: ignore[no-untyped-def]
    options = MesOptions(tie_break=by_id(election))
    result = equal_shares(election, options)
    assert result.total_cost <= election.budget
    for account in result.voters:
        spent = sum((amount for _, amount in account.payments), Fraction(0))
        assert spent + account.left == account.endowment and account.left >= 0
    for project in result.projects:
        if project.funded:
            paid = sum(
                (
                    a * len(acc.voter_ids)
                    for acc in result.voters
                    for pid, a in acc.payments
                    if pid == project.project_id
                ),
                Fraction(0),
            )
            assert paid == Fraction(project.cost)
        elif project.reason == "unaffordable":
            assert project.supporters_money is not None
            assert project.supporters_money < Fraction(project.cost)
    shuffled = list(election.ballots)
    rng.shuffle(shuffled)
    again = equal_shares(Election(election.budget, election.projects, tuple(shuffled)), options)
    assert again.selected == result.selected and again.endowment == result.endowment
    assert greedy(election, GreedyOptions(tie_break=by_id(election))).total_cost <= election.budget


@settings(max_examples=60, deadline=None)
@given(elections())
def test_it_equals_greedy_when_everybody_approves_the_same_projects(election: Election) -> None:
    same = election.ballots[0].weights
    ballots = tuple(Ballot(b.voter_id, same) for b in election.ballots)
    election = Election(election.budget, election.projects, ballots)
    order = by_id(election)
    mes = equal_shares(election, MesOptions(tie_break=order, completion="none", add1_start="exact"))
    assert set(mes.selected) == set(greedy(election, GreedyOptions(tie_break=order)).selected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=6), st.integers(1, 5))
def test_it_equals_greedy_on_unit_costs_and_single_votes(supports: list[int], budget: int) -> None:
    ids = [f"p{i}" for i in range(len(supports))]
    ballots = tuple(
        Ballot(f"v{p}-{n}", ((p, 1),)) for p, s in zip(ids, supports, strict=True) for n in range(s)
    )
    assume(ballots)
    ranked = sorted((s for s in supports if s), reverse=True)
    assume(len(ranked) <= budget or ranked[budget - 1] != ranked[budget])  # no tie at the cut
    election = Election(Decimal(budget), tuple(Project(i, Decimal(1)) for i in ids), ballots)
    order = tie_break_order(election, ["max_votes"])
    # Add1 must step finely enough to pass each threshold 1/votes on its own.
    fine = MesOptions(tie_break=order, add1_start="exact", add1_step=Fraction(1, 1000))
    mes = equal_shares(election, fine)
    chosen = greedy(election, GreedyOptions(tie_break=order)).selected
    assert set(mes.selected) == {p for p in chosen if any(b.weights[0][0] == p for b in ballots)}


# --- ties and audit -----------------------------------------------------------------------


def two_equal_projects() -> Election:
    projects = (Project("a", Decimal(10)), Project("b", Decimal(10)))
    return Election(Decimal(10), projects, (Ballot("1", (("a", 1), ("b", 1))),))


def test_it_refuses_a_tie_without_a_tie_break() -> None:
    with pytest.raises(TieError) as caught:
        equal_shares(two_equal_projects(), MesOptions(completion="none", add1_start="exact"))
    assert caught.value.code == "pb.tie"
    with pytest.raises(TieError):
        greedy(two_equal_projects())


def test_it_records_a_tie_and_how_it_was_broken() -> None:
    options = MesOptions(tie_break=("b", "a"), completion="none", add1_start="exact")
    result = equal_shares(two_equal_projects(), options)
    assert result.selected == ("b",)
    assert result.rounds[0].tied_with == ("a",)
    assert result.greedy is not None and result.greedy.ties == (("b", "a"),)
    a = next(p for p in result.projects if p.project_id == "a")
    assert (a.funded, a.reason, a.supporters_money) == (False, "unaffordable", Fraction(0))


def test_it_explains_prices_and_payments() -> None:
    projects = (Project("x", Decimal(30)), Project("y", Decimal(20)))
    ballots = (
        Ballot("1", (("x", 1), ("y", 1))),
        Ballot("2", (("x", 1),)),
        Ballot("3", (("y", 1),)),
    )
    result = equal_shares(
        Election(Decimal(60), projects, ballots),
        MesOptions(tie_break=("x", "y"), completion="none"),
    )
    # Shares of 20: x costs 15 each for voters 1 and 2 (key 1/2), y then costs voter 1 their
    # last 5 and voter 3 fifteen.
    assert result.selected == ("x", "y")
    assert [r.price for r in result.rounds] == [Fraction(15), Fraction(15)]
    first = next(v for v in result.voters if v.voter_ids == ("1",))
    assert first.payments == (("x", Fraction(15)), ("y", Fraction(5))) and first.left == 0


@settings(max_examples=60, deadline=None)
@given(
    generic_elections(),
    st.integers(1, 400_000),
    st.integers(1, 400_000),
    st.sampled_from(["cost", "count"]),
)
def test_it_shares_the_partitions_of_voters_between_runs_at_other_shares(
    election: Election, one: int, other: int, satisfaction: str
) -> None:
    from comuna.core.mes_certified import Partition, certify

    order = by_id(election)
    profile, _ = _profile(election, MesOptions(satisfaction=satisfaction, tie_break=order))
    root = Partition()
    certify(profile, one, one + 3, root)  # leaves what it met in root
    path = certify(profile, other, other, root)
    assert path == certify(profile, other, other)
    if path is not None:
        slow = reference_mes(
            election, Fraction(other), cost_sat=satisfaction == "cost", tie_break=order
        )
        assert [profile.project_ids[p] for p, _ in path] == slow


def test_it_builds_the_voter_accounts_when_first_read(shared_data: Path) -> None:
    from comuna.core.budgeting import _accounts
    from comuna.core.bulk import Deferred

    _, election = load(shared_data, "Netherlands_Assen_2024")
    options = votes_then_cost(election)
    result = equal_shares(election, options)
    assert isinstance(result.voters, Deferred)
    profile, group_of = _profile(election, options)
    run, _ = _add1(election, profile, options)
    eager = _accounts(profile, run, group_of, election)
    assert result.voters == eager and len(result.voters) == len(eager)
    assert list(result.voters) == list(eager) and result.voters[0] == eager[0]
    assert result == equal_shares(election, options) and hash(result.voters) == hash(eager)


def test_it_names_the_first_voter_with_an_unknown_project() -> None:
    from comuna.core.errors import InputError

    shared = (("a", 1), ("zz", 1))
    ballots = (Ballot("v1", (("a", 1),)), Ballot("v2", (("b", 1), ("yy", 1))), Ballot("v3", shared))
    election = Election(
        Decimal(10),
        (Project("a", Decimal(5)), Project("b", Decimal(5))),
        (*ballots, Ballot("v4", shared)),
    )
    for rule in (greedy, equal_shares):
        with pytest.raises(InputError) as caught:
            rule(election)
        assert caught.value.code == "pb.unknown_project"
        assert (caught.value.params["voter"], caught.value.params["project"]) == ("v2", "yy")
