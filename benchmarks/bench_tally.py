"""Nested referendum tally at national scale, side by side with a plain numpy count.

A synthetic Swiss-like referendum, generated reproducibly from a numpy Generator seed:
26 states (6 of them half-states weighing 1/2), about 2,150 communes, 20,000 councils and
45 million ballots (yes / no / empty / invalid), ballots grouped by council as they come out
of the boxes. Both sides count the same arrays in the same run:

- baseline: ``np.bincount(council * 4 + choice)``, the reference in algorithms.md §5;
- ours: ``comuna.core.counting.count_ballots`` (same kernel plus range checks), then the exact
  roll-up ``comuna.core.nested.roll_up`` of the 20,000 council reports through communes and
  states with a turnout quorum and a double majority, and the SHA-256 digest.

Usage: ``python benchmarks/bench_tally.py [--quick] [--seed N] [--repeat K]``
(``--quick``: 4.5 million ballots). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comuna.core.counting import count_ballots, reports_from_counts  # noqa: E402
from comuna.core.nested import LevelRule, RollUp, Unit, roll_up  # noqa: E402

STATES, COMMUNES, COUNCILS = 26, 2_150, 20_000
HALF_STATES = 6
RULES = {
    "federation": LevelRule(members_majority=True),
    "commune": LevelRule(turnout_quorum=Fraction(1, 4)),
}


def make_referendum(seed: int, ballots: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    # Every state gets at least one commune and every commune at least one council.
    commune_state = np.concatenate([np.arange(STATES), rng.integers(0, STATES, COMMUNES - STATES)])
    council_commune = np.concatenate(
        [np.arange(COMMUNES), rng.integers(0, COMMUNES, COUNCILS - COMMUNES)]
    )
    size = rng.lognormal(0.0, 0.5, COUNCILS)
    cast = np.floor(size / size.sum() * ballots).astype(np.int64)
    cast[: ballots - int(cast.sum())] += 1  # distribute the rounding so the total is exact
    eligible = cast + rng.integers(0, 1 + cast // 2 + 10, COUNCILS)
    council = np.repeat(np.arange(COUNCILS, dtype=np.int32), cast)
    # Per-council thresholds on one uniform draw per ballot: yes < t1 <= no < t2 <= ...
    p_yes = np.clip(rng.normal(0.5, 0.08, COUNCILS), 0.05, 0.95) * 0.98
    t1 = p_yes.astype(np.float32)
    t2 = (0.98 * np.ones(COUNCILS)).astype(np.float32)
    t3 = (0.995 * np.ones(COUNCILS)).astype(np.float32)
    draw = rng.random(ballots, dtype=np.float32)
    choice = (draw >= t1[council]).astype(np.uint8)
    choice += draw >= t2[council]
    choice += draw >= t3[council]
    return {
        "council": council,
        "choice": choice,
        "eligible": eligible,
        "commune_state": commune_state,
        "council_commune": council_commune,
    }


def make_units(data: dict[str, Any]) -> list[Unit]:
    units = [Unit("CH", None, "federation")]
    units += [
        Unit(f"S{s:02d}", "CH", "state", Fraction(1, 2) if s < HALF_STATES else Fraction(1))
        for s in range(STATES)
    ]
    units += [
        Unit(f"M{m:04d}", f"S{s:02d}", "commune") for m, s in enumerate(data["commune_state"])
    ]
    units += [
        Unit(f"C{c:05d}", f"M{m:04d}", "council") for c, m in enumerate(data["council_commune"])
    ]
    return units


@dataclass
class Timing:
    wall: float = float("inf")
    cpu: float = float("inf")


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[Timing, Any]:
    """Best wall-clock and best CPU time of ``repeat`` runs (CPU time is less sensitive to
    other processes on a shared machine; both sides are single-threaded)."""
    best, result = Timing(), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        best.cpu = min(best.cpu, time.process_time() - cpu)
        best.wall = min(best.wall, time.perf_counter() - wall)
    return best, result


def baseline(data: dict[str, Any]) -> np.ndarray:
    key = data["council"].astype(np.int64) * 4 + data["choice"]
    return np.bincount(key, minlength=COUNCILS * 4).reshape(COUNCILS, 4)


def ours(data: dict[str, Any], units: list[Unit], ids: list[str]) -> tuple[np.ndarray, RollUp]:
    counts = count_ballots(data["council"], data["choice"], COUNCILS)
    reports = reports_from_counts(ids, data["eligible"].tolist(), counts)
    return counts, roll_up(units, reports, RULES)


def check(data: dict[str, Any], base: np.ndarray, counts: np.ndarray, result: RollUp) -> list[str]:
    """Independent numpy sums per state against the exact roll-up; empty when all agree."""
    problems = []
    if not np.array_equal(base, counts):
        problems.append("kernel counts differ from the baseline")
    state_of_council = data["commune_state"][data["council_commune"]]
    per_state = np.zeros((STATES, 4), dtype=np.int64)
    np.add.at(per_state, state_of_council, base)
    for s in range(STATES):
        t = result.node(f"S{s:02d}").totals
        if [t.yes, t.no, t.empty, t.invalid] != per_state[s].tolist():
            problems.append(f"state S{s:02d} totals differ")
    if result.node("CH").totals.cast != int(base.sum()):
        problems.append("national ballots differ")
    return problems


def print_table(
    ballots: int, timings: dict[str, Timing], problems: list[str], result: RollUp
) -> None:
    t_base = timings["base"]
    ok = "yes" if not problems else "NO: " + "; ".join(problems)
    print("| step | wall s | CPU s | M ballots/s (wall) | M ballots/s (CPU) | "
          "speed vs bincount (wall / CPU) | correct |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    rows = [
        ("numpy bincount (baseline)", t_base, True, "reference"),
        ("ours: counting kernel", timings["kernel"], True, ok),
        (f"ours: roll-up of {COUNCILS:,} council reports (exact ints, rules, digest)",
         timings["rollup"], False, ok),
        ("ours: end to end (kernel + reports + roll-up)", timings["total"], True, ok),
    ]  # fmt: skip
    for name, t, per_ballot, correct in rows:
        rates = (
            f"{ballots / t.wall / 1e6:.1f} | {ballots / t.cpu / 1e6:.1f} | "
            f"{t_base.wall / t.wall:.2f} / {t_base.cpu / t.cpu:.2f}"
            if per_ballot
            else "— | — | —"
        )
        print(f"| {name} | {t.wall:.3f} | {t.cpu:.3f} | {rates} | {correct} |")
    fed = result.node("CH")
    members = fed.members
    assert members is not None
    print(f"\nResult: yes {fed.totals.yes:,} / no {fed.totals.no:,} "
          f"({float(fed.totals.yes_share) * 100:.2f} % yes, display only); states yes "
          f"{members.yes} of {members.total}; approved: {fed.approved}")  # fmt: skip
    print(f"Digest: {result.digest}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4.5 million ballots")
    parser.add_argument("--seed", type=int, default=20260927)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ballots = 4_500_000 if args.quick else 45_000_000
    start = time.perf_counter()
    data = make_referendum(args.seed, ballots)
    units, ids = make_units(data), [f"C{c:05d}" for c in range(COUNCILS)]
    generated = time.perf_counter() - start

    t_base, base = best_of(args.repeat, lambda: baseline(data))
    t_kernel, counts = best_of(
        args.repeat, lambda: count_ballots(data["council"], data["choice"], COUNCILS)
    )
    reports = reports_from_counts(ids, data["eligible"].tolist(), counts)
    t_rollup, result = best_of(args.repeat, lambda: roll_up(units, reports, RULES))
    t_total, (counts, again) = best_of(args.repeat, lambda: ours(data, units, ids))
    problems = check(data, base, counts, result)
    if again.digest != result.digest:
        problems.append("digest not reproducible")

    print(f"seed {args.seed}: {ballots:,} ballots, {COUNCILS:,} councils, {COMMUNES:,} communes, "
          f"{STATES} states; generated in {generated:.1f} s; best of {args.repeat}\n")  # fmt: skip
    timings = {"base": t_base, "kernel": t_kernel, "rollup": t_rollup, "total": t_total}
    print_table(ballots, timings, problems, result)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
