"""Decision rules on yes/no/abstain counts, and plurality / approval tallies."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from comuna.core.errors import InputError, TieError
from comuna.core.tally import DECISION_RULES, VoteCounts, approval, decide, plurality

counts = st.builds(VoteCounts, st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))


def _decide(c: VoteCounts, rule: str, extra_attendees: int = 0, extra_members: int = 0):
    attendees = c.cast + extra_attendees
    return decide(c, rule, attendees=attendees, members=attendees + extra_members)


@given(counts, st.integers(0, 100))
def test_it_approves_a_majority_of_votes_exactly_when_yes_beats_no(c, absent) -> None:
    assert _decide(c, "majority_of_votes", absent).approved == (c.yes > c.no)


@given(counts, st.integers(0, 100))
def test_it_approves_a_majority_of_attendees_exactly_when_yes_is_over_half(c, silent) -> None:
    decision = _decide(c, "majority_of_attendees", silent)
    assert decision.approved == (2 * c.yes > c.cast + silent)
    assert decision.base == c.cast + silent


@given(counts, st.integers(0, 100))
def test_it_approves_two_thirds_exactly_when_yes_reaches_two_thirds(c, silent) -> None:
    attendees = c.cast + silent
    expected = attendees > 0 and 3 * c.yes >= 2 * attendees
    assert _decide(c, "two_thirds_of_attendees", silent).approved == expected


@given(counts, st.integers(0, 10**6))
def test_it_takes_a_majority_of_members_over_all_members_present_or_not(c, away) -> None:
    assert _decide(c, "majority_of_members", 0, away).approved == (2 * c.yes > c.cast + away)


@given(counts, st.sampled_from(sorted(DECISION_RULES)))
def test_it_never_approves_more_easily_with_fewer_yes(c, rule) -> None:
    assume(c.yes > 0)
    fewer = VoteCounts(c.yes - 1, c.no + 1, c.abstain)
    if _decide(fewer, rule).approved:
        assert _decide(c, rule).approved


def test_it_notes_attendees_who_did_not_vote() -> None:
    decision = decide(VoteCounts(5, 3, 1), "majority_of_attendees", attendees=12, members=30)
    assert decision.notes == ("3 attendees did not vote",)
    assert (decision.needed, decision.approved) == (7, False)


@pytest.mark.parametrize(
    ("votes", "rule", "attendees", "code"),
    [
        (VoteCounts(1, 1), "most_shouting", 2, "tally.unknown_rule"),
        (VoteCounts(-1, 1), "majority_of_votes", 2, "tally.negative_count"),
        (VoteCounts(3, 1), "majority_of_votes", 2, "tally.more_votes_than_attendees"),
    ],
)
def test_it_refuses_bad_counts(votes, rule, attendees, code) -> None:
    with pytest.raises(InputError) as caught:
        decide(votes, rule, attendees=attendees, members=10)
    assert caught.value.code == code


# --- plurality and approval --------------------------------------------------------------

CANDIDATES = ("ana", "beto", "carmen", "dora")
ballot_lists = st.lists(st.sampled_from(CANDIDATES), max_size=60)


def test_it_elects_by_plurality_and_keeps_the_candidate_order_in_the_counts() -> None:
    result = plurality(["beto", "ana", "beto", "dora"], CANDIDATES)
    assert result.votes == (("ana", 1), ("beto", 2), ("carmen", 0), ("dora", 1))
    assert (result.winners, result.ballots, result.ties) == (("beto",), 4, ())


def test_it_refuses_a_tie_without_a_tie_break_and_records_one_broken_by_order() -> None:
    with pytest.raises(TieError) as caught:
        plurality(["ana", "beto", "carmen"], CANDIDATES, seats=2)
    assert caught.value.code == "tally.tie"
    assert caught.value.params["seats"] == 2
    result = plurality(
        ["ana", "beto", "carmen"], CANDIDATES, seats=2, tie_break=["carmen", "ana", "beto"]
    )
    assert result.winners == ("carmen", "ana")
    assert result.ties == (
        "ana, beto, carmen tied with 1 votes for 2 seat(s); the tie-break order chose carmen, ana",
    )


def test_it_elects_the_most_approved_options() -> None:
    ballots = [{"ana", "beto"}, {"beto"}, set(), {"carmen", "beto", "ana"}]
    result = approval(ballots, CANDIDATES, seats=2)
    assert result.winners == ("beto", "ana")
    assert result.ballots == 4


@pytest.mark.parametrize(
    ("ballots", "kwargs", "code"),
    [
        ([["zoe"]], {}, "tally.unknown_candidate"),
        ([["ana", "ana"]], {}, "tally.duplicate_mark"),
        ([], {"seats": 5}, "tally.bad_seats"),
        ([], {"seats": 0}, "tally.bad_seats"),
    ],
)
def test_it_refuses_bad_approval_ballots(ballots, kwargs, code) -> None:
    with pytest.raises(InputError) as caught:
        approval(ballots, CANDIDATES, **kwargs)
    assert caught.value.code == code


@given(ballot_lists, st.integers(1, 4), st.randoms(use_true_random=False))
def test_it_elects_no_one_with_fewer_votes_than_a_loser(ballots, seats, rnd) -> None:
    order = list(CANDIDATES)
    rnd.shuffle(order)
    result = plurality(ballots, CANDIDATES, seats=seats, tie_break=order)
    votes = dict(result.votes)
    assert len(result.winners) == seats
    losers = set(CANDIDATES) - set(result.winners)
    assert all(votes[w] >= votes[x] for w in result.winners for x in losers)
    assert sum(votes.values()) == result.ballots == len(ballots)
    assert votes == {c: Counter(ballots)[c] for c in CANDIDATES}


@given(st.lists(st.sets(st.sampled_from(CANDIDATES)), max_size=40), st.integers(1, 4))
def test_it_does_not_depend_on_the_order_of_ballots(ballots, seats) -> None:
    shuffled = list(ballots)
    random.Random(len(ballots)).shuffle(shuffled)
    order = list(reversed(CANDIDATES))
    first = approval(ballots, CANDIDATES, seats=seats, tie_break=order)
    assert first == approval(shuffled, CANDIDATES, seats=seats, tie_break=order)
    assert sum(v for _, v in first.votes) == sum(len(b) for b in ballots)


@given(ballot_lists)
def test_it_counts_plurality_as_approval_of_single_marks(ballots) -> None:
    order = list(CANDIDATES)
    single = plurality(ballots, CANDIDATES, tie_break=order)
    as_approval = approval([[b] for b in ballots], CANDIDATES, tie_break=order)
    assert (single.votes, single.winners) == (as_approval.votes, as_approval.winners)
