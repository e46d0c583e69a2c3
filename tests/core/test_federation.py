"""Conformance, seats, thresholds and ratification: pure rules, with properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comuna.core import federation as fed
from comuna.core.errors import InputError

mandates = st.sampled_from([None, *fed.MANDATE_CHOICES])
votes = st.sampled_from(fed.VOTE_CHOICES)


def test_it_names_each_kind_of_conformance():
    assert fed.conformance("yes", "yes") == "conform"
    assert fed.conformance("yes", "no") == "deviation"
    assert fed.conformance("abstain", "yes") == "deviation"
    assert fed.conformance("free", "no") == "free"
    assert fed.conformance(None, "abstain") == "no_mandate"


def test_it_refuses_unknown_choices():
    with pytest.raises(InputError):
        fed.conformance("yes", "maybe")
    with pytest.raises(InputError):
        fed.conformance("obey", "yes")


@given(mandates, votes)
def test_it_deviates_exactly_when_an_imperative_mandate_differs_from_the_public_vote(m, v):
    deviates = fed.conformance(m, v) == fed.DEVIATION
    assert deviates == (m in fed.VOTE_CHOICES and m != v)


@given(st.lists(st.tuples(mandates, votes), max_size=40))
def test_it_summarises_from_the_public_votes_alone_in_any_order(pairs):
    summary = fed.summarise(pairs)
    assert summary == fed.summarise(reversed(pairs))
    assert summary.votes == len(pairs)
    assert summary.conform + summary.deviation + summary.free + summary.no_mandate == len(pairs)
    assert summary.deviation == sum(1 for m, v in pairs if m in fed.VOTE_CHOICES and m != v)
    if summary.rate is not None:
        assert 0 <= summary.rate <= 1
        assert summary.rate == Fraction(summary.conform, summary.bound)
    else:
        assert summary.bound == 0


def test_it_seats_a_commune_by_the_law():
    # LOC Art. 23: one per council, three socio-productive, one bank.
    assert fed.parliament_seats(3, per_member=1, enterprise=3, bank=1) == 7
    assert fed.majority_of_members(7) == 4
    assert fed.majority_of_members(0) == 0


@given(st.integers(0, 500), st.fractions(0, 1))
def test_it_needs_the_smallest_support_at_or_above_the_threshold(members, threshold):
    needed = fed.support_needed(members, threshold)
    assert Fraction(needed) >= threshold * members
    assert needed == 0 or Fraction(needed - 1) < threshold * members
    assert fed.threshold_reached(needed, members, threshold) == (members > 0)


def test_it_shows_the_effect_of_a_council_joining_before_the_decision():
    rules = fed.SizeRules(per_member=1, enterprise=3, bank=1)
    effect = fed.membership_effect({"a": 100, "b": 200, "c": 300}, rules, joining={"d": 400})
    assert (effect.before.seats, effect.after.seats) == (7, 8)
    assert (effect.before.majority, effect.after.majority) == (4, 5)
    assert (effect.before.extraordinary_call, effect.after.extraordinary_call) == (3, 3)
    assert (effect.before.agenda_item_call, effect.after.agenda_item_call) == (2, 3)
    assert (effect.before.referendum_turnout, effect.after.referendum_turnout) == (90, 150)


def test_it_refuses_impossible_membership_changes():
    with pytest.raises(InputError):
        fed.membership_effect({"a": 1}, fed.SizeRules(), leaving=["z"])
    with pytest.raises(InputError):
        fed.membership_effect({"a": 1}, fed.SizeRules(), joining={"a": 1})


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 1000), max_size=8))
def test_it_gives_back_the_same_composition_after_a_join_and_a_leave(electorates):
    rules = fed.SizeRules(enterprise=3, bank=1)
    joined = fed.membership_effect(electorates, rules, joining={"new!": 50}).after
    left = fed.membership_effect({**electorates, "new!": 50}, rules, leaving=["new!"]).after
    assert left == fed.composition(electorates, rules)
    assert joined.seats == left.seats + 1


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20))
def test_it_takes_effect_only_when_every_member_ratifies(ratified, rejected, members):
    if ratified + rejected > members:
        with pytest.raises(InputError):
            fed.ratification(ratified, rejected, members)
        return
    status = fed.ratification(ratified, rejected, members)
    if rejected:
        assert status == fed.NOT_RATIFIED
    elif members and ratified == members:
        assert status == fed.IN_EFFECT
    else:
        assert status == fed.PENDING
