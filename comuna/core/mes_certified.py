"""The certified float engine of the Method of Equal Shares: float runs that prove their path.

Money per group of identical ballots in ``numpy`` floats, each with a proven bound on its
distance to the exact money of *every* run whose share lies in a given interval. Each round
brackets every price that matters; when the winner's bracket lies strictly below all others
the exact run takes the same decision, otherwise the run gives up (``None``) and the caller
falls back to exact arithmetic (``equal_shares.run_mes``). The argument is in docs/adr/0021
and 0022; floats only ever choose, never produce an amount.
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import cast

import numpy as np
import numpy.typing as npt

from comuna.core.equal_shares import FloatArray, IntArray, Profile, rank_of
from comuna.core.mes_bounds import crossing_line, reach

_U = 2.0**-53
"""Unit roundoff of IEEE doubles: every float operation errs by at most this, relatively."""

Line = tuple[float, float]
"""An affine function of the share e: value at the centre of the interval, slope."""
Bracket = tuple[float, Line, Line | None, float]
"""Lower bound on the key over the interval; lines below and above the exact price (None:
perhaps unaffordable somewhere); the factor from price to key."""
Path = tuple[tuple[int, tuple[int, ...]], ...]
"""The purchases of a run in order, each with the projects tied with it (as ``Purchase``)."""


def _ends(radius: float) -> tuple[float, ...]:
    return (-radius, radius) if radius else (0.0,)


Holdings = tuple[npt.NDArray[np.intp], FloatArray, FloatArray]
"""Over the supporters of a project: class, weight, how many voters."""


class Partition:
    """The classes of voters after a sequence of purchases. They depend on nothing else (not
    on the share, nor on the money), so every float run that makes the same purchases
    meets the same partitions: what is computed on one (who supports a project, in which
    classes; how a purchase splits the classes) is kept here for all the runs of one Add1
    completion. The root is the partition before any purchase (one class)."""

    __slots__ = ("classes", "holdings", "after", "old", "weight", "moved")

    def __init__(self, classes: int = 1) -> None:
        self.classes = classes
        self.holdings: dict[int, Holdings] = {}
        self.after: dict[int, Partition] = {}
        """The partition after each purchase made from this one."""
        self.old: IntArray = np.zeros(0, dtype=np.int64)
        self.weight: FloatArray = np.zeros(0)
        """For the purchase leading here: the class and weight each new class comes from."""
        self.moved: IntArray = np.zeros(0, dtype=np.int64)
        """For the purchase leading here: the new class of each supporting group."""


class _Floats:
    """Money per class of voters as a line in the share e plus a bound on its distance to
    the exact money, valid for every exact run with a share in [centre - radius, centre +
    radius]. Every bound used is affine (or concave) in e, so checking both ends of the
    interval checks all of it. Classes are as in ``_State`` (``partition``); column k of
    ``state`` holds class k's money at the centre, its slope in e and the bound (one row
    per quantity: the sums over a project's classes run along contiguous rows)."""

    def __init__(self, profile: Profile, centre: float, radius: float, root: Partition) -> None:
        self.profile = profile
        self._interval(centre, radius)
        self.root = self.partition = root
        self.group_class: IntArray = np.zeros(len(profile.group_sizes), dtype=np.int64)
        self.state: FloatArray = np.zeros((3, 64))
        self.state[:, 0] = centre, 1.0, 0.0
        self.span = profile.max_weight + 1
        self.costs = [float(c) for c in profile.costs]
        self.voters = [n.astype(np.float64) for n in profile.multiplicity]
        self.later: dict[int, tuple[float, FloatArray, FloatArray, FloatArray, float, float]] = {}

    def _interval(self, centre: float, radius: float) -> None:
        self.centre, self.radius, self.ends = centre, radius, _ends(radius)
        self.sizing = np.array((1.0, radius, 1.0))  # n*money, n*slope, n*error -> magnitude
        self.lowest = [np.array((1.0, x, -1.0)) for x in self.ends]  # -> lowest money at x

    def narrowed(self, centre: float, radius: float) -> _Floats:
        """The same money for a sub-interval: lines re-centred, bounds kept (still valid)."""
        other = copy.copy(self)
        other._interval(centre, radius)
        other.group_class = self.group_class.copy()
        other.state = self.state.copy()
        other.later = {}
        money, slope, error = other.state
        moved = slope * (centre - self.centre)
        error += 4 * _U * (np.abs(money) + np.abs(moved))
        error *= 1 + 4 * _U
        money += moved
        return other

    def holdings(self, p: int) -> Holdings:
        """(class, weight, how many voters) over the supporters of ``p``."""
        if (found := self.partition.holdings.get(p)) is None:
            found = self.partition.holdings[p] = self._count(p)
        return found

    def _count(self, p: int) -> Holdings:
        keys = self.group_class[self.profile.supporters[p]]
        if self.span > 2:
            keys = keys * self.span + self.profile.weights[p]
        if 16 * len(keys) < self.partition.classes * self.span:  # few: sort, not count
            found, inverse = np.unique(keys, return_inverse=True)
            counts = cast(FloatArray, np.bincount(inverse.reshape(-1), weights=self.voters[p]))
        else:
            counts = cast(FloatArray, np.bincount(keys, weights=self.voters[p]))
            found = np.flatnonzero(counts)
            counts = counts[found]
        if self.span > 2:
            return found // self.span, (found % self.span).astype(np.float64), counts
        return found, np.ones(len(found)), counts

    def bracket(self, p: int, upper: bool = True) -> Bracket | None:
        """Bounds on the exact price of ``p``; None if it is surely unaffordable throughout.
        Without ``upper`` the line above is left for ``upper`` to compute (rarely needed)."""
        self.later.pop(p, None)
        cost = self.costs[p]
        per_key = 1.0 if cost == 0 or not self.profile.cost_satisfaction else 1.0 / cost
        if cost == 0:
            return 0.0, (0.0, 0.0), (0.0, 0.0), per_key
        if not len(self.profile.supporters[p]):
            return None
        cls, w, n = self.holdings(p)
        r = self.radius
        money = self.state[0].take(cls)
        order = np.argsort(money / w if self.span > 2 else money, kind="stable")
        n = n[order]
        held = self.state.take(cls[order], axis=1) * n  # rows: n*money, n*slope, n*error
        load = n * w[order] if self.span > 2 else n  # approval: every weight is 1
        gamma = 4.0 * (len(cls) + 8) * _U  # rounding of sums of k terms, with room
        total, spread, off = held.sum(axis=1).tolist()
        size = float(self.sizing @ np.abs(held).sum(axis=1))
        low_cost, high_cost = cost * (1 - 2 * _U), cost * (1 + 2 * _U)
        if total + abs(spread) * r + off + gamma * size < low_cost:
            return None
        after = np.cumsum(load[::-1])[::-1]
        paid = np.zeros_like(held)
        np.cumsum(held[:, :-1], axis=1, out=paid[:, 1:])
        # Whoever pays all below a split, the rest paying t*w: any split bounds t from below.
        a = (low_cost - paid[0] - paid[2]) / after
        slope = -paid[1] / after
        a -= gamma * (self.sizing @ np.abs(paid) + low_cost) / after + 4 * _U * np.abs(a)
        k = int(np.argmax(a - np.abs(slope) * r))
        low = (float(a[k]), float(slope[k]))
        floor = max(0.0, low[0] - abs(low[1]) * r) * per_key * (1 - 4 * _U)
        if total - abs(spread) * r - off - gamma * size < high_cost:
            return floor, low, None, per_key
        if not upper:
            self.later[p] = (high_cost, held, load, after, gamma, size)
            return floor, low, None, per_key
        return floor, low, self._high(high_cost, held, load, after, gamma, size), per_key

    def upper(self, p: int, bracket: Bracket) -> Bracket:
        """``bracket`` with its line above, if ``bracket(p, upper=False)`` left it."""
        later = self.later.pop(p, None)
        if later is None:
            return bracket
        return bracket[0], bracket[1], self._high(*later), bracket[3]

    def _high(
        self,
        cost: float,
        held: FloatArray,
        load: FloatArray,
        after: FloatArray,
        gamma: float,
        size: float,
    ) -> Line | None:
        """A line above the exact price: at each end of the interval, a price the lowest
        possible money reaches; sum(n * min(b, t*w)) is concave in e along both lines."""
        need, room = cost * (1 + 2 * _U), gamma * size
        tops = []
        for vector in self.lowest:
            lowest = vector @ held
            top = reach(need, lowest, load, after, gamma, room)
            if top is None:  # classes changed order inside the interval: sort at this end
                order = np.argsort(lowest / load, kind="stable")
                ordered = load[order]
                top = reach(
                    need, lowest[order], ordered, np.cumsum(ordered[::-1])[::-1], gamma, room
                )
            if top is None:
                return None
            tops.append(top)
        if len(tops) == 1:
            return tops[0], 0.0
        left, right = tops
        centre = (left + right) / 2 + 8 * _U * max(abs(left), abs(right))
        return centre, (right - left) / (2 * self.radius)

    def below(self, winner: Bracket, other: Bracket) -> bool:
        """Whether the winner's key is surely less than the other's, all over the interval."""
        (uc, us), f, (lc, ls), g = winner[2] or (0.0, 0.0), winner[3], other[1], other[3]
        r = self.radius
        room = 8 * _U * ((abs(uc) + abs(us) * r) * f + (abs(lc) + abs(ls) * r) * g)
        return all((uc + us * x) * f + room < (lc + ls * x) * g for x in self.ends)

    def crossing(self, one: Bracket, other: Bracket) -> float | None:
        """The share where the middle lines of two keys' brackets meet, if inside; only a
        hint for where to split an interval."""
        (a, sa), (b, sb) = (_middle(one), _middle(other))
        if sa == sb or abs(x := (b - a) / (sa - sb)) >= self.radius:
            return None
        return self.centre + x

    def top(self, bracket: Bracket) -> float:
        """An upper bound on the key over the interval."""
        (uc, us), f = bracket[2] or (0.0, 0.0), bracket[3]
        size = (abs(uc) + abs(us) * self.radius) * f
        return max((uc + abs(us) * self.radius) * f, 0.0) * (1 + 4 * _U) + 8 * _U * size

    def exact_key(self, p: int) -> Fraction | None:
        """The exact key of ``p`` if every supporter surely has more than the price
        cost / weight, which they then all pay; None if that is not sure."""
        cost = self.profile.costs[p]
        if cost == 0:
            return Fraction(0)
        if not len(self.profile.supporters[p]):
            return None
        cls, w, n = self.holdings(p)
        weight = float(np.dot(n, w))
        price, r = self.costs[p] / weight, self.radius
        m, s, d = self.state.take(cls, axis=1)
        room = 4 * _U * (np.abs(m) + np.abs(s) * r + d)
        for x in self.ends:
            if float(np.min((m + s * x - d - room) / w)) < price * (1 + 8 * _U):
                return None
        t = cost / int(weight)
        return t / cost if self.profile.cost_satisfaction else t

    def buy(self, p: int, low: Line, high: Line) -> None:
        groups = self.profile.supporters[p]
        if not len(groups) or high == (0.0, 0.0):
            return
        if (after := self.partition.after.get(p)) is None:
            after = self.partition.after[p] = self._split(p)
        old, base = after.old, self.partition.classes
        w: FloatArray | float = after.weight if self.span > 2 else 1.0  # approval: exact 1s
        r = self.radius
        tc, ts = (low[0] + high[0]) / 2, (low[1] + high[1]) / 2
        gap, gap_slope = high[0] - low[0], (high[1] - low[1]) * r
        size = abs(low[0]) + abs(high[0]) + (abs(low[1]) + abs(high[1])) * r
        half = max(abs(gap - gap_slope), abs(gap + gap_slope)) / 2 + 8 * _U * size
        m, s, d = self.state.take(old, axis=1)
        at, sl = m - tc * w, s - ts * w
        delta = d + half * w + 4 * _U * (np.abs(m) + abs(tc) * w + (np.abs(s) + abs(ts) * w) * r)
        extent = np.abs(sl) * r + delta
        lo, hi = at - extent, at + extent
        rich, poor = lo >= 0, hi <= 0
        money, slope, error = (
            np.where(rich, at, 0.0),
            np.where(rich, sl, 0.0),
            np.where(rich, delta, 0.0),
        )
        cross = ~rich & ~poor
        if cross.any():
            money[cross], slope[cross], error[cross] = crossing_line(
                at[cross], sl[cross], delta[cross], r
            )
        if after.classes > self.state.shape[1]:
            more = np.zeros((3, 2 * after.classes - base))
            self.state = np.concatenate((self.state, more), axis=1)
        rows = self.state[:, base : after.classes]
        rows[0], rows[1], rows[2] = money, slope, error * (1 + 4 * _U)
        self.group_class[groups] = after.moved
        self.partition = after

    def _split(self, p: int) -> Partition:
        """The partition after buying ``p``: each (class, weight) among its supporters
        becomes a new class."""
        groups = self.profile.supporters[p]
        keys = self.group_class[groups]
        if self.span > 2:
            keys = keys * self.span + self.profile.weights[p]
        codes = np.flatnonzero(np.bincount(keys))
        base, count = self.partition.classes, len(codes)
        lookup = np.zeros(base * self.span, dtype=np.int64)
        lookup[codes] = np.arange(base, base + count)
        after = Partition(base + count)
        if self.span > 2:
            after.old, after.weight = codes // self.span, (codes % self.span).astype(np.float64)
        else:  # approval: keys are the classes themselves
            after.old, after.weight = codes, np.ones(count)
        after.moved = lookup[keys]
        return after


