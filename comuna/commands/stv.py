"""``comuna stv FILE.blt...``: count ballot files by Scottish STV, one JSON object per line.

Each line holds the file name, the winners (names exactly as in the file) in order of election
and every stage's totals, or an ``error`` with its stable code. The exit status is 1 when any
file could not be counted. Reading files happens here; the count itself is the pure core.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from comuna.core.blt import Election, parse_blt
from comuna.core.errors import ComunaError
from comuna.core.stv import Lot, StvResult, count_stv

HELP = "Count BLT ballot files by Scottish STV; print one JSON object per file."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE.blt", help="BLT ballot files")
    lot = parser.add_mutually_exclusive_group()
    lot.add_argument("--seed", help="settle ties that need a lot from this published seed")
    lot.add_argument(
        "--lot-order",
        help="settle ties that need a lot by this order of candidate numbers, most favoured "
        "first, comma-separated (e.g. 3,1,2)",
    )
    parser.add_argument(
        "--tie-history",
        choices=("latest", "earliest"),
        default="latest",
        help="which earlier stage breaks a tie: the most recent at which the tied candidates "
        "differed (the statute, default) or the first",
    )


def _lot(args: argparse.Namespace, election: Election) -> Lot | None:
    if args.seed is not None:
        return Lot(seed=args.seed)
    if args.lot_order:
        try:
            order = tuple(int(n) - 1 for n in args.lot_order.split(","))
        except ValueError:
            order = ()
        lot = Lot(order=order)
        lot.ranking(election.candidates)  # refuse a bad order before counting
        return lot
    return None


def summary(name: str, title: str, result: StvResult) -> dict[str, Any]:
    names = result.candidates

    def who(index: int | None) -> str | None:
        return None if index is None else names[index]

    return {
        "file": name,
        "title": title,
        "seats": result.seats,
        "valid": result.valid,
        "quota": result.quota,
        "candidates": list(names),
        "elected": [names[i] for i in result.elected],
        "stages": [
            {
                "stage": s.number,
                "action": s.action,
                "candidate": who(s.candidate),
                "totals": [str(v) for v in s.totals],
                "non_transferable": str(s.non_transferable),
                "elected": [names[i] for i in s.elected],
            }
            for s in result.stages
        ],
        "ties": [
            {
                "stage": t.stage,
                "purpose": t.purpose,
                "tied": [names[i] for i in t.tied],
                "chosen": names[t.chosen],
                "decided_by": t.decided_by,
            }
            for t in result.ties
        ],
        "notes": list(result.notes),
    }


def _one(name: str, args: argparse.Namespace) -> dict[str, Any]:
    try:
        text = Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return {"file": name, "error": {"code": "file.unreadable", "message": str(error)}}
    try:
        election = parse_blt(text)
        result = count_stv(election, lot=_lot(args, election), tie_history=args.tie_history)
    except ComunaError as error:
        detail = {"code": error.code, "message": str(error), "params": error.params}
        return {"file": name, "error": detail}
    return summary(name, election.title, result)


def run(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        output = _one(name, args)
        status = 1 if "error" in output else status
        print(json.dumps(output, ensure_ascii=False, default=str))
    return status
