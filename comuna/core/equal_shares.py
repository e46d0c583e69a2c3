"""The engine of the Method of Equal Shares: the profile and the exact runs.

``budgeting.py`` holds the public rule (options, Add1 completion, audit trail); this module
and ``mes_certified.py`` hold what it repeats. Two engines share one ``Profile``:

* **Exact** (``run_mes``, ``replay``): money kept per *class* of voters as ``Fraction``.
  Voters who bought the same projects so far hold the same money, so a project's supporters
  fall in a few classes; prices only rise during a run, so a heap of stale prices is a heap of
  lower bounds (lazy evaluation). ``replay`` recomputes a known sequence of purchases exactly
  (the audit trail) without pricing the projects that were not bought.
* **Certified float** (``mes_certified.py``): float runs whose every decision is proven to
  be the exact run's (docs/adr/0021, 0022); where they cannot tell, the exact engine runs.

Ballot weights are whole numbers: 1 for approval, points for cumulative ballots.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain

import numpy as np
import numpy.typing as npt

from comuna.core.errors import TieError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class Profile:
    """Ballots grouped by identical content, indexed for the engines (built once per election)."""

    costs: tuple[Fraction, ...]
    project_ids: tuple[str, ...]
    group_sizes: tuple[int, ...]
    supporters: tuple[IntArray, ...]
    """Per project: the groups that give it weight."""
    weights: tuple[IntArray, ...]
    multiplicity: tuple[IntArray, ...]
    """Per project: how many voters each supporting group has."""
    max_weight: int
    cost_satisfaction: bool
    rank: tuple[int, ...] | None
    """Tie-break rank per project (lower wins), or None to refuse ties."""
    neighbours: tuple[frozenset[int], ...]
    """Per project: the projects sharing a supporter with it (itself included)."""


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
    class_parent: tuple[int, ...]
    class_payment: tuple[tuple[int, Fraction], ...]
    """For each class, the (project, amount) its members paid on entering it; (-1, 0) at root."""
    class_money: tuple[int, ...]
    unit: int
    """What each class has left, in whole numbers of 1/unit (exact sums stay integer)."""

    def budget(self, k: int) -> Fraction:
        """What each member of class ``k`` has left."""
        money = self.class_money[k]
        return Fraction(money, self.unit) if money else _ZERO


def build_profile(
    costs: Sequence[Fraction],
    project_ids: Sequence[str],
    groups: Sequence[tuple[tuple[int, int], ...]],
    group_of: Sequence[int],
    *,
    cost_satisfaction: bool,
    rank: Sequence[int] | None,
) -> Profile:
    """The profile of distinct ballots ``groups`` ((project, weight) pairs, positive weights),
    given which group each voter's ballot is (``group_of``)."""
    sizes = np.bincount(np.array(group_of, dtype=np.int64), minlength=len(groups))
    lengths = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(groups)), dtype=np.int64)
    table = np.empty((len(flat) // 2, 3), dtype=np.int64)  # rows: project, group, weight
    table[:, 0], table[:, 2] = flat[0::2], flat[1::2]
    table[:, 1] = np.repeat(np.arange(len(groups)), lengths)
    table = table[np.lexsort((table[:, 1], table[:, 0]))]
    cuts = np.searchsorted(table[:, 0], np.arange(len(costs) + 1))
    parts = [table[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    supporters = tuple(np.ascontiguousarray(t[:, 1]) for t in parts)
    weights = tuple(np.ascontiguousarray(t[:, 2]) for t in parts)
    multiplicity = tuple(sizes[s] for s in supporters)
    max_weight = int(table[:, 2].max()) if len(table) else 1
    incidence = np.zeros((len(costs), len(groups)), dtype=np.bool_)
    incidence[table[:, 0], table[:, 1]] = True
    bits = np.packbits(incidence, axis=1)  # no BLAS: its threads only spin on a busy machine
    touching = [(bits & row).any(axis=1) for row in bits]
    profile = Profile(
        tuple(costs),
        tuple(project_ids),
        tuple(sizes.tolist()),
        supporters,
        weights,
        multiplicity,
        max_weight,
        cost_satisfaction,
        tuple(rank) if rank is not None else None,
        tuple(frozenset(np.flatnonzero(row).tolist()) for row in touching),
    )
    return profile


# --- exact ------------------------------------------------------------------------------

Holding = tuple[int, int, int]
"""Money of a class (in the run's unit), weight, how many voters."""


def _cap(holding: Holding) -> int | Fraction:
    return holding[0] if holding[1] == 1 else Fraction(holding[0], holding[1])


def price_of(cost: int, holdings: list[Holding]) -> tuple[int, int] | None:
    """Smallest t with sum(n * min(b, t * w)) >= cost, as a quotient (money, weight); None
    if the supporters cannot pay. Money and cost are whole numbers of the run's unit.

    Supporters whose money runs out below ``t * w`` pay all they have; the rest pay ``t * w``.
    """
    if cost == 0:
        return 0, 1
    if sum(b * n for b, _, n in holdings) < cost:
        return None
    holdings.sort(key=_cap)
    left = cost
    weight = sum(w * n for _, w, n in holdings)
    for b, w, n in holdings:
        if b * weight >= left * w:  # b >= t * w with t = left / weight
            return left, weight
        left -= b * n
        weight -= w * n
    raise AssertionError("affordable project without a price")  # unreachable: sum checked


class _State:
    """Exact money of one run, per class; lives only inside ``run_mes`` and ``replay``.

    Money is kept as whole numbers of a common unit 1/``unit`` (refined when a price needs
    it), so sums and comparisons are integer operations: no gcd per operation, as with
    ``Fraction``, and the amounts are exactly the same."""

    def __init__(self, profile: Profile, endowment: Fraction) -> None:
        self.profile = profile
        self.unit = math.lcm(endowment.denominator, *(c.denominator for c in profile.costs))
        self.group_class: IntArray = np.zeros(len(profile.group_sizes), dtype=np.int64)
        self.money: list[int] = [endowment.numerator * (self.unit // endowment.denominator)]
        self.parent: list[int] = [-1]
        self.payment: list[tuple[int, Fraction]] = [(-1, Fraction(0))]

    def holdings(self, project: int) -> list[Holding]:
        """(money, weight, how many voters) over the supporters of ``project``."""
        span = self.profile.max_weight + 1
        keys = self.group_class[self.profile.supporters[project]] * span
        keys += self.profile.weights[project]
        counts = np.bincount(keys, weights=self.profile.multiplicity[project])
        found = np.flatnonzero(counts).tolist()
        return [(self.money[k // span], k % span, int(counts[k])) for k in found]

    def key(self, project: int) -> tuple[Fraction, Fraction] | None:
        """(key, price), or None when the supporters cannot pay."""
        cost = self.profile.costs[project]
        whole = cost.numerator * (self.unit // cost.denominator)
        found = price_of(whole, self.holdings(project))
        if found is None:
            return None
        t = Fraction(found[0], found[1] * self.unit)
        if cost == 0 or not self.profile.cost_satisfaction:
            return t, t
        return t / cost, t

    def buy(self, project: int, t: Fraction) -> None:
        unit = math.lcm(self.unit, t.denominator)
        if unit != self.unit:
            factor = unit // self.unit
            self.money = [m * factor for m in self.money]
            self.unit = unit
        price = t.numerator * (unit // t.denominator)
        span = self.profile.max_weight + 1
        groups = self.profile.supporters[project]
        keys = self.group_class[groups] * span + self.profile.weights[project]
        lookup = np.zeros(len(self.money) * span, dtype=np.int64)
        for code in np.flatnonzero(np.bincount(keys)).tolist():
            old, w = divmod(code, span)
            b = self.money[old]
            # Same split as in price_of: below t * w pays all, else pays t * w.
            rich = b >= price * w
            lookup[code] = len(self.money)
            self.money.append(b - price * w if rich else 0)
            self.parent.append(old)
            paid = (t if w == 1 else t * w) if rich else Fraction(b, unit)
            self.payment.append((project, paid))
        self.group_class[groups] = lookup[keys]

    def run(self, endowment: Fraction, purchases: list[Purchase]) -> Run:
        return Run(
            endowment,
            tuple(purchases),
            self.group_class,
            tuple(self.parent),
            tuple(self.payment),
            tuple(self.money),
            self.unit,
        )


def rank_of(profile: Profile, project: int) -> int:
    """The tie-break rank of ``project`` (lower wins); 0 for all when ties are refused."""
    return profile.rank[project] if profile.rank is not None else 0


class _Market:
    """The projects still on offer: a heap of keys that are lower bounds until refreshed."""

    def __init__(self, state: _State) -> None:
        self.state = state
        self.profile = state.profile
        self.heap: list[tuple[Fraction, int, int]] = []
        self.price: dict[int, Fraction] = {}
        for p in range(len(self.profile.costs)):
            self._refresh(p)

    def _refresh(self, p: int) -> None:
        found = self.state.key(p)
        if found is not None:
            self.price[p] = found[1]
            heapq.heappush(self.heap, (found[0], rank_of(self.profile, p), p))

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
        winner = tied[0][1]
        t = self.price.pop(winner)
        self.state.buy(winner, t)
        self.price.clear()  # every other price may have risen
        return Purchase(winner, t, best, tuple(p for _, p in tied[1:]))


def run_mes(profile: Profile, endowment: Fraction) -> Run:
    """One exact MES run in which every voter starts with ``endowment``."""
    state = _State(profile, endowment)
    market = _Market(state)
    purchases: list[Purchase] = []
    while (purchase := market.pick()) is not None:
        purchases.append(purchase)
    return state.run(endowment, purchases)


def replay(
    profile: Profile, endowment: Fraction, path: Sequence[tuple[int, tuple[int, ...]]]
) -> Run:
    """The exact run at ``endowment`` whose purchases and ties are known (``certify``)."""
    state = _State(profile, endowment)
    purchases: list[Purchase] = []
    for project, tied in path:
        found = state.key(project)
        if found is None:
            raise AssertionError("a certified purchase is unaffordable")  # see certify
        key, t = found
        state.buy(project, t)
        purchases.append(Purchase(project, t, key, tied))
    return state.run(endowment, purchases)


def money_left(profile: Profile, run: Run, project: int) -> Fraction:
    """What the supporters of ``project`` hold at the end of ``run``."""
    classes = run.group_class[profile.supporters[project]].tolist()
    sizes = profile.multiplicity[project].tolist()
    money = run.class_money
    return Fraction(sum(money[k] * n for k, n in zip(classes, sizes, strict=True)), run.unit)