def _middle(bracket: Bracket) -> Line:
    (lc, ls), high, f = bracket[1], bracket[2] or bracket[1], bracket[3]
    return (lc + high[0]) / 2 * f, (ls + high[1]) / 2 * f


class _FloatRun:
    """A certified float run in progress; copied and narrowed when it cannot decide."""

    def __init__(
        self,
        floats: _Floats,
        heap: list[tuple[float, int]],
        path: list[tuple[int, tuple[int, ...]]],
    ) -> None:
        self.floats = floats
        self.heap = heap
        self.path = path
        self.fresh: dict[int, Bracket] = {}
        self.tight = True
        """Whether the bounds were computed for this run's own interval."""
        self.crossing: float | None = None
        """Where the two keys that could not be ordered probably cross (a share)."""

    @classmethod
    def start(cls, profile: Profile, centre: float, radius: float, root: Partition) -> _FloatRun:
        run = cls(_Floats(profile, centre, radius, root), [], [])
        for p in range(len(profile.costs)):
            if (found := run.floats.bracket(p, upper=False)) is not None:
                run.fresh[p] = found
                run.heap.append((found[0], p))
        heapq.heapify(run.heap)
        return run

    def narrowed(self, centre: float, radius: float) -> _FloatRun:
        """This run for a sub-interval. Its purchases so far hold there too, so they are
        redone on fresh money with tighter bounds, pricing only what was bought; the floors
        in the heap still hold (the brackets were for the wider interval)."""
        floats = _Floats(self.floats.profile, centre, radius, self.floats.root)
        for p, _ in self.path:
            found = floats.bracket(p)
            if found is None or found[2] is None:  # rounding: keep the wider bounds
                floats = self.floats.narrowed(centre, radius)
                break
            floats.buy(p, found[1], found[2])
        return _FloatRun(floats, list(self.heap), list(self.path))

    def inherited(self, centre: float, radius: float) -> _FloatRun:
        """This run for a sub-interval, keeping its (wider, still valid) bounds."""
        run = _FloatRun(self.floats.narrowed(centre, radius), list(self.heap), list(self.path))
        run.tight = False
        return run

    def step(self) -> bool | None:
        """Make the next purchase: True if made, False if the run is over, None if unsure."""
        heap, fresh = self.heap, self.fresh
        while heap and heap[0][1] not in fresh:
            self._refresh(heapq.heappop(heap)[1])
        if not heap:
            return False
        first = heapq.heappop(heap)
        rivals = self._rivals(self._upper(first[1]))
        chosen = _choose(self.floats, first, rivals) if rivals is not None else None
        bracket = self._upper(chosen[0]) if chosen is not None else None
        for entry in [first, *(rivals or ())]:
            if chosen is None or bracket is None or bracket[2] is None or entry[1] != chosen[0]:
                heapq.heappush(heap, entry)
        if chosen is None or bracket is None or bracket[2] is None:
            if rivals:
                self.crossing = self.floats.crossing(fresh[first[1]], fresh[rivals[0][1]])
            return None
        self.floats.buy(chosen[0], bracket[1], bracket[2])
        self.path.append(chosen)
        touched = self.floats.profile.neighbours[chosen[0]]
        for q in [q for q in fresh if q in touched]:
            del fresh[q]  # prices of projects sharing no supporter stay as they were
            self.floats.later.pop(q, None)
        return True

    def _upper(self, p: int) -> Bracket:
        self.fresh[p] = self.floats.upper(p, self.fresh[p])
        return self.fresh[p]

    def _refresh(self, p: int) -> None:
        """Exact prices only rise, so a project surely unaffordable now stays so: drop it."""
        if (found := self.floats.bracket(p, upper=False)) is not None:
            self.fresh[p] = found
            heapq.heappush(self.heap, (found[0], p))

    def _rivals(self, bracket: Bracket) -> list[tuple[float, int]] | None:
        """Take from the heap the projects whose key may not be above the first one's (None
        if the first one may be unaffordable)."""
        if bracket[2] is None:
            return None
        ceiling = self.floats.top(bracket)
        checked: list[tuple[float, int]] = []
        rivals: list[tuple[float, int]] = []
        while self.heap and self.heap[0][0] <= ceiling:
            entry = heapq.heappop(self.heap)
            if entry[1] not in self.fresh:
                self._refresh(entry[1])
            else:
                below = self.floats.below(bracket, self.fresh[entry[1]])
                (checked if below else rivals).append(entry)
        for entry in checked:
            heapq.heappush(self.heap, entry)
        return rivals


