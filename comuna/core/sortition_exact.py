"""Exact panel weights from the solver's final basis (ADR 0032).

The last linear programme of LEXIMIN (or maximin) ends at a vertex: the panels in its basis
and the constraints it holds tight determine the weights as the solution of a square linear
system. Solving that system again in exact rational arithmetic, with each stage's level
replaced by the simple fraction it approximates (``snap``), removes the solver's rounding
errors; the result is then checked exactly (weights non-negative, summing to 1, every level
met). When any check fails the caller falls back to rounding to whole billionths.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

Composition = tuple[int, ...]
_SNAP_DENOMINATOR = 10**4
_SNAP_DISTANCE = 1e-11
_RETRIES = 5


@dataclass(frozen=True, slots=True)
class Vertex:
    """The final basis: which panels (and z) are basic, which rows are tight."""

    compositions: tuple[Composition, ...]
    basic: tuple[int, ...]
    """Indices into ``compositions``; -1 stands for the level variable z."""
    tight: tuple[int, ...]
    """Type rows held at their bound; ``len(sizes)`` is the row 'weights sum to 1'."""
    values: tuple[float, ...]
    """The solver's value of each basic variable (to spot degenerate ones at zero)."""
    levels: tuple[Fraction | None, ...]
    """Per type: the exact level it was fixed at, or None if it was still at level z."""


def snap(level: float) -> Fraction:
    """The simple fraction a solver level stands for (e.g. 0.0909090909 -> 1/11).

    Only a fraction with denominator up to 10,000 within 1e-11 counts as meant (a looser
    rule finds spurious fractions near any number); otherwise the binary value of the float
    itself is kept.
    """
    simple = Fraction(level).limit_denominator(_SNAP_DENOMINATOR)
    if abs(float(simple) - level) <= _SNAP_DISTANCE:
        return simple
    return Fraction(max(level, 0.0))


def exact_weights(vertex: Vertex, sizes: tuple[int, ...]) -> dict[int, Fraction] | None:
    """Exact weights per composition index, or None when the vertex does not check out.

    Degenerate basic panels (weight zero in the solver) are left out, and the system keeps
    as many tight rows as there are unknowns, preferring the sum row, the rows at a snapped
    level and the rows at level z; rows at an unsnapped level are the first to be dropped
    (they are still checked, within 1e-9, below).
    """
    columns = [c for c, v in zip(vertex.basic, vertex.values, strict=True) if c < 0 or v > 1e-12]
    order = sorted(vertex.tight, key=lambda row: _priority(vertex, sizes, row))
    # A panel the solver weighed at ~1e-12 can come out slightly negative once the unsnapped
    # levels are taken literally: leave such panels out and solve again (a few times at most).
    for _ in range(_RETRIES):
        solution = _solve_basis(vertex, sizes, order, columns)
        if solution is None:
            return None
        negative = {c for c, v in zip(columns, solution, strict=True) if c >= 0 and v < 0}
        if not negative:
            break
        columns = [c for c in columns if c not in negative]
    else:
        return None
    weights = {c: v for c, v in zip(columns, solution, strict=True) if c >= 0}
    z = next((v for c, v in zip(columns, solution, strict=True) if c < 0), None)
    if any(w < 0 for w in weights.values()) or sum(weights.values()) != 1:
        return None
    for t, level in enumerate(vertex.levels):
        expected = (
            sum((w * vertex.compositions[c][t] for c, w in weights.items()), Fraction(0)) / sizes[t]
        )
        floor = level if level is not None else z
        if floor is None or expected < floor - _slack(floor):
            return None
    return {c: w for c, w in weights.items() if w}


def _solve_basis(
    vertex: Vertex, sizes: tuple[int, ...], order: list[int], columns: list[int]
) -> list[Fraction] | None:
    equations = [_equation(vertex, sizes, row, columns) for row in order]
    kept = _independent(equations, len(columns))
    if len(kept) < len(columns):
        return None
    return _solve([equations[i] for i in kept], len(columns))


def _independent(equations: list[tuple[list[int], Fraction]], limit: int) -> list[int]:
    """Indices of the first equations (in order) with independent coefficient rows.

    A float Gram-Schmidt only *chooses* the rows (coefficients are small integers, so rank is
    clear-cut); the chosen system is then solved exactly, and a wrong choice shows up there as
    a singular system or a failed check, never as a wrong answer.
    """
    basis: list[NDArray[np.float64]] = []
    kept: list[int] = []
    for index, (coefficients, _) in enumerate(equations):
        vector = np.array(coefficients, dtype=np.float64)
        scale = float(np.linalg.norm(vector))
        for _ in range(2):  # twice, for numerical orthogonality
            for b in basis:
                vector -= float(vector @ b) * b
        norm = float(np.linalg.norm(vector))
        if scale and norm > 1e-9 * scale:
            basis.append(vector / norm)
            kept.append(index)
            if len(kept) == limit:
                break
    return kept


def _priority(vertex: Vertex, sizes: tuple[int, ...], row: int) -> int:
    if row == len(sizes):
        return 0
    level = vertex.levels[row]
    return 1 if level is None or not _slack(level) else 2


def _slack(level: Fraction) -> Fraction:
    """A snapped level must be met exactly; a level kept as a float only to within 1e-9."""
    return Fraction(0) if level.denominator <= _SNAP_DENOMINATOR else Fraction(1, 10**9)


def _equation(
    vertex: Vertex, sizes: tuple[int, ...], row: int, columns: list[int]
) -> tuple[list[int], Fraction]:
    """Integer coefficients of the basic columns in a tight row, and its right-hand side.

    A type row is multiplied by the type's size, so panel counts appear as they are.
    """
    if row == len(sizes):
        return [0 if c < 0 else 1 for c in columns], Fraction(1)
    level = vertex.levels[row]
    size = sizes[row]
    coefficients = [
        (-size if level is None else 0) if c < 0 else vertex.compositions[c][row] for c in columns
    ]
    return coefficients, Fraction(0) if level is None else level * size


def _solve(equations: list[tuple[list[int], Fraction]], unknowns: int) -> list[Fraction] | None:
    """Bareiss fraction-free elimination, then exact back substitution; None if singular.

    The matrix stays in integers (each entry is a minor, so they stay small), and only the
    right-hand side is in ``Fraction``: far faster than elimination on ``Fraction`` objects.
    """
    rows = [coefficients for coefficients, _ in equations]
    right = [value for _, value in equations]
    previous = 1
    for col in range(unknowns):
        pivot = next((r for r in range(col, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        right[col], right[pivot] = right[pivot], right[col]
        head, lead = rows[col], rows[col][col]
        for r in range(col + 1, len(rows)):
            other, factor = rows[r], rows[r][col]
            for j in range(col + 1, unknowns):
                other[j] = (other[j] * lead - factor * head[j]) // previous
            other[col] = 0
            right[r] = (right[r] * lead - factor * right[col]) / previous
        previous = lead
    solution = [Fraction(0)] * unknowns
    for i in range(unknowns - 1, -1, -1):
        rest = sum((rows[i][j] * solution[j] for j in range(i + 1, unknowns)), Fraction(0))
        solution[i] = (right[i] - rest) / rows[i][i]
    return solution
