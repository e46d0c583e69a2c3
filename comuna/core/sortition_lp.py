"""The fairest selection probabilities: LEXIMIN, maximin and Nash by column generation.

Follows Flanigan, Gölz, Gupta, Hennig, Procaccia (Nature 596, 2021): a distribution over
feasible panels (the *portfolio*) is grown one panel at a time; a linear programme over the
panels found so far gives dual prices for the people, and an integer programme (the oracle)
finds the feasible panel that is most valuable at those prices. When no panel improves, the
lowest probability is optimal; LEXIMIN then fixes the people whose dual price is positive at
that level and maximises the next lowest, until everyone is fixed.

Two departures from the paper, both decided in ADR 0030: the programmes are over *types*
(people with identical feature values, see ``sortition.person_types``) with a panel being a
count per type, so pools with few distinct types (the Nature examples: 2,000 people, 3 types)
collapse to a handful of variables; and the solver is HiGHS through ``highspy`` (ADR 0031).

Everything here is floating point; ``lottery`` rounds the result to exact rationals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np
from numpy.typing import NDArray

from comuna.core.errors import RuleError
from comuna.core.sortition_exact import Vertex, snap

Progress = Callable[[str, float], None]
Composition = tuple[int, ...]

ALGORITHMS = ("leximin", "maximin", "nash")
_INF = highspy.kHighsInf
# A column improves when its reduced price beats the master's by more than this (relative to 1,
# the scale of probabilities); HiGHS' own feasibility tolerance is 1e-7.
_IMPROVE_TOL = 1e-9
_DUAL_TOL = 1e-9
_MAX_COLUMNS = 100_000


@dataclass(frozen=True, slots=True)
class Quotas:
    """The lottery as the solvers see it: type sizes and, per quota, which types count."""

    sizes: tuple[int, ...]
    rows: tuple[tuple[tuple[int, ...], int, int], ...]
    """(types having the value, min, max) per quota."""
    panel_size: int


@dataclass(frozen=True, slots=True)
class StageLog:
    fixed: tuple[int, ...]
    """Types fixed at this stage (their probability cannot rise without lowering another)."""
    level: float
    panels: int
    """Panels in the portfolio when the stage ended."""


@dataclass(frozen=True, slots=True)
class FloatPortfolio:
    compositions: tuple[Composition, ...]
    weights: tuple[float, ...]
    stages: tuple[StageLog, ...]
    never_selectable: tuple[int, ...]
    vertex: Vertex | None
    """The final basis, to recompute the weights exactly (None for Nash)."""


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance (highspy ships without type hints)."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    return h


class Oracle:
    """Integer programme: the feasible panel (counts per type) of largest total weight."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas
        n = len(quotas.sizes)
        h = new_highs()
        h.setOptionValue("mip_rel_gap", 1e-10)
        h.setOptionValue("mip_abs_gap", 1e-12)
        h.addVars(n, np.zeros(n), np.array(quotas.sizes, dtype=np.float64))
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
        )
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        all_types = np.arange(n, dtype=np.int32)
        k = float(quotas.panel_size)
        h.addRow(k, k, n, all_types, np.ones(n))
        for members, low, high in quotas.rows:
            index = np.array(members, dtype=np.int32)
            h.addRow(float(low), float(high), len(members), index, np.ones(len(members)))
        self._highs = h

    def best(self, weights: NDArray[np.float64]) -> tuple[Composition, float]:
        """Best panel for ``weights`` (value of one selected person of each type)."""
        n = len(self.quotas.sizes)
        self._highs.changeColsCost(n, np.arange(n, dtype=np.int32), weights)
        self._highs.run()
        status = self._highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuleError(
                "sortition.infeasible",
                "No panel satisfies the quotas; run the feasibility check to see which conflict.",
            )
        counts = tuple(int(round(v)) for v in self._highs.getSolution().col_value)
        value = float(np.dot(weights, np.array(counts, dtype=np.float64)))
        return counts, value


