"""Nested referendum tally at national scale, side by side with a plain numpy count.

A synthetic Swiss-like referendum, generated reproducibly from a numpy Generator seed:
26 states (6 of them half-states weighing 1/2), about 2,150 communes, 20,000 councils and
45 million ballots (yes / no / empty / invalid), ballots grouped by council as they come out
of the boxes. Both sides count the same arrays in the same run:

- baseline: ``np.bincount(council * 4 + choice)``, the reference in algorithms.md §5;
- ours: ``comuna.core.counting.count_ballots`` (same kernel plus range checks), then the exact
  roll-up ``comuna.core.nested_fast.roll_up_counts`` of the 20,000 council counts through
  communes and states with a turnout quorum and a double majority, and the SHA-256 digest
  (ADR 0043). End to end includes checking the tree from its 22,177 ``Unit`` objects.
- for comparison, the Python reference roll-up ``nested.roll_up_reference`` of the same
  20,000 reports (ADR 0040), which must give the same digest.

Usage: ``python benchmarks/bench_tally.py [--quick] [--seed N] [--repeat K]``
(``--quick``: 4.5 million ballots). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
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
from comuna.core.nested import (  # noqa: E402
    LevelRule,
    RollUp,
    Tree,
    Unit,
    build_tree,
    roll_up_reference,
)
from comuna.core.nested_fast import roll_up_counts, tree_arrays  # noqa: E402

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
    walls: list[float]
    cpus: list[float]

    @property
    def wall(self) -> float:
        return min(self.walls)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return min(self.cpus)


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[Timing, Any]:
    """Wall-clock and CPU times of ``repeat`` runs (CPU time is less sensitive to other
    processes on a shared machine; both sides are single-threaded)."""
    timing, result = Timing([], []), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        timing.cpus.append(time.process_time() - cpu)
        timing.walls.append(time.perf_counter() - wall)
    return timing, result


def time_nodes(repeat: int, make: Callable[[], RollUp]) -> Timing:
    """Time building every NodeResult of a fresh roll-up (the roll-up itself untimed)."""
    timing = Timing([], [])
    for _ in range(repeat):
        result = make()
        wall, cpu = time.perf_counter(), time.process_time()
        assert len(result.nodes) == len(result.index)
        timing.cpus.append(time.process_time() - cpu)
        timing.walls.append(time.perf_counter() - wall)
    return timing


def interleaved(repeat: int, actions: dict[str, Callable[[], Any]]) -> dict[str, Timing]:
    """Timings of the actions run round by round (each round runs every action once, back to
    back), so that both sides see the same stretches of load."""
    timings = {name: Timing([], []) for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            timing, _ = best_of(1, action)
            timings[name].walls += timing.walls
            timings[name].cpus += timing.cpus
    return timings


def baseline(data: dict[str, Any]) -> np.ndarray:
    key = data["council"].astype(np.int64) * 4 + data["choice"]
    return np.bincount(key, minlength=COUNCILS * 4).reshape(COUNCILS, 4)


def ours(
    data: dict[str, Any], units: list[Unit] | Tree, ids: list[str]
) -> tuple[np.ndarray, RollUp]:
    """Count and roll up; ``units`` is either the units (checked into a tree each time) or
    a tree checked once when the consultation opened."""
    counts = count_ballots(data["council"], data["choice"], COUNCILS)
    tree = units if isinstance(units, Tree) else build_tree(units)
    return counts, roll_up_counts(tree, ids, data["eligible"], counts, RULES)


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
    print("| step | wall s (best / median) | CPU s | M ballots/s (wall, best) | "
          "M ballots/s (CPU) | time vs bincount (wall / CPU) | correct |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    rows = [
        ("numpy bincount (baseline)", t_base, True, "reference"),
        ("ours: counting kernel", timings["kernel"], True, ok),
        (f"reference roll-up of {COUNCILS:,} council reports (Python ints, ADR 0040)",
         timings["reference"], False, ok),
        (f"ours: vectorised roll-up of {COUNCILS:,} council counts (int64, rules, digest)",
         timings["rollup"], False, ok),
        ("ours: end to end (kernel + vectorised roll-up + digest; tree checked once before)",
         timings["prepared"], True, ok),
        ("ours: end to end including checking the tree from its units",
         timings["total"], True, ok),
        ("(on demand) building all 22,177 NodeResult objects", timings["nodes"], False, ok),
    ]  # fmt: skip
    for name, t, per_ballot, correct in rows:
        rates = (
            f"{ballots / t.wall / 1e6:.1f} | {ballots / t.cpu / 1e6:.1f} | "
            f"{t.wall / t_base.wall:.2f}× / {t.cpu / t_base.cpu:.2f}×"
            if per_ballot
            else "— | — | —"
        )
        wall = f"{t.wall:.3f} / {t.median_wall:.3f}"
        print(f"| {name} | {wall} | {t.cpu:.3f} | {rates} | {correct} |")
    fed = result.node("CH")
    members = fed.members
    assert members is not None
    print(f"\nResult: yes {fed.totals.yes:,} / no {fed.totals.no:,} "
          f"({float(fed.totals.yes_share) * 100:.2f} % yes, display only); states yes "
          f"{members.yes} of {members.total}; approved: {fed.approved}")  # fmt: skip
    print(f"Digest: {result.digest}")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4.5 million ballots")
    parser.add_argument("--seed", type=int, default=20260927)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ballots = 4_500_000 if args.quick else 45_000_000
    start = time.perf_counter()
    data = make_referendum(args.seed, ballots)
    units, ids = make_units(data), [f"C{c:05d}" for c in range(COUNCILS)]
    generated = time.perf_counter() - start
    load_before = load()

    t_base, base = best_of(args.repeat, lambda: baseline(data))
    t_kernel, counts = best_of(
        args.repeat, lambda: count_ballots(data["council"], data["choice"], COUNCILS)
    )
    t_rollup, result = best_of(
        args.repeat,
        lambda: roll_up_counts(build_tree(units), ids, data["eligible"], counts, RULES),
    )
    t_total, (counts, again) = best_of(args.repeat, lambda: ours(data, units, ids))
    tree = build_tree(units)
    tree_arrays(tree)  # what opening the consultation prepares once
    t_prepared, (_, prepared) = best_of(args.repeat, lambda: ours(data, tree, ids))
    t_nodes = time_nodes(
        args.repeat, lambda: roll_up_counts(tree, ids, data["eligible"], counts, RULES)
    )
    rounds = interleaved(
        args.repeat,
        {
            "baseline": lambda: baseline(data),
            "tree checked once": lambda: ours(data, tree, ids),
            "tree checked per run": lambda: ours(data, units, ids),
        },
    )
    # The reference last: its 22,177 result objects would slow down the collector's passes
    # during the other steps.
    reports = reports_from_counts(ids, data["eligible"].tolist(), counts)
    t_ref, reference = best_of(args.repeat, lambda: roll_up_reference(units, reports, RULES))
    problems = check(data, base, counts, result)
    if not again.digest == prepared.digest == result.digest:
        problems.append("digest not reproducible")
    if (result.input_digest, result.digest) != (reference.input_digest, reference.digest):
        problems.append("digest differs from the reference roll-up")
    if result.nodes != reference.nodes:
        problems.append("node results differ from the reference roll-up")

    print(f"seed {args.seed}: {ballots:,} ballots, {COUNCILS:,} councils, {COMMUNES:,} communes, "
          f"{STATES} states; generated in {generated:.1f} s; {args.repeat} runs per step; "
          f"load average (1/5/15 min) before {load_before}, after {load()}\n")  # fmt: skip
    timings = {
        "base": t_base, "kernel": t_kernel, "reference": t_ref, "rollup": t_rollup,
        "total": t_total, "prepared": t_prepared, "nodes": t_nodes,
    }  # fmt: skip
    print_table(ballots, timings, problems, result)
    base = rounds["baseline"]
    print("\nInterleaved rounds (baseline, then ours, back to back), ours ÷ baseline:")
    for name in ("tree checked once", "tree checked per run"):
        t = rounds[name]
        print(f"- end to end, {name}: best {t.wall / base.wall:.2f}× wall, "
              f"{t.cpu / base.cpu:.2f}× CPU; median {t.median_wall / base.median_wall:.2f}× wall; "
              f"{ballots / t.wall / 1e6:.1f} M ballots/s wall at best, "
              f"{ballots / t.median_wall / 1e6:.1f} median ({len(t.walls)} rounds)")  # fmt: skip
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
