"""Founding a commune by referendum, its parliament, mandates and conformance (services)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from comuna.bodies.models import Body, RecordEntry
from comuna.core.errors import InputError, RuleError
from comuna.federation import services
from comuna.federation.models import (
    Consultation,
    ConsultationBallot,
    Delegate,
    DelegateVote,
    Deviation,
    Founding,
    Mandate,
    Seat,
    UnitReport,
)
from comuna.people.models import Resident
from tests import builders
from tests import federation_builders as fb

pytestmark = pytest.mark.django_db


def test_it_founds_a_commune_by_referendum_and_opens_its_seats():
    members = fb.councils(3)
    commune = fb.found_commune(members)
    assert commune.kind == "commune" and commune.registered_on is not None
    assert set(Body.objects.filter(parent=commune)) == set(members)
    seats = Seat.objects.filter(body=commune)
    assert (
        sorted(seats.values_list("kind", flat=True))
        == ["bank"] + ["enterprise"] * 3 + ["member"] * 3
    )
    kinds = list(RecordEntry.objects.filter(body=commune).values_list("kind", flat=True))
    assert kinds[:2] == ["founding.started", "founding.charter_published"]
    assert "consultation.closed" in kinds and kinds[-1] == "founding.registered"
    consultation = Consultation.objects.get(body=commune)
    assert consultation.approved is True and len(consultation.digest) == 64


def test_it_rejects_the_founding_when_turnout_is_below_fifteen_percent():
    members = fb.councils(3, residents=20)
    founding = fb.to_referendum(fb.start(members))
    for council in members:  # 2 of 20 vote in each council: 10 % turnout
        services.report_unit(
            founding.referendum, council, by=fb.marta(), counts={"yes": 2, "no": 0}
        )
    services.close_consultation(founding.referendum, by=fb.luis())
    founding.refresh_from_db()
    assert founding.status == Founding.Status.REJECTED
    with pytest.raises(RuleError) as error:
        services.register_founding(
            founding, registration_number="X", on=timezone.localdate(), by=fb.luis()
        )
    assert error.value.code == "founding.wrong_step"
    assert Body.objects.filter(parent=founding.body).count() == 0


def test_it_keeps_the_dissemination_period_before_the_referendum():
    founding = fb.start(fb.councils(2))
    services.disseminate_charter(founding, started_on=timezone.localdate(), by=fb.luis())
    with pytest.raises(RuleError) as error:
        services.open_referendum(founding, by=fb.luis())
    assert error.value.code == "founding.dissemination_not_over"
    founding.refresh_from_db()
    assert founding.referendum is None and not Consultation.objects.exists()


def test_it_refuses_a_founding_of_one_council_or_of_a_council_already_federated():
    first = fb.councils(1)
    with pytest.raises(RuleError) as error:
        fb.start(first)
    assert error.value.code == "founding.too_few_members"
    commune = fb.found_commune()
    taken = Body.objects.filter(parent=commune).first()
    with pytest.raises(RuleError) as error:
        fb.start([taken, *fb.councils(1)])
    assert error.value.code == "founding.member_taken"


def test_it_takes_one_referendum_ballot_per_member_and_reports_them():
    members = fb.councils(2, residents=10)
    founding = fb.to_referendum(fb.start(members))
    rosa = Resident.objects.of_body(members[0]).first()
    services.cast_consultation_ballot(founding.referendum, rosa, "yes", by=fb.marta())
    with pytest.raises(RuleError) as error:
        services.cast_consultation_ballot(founding.referendum, rosa, "no", by=fb.marta())
    assert error.value.code == "consultation.already_voted"
    assert ConsultationBallot.objects.count() == 1
    with pytest.raises(RuleError) as error:  # phone ballots and a paper count do not mix
        services.report_unit(founding.referendum, members[0], by=fb.marta(), counts={"yes": 3})
    assert error.value.code == "consultation.mixed_sources"
    report = services.report_unit(founding.referendum, members[0], by=fb.marta())
    assert (report.source, report.yes, report.no, report.eligible) == ("phones", 1, 0, 10)
    with pytest.raises(RuleError) as error:
        services.report_unit(founding.referendum, members[0], by=fb.marta())
    assert error.value.code == "consultation.already_reported"


def test_it_refuses_a_count_larger_than_the_register_and_writes_nothing():
    members = fb.councils(2, residents=5)
    founding = fb.to_referendum(fb.start(members))
    before = RecordEntry.objects.count()
    with pytest.raises(RuleError) as error:
        services.report_unit(founding.referendum, members[0], by=fb.marta(), counts={"yes": 6})
    assert error.value.code == "consultation.more_ballots_than_members"
    assert not UnitReport.objects.exists() and RecordEntry.objects.count() == before


def test_it_elects_delegates_by_the_council_assembly_only():
    commune = fb.found_commune()
    seat = Seat.objects.filter(body=commune, kind="member").first()
    resident = Resident.objects.of_body(seat.member).first()
    assembly = builders.convene(seat.member)  # convened, not in session
    with pytest.raises(RuleError) as error:
        services.elect_delegate(seat, resident, assembly=assembly, by=fb.marta())
    assert error.value.code == "federation.meeting_not_in_session"
    outsider = Resident.objects.exclude(body=seat.member).first()
    with pytest.raises(RuleError) as error:
        services.elect_delegate(
            seat, outsider, assembly=fb.assembly_in_session(seat.member), by=fb.marta()
        )
    assert error.value.code == "delegate.not_a_member"
    bank = Seat.objects.get(body=commune, kind="bank")
    with pytest.raises(RuleError) as error:
        services.elect_delegate(bank, resident, assembly=assembly, by=fb.marta())
    assert error.value.code == "parliament.placeholder_seat"
    fb.elect_delegates(commune)
    assert Delegate.objects.filter(seat__body=commune, ended_on__isnull=True).count() == 3


def _commune_in_session(mandates: dict[int, str] | None = None):
    commune = fb.found_commune()
    fb.elect_delegates(commune, now=fb.two_years_ago())
    session = fb.session(commune)
    item = session.items.get()
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    for index, choice in (mandates or {}).items():
        fb.mandate(item, councils[index], choice)
    services.open_session(session, by=fb.marta())
    return commune, session, item, councils


def test_it_compares_public_votes_with_mandates_and_records_the_deviation():
    commune, session, item, councils = _commune_in_session({0: "yes", 1: "yes", 2: "free"})
    seats = {s.member_id: s for s in Seat.objects.filter(body=commune, kind="member")}
    services.cast_delegate_vote(item, seats[councils[0].pk], "yes", by=fb.marta())
    services.cast_delegate_vote(item, seats[councils[1].pk], "no", by=fb.marta())
    services.cast_delegate_vote(item, seats[councils[2].pk], "no", by=fb.marta())
    conformance = dict(DelegateVote.objects.values_list("seat__member_id", "conformance"))
    assert conformance == {
        councils[0].pk: "conform", councils[1].pk: "deviation", councils[2].pk: "free"
    }  # fmt: skip
    deviation = Deviation.objects.get()
    assert deviation.member == councils[1]
    assert RecordEntry.objects.filter(body=councils[1], kind="mandate.deviation").exists()
    assert RecordEntry.objects.filter(body=commune, kind="mandate.deviation").exists()
    item = services.close_item(item, by=fb.marta())
    # 3 members: a majority of members is 2; 1 yes is not enough.
    assert (item.yes, item.no, item.needed, item.approved) == (1, 2, 2, False)
    services.request_recall(deviation, by=fb.marta())
    with pytest.raises(RuleError):
        services.request_recall(deviation, by=fb.marta())
    assert (
        RecordEntry.objects.filter(body=councils[1], kind="delegate.recall_requested").count() == 1
    )


def test_it_refuses_a_mandate_voted_after_the_session_opened():
    commune, session, item, councils = _commune_in_session()
    with pytest.raises(RuleError) as error:
        fb.mandate(item, councils[0], "no")
    assert error.value.code == "mandate.session_opened"
    assert not Mandate.objects.exists()


def test_it_refuses_a_council_leaving_mid_session_then_lets_it_leave_after():
    commune, session, item, councils = _commune_in_session()
    with pytest.raises(RuleError) as error:
        services.leave_federation(commune, councils[2], by=fb.marta(), on=timezone.localdate())
    assert error.value.code == "federation.session_in_progress"
    assert Seat.objects.filter(member=councils[2], closed_on__isnull=True).exists()
    services.close_item(item, by=fb.marta())
    services.close_session(session, by=fb.marta())
    services.leave_federation(commune, councils[2], by=fb.marta(), on=timezone.localdate())
    councils[2].refresh_from_db()
    assert councils[2].parent is None
    assert not Delegate.objects.filter(seat__member=councils[2], ended_on__isnull=True).exists()


def test_it_lets_a_council_join_with_a_new_seat():
    commune = fb.found_commune()
    newcomer = fb.councils(1)[0]
    services.join_federation(commune, newcomer, by=fb.marta(), on=timezone.localdate())
    assert Seat.objects.filter(body=commune, member=newcomer, closed_on__isnull=True).count() == 1
    with pytest.raises(RuleError):
        services.join_federation(commune, newcomer, by=fb.marta(), on=timezone.localdate())


def test_it_forces_an_agenda_item_requested_by_sixty_percent_of_councils():
    commune = fb.found_commune()
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    for council in councils[:2]:  # 2 of 3 = 67 % >= 60 %
        services.make_request(
            commune, council, kind="agenda_item", subject="Transporte comunal",
            assembly=fb.assembly_in_session(council), by=fb.marta(),
        )  # fmt: skip
    session = fb.session(commune, agenda=("Informe",))
    assert list(session.items.values_list("title", "forced")) == [
        ("Informe", False), ("Transporte comunal", True)
    ]  # fmt: skip


def test_it_calls_an_extraordinary_session_only_with_seventy_percent():
    commune = fb.found_commune()
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    ask = {"kind": "extraordinary", "subject": "Emergencia de agua", "by": fb.marta()}
    services.make_request(commune, councils[0], assembly=fb.assembly_in_session(councils[0]), **ask)
    services.make_request(commune, councils[1], assembly=fb.assembly_in_session(councils[1]), **ask)
    call = {"by": fb.marta(), "place": "Cancha", "scheduled_at": timezone.now(), "agenda": []}
    with pytest.raises(RuleError) as error:  # 2 of 3 = 67 % < 70 %
        services.convene_session(commune, requested_subject="Emergencia de agua", **call)
    assert error.value.params == {"supporting": 2, "needed": 3}
    services.make_request(commune, councils[2], assembly=fb.assembly_in_session(councils[2]), **ask)
    session = services.convene_session(commune, requested_subject="Emergencia de agua", **call)
    assert session.kind == "extraordinary"
    assert list(session.items.values_list("title", flat=True)) == ["Emergencia de agua"]


def test_it_waits_for_ratification_under_the_zapatista_profile():
    members = fb.councils(2, profile="zapatista")
    commune = fb.found_commune(members, profile="zapatista")
    fb.elect_delegates(commune)
    session = fb.session(commune)
    item = session.items.get()
    services.open_session(session, by=fb.marta())
    for seat in Seat.objects.filter(body=commune):
        services.cast_delegate_vote(item, seat, "yes", by=fb.marta())
    item = services.close_item(item, by=fb.marta())
    assert item.approved and item.effect == "pending"
    for council in members:
        item = services.ratify_item(
            item, council, True, assembly=fb.assembly_in_session(council), by=fb.marta()
        )
    assert item.effect == "in_effect"


def test_it_rolls_a_nested_consultation_up_to_the_same_digest_as_comuna_tally(tmp_path, capsys):
    from comuna import cli
    from comuna.federation.tallies import reports_csv, rollup, tally_command

    commune = fb.found_commune()
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    consultation = services.open_consultation(
        commune, question="¿Construimos el centro de acopio?", by=fb.marta(),
        rules={"commune": {"people": "majority_of_votes", "turnout_quorum": "1/4",
                           "members_majority": True}},
    )  # fmt: skip
    services.report_unit(consultation, councils[0], by=fb.marta(), counts={"yes": 5, "no": 1})
    provisional = rollup(consultation).node(commune.slug)
    assert provisional.units_reported == 1 and not provisional.final
    services.report_unit(consultation, councils[1], by=fb.marta(), counts={"yes": 1, "no": 4})
    consultation = services.close_consultation(consultation, by=fb.marta())
    # 6 yes, 5 no, 11 of 30 cast (quorum 8): the people say yes, but 1 member body of 3 does.
    assert consultation.approved is False
    command = tally_command(consultation)
    assert command.endswith("--rule commune=majority_of_votes,members,quorum=1/4")
    path = tmp_path / f"consultation-{consultation.pk}.csv"
    path.write_text(reports_csv(consultation))
    argv = command.split()[1:]
    argv[1] = str(path)
    assert cli.main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["digest"] == consultation.digest
    assert result["nodes"][0]["approved"] is False and result["nodes"][0]["yes"] == 6


def test_it_federates_communes_into_a_communal_city_with_the_same_machinery():
    communes = [fb.found_commune(fb.councils(2, residents=10)) for _ in range(2)]
    founding = fb.to_referendum(fb.start(communes, kind="communal_city"))
    levels = set(founding.referendum.units.values_list("level", flat=True))
    assert levels == {"communal_city", "commune", "council"}
    for council in Body.objects.filter(parent__in=communes):
        services.report_unit(founding.referendum, council, by=fb.marta(), counts={"yes": 3})
    services.close_consultation(founding.referendum, by=fb.luis())
    founding.refresh_from_db()
    services.register_founding(
        founding, registration_number="CC-1", on=timezone.localdate(), by=fb.luis()
    )
    city = founding.body
    seats = Seat.objects.filter(body=city)
    assert sorted(seats.values_list("kind", flat=True)) == ["member", "member"]
    # A commune's delegate to the city is elected by the commune's parliament in session.
    first = communes[0]
    fb.elect_delegates(first)
    session = fb.session(first, agenda=("Vocería ante la ciudad comunal",))
    services.open_session(session, by=fb.marta())
    resident = Resident.objects.filter(body__parent=first).first()
    delegate = services.elect_delegate(
        seats.get(member=first), resident, parliament=session, by=fb.marta()
    )
    assert delegate.parliament == session and delegate.assembly is None
    assert RecordEntry.objects.filter(body=first, kind="delegate.elected").count() == 3


def test_it_refuses_bad_input_with_stable_codes():
    members = fb.councils(2)
    with pytest.raises(InputError) as error:
        fb.start(members, kind="council")
    assert error.value.code == "founding.bad_kind"
    founding = fb.to_referendum(fb.start(members))
    rosa = Resident.objects.of_body(members[0]).first()
    with pytest.raises(InputError) as error:
        services.cast_consultation_ballot(founding.referendum, rosa, "maybe", by=fb.marta())
    assert error.value.code == "consultation.bad_choice"
    with pytest.raises(InputError):
        services.disseminate_charter(
            fb.start(fb.councils(2)), started_on=dt.date(2000, 1, 1), by=fb.luis()
        )


def test_it_gives_the_floor_to_any_member_only_in_an_open_parliament():
    commune = fb.found_commune()
    fb.elect_delegates(commune)
    closed = services.open_session(fb.session(commune), by=fb.marta())
    delegate = Delegate.objects.filter(seat__body=commune).first().resident
    neighbour = Resident.objects.filter(body=delegate.body).exclude(pk=delegate.pk).first()
    assert services.give_floor(closed, delegate, by=fb.marta()).is_delegate
    with pytest.raises(RuleError) as error:
        services.give_floor(closed, neighbour, by=fb.marta())
    assert error.value.code == "parliament.delegates_only"
    services.close_item(closed.items.get(), by=fb.marta())
    services.close_session(closed, by=fb.marta())
    open_session = services.convene_session(
        commune, by=fb.marta(), place="Cancha", scheduled_at=timezone.now(),
        agenda=["Plan comunal"], open_parliament=True,
    )  # fmt: skip
    open_session = services.open_session(open_session, by=fb.marta())
    speaker = services.give_floor(open_session, neighbour, by=fb.marta())
    assert (speaker.position, speaker.is_delegate) == (1, False)
    outsider = fb.councils(1)[0]
    stranger = Resident.objects.of_body(outsider).first()
    with pytest.raises(RuleError) as error:
        services.give_floor(open_session, stranger, by=fb.marta())
    assert error.value.code == "delegate.not_a_member"
