"""Ballot-counting kernel: exact counts, refused bad codes, agreement with a plain count."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comuna.core.counting import EMPTY, INVALID, NO, YES, count_ballots, reports_from_counts
from comuna.core.errors import InputError
from comuna.core.nested import Unit, roll_up


def test_it_counts_ballots_per_unit_and_choice() -> None:
    units = np.array([0, 0, 1, 2, 2, 2], dtype=np.int32)
    choices = np.array([YES, NO, INVALID, YES, YES, EMPTY], dtype=np.uint8)
    counts = count_ballots(units, choices, 3)
    assert counts.tolist() == [[1, 1, 0, 0], [0, 0, 0, 1], [2, 0, 1, 0]]
    assert counts.dtype == np.int64


def test_it_counts_nothing_into_zeros() -> None:
    empty = np.array([], dtype=np.int32)
    assert count_ballots(empty, empty.astype(np.uint8), 2).tolist() == [[0] * 4] * 2


@pytest.mark.parametrize(
    ("units", "choices", "code"),
    [
        ([0, 3], [0, 0], "counting.out_of_range"),
        ([0, -1], [0, 0], "counting.out_of_range"),
        ([0, 1], [0, 4], "counting.out_of_range"),
        ([0, 1], [0], "counting.shape"),
    ],
)
def test_it_refuses_codes_out_of_range(units, choices, code) -> None:
    with pytest.raises(InputError) as caught:
        count_ballots(np.array(units, dtype=np.int64), np.array(choices, dtype=np.int16), 3)
    assert caught.value.code == code


def test_it_refuses_floating_point_codes() -> None:
    with pytest.raises(InputError) as caught:
        count_ballots(np.array([0.0]), np.array([0]), 1)
    assert caught.value.code == "counting.dtype"


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 3)), max_size=200)
)))  # fmt: skip
def test_it_agrees_with_a_plain_python_count(case) -> None:
    units, ballots = case
    index = np.array([b[0] for b in ballots], dtype=np.int32)
    choice = np.array([b[1] for b in ballots], dtype=np.uint8)
    counts = count_ballots(index, choice, units)
    expected = Counter(ballots)
    assert counts.tolist() == [[expected[(u, c)] for c in range(4)] for u in range(units)]


def test_it_feeds_the_roll_up_with_plain_integers() -> None:
    counts = count_ballots(np.array([0, 1, 1]), np.array([YES, NO, NO]), 2)
    reports = reports_from_counts(["a", "b"], [3, 4], counts)
    assert [type(r.yes) for r in reports] == [int, int]
    result = roll_up((Unit("f"), Unit("a", "f"), Unit("b", "f")), reports)
    assert (result.node("f").totals.yes, result.node("f").totals.no) == (1, 2)
    with pytest.raises(InputError):
        reports_from_counts(["a"], [3, 4], counts)


def test_it_adds_up_chunks_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    from comuna.core import counting

    rng = np.random.default_rng(7)
    index = rng.integers(0, 2, 1_001).astype(np.int32)
    choice = rng.integers(0, 4, 1_001).astype(np.uint8)
    whole = count_ballots(index, choice, 2)
    monkeypatch.setattr(counting, "CHUNK", 10)  # chunks of max(10, 4 * 8) = 32 ballots
    assert count_ballots(index, choice, 2).tolist() == whole.tolist()
    assert int(whole.sum()) == 1_001
    assert whole.tolist() == [
        [int(((index == u) & (choice == c)).sum()) for c in range(4)] for u in range(2)
    ]