class Master:
    """Restricted LP: maximise z with every unfixed type at least z, fixed types at their level."""

    def __init__(self, quotas: Quotas) -> None:
        self.sizes = np.array(quotas.sizes, dtype=np.float64)
        n = len(quotas.sizes)
        h = new_highs()
        h.addVars(1, np.array([-_INF]), np.array([_INF]))  # column 0 is z
        h.changeColCost(0, -1.0)
        h.addRows(
            n + 1,
            np.concatenate([np.zeros(n), [1.0]]),
            np.concatenate([np.full(n, _INF), [1.0]]),
            0,
            np.array([], dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([]),
        )
        for t in range(n):
            h.changeCoeff(t, 0, -1.0)
        self._highs = h
        self._lower = [0.0] * n + [1.0]
        self.compositions: list[Composition] = []
        self._known: set[Composition] = set()

    def add(self, composition: Composition) -> bool:
        if composition in self._known:
            return False
        self._known.add(composition)
        self.compositions.append(composition)
        index = [t for t, c in enumerate(composition) if c]
        shares = [composition[t] / self.sizes[t] for t in index]
        rows = np.array([*index, len(self.sizes)], dtype=np.int32)
        self._highs.addCol(0.0, 0.0, _INF, len(rows), rows, np.array([*shares, 1.0]))
        return True

    def fix(self, t: int, level: float) -> None:
        self._lower[t] = level
        self._highs.changeCoeff(t, 0, 0.0)
        self._highs.changeRowBounds(t, level, _INF)

    def vertex(self, levels: dict[int, Fraction]) -> Vertex:
        basis = self._highs.getBasis()
        basic = highspy.HighsBasisStatus.kBasic
        solution = self._highs.getSolution()
        values, activity = solution.col_value, solution.row_value
        chosen = [j for j, s in enumerate(basis.col_status) if s == basic]
        return Vertex(
            compositions=tuple(self.compositions),
            basic=tuple(j - 1 for j in chosen),
            values=tuple(float(values[j]) for j in chosen),
            # Rows at their bound, including basic ones that sit on it (degenerate vertex).
            tight=tuple(
                i
                for i, s in enumerate(basis.row_status)
                if s != basic or abs(activity[i] - self._lower[i]) <= 1e-10
            ),
            levels=tuple(levels.get(t) for t in range(len(self.sizes))),
        )

    def solve(self) -> tuple[float, NDArray[np.float64], float, NDArray[np.float64]]:
        """(z, type duals, price of the sum row, panel weights)."""
        self._highs.run()
        if self._highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuleError("sortition.solver_failed", "The linear programme did not solve.")
        solution = self._highs.getSolution()
        duals = np.array(solution.row_dual, dtype=np.float64)
        values = np.array(solution.col_value, dtype=np.float64)
        return float(values[0]), duals[:-1], float(-duals[-1]), values[1:]


def initial_panels(oracle: Oracle, master: Master) -> tuple[int, ...]:
    """Cover every type that some panel can hold; return the types no panel can hold.

    Repeatedly ask for the panel with the most not-yet-covered types; when the best such
    panel covers none, the rest are provably never selectable (probability 0 in any lottery).
    """
    n = len(oracle.quotas.sizes)
    covered = np.zeros(n, dtype=bool)
    # A person of an uncovered type is worth 1, of a covered type 1/(2k): any panel holding an
    # uncovered type (worth >= 1) beats every panel without one (worth <= 1/2).
    small = 1.0 / (2 * oracle.quotas.panel_size)
    while True:
        weights = np.where(covered, small, 1.0)
        composition, _ = oracle.best(weights)
        fresh = [t for t, c in enumerate(composition) if c and not covered[t]]
        master.add(composition)
        if not fresh:
            return tuple(t for t in range(n) if not covered[t])
        covered[fresh] = True


def fairest(
    quotas: Quotas, algorithm: str = "leximin", progress: Progress | None = None
) -> FloatPortfolio:
    if algorithm not in ALGORITHMS:
        raise RuleError(
            "sortition.unknown_algorithm",
            "Unknown algorithm {algorithm}; use leximin, maximin or nash.",
            algorithm=algorithm,
        )
    report = progress or (lambda stage, fraction: None)
    oracle, master = Oracle(quotas), Master(quotas)
    report("initial panels", 0.0)
    never = initial_panels(oracle, master)
    if algorithm == "nash":
        return _nash(quotas, oracle, master, never, report)
    return _leximin(quotas, oracle, master, never, report, only_first=algorithm == "maximin")


def _leximin(
    quotas: Quotas,
    oracle: Oracle,
    master: Master,
    never: tuple[int, ...],
    report: Progress,
    only_first: bool,
) -> FloatPortfolio:
    sizes = np.array(quotas.sizes, dtype=np.float64)
    unfixed = set(range(len(sizes))) - set(never)
    stages = [StageLog(never, 0.0, len(master.compositions))] if never else []
    levels = {t: Fraction(0) for t in never}
    for t in never:
        master.fix(t, 0.0)
    # The last master's weights already meet every level fixed so far: no final solve needed.
    weights, vertex = np.zeros(0), None
    while unfixed:
        z, duals, price, weights = _column_generation(oracle, master, sizes)
        vertex = master.vertex(levels)
        positive = tuple(sorted(t for t in unfixed if duals[t] > _DUAL_TOL))
        if not positive:  # numerically degenerate duals: fix the highest-priced type
            positive = (max(unfixed, key=lambda t: duals[t]),)
        level = snap(z)
        for t in positive:
            master.fix(t, float(level))
            levels[t] = level
        unfixed -= set(positive)
        stages.append(StageLog(positive, z, len(master.compositions)))
        done = 1.0 - sum(quotas.sizes[t] for t in unfixed) / float(sum(quotas.sizes))
        report("leximin" if not only_first else "maximin", done)
        if only_first:
            break
    return FloatPortfolio(tuple(master.compositions), tuple(weights), tuple(stages), never, vertex)


def _column_generation(
    oracle: Oracle, master: Master, sizes: NDArray[np.float64]
) -> tuple[float, NDArray[np.float64], float, NDArray[np.float64]]:
    while True:
        z, duals, price, weights = master.solve()
        composition, value = oracle.best(np.maximum(duals, 0.0) / sizes)
        if value <= price + _IMPROVE_TOL or not master.add(composition):
            return z, duals, price, weights
        if len(master.compositions) > _MAX_COLUMNS:
            raise RuleError("sortition.too_many_panels", "Column generation did not converge.")


def _nash(
    quotas: Quotas, oracle: Oracle, master: Master, never: tuple[int, ...], report: Progress
) -> FloatPortfolio:
    """Maximise the sum of log-probabilities (Nash welfare) over the selectable people.

    The panel weights follow Cover's multiplicative update for log-optimal portfolios, which
    keeps them on the simplex and never decreases the objective; new panels come from the
    oracle priced at the gradient and enter by an exact line search.
    """
    sizes = np.array(quotas.sizes, dtype=np.float64)
    live = np.ones(len(sizes), dtype=bool)
    live[list(never)] = False
    people = float(sizes[live].sum())
    matrix = _matrix(master.compositions, len(sizes))
    weights = np.full(len(master.compositions), 1.0 / len(master.compositions))
    for round_number in range(400):
        weights = _cover(matrix, weights, sizes, live, 200)
        probabilities = (matrix.T @ weights) / sizes
        prices = np.where(live, 1.0 / np.where(live, probabilities, 1.0), 0.0)
        composition, value = oracle.best(prices)
        report("nash", min(1.0, round_number / 50))
        if value <= people * (1.0 + 1e-7) or not master.add(composition):
            break
        column = np.array(composition, dtype=np.float64)
        step = _nash_line_search(matrix.T @ weights, column, sizes, live)
        matrix = np.vstack([matrix, column])
        weights = np.append(weights * (1.0 - step), step)
    # Cover's update converges slowly near the optimum: polish once the panels are known.
    weights = _cover(matrix, weights, sizes, live, 20_000)
    stages = (StageLog(never, 0.0, len(master.compositions)),) if never else ()
    return FloatPortfolio(tuple(master.compositions), tuple(weights), stages, never, None)


def _cover(
    matrix: NDArray[np.float64],
    weights: NDArray[np.float64],
    sizes: NDArray[np.float64],
    live: NDArray[np.bool_],
    rounds: int,
) -> NDArray[np.float64]:
    people = float(sizes[live].sum())
    for _ in range(rounds):
        gradient = _nash_gradient(matrix, weights, sizes, live)
        weights = weights * gradient / people
        if gradient.max() / people - 1.0 < 1e-10:
            break
    return weights


def _matrix(compositions: list[Composition], types: int) -> NDArray[np.float64]:
    return np.array(compositions, dtype=np.float64).reshape(len(compositions), types)


def _nash_gradient(
    matrix: NDArray[np.float64],
    weights: NDArray[np.float64],
    sizes: NDArray[np.float64],
    live: NDArray[np.bool_],
) -> NDArray[np.float64]:
    # d/dw_P of sum_t n_t log(E_t / n_t) is sum_t c_Pt n_t / E_t (E_t: expected count).
    expected = matrix.T @ weights
    inverse = np.where(live, sizes / np.where(live, expected, 1.0), 0.0)
    return np.asarray(matrix @ inverse, dtype=np.float64)


def _nash_line_search(
    expected: NDArray[np.float64],
    column: NDArray[np.float64],
    sizes: NDArray[np.float64],
    live: NDArray[np.bool_],
) -> float:
    low, high = 0.0, 1.0
    for _ in range(60):
        step = (low + high) / 2
        mixed = (1 - step) * expected + step * column
        slope = float(np.sum(np.where(live, sizes * (column - expected) / mixed, 0.0)))
        low, high = (step, high) if slope > 0 else (low, step)
    return low
