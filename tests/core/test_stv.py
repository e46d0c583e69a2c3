"""Scottish STV on small hand-counted elections, and properties on random ones."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comuna.core.blt import Ballot, Election
from comuna.core.errors import InputError, TieError
from comuna.core.stv import Lot, StvResult, ValueTransfer, count_stv


def election(seats: int, names: str, *groups: tuple[int, str]) -> Election:
    """``groups`` are (weight, ranking as letters), e.g. (10, "ABC")."""
    index = {name: i for i, name in enumerate(names)}
    ballots = tuple(Ballot(w, tuple(index[c] for c in ranking)) for w, ranking in groups)
    return Election(candidates=tuple(names), seats=seats, ballots=ballots)


def votes(result: StvResult, stage: int) -> list[str]:
    return [str(v) for v in result.stages[stage - 1].totals]


def test_it_truncates_each_transfer_value_to_five_decimals() -> None:
    result = count_stv(election(2, "ABC", (5, "AB"), (2, "AC"), (1, "B"), (3, "C")))
    assert result.quota == 4
    # 3/7 = 0.428571... carried as 0.42857 on each of A's 7 papers; 0.00001 is lost.
    assert votes(result, 2) == ["4.00000", "3.14285", "3.85714"]
    assert result.stages[1].value_transfers == (
        ValueTransfer(7, Decimal("1.00000"), Decimal("0.42857")),
    )
    assert result.stages[1].lost_to_truncation == Decimal("0.00001")
    assert result.stages[2].action == "exclusion"
    assert result.stages[2].non_transferable == Decimal("3.14286")
    assert result.elected_names == ("A", "C")


def test_it_weighs_surplus_papers_by_the_value_they_arrived_with() -> None:
    result = count_stv(election(3, "ABCD", (10, "ABC"), (3, "BD"), (4, "C"), (3, "D")))
    assert result.quota == 6
    assert votes(result, 2) == ["6.00000", "7.00000", "4.00000", "3.00000"]
    # B's surplus of 1 out of 7: papers worth 1 go on at 0.14285, A's papers (0.4) at 0.05714.
    assert votes(result, 3) == ["6.00000", "6.00000", "4.57140", "3.42855"]
    assert [(t.papers, str(t.transfer_value)) for t in result.stages[2].value_transfers] == [
        (10, "0.05714"),
        (3, "0.14285"),
    ]
    assert result.elected_names == ("A", "B", "C")
    assert result.stage_elected(2) == 4
    assert any("rule 52" in note for note in result.notes)


def test_it_transfers_the_largest_surplus_first_and_skips_the_elected() -> None:
    result = count_stv(election(3, "ABCD", (8, "ABD"), (6, "BAC"), (2, "C"), (3, "D")))
    assert result.quota == 5
    assert result.stages[1].candidate == 0
    # A's papers pass over B, already elected, to D (3/8 = 0.375 each).
    assert votes(result, 2) == ["5.00000", "6.00000", "2.00000", "6.00000"]
    # The seats are filled: B's surplus is never transferred.
    assert len(result.stages) == 2
    assert result.elected_names == ("A", "B", "D")


def test_it_refuses_a_tie_that_only_a_lot_can_break() -> None:
    tied = election(1, "ABCD", (3, "A"), (2, "B"), (1, "C"), (1, "D"))
    with pytest.raises(TieError) as caught:
        count_stv(tied)
    assert caught.value.code == "stv.tie"
    assert caught.value.params["candidates"] == "C, D"


def test_it_breaks_an_exclusion_tie_by_the_given_lot_order() -> None:
    tied = election(1, "ABCD", (3, "A"), (2, "B"), (1, "C"), (1, "D"))
    first = count_stv(tied, lot=Lot(order=(0, 1, 2, 3)))
    assert first.stages[1].candidate == 3
    assert (first.ties[0].tied, first.ties[0].decided_by) == ((2, 3), "lot")
    assert count_stv(tied, lot=Lot(order=(0, 1, 3, 2))).stages[1].candidate == 2


def test_it_breaks_ties_by_the_most_recent_stage_at_which_they_differed() -> None:
    # X and Y tie at 5 at stage 3; Y had fewer at stage 2, X had fewer at stage 1.
    tied = election(1, "AXYPR", (8, "A"), (3, "X"), (4, "Y"), (2, "PX"), (1, "RY"), (2, "R"))
    statute = count_stv(tied)
    assert (statute.ties[0].chosen, statute.ties[0].decided_by) == (2, "stage 2")
    earliest = count_stv(tied, tie_history="earliest")
    assert (earliest.ties[0].chosen, earliest.ties[0].decided_by) == (1, "stage 1")


def test_it_needs_a_lot_for_equal_surpluses_whose_order_matters() -> None:
    tied = election(3, "ABCDE", (5, "AC"), (5, "BD"), (1, "C"), (1, "D"), (2, "E"))
    with pytest.raises(TieError):
        count_stv(tied)
    result = count_stv(tied, lot=Lot(order=(1, 0, 2, 3, 4)))
    assert result.stages[1].candidate == 1
    assert result.ties[0].purpose == "surplus_order"


def test_it_orders_simultaneous_winners_without_a_lot_when_nothing_depends_on_it() -> None:
    result = count_stv(election(2, "ABC", (3, "A"), (3, "B"), (1, "C")))
    assert result.elected_names == ("A", "B")
    assert result.ties[0].decided_by == "candidate order"


def test_it_derives_a_seeded_lot_that_anyone_can_recompute() -> None:
    names = ("Ann", "Bob", "Cat")
    expected = sorted(
        range(3), key=lambda i: hashlib.sha256(f"town-2026:{i}:{names[i]}".encode()).hexdigest()
    )
    assert Lot(seed="town-2026").ranking(names) == tuple(expected)
    with pytest.raises(InputError):
        Lot(order=(0, 0, 1)).ranking(names)


def test_it_strikes_out_withdrawn_candidates_and_blank_papers() -> None:
    base = election(1, "ABC", (4, "BA"), (3, "C"), (2, "B"))
    result = count_stv(Election(base.candidates, 1, base.ballots, withdrawn=frozenset({1})))
    assert (result.valid, result.blank, result.quota) == (7, 2, 4)
    assert result.elected_names == ("A",)


def test_it_elects_everyone_when_candidates_do_not_exceed_seats() -> None:
    result = count_stv(election(3, "AB", (1, "A")))
    assert result.elected_names == ("A", "B")
    assert any("stay empty" in note for note in result.notes)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    n = draw(st.integers(min_value=1, max_value=6))
    rankings = st.permutations(range(n)).flatmap(
        lambda order: st.integers(1, n).map(lambda k: tuple(order[:k]))
    )
    groups = draw(st.lists(st.builds(Ballot, st.integers(1, 60), rankings), max_size=12))
    return Election(
        candidates=tuple(f"C{i}" for i in range(n)),
        seats=draw(st.integers(1, n)),
        ballots=tuple(groups),
    )


LOT = Lot(seed="property")


@given(elections())
def test_it_always_fills_the_seats_with_distinct_candidates(e: Election) -> None:
    result = count_stv(e, lot=LOT)
    assert len(result.elected) == e.seats
    assert len(set(result.elected)) == e.seats


@given(elections())
def test_it_computes_the_droop_quota_exactly(e: Election) -> None:
    result = count_stv(e, lot=LOT)
    assert result.valid == sum(b.weight for b in e.ballots)
    assert result.quota == result.valid // (e.seats + 1) + 1
    assert result.quota * (e.seats + 1) > result.valid


@given(elections())
def test_it_accounts_for_every_vote_at_every_stage(e: Election) -> None:
    result = count_stv(e, lot=LOT)
    for stage in result.stages:
        assert sum(stage.totals) + stage.non_transferable == result.valid
        assert all(v >= 0 for v in stage.totals)
        assert stage.totals == tuple(v.quantize(Decimal("0.00001")) for v in stage.totals)


@given(elections(), st.randoms(use_true_random=False))
@settings(max_examples=60)
def test_it_does_not_depend_on_the_order_or_grouping_of_papers(e: Election, rng) -> None:  # type: ignore[no-untyped-def]
    papers = [Ballot(1, b.ranking) for b in e.ballots for _ in range(b.weight)]
    rng.shuffle(papers)
    shuffled = Election(e.candidates, e.seats, tuple(papers))
    assert count_stv(shuffled, lot=LOT) == count_stv(e, lot=LOT)


@given(elections())
def test_it_elects_only_at_quota_or_as_the_last_continuing(e: Election) -> None:
    result = count_stv(e, lot=LOT)
    final = result.stages[-1]
    for candidate in result.elected:
        stage = result.stage_elected(candidate)
        assert stage is not None
        reached = result.stages[stage - 1].totals[candidate] >= result.quota
        assert reached or stage == final.number


@given(elections())
def test_it_needs_no_lot_when_the_lot_was_never_used(e: Election) -> None:
    with_lot = count_stv(e, lot=LOT)
    if all(t.decided_by != "lot" for t in with_lot.ties):
        assert count_stv(e) == with_lot
    else:
        with pytest.raises(TieError):
            count_stv(e)
