"""A communal council's whole journey through the services, and every refusal on the way.

Rules (institutions.md §1.2, LOCC Art. 22): quorum 30 % of members on first call, 20 % on
second call; decisions by simple majority of those attending. Each refusal is checked to write
nothing: row counts, statuses and the record's hashes are the same before and after.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import (
    Assembly,
    Attendance,
    Decision,
    Motion,
    RollCallVote,
    SecretBallot,
    VoterMark,
)
from comuna.bodies import services as bodies
from comuna.bodies.export import export_record
from comuna.bodies.models import Committee, RecordEntry, Role, RulesetVersion
from comuna.core.errors import ComunaError
from comuna.core.tally import VoteCounts
from comuna.messages import MESSAGES, describe, describe_rows
from comuna.people import services as people
from comuna.people.models import Household, Resident
from comuna.verify import verify_export
from tests import builders

COUNTED = (
    RecordEntry,
    Decision,
    SecretBallot,
    VoterMark,
    RollCallVote,
    Attendance,
    Motion,
    Committee,
    RulesetVersion,
    Resident,
    Household,
    Assembly,
)


def snapshot() -> dict[str, object]:
    state: dict[str, object] = {model.__name__: model.objects.count() for model in COUNTED}
    state["record"] = list(RecordEntry.objects.order_by("pk").values_list("hash", flat=True))
    state["assemblies"] = list(
        Assembly.objects.order_by("pk").values_list("status", "opened_on_call")
    )
    state["motions"] = list(Motion.objects.order_by("pk").values_list("status", "payload"))
    return state


@contextlib.contextmanager
def refused(code: str):
    """The block must raise ``code``, have a translated message, and write nothing."""
    before = snapshot()
    with pytest.raises(ComunaError) as caught:
        yield caught
    assert caught.value.code == code, caught.value
    assert code in MESSAGES
    assert describe(caught.value) != ""
    assert snapshot() == before


def marta() -> User:
    return User.objects.get(username="marta")


def census_csv(adults: int, children: int = 0) -> str:
    lines = [
        "household_code,address,sector,first_names,last_names,id_number,birth_date,sex,"
        "resident_since,phone"
    ]
    for i in range(adults + children):
        born = "1985-03-02" if i < adults else "2019-06-01"
        lines.append(
            f"H-{i // 3},Calle {i // 3},Centro,Nombre{i},Apellido{i},V-{1000 + i},"
            f"{born},{'FM'[i % 2]},2019-06-01,"
        )
    return "\n".join(lines) + "\n"


def attend(assembly: Assembly, count: int) -> None:
    present = set(assembly.attendance.values_list("resident_id", flat=True))
    members = Resident.objects.electorate(assembly.body, 15, timezone.localdate())
    for resident in members.exclude(pk__in=present).order_by("pk")[:count]:
        assemblies.record_attendance(assembly, resident, by=marta())


def voted(assembly: Assembly, method: str, title: str, **kwargs: object) -> Motion:
    return builders.motion(assembly, method, title=title, **kwargs)


def close_counted(motion: Motion, yes: int, no: int, abstain: int) -> Decision:
    return assemblies.close_vote(motion, by=marta(), counts=VoteCounts(yes, no, abstain))


def kinds(body) -> list[str]:
    return list(
        RecordEntry.objects.filter(body=body).order_by("seq").values_list("kind", flat=True)
    )


def decision_payloads(body) -> dict[int, dict]:
    entries = RecordEntry.objects.filter(body=body, kind="decision.made")
    return {entry.payload["number"]: entry.payload for entry in entries}


# --- founding and census ---------------------------------------------------------------------


@pytest.fixture
def council(db):
    """Founded by Luis, Marta as spokesperson, 100 adult members and 5 children by CSV."""
    luis, spokesperson = builders.make_user("luis"), builders.make_user("marta")
    body = bodies.found_council(
        name="Consejo Comunal El Valle",
        territory="Sector El Valle, parroquia Sucre",
        founded_on=dt.date(2024, 3, 1),
        promoters=[luis],
    )
    bodies.grant_role(body, spokesperson, Role.Kind.SPOKESPERSON, granted_by=luis)
    report = people.import_census(body, census_csv(100, children=5))
    assert (report.households, report.residents) == (35, 105)
    return body


def test_it_founds_a_council_and_derives_the_electorate_from_the_census(council):
    assert people.electorate_size(council) == 100
    assert kinds(council) == ["body.founded", "role.granted", "census.imported"]
    founded, granted, imported = RecordEntry.objects.filter(body=council).order_by("seq")
    assert founded.payload["promoters"] == ["luis"]
    assert founded.payload["ruleset"]["params"]["quorum_first_call"] == "3/10"
    assert granted.payload == {
        "body": council.slug,
        "user": "marta",
        "role": "spokesperson",
        "by": "luis",
    }
    assert imported.payload["residents_added"] == 105
    assert imported.payload["electorate"] == 100


def test_it_refuses_a_child_at_the_assembly(council):
    assembly = builders.convene(council)
    child = Resident.objects.filter(body=council, birth_date__year=2019).first()
    with refused("attendance.not_a_member"):
        assemblies.record_attendance(assembly, child, by=marta())


# --- quorum, exactly at the threshold ----------------------------------------------------------


def test_it_refuses_first_call_at_29_of_100_and_opens_at_30(council):
    assembly = builders.convene(council)
    attend(assembly, 29)
    with refused("quorum.not_reached") as caught:
        assemblies.open_assembly(assembly, call=1, by=marta())
    assert caught.value.params == {"present": 29, "required": 30, "missing": 1, "electorate": 100}
    attend(assembly, 1)
    opened = assemblies.open_assembly(assembly, call=1, by=marta())
    assert (opened.status, opened.opened_on_call, opened.electorate_at_opening) == (
        Assembly.Status.IN_SESSION,
        1,
        100,
    )
    entry = RecordEntry.objects.filter(body=council).latest("seq")
    assert (entry.kind, entry.payload["present"], entry.payload["required"]) == (
        "assembly.opened",
        30,
        30,
    )
    assert entry.payload["threshold"] == "3/10"


def test_it_refuses_second_call_at_19_and_opens_at_20(council):
    assembly = builders.convene(council)
    second = assembly.second_call_at
    attend(assembly, 19)
    with refused("quorum.not_reached") as caught:
        assemblies.open_assembly(assembly, call=2, by=marta(), now=second)
    assert (caught.value.params["present"], caught.value.params["required"]) == (19, 20)
    attend(assembly, 1)
    with refused("quorum.not_reached"):  # 20 is not the 30 the first call needs
        assemblies.open_assembly(assembly, call=1, by=marta(), now=second)
    opened = assemblies.open_assembly(assembly, call=2, by=marta(), now=second)
    assert (opened.status, opened.opened_on_call) == (Assembly.Status.IN_SESSION, 2)
    entry = RecordEntry.objects.filter(body=council).latest("seq")
    assert (entry.payload["call"], entry.payload["required"], entry.payload["threshold"]) == (
        2,
        20,
        "1/5",
    )


def test_it_refuses_the_second_call_before_its_time(council):
    assembly = builders.convene(council)
    attend(assembly, 20)
    with refused("assembly.call_not_yet"):
        assemblies.open_assembly(
            assembly, call=2, by=marta(), now=assembly.second_call_at - dt.timedelta(minutes=1)
        )


def test_it_records_an_assembly_not_held_when_the_second_call_fails(council):
    assembly = builders.convene(council)
    attend(assembly, 19)
    held = assemblies.declare_no_quorum(assembly, by=marta(), now=assembly.second_call_at)
    assert held.status == Assembly.Status.NO_QUORUM
    entry = RecordEntry.objects.filter(body=council).latest("seq")
    assert (entry.kind, entry.payload["present"], entry.payload["required"]) == (
        "assembly.not_held",
        19,
        20,
    )
    with refused("attendance.assembly_closed"):
        attend(assembly, 1)


# --- the journey: decisions carried out only when approved -----------------------------------


def _decide_the_agenda(assembly: Assembly) -> None:
    """Six motions before 30 attendees: 16 yes votes are a simple majority of attendees."""
    close_counted(voted(assembly, Motion.Method.OPEN_COUNT, "Arreglar la cancha"), 16, 10, 4)
    # More yes than no, but 15 is not a majority of the 30 attending.
    close_counted(voted(assembly, Motion.Method.OPEN_COUNT, "Pintar la escuela"), 15, 5, 10)
    health = voted(
        assembly,
        Motion.Method.OPEN_ROLL,
        "Comité de salud",
        kind=Motion.Kind.CREATE_COMMITTEE,
        payload={"committee": "Comité de Salud"},
    )
    for n, attendance in enumerate(assembly.attendance.order_by("pk")):
        assemblies.cast_roll_call_vote(
            health, attendance.resident, "yes" if n < 16 else "no", by=marta()
        )
    assemblies.close_vote(health, by=marta())
    sports = voted(
        assembly,
        Motion.Method.SECRET_PHONE,
        "Comité de deportes",
        kind=Motion.Kind.CREATE_COMMITTEE,
        payload={"committee": "Comité de Deportes"},
    )
    for n, attendance in enumerate(assembly.attendance.order_by("pk")):
        assemblies.cast_ballot(sports, attendance.voting_code, "yes" if n % 2 else "no")
    assemblies.close_vote(sports, by=marta())
    lower = voted(
        assembly,
        Motion.Method.SECRET_COUNT,
        "Quórum de 25 %",
        kind=Motion.Kind.AMEND_RULESET,
        payload={"changes": {"quorum_first_call": "0.25"}},
    )
    close_counted(lower, 20, 10, 0)
    second = voted(
        assembly,
        Motion.Method.OPEN_COUNT,
        "Quórum de 10 %",
        kind=Motion.Kind.AMEND_RULESET,
        payload={"changes": {"quorum_second_call": "1/10"}},
    )
    close_counted(second, 10, 20, 0)


def test_it_runs_an_assembly_and_carries_out_only_approved_decisions(council):
    assembly = builders.convene(council)
    attend(assembly, 30)
    assemblies.open_assembly(assembly, call=1, by=marta())
    _decide_the_agenda(assembly)
    assemblies.close_assembly(assembly, by=marta(), summary="Se debatió el plan.")

    decisions = {d.number: d for d in Decision.objects.filter(body=council)}
    assert {n: (d.yes, d.no, d.abstain, d.needed, d.approved) for n, d in decisions.items()} == {
        1: (16, 10, 4, 16, True),
        2: (15, 5, 10, 16, False),
        3: (16, 14, 0, 16, True),
        4: (15, 15, 0, 16, False),
        5: (20, 10, 0, 16, True),
        6: (10, 20, 0, 16, False),
    }
    assert list(
        Committee.objects.filter(body=council).values_list("name", "created_by__number")
    ) == [("Comité de Salud", 3)]
    versions = RulesetVersion.objects.filter(body=council).order_by("number")
    assert [
        (v.number, v.params["quorum_first_call"], v.params["quorum_second_call"], v.reason)
        for v in versions
    ] == [(1, "3/10", "1/5", "founding"), (2, "1/4", "1/5", "decision 5")]
    assert kinds(council)[3:] == [
        "assembly.convened",
        "assembly.opened",
        "decision.made",
        "decision.made",
        "decision.made",
        "committee.created",
        "decision.made",
        "decision.made",
        "ruleset.amended",
        "decision.made",
        "assembly.closed",
    ]
    _check_decision_entries(council)
    assert verify_export(export_record([council])) == []


def _check_decision_entries(council) -> None:
    payloads = decision_payloads(council)
    assert sorted(payloads) == [1, 2, 3, 4, 5, 6]
    assert all(p["attendees"] == 30 and p["electorate"] == 100 for p in payloads.values())
    assert all(
        p["rule"] == "majority_of_attendees" and p["ruleset_version"] == 1
        for p in payloads.values()
    )
    assert len(payloads[3]["roll_call"]) == 30 and len(payloads[4]["ballots"]) == 30
    assert payloads[5]["payload"] == {"changes": {"quorum_first_call": "1/4"}}
    entries = RecordEntry.objects.filter(body=council)
    assert entries.get(kind="committee.created").payload["decision"] == 3
    assert entries.get(kind="ruleset.amended").payload == {
        "body": council.slug,
        "version": 2,
        "changes": {"quorum_first_call": "1/4"},
        "decision": 5,
    }
    assert entries.get(kind="assembly.closed").payload["decisions"] == [1, 2, 3, 4, 5, 6]


def test_it_convenes_the_next_assembly_under_the_amended_ruleset(council):
    assembly = builders.convene(council)
    attend(assembly, 30)
    assemblies.open_assembly(assembly, call=1, by=marta())
    close_counted(
        voted(
            assembly,
            Motion.Method.OPEN_COUNT,
            "Quórum de 25 %",
            kind=Motion.Kind.AMEND_RULESET,
            payload={"changes": {"quorum_first_call": "1/4"}},
        ),
        16,
        0,
        0,
    )
    assemblies.close_assembly(assembly, by=marta())
    following = builders.convene(council)
    assert following.ruleset.number == 2
    attend(following, 24)
    with refused("quorum.not_reached"):
        assemblies.open_assembly(following, call=1, by=marta())
    attend(following, 1)
    assert assemblies.open_assembly(following, call=1, by=marta()).is_open


# --- refusals: nothing is written -------------------------------------------------------------


@pytest.fixture
def session(db):
    """An assembly of a 30-member council in session with 20 present (10 absent)."""
    body = builders.make_council(30)
    return builders.open_with_quorum(builders.convene(body), present=20)


def absent(assembly: Assembly) -> Resident:
    return Resident.objects.of_body(assembly.body).exclude(attendance__assembly=assembly).first()


def test_it_refuses_votes_after_the_close(session):
    phone = voted(session, Motion.Method.SECRET_PHONE, "Fiesta patronal")
    code = session.attendance.first().voting_code
    assemblies.cast_ballot(phone, code, "yes")
    assemblies.close_vote(phone, by=marta())
    roll = voted(session, Motion.Method.OPEN_ROLL, "Mural")
    assemblies.close_vote(roll, by=marta())
    late = session.attendance.order_by("pk")[1]
    with refused("vote.closed"):
        assemblies.cast_ballot(phone, late.voting_code, "no")
    with refused("vote.closed"):
        assemblies.cast_roll_call_vote(roll, late.resident, "no", by=marta())
    with refused("vote.closed"):
        assemblies.close_vote(roll, by=marta())


def test_it_refuses_a_voter_who_is_not_attending(session):
    roll = voted(session, Motion.Method.OPEN_ROLL, "Mural")
    with refused("vote.not_attending"):
        assemblies.cast_roll_call_vote(roll, absent(session), "yes", by=marta())


def test_it_refuses_a_second_vote_by_the_same_person(session):
    roll = voted(session, Motion.Method.OPEN_ROLL, "Mural")
    attendance = session.attendance.first()
    assemblies.cast_roll_call_vote(roll, attendance.resident, "yes", by=marta())
    with refused("vote.already_cast"):
        assemblies.cast_roll_call_vote(roll, attendance.resident, "no", by=marta())
    phone = voted(session, Motion.Method.SECRET_PHONE, "Fiesta")
    assemblies.cast_ballot(phone, attendance.voting_code, "yes")
    with refused("vote.already_cast"):
        assemblies.cast_ballot(phone, attendance.voting_code.lower(), "no")


def test_it_refuses_a_wrong_code_a_wrong_method_and_a_bad_choice(session):
    phone = voted(session, Motion.Method.SECRET_PHONE, "Fiesta")
    other = builders.open_with_quorum(builders.convene(session.body), present=20)
    with refused("vote.bad_code"):
        assemblies.cast_ballot(phone, "ZZZZZZ", "yes")
    with refused("vote.bad_code"):  # a real code, but of another assembly
        assemblies.cast_ballot(phone, absent_code(session, other), "yes")
    with refused("vote.bad_choice"):
        assemblies.cast_ballot(phone, session.attendance.first().voting_code, "maybe")
    roll = voted(session, Motion.Method.OPEN_ROLL, "Mural")
    with refused("vote.wrong_method"):
        assemblies.cast_ballot(roll, session.attendance.first().voting_code, "yes")


def absent_code(session: Assembly, other: Assembly) -> str:
    codes = set(session.attendance.values_list("voting_code", flat=True))
    return other.attendance.exclude(voting_code__in=codes).first().voting_code


def test_it_refuses_counts_that_exceed_the_attendees_or_are_missing(session):
    motion = voted(session, Motion.Method.OPEN_COUNT, "Cancha")
    with refused("tally.more_votes_than_attendees") as caught:
        close_counted(motion, 11, 9, 1)
    assert caught.value.params == {"cast": 21, "attendees": 20}
    with refused("tally.negative_count"):
        close_counted(motion, 12, -1, 0)
    with refused("vote.counts_required"):
        assemblies.close_vote(motion, by=marta())
    decision = close_counted(motion, 11, 9, 0)
    assert (decision.needed, decision.approved) == (11, True)


def test_it_refuses_to_close_an_assembly_with_an_open_vote(session):
    motion = voted(session, Motion.Method.OPEN_COUNT, "Cancha")
    with refused("assembly.open_votes"):
        assemblies.close_assembly(session, by=marta())
    close_counted(motion, 3, 4, 0)
    assert assemblies.close_assembly(session, by=marta()).status == Assembly.Status.CLOSED
    with refused("assembly.closed"):
        assemblies.add_motion(session, title="Tarde", method=Motion.Method.OPEN_COUNT)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"quorum_first_call": "3/2"}, "ruleset.bad_value"),
        ({"quorum_first_call": "treinta"}, "ruleset.bad_value"),
        ({"quorum_second_call": "1/0"}, "ruleset.bad_value"),
        ({"member_min_age": "-1"}, "ruleset.bad_value"),
        ({"spokesperson_term_years": "dos"}, "ruleset.bad_value"),
        ({"president_for_life": "yes"}, "ruleset.unknown_parameter"),
        ({}, "ruleset.no_changes"),
        ("quorum_first_call=1/4", "ruleset.no_changes"),
    ],
)
def test_it_refuses_bad_ruleset_amendments(session, changes, code):
    with refused(code):
        assemblies.add_motion(
            session,
            title="Cambiar reglas",
            method=Motion.Method.OPEN_COUNT,
            kind=Motion.Kind.AMEND_RULESET,
            payload={"changes": changes},
        )


BAD_CENSUS = """\
household_code,address,sector,first_names,last_names,id_number,birth_date,sex,resident_since,phone
H-1,Calle 1,,Ana,Pérez,V-1,1980-01-01,F,2010-01-01,
H-1,Calle 1,,,Pérez,V-2,1980-01-01,F,2010-01-01,
H-2,Calle 2,,Juan,Gómez,V-3,1980-13-01,M,2010-01-01,
H-2,Calle 2,,Luis,Gómez,V-4,1980-01-01,Q,2010-01-01,
H-3,Calle 3,,Rosa,Díaz,V-1,1980-01-01,F,2010-01-01,
H-3,Calle 3,,Eva,Díaz,V-6,2990-01-01,F,2010-01-01,
H-4,Calle 4,,Leo,Ruiz,V-7,1990-01-01,M,1980-01-01,
H-5,Calle 5,,Mia,Sol,V-8,1990-01-01,F,2000-01-01,
"""


def test_it_reports_every_bad_census_row_with_its_line_and_imports_nothing(session):
    with refused("census.csv_rejected") as caught:
        people.import_census(session.body, BAD_CENSUS)
    rows = caught.value.params["errors"]
    assert [(line, code) for line, code, _params in rows] == [
        (3, "census.csv_missing_value"),
        (4, "census.csv_bad_date"),
        (5, "census.csv_bad_sex"),
        (6, "census.id_taken"),
        (7, "census.birth_in_future"),
        (8, "census.residence_before_birth"),
    ]
    assert caught.value.params["count"] == 6
    with translation.override("en"):
        messages = describe_rows(caught.value)
    assert [message.split(":")[0] for message in messages] == [f"Line {n}" for n in range(3, 9)]
    with translation.override("es"):
        spanish = describe_rows(caught.value)
    assert [message.split(":")[0] for message in spanish] == [f"Línea {n}" for n in range(3, 9)]
    assert all(code in MESSAGES for _line, code, _params in rows)
