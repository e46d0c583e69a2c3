"""Who may call what: every API route against anonymous, an outsider and a spokesperson.

Tomás has an account but no role in the council; Marta is its spokesperson. Public routes
answer all three; the others answer 401 to anonymous callers and 403 to Tomás, and write
nothing for them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from comuna import policies
from comuna.api import services as tokens
from comuna.api.api import api
from comuna.api.models import ApiToken
from comuna.assemblies.models import Assembly, Attendance, Motion
from comuna.bodies import services as bodies
from comuna.bodies.models import RecordEntry, Role
from tests import builders
from tests.apps.api_scene import Scene, build_scene, client_for

pytestmark = pytest.mark.django_db

PERSONAS = (None, "tomas", "marta")


def _convene_payload(scene: Scene, persona: int) -> dict[str, Any]:
    start = timezone.now() + dt.timedelta(days=3)
    return {
        "place": "Escuela",
        "first_call_at": start.isoformat(),
        "second_call_at": (start + dt.timedelta(hours=1)).isoformat(),
        "agenda": ["Agua"],
    }


def _csv(scene: Scene, persona: int) -> dict[str, Any]:
    text = (
        "household_code,address,first_names,last_names,birth_date,resident_since\n"
        f"Z-{persona},Calle 5,Eva,Mora,1970-01-01,2000-01-01\n"
    )
    return {"file": SimpleUploadedFile("c.csv", text.encode(), content_type="text/csv")}


def _own_token(persona_user: Any) -> int:
    if not persona_user.is_authenticated:
        return 1
    return tokens.issue_token(persona_user, "script")[0].pk


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the OpenAPI schema
    url: Callable[[Scene, Any], str]
    payload: Callable[[Scene, int], dict[str, Any]] | None = None
    multipart: bool = False


ROUTES = [
    Route("get", "/api/bodies", lambda s, u: "/api/bodies"),
    Route("get", "/api/bodies/{slug}", lambda s, u: f"/api/bodies/{s.body.slug}"),
    Route("get", "/api/bodies/{slug}/census", lambda s, u: f"/api/bodies/{s.body.slug}/census"),
    Route(
        "get",
        "/api/bodies/{slug}/census/households",
        lambda s, u: f"/api/bodies/{s.body.slug}/census/households",
    ),
    Route(
        "post",
        "/api/bodies/{slug}/census/import",
        lambda s, u: f"/api/bodies/{s.body.slug}/census/import",
        _csv,
        multipart=True,
    ),
    Route(
        "get", "/api/bodies/{slug}/assemblies", lambda s, u: f"/api/bodies/{s.body.slug}/assemblies"
    ),
    Route(
        "post",
        "/api/bodies/{slug}/assemblies",
        lambda s, u: f"/api/bodies/{s.body.slug}/assemblies",
        _convene_payload,
    ),
    Route("get", "/api/assemblies/{assembly_id}", lambda s, u: f"/api/assemblies/{s.session.pk}"),
    Route(
        "post",
        "/api/assemblies/{assembly_id}/attendance",
        lambda s, u: f"/api/assemblies/{s.convened.pk}/attendance",
        lambda s, i: {"resident": s.members[-1].pk},
    ),
    Route(
        "post",
        "/api/assemblies/{assembly_id}/open",
        lambda s, u: f"/api/assemblies/{s.convened.pk}/open",
        lambda s, i: {"call": 1},
    ),
    Route(
        "post",
        "/api/assemblies/{assembly_id}/motions",
        lambda s, u: f"/api/assemblies/{s.session.pk}/motions",
        lambda s, i: {"title": "Bombillos", "method": "open_count"},
    ),
    Route("get", "/api/motions/{motion_id}", lambda s, u: f"/api/motions/{s.secret.pk}"),
    Route(
        "post",
        "/api/motions/{motion_id}/open",
        lambda s, u: f"/api/motions/{s.draft.pk}/open",
        lambda s, i: {},
    ),
    Route(
        "post",
        "/api/motions/{motion_id}/roll-call",
        lambda s, u: f"/api/motions/{s.roll.pk}/roll-call",
        lambda s, i: {"resident": s.members[0].pk, "choice": "no"},
    ),
    Route(
        "post",
        "/api/motions/{motion_id}/ballots",
        lambda s, u: f"/api/motions/{s.secret.pk}/ballots",
        lambda s, i: {"voting_code": s.codes[i], "choice": "yes"},
    ),
    Route(
        "post",
        "/api/motions/{motion_id}/close",
        lambda s, u: f"/api/motions/{s.counted.pk}/close",
        lambda s, i: {"yes": 6, "no": 1, "abstain": 0},
    ),
    Route(
        "get", "/api/bodies/{slug}/decisions", lambda s, u: f"/api/bodies/{s.body.slug}/decisions"
    ),
    Route(
        "get",
        "/api/bodies/{slug}/decisions/{number}",
        lambda s, u: f"/api/bodies/{s.body.slug}/decisions/1",
    ),
    Route("get", "/api/bodies/{slug}/record", lambda s, u: f"/api/bodies/{s.body.slug}/record"),
    Route("get", "/api/bodies/{slug}/offices", lambda s, u: f"/api/bodies/{s.body.slug}/offices"),
    Route("get", "/api/tokens", lambda s, u: "/api/tokens"),
    Route("post", "/api/tokens", lambda s, u: "/api/tokens", lambda s, i: {"name": "script"}),
    Route(
        "post",
        "/api/tokens/{token_id}/revoke",
        lambda s, u: f"/api/tokens/{_own_token(u)}/revoke",
        lambda s, i: {},
    ),
]


def operations():
    """Every (method, path, operation) mounted on the API."""
    prefix = "/api"
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method.lower(), prefix + "/" + path.lstrip("/"), operation


def test_it_declares_a_known_policy_on_every_operation():
    undeclared = [
        (method, path)
        for method, path, operation in operations()
        if getattr(operation.view_func, "comuna_policy", None) not in policies.POLICIES
    ]
    assert undeclared == []


def test_it_covers_every_operation_in_the_authorisation_matrix():
    from tests.apps.test_api_federation_policies import ROUTES as FEDERATION_AND_BUDGETS

    mounted = {(method, path) for method, path, _op in operations()}
    assert mounted == {(route.method, route.path) for route in [*ROUTES, *FEDERATION_AND_BUDGETS]}


def _call(client: Client, route: Route, scene: Scene, user: Any, index: int):
    url = route.url(scene, user)
    if route.method == "get":
        return client.get(url)
    data = route.payload(scene, index) if route.payload else {}
    if route.multipart:
        return client.post(url, data)
    return client.post(url, json.dumps(data), content_type="application/json")


def _user(username: str | None) -> Any:
    return AnonymousUser() if username is None else User.objects.get(username=username)


def _policy_of(route: Route) -> str:
    for method, path, operation in operations():
        if (method, path) == (route.method, route.path):
            return operation.view_func.comuna_policy
    raise AssertionError(f"{route.path} is not mounted")


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_it_enforces_the_policy_for_each_persona(route):
    scene = build_scene()
    action = _policy_of(route)
    for index, username in enumerate(PERSONAS):
        user = _user(username)
        writes = RecordEntry.objects.count(), ApiToken.objects.count(), Attendance.objects.count()
        response = _call(client_for(username), route, scene, user, index)
        if policies.can(user, action, scene.body):
            assert response.status_code in (200, 201), (username, response.content)
            continue
        expected = 401 if username is None else 403
        assert response.status_code == expected, (username, response.content)
        assert response.json()["code"] == (
            "api.unauthorized" if expected == 401 else "api.forbidden"
        )
        after = RecordEntry.objects.count(), ApiToken.objects.count(), Attendance.objects.count()
        assert after == writes


def test_it_gives_the_roles_in_the_table_and_no_more():
    scene = build_scene()
    tomas, marta = User.objects.get(username="tomas"), User.objects.get(username="marta")
    assert not policies.can(tomas, "census.view_residents", scene.body)
    assert policies.can(marta, "census.view_residents", scene.body)
    Role.objects.create(user=tomas, body=scene.body, kind=Role.Kind.ELECTORAL_COMMISSION)
    assert policies.can(tomas, "vote.close", scene.body)
    assert not policies.can(tomas, "assembly.convene", scene.body)
    other = bodies.found_council(
        name="Consejo Comunal El Valle",
        territory="El Valle",
        founded_on=dt.date(2024, 3, 1),
        promoters=[User.objects.get(username="luis")],
    )
    assert not policies.can(marta, "census.import", other)  # her role is in another body
    root = User.objects.create_superuser("root", "root@example.org", "x")
    assert policies.can(root, "census.import", scene.body)
    with pytest.raises(KeyError):
        policies.can(marta, "no.such_action", scene.body)


def test_it_accepts_a_personal_token_without_csrf():
    scene = build_scene()
    marta = User.objects.get(username="marta")
    _token, raw = tokens.issue_token(marta, "acta script")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/motions/{scene.draft.pk}/open",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200, response.content
    assert ApiToken.objects.get(user=marta).last_used_at is not None


def test_it_refuses_a_wrong_or_revoked_token():
    scene = build_scene()
    token, raw = tokens.issue_token(User.objects.get(username="marta"), "old")
    url = f"/api/bodies/{scene.body.slug}/census/households"
    wrong = Client().get(url, HTTP_AUTHORIZATION="Bearer cmn_not-a-token")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "api.bad_token")
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    tokens.revoke_token(token)
    revoked = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert (revoked.status_code, revoked.json()["code"]) == (401, "api.bad_token")
    # Even on a public route: a caller who sends a token means to be someone.
    assert Client().get("/api/bodies", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_it_issues_lists_and_revokes_tokens_for_their_owner_only():
    builders.make_council(residents=0)
    builders.make_user("tomas")
    marta = client_for("marta")
    issued = marta.post(
        "/api/tokens", json.dumps({"name": "hoja de cálculo"}), content_type="application/json"
    )
    assert issued.status_code == 201
    raw = issued.json()["token"]
    assert raw.startswith("cmn_")
    assert ApiToken.objects.get().token_hash == tokens.hash_token(raw)  # raw never stored
    listed = Client().get("/api/tokens", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [t["name"] for t in listed] == ["hoja de cálculo"]
    assert "token" not in listed[0]
    token_id = issued.json()["id"]
    stolen = client_for("tomas").post(f"/api/tokens/{token_id}/revoke")
    assert stolen.status_code == 404
    assert marta.post(f"/api/tokens/{token_id}/revoke").json()["revoked_at"] is not None
    again = marta.post(f"/api/tokens/{token_id}/revoke")
    assert (again.status_code, again.json()["code"]) == (409, "token.revoked")


def test_it_checks_csrf_on_session_writes():
    scene = build_scene()
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        User.objects.get(username="marta"), backend="django.contrib.auth.backends.ModelBackend"
    )
    url = f"/api/motions/{scene.draft.pk}/open"
    refused = client.post(url, "{}", content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "api.csrf_failed")
    assert Motion.objects.get(pk=scene.draft.pk).status == "draft"
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    accepted = client.post(url, "{}", content_type="application/json", HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 200, accepted.content


def test_it_takes_an_anonymous_ballot_without_csrf():
    scene = build_scene()
    response = Client(enforce_csrf_checks=True).post(
        f"/api/motions/{scene.secret.pk}/ballots",
        json.dumps({"voting_code": scene.codes[0], "choice": "abstain"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Assembly.objects.get(pk=scene.session.pk).status == "in_session"
