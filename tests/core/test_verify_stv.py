"""The verifier's own Scottish STV count (stdlib only) agrees with ``core.stv`` everywhere.

Two independent implementations of rules 45-52 must give the same elected, in the same
order, with the same total for every candidate at every stage: on every 2017 Scottish ward
and on random small elections built to tie often, with and without a lot.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comuna import verify
from comuna.core.blt import Ballot, Election, parse_blt
from comuna.core.errors import TieError
from comuna.core.offices import count_ranked
from comuna.core.stv import Lot, StvResult, count_stv
from tests.core.test_purity import imported_modules

WARDS = "stv/scotland-2017/blt"


def _recount(e: Election, lot: list[int] | None = None) -> verify.StvRecount:
    ballots = [(b.weight, list(b.ranking)) for b in e.ballots]
    return verify.ScottishStv(len(e.candidates), e.seats, ballots, lot).count()


def _assert_same(core: StvResult, ours: verify.StvRecount) -> None:
    assert (ours.valid, ours.quota, ours.elected) == (core.valid, core.quota, core.elected)
    assert len(ours.stages) == len(core.stages)
    for theirs, mine in zip(core.stages, ours.stages, strict=True):
        assert (mine.action, mine.candidate, mine.elected) == (
            theirs.action,
            theirs.candidate,
            theirs.elected,
        )
        assert mine.totals == tuple(int(v.scaleb(5)) for v in theirs.totals)
        assert mine.non_transferable == int(theirs.non_transferable.scaleb(5))


def test_it_recounts_every_2017_scottish_ward_as_the_core_does(shared_data: Path) -> None:
    files = sorted((shared_data / WARDS).glob("*.blt"))
    assert len(files) == 225
    spent = 0.0
    for path in files:
        election = parse_blt(path.read_text(encoding="utf-8"))
        assert not election.withdrawn
        started = time.perf_counter()
        ours = _recount(election)
        spent += time.perf_counter() - started
        _assert_same(count_stv(election), ours)
    # About 0.8 s for all 225 wards on the development machine; a generous bound.
    assert spent < 20


@st.composite
def tie_prone(draw: st.DrawFn) -> tuple[Election, list[int]]:
    """Few papers of small weight, so that equal totals (and lots) are common."""
    n = draw(st.integers(min_value=2, max_value=7))
    rankings = st.permutations(range(n)).flatmap(
        lambda order: st.integers(0, n).map(lambda k: tuple(order[:k]))
    )
    groups = draw(st.lists(st.builds(Ballot, st.integers(1, 3), rankings), max_size=14))
    seats = draw(st.integers(1, n))
    lot = list(draw(st.permutations(range(n))))
    candidates = tuple(str(i + 1) for i in range(n))
    return Election(candidates, seats, tuple(b for b in groups if b.ranking)), lot


@given(tie_prone())
@settings(max_examples=400, deadline=None)
def test_it_agrees_with_the_core_on_random_elections_with_a_lot(case) -> None:  # type: ignore[no-untyped-def]
    election, lot = case
    core = count_ranked(election, lot)
    assert core.stv is not None
    ours = _recount(election, lot)
    _assert_same(core.stv, ours)
    names = election.candidates
    assert core.alternates == tuple(names[c] for c in ours.alternates)


@given(tie_prone())
@settings(max_examples=200, deadline=None)
def test_it_needs_a_lot_exactly_when_the_core_does(case) -> None:  # type: ignore[no-untyped-def]
    election, _lot = case
    try:
        core = count_stv(election)
    except TieError:
        with pytest.raises(verify.TieNeedsLot):
            _recount(election)
    else:
        _assert_same(core, _recount(election))


def test_it_breaks_a_three_way_tie_by_the_recorded_lot() -> None:
    # A, B, C level at every stage; one seat: the lot excludes its least favoured first.
    election = Election(("A", "B", "C"), 1, (Ballot(2, (0,)), Ballot(2, (1,)), Ballot(2, (2,))))
    with pytest.raises(verify.TieNeedsLot):
        _recount(election)
    ours = _recount(election, [2, 0, 1])
    _assert_same(count_stv(election, lot=Lot(order=(2, 0, 1))), ours)
    assert ours.elected == (2,) and [s.candidate for s in ours.stages[1:]] == [1, 0]


def test_it_keeps_the_verifier_to_the_standard_library() -> None:
    modules = imported_modules(Path(verify.__file__))
    assert {m.split(".")[0] for m in modules} <= sys.stdlib_module_names
