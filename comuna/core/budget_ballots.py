"""Budget ballots as a community casts them, and the record of a budget result.

``budgeting.py`` holds the rules (MES, greedy) over plain elections. This module holds what a
budget *process* adds around them, still pure: checking one ballot against the process's
limits (approval with at most N projects or at most a cost, cumulative points, a ranking),
turning ballots into the rule's ``Election``, the rule's options read from a body's ruleset,
a digest of the ballots so anyone can recompute the result from an export, and the result as
exact JSON (strings for money and shares) for the public record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from comuna.core.budgeting import (
    Ballot,
    Election,
    GreedyOptions,
    GreedyResult,
    MesOptions,
    MesResult,
    Project,
    ProjectOutcome,
    equal_shares,
    greedy,
    tie_break_order,
)
from comuna.core.errors import InputError

BALLOT_KINDS = ("approval", "cumulative", "ranked")
Marks = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class BallotLimits:
    kind: str = "approval"
    max_projects: int | None = None
    """Approval and ranked: at most this many projects (None: no limit)."""
    max_cost: Decimal | None = None
    """Approval: the chosen projects may cost at most this together (None: no limit)."""
    points: int | None = None
    """Cumulative: the points each voter distributes (required)."""


def check_ballot(
    limits: BallotLimits, costs: Mapping[str, Decimal], marks: Sequence[tuple[str, int]]
) -> Marks:
    """Check one ballot; return it normalised (zero marks dropped, sorted as the rule reads it).

    ``marks`` are (project id, value): 1 for an approval, points for a cumulative ballot, the
    rank (1 = first) for a ranked ballot. A ranked ballot comes back in rank order.
    """
    chosen = [(pid, value) for pid, value in marks if value != 0]
    unknown = sorted({pid for pid, _v in chosen if pid not in costs})
    if unknown:
        raise InputError(
            "budget.unknown_project", "No project {project} in this process.", project=unknown[0]
        )
    if len({pid for pid, _v in chosen}) != len(chosen) or any(v < 0 for _p, v in chosen):
        raise InputError("budget.bad_marks", "A ballot marks each project at most once.")
    if not chosen:
        raise InputError("budget.empty_ballot", "The ballot chooses no project.")
    if limits.kind == "cumulative":
        return _cumulative(limits, chosen)
    if limits.max_projects is not None and len(chosen) > limits.max_projects:
        raise InputError(
            "budget.too_many_projects",
            "The ballot chooses {count} projects; at most {limit} are allowed.",
            count=len(chosen),
            limit=limits.max_projects,
        )
    if limits.kind == "ranked":
        return _ranked(chosen)
    if any(v != 1 for _p, v in chosen):
        raise InputError("budget.bad_marks", "A ballot marks each project at most once.")
    total = sum((costs[pid] for pid, _v in chosen), Decimal(0))
    if limits.max_cost is not None and total > limits.max_cost:
        raise InputError(
            "budget.too_costly",
            "The chosen projects cost {total}; at most {limit} is allowed.",
            total=str(total),
            limit=str(limits.max_cost),
        )
    return tuple(sorted(chosen))


def _cumulative(limits: BallotLimits, chosen: list[tuple[str, int]]) -> Marks:
    used = sum(v for _p, v in chosen)
    if limits.points is None or used > limits.points:
        raise InputError(
            "budget.too_many_points",
            "The ballot gives {used} points; each voter has {points}.",
            used=used,
            points=limits.points,
        )
    return tuple(sorted(chosen))


def _ranked(chosen: list[tuple[str, int]]) -> Marks:
    ranks = sorted(v for _p, v in chosen)
    if ranks != list(range(1, len(chosen) + 1)):
        raise InputError("budget.bad_ranks", "Number the chosen projects 1, 2, 3... without gaps.")
    return tuple(sorted(chosen, key=lambda mark: mark[1]))


def election_of(
    budget: Decimal,
    projects: Sequence[tuple[str, Decimal]],
    ballots: Sequence[tuple[str, Marks]],
    kind: str,
) -> Election:
    """The rule's election: ranked ballots count as approval of the ranked projects (as
    pabulib's rules read ordinal ballots), cumulative ballots carry their points."""
    weight = (lambda v: v) if kind == "cumulative" else (lambda _v: 1)
    return Election(
        budget,
        tuple(Project(pid, cost) for pid, cost in projects),
        tuple(
            Ballot(voter, tuple((pid, weight(v)) for pid, v in marks)) for voter, marks in ballots
        ),
    )


