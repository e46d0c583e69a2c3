"""The HTTP API: each endpoint's happy path, the OpenAPI schema, and list query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openapi_spec_validator import validate

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Assembly, Decision, Motion, SecretBallot
from comuna.bodies.export import export_record
from comuna.bodies.models import RecordEntry
from comuna.core.errors import RuleError
from comuna.messages import describe
from comuna.people import services as people
from comuna.people.models import Household, Resident
from tests import builders
from tests.apps.api_scene import build_scene, client_for

pytestmark = pytest.mark.django_db


CSV_HEADER = (
    "household_code,address,sector,first_names,last_names,id_number,birth_date,sex,"
    "resident_since,phone\n"
)


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_it_lists_and_shows_bodies():
    body = builders.make_council(residents=3)
    listed = client_for(None).get("/api/bodies")
    assert listed.status_code == 200
    assert [b["slug"] for b in listed.json()] == [body.slug]
    detail = client_for(None).get(f"/api/bodies/{body.slug}").json()
    assert detail["name"] == body.name
    assert detail["ruleset"] == {
        "version": 1,
        "profile": "venezuela-2009",
        "params": detail["ruleset"]["params"],
    }
    assert detail["ruleset"]["params"]["quorum_first_call"] == "3/10"
    assert detail["committees"] == []


def test_it_shows_census_counts_to_anyone():
    body = builders.make_council(residents=4)
    household = Household.objects.get(body=body)
    born = timezone.localdate() - dt.timedelta(days=365 * 10)
    for name in ("Luna", "Sol"):
        people.register_resident(
            household, first_names=name, last_names="Pérez", birth_date=born, resident_since=born
        )
    census = client_for(None).get(f"/api/bodies/{body.slug}/census").json()
    assert census["residents"] == 6
    assert census["households"] == 1
    assert census["electorate"] == 4  # the two children are not members
    assert census["member_min_age"] == 15
    assert "first_names" not in json.dumps(census)


def test_it_shows_households_with_personal_data_to_the_spokesperson():
    body = builders.make_council(residents=2)
    households = client_for("marta").get(f"/api/bodies/{body.slug}/census/households").json()
    assert len(households) == 1
    names = sorted(r["last_names"] for r in households[0]["residents"])
    assert names == sorted(Resident.objects.of_body(body).values_list("last_names", flat=True))
    assert households[0]["residents"][0]["birth_date"] == "1980-05-01"


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("censo.csv", content, content_type="text/csv")


def test_it_imports_a_census_csv():
    body = builders.make_council(residents=0)
    csv_text = CSV_HEADER + (
        "C-1,Calle 2 casa 4,Norte,Ana,Pérez,V-100,1990-02-03,F,2010-01-01,\n"
        "C-1,Calle 2 casa 4,Norte,José,Pérez,V-101,1988-07-09,M,2010-01-01,0414\n"
        "C-2,Calle 3 casa 1,,Rita,Gómez,,2015-01-01,F,2015-01-01,\n"
    )
    client = client_for("marta")
    response = client.post(
        f"/api/bodies/{body.slug}/census/import", {"file": upload(csv_text.encode())}
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"households": 2, "residents": 3, "electorate": 2}
    assert RecordEntry.objects.filter(body=body, kind="census.imported").count() == 1


def test_it_convenes_an_assembly_and_records_attendance():
    body = builders.make_council(residents=5)
    marta = client_for("marta")
    start = timezone.now() + dt.timedelta(days=7)
    response = post_json(
        marta,
        f"/api/bodies/{body.slug}/assemblies",
        {
            "place": "Cancha techada",
            "first_call_at": start.isoformat(),
            "second_call_at": (start + dt.timedelta(minutes=30)).isoformat(),
            "agenda": ["Informe de gestión", "Proyecto de agua"],
            "notice": "Traer cédula",
        },
    )
    assert response.status_code == 201, response.content
    assembly = response.json()
    assert [item["title"] for item in assembly["agenda"]] == [
        "Informe de gestión",
        "Proyecto de agua",
    ]
    assert assembly["status"] == "convened"
    assert assembly["quorum"][0] == {
        "call": 1,
        "electorate": 5,
        "present": 0,
        "required": 2,
        "missing": 2,
        "reached": False,
    }
    resident = Resident.objects.of_body(body).first()
    recorded = post_json(
        marta, f"/api/assemblies/{assembly['id']}/attendance", {"resident": resident.pk}
    )
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["present"] == 1
    assert len(recorded.json()["voting_code"]) == 6
    listed = client_for(None).get(f"/api/bodies/{body.slug}/assemblies").json()
    assert [(a["id"], a["attendance"]) for a in listed] == [(assembly["id"], 1)]


def test_it_opens_an_assembly_with_quorum():
    scene = build_scene()
    response = post_json(
        client_for("marta"), f"/api/assemblies/{scene.convened.pk}/open", {"call": 1}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_session"
    assert response.json()["opened_on_call"] == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_refuses_to_open_without_quorum_with_the_numbers(language):
    body = builders.make_council(residents=20)
    assembly = builders.convene(body)
    marta = builders.make_user("marta")
    assemblies.record_attendance(assembly, Resident.objects.of_body(body).first(), by=marta)
    entries = RecordEntry.objects.count()
    response = client_for("marta").post(
        f"/api/assemblies/{assembly.pk}/open",
        json.dumps({"call": 1}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 409
    refusal = response.json()
    assert refusal["code"] == "quorum.not_reached"
    assert refusal["params"] == {"present": 1, "required": 6, "missing": 5, "electorate": 20}
    with translation.override(language):
        expected = describe(RuleError("quorum.not_reached", **refusal["params"]))
    assert refusal["message"] == expected
    assert Assembly.objects.get(pk=assembly.pk).status == "convened"
    assert RecordEntry.objects.count() == entries


def test_it_adds_a_motion_and_closes_a_hand_counted_vote():
    scene = build_scene()
    marta = client_for("marta")
    added = post_json(
        marta,
        f"/api/assemblies/{scene.session.pk}/motions",
        {
            "title": "Crear el comité de deportes",
            "method": "open_count",
            "kind": "create_committee",
            "payload": {"committee": "Deportes"},
            "agenda_item": 2,
        },
    )
    assert added.status_code == 201, added.content
    motion = added.json()
    assert (motion["status"], motion["agenda_item"]) == ("draft", 2)
    opened = marta.post(f"/api/motions/{motion['id']}/open")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    closed = post_json(
        marta, f"/api/motions/{motion['id']}/close", {"yes": 7, "no": 2, "abstain": 1}
    )
    assert closed.status_code == 201, closed.content
    decision = closed.json()
    assert (decision["yes"], decision["attendees"], decision["needed"]) == (7, 10, 6)
    assert decision["approved"] is True
    body = client_for(None).get(f"/api/bodies/{scene.body.slug}").json()
    assert body["committees"] == ["Deportes"]


def test_it_takes_secret_ballots_by_voting_code_and_counts_them():
    scene = build_scene()
    anonymous = client_for(None)
    receipts = []
    for code, choice in zip(scene.codes[:3], ["yes", "yes", "no"], strict=True):
        cast = post_json(
            anonymous,
            f"/api/motions/{scene.secret.pk}/ballots",
            {"voting_code": code.lower(), "choice": choice},
        )
        assert cast.status_code == 201, cast.content
        receipts.append(cast.json()["receipt"])
    assert sorted(receipts) == sorted(SecretBallot.objects.values_list("receipt", flat=True))
    closed = post_json(client_for("marta"), f"/api/motions/{scene.secret.pk}/close", {})
    assert closed.status_code == 201, closed.content
    assert (closed.json()["yes"], closed.json()["no"]) == (2, 1)
    assert closed.json()["approved"] is False  # 2 of 10 attendees is no majority


def test_it_records_roll_call_votes():
    scene = build_scene()
    marta = client_for("marta")
    for resident in scene.members[:6]:
        voted = post_json(
            marta,
            f"/api/motions/{scene.roll.pk}/roll-call",
            {"resident": resident.pk, "choice": "yes"},
        )
        assert voted.status_code == 201, voted.content
    closed = marta.post(f"/api/motions/{scene.roll.pk}/close", content_type="application/json")
    assert closed.json()["approved"] is True
    assert client_for(None).get(f"/api/motions/{scene.roll.pk}").json()["decision"] == 2


def test_it_lists_decisions_and_exports_the_record():
    scene = build_scene()
    post_json(
        client_for("marta"),
        f"/api/motions/{scene.counted.pk}/close",
        {"yes": 9, "no": 1, "abstain": 0},
    )
    anonymous = client_for(None)
    decisions = anonymous.get(f"/api/bodies/{scene.body.slug}/decisions").json()
    assert [(d["number"], d["title"], d["approved"]) for d in decisions] == [
        (2, "Arreglar la cancha", True),
        (1, "Aprobar el acta anterior", True),
    ]
    one = anonymous.get(f"/api/bodies/{scene.body.slug}/decisions/2").json()
    assert one["rule"] == "majority_of_attendees"
    exported = anonymous.get(f"/api/bodies/{scene.body.slug}/record")
    assert exported.status_code == 200
    expected = json.loads(json.dumps(export_record([scene.body])))
    assert exported.json() == expected
    assert exported.json()["bodies"][0]["entries"][-1]["kind"] == "decision.made"


def test_it_serves_a_valid_openapi_schema_listing_the_endpoints():
    response = client_for(None).get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["info"]["title"] == "Comuna API"
    expected = {
        ("get", "/api/bodies"),
        ("get", "/api/bodies/{slug}"),
        ("get", "/api/bodies/{slug}/census"),
        ("get", "/api/bodies/{slug}/census/households"),
        ("post", "/api/bodies/{slug}/census/import"),
        ("get", "/api/bodies/{slug}/assemblies"),
        ("post", "/api/bodies/{slug}/assemblies"),
        ("get", "/api/assemblies/{assembly_id}"),
        ("post", "/api/assemblies/{assembly_id}/attendance"),
        ("post", "/api/assemblies/{assembly_id}/open"),
        ("post", "/api/assemblies/{assembly_id}/motions"),
        ("post", "/api/motions/{motion_id}/open"),
        ("post", "/api/motions/{motion_id}/roll-call"),
        ("post", "/api/motions/{motion_id}/ballots"),
        ("post", "/api/motions/{motion_id}/close"),
        ("get", "/api/bodies/{slug}/decisions"),
        ("get", "/api/bodies/{slug}/record"),
    }
    listed = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert expected <= listed
    ballot = schema["paths"]["/api/motions/{motion_id}/ballots"]["post"]
    assert {} in ballot["security"]  # public: no account needed
    assert {} not in schema["paths"]["/api/motions/{motion_id}/close"]["post"]["security"]


def test_it_serves_the_docs_page():
    response = client_for(None).get("/api/docs")
    assert response.status_code == 200
    # Served from our own static files: the CSP forbids CDNs and inline scripts.
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content


def test_it_lists_bodies_in_constant_queries(django_assert_max_num_queries):
    for _ in range(6):
        builders.make_council(residents=0)
    with django_assert_max_num_queries(1):
        assert len(client_for(None).get("/api/bodies").json()) == 6


def test_it_lists_assemblies_and_decisions_in_constant_queries(django_assert_max_num_queries):
    scene = build_scene(residents=4)
    for _ in range(4):
        builders.convene(scene.body)
    for motion in (scene.counted, scene.roll, scene.secret):
        post_json(
            client_for("marta"),
            f"/api/motions/{motion.pk}/close",
            {"yes": 1, "no": 0, "abstain": 0},
        )
    assert Decision.objects.count() == 4
    anonymous = client_for(None)
    with django_assert_max_num_queries(3):
        assert len(anonymous.get(f"/api/bodies/{scene.body.slug}/assemblies").json()) == 6
    with django_assert_max_num_queries(3):
        assert len(anonymous.get(f"/api/bodies/{scene.body.slug}/decisions").json()) == 4


def test_it_lists_households_in_constant_queries(django_assert_max_num_queries):
    body = builders.make_council(residents=3)
    for n in range(5):
        household = people.add_household(body, code=f"K-{n}", address="Calle 9")
        people.register_resident(
            household,
            first_names="Ana",
            last_names=f"Luna{n}",
            birth_date=dt.date(1990, 1, 1),
            resident_since=dt.date(2010, 1, 1),
        )
    marta = client_for("marta")
    # Session and user (2), body for the policy and its roles (2), body, households, residents.
    with django_assert_max_num_queries(7):
        assert len(marta.get(f"/api/bodies/{body.slug}/census/households").json()) == 6


def test_it_keeps_motion_methods_as_recorded():
    scene = build_scene()
    detail = client_for(None).get(f"/api/assemblies/{scene.session.pk}").json()
    methods = {m["title"]: m["method"] for m in detail["motion_list"]}
    assert methods["Elegir la fecha"] == Motion.Method.SECRET_PHONE
    assert detail["quorum"][0]["reached"] is True