def _choose(
    floats: _Floats, first: tuple[float, int], rivals: list[tuple[float, int]]
) -> tuple[int, tuple[int, ...]] | None:
    """Among projects whose brackets overlap, the exact choice, if their keys are known
    exactly (all their supporters surely pay the same price: equal keys are then exact ties,
    common with cost satisfaction); None otherwise."""
    if not rivals:
        return first[1], ()
    keys = [(floats.exact_key(p), p) for _, p in [first, *rivals]]
    known = [(key, p) for key, p in keys if key is not None]
    if len(known) < len(keys):
        return None
    least = min(key for key, _ in known)
    tied = sorted((rank_of(floats.profile, p), p) for key, p in known if key == least)
    if len(tied) > 1 and floats.profile.rank is None:
        return None  # the exact run raises the TieError
    return tied[0][1], tuple(p for _, p in tied[1:])


def _interval(low: float, high: float) -> tuple[float, float]:
    """Centre and radius of a float interval containing [low, high]."""
    centre = (low + high) / 2
    return centre, (high - low) / 2 * (1 + 4 * _U) + 2 * _U * abs(centre)


def certify(
    profile: Profile, low: float, high: float, root: Partition | None = None
) -> Path | None:
    """The purchases every exact run with a share in [low, high] makes, or None when the
    float bounds cannot tell (a near tie, a tie with no tie-break, too wide an interval).

    ``low`` and ``high`` must bound the exact shares (the caller rounds them outwards).
    ``root``: the partitions met by earlier runs on ``profile`` (``Partition()`` to start).
    """
    run = _FloatRun.start(profile, *_interval(low, high), root or Partition())
    while (made := run.step()) is True:
        pass
    return None if made is None else tuple(run.path)


