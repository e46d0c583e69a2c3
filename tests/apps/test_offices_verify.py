"""The independent verifier re-checks a counted election from the exported record."""

from __future__ import annotations

import copy
import json

import pytest

from comuna import verify
from comuna.bodies.export import export_record
from comuna.offices import election_services as elections
from tests import builders
from tests.apps import offices_scene as scene

pytestmark = pytest.mark.django_db


def _phone_election_export() -> dict:
    body, carmen = scene.council()
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly, present=15)
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="phone", held_on=None, assembly=assembly
    )
    for resident in scene.members(body)[:7]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    codes = assembly.attendance.order_by("pk").values_list("voting_code", flat=True)
    marks = [1] * 5 + [2] * 4 + [3] * 3 + [4] * 2 + [5]
    for code, mark in zip(codes, marks, strict=True):
        elections.cast_election_ballot(election, code, [mark])
    elections.count_election(election, by=carmen)
    return json.loads(json.dumps(export_record([body])))


def _election_entry(data: dict) -> dict:
    entries = data["bodies"][0]["entries"]
    return next(e for e in entries if e["kind"] == "election.counted")


def test_it_verifies_a_counted_election_and_catches_a_moved_ballot():
    data = _phone_election_export()
    assert verify.verify_export(data) == []
    forged = copy.deepcopy(data)
    entry = _election_entry(forged)
    entry["payload"]["ballots"][0][1] = [7]  # a ballot moved to another candidate...
    entry["hash"] = verify._hash(entry)  # ...by someone who also rehashed the entry
    problems = verify.verify_body(forged["bodies"][0])
    assert problems and "recount" in problems[0].message


def test_it_catches_a_result_that_passes_over_the_most_voted():
    data = _phone_election_export()
    entry = _election_entry(data)
    result = entry["payload"]["result"]
    result["principals"][0], result["alternates"][0] = (
        result["alternates"][0],
        result["principals"][0],
    )
    entry["hash"] = verify._hash(entry)
    problems = verify.verify_body(data["bodies"][0])
    assert problems and "passed over" in problems[0].message
