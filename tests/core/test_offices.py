"""Eligibility, term and recall dates, and the counts of office elections (pure core)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comuna.core import offices, rulesets
from comuna.core.blt import Ballot, Election
from comuna.core.errors import InputError, TieError

PARAMS = rulesets.profile("venezuela-2009")
ON = dt.date(2026, 6, 1)


def standing(**overrides) -> offices.Standing:
    base = {"unit": "audit", "age": 40, "residence_years": 5}
    return offices.Standing(**{**base, **overrides})


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_it_finds_an_adult_resident_of_a_year_eligible():
    assert offices.eligibility(standing(), PARAMS, ON) == ()


def test_it_asks_18_for_finance_and_audit_and_15_for_committees():
    assert codes(offices.eligibility(standing(age=17), PARAMS, ON)) == ["offices.too_young"]
    assert offices.eligibility(standing(unit="executive", age=15), PARAMS, ON) == ()
    assert codes(offices.eligibility(standing(unit="executive", age=14), PARAMS, ON)) == [
        "offices.too_young"
    ]


def test_it_waives_the_year_of_residence_in_a_new_community():
    assert codes(offices.eligibility(standing(residence_years=0), PARAMS, ON)) == [
        "offices.residence_too_short"
    ]
    assert offices.eligibility(standing(residence_years=0, new_community=True), PARAMS, ON) == ()


def test_it_bars_a_recalled_person_until_the_ban_ends():
    barred = standing(recall_barred_until=dt.date(2027, 1, 1))
    problems = offices.eligibility(barred, PARAMS, ON)
    assert (
        codes(problems) == ["offices.recall_barred"]
        and problems[0].as_dict["until"] == "2027-01-01"
    )
    assert offices.eligibility(barred, PARAMS, dt.date(2027, 1, 1)) == ()


def test_it_applies_kinship_by_household_only_to_finance_and_audit_and_when_asked():
    kin = ("Rosa Pérez",)
    assert codes(offices.eligibility(standing(shares_household_with=kin), PARAMS, ON)) == [
        "offices.kinship"
    ]
    assert (
        offices.eligibility(standing(unit="executive", shares_household_with=kin), PARAMS, ON) == ()
    )
    relaxed = {**PARAMS, "kinship_exclusion": "none"}
    assert offices.eligibility(standing(shares_household_with=kin), relaxed, ON) == ()


def test_it_keeps_the_electoral_commission_out_of_the_units_and_candidates_to_one_unit():
    assert codes(offices.eligibility(standing(on_electoral_commission=True), PARAMS, ON)) == [
        "offices.commission_member"
    ]
    assert (
        offices.eligibility(standing(unit="electoral", on_electoral_commission=True), PARAMS, ON)
        == ()
    )
    on_unit = standing(unit="electoral", on_finance_or_audit_unit=True)
    assert codes(offices.eligibility(on_unit, PARAMS, ON)) == ["offices.unit_member"]
    assert codes(offices.eligibility(standing(standing_for_other_unit=True), PARAMS, ON)) == [
        "offices.other_unit"
    ]
    assert codes(offices.eligibility(standing(holds_other_unit=True), PARAMS, ON)) == [
        "offices.holds_other_unit"
    ]


def test_it_limits_consecutive_terms_with_an_optional_cool_down():
    limited = {**PARAMS, "reelection_limit": 2}
    assert offices.eligibility(standing(consecutive_terms=1), limited, ON) == ()
    assert codes(offices.eligibility(standing(consecutive_terms=2), limited, ON)) == [
        "offices.reelection_limit"
    ]
    cooled = {**limited, "cool_down_years": 2}
    problems = offices.eligibility(
        standing(consecutive_terms=2, last_term_ended=dt.date(2026, 1, 1)), cooled, ON
    )
    assert codes(problems) == ["offices.cool_down"] and problems[0].as_dict["until"] == "2028-01-01"
    assert (
        offices.eligibility(standing(consecutive_terms=9), PARAMS, ON) == ()
    )  # no limit (LOCC 12)


def test_it_counts_consecutive_terms_until_a_rest_breaks_the_run():
    two = [(dt.date(2020, 1, 1), dt.date(2022, 1, 1)), (dt.date(2022, 1, 10), dt.date(2024, 1, 10))]
    assert offices.consecutive_terms(two, dt.date(2024, 1, 20), 0) == 2
    assert offices.consecutive_terms(two, dt.date(2024, 6, 1), 0) == 0  # rested since
    assert offices.consecutive_terms(two, dt.date(2025, 6, 1), 2) == 2  # cool-down not over
    assert offices.consecutive_terms(two, dt.date(2026, 1, 10), 2) == 0
    assert offices.consecutive_terms([], ON, 0) == 0


def test_it_opens_recall_at_mid_term_and_needs_a_tenth_of_the_electorate():
    start, end = dt.date(2024, 3, 1), dt.date(2026, 3, 1)
    assert offices.recall_opens_on(start, end, Fraction(1, 2)) == dt.date(2025, 3, 1)
    assert offices.recall_opens_on(start, end, Fraction(0)) == start
    assert offices.signatures_needed(250, Fraction(1, 10)) == 25
    assert offices.signatures_needed(251, Fraction(1, 10)) == 26
    assert offices.signatures_needed(3, Fraction(1, 10)) == 1


@given(st.integers(0, 10**6), st.fractions(0, 1))
def test_it_needs_at_least_the_threshold_and_no_more_than_one_extra(electorate, threshold):
    needed = offices.signatures_needed(electorate, threshold)
    assert needed >= threshold * electorate and needed >= 1
    assert needed - 1 < max(threshold * electorate, 1)


def test_it_pairs_principals_with_runners_up_by_votes():
    votes = {"a": 5, "b": 9, "c": 1, "d": 7, "e": 3}
    result = offices.count_uninominal(votes, list(votes), 2)
    assert result.principals == ("b", "d") and result.alternates == ("a", "e")
    assert result.votes == tuple(votes.items())


def test_it_refuses_a_tie_at_the_last_seat_unless_a_lot_order_is_given():
    votes = {"a": 5, "b": 4, "c": 4}
    with pytest.raises(TieError):
        offices.count_uninominal(votes, list(votes), 2)
    result = offices.count_uninominal(votes, list(votes), 2, tie_break=["c", "b", "a"])
    assert result.principals == ("a", "c") and result.alternates == ("b",) and result.ties


def test_it_refuses_negative_counts():
    with pytest.raises(InputError):
        offices.count_uninominal({"a": -1, "b": 2}, ["a", "b"], 1)


def test_it_takes_stv_alternates_in_the_order_they_stayed_in_the_count():
    election = Election(
        candidates=("a", "b", "c", "d"),
        seats=1,
        ballots=(Ballot(4, (0,)), Ballot(3, (1,)), Ballot(2, (2, 1)), Ballot(1, (3, 2))),
    )
    result = offices.count_ranked(election)
    # d is excluded first, then c; b reaches the quota (6) on c's papers.
    assert result.principals == ("b",)
    assert result.alternates == ("a",)
    assert result.stv is not None and result.stv.quota == 6
    two = offices.count_ranked(Election(election.candidates, 2, election.ballots))
    assert set(two.principals) == {"a", "b"} and two.alternates == ("c", "d")
