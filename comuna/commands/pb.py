"""``comuna pb FILE.pb``: run a participatory-budgeting rule on a pabulib file, print JSON."""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from comuna.core.budgeting import (
    GreedyOptions,
    MesOptions,
    MesResult,
    equal_shares,
    greedy,
    tie_break_order,
)
from comuna.core.bulk import paused_gc
from comuna.core.errors import ComunaError
from comuna.core.pabulib import parse_pb, to_election

HELP = "Participatory budgeting on a pabulib .pb file: Method of Equal Shares or greedy."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a pabulib .pb file")
    parser.add_argument("--rule", choices=("mes", "greedy"), default="mes")
    parser.add_argument("--satisfaction", choices=("cost", "count"), default="cost")
    parser.add_argument("--completion", choices=("add1", "none"), default="add1")
    parser.add_argument(
        "--add1-start",
        choices=("floor", "exact"),
        default="floor",
        help="floor(budget/voters) whole units (official results) or budget/voters",
    )
    parser.add_argument("--add1-step", type=Fraction, default=Fraction(1))
    parser.add_argument("--add1-stop", choices=("over_budget", "exhaustive"), default="over_budget")
    parser.add_argument("--no-skip", action="store_true", help="greedy stops at the first misfit")
    parser.add_argument("--min-votes", type=int, default=1, help="greedy eligibility threshold")
    parser.add_argument(
        "--tie-break",
        default="max_votes,min_cost",
        help="criteria (max_votes, min_cost, max_cost) then file order; 'refuse' to refuse ties",
    )
    parser.add_argument("--detail", action="store_true", help="add rounds and per-project reasons")


def _exact(value: Fraction) -> str:
    return str(value)


def _mes_detail(result: MesResult) -> dict[str, Any]:
    return {
        "endowment": _exact(result.endowment),
        "rounds": [
            {
                "round": r.number,
                "project": r.project_id,
                "price": _exact(r.price),
                "tied_with": list(r.tied_with),
            }
            for r in result.rounds
        ],
        "projects": [
            {
                "project": p.project_id,
                "funded": p.funded,
                "reason": p.reason,
                "votes": p.votes,
                "supporters_money": None
                if p.supporters_money is None
                else _exact(p.supporters_money),
            }
            for p in result.projects
        ],
        "add1_steps": len(result.add1_steps),
        "greedy": None if result.greedy is None else list(result.greedy.selected),
    }


def run(args: argparse.Namespace) -> int:
    """Run the rule with the cyclic garbage collector paused (docs/adr/0023): a command's
    ballots, profile and float runs hold no cycles, and with the collector running its
    scans of them cost a tenth of the command. The objects are freed (by reference
    counting) when ``_run`` returns, before the collector resumes."""
    with paused_gc():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        election = to_election(parse_pb(args.file.read_text(encoding="utf-8")))
        criteria = args.tie_break.split(",") if args.tie_break != "refuse" else None
        order = tie_break_order(election, criteria) if criteria else None
        output: dict[str, Any] = {"rule": args.rule, "tie_break": args.tie_break}
        if args.rule == "greedy":
            options = GreedyOptions(not args.no_skip, args.min_votes, order)
            result = greedy(election, options)
            output |= {"selected": list(result.selected), "total_cost": str(result.total_cost)}
        else:
            mes_options = MesOptions(
                args.satisfaction,
                args.completion,
                args.add1_start,
                args.add1_step,
                args.add1_stop,
                order,
            )
            mes = equal_shares(election, mes_options)
            output |= {"selected": list(mes.selected), "total_cost": str(mes.total_cost)}
            if args.detail:
                output |= _mes_detail(mes)
    except (OSError, ComunaError) as error:
        print(f"comuna pb: {error}", file=sys.stderr)
        return 1
    print(json.dumps(output, indent=2, ensure_ascii=False))
    return 0
