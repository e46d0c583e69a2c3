"""Concurrent phone ballots on PostgreSQL: one ballot per attendee, none lost, none forged.

Each thread has its own database connection (Django's are per thread); a barrier releases
them together. The shared PostgreSQL server allows 100 connections for every engineer and CI
job on it, so at most ``OPEN_CONNECTIONS`` threads hold a connection at once: they still race
each other, a few dozen at a time.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Decision, Motion, SecretBallot, VoterMark
from comuna.bodies.models import RecordEntry
from comuna.core.errors import ComunaError
from tests import builders

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]
OPEN_CONNECTIONS = 40
CHOICES = ("yes", "no", "abstain")


def race(jobs: list[Callable[[], object]]) -> list[tuple[str, object]]:
    """Run ``jobs`` in threads released together: ("ok", value) or ("refused", code) each."""
    barrier = threading.Barrier(len(jobs))
    slots = threading.BoundedSemaphore(OPEN_CONNECTIONS)
    results: list[tuple[str, object]] = [("lost", None)] * len(jobs)

    def worker(i: int, job: Callable[[], object]) -> None:
        barrier.wait()
        with slots:
            try:
                results[i] = ("ok", job())
            except ComunaError as error:
                results[i] = ("refused", error.code)
            except Exception as error:  # reported below, never swallowed
                results[i] = ("crashed", repr(error))
            finally:
                connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def phone_vote(members: int):
    body = builders.make_council(members)
    assembly = builders.open_with_quorum(builders.convene(body))
    motion = builders.motion(assembly, Motion.Method.SECRET_PHONE, title="Presupuesto")
    codes = list(assembly.attendance.order_by("pk").values_list("voting_code", flat=True))
    return motion, codes


def ballot(motion: Motion, code: str, choice: str) -> Callable[[], object]:
    return lambda: assemblies.cast_ballot(motion, code, choice)


def recorded(decision: Decision) -> dict:
    return RecordEntry.objects.get(
        body=decision.body, kind="decision.made", payload__number=decision.number
    ).payload


def test_it_takes_200_concurrent_ballots_once_each_and_counts_them_all(transactional_db):
    motion, codes = phone_vote(200)
    chosen = [CHOICES[i % 3] for i in range(200)]
    results = race(
        [ballot(motion, code, choice) for code, choice in zip(codes, chosen, strict=True)]
    )
    assert {status for status, _value in results} == {"ok"}, Counter(r[0] for r in results)
    receipts = [value for _status, value in results]
    assert len(set(receipts)) == 200
    assert VoterMark.objects.filter(motion=motion).count() == 200
    assert SecretBallot.objects.filter(motion=motion).count() == 200
    decision = assemblies.close_vote(motion, by=User.objects.get(username="marta"))
    expected = Counter(chosen)
    assert (decision.yes, decision.no, decision.abstain) == (
        expected["yes"],
        expected["no"],
        expected["abstain"],
    )
    box = recorded(decision)["ballots"]
    assert {receipt for receipt, _choice in box} == set(receipts)
    assert Counter(choice for _receipt, choice in box) == expected


def test_it_takes_one_ballot_from_50_simultaneous_uses_of_one_code(transactional_db):
    motion, codes = phone_vote(3)
    results = race([ballot(motion, codes[0], "yes") for _ in range(50)])
    assert Counter(status for status, _value in results) == {"ok": 1, "refused": 49}
    assert {value for status, value in results if status == "refused"} == {"vote.already_cast"}
    assert SecretBallot.objects.filter(motion=motion).count() == 1
    assert VoterMark.objects.filter(motion=motion).count() == 1


def test_a_naive_check_then_insert_lets_one_voter_vote_many_times(transactional_db):
    """Why the unique constraint is needed: without it, the same burst leaves duplicates."""
    motion, _codes = phone_vote(3)
    attendance_id = motion.assembly.attendance.order_by("pk").first().pk
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE naive_voter_mark (motion_id bigint, attendance_id bigint)")

    def naive() -> str:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM naive_voter_mark WHERE motion_id = %s AND attendance_id = %s",
                [motion.pk, attendance_id],
            )
            if cursor.fetchone()[0]:
                return "refused"
            time.sleep(0.2)  # widens the window between the check and the insert
            cursor.execute(
                "INSERT INTO naive_voter_mark VALUES (%s, %s)", [motion.pk, attendance_id]
            )
            return "inserted"

    try:
        results = race([naive for _ in range(50)])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM naive_voter_mark")
            rows = cursor.fetchone()[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE naive_voter_mark")
    inserted = sum(1 for status, value in results if value == "inserted")
    assert rows == inserted > 1


def test_it_loses_no_ballot_that_races_the_close(transactional_db):
    motion, codes = phone_vote(50)
    marta = User.objects.get(username="marta")
    jobs = [ballot(motion, code, CHOICES[i % 3]) for i, code in enumerate(codes)]
    jobs.insert(25, lambda: assemblies.close_vote(motion, by=marta))
    results = race(jobs)
    closing = results.pop(25)
    assert closing[0] == "ok"
    accepted = {value for status, value in results if status == "ok"}
    assert {value for status, value in results if status != "ok"} <= {"vote.closed"}
    decision = Decision.objects.get(motion=motion)
    assert decision.yes + decision.no + decision.abstain == len(accepted)
    assert {receipt for receipt, _choice in recorded(decision)["ballots"]} == accepted
    assert SecretBallot.objects.filter(motion=motion).count() == len(accepted)
    assert VoterMark.objects.filter(motion=motion).count() == len(accepted)
