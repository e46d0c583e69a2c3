"""Ballot-level counting kernel: millions of ballots to per-unit totals, vectorised.

Counting single ballots is the one place where Python-level loops cannot keep up (a national
referendum is tens of millions of ballots), so this kernel uses numpy. It is exact: integer
counts from ``numpy.bincount``, with no floating point anywhere. Everything above the units
(the roll-up through communes and states) is ``comuna.core.nested``; its vectorised form
``nested_fast.roll_up_counts`` takes this kernel's output directly (ADR 0043).

A ballot is two small integers: the index of the unit whose box it was in, and its choice
code (``YES``, ``NO``, ``EMPTY``, ``INVALID``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from comuna.core.errors import InputError
from comuna.core.nested import UnitReport

YES, NO, EMPTY, INVALID = 0, 1, 2, 3
CHOICES = 4
CHUNK = 1 << 20  # ballots per pass (8 MiB of keys)


def count_ballots(
    unit_index: npt.NDArray[np.integer], choice: npt.NDArray[np.integer], units: int
) -> npt.NDArray[np.int64]:
    """Counts of each choice per unit, as an array of shape ``(units, 4)``.

    ``unit_index[i]`` and ``choice[i]`` describe ballot ``i``. Out-of-range codes are refused,
    never silently dropped or wrapped.
    """
    if unit_index.shape != choice.shape or unit_index.ndim != 1:
        raise InputError(
            "counting.shape",
            "Unit indexes and choices must be two flat arrays of the same length.",
        )
    for name, values in (("unit_index", unit_index), ("choice", choice)):
        if not np.issubdtype(values.dtype, np.integer):
            raise InputError("counting.dtype", "{name} must hold integers.", name=name)
    if units <= 0:
        raise InputError("counting.no_units", "There must be at least one unit.")
    if unit_index.size == 0:
        return np.zeros((units, CHOICES), dtype=np.int64)
    _check_range("unit_index", unit_index, units)
    _check_range("choice", choice, CHOICES)
    return _count_in_chunks(unit_index, choice, units)


def _count_in_chunks(
    unit_index: npt.NDArray[np.integer], choice: npt.NDArray[np.integer], units: int
) -> npt.NDArray[np.int64]:
    # One combined key per ballot, so one bincount pass counts every unit at once. Keys are
    # built chunk by chunk in a reused buffer of bincount's own index type (intp): a
    # cache-sized buffer is faster than one key array as long as the ballots, and the memory
    # stays bounded. Chunks are at least a few times the number of bins, so the per-chunk
    # bincount output stays a small fraction of the work.
    bins = units * CHOICES
    chunk = max(CHUNK, 4 * bins)
    totals = np.zeros(bins, dtype=np.int64)
    key = np.empty(min(chunk, unit_index.size), dtype=np.intp)
    for start in range(0, unit_index.size, chunk):
        part = key[: min(chunk, unit_index.size - start)]
        np.multiply(unit_index[start : start + chunk], CHOICES, out=part, casting="unsafe")
        np.add(part, choice[start : start + chunk], out=part, casting="unsafe")
        totals += np.bincount(part, minlength=bins)
    return totals.reshape(units, CHOICES)


def _check_range(name: str, values: npt.NDArray[np.integer], bound: int) -> None:
    low, high = int(values.min()), int(values.max())
    if low < 0 or high >= bound:
        raise InputError(
            "counting.out_of_range",
            "{name} holds values from {low} to {high}; they must lie in [0, {bound}).",
            name=name,
            low=low,
            high=high,
            bound=bound,
        )


def reports_from_counts(
    unit_ids: Sequence[str], eligible: Sequence[int], counts: npt.NDArray[np.int64]
) -> tuple[UnitReport, ...]:
    """One ``UnitReport`` per unit from the kernel's counts, in plain Python integers."""
    if counts.shape != (len(unit_ids), CHOICES) or len(eligible) != len(unit_ids):
        raise InputError(
            "counting.shape", "Need one row of counts and one electorate for each unit id."
        )
    rows: list[list[int]] = counts.tolist()
    return tuple(
        UnitReport(uid, int(elig), row[YES], row[NO], row[EMPTY], row[INVALID])
        for uid, elig, row in zip(unit_ids, eligible, rows, strict=True)
    )