Leaf = tuple[int, int, Path | None]
"""Steps a..b of a grid of shares and the path all of them take (None: not settled)."""


def settle(
    profile: Profile,
    bounds: Callable[[int, int], tuple[float, float]],
    a: int,
    b: int,
    root: Partition | None = None,
) -> Iterator[Leaf]:
    """Certified paths over steps a..b, in order, as few pieces as the floats allow: one run
    goes as far as it can for all the steps, then splits in halves that continue from there
    (the shared rounds are done once). ``bounds(i, j)`` gives floats around steps i..j;
    ``root`` as in ``certify``."""
    run = _FloatRun.start(profile, *_interval(*bounds(a, b)), root or Partition())
    yield from _settle(run, bounds, a, b)


def _settle(
    run: _FloatRun, bounds: Callable[[int, int], tuple[float, float]], a: int, b: int
) -> Iterator[Leaf]:
    """Halves first inherit the run's bounds as they are (a copy); only a single step that
    still cannot decide redoes its purchases on tighter bounds (``narrowed``)."""
    while (made := run.step()) is True:
        pass
    if made is False:
        yield a, b, tuple(run.path)
    elif not run.tight:
        yield from _settle(run.narrowed(*_interval(*bounds(a, b))), bounds, a, b)
    elif a == b:
        yield a, b, None
    else:
        middle = _split(run.crossing, bounds, a, b)
        for i, j in ((a, middle), (middle + 1, b)):
            yield from _settle(run.inherited(*_interval(*bounds(i, j))), bounds, i, j)


def _split(
    crossing: float | None, bounds: Callable[[int, int], tuple[float, float]], a: int, b: int
) -> int:
    """Where to cut steps a..b in two: just below the probable crossing, else halfway."""
    if crossing is None:
        return (a + b) // 2
    low, high = a, b - 1
    while low < high:  # the last step below the crossing, within a..b-1
        mid = (low + high + 1) // 2
        low, high = (mid, high) if bounds(mid, mid)[1] <= crossing else (low, mid - 1)
    return low
