"""The demo council that `comuna demo` builds: real services, a verifiable record, built once.

The demo is built once for this module, at its default size, through the command itself
(about 15 s of CPU); each test then runs inside its own savepoint, so what one test changes
the next does not see.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import re

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna import cli, demo, demo_census, demo_script
from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Assembly, Decision, Motion
from comuna.bodies.export import export_record
from comuna.bodies.models import Body, RecordEntry, Role
from comuna.bodies.services import current_ruleset
from comuna.core.errors import RuleError
from comuna.people.models import Household, Resident
from comuna.people.services import electorate_size
from comuna.verify import verify_export

pytestmark = pytest.mark.django_db
CEDULA = re.compile(r"^[VE]-\d{1,2}(\.\d{3}){2}$")


def run_command(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["demo", *argv])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """(the council, what `comuna demo` printed), rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        code, output = run_command()
        assert code == 0
        yield Body.objects.get(slug=demo.DEMO_SLUG), output
        transaction.set_rollback(True)


def past_assemblies(body: Body) -> list[Assembly]:
    done = (Assembly.Status.CLOSED, Assembly.Status.NO_QUORUM)
    return list(Assembly.objects.filter(body=body, status__in=done).order_by("first_call_at"))


def test_it_builds_the_default_census_of_180_households_and_500_residents(built):
    body, output = built
    assert Household.objects.filter(body=body).count() == 180
    residents = Resident.objects.of_body(body)
    assert residents.count() == 500
    ids = [r.id_number for r in residents if r.id_number]
    assert len(ids) == len(set(ids)) > 400
    assert all(CEDULA.match(number) for number in ids)
    assert all(len(r.last_names.split()) >= 2 for r in residents)
    assert "180 households, 500 residents" in output


def test_it_prints_and_creates_the_documented_accounts(built):
    body, output = built
    for username, (role, _purpose) in demo.ACCOUNTS.items():
        assert f"{username} " in output
        assert User.objects.get(username=username).check_password(demo.DEMO_PASSWORD)
        if role:
            assert Role.objects.filter(body=body, user__username=username, kind=role).exists()
    assert demo.DEMO_PASSWORD in output
    assert User.objects.get(username="admin").is_superuser


def test_it_exports_a_record_the_independent_verifier_accepts(built):
    body, _output = built
    exported = export_record([body])
    assert verify_export(exported) == []
    entries = exported["bodies"][0]["entries"]
    kinds = {entry["kind"] for entry in entries}
    assert {
        "body.founded",
        "census.imported",
        "census.resident_registered",
        "decision.made",
        "committee.created",
        "ruleset.amended",
        "assembly.not_held",
    } <= kinds


def test_it_backdates_the_record_in_time_order(built):
    body, _output = built
    times = list(
        RecordEntry.objects.filter(body=body).order_by("seq").values_list("recorded_at", flat=True)
    )
    assert times == sorted(times)
    assert times[-1] - times[0] > dt.timedelta(days=365)


def test_it_keeps_children_out_of_the_electorate(built):
    body, _output = built
    today = timezone.localdate()
    residents = list(Resident.objects.of_body(body))
    children = [r for r in residents if r.age(today) < 15]
    assert len(children) > 50
    assert electorate_size(body, today) == len(residents) - len(children)
    today_assembly = Assembly.objects.get(
        body=body, status=Assembly.Status.CONVENED, kind=Assembly.Kind.ORDINARY
    )
    with pytest.raises(RuleError) as refused:
        assemblies.record_attendance(today_assembly, children[0], by=today_assembly.convened_by)
    assert refused.value.code == "attendance.not_a_member"


def test_it_gives_each_past_assembly_an_acta(built):
    body, _output = built
    held = [a for a in past_assemblies(body) if a.status == Assembly.Status.CLOSED]
    assert len(held) == 11
    for assembly in held:
        decisions = Decision.objects.filter(motion__assembly=assembly)
        assert decisions.exists(), assembly
        assert assembly.summary
        assert assembly.agenda.exclude(notes="").exists()
        assert assembly.attendance.count() == decisions.first().attendees
        assert all(d.yes + d.no + d.abstain <= d.attendees for d in decisions)
    assert {a.opened_on_call for a in held} == {1, 2}