def _plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return "0" if text in ("-0", "") else text


def election_digest(election: Election) -> str:
    """SHA-256 of the election in a canonical form: independent of ballot and project order,
    of trailing zeros in amounts and of the order of marks inside a ballot."""
    canonical = {
        "budget": _plain(election.budget),
        "projects": sorted([p.project_id, _plain(p.cost)] for p in election.projects),
        "ballots": sorted(
            [b.voter_id, sorted([pid, w] for pid, w in b.weights)] for b in election.ballots
        ),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def options_from(
    params: Mapping[str, Any], election: Election
) -> tuple[str, MesOptions | GreedyOptions]:
    """The rule named by a ruleset and its options, every one explicit."""
    criteria = str(params["budget_tie_break"])
    order = None if criteria == "refuse" else tie_break_order(election, criteria.split(","))
    if params["budget_rule"] == "greedy":
        return "greedy", GreedyOptions(tie_break=order)
    return "mes", MesOptions(
        satisfaction=str(params["budget_satisfaction"]),
        completion="add1",
        add1_start=str(params["budget_add1_start"]),
        add1_step=Fraction(str(params["budget_add1_step"])),
        add1_stop=str(params["budget_add1_stop"]),
        tie_break=order,
    )


def run_rule(params: Mapping[str, Any], election: Election) -> dict[str, Any]:
    """Apply the ruleset's rule to ``election``; the result as exact JSON with its options,
    the ballot digest and the full audit trail."""
    rule, options = options_from(params, election)
    base = {
        "rule": rule,
        "tie_break": str(params["budget_tie_break"]),
        "digest": election_digest(election),
        "budget": _plain(election.budget),
        "voters": len(election.ballots),
    }
    if isinstance(options, GreedyOptions):
        return base | _greedy_json(greedy(election, options))
    return base | _mes_json(equal_shares(election, options))


def _frac(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _project_json(p: ProjectOutcome) -> dict[str, Any]:
    return {
        "project": p.project_id,
        "cost": _plain(p.cost),
        "votes": p.votes,
        "funded": p.funded,
        "reason": p.reason,
        "round": p.round,
        "price": _frac(p.price),
        "supporters_money": _frac(p.supporters_money),
    }


def _greedy_json(result: GreedyResult) -> dict[str, Any]:
    return {
        "options": {"skip": result.options.skip, "min_votes": result.options.min_votes},
        "selected": list(result.selected),
        "total_cost": _plain(result.total_cost),
        "projects": [_project_json(p) for p in result.projects],
        "ties": [list(t) for t in result.ties],
    }


def _mes_json(result: MesResult) -> dict[str, Any]:
    o = result.options
    return {
        "options": {
            "satisfaction": o.satisfaction,
            "completion": o.completion,
            "add1_start": o.add1_start,
            "add1_step": str(o.add1_step),
            "add1_stop": o.add1_stop,
        },
        "endowment": str(result.endowment),
        "selected": list(result.selected),
        "total_cost": _plain(result.total_cost),
        "projects": [_project_json(p) for p in result.projects],
        "rounds": [
            [r.number, r.project_id, str(r.price), str(r.key), list(r.tied_with)]
            for r in result.rounds
        ],
        "add1_steps": [
            [str(s.endowment), _frac(s.up_to), s.selected, _plain(s.cost), s.within_budget]
            for s in result.add1_steps
        ],
        "accounts": [
            {
                "voters": list(a.voter_ids),
                "payments": [[pid, str(amount)] for pid, amount in a.payments],
                "left": str(a.left),
            }
            for a in result.voters
        ],
        "greedy": None if result.greedy is None else _greedy_json(result.greedy),
        "notes": list(result.notes),
    }
