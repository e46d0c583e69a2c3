"""Pabulib ``.pb`` files for a budget process: import one for analysis, export a process."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.bodies import services as body_services
from comuna.bodies.models import Body
from comuna.budgets.models import BudgetBallot, BudgetProcess, PhaseChange, Project
from comuna.budgets.services import decide_result, parse_money
from comuna.core.errors import InputError
from comuna.core.pabulib import PbFile, PbProject, PbVote, parse_pb, write_pb

KIND_OF_VOTE = {"approval": "approval", "choose-1": "approval", "cumulative": "cumulative",
                "ordinal": "ranked"}  # fmt: skip
VOTE_OF_KIND = {"approval": "approval", "cumulative": "cumulative", "ranked": "ordinal"}
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _marks(vote: PbVote, kind: str) -> list[list[object]]:
    if kind == "cumulative":
        return [[pid, points] for pid, points in zip(vote.projects, vote.points or (), strict=True)]
    if kind == "ranked":
        return [[pid, rank] for rank, pid in enumerate(vote.projects, start=1)]
    return [[pid, 1] for pid in vote.projects]


def _check_sizes(pb: PbFile) -> None:
    for project in pb.projects:
        if len(project.project_id) > 30 or project.cost <= 0:
            raise InputError("budget.bad_import_project", "Project {project} cannot be imported.",
                             project=project.project_id)  # fmt: skip
    if any(len(v.voter_id) > 40 for v in pb.votes):
        raise InputError("budget.bad_import_voter", "A voter id is longer than 40 characters.")
    if not pb.votes:
        raise InputError("budget.no_ballots", "No ballot has been cast.")


@transaction.atomic
def import_pb(
    body: Body, text: str, *, title: str, by: User, now: dt.datetime | None = None
) -> BudgetProcess:
    """A process made from a pabulib file, for analysis: its projects, its anonymous ballots
    and the result under the body's ruleset. It has no phases and no electorate."""
    pb = parse_pb(text)
    _check_sizes(pb)
    kind = KIND_OF_VOTE[pb.vote_type]
    points = max((sum(v.points or ()) for v in pb.votes), default=0) or None
    process = BudgetProcess.objects.create(
        body=body, ruleset=body_services.current_ruleset(body),
        title=title.strip() or (pb.meta_value("description") or "pabulib")[:200],
        amount=parse_money(pb.budget), ballot_kind=kind, points=points if kind == "cumulative" else None,
        phase=BudgetProcess.Phase.RESULT, imported=True, created_at=now or timezone.now(),
    )  # fmt: skip
    Project.objects.bulk_create(
        Project(process=process, code=p.project_id, title=(p.get("name") or p.project_id)[:200],
                cost=parse_money(p.cost), feasibility=Project.Feasibility.FEASIBLE)
        for p in pb.projects
    )  # fmt: skip
    BudgetBallot.objects.bulk_create(
        (
            BudgetBallot(process=process, receipt=v.voter_id, marks=_marks(v, kind))
            for v in pb.votes
        ),
        batch_size=2000,
    )
    PhaseChange.objects.create(process=process, phase=process.phase,
                               changed_at=now or timezone.now(), changed_by=by)  # fmt: skip
    result = decide_result(process)
    process.save(update_fields=["result"])
    body_services.post_entry(
        body,
        "budget.imported",
        {"process": process.pk, "title": process.title, "by": by.username,
         "meta": dict(pb.meta), **{k: result[k] for k in ("rule", "digest", "selected")}},
        now,
    )  # fmt: skip
    return process


def export_pb(process: BudgetProcess) -> str:
    """The process's feasible projects and anonymous ballots (voter id = receipt) as pabulib."""
    projects = list(process.projects.filter(feasibility=Project.Feasibility.FEASIBLE))
    ballots = list(process.ballots.order_by("receipt").values_list("receipt", "marks"))
    vote_type = VOTE_OF_KIND[process.ballot_kind]
    meta = [("description", process.title), ("country", "Venezuela"), ("unit", process.body.name),
            ("instance", str(process.pk)), ("num_projects", str(len(projects))),
            ("num_votes", str(len(ballots))), ("budget", str(process.amount)),
            ("vote_type", vote_type)]  # fmt: skip
    if process.result:
        meta.append(("rule", "equalshares/add1" if process.result["rule"] == "mes" else "greedy"))
    if process.max_projects:
        meta.append(("max_length", str(process.max_projects)))
    selected = set((process.result or {}).get("selected", []))
    rows = tuple(
        PbProject(
            p.code, p.cost, (("name", p.title), ("selected", "1" if p.code in selected else "0"))
        )
        for p in projects
    )
    votes = tuple(_vote(receipt, marks, vote_type) for receipt, marks in ballots)
    columns = ("voter_id", "vote", "points") if vote_type == "cumulative" else ("voter_id", "vote")
    pb = PbFile(tuple(meta), ("project_id", "cost", "name", "selected"), rows, columns, votes)
    return write_pb(pb)


def _vote(receipt: str, marks: list[list[object]], vote_type: str) -> PbVote:
    if vote_type == "ordinal":
        marks = sorted(marks, key=lambda m: int(str(m[1])))
    projects = tuple(str(m[0]) for m in marks)
    points = tuple(int(str(m[1])) for m in marks) if vote_type == "cumulative" else None
    return PbVote(receipt, projects, points)
