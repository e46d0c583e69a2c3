"""A secret ballot cannot be linked to its voter: not by its columns, not by its position.

The ballot table holds a random key, the motion, a random receipt and the choice: nothing
that points at an attendance, a resident or a user, and no time. The public ballot box (the
decision's record entry) lists ballots by receipt, so its order says nothing about who voted
when.
"""

from __future__ import annotations

import itertools

from django.contrib.auth.models import User
from django.db import connection, models

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Motion, SecretBallot
from comuna.bodies.models import RecordEntry
from tests import builders


def test_it_keeps_no_link_to_the_voter_in_the_ballot_table(db):
    fields = {field.name: field for field in SecretBallot._meta.get_fields()}
    assert set(fields) == {"id", "motion", "receipt", "choice"}
    assert isinstance(SecretBallot._meta.pk, models.UUIDField)
    assert [f.related_model for f in fields.values() if f.is_relation] == [Motion]
    assert not any(isinstance(f, models.DateField | models.DateTimeField) for f in fields.values())
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, SecretBallot._meta.db_table
            )
        }
        constraints = connection.introspection.get_constraints(cursor, SecretBallot._meta.db_table)
    assert columns == {"id", "motion_id", "receipt", "choice"}
    assert [c["foreign_key"] for c in constraints.values() if c["foreign_key"]] == [
        ("assemblies_motion", "id")
    ]


def kendall_tau(ranks: list[int]) -> float:
    """Kendall's tau between 0..n-1 and ``ranks`` (no ties): (concordant - discordant) / pairs."""
    pairs = list(itertools.combinations(range(len(ranks)), 2))
    score = sum(1 if ranks[i] < ranks[j] else -1 for i, j in pairs)
    return score / len(pairs)


def test_kendall_tau_is_one_for_the_same_order_and_minus_one_reversed():
    assert kendall_tau([0, 1, 2, 3]) == 1.0
    assert kendall_tau([3, 2, 1, 0]) == -1.0
    assert kendall_tau([1, 0, 3, 2]) == (4 - 2) / 6


def test_it_publishes_ballots_in_an_order_unrelated_to_the_casting_order(db):
    """With 100 voters the tau of an unrelated order has a standard deviation of about 0.068;
    |tau| >= 0.2 happens by chance about 3 times in 1,000 runs. A box kept in casting order
    (by time or by a sequential key) gives tau = 1."""
    body = builders.make_council(100)
    assembly = builders.open_with_quorum(builders.convene(body))
    motion = builders.motion(assembly, Motion.Method.SECRET_PHONE, title="Presupuesto")
    codes = assembly.attendance.order_by("pk").values_list("voting_code", flat=True)
    cast = [assemblies.cast_ballot(motion, code, "yes") for code in codes]
    decision = assemblies.close_vote(motion, by=User.objects.get(username="marta"))
    box = RecordEntry.objects.get(
        body=body, kind="decision.made", payload__number=decision.number
    ).payload["ballots"]
    position = {receipt: rank for rank, (receipt, _choice) in enumerate(box)}
    assert sorted(position) == sorted(cast) and len(cast) == 100
    assert abs(kendall_tau([position[receipt] for receipt in cast])) < 0.2
