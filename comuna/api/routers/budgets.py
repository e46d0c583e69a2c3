"""Participatory budgets: processes, projects, the result and why, shares, spending, ballots.

Reads are public (``budget.view``), as the pages are. Amounts are exact decimal strings and
the rule's shares exact fractions ("1000/3"), as recorded: clients round only for display.
Writes: a member's ballot with their personal code (``budget.vote``, no account), and a
proposal while proposals are open (``budget.manage``, as on the process page).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema

from comuna.api.auth import body_by_slug, policy
from comuna.api.schemas import MAX_ID, ErrorOut
from comuna.bodies.models import Body
from comuna.budgets import explain, pb_files, services
from comuna.budgets.models import BudgetProcess, Project, Spending
from comuna.core import rulesets
from comuna.core.errors import RuleError

router = Router(tags=["budgets"])
ProcessId = Annotated[int, Path(ge=1, le=MAX_ID)]
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
REFUSALS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def body_of_process(process_id: int, **_: Any) -> Body:
    return get_object_or_404(Body, budget_processes=process_id)


def body_of_project(project_id: int, **_: Any) -> Body:
    return get_object_or_404(Body, budget_processes__projects=project_id)


class ProcessOut(Schema):
    id: int
    body: str
    title: str
    phase: str
    amount: str
    rule: str = Field(..., description="mes (method of equal shares) or greedy")
    ballot_kind: str = Field(..., description="approval, cumulative or ranked")
    max_projects: int | None
    max_cost: str | None
    points: int | None
    imported: bool
    created_at: dt.datetime
    projects: int
    funded: int


class ProjectOut(Schema):
    id: int
    code: str
    title: str
    description: str
    cost: str
    feasibility: str
    review_note: str
    funded: bool | None


class ProcessDetailOut(ProcessOut):
    project_list: list[ProjectOut]
    ballots: int


class ResultProjectOut(Schema):
    project: str
    title: str
    cost: str
    votes: int
    funded: bool
    reason: str = Field(..., description="Why funded or not, as the result page explains.")
    round: int | None
    price: str | None
    supporters_money: str | None
    greedy_funded: bool | None
    greedy_reason: str | None


class ComparisonOut(Schema):
    both: list[str]
    only_mes: list[str]
    only_greedy: list[str]
    served_mes: int
    served_greedy: int
    greedy_cost: str


class ResultOut(Schema):
    process: int
    rule: str
    tie_break: str
    digest: str = Field(..., description="Fingerprint of the projects and anonymous ballots.")
    budget: str
    voters: int
    endowment: str | None
    selected: list[str]
    total_cost: str
    projects: list[ResultProjectOut]
    comparison: ComparisonOut


class PaymentOut(Schema):
    project: str
    amount: str


class ShareOut(Schema):
    voters: list[str] = Field(..., description="Receipts of the identical ballots of this group.")
    payments: list[PaymentOut]
    left: str


class SharesOut(Schema):
    process: int
    endowment: str | None
    groups: list[ShareOut]


class SpendingOut(Schema):
    id: int
    amount: str
    spent_on: dt.date
    description: str
    evidence: str
    progress: int | None
    reverses: int | None
    decision: int | None
    recorded_at: dt.datetime


class SpendingLogOut(Schema):
    project: ProjectOut
    total: str
    lines: list[SpendingOut]


class MarkIn(Schema):
    project: str = Field(..., max_length=30, description="Project code, e.g. P1.")
    value: int = Field(1, ge=0, le=1_000_000, description="1, the points, or the rank (1 first).")


class BudgetBallotIn(Schema):
    code: str = Field(..., max_length=12, description="The member's personal voting code.")
    marks: list[MarkIn] = Field(..., max_length=500)


class BudgetBallotOut(Schema):
    receipt: str = Field(..., description="Find it on the shares page after the result.")


class ProposalIn(Schema):
    title: str = Field(..., max_length=200)
    cost: str = Field(..., max_length=30, description="Decimal amount, e.g. 1500.50")
    description: str = Field("", max_length=10000)


def _money(amount: Decimal | int) -> str:
    """An amount as stored: exact, two decimals (a fresh object may still hold "2500.5")."""
    return f"{Decimal(amount):.2f}"


def _rule(process: BudgetProcess) -> str:
    """The rule the process is decided by: its ruleset over the profile's defaults."""
    version = process.ruleset
    return str({**rulesets.profile(version.profile), **version.params}["budget_rule"])


def _process_out(process: BudgetProcess) -> dict[str, Any]:
    return {
        "id": process.pk, "body": process.body.slug, "title": process.title,
        "phase": process.phase, "amount": _money(process.amount),
        "rule": _rule(process), "ballot_kind": process.ballot_kind,
        "max_projects": process.max_projects,
        "max_cost": None if process.max_cost is None else _money(process.max_cost),
        "points": process.points, "imported": process.imported,
        "created_at": process.created_at, "projects": process.n_projects,
        "funded": process.n_funded,
    }  # fmt: skip


def _project_out(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk, "code": project.code, "title": project.title,
        "description": project.description, "cost": _money(project.cost),
        "feasibility": project.feasibility, "review_note": project.review_note,
        "funded": project.funded,
    }  # fmt: skip


def _processes():  # -> QuerySet[BudgetProcess]
    return BudgetProcess.objects.select_related("body", "ruleset").annotate(
        n_projects=Count("projects", distinct=True),
        n_funded=Count("projects", filter=Q(projects__funded=True), distinct=True),
    )


