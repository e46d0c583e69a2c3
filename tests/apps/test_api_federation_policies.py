"""Who may call the federation and budget API: every route against anonymous, an outsider
(Tomás, no role), a member of a body with another role (Ana, electoral commission of council
0 / of the budget's council) and the spokesperson (Marta). Each is checked against the body
the route concerns; refusals write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User

from comuna import policies
from comuna.bodies.models import Body, RecordEntry
from comuna.budgets.models import BudgetBallot, Project
from comuna.federation.models import ConsultationBallot, DelegateVote, Mandate, UnitReport
from tests.apps.api_scene import client_for
from tests.apps.fedapi_scene import build_budgets, build_federation

pytestmark = pytest.mark.django_db

PERSONAS = (None, "tomas", "ana", "marta")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the OpenAPI schema
    url: Callable[[Any, str | None], str]
    body: Callable[[Any, str | None], Body]  # the body whose policy applies
    payload: Callable[[Any, int], dict[str, Any]] | None = None


def _commune(s: Any, u: str | None) -> Body:
    return s.commune


def _station(s: Any, u: str | None) -> Body:
    # Ana counts in council 0; Marta reports another council's station.
    return s.councils[0] if u == "ana" else s.councils[1]


def _resident(s: Any, i: int) -> int:
    return s.councils[0].residents.order_by("pk")[i].pk


FEDERATION = [
    Route("get", "/api/bodies/{slug}/federation",
          lambda s, u: f"/api/bodies/{s.commune.slug}/federation", _commune),
    Route("get", "/api/bodies/{slug}/founding",
          lambda s, u: f"/api/bodies/{s.commune.slug}/founding", _commune),
    Route("get", "/api/bodies/{slug}/sessions",
          lambda s, u: f"/api/bodies/{s.commune.slug}/sessions", _commune),
    Route("get", "/api/sessions/{session_id}",
          lambda s, u: f"/api/sessions/{s.voting.pk}", _commune),
    Route("get", "/api/bodies/{slug}/conformance",
          lambda s, u: f"/api/bodies/{s.commune.slug}/conformance", _commune),
    Route("get", "/api/bodies/{slug}/deviations",
          lambda s, u: f"/api/bodies/{s.commune.slug}/deviations", _commune),
    Route("post", "/api/bodies/{slug}/mandates",
          lambda s, u: f"/api/bodies/{s.councils[1].slug}/mandates",
          lambda s, u: s.councils[1],
          lambda s, i: {"item": s.pending.pk, "choice": "free",
                        "assembly": s.councils[1].assemblies.get(status="in_session").pk}),
    Route("post", "/api/items/{item_id}/votes",
          lambda s, u: f"/api/items/{s.item.pk}/votes", _commune,
          lambda s, i: {"seat": s.seats[s.councils[2].pk].pk, "choice": "no"}),
    Route("get", "/api/bodies/{slug}/consultations",
          lambda s, u: f"/api/bodies/{s.commune.slug}/consultations", _commune),
    Route("get", "/api/consultations/{consultation_id}",
          lambda s, u: f"/api/consultations/{s.consultation.pk}", _commune),
    Route("post", "/api/bodies/{slug}/consultations/{consultation_id}/ballots",
          lambda s, u: f"/api/bodies/{s.councils[0].slug}/consultations/{s.consultation.pk}/ballots",
          lambda s, u: s.councils[0],
          lambda s, i: {"resident": _resident(s, i), "choice": "yes"}),
    Route("post", "/api/bodies/{slug}/consultations/{consultation_id}/report",
          lambda s, u: f"/api/bodies/{_station(s, u).slug}/consultations/{s.consultation.pk}/report",
          _station,
          lambda s, i: {"yes": 4, "no": 2}),
]  # fmt: skip


def _budget(s: Any, u: str | None) -> Body:
    return s.body


BUDGETS = [
    Route("get", "/api/bodies/{slug}/budgets",
          lambda s, u: f"/api/bodies/{s.body.slug}/budgets", _budget),
    Route("get", "/api/budgets/{process_id}",
          lambda s, u: f"/api/budgets/{s.decided.pk}", _budget),
    Route("get", "/api/budgets/{process_id}/result",
          lambda s, u: f"/api/budgets/{s.decided.pk}/result", _budget),
    Route("get", "/api/budgets/{process_id}/shares",
          lambda s, u: f"/api/budgets/{s.decided.pk}/shares", _budget),
    Route("get", "/api/budgets/{process_id}/export.pb",
          lambda s, u: f"/api/budgets/{s.decided.pk}/export.pb", _budget),
    Route("get", "/api/budget-projects/{project_id}/spending",
          lambda s, u: f"/api/budget-projects/{s.decided.projects.first().pk}/spending", _budget),
    Route("post", "/api/budgets/{process_id}/ballots",
          lambda s, u: f"/api/budgets/{s.voting.pk}/ballots", _budget,
          lambda s, i: {"code": s.codes[i], "marks": [{"project": "P1"}, {"project": "P3"}]}),
    Route("post", "/api/budgets/{process_id}/projects",
          lambda s, u: f"/api/budgets/{s.proposals.pk}/projects", _budget,
          lambda s, i: {"title": f"Cancha {i}", "cost": "1200.50"}),
]  # fmt: skip

ROUTES = FEDERATION + BUDGETS


def _writes() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (RecordEntry, Mandate, DelegateVote, ConsultationBallot, UnitReport,
                      BudgetBallot, Project)
    )  # fmt: skip


def _user(username: str | None) -> Any:
    return AnonymousUser() if username is None else User.objects.get(username=username)


def _policy_of(route: Route) -> str:
    from tests.apps.test_api_policies import operations

    for method, path, operation in operations():
        if (method, path) == (route.method, route.path):
            return operation.view_func.comuna_policy
    raise AssertionError(f"{route.path} is not mounted")


def _check(route: Route, scene: Any) -> None:
    action = _policy_of(route)
    for index, username in enumerate(PERSONAS):
        user, before = _user(username), _writes()
        client, url = client_for(username), route.url(scene, username)
        if route.method == "get":
            response = client.get(url)
        else:
            data = json.dumps(route.payload(scene, index) if route.payload else {})
            response = client.post(url, data, content_type="application/json")
        if policies.can(user, action, route.body(scene, username)):
            assert response.status_code in (200, 201), (username, response.content)
            continue
        expected = 401 if username is None else 403
        assert response.status_code == expected, (username, response.content)
        assert _writes() == before


@pytest.mark.parametrize("route", FEDERATION, ids=lambda r: f"{r.method} {r.path}")
def test_it_enforces_the_federation_policies_for_each_persona(route):
    _check(route, build_federation())


@pytest.mark.parametrize("route", BUDGETS, ids=lambda r: f"{r.method} {r.path}")
def test_it_enforces_the_budget_policies_for_each_persona(route):
    _check(route, build_budgets())


def test_it_refuses_the_member_side_writes_to_another_role():
    scene = build_federation()
    ana = User.objects.get(username="ana")
    assert policies.can(ana, "consultation.report", scene.councils[0])
    assert not policies.can(ana, "delegation.record", scene.councils[0])
    assert not policies.can(ana, "parliament.run", scene.commune)


HOSTILE = [
    "not json",
    "[]",
    "{}",
    '{"item": "x", "seat": -1, "resident": 0, "code": 5, "marks": "P1", "yes": -3}',
    '{"item": 99999999999999999999999, "seat": 9223372036854775807, "choice": "yes"}',
    '{"title": "\\u0000", "cost": "1e999", "code": "\\u0000", "marks": [{"project": "P1"}]}',
    '{"yes": 1000001, "no": 0, "resident": 1000000000000, "choice": "empty", "marks": [{"value": 1}]}',
]


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.method == "post"], ids=lambda r: f"{r.method} {r.path}"
)
def test_it_answers_hostile_payloads_with_a_4xx_and_writes_nothing(route):
    scene = build_federation() if route in FEDERATION else build_budgets()
    client = client_for("marta")
    for raw in HOSTILE:
        before = _writes()
        response = client.post(route.url(scene, "marta"), raw, content_type="application/json")
        assert 400 <= response.status_code < 500, (raw, response.content)
        assert response.json()["code"] and response.json()["message"]
        assert _writes() == before, raw


def test_it_documents_every_federation_and_budget_route_in_the_openapi_schema():
    from openapi_spec_validator import validate

    schema = client_for(None).get("/api/openapi.json").json()
    validate(schema)
    listed = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert {(route.method, route.path) for route in ROUTES} <= listed
    report = schema["paths"]["/api/bodies/{slug}/consultations/{consultation_id}/report"]["post"]
    assert report["x-comuna-policy"] == "consultation.report"
    ballot = schema["paths"]["/api/budgets/{process_id}/ballots"]["post"]
    assert {} in ballot["security"]  # a ballot needs a personal code, not an account
