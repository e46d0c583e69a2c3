"""Races on PostgreSQL: duplicate referendum ballots, a mandate racing the session's opening,
a council leaving while the session opens, ballots racing the station's report."""

from __future__ import annotations

import pytest
from django.db import connection

from comuna.bodies.models import Body, RecordEntry
from comuna.federation import services
from comuna.federation.models import (
    ConsultationBallot,
    ConsultationMark,
    Mandate,
    Seat,
    Session,
    UnitReport,
)
from comuna.people.models import Resident
from tests import federation_builders as fb
from tests.apps.test_concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_it_takes_one_referendum_ballot_from_20_simultaneous_tries(transactional_db):
    members = fb.councils(2, residents=5)
    founding = fb.to_referendum(fb.start(members))
    rosa = Resident.objects.of_body(members[0]).first()
    results = race(
        [
            lambda: services.cast_consultation_ballot(
                founding.referendum, rosa, "yes", by=fb.marta()
            )
            for _ in range(20)
        ]
    )
    assert sorted(r[0] for r in results).count("ok") == 1
    assert {r[1] for r in results if r[0] == "refused"} == {"consultation.already_voted"}
    assert ConsultationMark.objects.count() == ConsultationBallot.objects.count() == 1


def test_it_counts_every_ballot_that_races_the_station_report(transactional_db):
    members = fb.councils(2, residents=30)
    founding = fb.to_referendum(fb.start(members))
    voters = list(Resident.objects.of_body(members[0]).order_by("pk")[1:30])
    services.cast_consultation_ballot(
        founding.referendum, Resident.objects.of_body(members[0]).first(), "no", by=fb.marta()
    )
    jobs = [
        (
            lambda r=r: services.cast_consultation_ballot(
                founding.referendum, r, "yes", by=fb.marta()
            )
        )
        for r in voters
    ]
    jobs.append(lambda: services.report_unit(founding.referendum, members[0], by=fb.marta()))
    results = race(jobs)
    assert not [r for r in results if r[0] in ("crashed", "lost")]
    report = UnitReport.objects.get()
    in_box = ConsultationBallot.objects.filter(unit=report.unit).count()
    assert report.yes + report.no == in_box  # a ballot is in the report or was refused
    refused = [r for r in results if r[0] == "refused"]
    assert {code for _, code in refused} <= {"consultation.already_reported"}


def test_it_settles_mandates_racing_the_session_opening(transactional_db):
    commune = fb.found_commune(fb.councils(3, residents=10))
    fb.elect_delegates(commune)
    session = fb.session(commune)
    item = session.items.get()
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    for council in councils:
        fb.assembly_in_session(council)
    jobs = [(lambda c=c: fb.mandate(item, c, "no")) for c in councils]
    jobs.append(lambda: services.open_session(session, by=fb.marta()))
    results = race(jobs)
    assert not [r for r in results if r[0] in ("crashed", "lost")]
    given = Mandate.objects.filter(item=item).count()
    refused = [r for r in results if r[0] == "refused"]
    assert {code for _, code in refused} <= {"mandate.session_opened"}
    assert given + len(refused) == 3
    # Every mandate given is in its council's record; none was given after the opening.
    opened = RecordEntry.objects.get(body=commune, kind="parliament.opened").recorded_at
    for mandate in Mandate.objects.filter(item=item):
        assert mandate.recorded_at <= opened


def test_it_never_loses_a_seat_when_a_council_leaves_as_the_session_opens(transactional_db):
    commune = fb.found_commune(fb.councils(3, residents=10))
    fb.elect_delegates(commune)
    session = fb.session(commune)
    leaving = Body.objects.filter(parent=commune).order_by("pk").last()
    results = race(
        [
            lambda: services.open_session(session, by=fb.marta()),
            lambda: services.leave_federation(
                commune, leaving, by=fb.marta(), on=session.scheduled_at.date()
            ),
        ]
    )
    assert not [r for r in results if r[0] in ("crashed", "lost")]
    session.refresh_from_db()
    leaving.refresh_from_db()
    open_seats = Seat.objects.filter(body=commune, kind="member", closed_on__isnull=True).count()
    if leaving.parent_id is None:  # it left first: the session opened with two delegates
        assert session.members_at_opening == 2 and open_seats == 2
    else:  # the session opened first: the council stays until the session closes
        assert results[1] == ("refused", "federation.session_in_progress")
        assert session.status == Session.Status.IN_SESSION and session.members_at_opening == 3
