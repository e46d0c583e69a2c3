"""Concurrent budget ballots on PostgreSQL: one ballot per member, none lost."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db import connection

from comuna.budgets import services
from comuna.budgets.models import BudgetBallot, VoterMark, VotingCode
from tests import builders
from tests.apps import budget_scene
from tests.apps.test_concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_it_takes_one_ballot_from_30_simultaneous_uses_of_one_code(transactional_db):
    process = budget_scene.process_in_voting(builders.make_council(residents=3))
    code = VotingCode.objects.filter(process=process).first().code
    results = race(
        [lambda: services.cast_budget_ballot(process, code, [("P1", 1)]) for _ in range(30)]
    )
    assert Counter(status for status, _v in results) == {"ok": 1, "refused": 29}
    assert {v for s, v in results if s == "refused"} == {"budget.already_voted"}
    assert BudgetBallot.objects.filter(process=process).count() == 1
    assert VoterMark.objects.filter(process=process).count() == 1


def test_it_counts_every_one_of_60_simultaneous_ballots(transactional_db):
    process = budget_scene.process_in_voting(builders.make_council(residents=60))
    codes = list(VotingCode.objects.filter(process=process).values_list("code", flat=True))
    marks = [[("P1", 1), ("P2", 1)] if i % 5 < 3 else [("P3", 1)] for i in range(60)]
    results = race(
        [
            (lambda c=c, m=m: services.cast_budget_ballot(process, c, m))
            for c, m in zip(codes, marks, strict=True)
        ]
    )
    assert {status for status, _v in results} == {"ok"}, Counter(r[0] for r in results)
    process = services.advance_phase(process, by=User.objects.get(username="marta"))
    assert process.result["voters"] == 60
    assert {p["project"]: p["votes"] for p in process.result["projects"]} == {
        "P1": 36,
        "P2": 36,
        "P3": 24,
    }
