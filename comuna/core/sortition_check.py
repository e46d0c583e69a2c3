"""Feasibility of a lottery's quotas, and which quotas to relax when there is no valid panel.

An integer programme looks for a panel (counts per type, see ``sortition.person_types``) that
meets every quota *after* the smallest total relaxation: each quota gets two slack variables,
how far below its ``min`` and how far above its ``max`` the panel may go, and the programme
minimises their sum. Zero means the quotas are feasible; otherwise the quotas with a positive
slack are named, with the bound that would make a panel possible. That relaxation is one of the
smallest; others of the same size may exist (the notes say so).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from comuna.core.sortition import Pool, check_panel_size, person_types
from comuna.core.sortition_lp import new_highs


@dataclass(frozen=True, slots=True)
class Relaxation:
    feature: str
    value: str
    min: int
    max: int
    new_min: int
    new_max: int

    def describe(self) -> str:
        if self.new_min < self.min:
            return (
                f"{self.feature}={self.value}: min {self.min} cannot be met together with "
                f"the other quotas; lowering it to {self.new_min} would allow a panel"
            )
        return (
            f"{self.feature}={self.value}: max {self.max} cannot be kept together with "
            f"the other quotas; raising it to {self.new_max} would allow a panel"
        )


@dataclass(frozen=True, slots=True)
class Feasibility:
    panel_size: int
    relaxations: tuple[Relaxation, ...]
    notes: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.relaxations


def check_feasibility(pool: Pool, panel_size: int) -> Feasibility:
    check_panel_size(pool, panel_size)
    types = person_types(pool)
    index = {f: i for i, f in enumerate(pool.features)}
    n, q = len(types), len(pool.quotas)
    membership = np.zeros((q, n))
    for row, quota in enumerate(pool.quotas):
        column = index[quota.feature]
        for t, kind in enumerate(types):
            membership[row, t] = kind.values[column] == quota.value
    # Variables: counts per type, then slack below each min, then slack above each max.
    h = new_highs()
    h.addVars(n, np.zeros(n), np.array([t.size for t in types], dtype=np.float64))
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
    )
    h.addVars(2 * q, np.zeros(2 * q), np.full(2 * q, highspy.kHighsInf))
    h.changeColsCost(2 * q, np.arange(n, n + 2 * q, dtype=np.int32), np.ones(2 * q))
    size = float(panel_size)
    h.addRow(size, size, n, np.arange(n, dtype=np.int32), np.ones(n))
    for row, quota in enumerate(pool.quotas):
        members = [t for t in range(n) if membership[row, t]]
        columns = np.array([*members, n + row, n + q + row], dtype=np.int32)
        values = np.array([*([1.0] * len(members)), 1.0, -1.0])
        h.addRow(float(quota.min), float(quota.max), len(columns), columns, values)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover
        raise RuntimeError("the feasibility programme failed")
    x = np.array(h.getSolution().col_value)
    below = np.round(x[n : n + q]).astype(int)
    above = np.round(x[n + q :]).astype(int)
    relaxations = tuple(
        Relaxation(quota.feature, quota.value, quota.min, quota.max, quota.min - b, quota.max + a)
        for quota, b, a in zip(pool.quotas, below, above, strict=True)
        if b or a
    )
    notes = _obvious_conflicts(pool, panel_size) if relaxations else ()
    return Feasibility(panel_size, relaxations, notes)


def _obvious_conflicts(pool: Pool, panel_size: int) -> tuple[str, ...]:
    """Plain-language reasons that need no solver: sums of bounds, missing people."""
    notes = ["the relaxation shown is one of the smallest; others of the same size may exist"]
    available: dict[tuple[str, str], int] = {}
    for person in pool.people:
        for feature, value in zip(pool.features, person.values, strict=True):
            available[(feature, value)] = available.get((feature, value), 0) + 1
    for feature in pool.features:
        quotas = [q for q in pool.quotas if q.feature == feature]
        if sum(q.min for q in quotas) > panel_size:
            notes.append(f"the minimums of {feature} add up to more than the panel size")
        if sum(min(q.max, available.get((feature, q.value), 0)) for q in quotas) < panel_size:
            notes.append(f"the maximums of {feature} (and the people in the pool) cannot fill")
        for q in quotas:
            have = available.get((feature, q.value), 0)
            if have < q.min:
                notes.append(f"{feature}={q.value}: min {q.min} but only {have} in the pool")
    return tuple(notes)
