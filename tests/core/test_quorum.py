"""Quorum: the exact ceiling of a fraction of the electorate, checked by properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comuna.core.errors import InputError
from comuna.core.quorum import check_quorum, required_attendance

electorates = st.integers(0, 10**7)
thresholds = st.fractions(min_value=0, max_value=1, max_denominator=1000)


def test_it_follows_the_first_and_second_call_of_the_communal_councils_law() -> None:
    # LOCC Art. 22: 30 % on first call, 20 % on second call, rounded up to whole people.
    assert required_attendance(150, Fraction(30, 100)) == 45
    assert required_attendance(151, Fraction(20, 100)) == 31
    result = check_quorum(151, 30, Fraction(20, 100))
    assert (result.reached, result.missing, result.share) == (False, 1, Fraction(30, 151))


@given(electorates, thresholds)
def test_it_requires_the_smallest_head_count_at_or_above_the_threshold(electorate, threshold):
    required = required_attendance(electorate, threshold)
    assert required >= threshold * electorate
    assert required == 0 or required - 1 < threshold * electorate
    assert 0 <= required <= electorate


@given(electorates, thresholds, thresholds)
def test_it_never_asks_fewer_people_for_a_higher_threshold(electorate, low, high):
    low, high = min(low, high), max(low, high)
    assert required_attendance(electorate, low) <= required_attendance(electorate, high)


@given(electorates, electorates, thresholds)
def test_it_never_asks_fewer_people_of_a_larger_electorate(small, large, threshold):
    small, large = min(small, large), max(small, large)
    assert required_attendance(small, threshold) <= required_attendance(large, threshold)


@given(
    st.integers(1, 10**6).flatmap(lambda e: st.tuples(st.just(e), st.integers(0, e))), thresholds
)
def test_it_is_reached_exactly_when_the_share_present_meets_the_threshold(case, threshold):
    electorate, present = case
    result = check_quorum(electorate, present, threshold)
    assert result.reached == (Fraction(present, electorate) >= threshold)
    assert result.present + result.missing >= result.required
    assert (result.missing == 0) == result.reached


@pytest.mark.parametrize(
    ("electorate", "present", "threshold", "code"),
    [
        (10, 11, Fraction(1, 2), "quorum.bad_attendance"),
        (10, -1, Fraction(1, 2), "quorum.bad_attendance"),
        (10, 5, Fraction(3, 2), "quorum.bad_threshold"),
        (10, 5, Fraction(-1, 2), "quorum.bad_threshold"),
    ],
)
def test_it_refuses_impossible_inputs(electorate, present, threshold, code) -> None:
    with pytest.raises(InputError) as caught:
        check_quorum(electorate, present, threshold)
    assert caught.value.code == code


def test_it_refuses_a_negative_electorate() -> None:
    with pytest.raises(InputError) as caught:
        required_attendance(-1, Fraction(1, 2))
    assert caught.value.code == "quorum.negative_electorate"


def test_it_counts_an_empty_electorate_as_a_zero_share() -> None:
    result = check_quorum(0, 0, Fraction(1, 3))
    assert (result.required, result.reached, result.share) == (0, True, Fraction(0))


@given(electorates, thresholds)
def test_it_requires_the_smallest_head_count_strictly_above_the_threshold(electorate, threshold):
    # LOC Art. 50: a recall referendum needs a turnout "mayor al quince por ciento".
    required = required_attendance(electorate, threshold, strict=True)
    assert required > threshold * electorate
    assert required - 1 <= threshold * electorate
    ceiling = required_attendance(electorate, threshold)
    assert required == ceiling + (ceiling == threshold * electorate)


@given(
    st.integers(1, 10**6).flatmap(lambda e: st.tuples(st.just(e), st.integers(0, e))), thresholds
)
def test_it_is_reached_strictly_exactly_when_the_share_present_exceeds_the_threshold(
    case, threshold
):
    electorate, present = case
    result = check_quorum(electorate, present, threshold, strict=True)
    assert result.reached == (Fraction(present, electorate) > threshold)


def test_it_refuses_exactly_fifteen_percent_under_a_strict_quorum() -> None:
    assert required_attendance(1000, Fraction(3, 20), strict=True) == 151
    assert required_attendance(1001, Fraction(3, 20), strict=True) == 151  # 150.15 < 151
    assert not check_quorum(1000, 150, Fraction(3, 20), strict=True).reached
    assert check_quorum(1000, 151, Fraction(3, 20), strict=True).reached