def _process(process_id: int) -> BudgetProcess:
    return get_object_or_404(_processes(), pk=process_id)


def _decided(process_id: int) -> BudgetProcess:
    process = get_object_or_404(BudgetProcess, pk=process_id)
    if process.result is None:
        raise RuleError("budget.no_result", "This process has no result yet.")
    return process


@router.get("/bodies/{slug}/budgets", response={200: list[ProcessOut], 404: ErrorOut})
@policy("budget.view", body=body_by_slug)
def list_processes(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """A body's budget processes, newest first, with their phase, amount and rule."""
    body = body_by_slug(slug)
    return [_process_out(p) for p in _processes().filter(body=body).order_by("-created_at")]


@router.get("/budgets/{process_id}", response={200: ProcessDetailOut, 404: ErrorOut})
@policy("budget.view", body=body_of_process)
def get_process(request: HttpRequest, process_id: ProcessId) -> dict[str, Any]:
    """A process with its projects: cost, feasibility after review, funded after the result."""
    process = _process(process_id)
    return {
        **_process_out(process),
        "project_list": [_project_out(p) for p in process.projects.order_by("id")],
        "ballots": process.ballots.count(),
    }


@router.get("/budgets/{process_id}/result", response={200: ResultOut, **REFUSALS})
@policy("budget.view", body=body_of_process)
def get_result(request: HttpRequest, process_id: ProcessId) -> dict[str, Any]:
    """The result: each project's verdict and reason, and how it compares with greedy."""
    process = _decided(process_id)
    data = process.result or {}
    titles = dict(process.projects.values_list("code", "title"))
    fields = ResultProjectOut.model_fields
    ballots = list(process.ballots.values_list("marks", flat=True))
    return {
        "process": process.pk,
        **{key: data.get(key) for key in ("rule", "tie_break", "digest", "budget", "voters")},
        "endowment": data.get("endowment"),
        "selected": data["selected"],
        "total_cost": data["total_cost"],
        "projects": [
            {key: row.get(key) for key in fields} for row in explain.project_rows(data, titles)
        ],
        "comparison": explain.comparison(data, ballots),
    }


@router.get("/budgets/{process_id}/shares", response={200: SharesOut, **REFUSALS})
@policy("budget.view", body=body_of_process)
def get_shares(request: HttpRequest, process_id: ProcessId) -> dict[str, Any]:
    """How each group of voters' equal shares was spent (method of equal shares only)."""
    data = _decided(process_id).result or {}
    groups = [
        {
            "voters": account["voters"],
            "payments": [{"project": pid, "amount": amount} for pid, amount in account["payments"]],
            "left": account["left"],
        }
        for account in data.get("accounts", [])
    ]
    return {"process": process_id, "endowment": data.get("endowment"), "groups": groups}


@router.get(
    "/budgets/{process_id}/export.pb",
    response={200: str, **REFUSALS},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The pabulib file.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
@policy("budget.view", body=body_of_process)
def export_pb(request: HttpRequest, process_id: ProcessId) -> HttpResponse:
    """Projects and anonymous ballots as a pabulib ``.pb`` file, once voting has closed."""
    process = _decided(process_id)
    response = HttpResponse(pb_files.export_pb(process), content_type="text/plain; charset=utf-8")
    name = f"{process.body.slug}-budget-{process.pk}.pb"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/budget-projects/{project_id}/spending", response={200: SpendingLogOut, 404: ErrorOut})
@policy("budget.view", body=body_of_project)
def get_spending(request: HttpRequest, project_id: ProjectId) -> dict[str, Any]:
    """A project's spending log: every line as recorded; corrections are reversing lines."""
    project = get_object_or_404(Project, pk=project_id)
    lines = Spending.objects.filter(project=project).select_related("decision")
    total = lines.aggregate(total=Sum("amount"))["total"] or 0
    return {
        "project": _project_out(project),
        "total": _money(total),
        "lines": [
            {
                "id": line.pk,
                "amount": _money(line.amount),
                "spent_on": line.spent_on,
                "description": line.description,
                "evidence": line.evidence,
                "progress": line.progress,
                "reverses": line.reverses_id,
                "decision": line.decision.number if line.decision else None,
                "recorded_at": line.recorded_at,
            }  # fmt: skip
            for line in lines.order_by("recorded_at", "id")
        ],
    }


@router.post("/budgets/{process_id}/ballots", response={201: BudgetBallotOut, **REFUSALS})
@policy("budget.vote", body=body_of_process)
def cast_ballot(
    request: HttpRequest, process_id: ProcessId, data: BudgetBallotIn
) -> tuple[int, dict]:
    """Vote with one's personal code: approval marks 1, cumulative the points, ranked the rank
    (1 first), as the process says. No account needed; the answer is the ballot's receipt."""
    process = get_object_or_404(BudgetProcess, pk=process_id)
    marks = [(mark.project, mark.value) for mark in data.marks if mark.value]
    return 201, {"receipt": services.cast_budget_ballot(process, data.code, marks)}


@router.post("/budgets/{process_id}/projects", response={201: ProjectOut, **REFUSALS})
@policy("budget.manage", body=body_of_process)
def propose_project(
    request: HttpRequest, process_id: ProcessId, data: ProposalIn
) -> tuple[int, dict]:
    """Add a proposal gathered from the community, while the process takes proposals."""
    process = get_object_or_404(BudgetProcess, pk=process_id)
    project = services.propose_project(
        process, title=data.title, cost=data.cost, description=data.description, by=request.auth
    )
    return 201, _project_out(project)
