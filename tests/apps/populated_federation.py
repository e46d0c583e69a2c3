"""A commune over the populated council (``populated_scene``), through the real services.

The populated council and two small councils found a commune by referendum (its name,
territory and charter from ``words``); each council's assembly elects a delegate and gives
mandates; the parliament (place and items from ``words``) is in session: the first item voted
and closed with one delegate deviating from the mandate, the second still open, a third
amending the parliament's rules. A member's
request for an agenda item and a consultation of the three councils (question from ``words``)
with two stations reported, one still taking ballots.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.utils import timezone

from comuna.assemblies.models import Assembly
from comuna.bodies.models import Body, Role
from comuna.federation import services as federation
from comuna.federation.models import Delegate, Deviation, Request, Seat
from comuna.people.models import Resident
from tests import builders

if TYPE_CHECKING:
    from tests.apps.populated_scene import Populated, Words

RULES = {"commune": {"people": "majority_of_votes", "turnout_quorum": "1/4"}}


def _found(scene: Populated, words: Words, councils: list[Body]) -> Body:
    luis, marta = User.objects.get(username="luis"), User.objects.get(username="marta")
    today = timezone.localdate()
    founding = federation.start_founding(
        name=words.up_to(200), territory=words.up_to(300), charter=words.lines(),
        members=councils, promoters=[luis], notified_on=today - dt.timedelta(days=30),
        slug=f"{scene.body.slug}-comuna",
    )  # fmt: skip
    federation.disseminate_charter(founding, started_on=today - dt.timedelta(days=20), by=luis)
    founding = federation.open_referendum(founding, by=luis)
    assert founding.referendum is not None
    for council in councils:
        federation.report_unit(founding.referendum, council, by=marta, counts={"yes": 3, "no": 1})
    federation.close_consultation(founding.referendum, by=luis)
    founding.refresh_from_db()
    federation.register_founding(founding, registration_number=words.one()[:50], on=today, by=luis)
    Role.objects.get_or_create(user=marta, body=founding.body, kind=Role.Kind.SPOKESPERSON)
    founding.body.refresh_from_db()
    return founding.body


def _in_session(council: Body, scene: Populated) -> Assembly:
    if council == scene.body:
        return scene.session
    return builders.open_with_quorum(builders.convene(council))


def populated_federation(scene: Populated, words: Words) -> None:
    marta = User.objects.get(username="marta")
    councils = [scene.body, builders.make_council(4), builders.make_council(4)]
    commune = _found(scene, words, councils)
    meetings = {council.pk: _in_session(council, scene) for council in councils}
    seats = {s.member_id: s for s in Seat.objects.filter(body=commune, kind=Seat.Kind.MEMBER)}
    for council in councils:
        resident = Resident.objects.of_body(council).order_by("pk").first()
        federation.elect_delegate(
            seats[council.pk], resident, by=marta, assembly=meetings[council.pk]
        )
    session = federation.convene_session(
        commune, by=marta, place=words.up_to(200), scheduled_at=timezone.now(),
        agenda=[words.up_to(300), words.up_to(300)],
    )  # fmt: skip
    first, second = session.items.order_by("position")
    rules = federation.add_item(  # an item amending the parliament's rules (ADR 0067)
        session, words.up_to(300), changes={"parliament_term_years": "4"}, by=marta
    )
    for council, choice in zip(councils, ("yes", "no", "free"), strict=True):
        federation.record_mandate(first, council, choice, by=marta, assembly=meetings[council.pk])
    federation.make_request(
        commune, councils[1], kind=Request.Kind.AGENDA_ITEM, subject=words.up_to(300),
        by=marta, assembly=meetings[councils[1].pk],
    )  # fmt: skip
    federation.open_session(session, by=marta)
    for council, choice in zip(councils, ("yes", "yes", "no"), strict=True):
        federation.cast_delegate_vote(first, seats[council.pk], choice, by=marta)
    federation.close_item(first, by=marta)
    federation.cast_delegate_vote(second, seats[councils[0].pk], "abstain", by=marta)
    consultation = federation.open_consultation(
        commune, question=words.lines(), rules=RULES, by=marta
    )
    for council in councils[1:]:
        federation.report_unit(consultation, council, by=marta, counts={"yes": 2, "no": 1})
    voter = Resident.objects.of_body(scene.body).order_by("pk").last()
    assert voter is not None
    federation.cast_consultation_ballot(consultation, voter, "yes", by=marta)
    scene.commune = commune
    scene.federation = {
        "consultations": [consultation.pk, commune.founding.referendum_id],
        "sessions": [session.pk],
        "items": [first.pk, second.pk, rules.pk],
        "delegates": list(Delegate.objects.filter(seat__body=commune).values_list("pk", flat=True)),
        "deviations": list(Deviation.objects.values_list("pk", flat=True)),
    }
