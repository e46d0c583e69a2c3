"""The independent verifier re-checks a counted election from the exported record."""

from __future__ import annotations

import copy
import datetime as dt
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


RANKED = [[1, 2], [1, 3], [1, 2], [1, 4], [2, 1], [3, 2], [4, 5], [5, 4], [6, 7], [7, 6],
          [2, 3], [3, 1], [4, 1], [5, 1], [6, 1], [1, 7], [2], [3], [4], [5]]  # fmt: skip


def _stv_export(paper: bool = False) -> dict:
    body, carmen = scene.council()
    scene.amend(body, election_method="stv")
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly)
    election = elections.call_election(
        scene.audit_post(body),
        by=carmen,
        ballots="paper" if paper else "phone",
        held_on=dt.date.today() if paper else None,
        assembly=None if paper else assembly,
    )
    for resident in scene.members(body)[:7]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    if paper:
        names = elections.ranked_election(election).candidates
        papers = "".join(f"1 {' '.join(map(str, marks))} 0\n" for marks in RANKED)
        blt = f"7 5\n{papers}0\n" + "".join(f'"{n}"\n' for n in names) + '"UCS"\n'
        elections.count_election(election, by=carmen, blt=blt)
    else:
        codes = assembly.attendance.order_by("pk").values_list("voting_code", flat=True)
        for code, marks in zip(codes, RANKED, strict=False):
            elections.cast_election_ballot(election, code, marks)
        elections.count_election(election, by=carmen)
    return json.loads(json.dumps(export_record([body])))


def _forge(data: dict, change) -> list[verify.Problem]:  # type: ignore[no-untyped-def]
    forged = copy.deepcopy(data)
    entry = _election_entry(forged)
    change(entry["payload"])
    entry["hash"] = verify._hash(entry)
    # Re-hash the chain after the forged entry, as a careful forger would.
    entries = forged["bodies"][0]["entries"]
    for before, after in zip(entries, entries[1:], strict=False):
        if after["seq"] > entry["seq"]:
            after["prev_hash"] = before["hash"]
            after["hash"] = verify._hash(after)
    forged["bodies"][0]["head"] = entries[-1]["hash"]
    return verify.verify_body(forged["bodies"][0])


def test_it_recounts_a_phone_stv_election_and_names_the_entry_with_a_changed_ballot():
    data = _stv_export()
    assert verify.verify_export(data) == []
    seq = _election_entry(data)["seq"]

    for n in range(len(RANKED)):  # whichever ballot (receipts are random)

        def swap(payload: dict, n: int = n) -> None:
            first = payload["ballots"][n][1][0]
            payload["ballots"][n][1] = [first % 7 + 1]  # another first preference

        problems = _forge(data, swap)
        assert [p.seq for p in problems] == [seq]
        assert "stage 1 totals differ from the recount" in problems[0].message


def test_it_names_the_entry_whose_elected_were_changed():
    data = _stv_export()
    seq = _election_entry(data)["seq"]

    def promote(payload: dict) -> None:
        result = payload["result"]
        result["principals"][0][0], result["alternates"][0][0] = (
            result["alternates"][0][0],
            result["principals"][0][0],
        )

    problems = _forge(data, promote)
    assert [(p.seq, "principals" in p.message) for p in problems] == [(seq, True)]


def test_it_recounts_an_uploaded_ballot_file_kept_in_the_record():
    data = _stv_export(paper=True)
    payload = _election_entry(data)["payload"]
    assert sum(w for w, _marks in payload["ranked_ballots"]) == 20
    assert verify.verify_export(data) == []

    def extra_paper(payload: dict) -> None:
        payload["ranked_ballots"].append([1, [6]])

    assert "valid" in _forge(data, extra_paper)[0].message


def test_it_still_verifies_an_old_export_without_the_ballot_file_by_its_quota():
    data = _stv_export(paper=True)

    def old(payload: dict) -> None:
        del payload["ranked_ballots"]

    assert _forge(data, old) == []

    def old_and_wrong(payload: dict) -> None:
        del payload["ranked_ballots"]
        payload["result"]["stv"]["quota"] += 1

    assert "quota" in _forge(data, old_and_wrong)[0].message
