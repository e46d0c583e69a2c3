"""Side-by-side benchmark: Comuna's lotteries against ``sortition-algorithms`` (maximin, HiGHS).

    python benchmarks/bench_lottery.py [--quick] [--output benchmarks/results/lottery.md]

Runs both on the same real pools in the same process, and prints a Markdown table with the
minimum selection probability each reaches, whether the two agree, whether every panel of
ours meets the quotas with probabilities summing exactly to the panel size, and the time
ratio (ours / theirs; below 1 means we are faster). The peer is used only as a black box.

Pools:
* ``sf_fixture_150``: the Sortition Foundation's own fixture (panel 22).
* ``nature300/500/750``: people sampled without replacement from example_large_200 with
  ``random.Random(42).sample(ids sorted as text, n)``; panel ``n // 10``; every quota's min
  is ``floor(99 * k / 200)`` and its max ``k`` (the original 99..200 of 200, scaled to k).
* ``sf300/500/750``: Sortition-Foundation-style pools with many types: people drawn with
  replacement from sf_fixture_150's rows by ``random.Random(42).choices`` and renamed
  ``s0..``; panel ``round(22 * n / 150)``; quotas ``floor(min * n / 150)`` to
  ``ceil(max * n / 150)`` (only with ``--sf-scaled``: the peer needs minutes per pool).
* example_small_20 and example_large_200 themselves. The peer is not run on the 2,000 pool
  (it did not finish in 30 minutes on this machine, data/README.md); ours runs LEXIMIN.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import math
import os
import platform
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from comuna.core.lottery import LotteryResult, select  # noqa: E402
from comuna.core.sortition import Person, Pool, Quota, make_pool  # noqa: E402
from comuna.core.sortition_csv import parse_pool  # noqa: E402

DATA = Path(os.environ.get("COMUNA_SHARED_DATA", ROOT.parent / "shared" / "data")) / "sortition"
AGREEMENT = 1e-6


def nature(name: str) -> Pool:
    folder = DATA / "nature2021" / "data" / name
    return parse_pool(
        (folder / "categories.csv").read_text(), (folder / "respondents.csv").read_text()
    )


def sf_fixture() -> Pool:
    folder = DATA / "sf_fixture_150"
    return parse_pool(
        (folder / "features.csv").read_text(), (folder / "candidates.csv").read_text()
    )


def nature_sample(size: int) -> tuple[Pool, int]:
    large = nature("example_large_200")
    people = sorted(large.people, key=lambda p: p.id)
    chosen = random.Random(42).sample(people, size)
    k = size // 10
    quotas = tuple(Quota(q.feature, q.value, (99 * k) // 200, k) for q in large.quotas)
    return make_pool(quotas, tuple(chosen)), k


def sf_scaled(size: int) -> tuple[Pool, int]:
    base = sf_fixture()
    rows = random.Random(42).choices(base.people, k=size)
    people = tuple(Person(f"s{i}", p.values) for i, p in enumerate(rows))
    factor = Fraction(size, 150)
    quotas = tuple(
        Quota(q.feature, q.value, math.floor(q.min * factor), math.ceil(q.max * factor))
        for q in base.quotas
    )
    return make_pool(quotas, people), round(22 * factor)


def run_peer(pool: Pool, k: int) -> tuple[float, float]:
    """(minimum probability, seconds) of sortition-algorithms' maximin with highspy."""
    from sortition_algorithms import Settings, read_in_features, read_in_people
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin

    head = ["feature", "value", "min", "max"]
    body = [
        {"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)}
        for q in pool.quotas
    ]
    features, _, _ = read_in_features(head, body, k)
    people_head = ["id", *pool.features]
    people_body = [dict(zip(people_head, (p.id, *p.values), strict=True)) for p in pool.people]
    settings = Settings(id_column="id", columns_to_keep=[], solver_backend="highspy")
    people, _ = read_in_people(people_head, people_body, features, settings)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the peer prints its progress
        committees, probabilities, _ = find_distribution_maximin(features, people, k, [])
    seconds = time.perf_counter() - start
    marginal = dict.fromkeys((p.id for p in pool.people), 0.0)
    for committee, probability in zip(committees, probabilities, strict=True):
        for member in committee:
            marginal[member] += probability
    return min(marginal.values()), seconds


def run_ours(pool: Pool, k: int, algorithm: str) -> tuple[LotteryResult, float]:
    start = time.perf_counter()
    result = select(pool, k, algorithm)
    return result, time.perf_counter() - start


def valid(pool: Pool, result: LotteryResult) -> bool:
    column = {feature: i for i, feature in enumerate(pool.features)}
    if sum(p for _, p in result.probabilities()) != result.panel_size:
        return False
    for shape in result.portfolio:
        for q in pool.quotas:
            seated = sum(
                c
                for c, kind in zip(shape.counts, result.types, strict=True)
                if kind.values[column[q.feature]] == q.value
            )
            if not q.min <= seated <= q.max:
                return False
    return True


def row(name: str, pool: Pool, k: int, peer: bool) -> list[str]:
    maximin, ours_seconds = run_ours(pool, k, "maximin")
    leximin, leximin_seconds = run_ours(pool, k, "leximin")
    cells = [
        name,
        f"{len(pool.people)} / {k}",
        str(len(leximin.types)),
        f"{float(maximin.minimum):.6f}",
        f"{float(leximin.minimum):.6f} ({leximin.minimum})",
        "yes" if valid(pool, maximin) and valid(pool, leximin) else "NO",
        f"{ours_seconds:.2f}",
        f"{leximin_seconds:.2f}",
    ]
    if not peer:
        return [*cells, "not run", "—", "—", "—"]
    peer_min, peer_seconds = run_peer(pool, k)
    agree = abs(float(maximin.minimum) - peer_min) <= AGREEMENT
    return [
        *cells,
        f"{peer_min:.6f}",
        f"{peer_seconds:.2f}",
        "yes" if agree else "NO",
        f"{ours_seconds / peer_seconds:.2g} / {leximin_seconds / peer_seconds:.2g}",
    ]


HEADER = [
    "pool",
    "n / k",
    "types",
    "ours maximin min",
    "ours LEXIMIN min",
    "quotas met, sum = k",
    "ours maximin s",
    "ours LEXIMIN s",
    "peer maximin min",
    "peer maximin s",
    "minimums agree (1e-6)",
    "time ratio maximin / LEXIMIN vs peer",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fixture, 300 sample, examples")
    parser.add_argument("--sf-scaled", action="store_true", help="add SF-style 300/500/750")
    parser.add_argument("--only", help="comma-separated pool names to run (default: all)")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    cases: list[tuple[str, Pool, int, bool]] = [("sf_fixture_150", sf_fixture(), 22, True)]
    for size in (300,) if args.quick else (300, 500, 750):
        pool, k = nature_sample(size)
        cases.append((f"nature{size}", pool, k, True))
    if args.sf_scaled:
        for size in (300,) if args.quick else (300, 500, 750):
            pool, k = sf_scaled(size)
            cases.append((f"sf{size}", pool, k, True))
    cases.append(("example_small_20", nature("example_small_20"), 20, True))
    cases.append(("example_large_200", nature("example_large_200"), 200, False))
    if args.only:
        wanted = set(args.only.split(","))
        cases = [case for case in cases if case[0] in wanted]
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for name, pool, k, peer in cases:
        lines.append("| " + " | ".join(row(name, pool, k, peer)) + " |")
        print(lines[-1], flush=True)
    table = "\n".join(lines)
    print()
    print(table)
    if args.output:
        command = "python benchmarks/bench_lottery.py " + " ".join(sys.argv[1:])
        stamp = datetime.date.today().isoformat()
        machine = (
            f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
        )
        args.output.write_text(
            f"# Lottery benchmark\n\nDate: {stamp}. Machine: {machine} (shared with other "
            f"jobs: times are noisy, compare ratios within a row).\nCommand: `{command}`\n\n"
            f"{table}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
