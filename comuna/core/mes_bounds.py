"""Float bounds used by the certified MES runs (``mes_certified``): a price that surely
reaches a cost, and the enclosure of money that may run out inside an interval of shares.
Every rounding is accounted for with room (docs/adr/0021)."""

from __future__ import annotations

import numpy as np

from comuna.core.equal_shares import FloatArray

_U = 2.0**-53
"""Unit roundoff of IEEE doubles: every float operation errs by at most this, relatively."""


def reach(
    need: float,
    lowest: FloatArray,
    load: FloatArray,
    after: FloatArray,
    gamma: float,
    room: float,
) -> float | None:
    """A price t with sum(min(lowest, load * t)) >= need, checked with room for rounding,
    or None. The candidate is the exact root when ``lowest / weight`` is in increasing order."""
    a = need / after
    a[1:] -= np.cumsum(lowest[:-1]) / after[1:]
    k = int(np.argmax(a))
    top = float(a[k]) + (3 * room + gamma * need) / float(after[k]) + 4 * _U * abs(float(a[k]))
    if float(np.minimum(lowest, load * top).sum()) - 2 * room < need:
        return None
    return top


def crossing_line(
    at: FloatArray, sl: FloatArray, delta: FloatArray, r: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A line and bound enclosing max(f, 0) for every f within ``delta`` of the line (at,
    sl) that may cross zero inside the interval. Above: the chord of max(line + delta, 0),
    a convex function. Below: lam * (line - delta) for lam in [0, 1], chosen parallel to
    the chord. The bound is half the gap between them, largest at an end."""
    if not r:
        top = at + delta
        return top / 2, np.zeros_like(top), top / 2
    left, right = np.maximum(at - sl * r + delta, 0.0), np.maximum(at + sl * r + delta, 0.0)
    chord, chord_slope = (left + right) / 2, (right - left) / (2 * r)
    lam = np.clip(np.divide(chord_slope, sl, out=np.zeros_like(sl), where=sl != 0), 0.0, 1.0)
    under, under_slope = lam * (at - delta), lam * sl
    gap, gap_slope = chord - under, (chord_slope - under_slope) * r
    bound = np.maximum(np.abs(gap - gap_slope), np.abs(gap + gap_slope)) / 2
    room = 8 * _U * (np.abs(at) + np.abs(sl) * r + delta)
    return (chord + under) / 2, (chord_slope + under_slope) / 2, bound + room