def test_it_shows_participation_declining_and_one_assembly_without_quorum(built):
    body, _output = built
    year = past_assemblies(body)
    assert len(year) == len(demo_script.PAST_YEAR) == 12
    not_held = [a for a in year if a.status == Assembly.Status.NO_QUORUM]
    assert len(not_held) == 1
    assert not not_held[0].motions.exists()
    turnout = [a.attendance.count() for a in year]
    assert turnout[0] > turnout[5] > turnout[-1]


def test_it_decides_by_every_voting_method_and_rejects_some_motions(built):
    body, _output = built
    decisions = Decision.objects.filter(body=body).select_related("motion")
    assert {d.motion.method for d in decisions} == set(Motion.Method.values)
    assert decisions.filter(approved=False).exists()
    phone = decisions.filter(motion__method=Motion.Method.SECRET_PHONE).first()
    assert phone.motion.ballots.count() == phone.yes + phone.no + phone.abstain


def test_it_creates_committees_and_amends_the_ruleset_by_decision(built):
    body, _output = built
    committees = list(body.committees.select_related("created_by"))
    assert len(committees) == 7
    assert all(c.created_by.approved and c.created_by.body == body for c in committees)
    assert {"Comité de Salud", "Mesa Técnica de Agua"} <= {c.name for c in committees}
    ruleset = current_ruleset(body)
    assert ruleset.number == 2 and ruleset.param("spokesperson_term_years") == 3


def test_it_leaves_today_assembly_for_the_visitor_to_open_and_vote(built):
    body, _output = built
    vocera = Role.objects.get(body=body, kind=Role.Kind.SPOKESPERSON).user
    today = Assembly.objects.get(
        body=body, status=Assembly.Status.CONVENED, kind=Assembly.Kind.ORDINARY
    )
    quorum = assemblies.quorum_of(today, 1)
    assert quorum.missing == demo.TODAY_MISSING
    present = today.attendance.values_list("resident", flat=True)
    absent = Resident.objects.electorate(body, 15, timezone.localdate()).exclude(pk__in=present)
    for resident in absent[: demo.TODAY_MISSING]:
        assemblies.record_attendance(today, resident, by=vocera)
    assemblies.open_assembly(today, call=1, by=vocera)
    motion = today.motions.get(method=Motion.Method.SECRET_PHONE)
    assemblies.open_vote(motion, by=vocera)
    assemblies.cast_ballot(motion, today.attendance.first().voting_code, "yes")
    decision = assemblies.close_vote(motion, by=vocera)
    assert (decision.yes, decision.no, decision.attendees) == (1, 0, quorum.required)
    assert (
        Assembly.objects.filter(
            body=body, kind=Assembly.Kind.EXTRAORDINARY, first_call_at__gt=timezone.now()
        ).count()
        == 1
    )


def test_it_does_not_build_the_demo_twice(built):
    body, _output = built

    def counts() -> tuple[int, int, int]:
        return Resident.objects.count(), Assembly.objects.count(), RecordEntry.objects.count()

    before = counts()
    code, output = run_command()
    assert code == 0 and "already" in output
    with pytest.raises(RuleError) as refused:
        demo.build_demo(households=10, residents=20)
    assert refused.value.code == "demo.exists"
    assert counts() == before
    assert Body.objects.filter(slug=demo.DEMO_SLUG).count() == 1


def test_it_draws_the_same_census_from_the_same_seed():
    today = timezone.localdate()

    def draw(seed: int) -> list[dict[str, str]]:
        return demo_census.census_rows(random.Random(seed), 30, 90, today, today)

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)
    assert len({row["household_code"] for row in draw(7)}) == 30
