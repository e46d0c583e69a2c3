"""Rotation other than by election: seeded lot, roster of turns, short shifts (pure core)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comuna.core import rotation
from comuna.core.errors import InputError


def test_it_draws_by_a_seed_anyone_can_recompute():
    draw = rotation.draw_by_lot(["12", "7", "31", "4"], 2, "acta-2026-03-01")
    by_hand = sorted(
        ["12", "31", "4", "7"],
        key=lambda key: hashlib.sha256(f"acta-2026-03-01:{key}".encode()).hexdigest(),
    )
    assert draw.ranking == tuple(by_hand) and draw.chosen == tuple(by_hand[:2])
    assert draw.pool == ("12", "31", "4", "7") and draw.algorithm == "sha256-rank/1"


@given(st.sets(st.text(min_size=1, max_size=5), min_size=1, max_size=12), st.text(min_size=1))
def test_it_chooses_the_same_whatever_the_order_of_the_volunteers(pool, seed):
    if not seed.strip():
        return
    keys = sorted(pool)
    forward = rotation.draw_by_lot(keys, 1, seed)
    backward = rotation.draw_by_lot(list(reversed(keys)), 1, seed)
    assert forward == backward


def test_it_refuses_a_draw_without_seed_or_with_too_few_volunteers():
    with pytest.raises(InputError):
        rotation.draw_by_lot(["1"], 1, " ")
    with pytest.raises(InputError):
        rotation.draw_by_lot(["1"], 2, "s")
    with pytest.raises(InputError):
        rotation.draw_by_lot(["1", "1"], 1, "s")


def test_it_passes_the_turn_to_the_next_household_and_starts_over():
    roster = ["H1", "H2", "H3"]
    assert rotation.next_in_roster(roster, []) == "H1"
    assert rotation.next_in_roster(roster, ["H1"]) == "H2"
    assert rotation.next_in_roster(roster, ["H1", "H2", "H3"]) == "H1"
    assert rotation.next_in_roster(roster, ["H2", "gone"]) == "H3"
    with pytest.raises(InputError):
        rotation.next_in_roster([], [])


def test_it_plans_back_to_back_shifts():
    plan = rotation.shift_plan(["a", "b"], dt.date(2026, 1, 1), 14, rounds=2)
    assert [s.member for s in plan] == ["a", "b", "a", "b"]
    assert plan[0].ends_on == dt.date(2026, 1, 14) and plan[1].starts_on == dt.date(2026, 1, 15)
    assert plan[-1].ends_on == dt.date(2026, 2, 25)
    with pytest.raises(InputError):
        rotation.shift_plan([], dt.date(2026, 1, 1), 14)
