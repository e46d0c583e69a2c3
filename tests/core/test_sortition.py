"""Stratified lotteries: parsing, feasibility, fairest probabilities, exact portfolio, draw."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from comuna.core.errors import InputError, RuleError
from comuna.core.lottery import derive_seed, draw_panel, select
from comuna.core.sortition import Person, make_pool, panel_violations, pool_digest
from comuna.core.sortition_check import check_feasibility
from comuna.core.sortition_csv import parse_pool, parse_quotas

# A small assembly: Ana, Berta, Carmen, Dora are women; Eloy, Fidel, Gabo, Hugo men.
QUOTAS = """feature,value,min,max,min_flex,max_flex
gender,woman,2,3,0,3
gender,man,1,2,0,2
barrio,norte,1,3,0,3
barrio,sur,1,3,0,3
"""
PEOPLE = """id,name,gender,barrio
ana,Ana,woman,norte
berta,Berta,woman,norte
carmen,Carmen,woman,sur
dora,Dora,woman,norte
eloy,Eloy,man,sur
fidel,Fidel,man,sur
gabo,Gabo,man,norte
hugo,Hugo,man,sur
"""


def small_pool():  # type: ignore[no-untyped-def]
    return parse_pool(QUOTAS, PEOPLE)


def test_it_reads_the_sortition_foundation_layout() -> None:
    pool = small_pool()
    assert pool.features == ("gender", "barrio")
    assert pool.people[0] == Person("ana", ("woman", "norte"))
    assert pool.quotas[1].min == 1 and pool.quotas[1].max == 2


def test_it_numbers_nature_respondents_from_one() -> None:
    pool = parse_pool("category,feature,min,max\ng,f,0,2\ng,m,0,2\n", "g\nf\nm\nm\n")
    assert [p.id for p in pool.people] == ["1", "2", "3"]
    assert pool.people[1].values == ("m",)


def test_it_names_the_line_of_a_bad_number() -> None:
    with pytest.raises(InputError) as caught:
        parse_quotas("feature,value,min,max\ng,f,1,2\ng,m,one,2\n")
    assert caught.value.code == "sortition.bad_number"
    assert caught.value.params["line"] == 3


def test_it_refuses_a_value_without_quota() -> None:
    with pytest.raises(InputError) as caught:
        parse_pool(QUOTAS, PEOPLE + "iris,Iris,other,sur\n")
    assert caught.value.code == "sortition.unknown_value"
    assert caught.value.params["id"] == "iris"


def test_it_refuses_a_missing_feature_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_pool(QUOTAS, "id,gender\nana,woman\n")
    assert caught.value.code == "sortition.missing_feature"


def test_it_digests_the_pool_whatever_the_row_order() -> None:
    pool = small_pool()
    shuffled = make_pool(pool.quotas, tuple(reversed(pool.people)))
    assert pool_digest(pool, 4) == pool_digest(shuffled, 4)
    assert pool_digest(pool, 4) != pool_digest(pool, 5)
    moved = make_pool(pool.quotas, (Person("ana", ("woman", "sur")), *pool.people[1:]))
    assert pool_digest(moved, 4) != pool_digest(pool, 4)


def test_it_names_the_quota_to_relax() -> None:
    quotas = QUOTAS.replace("gender,woman,2,3", "gender,woman,4,4")
    feasibility = check_feasibility(parse_pool(quotas, PEOPLE), 4)
    assert not feasibility.feasible
    [relaxation] = feasibility.relaxations
    assert (relaxation.feature, relaxation.value) in {("gender", "woman"), ("gender", "man")}
    assert "would allow a panel" in relaxation.describe()


def test_it_refuses_to_select_under_infeasible_quotas() -> None:
    quotas = QUOTAS.replace("gender,woman,2,3", "gender,woman,5,5")
    with pytest.raises(RuleError) as caught:
        select(parse_pool(quotas, PEOPLE), 4)
    assert caught.value.code == "sortition.infeasible_quotas"
    assert "gender=woman" in str(caught.value)


def test_it_refuses_an_unknown_algorithm() -> None:
    with pytest.raises(RuleError) as caught:
        select(small_pool(), 4, "dictator")
    assert caught.value.code == "sortition.unknown_algorithm"


def test_it_refuses_a_panel_larger_than_the_pool() -> None:
    with pytest.raises(InputError) as caught:
        select(small_pool(), 9)
    assert caught.value.code == "sortition.bad_panel_size"


def test_it_gives_the_exact_leximin_probabilities() -> None:
    result = select(small_pool(), 4)
    probabilities = dict(result.probabilities())
    assert sum(probabilities.values()) == 4
    # Every woman and every man can be treated alike here: 2 women + 2 men, or 3 + 1.
    assert result.minimum == brute_force_maximin(small_pool(), 4)
    assert len({probabilities[p] for p in ("ana", "berta", "dora")}) == 1


def test_it_reports_progress_up_to_the_end() -> None:
    seen: list[tuple[str, float]] = []
    select(small_pool(), 4, progress=lambda stage, fraction: seen.append((stage, fraction)))
    assert seen[0] == ("initial panels", 0.0)
    assert seen[-1] == ("leximin", 1.0)
    assert all(0.0 <= f <= 1.0 for _, f in seen)


def test_it_gives_zero_to_people_no_panel_can_hold() -> None:
    quotas = QUOTAS.replace("barrio,sur,1,3", "barrio,sur,0,0").replace(
        "barrio,norte,1,3", "barrio,norte,3,4"
    )
    quotas = quotas.replace("gender,man,1,2", "gender,man,0,2")
    result = select(parse_pool(quotas, PEOPLE), 3)
    probabilities = dict(result.probabilities())
    assert probabilities["carmen"] == 0 and probabilities["eloy"] == 0
    # Three of the four people of the north, women at least two: each of them 3/4.
    assert {probabilities[p] for p in ("ana", "berta", "dora", "gabo")} == {Fraction(3, 4)}
    assert any("can sit on no panel" in note for note in result.notes)


def test_it_draws_the_same_panel_from_the_same_announcement() -> None:
    pool = small_pool()
    result = select(pool, 4)
    first, again = draw_panel(result, "3 5 1"), draw_panel(result, " 3 5 1 ")
    assert first == again
    assert first.seed == derive_seed(result.pool_digest, "3 5 1")
    assert panel_violations(pool, first.panel, 4) == ()
    seeds = {draw_panel(result, str(n)).seed for n in range(5)}
    assert len(seeds) == 5


def test_it_draws_people_about_as_often_as_their_probability() -> None:
    pool = small_pool()
    result = select(pool, 4)
    counts = dict.fromkeys((p.id for p in pool.people), 0)
    draws = 600
    for n in range(draws):
        for person in draw_panel(result, f"roll {n}").panel:
            counts[person] += 1
    for person, p in result.probabilities():
        # 4.5 standard deviations of a binomial: a false alarm once in ~150,000 runs.
        spread = 4.5 * (draws * p * (1 - p)) ** 0.5 + 1
        assert abs(counts[person] - draws * p) <= spread


@st.composite
def lotteries(draw: st.DrawFn) -> tuple[str, str, int]:
    size = draw(st.integers(4, 9))
    panel = draw(st.integers(1, min(4, size)))
    values = {"a": ["x", "y"], "b": ["u", "v", "w"]}
    quota_lines = ["feature,value,min,max"]
    for feature, options in values.items():
        for value in options:
            low = draw(st.integers(0, min(2, panel)))
            quota_lines.append(f"{feature},{value},{low},{draw(st.integers(low, panel))}")
    people = ["id,a,b"] + [
        f"p{i},{draw(st.sampled_from(values['a']))},{draw(st.sampled_from(values['b']))}"
        for i in range(size)
    ]
    return "\n".join(quota_lines), "\n".join(people), panel


def brute_force_panels(pool, panel_size):  # type: ignore[no-untyped-def]
    ids = [p.id for p in pool.people]
    return [
        c
        for c in itertools.combinations(ids, panel_size)
        if not panel_violations(pool, c, panel_size)
    ]


def brute_force_maximin(pool, panel_size):  # type: ignore[no-untyped-def]
    """An independent maximin: every valid panel enumerated, one LP (scipy), no types."""
    panels = brute_force_panels(pool, panel_size)
    ids = [p.id for p in pool.people]
    selectable = [i for i in ids if any(i in panel for panel in panels)]
    m = len(panels)
    rows = [[-(i in panel) for panel in panels] + [1.0] for i in selectable]
    result = linprog(
        c=[0.0] * m + [-1.0],
        A_ub=np.array(rows, dtype=float),
        b_ub=np.zeros(len(rows)),
        A_eq=np.array([[1.0] * m + [0.0]]),
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
        method="highs",
    )
    level = -result.fun if len(selectable) == len(ids) else 0.0
    return Fraction(level).limit_denominator(10_000)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lotteries(), st.sampled_from(["leximin", "maximin"]))
def test_it_matches_brute_force_on_small_pools(
    lottery: tuple[str, str, int], algorithm: str
) -> None:
    quotas, people, panel_size = lottery
    pool = parse_pool(quotas, people)
    panels = brute_force_panels(pool, panel_size)
    assert check_feasibility(pool, panel_size).feasible == bool(panels)
    if not panels:
        with pytest.raises(RuleError):
            select(pool, panel_size, algorithm)
        return
    result = select(pool, panel_size, algorithm)
    assert sum(p for _, p in result.probabilities()) == panel_size
    assert sum(shape.weight for shape in result.portfolio) == 1
    assert abs(result.minimum - brute_force_maximin(pool, panel_size)) <= Fraction(1, 10**7)
    assert panel_violations(pool, draw_panel(result, "7").panel, panel_size) == ()


@settings(max_examples=15, deadline=None)
@given(lotteries())
def test_it_gives_nash_probabilities_that_add_up(lottery: tuple[str, str, int]) -> None:
    quotas, people, panel_size = lottery
    pool = parse_pool(quotas, people)
    if not check_feasibility(pool, panel_size).feasible:
        return
    result = select(pool, panel_size, "nash")
    assert sum(p for _, p in result.probabilities()) == panel_size
    # Nash never leaves a selectable person at zero, so its minimum is positive when maximin's is.
    assert (result.minimum > 0) == (brute_force_maximin(pool, panel_size) > 0)


def test_it_does_not_give_up_on_a_large_type_capped_at_one() -> None:
    # Ten people with a value of their own and 2,000 "b": at most one "b" per panel of 10.
    quotas = "feature,value,min,max\n" + "".join(f"g,a{i},0,1\n" for i in range(10))
    quotas += "g,b,0,1\n"
    people = "id,g\n" + "".join(f"a{i},a{i}\n" for i in range(10))
    people += "".join(f"b{i},b\n" for i in range(2000))
    result = select(parse_pool(quotas, people), 10)
    probabilities = dict(result.probabilities())
    assert probabilities["b0"] == Fraction(1, 2000) == result.minimum
    assert probabilities["a0"] == Fraction(9, 10)
