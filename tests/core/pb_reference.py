"""A plain, slow, exact Method of Equal Shares written straight from its definition.

One ``Fraction`` budget per voter, every price recomputed from scratch every round, no grouping
and no laziness: the fast engine in ``comuna.core.equal_shares`` must agree with it exactly.
"""

from __future__ import annotations

import math
from fractions import Fraction

from comuna.core.budgeting import Election
from comuna.core.errors import TieError


def _price(cost: Fraction, holders: list[tuple[Fraction, int]]) -> Fraction | None:
    """Least t with sum(min(b, t*w)) >= cost: the true t is one of the candidates below
    (those whose cap b/w is at most some cap pay all, the others t*w), and every candidate
    that reaches the cost is at least the true t."""
    if cost == 0:
        return Fraction(0)
    if sum((b for b, _ in holders), Fraction(0)) < cost:
        return None
    candidates = []
    for cap in [None, *sorted({b / w for b, w in holders})]:
        paid = sum((b for b, w in holders if cap is not None and b / w <= cap), Fraction(0))
        weight = sum(w for b, w in holders if cap is None or b / w > cap)
        if weight:
            candidates.append((cost - paid) / weight)
    reach = [t for t in candidates if sum((min(b, t * w) for b, w in holders), Fraction(0)) >= cost]
    return min(reach)


def reference_mes(
    election: Election, endowment: Fraction, *, cost_sat: bool, tie_break: tuple[str, ...] | None
) -> list[str]:
    budgets = [endowment] * len(election.ballots)
    chosen: list[str] = []
    rank = {pid: i for i, pid in enumerate(tie_break or ())}
    while True:
        offers = []
        for p in election.projects:
            if p.project_id in chosen:
                continue
            holders = [
                (budgets[i], w)
                for i, b in enumerate(election.ballots)
                for pid, w in b.weights
                if pid == p.project_id and w > 0
            ]
            t = _price(Fraction(p.cost), holders)
            if t is not None:
                key = t / Fraction(p.cost) if cost_sat and p.cost else t
                offers.append((key, t, p.project_id))
        if not offers:
            return chosen
        least = min(o[0] for o in offers)
        tied = [o for o in offers if o[0] == least]
        if len(tied) > 1 and tie_break is None:
            raise TieError("pb.tie", candidates=[o[2] for o in tied])
        _, t, winner = min(tied, key=lambda o: rank.get(o[2], math.inf))
        for i, b in enumerate(election.ballots):
            for pid, w in b.weights:
                if pid == winner and w > 0:
                    budgets[i] -= min(budgets[i], t * w)
        chosen.append(winner)


def reference_add1(
    election: Election, *, tie_break: tuple[str, ...], floor_start: bool = True
) -> list[str]:
    share = Fraction(election.budget) / len(election.ballots)
    endowment = Fraction(math.floor(share)) if floor_start else share
    current = reference_mes(election, endowment, cost_sat=True, tie_break=tie_break)
    costs = {p.project_id: p.cost for p in election.projects}
    supported = {pid for b in election.ballots for pid, w in b.weights if w > 0}
    while len(current) < len(supported):
        endowment += 1
        candidate = reference_mes(election, endowment, cost_sat=True, tie_break=tie_break)
        if sum(costs[p] for p in candidate) > election.budget:
            break
        current = candidate
    return current
