"""``comuna lottery``: the fairest selection probabilities for a pool, and a reproducible draw.

Reads the quota and people CSV files (both layouts of ``comuna.core.sortition_csv``), prints
JSON: every person's probability (by id), the minimum, the LEXIMIN stages; with ``--draw
--seed S`` also the portfolio and the panel drawn with the seed derived from the pool digest
and ``S`` (the numbers announced in the assembly). Never imports Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from comuna.core.errors import ComunaError, InputError
from comuna.core.lottery import LotteryResult, draw_panel, replay, select
from comuna.core.sortition_check import check_feasibility
from comuna.core.sortition_csv import parse_pool
from comuna.core.sortition_lp import ALGORITHMS

HELP = "Fair lottery (sortition): selection probabilities under quotas, and a seeded draw."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--people", required=True, type=Path, help="people (pool) CSV file")
    parser.add_argument("--features", required=True, type=Path, help="quotas CSV file")
    parser.add_argument("--size", required=True, type=int, help="panel size")
    parser.add_argument("--algorithm", choices=ALGORITHMS, default="leximin")
    parser.add_argument("--check", action="store_true", help="only check the quotas")
    parser.add_argument("--draw", action="store_true", help="also draw one panel")
    parser.add_argument("--seed", help="the numbers announced for the draw (published input)")
    parser.add_argument("--portfolio", action="store_true", help="print the portfolio")
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    parser.add_argument(
        "--replay",
        type=Path,
        help="JSON printed by an earlier --draw: re-run its draw from its portfolio, no solver",
    )


def run(args: argparse.Namespace) -> int:
    if args.draw and not args.seed:
        print("--draw needs --seed (the numbers announced in the assembly)", file=sys.stderr)
        return 2
    try:
        pool = parse_pool(_read(args.features), _read(args.people))
        if args.check:
            return _print_check(pool, args.size)
        progress = _progress if args.progress else None
        if args.replay:
            result = _replayed(pool, args.size, args.replay)
        else:
            result = select(pool, args.size, args.algorithm, progress)
    except ComunaError as error:
        print(f"error [{error.code}]: {error}", file=sys.stderr)
        return 2 if isinstance(error, InputError) else 1
    output = describe(result, with_portfolio=args.portfolio or args.draw)
    if args.draw:
        draw = draw_panel(result, args.seed)
        output["draw"] = {
            "announced": draw.announced,
            "seed": draw.seed,
            "ticket": draw.ticket,
            "shape": draw.shape,
            "panel": list(draw.panel),
        }
    print(json.dumps(output, indent=2, ensure_ascii=False))
    return 0


def describe(result: LotteryResult, with_portfolio: bool) -> dict[str, Any]:
    probabilities = result.probabilities()
    output: dict[str, Any] = {
        "algorithm": result.algorithm,
        "version": result.version,
        "panel_size": result.panel_size,
        "pool_size": len(probabilities),
        "pool_digest": result.pool_digest,
        "minimum": float(result.minimum),
        "minimum_exact": _exact(result.minimum),
        "probabilities": {pid: float(p) for pid, p in probabilities},
        "probabilities_exact": {pid: _exact(p) for pid, p in probabilities},
        "stages": [
            {"stage": s.number, "people": s.people, "probability": _exact(s.probability)}
            for s in result.stages
        ],
        "notes": list(result.notes),
    }
    if with_portfolio:
        output["features"] = list(result.features)
        output["denominator"] = result.denominator
        output["portfolio"] = [
            {
                "weight": _exact(shape.weight),
                "counts": [
                    [*kind.values, count]
                    for kind, count in zip(result.types, shape.counts, strict=True)
                    if count
                ],
            }
            for shape in result.portfolio
        ]
    return output


def _print_check(pool: Any, size: int) -> int:
    feasibility = check_feasibility(pool, size)
    output = {
        "feasible": feasibility.feasible,
        "relaxations": [r.describe() for r in feasibility.relaxations],
        "notes": list(feasibility.notes),
    }
    print(json.dumps(output, indent=2, ensure_ascii=False))
    return 0 if feasibility.feasible else 1


def _replayed(pool: Any, size: int, path: Path) -> LotteryResult:
    try:
        record = json.loads(_read(path))
        width = len(record["features"])
        shapes = tuple(
            (
                {
                    tuple(str(v) for v in entry[:width]): int(entry[width])
                    for entry in shape["counts"]
                },
                Fraction(shape["weight"]),
            )
            for shape in record["portfolio"]
        )
        algorithm, digest = str(record["algorithm"]), str(record["pool_digest"])
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise InputError(
            "lottery.bad_record",
            "{path} is not a lottery record: {why}.",
            path=str(path),
            why=error,
        ) from None
    result = replay(pool, size, algorithm, shapes)
    if result.pool_digest != digest:
        raise InputError(
            "lottery.digest_mismatch",
            "The pool files do not match the record: digest {ours} instead of {theirs}.",
            ours=result.pool_digest,
            theirs=digest,
        )
    return result


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InputError(
            "lottery.unreadable", "Cannot read {path}: {why}.", path=str(path), why=error.strerror
        ) from None


def _exact(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _progress(stage: str, fraction: float) -> None:
    print(f"{stage}: {fraction:.0%}", file=sys.stderr)
