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


def price_of(cost: Fraction, holdings: list[tuple[Fraction, int, int]]) -> Fraction | None:
    """Smallest t with sum(n * min(b, t * w)) >= cost over (b, w, n); None if unaffordable.

    Supporters whose money runs out below ``t * w`` pay all they have; the rest pay ``t * w``.
    """
    if cost == 0:
        return Fraction(0)
    if sum((b * n for b, _, n in holdings), Fraction(0)) < cost:
        return None
    holdings.sort(key=lambda h: h[0] / h[1])
    left = cost
    weight = sum(w * n for _, w, n in holdings)
    for b, w, n in holdings:
        t = left / weight
        if b >= t * w:
            return t
        left -= b * n
        weight -= w * n
    raise AssertionError("affordable project without a price")  # unreachable: sum checked


class _State:
    """Mutable money of one run; lives only inside ``run_mes``."""

    def __init__(self, profile: Profile, endowment: Fraction) -> None:
        self.profile = profile
        self.group_class: IntArray = np.zeros(len(profile.group_sizes), dtype=np.int64)
        self.budget: list[Fraction] = [endowment]
        self.parent: list[int] = [-1]
        self.payment: list[tuple[int, Fraction]] = [(-1, Fraction(0))]

    def holdings(self, project: int) -> list[tuple[Fraction, int, int]]:
        """(money, weight, how many voters) over the supporters of ``project``."""
        span = self.profile.max_weight + 1
        keys = self.group_class[self.profile.supporters[project]] * span
        keys += self.profile.weights[project]
        counts = np.bincount(keys, weights=self.profile.multiplicity[project])
        found = np.flatnonzero(counts)
        return [(self.budget[k // span], int(k % span), int(counts[k])) for k in found.tolist()]

    def key(self, project: int) -> tuple[Fraction, Fraction] | None:
        cost = self.profile.costs[project]
        t = price_of(cost, self.holdings(project))
        if t is None:
            return None
        if cost == 0:
            return t, t
        return (t / cost if self.profile.cost_satisfaction else t), t

    def buy(self, project: int, t: Fraction) -> None:
        span = self.profile.max_weight + 1
        groups = self.profile.supporters[project]
        keys = self.group_class[groups] * span + self.profile.weights[project]
        lookup = np.zeros(len(self.budget) * span, dtype=np.int64)
        for code in np.unique(keys).tolist():
            old, w = divmod(code, span)
            paid = min(self.budget[old], t * w)
            lookup[code] = len(self.budget)
            self.budget.append(self.budget[old] - paid)
            self.parent.append(old)
            self.payment.append((project, paid))
        self.group_class[groups] = lookup[keys]


def _rank(profile: Profile, project: int) -> int:
    return profile.rank[project] if profile.rank is not None else 0


def _pick(
    state: _State, heap: list[tuple[Fraction, int, int]], fresh: dict[int, Fraction]
) -> tuple[int, Fraction, Fraction, tuple[int, ...]] | None:
    """Pop the project of least key (refreshing stale bounds) and the projects tied with it."""
    profile = state.profile
    while heap and heap[0][2] not in fresh:
        _, _, p = heapq.heappop(heap)
        found = state.key(p)
        if found is not None:
            fresh[p] = found[1]
            heapq.heappush(heap, (found[0], _rank(profile, p), p))
    if not heap:
        return None
    best_key = heap[0][0]
    tied: list[tuple[int, int]] = []
    while heap and heap[0][0] == best_key:
        _, r, p = heapq.heappop(heap)
        if p in fresh:
            tied.append((r, p))
            continue
        found = state.key(p)
        if found is not None:
            fresh[p] = found[1]
            heapq.heappush(heap, (found[0], r, p))
    tied.sort()
    if len(tied) > 1 and profile.rank is None:
        names = [profile.project_ids[p] for _, p in tied]
        raise TieError(
            "pb.tie",
            "Projects {candidates} tie in MES; give a tie-break.",
            candidates=", ".join(names),
        )
    for r, p in tied[1:]:
        heapq.heappush(heap, (best_key, r, p))
    winner = tied[0][1]
    return winner, fresh[winner], best_key, tuple(p for _, p in tied[1:])


def run_mes(profile: Profile, endowment: Fraction) -> Run:
    """One exact MES run in which every voter starts with ``endowment``."""
    state = _State(profile, endowment)
    heap: list[tuple[Fraction, int, int]] = []
    for p in range(len(profile.costs)):
        found = state.key(p)
        if found is not None:
            heap.append((found[0], _rank(profile, p), p))
    heapq.heapify(heap)
    purchases: list[Purchase] = []
    fresh: dict[int, Fraction] = {}
    while True:
        picked = _pick(state, heap, fresh)
        if picked is None:
            break
        winner, t, key, tied = picked
        state.buy(winner, t)
        purchases.append(Purchase(winner, t, key, tied))
        fresh = {}
    return Run(
        endowment,
        tuple(purchases),
        state.group_class,
        tuple(state.budget),
        tuple(state.parent),
        tuple(state.payment),
    )


def money_left(profile: Profile, run: Run, project: int) -> Fraction:
    """What the supporters of ``project`` hold at the end of ``run``."""
    classes = run.group_class[profile.supporters[project]].tolist()
    sizes = profile.multiplicity[project].tolist()
    return sum(
        (run.class_budget[k] * int(n) for k, n in zip(classes, sizes, strict=True)), Fraction(0)
    )
