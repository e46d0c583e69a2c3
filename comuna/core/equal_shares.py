"""The engine of the Method of Equal Shares: one exact run at a given per-voter endowment.

``budgeting.py`` holds the public rule (options, Add1 completion, audit trail); this module
holds the fast exact run it repeats. Three facts make it fast without giving up exactness:

* Voters who bought the same projects so far hold the same money: their payments were all
  ``min(budget, price * weight)`` from equal budgets. So money is kept per *class* (a node in a
  tree whose edges are purchases), not per voter; a project's supporters fall in a few classes.
* Money only decreases during a run, so a project's price only increases: a heap of stale
  prices is a heap of lower bounds, and only the top needs recomputing (lazy evaluation).
* Counting a project's supporters per class is one ``numpy.bincount`` over integer arrays;
  every price and budget stays a ``Fraction``.

Ballot weights are whole numbers: 1 for approval, points for cumulative ballots.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from comuna.core.errors import TieError

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Profile:
    """Ballots grouped by identical content, indexed for the engine (built once per election)."""

    costs: tuple[Fraction, ...]
    project_ids: tuple[str, ...]
    group_sizes: tuple[int, ...]
    supporters: tuple[IntArray, ...]
    """Per project: the groups that give it weight."""
    weights: tuple[IntArray, ...]
    multiplicity: tuple[npt.NDArray[np.float64], ...]
    max_weight: int
    cost_satisfaction: bool
    rank: tuple[int, ...] | None
    """Tie-break rank per project (lower wins), or None to refuse ties."""


@dataclass(frozen=True, slots=True)
class Purchase:
    project: int
    price: Fraction
    """Money per unit of weight (per supporter, for approval ballots)."""
    key: Fraction
    """What MES minimises: price per unit of satisfaction."""
    tied: tuple[int, ...]
    """Other projects with the same key in this round (empty if none)."""


@dataclass(frozen=True, slots=True)
class Run:
    endowment: Fraction
    purchases: tuple[Purchase, ...]
    group_class: IntArray
    class_budget: tuple[Fraction, ...]
    class_parent: tuple[int, ...]
    class_payment: tuple[tuple[int, Fraction], ...]
    """For each class, the (project, amount) its members paid on entering it; (-1, 0) at root."""
    valid_to: Fraction | None
    """Every endowment in [endowment, valid_to] gives the same purchases in the same order
    (None: no upper limit was met); see ``Bound``."""
    valid_to_inclusive: bool


def build_profile(
    costs: Sequence[Fraction],
    project_ids: Sequence[str],
    ballots: Sequence[Sequence[tuple[int, int]]],
    *,
    cost_satisfaction: bool,
    rank: Sequence[int] | None,
) -> tuple[Profile, tuple[int, ...]]:
    """Group ballots; return the profile and, per ballot, the index of its group."""
    index: dict[tuple[tuple[int, int], ...], int] = {}
    group_of: list[int] = []
    for ballot in ballots:
        key = tuple(sorted((p, w) for p, w in ballot if w > 0))
        group_of.append(index.setdefault(key, len(index)))
    sizes = [0] * len(index)
    for g in group_of:
        sizes[g] += 1
    per_project: list[list[tuple[int, int]]] = [[] for _ in costs]
    for key, g in index.items():
        for p, w in key:
            per_project[p].append((g, w))
    supporters = tuple(np.array([g for g, _ in rows], dtype=np.int64) for rows in per_project)
    weights = tuple(np.array([w for _, w in rows], dtype=np.int64) for rows in per_project)
    multiplicity = tuple(np.array([sizes[g] for g in s], dtype=np.float64) for s in supporters)
    max_weight = max((int(w.max()) for w in weights if len(w)), default=1)
    profile = Profile(
        tuple(costs),
        tuple(project_ids),
        tuple(sizes),
        supporters,
        weights,
        multiplicity,
        max_weight,
        cost_satisfaction,
        tuple(rank) if rank is not None else None,
    )
    return profile, tuple(group_of)


class Bound:
    """How far the endowment can grow before any comparison of this run changes its answer.

    Along a run every amount is affine in the endowment e (shares start at e; prices are
    (cost - money of those paying all) / weight of the others). Each comparison the run makes
    is the sign of an affine function ``v + s * (e - e0)`` with value ``v`` at the run's own
    endowment ``e0``; recording where each would change sign bounds the interval of
    endowments over which the run takes exactly the same path.
    """

    __slots__ = ("e0", "at", "inclusive", "active")

    def __init__(self, e0: Fraction, active: bool) -> None:
        self.e0 = e0
        self.active = active
        self.at: Fraction | None = None
        self.inclusive = True

    def keep(self, v: Fraction, s: Fraction, *, strict: bool) -> None:
        """Require ``v + s * (e - e0)`` to stay > 0 (``strict``) or >= 0 as e grows."""
        if s >= 0:
            return
        root = self.e0 + v / -s
        inclusive = not strict
        if self.at is None or root < self.at or (root == self.at and not inclusive):
            self.at, self.inclusive = root, inclusive


Holding = tuple[Fraction, Fraction, int, int]
"""Money of a class (value at e0, slope in e), weight, how many voters."""


def price_of(
    cost: Fraction, holdings: list[Holding], bound: Bound
) -> tuple[Fraction, Fraction] | None:
    """Smallest t with sum(n * min(b, t * w)) >= cost (value and slope); None if unaffordable.

    Supporters whose money runs out below ``t * w`` pay all they have; the rest pay ``t * w``.
    """
    if cost == 0:
        return Fraction(0), Fraction(0)
    total = sum((b * n for b, _, _, n in holdings), Fraction(0))
    slope = sum((s * n for _, s, _, n in holdings), Fraction(0))
    if total < cost:
        bound.keep(cost - total, -slope, strict=True)
        return None
    bound.keep(total - cost, slope, strict=False)
    holdings.sort(key=lambda h: h[0] / h[2])
    left, left_slope = cost, Fraction(0)
    weight = sum(w * n for _, _, w, n in holdings)
    for i, (b, s, w, n) in enumerate(holdings):
        t = left / weight
        if b >= t * w:
            ts = left_slope / weight
            if bound.active:
                for bj, sj, wj, _ in holdings[:i]:
                    if (slope_j := ts * wj - sj) < 0:
                        bound.keep(t * wj - bj, slope_j, strict=True)
                for bj, sj, wj, _ in holdings[i:]:
                    if (slope_j := sj - ts * wj) < 0:
                        bound.keep(bj - t * wj, slope_j, strict=False)
            return t, ts
        left -= b * n
        left_slope -= s * n
        weight -= w * n
    raise AssertionError("affordable project without a price")  # unreachable: sum checked


class _State:
    """Mutable money of one run; lives only inside ``run_mes``."""

    def __init__(self, profile: Profile, endowment: Fraction, track: bool) -> None:
        self.profile = profile
        self.bound = Bound(endowment, track)
        self.group_class: IntArray = np.zeros(len(profile.group_sizes), dtype=np.int64)
        self.budget: list[Fraction] = [endowment]
        # Slope 0 everywhere switches the tracking off: no comparison can then bind.
        self.slope: list[Fraction] = [Fraction(1 if track else 0)]
        self.parent: list[int] = [-1]
        self.payment: list[tuple[int, Fraction]] = [(-1, Fraction(0))]

    def holdings(self, project: int) -> list[Holding]:
        """(money, its slope, weight, how many voters) over the supporters of ``project``."""
        span = self.profile.max_weight + 1
        keys = self.group_class[self.profile.supporters[project]] * span
        keys += self.profile.weights[project]
        counts = np.bincount(keys, weights=self.profile.multiplicity[project])
        found = np.flatnonzero(counts).tolist()
        return [
            (self.budget[k // span], self.slope[k // span], k % span, int(counts[k])) for k in found
        ]

    def key(self, project: int) -> tuple[Fraction, Fraction, Fraction, Fraction] | None:
        """(key, its slope, price, its slope), or None when the supporters cannot pay."""
        cost = self.profile.costs[project]
        found = price_of(cost, self.holdings(project), self.bound)
        if found is None:
            return None
        t, ts = found
        if cost == 0 or not self.profile.cost_satisfaction:
            return t, ts, t, ts
        return t / cost, ts / cost, t, ts

    def buy(self, project: int, t: Fraction, ts: Fraction) -> None:
        span = self.profile.max_weight + 1
        groups = self.profile.supporters[project]
        keys = self.group_class[groups] * span + self.profile.weights[project]
        lookup = np.zeros(len(self.budget) * span, dtype=np.int64)
        for code in np.unique(keys).tolist():
            old, w = divmod(code, span)
            b, s = self.budget[old], self.slope[old]
            # Same split as in price_of: below t * w pays all, else pays t * w.
            left, left_slope = (Fraction(0), Fraction(0)) if b < t * w else (b - t * w, s - ts * w)
            lookup[code] = len(self.budget)
            self.budget.append(left)
            self.slope.append(left_slope)
            self.parent.append(old)
            self.payment.append((project, b - left))
        self.group_class[groups] = lookup[keys]


def _rank(profile: Profile, project: int) -> int:
    return profile.rank[project] if profile.rank is not None else 0


class _Market:
    """The projects still on offer: a heap of keys that are lower bounds until refreshed."""

    def __init__(self, state: _State) -> None:
        self.state = state
        self.profile = state.profile
        self.heap: list[tuple[Fraction, int, int]] = []
        self.slope: dict[int, Fraction] = {}
        self.price: dict[int, tuple[Fraction, Fraction]] = {}
        for p in range(len(self.profile.costs)):
            self._refresh(p)

    def _refresh(self, p: int) -> None:
        found = self.state.key(p)
        if found is not None:
            self.slope[p] = found[1]
            self.price[p] = found[2], found[3]
            heapq.heappush(self.heap, (found[0], _rank(self.profile, p), p))

    def pick(self) -> Purchase | None:
        """Remove and return the project of least key, noting the projects tied with it."""
        heap = self.heap
        while heap and heap[0][2] not in self.price:
            self._refresh(heapq.heappop(heap)[2])
        if not heap:
            return None
        best = heap[0][0]
        tied: list[tuple[int, int]] = []
        while heap and heap[0][0] == best:
            _, r, p = heapq.heappop(heap)
            if p in self.price:
                tied.append((r, p))
            else:
                self._refresh(p)
        tied.sort()
        if len(tied) > 1 and self.profile.rank is None:
            names = [self.profile.project_ids[p] for _, p in tied]
            raise TieError(
                "pb.tie",
                "Projects {candidates} tie in MES; give a tie-break.",
                candidates=", ".join(names),
            )
        for r, p in tied[1:]:
            heapq.heappush(heap, (best, r, p))
        rank, winner = tied[0]
        self._bound_choice(best, self.slope[winner], rank)
        t, ts = self.price.pop(winner)
        self.state.buy(winner, t, ts)
        self.price.clear()  # every other price may have risen
        return Purchase(winner, t, best, tuple(p for _, p in tied[1:]))

    def _bound_choice(self, key: Fraction, slope: Fraction, rank: int) -> None:
        """The winner must stay below every other offer (which only rise from here)."""
        if not self.state.bound.active:
            return
        no_tie_break = self.profile.rank is None
        for other, r, p in self.heap:
            strict = no_tie_break or r < rank
            self.state.bound.keep(other - key, self.slope[p] - slope, strict=strict)


def run_mes(profile: Profile, endowment: Fraction, *, track: bool = False) -> Run:
    """One exact MES run in which every voter starts with ``endowment``.

    With ``track``, also find how far the endowment may grow with the same run (``Bound``);
    it costs time (slopes are exact fractions too), so callers use it when it pays.
    """
    state = _State(profile, endowment, track)
    market = _Market(state)
    purchases: list[Purchase] = []
    while (purchase := market.pick()) is not None:
        purchases.append(purchase)
    return Run(
        endowment,
        tuple(purchases),
        state.group_class,
        tuple(state.budget),
        tuple(state.parent),
        tuple(state.payment),
        state.bound.at if track else endowment,
        state.bound.inclusive if track else True,
    )


def money_left(profile: Profile, run: Run, project: int) -> Fraction:
    """What the supporters of ``project`` hold at the end of ``run``."""
    classes = run.group_class[profile.supporters[project]].tolist()
    sizes = profile.multiplicity[project].tolist()
    return sum(
        (run.class_budget[k] * int(n) for k, n in zip(classes, sizes, strict=True)), Fraction(0)
    )
