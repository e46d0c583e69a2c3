"""The commune's record passes the independent verifier, which re-checks the parliament's
public votes and the consultation's roll-up; a forged re-hashed entry is caught."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from comuna import verify
from comuna.bodies.export import export_record
from comuna.bodies.models import Body, RecordEntry
from comuna.core import record
from comuna.federation import services
from comuna.federation.models import Seat
from tests import federation_builders as fb

pytestmark = pytest.mark.django_db


def _rehash(body: dict) -> None:
    prev = record.GENESIS
    for entry in body["entries"]:
        at = dt.datetime.fromisoformat(entry["recorded_at"])
        entry["prev_hash"] = prev
        entry["hash"] = record.entry_hash(
            prev, entry["seq"], entry["kind"], entry["payload"], record.timestamp(at)
        )
        prev = entry["hash"]
    body["head"] = prev


@pytest.fixture
def commune_export():
    commune = fb.found_commune()
    fb.elect_delegates(commune)
    session = fb.session(commune)
    item = session.items.get()
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    for council in councils:
        fb.mandate(item, council, "yes")
    services.open_session(session, by=fb.marta())
    seats = {s.member_id: s for s in Seat.objects.filter(body=commune, kind="member")}
    for council, choice in zip(councils, ["yes", "no", "yes"], strict=True):
        services.cast_delegate_vote(item, seats[council.pk], choice, by=fb.marta())
    services.close_item(item, by=fb.marta())
    data = export_record([commune, *councils])
    assert verify.verify_export(data) == []
    return data


def _entry(data: dict, kind: str) -> tuple[dict, dict]:
    for body in data["bodies"]:
        for entry in body["entries"]:
            if entry["kind"] == kind:
                return body, entry
    raise AssertionError(kind)


def test_it_verifies_the_parliament_and_the_referendum(commune_export):
    kinds = {e["kind"] for b in commune_export["bodies"] for e in b["entries"]}
    assert {"parliament.decision", "consultation.closed", "mandate.deviation"} <= kinds


def test_it_catches_a_rehashed_forgery_of_a_delegate_s_conformance(commune_export):
    data = copy.deepcopy(commune_export)
    body, entry = _entry(data, "parliament.decision")
    for vote in entry["payload"]["votes"]:
        vote[4] = "conform"
    _rehash(body)
    problems = verify.verify_export(data)
    assert len(problems) == 1 and "is not 'conform'" in problems[0].message


def test_it_catches_a_rehashed_forgery_of_the_parliament_count(commune_export):
    data = copy.deepcopy(commune_export)
    body, entry = _entry(data, "parliament.decision")
    entry["payload"]["counts"]["yes"] += 1
    _rehash(body)
    assert "recount" in verify.verify_export(data)[0].message


def test_it_catches_a_rehashed_forgery_of_the_referendum_result(commune_export):
    data = copy.deepcopy(commune_export)
    body, entry = _entry(data, "consultation.closed")
    root = next(n for n in entry["payload"]["results"] if n["parent"] is None)
    root["yes"] -= 1
    _rehash(body)
    assert "sum of its members" in verify.verify_export(data)[0].message
    entry["payload"]["approved"] = False
    root["yes"] += 1
    _rehash(body)
    assert "approved" in verify.verify_export(data)[0].message
    assert RecordEntry.objects.filter(kind="consultation.closed").count() == 1


def test_it_rechecks_a_strict_turnout_quorum_of_a_recall_referendum():
    # LOC Art. 50: more than 15 % of the register. 150 of 1,000 is not more.
    rule = {"people": "majority_of_votes", "turnout_quorum": "3/20", "turnout_strict": True}
    root = {"unit": "c", "parent": None, "level": "commune", "eligible": 1000, "cast": 150,
            "yes": 80, "no": 70, "reported": 2, "approved": True}  # fmt: skip
    payload = {"rules": {"commune": rule}, "approved": True, "results": [root]}
    problems = verify.check_consultation(payload)
    assert problems and "turnout quorum" in problems[0]
    payload["results"] = [{**root, "approved": False}]
    payload["approved"] = False
    assert verify.check_consultation(payload) == []
    payload["results"] = [{**root, "cast": 151, "no": 71}]
    payload["approved"] = True
    assert verify.check_consultation(payload) == []
