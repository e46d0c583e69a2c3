"""The public record and the ballots are append-only in the database (bodies 0002, assemblies 0003).

Raw SQL, the ORM, anything: an UPDATE or DELETE of a record entry, a secret ballot, a voter
mark, a roll-call vote or a decision is refused by a trigger, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Decision, Motion, RollCallVote, SecretBallot, VoterMark
from comuna.bodies.models import RecordEntry
from tests import builders

PROTECTED = {
    "bodies_recordentry": (RecordEntry, "kind", "'forged'"),
    "assemblies_secretballot": (SecretBallot, "choice", "'no'"),
    "assemblies_votermark": (VoterMark, "motion_id", "motion_id"),
    "assemblies_rollcallvote": (RollCallVote, "choice", "'no'"),
    "assemblies_decision": (Decision, "approved", "NOT approved"),
}


def _triggers() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal"
            )
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    found: dict[str, set[str]] = {}
    for table, name in rows:
        found.setdefault(table, set()).add(name)
    return found


def _council_with_votes():
    """A council whose assembly decided one secret phone vote and one roll call."""
    body = builders.make_council(6)
    marta = User.objects.get(username="marta")
    assembly = builders.open_with_quorum(builders.convene(body))
    secret = builders.motion(assembly, Motion.Method.SECRET_PHONE, title="Presupuesto")
    attendances = list(assembly.attendance.order_by("pk"))
    for attendance, choice in zip(attendances, ["yes", "yes", "no", "abstain"], strict=False):
        assemblies.cast_ballot(secret, attendance.voting_code, choice)
    assemblies.close_vote(secret, by=marta)
    roll = builders.motion(assembly, Motion.Method.OPEN_ROLL, title="Jornada de limpieza")
    for attendance, choice in zip(attendances, ["yes", "no", "yes"], strict=False):
        assemblies.cast_roll_call_vote(roll, attendance.resident, choice, by=marta)
    assemblies.close_vote(roll, by=marta)
    return body


def _refused(sql: str, params: list[object] | None = None) -> None:
    # The savepoint keeps the test's transaction usable on PostgreSQL after the refusal.
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_it_has_the_triggers_on_every_protected_table(db):
    triggers = _triggers()
    expected = 1 if connection.vendor == "postgresql" else 2  # one per operation on SQLite
    for table in PROTECTED:
        assert len(triggers.get(table, set())) == expected, table


@pytest.mark.parametrize("table", sorted(PROTECTED))
def test_it_refuses_raw_update_and_delete(db, table):
    _council_with_votes()
    model, column, value = PROTECTED[table]
    before = list(model.objects.order_by("pk").values())
    assert before, f"the journey wrote no rows into {table}"
    _refused(f"UPDATE {table} SET {column} = {value}")
    _refused(f"DELETE FROM {table}")
    pk_field = model._meta.pk
    first = model.objects.order_by("pk").values_list("pk", flat=True).first()
    _refused(
        f"DELETE FROM {table} WHERE {connection.ops.quote_name(pk_field.column)} = %s",
        [pk_field.get_db_prep_value(first, connection)],
    )
    assert list(model.objects.order_by("pk").values()) == before


def test_it_refuses_orm_saves_and_deletes_of_a_decision_and_an_entry(db):
    body = _council_with_votes()
    decision = Decision.objects.filter(body=body).order_by("number").first()
    decision.approved = not decision.approved
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        decision.save()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        RecordEntry.objects.filter(body=body).delete()
    decision.refresh_from_db()
    assert Decision.objects.get(pk=decision.pk).approved == decision.approved
    assert RecordEntry.objects.filter(body=body, kind="decision.made").count() == 2


def test_it_still_appends_through_the_services(db):
    body = _council_with_votes()
    kinds = list(RecordEntry.objects.filter(body=body).values_list("kind", flat=True))
    assert kinds.count("decision.made") == 2
    assert SecretBallot.objects.count() == 4
    assert VoterMark.objects.count() == 4
    assert RollCallVote.objects.count() == 3


# pytest-django runs transactional tests after the others, in file order: the first leaves
# rows for the runner's flush (DELETE on SQLite, TRUNCATE on PostgreSQL) to remove, the
# second proves the flush emptied the tables and left every trigger in place.
def test_it_lets_the_test_runner_flush_the_tables(transactional_db):
    _council_with_votes()
    assert RecordEntry.objects.exists()


def test_it_keeps_the_triggers_after_a_flush(transactional_db):
    assert not RecordEntry.objects.exists() and not Decision.objects.exists()
    test_it_has_the_triggers_on_every_protected_table(None)
    builders.make_council(1)
    _refused("UPDATE bodies_recordentry SET kind = 'forged'")
