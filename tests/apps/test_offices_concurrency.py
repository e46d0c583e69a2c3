"""Concurrent election ballots and petition signatures on PostgreSQL: once each, none lost,
none past the petition's threshold."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from comuna.offices import election_services as elections
from comuna.offices import recall_services as recalls
from comuna.offices.models import ElectionBallot, ElectionVoterMark, Term
from tests import builders
from tests.apps import offices_scene as scene
from tests.apps.test_concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_it_takes_one_election_ballot_from_30_simultaneous_uses_of_one_code(transactional_db):
    body, carmen = scene.council()
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly, present=8)
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="phone", held_on=None, assembly=assembly
    )
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    code = assembly.attendance.first().voting_code
    jobs = [
        lambda i=i: elections.cast_election_ballot(election, code, [1 + i % 6]) for i in range(30)
    ]
    outcomes = Counter(kind for kind, _value in race(jobs))
    assert outcomes == {"ok": 1, "refused": 29}
    assert ElectionBallot.objects.count() == 1 and ElectionVoterMark.objects.count() == 1


def test_it_records_each_signature_once_when_the_petition_is_signed_at_once(transactional_db):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4], held_on=scene.years_ago(1, 5))
    term = Term.objects.get(post__body=body, seat=1)
    recall = recalls.open_recall(term, grounds="No rinde cuentas", by=carmen, on=scene.years_ago(0))
    signers = scene.members(body)[8:12]
    jobs = [
        lambda r=r: recalls.sign_recall(recall, r, by=carmen, on=scene.years_ago(0))
        for r in signers * 5
    ]
    results = race(jobs)
    # The petition closes at its threshold (2 of 20): the rest are refused, none crash.
    assert Counter(kind for kind, _value in results) == {"ok": 2, "refused": 18}
    refusals = {value for kind, value in results if kind == "refused"}
    assert refusals <= {"recall.already_signed", "recall.not_collecting"}
    recall.refresh_from_db()
    assert recall.signatures.count() == 2 and recall.threshold_reached_on is not None
