"""The budgets API: processes and projects, the result with its reasons and the greedy
comparison, the shares, the spending log, the .pb file; ballots with a personal code as the
process says (approval, cumulative, ranked), proposals; refusals with codes, nothing written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from comuna.bodies.models import RecordEntry
from comuna.budgets import spending
from comuna.budgets.models import BudgetBallot, BudgetProcess, Project, VoterMark, VotingCode
from comuna.core.errors import RuleError
from comuna.messages import describe
from tests import builders
from tests.apps import budget_scene
from tests.apps.api_scene import client_for
from tests.apps.fedapi_scene import build_budgets

pytestmark = pytest.mark.django_db


def post(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def _writes() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (RecordEntry, BudgetBallot, VoterMark, Project))


def test_it_lists_processes_and_shows_projects(django_assert_max_num_queries):
    scene = build_budgets()
    with django_assert_max_num_queries(3):
        listed = client_for(None).get(f"/api/bodies/{scene.body.slug}/budgets").json()
    phases = {p["id"]: (p["phase"], p["rule"], p["projects"], p["funded"]) for p in listed}
    assert phases[scene.proposals.pk] == ("proposals", "mes", 0, 0)
    assert phases[scene.decided.pk] == ("result", "mes", 3, 2)
    with django_assert_max_num_queries(4):
        detail = client_for(None).get(f"/api/budgets/{scene.decided.pk}").json()
    assert detail["amount"] == "10000.00"
    assert detail["ballots"] == 10
    funded = dict(Project.objects.filter(process=scene.decided).values_list("code", "funded"))
    assert [(p["code"], p["cost"], p["feasibility"], p["funded"]) for p in detail["project_list"]] == [
        ("P1", "6000.00", "feasible", funded["P1"]), ("P2", "3000.00", "feasible", funded["P2"]),
        ("P3", "4000.00", "feasible", funded["P3"]),
    ]  # fmt: skip


def test_it_explains_the_result_the_shares_and_exports_the_pb_file(
    django_assert_max_num_queries,
):
    scene = build_budgets()
    with django_assert_max_num_queries(4):
        result = client_for(None).get(f"/api/budgets/{scene.decided.pk}/result").json()
    recorded = BudgetProcess.objects.get(pk=scene.decided.pk).result
    assert result["digest"] == recorded["digest"]
    assert result["selected"] == recorded["selected"]
    reasons = {
        p["project"]: (p["funded"], p["reason"], p["greedy_funded"]) for p in result["projects"]
    }
    assert reasons == {
        p["project"]: (p["funded"], p["reason"], reasons[p["project"]][2])
        for p in recorded["projects"]
    }
    assert result["projects"][0]["title"] == "Tubería de la calle 3"
    assert result["comparison"]["served_mes"] <= 10
    with django_assert_max_num_queries(2):
        shares = client_for(None).get(f"/api/budgets/{scene.decided.pk}/shares").json()
    voters = sorted(r for group in shares["groups"] for r in group["voters"])
    assert voters == sorted(
        BudgetBallot.objects.filter(process=scene.decided).values_list("receipt", flat=True)
    )
    assert shares["endowment"] == recorded["endowment"]
    pb = client_for(None).get(f"/api/budgets/{scene.decided.pk}/export.pb")
    assert pb.status_code == 200 and pb["Content-Type"].startswith("text/plain")
    assert pb.content.decode().startswith("META")
    early = client_for(None).get(f"/api/budgets/{scene.voting.pk}/result")
    assert (early.status_code, early.json()["code"]) == (409, "budget.no_result")


def test_it_shows_a_funded_project_s_spending_log(django_assert_max_num_queries):
    scene = build_budgets()
    marta = User.objects.get(username="marta")
    from comuna.budgets import services

    services.advance_phase(scene.decided, by=marta)  # execution
    project = Project.objects.filter(process=scene.decided, funded=True).order_by("pk").first()
    for amount in ("1000", "250.50"):
        spending.record_spending(
            project, amount=amount, spent_on_day=dt.date(2026, 3, 1),
            description="Tubos", evidence="Factura 12", by=marta, progress=20,
        )  # fmt: skip
    with django_assert_max_num_queries(4):
        log = client_for(None).get(f"/api/budget-projects/{project.pk}/spending").json()
    assert log["total"] == "1250.50"
    assert [line["amount"] for line in log["lines"]] == ["1000.00", "250.50"]
    assert log["project"]["code"] == project.code


def test_it_casts_an_approval_ballot_with_a_personal_code_once():
    scene = build_budgets()
    url = f"/api/budgets/{scene.voting.pk}/ballots"
    cast = post(
        client_for(None), url, {"code": scene.codes[0].lower(), "marks": [{"project": "P2"}]}
    )
    assert cast.status_code == 201, cast.content
    receipt = cast.json()["receipt"]
    assert BudgetBallot.objects.get(receipt=receipt).marks == [["P2", 1]]
    before = _writes()
    again = post(
        client_for(None), url, {"code": scene.codes[0], "marks": [{"project": "P1"}]},
        HTTP_ACCEPT_LANGUAGE="es",
    )  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (409, "budget.already_voted")
    with translation.override("es"):
        assert again.json()["message"] == describe(RuleError("budget.already_voted"))
    cases = [
        ({"code": "NOPE", "marks": [{"project": "P1"}]}, 409, "budget.bad_code"),
        ({"code": scene.codes[1], "marks": [{"project": "P9"}]}, 400, "budget.unknown_project"),
        ({"code": scene.codes[1], "marks": []}, 400, "budget.empty_ballot"),
        ({"code": scene.codes[1], "marks": [{"project": "P1", "value": -1}]}, 422, "api.invalid"),
    ]
    for data, status, code in cases:
        response = post(client_for(None), url, data)
        assert (response.status_code, response.json()["code"]) == (status, code), data
    closed = post(client_for(None), f"/api/budgets/{scene.decided.pk}/ballots", cases[1][0])
    assert (closed.status_code, closed.json()["code"]) == (409, "budget.not_voting")
    assert _writes() == before


@pytest.mark.parametrize(
    ("kind", "extra", "marks", "stored"),
    [
        ("cumulative", {"points": 5}, [("P1", 3), ("P3", 2)], [["P1", 3], ["P3", 2]]),
        ("ranked", {}, [("P3", 1), ("P1", 2)], [["P3", 1], ["P1", 2]]),
    ],
)
def test_it_casts_the_ballot_the_process_asks_for(kind, extra, marks, stored):
    body = builders.make_council(residents=4)
    process = budget_scene.process_in_voting(body, ballot_kind=kind, **extra)
    code = VotingCode.objects.filter(process=process).first().code
    data = {"code": code, "marks": [{"project": p, "value": v} for p, v in marks]}
    cast = post(client_for(None), f"/api/budgets/{process.pk}/ballots", data)
    assert cast.status_code == 201, cast.content
    assert sorted(BudgetBallot.objects.get(process=process).marks) == sorted(stored)


def test_it_refuses_too_many_points():
    body = builders.make_council(residents=4)
    process = budget_scene.process_in_voting(body, ballot_kind="cumulative", points=5)
    code = VotingCode.objects.filter(process=process).first().code
    data = {"code": code, "marks": [{"project": "P1", "value": 6}]}
    response = post(client_for(None), f"/api/budgets/{process.pk}/ballots", data)
    assert (response.status_code, response.json()["code"]) == (400, "budget.too_many_points")
    assert not BudgetBallot.objects.exists()


def test_it_takes_proposals_only_while_the_process_takes_them():
    scene = build_budgets()
    marta = client_for("marta")
    made = post(marta, f"/api/budgets/{scene.proposals.pk}/projects",
                {"title": "Cancha techada", "cost": "2500.5", "description": "Sector 2"})  # fmt: skip
    assert made.status_code == 201, made.content
    assert (made.json()["code"], made.json()["cost"], made.json()["feasibility"]) == (
        "P1", "2500.50", "pending",
    )  # fmt: skip
    before = _writes()
    bad = post(marta, f"/api/budgets/{scene.proposals.pk}/projects", {"title": "X", "cost": "-3"})
    assert (bad.status_code, bad.json()["code"]) == (400, "budget.bad_amount")
    late = post(marta, f"/api/budgets/{scene.voting.pk}/projects", {"title": "X", "cost": "3"})
    assert (late.status_code, late.json()["code"]) == (409, "budget.not_proposals")
    assert _writes() == before
