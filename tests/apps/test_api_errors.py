"""Bad input to the API: always a 4xx with a readable message, never a 500, nothing written."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comuna.assemblies.models import Assembly, Attendance, Decision, Motion, SecretBallot
from comuna.bodies.models import RecordEntry
from comuna.people.models import Household, Resident
from tests.apps.api_scene import build_scene, client_for

pytestmark = pytest.mark.django_db

HEADER = "household_code,address,first_names,last_names,birth_date,resident_since,sex\n"


@pytest.fixture
def scene():
    return build_scene()


def snapshot() -> tuple[int, ...]:
    """Row counts of everything an API call could write."""
    models = (
        RecordEntry,
        Assembly,
        Attendance,
        Motion,
        Decision,
        SecretBallot,
        Household,
        Resident,
    )
    return tuple(model.objects.count() for model in models)


def post_raw(url: str, content: str, username: str | None = "marta"):
    return client_for(username).post(url, content, content_type="application/json")


def assert_refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    refusal = response.json()
    assert refusal["code"] == code
    assert refusal["message"] and refusal["message"] != code
    return refusal


@pytest.mark.parametrize("content", ["{not json", "", "[1, 2", "\x00\x01"])
def test_it_answers_400_to_a_body_that_is_not_json(scene, content):
    before = snapshot()
    url = f"/api/bodies/{scene.body.slug}/assemblies"
    response = post_raw(url, content)
    if content == "":
        assert_refused(response, 422, "api.invalid")  # no body at all: fields are missing
    else:
        assert_refused(response, 400, "api.malformed")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"place": "Escuela", "second_call_at": "2030-01-01T10:00", "agenda": ["x"]},
            "first_call_at",
        ),
        (
            {
                "place": "Escuela",
                "first_call_at": "mañana",
                "second_call_at": "2030-01-01T10:00",
                "agenda": ["x"],
            },
            "first_call_at",
        ),
        (
            {
                "place": ["Escuela"],
                "first_call_at": "2030-01-01T09:00",
                "second_call_at": "2030-01-01T10:00",
                "agenda": ["x"],
            },
            "place",
        ),
        (
            {
                "place": "Escuela",
                "first_call_at": "2030-01-01T09:00",
                "second_call_at": "2030-01-01T10:00",
                "agenda": "x",
            },
            "agenda",
        ),
        (
            {
                "place": "Escuela",
                "first_call_at": "2030-01-01T09:00",
                "second_call_at": "2030-01-01T10:00",
                "agenda": ["x" * 301],
            },
            "agenda",
        ),
        (
            {
                "place": "Escuela",
                "first_call_at": "2030-01-01T09:00",
                "second_call_at": "2030-01-01T10:00",
                "agenda": ["x"],
                "kind": "secret",
            },
            "kind",
        ),
    ],
)
def test_it_answers_422_with_the_field_to_wrong_types_and_missing_fields(scene, payload, field):
    before = snapshot()
    response = post_raw(f"/api/bodies/{scene.body.slug}/assemblies", json.dumps(payload))
    refusal = assert_refused(response, 422, "api.invalid")
    assert any(field in error["field"] for error in refusal["errors"]), refusal
    assert all(error["detail"] for error in refusal["errors"])
    assert snapshot() == before


def test_it_answers_400_when_the_rules_refuse_the_input(scene):
    before = snapshot()
    url = f"/api/bodies/{scene.body.slug}/assemblies"
    refusal = assert_refused(
        post_raw(
            url,
            json.dumps(
                {
                    "place": "Escuela",
                    "first_call_at": "2030-01-01T11:00",
                    "second_call_at": "2030-01-01T10:00",
                    "agenda": ["x"],
                }
            ),
        ),
        400,
        "assembly.second_call_before_first",
    )
    assert "second call" in refusal["message"] or "segunda" in refusal["message"]
    assert_refused(
        post_raw(
            url,
            json.dumps(
                {
                    "place": "Escuela",
                    "first_call_at": "2030-01-01T09:00",
                    "second_call_at": "2030-01-01T10:00",
                    "agenda": ["  "],
                }
            ),
        ),
        400,
        "assembly.empty_agenda",
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "payload", "status", "code"),
    [
        ("/api/assemblies/{convened}/attendance", {}, 422, "api.invalid"),
        ("/api/assemblies/{convened}/attendance", {"resident": "ana"}, 422, "api.invalid"),
        ("/api/assemblies/{convened}/attendance", {"resident": 10**30}, 422, "api.invalid"),
        (
            "/api/assemblies/{convened}/attendance",
            {"resident": 999999},
            400,
            "census.unknown_resident",
        ),
        (
            "/api/assemblies/{convened}/attendance",
            {"resident": "{first}"},
            409,
            "attendance.already_recorded",
        ),
        ("/api/assemblies/{convened}/open", {"call": 3}, 400, "assembly.bad_call"),
        ("/api/assemblies/{convened}/open", {"call": "first"}, 422, "api.invalid"),
        (
            "/api/assemblies/{session}/motions",
            {"title": "x", "method": "shout"},
            400,
            "motion.bad_method",
        ),
        (
            "/api/assemblies/{session}/motions",
            {"title": " ", "method": "open_count"},
            400,
            "motion.no_title",
        ),
        (
            "/api/assemblies/{session}/motions",
            {"title": "x", "method": "open_count", "agenda_item": 9},
            400,
            "motion.unknown_item",
        ),
        (
            "/api/assemblies/{session}/motions",
            {
                "title": "x",
                "method": "open_count",
                "kind": "amend_ruleset",
                "payload": {"changes": {"quorum_first_call": "7/2"}},
            },
            400,
            "ruleset.bad_value",
        ),
        ("/api/motions/{counted}/close", {}, 400, "vote.counts_required"),
        ("/api/motions/{counted}/close", {"yes": 3}, 400, "vote.counts_required"),
        ("/api/motions/{counted}/close", {"yes": -1, "no": 0, "abstain": 0}, 422, "api.invalid"),
        (
            "/api/motions/{counted}/close",
            {"yes": 9, "no": 9, "abstain": 0},
            400,
            "tally.more_votes_than_attendees",
        ),
        (
            "/api/motions/{roll}/roll-call",
            {"resident": "{first}", "choice": "maybe"},
            400,
            "vote.bad_choice",
        ),
        (
            "/api/motions/{draft}/roll-call",
            {"resident": "{first}", "choice": "yes"},
            409,
            "vote.closed",
        ),
        (
            "/api/motions/{secret}/ballots",
            {"voting_code": "ZZZZZZ", "choice": "yes"},
            409,
            "vote.bad_code",
        ),
        (
            "/api/motions/{secret}/ballots",
            {"voting_code": 123456, "choice": "yes"},
            422,
            "api.invalid",
        ),
        (
            "/api/motions/{counted}/ballots",
            {"voting_code": "{code}", "choice": "yes"},
            409,
            "vote.wrong_method",
        ),
        ("/api/motions/99999999999999999999999/open", {}, 422, "api.invalid"),
        ("/api/motions/999999/open", {}, 404, "api.not_found"),
    ],
)
def test_it_refuses_bad_payloads_and_writes_nothing(scene, path, payload, status, code):
    names = {
        "convened": scene.convened.pk,
        "session": scene.session.pk,
        "counted": scene.counted.pk,
        "roll": scene.roll.pk,
        "draft": scene.draft.pk,
        "secret": scene.secret.pk,
    }
    text = json.dumps(payload).replace('"{first}"', str(scene.members[0].pk))
    text = text.replace("{code}", scene.codes[0])
    before = snapshot()
    response = post_raw(path.format(**names), text)
    assert_refused(response, status, code)
    assert snapshot() == before


def test_it_refuses_a_second_ballot_with_the_same_code(scene):
    url = f"/api/motions/{scene.secret.pk}/ballots"
    payload = json.dumps({"voting_code": scene.codes[0], "choice": "yes"})
    assert post_raw(url, payload, None).status_code == 201
    before = snapshot()
    assert_refused(post_raw(url, payload, None), 409, "vote.already_cast")
    assert snapshot() == before


def _import(scene, content: bytes | None):
    data = (
        {}
        if content is None
        else {"file": SimpleUploadedFile("c.csv", content, content_type="text/csv")}
    )
    return client_for("marta").post(f"/api/bodies/{scene.body.slug}/census/import", data)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"name,age\nAna,30\n", "census.csv_missing_columns"),
        (HEADER.encode(), "census.csv_empty"),
        ("\u00d1".encode("latin-1") + b"\xff\xfe bad", "census.csv_not_text"),
        (
            HEADER.encode() + b"A-1,Calle," + b"x" * 200_000 + b",Mora,1970-01-01,2000-01-01,F\n",
            "census.csv_unreadable",
        ),
    ],
)
def test_it_refuses_an_unreadable_census_file(scene, content, code):
    before = snapshot()
    assert_refused(_import(scene, content), 400, code)
    assert snapshot() == before


def test_it_lists_every_bad_row_of_a_census_file_and_imports_none(scene):
    rows = (
        "A-1,Calle 1,Eva,Mora,1970-01-01,2000-01-01,F\n"  # line 2: good
        "A-1,Calle 1,Ana,,1970-01-01,2000-01-01,F\n"  # line 3: no last name
        "A-2,Calle 2,Rosa,Díaz,01/02/1970,2000-01-01,F\n"  # line 4: bad date
        "A-3,Calle 3,Juan,Paz,1970-01-01,2000-01-01,Q\n"  # line 5: bad sex
        f"A-4,Calle 4,{'J' * 121},Paz,1970-01-01,2000-01-01,M\n"  # line 6: name too long
    )
    before = snapshot()
    refusal = assert_refused(_import(scene, (HEADER + rows).encode()), 400, "census.csv_rejected")
    assert refusal["params"] == {"count": 4}
    assert [(e["line"], e["code"]) for e in refusal["errors"]] == [
        (3, "census.csv_missing_value"),
        (4, "census.csv_bad_date"),
        (5, "census.csv_bad_sex"),
        (6, "census.csv_too_long"),
    ]
    assert all(str(e["line"]) in e["message"] for e in refusal["errors"])
    assert snapshot() == before


def test_it_answers_422_when_the_census_file_is_missing(scene):
    before = snapshot()
    assert_refused(_import(scene, None), 422, "api.invalid")
    assert snapshot() == before


def test_it_answers_404_with_a_message_for_an_unknown_body():
    response = client_for(None).get("/api/bodies/no-such-council/census")
    assert_refused(response, 404, "api.not_found")


def test_it_answers_405_to_a_wrong_method(scene):
    response = client_for("marta").delete(f"/api/bodies/{scene.body.slug}")
    assert response.status_code == 405
