"""The federation API: the tree, sessions with public votes beside mandates, conformance,
deviations, consultations rolled up per level; member bodies' writes through the services,
refusals with stable codes and nothing half written; list reads in few queries."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from comuna.bodies.models import RecordEntry
from comuna.federation import services
from comuna.federation.models import ConsultationBallot, DelegateVote, Mandate, UnitReport
from tests import builders
from tests.apps.api_scene import client_for
from tests.apps.fedapi_scene import build_federation

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def _writes() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (RecordEntry, Mandate, DelegateVote, ConsultationBallot, UnitReport)
    )


def test_it_shows_the_tree_with_seats_and_current_delegates(django_assert_max_num_queries):
    scene = build_federation()
    with django_assert_max_num_queries(7):
        tree = client_for(None).get(f"/api/bodies/{scene.commune.slug}/federation").json()
    root, *members = tree["nodes"]
    assert (tree["root"], root["parent"]) == (scene.commune.slug, None)
    assert sorted(m["slug"] for m in members) == sorted(c.slug for c in scene.councils)
    assert all(m["parent"] == scene.commune.slug and m["residents"] == 10 for m in members)
    member_seats = [s for s in root["seats"] if s["kind"] == "member"]
    assert len(member_seats) == 3
    assert all(s["delegate"]["name"] for s in member_seats)


def test_it_shows_the_founding_and_its_referendum():
    scene = build_federation()
    founding = client_for(None).get(f"/api/bodies/{scene.commune.slug}/founding").json()
    assert founding["status"] == "registered"
    assert founding["referendum_approved"] is True
    assert sorted(founding["members"]) == sorted(c.slug for c in scene.councils)
    missing = client_for(None).get(f"/api/bodies/{scene.councils[0].slug}/founding")
    assert (missing.status_code, missing.json()["code"]) == (404, "api.not_found")


def test_it_shows_sessions_with_mandates_votes_and_conformance(django_assert_max_num_queries):
    scene = build_federation()
    with django_assert_max_num_queries(3):
        sessions = client_for(None).get(f"/api/bodies/{scene.commune.slug}/sessions").json()
    assert {(s["status"], s["items"]) for s in sessions} == {("in_session", 1), ("convened", 1)}
    with django_assert_max_num_queries(5):
        detail = client_for(None).get(f"/api/sessions/{scene.voting.pk}").json()
    (item,) = detail["item_list"]
    mandates = {m["member"]: m["choice"] for m in item["mandates"]}
    assert mandates == {scene.councils[0].slug: "yes", scene.councils[2].slug: "no"}
    (vote,) = item["votes"]
    assert (vote["member"], vote["choice"], vote["mandate"], vote["conformance"]) == (
        scene.councils[0].slug, "no", "yes", "deviation",
    )  # fmt: skip


def test_it_records_a_mandate_then_compares_the_delegate_s_vote_with_it(
    django_assert_max_num_queries,
):
    scene = build_federation()
    marta, council = client_for("marta"), scene.councils[1]
    assembly = council.assemblies.get(status="in_session")
    given = post(
        marta,
        f"/api/bodies/{council.slug}/mandates",
        {"item": scene.pending.pk, "choice": "yes", "assembly": assembly.pk},
    )
    assert given.status_code == 201, given.content
    assert given.json()["choice"] == "yes"
    assert RecordEntry.objects.filter(body=council, kind="mandate.given").count() == 1
    services.open_session(scene.convened, by=User.objects.get(username="marta"))
    seat = scene.seats[council.pk]
    voted = post(marta, f"/api/items/{scene.pending.pk}/votes", {"seat": seat.pk, "choice": "no"})
    assert voted.status_code == 201, voted.content
    assert (voted.json()["mandate"], voted.json()["conformance"]) == ("yes", "deviation")
    with django_assert_max_num_queries(3):
        deviations = client_for(None).get(f"/api/bodies/{scene.commune.slug}/deviations").json()
    assert sorted(d["member"] for d in deviations) == sorted([scene.councils[0].slug, council.slug])
    own = client_for(None).get(f"/api/bodies/{council.slug}/deviations").json()
    assert [d["item"] for d in own] == [scene.pending.pk]
    with django_assert_max_num_queries(6):
        report = client_for(None).get(f"/api/bodies/{scene.commune.slug}/conformance").json()
    by_member = {m["member"]: m for m in report["members"]}
    assert by_member[council.slug]["deviation"] == 1
    assert sum(d["votes"] for d in report["delegates"]) == 2


def test_it_refuses_bad_mandates_with_stable_codes_and_writes_nothing():
    scene = build_federation()
    marta, council = client_for("marta"), scene.councils[1]
    url = f"/api/bodies/{council.slug}/mandates"
    assembly = council.assemblies.get(status="in_session").pk
    other = scene.councils[2].assemblies.get(status="in_session").pk
    before = _writes()
    cases = [
        ({"item": scene.pending.pk, "choice": "maybe", "assembly": assembly}, 422, "api.invalid"),
        ({"item": 10**9, "choice": "yes", "assembly": assembly}, 400, "federation.unknown_item"),
        ({"item": scene.pending.pk, "choice": "yes"}, 400, "federation.meeting_required"),
        ({"item": scene.pending.pk, "choice": "yes", "assembly": other}, 409,
         "federation.meeting_not_in_session"),
        ({"item": scene.item.pk, "choice": "yes", "assembly": assembly}, 409,
         "mandate.session_opened"),
    ]  # fmt: skip
    for data, status, code in cases:
        response = post(marta, url, data)
        assert (response.status_code, response.json()["code"]) == (status, code), data
        assert response.json()["message"]
    assert _writes() == before
    lone = builders.make_council(residents=3)  # not in any federation
    orphan = post(marta, f"/api/bodies/{lone.slug}/mandates", cases[0][0] | {"choice": "yes"})
    assert (orphan.status_code, orphan.json()["code"]) == (400, "federation.unknown_item")
    data = {"item": scene.pending.pk, "choice": "free", "assembly": assembly}
    assert post(marta, url, data).status_code == 201
    again = post(marta, url, data)
    assert (again.status_code, again.json()["code"]) == (409, "mandate.already_given")


def test_it_refuses_a_second_vote_for_a_seat_and_an_unknown_seat():
    scene = build_federation()
    marta = client_for("marta")
    url = f"/api/items/{scene.item.pk}/votes"
    before = _writes()
    voted = scene.seats[scene.councils[0].pk].pk
    again = post(marta, url, {"seat": voted, "choice": "yes"})
    assert (again.status_code, again.json()["code"]) == (409, "parliament.already_voted")
    unknown = post(marta, url, {"seat": 10**9, "choice": "yes"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "federation.unknown_seat")
    pending = post(marta, f"/api/items/{scene.pending.pk}/votes", {"seat": voted, "choice": "yes"})
    assert (pending.status_code, pending.json()["code"]) == (409, "parliament.not_in_session")
    assert _writes() == before


def test_it_takes_station_ballots_and_reports_then_rolls_up_provisionally(
    django_assert_max_num_queries,
):
    scene = build_federation()
    marta, consultation = client_for("marta"), scene.consultation
    first, second, third = scene.councils
    station = f"/api/bodies/{first.slug}/consultations/{consultation.pk}"
    residents = list(first.residents.order_by("pk")[:3])
    for resident, choice in zip(residents, ["yes", "yes", "no"], strict=True):
        cast = post(marta, f"{station}/ballots", {"resident": resident.pk, "choice": choice})
        assert cast.status_code == 201, cast.content
    assert cast.json()["ballots"] == 3
    twice = post(marta, f"{station}/ballots", {"resident": residents[0].pk, "choice": "no"})
    assert (twice.status_code, twice.json()["code"]) == (409, "consultation.already_voted")
    phones = post(marta, f"{station}/report")
    assert phones.status_code == 201, phones.content
    assert phones.json()["report"] | {"reported_at": None} == {
        "eligible": 10, "yes": 2, "no": 1, "empty": 0, "invalid": 0, "source": "phones",
        "reported_at": None,
    }  # fmt: skip
    paper = f"/api/bodies/{second.slug}/consultations/{consultation.pk}/report"
    half = post(marta, paper, {"yes": 5})
    assert (half.status_code, half.json()["code"]) == (400, "consultation.counts_required")
    too_many = post(marta, paper, {"yes": 9, "no": 9})
    assert too_many.status_code == 409
    assert post(marta, paper, {"yes": 5, "no": 1, "empty": 1}).status_code == 201
    with django_assert_max_num_queries(4):
        detail = client_for(None).get(f"/api/consultations/{consultation.pk}").json()
    assert detail["provisional"] is True
    assert (detail["units_reported"], detail["units_expected"]) == (2, 3)
    root = detail["results"][0]
    assert (root["unit"], root["yes"], root["no"], root["cast"]) == (scene.commune.slug, 7, 2, 10)
    assert root["final"] is False and root["notes"]
    assert {u["unit"]: u["report"] is None for u in detail["units"]}[third.slug] is True
    with django_assert_max_num_queries(3):
        listed = client_for(None).get(f"/api/bodies/{scene.commune.slug}/consultations").json()
    open_one = next(c for c in listed if c["id"] == consultation.pk)
    assert (open_one["status"], open_one["units_reported"]) == ("open", 2)
    services.close_consultation(consultation, by=User.objects.get(username="marta"))
    closed = client_for(None).get(f"/api/consultations/{consultation.pk}").json()
    assert (closed["provisional"], closed["approved"]) == (False, True)


def test_it_refuses_a_station_outside_the_consultation():
    scene = build_federation()
    lone = builders.make_council(residents=3)
    url = f"/api/bodies/{lone.slug}/consultations/{scene.consultation.pk}/report"
    response = post(client_for("marta"), url, {"yes": 1, "no": 0})
    assert (response.status_code, response.json()["code"]) == (404, "api.not_found")
