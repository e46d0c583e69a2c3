"""The verifier re-checks every level of a nested consultation: each body's people rule, its
turnout quorum and the weighted majority of its member bodies, and each council's count
against the report its station entered. A re-hashed forgery of a count or a weight is named."""

from __future__ import annotations

import pytest

from comuna import verify
from comuna.bodies.export import export_record
from comuna.bodies.models import Body
from comuna.federation import services
from comuna.federation.models import ConsultationUnit
from tests import federation_builders as fb
from tests.apps.test_federation_record import _rehash

pytestmark = pytest.mark.django_db

RULES = {
    "commune": {"members_majority": True},
    "council": {"people": "majority_of_votes", "turnout_quorum": "1/2"},
}


def _weighted(weights: tuple[str, ...], counts: tuple[dict, ...]):
    """A commune's consultation where the member councils weigh ``weights``, closed."""
    commune = fb.found_commune()
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    consultation = services.open_consultation(
        commune, question="¿Planta de gas comunal?", rules=RULES, by=fb.marta()
    )
    for council, weight in zip(councils, weights, strict=True):
        ConsultationUnit.objects.filter(consultation=consultation, body=council).update(
            weight=weight
        )
    for council, count in zip(councils, counts, strict=True):
        services.report_unit(consultation, council, by=fb.marta(), counts=count)
    services.close_consultation(consultation, by=fb.marta())
    consultation.refresh_from_db()
    return consultation, export_record([commune])


STRONG = {"yes": 8, "no": 0}
WEAK = {"yes": 2, "no": 3}


def _closed(data: dict) -> tuple[dict, dict]:
    body = data["bodies"][0]
    entries = [e for e in body["entries"] if e["kind"] == "consultation.closed"]
    return body, entries[-1]


def test_it_decides_by_the_weight_of_the_member_bodies_and_verifies_it():
    heavy, _data = _weighted(("2", "1/2", "1/2"), (STRONG, WEAK, WEAK))
    assert heavy.approved is True  # 2 of 3 weight for, 12 yes against 6 no
    even, data = _weighted(("1", "1", "1"), (STRONG, WEAK, WEAK))
    assert even.approved is False  # one council of three
    assert verify.verify_export(data) == []


def test_it_names_the_entry_whose_weight_was_forged():
    _consultation, data = _weighted(("2", "1/2", "1/2"), (STRONG, WEAK, WEAK))
    assert verify.verify_export(data) == []
    body, entry = _closed(data)
    heavy = next(n for n in entry["payload"]["results"] if n["weight"] == "2")
    heavy["weight"] = "1/2"
    _rehash(body)
    problems = verify.verify_export(data)
    assert [p.seq for p in problems] == [entry["seq"]]
    assert "majority of the member bodies" in problems[0].message


def test_it_names_the_entry_whose_council_count_was_forged():
    _consultation, data = _weighted(("1", "1", "1"), (STRONG, WEAK, WEAK))
    body, entry = _closed(data)
    results = entry["payload"]["results"]
    weak = [n for n in results if n["level"] == "council" and not n["approved"]]
    root = next(n for n in results if n["parent"] is None)
    for node in weak:  # forged consistently up the tree: only the station reports tell
        node["yes"] += 2
        node["no"] -= 2
        node["approved"] = True
        root["yes"] += 2
        root["no"] -= 2
    root["approved"] = entry["payload"]["approved"] = True
    _rehash(body)
    problems = verify.verify_export(data)
    assert [p.seq for p in problems] == [entry["seq"]]
    assert "differs from its reported count" in problems[0].message


def test_it_rechecks_the_turnout_quorum_of_each_council():
    _consultation, data = _weighted(("1", "1", "1"), (STRONG, STRONG, {"yes": 2, "no": 1}))
    body, entry = _closed(data)
    low = next(n for n in entry["payload"]["results"] if n["cast"] == 3)
    assert low["approved"] is False  # 3 of 10 cast, below half
    low["approved"] = True
    _rehash(body)
    problems = verify.verify_export(data)
    assert "turnout quorum" in problems[0].message


def test_it_checks_a_people_rule_other_than_a_majority_of_votes():
    payload = {
        "consultation": 1, "approved": False,
        "rules": {"commune": {"people": "majority_of_members"}},
        "results": [
            {"unit": "c", "parent": None, "level": "commune", "eligible": 10, "cast": 8,
             "yes": 5, "no": 3, "reported": 1, "approved": False},
        ],
    }  # fmt: skip
    assert verify.check_consultation(payload) == []  # 5 yes of 10 members is not more than half
    payload["results"][0]["approved"] = payload["approved"] = True
    assert "(majority of the people)" in verify.check_consultation(payload)[0]
    payload["results"][0]["yes"], payload["results"][0]["no"] = 6, 2
    assert verify.check_consultation(payload) == []


def test_it_reproduces_a_weighted_roll_up_with_comuna_tally(tmp_path, capsys):
    import json

    from comuna import cli
    from comuna.federation.tallies import reports_csv, tally_command

    consultation, _data = _weighted(("2", "1/2", "1/2"), (STRONG, WEAK, WEAK))
    path = tmp_path / "reports.csv"
    path.write_text(reports_csv(consultation))
    argv = tally_command(consultation).split()[1:]
    argv[1] = str(path)
    assert cli.main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["digest"] == consultation.digest
    assert result["nodes"][0]["approved"] is True


def test_it_refuses_a_council_counted_without_a_report():
    node = {"unit": "a", "parent": "c", "level": "council", "eligible": 10, "cast": 4,
            "yes": 3, "no": 1, "reported": 0, "approved": False}  # fmt: skip
    root = node | {"unit": "c", "parent": None, "level": "commune", "reported": 0}
    payload = {"consultation": 1, "approved": False, "rules": {}, "results": [root, node]}
    assert verify.check_consultation(payload, {}) == ["a counted without a report"]
