"""A council in mid-assembly for the API tests, built through the real services.

``convened``: an assembly convened now with every member but the last present (quorum
reached, not yet opened). ``session``: an assembly in session with everyone present, decision
1 already taken, and four motions: a draft, and one open for each way of voting the API records.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.test import Client

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Assembly, Attendance, Motion
from comuna.bodies.models import Body
from comuna.core.tally import VoteCounts
from comuna.people.models import Resident
from tests import builders


@dataclass
class Scene:
    body: Body
    members: list[Resident]
    convened: Assembly
    session: Assembly
    draft: Motion
    counted: Motion
    roll: Motion
    secret: Motion
    codes: list[str]


def build_scene(residents: int = 10) -> Scene:
    body = builders.make_council(residents=residents)
    builders.make_user("tomas")
    marta = User.objects.get(username="marta")
    members = list(Resident.objects.of_body(body).order_by("pk"))
    convened = builders.convene(body)
    for resident in members[:-1]:
        assemblies.record_attendance(convened, resident, by=marta)
    session = builders.open_with_quorum(builders.convene(body))
    draft = assemblies.add_motion(
        session, title="Pintar la escuela", method=Motion.Method.OPEN_COUNT
    )
    decided = builders.motion(session, Motion.Method.OPEN_COUNT, title="Aprobar el acta anterior")
    assemblies.close_vote(decided, by=marta, counts=VoteCounts(yes=residents - 1, no=1))
    codes = list(
        Attendance.objects.filter(assembly=session)
        .order_by("pk")
        .values_list("voting_code", flat=True)
    )
    return Scene(
        body=body,
        members=members,
        convened=convened,
        session=session,
        draft=draft,
        counted=builders.motion(session, Motion.Method.OPEN_COUNT, title="Arreglar la cancha"),
        roll=builders.motion(session, Motion.Method.OPEN_ROLL, title="Comprar bombillos"),
        secret=builders.motion(session, Motion.Method.SECRET_PHONE, title="Elegir la fecha"),
        codes=codes,
    )


def client_for(username: str | None) -> Client:
    """A browser: anonymous when ``username`` is None, else signed in by session."""
    client = Client()
    if username is not None:
        client.force_login(
            User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
        )
    return client
