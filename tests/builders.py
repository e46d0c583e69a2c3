"""Personas and builders for app tests: every object is made through the real services.

Personas: Marta (spokesperson of the council, runs assemblies), Luis (promoter who founded it),
Rosa (a member with no account, votes from her phone), Tomás (an outsider with an account but
no role in the council).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Assembly, Motion
from comuna.bodies import services as bodies
from comuna.bodies.models import Body, Role
from comuna.people import services as people
from comuna.people.models import Household, Resident

PASSWORD = "una-clave-larga-de-prueba"
_counter = itertools.count(1)


def make_user(username: str) -> User:
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def make_council(residents: int = 20, *, profile: str = "venezuela-2009", slug: str = "") -> Body:
    """A council founded by Luis, with Marta as spokesperson and ``residents`` adult members."""
    luis = make_user("luis")
    marta = make_user("marta")
    n = next(_counter)
    body = bodies.found_council(
        name=f"Consejo Comunal Las Flores {n}",
        territory="Sector Las Flores, parroquia Sucre",
        founded_on=dt.date(2024, 1, 15),
        promoters=[luis],
        profile=profile,
        slug=slug,
    )
    Role.objects.create(user=marta, body=body, kind=Role.Kind.SPOKESPERSON)
    add_residents(body, residents)
    return body


def add_residents(body: Body, count: int, *, born: dt.date = dt.date(1980, 5, 1)) -> list[Resident]:
    household = Household.objects.filter(body=body).first() or people.add_household(
        body, code=f"H-{next(_counter)}", address="Calle 1, casa 1"
    )
    made = []
    for i in range(count):
        made.append(
            people.register_resident(
                household,
                first_names=f"Persona{i}",
                last_names=f"Apellido{next(_counter)}",
                birth_date=born,
                resident_since=dt.date(2015, 1, 1),
                sex="F" if i % 2 else "M",
            )
        )
    return made


def convene(body: Body, *, agenda: tuple[str, ...] = ("Informe", "Propuestas")) -> Assembly:
    """An assembly whose first call is now (so it can be opened at once)."""
    marta = User.objects.get(username="marta")
    start = timezone.now()
    return assemblies.convene_assembly(
        body,
        by=marta,
        place="Casa comunal",
        first_call_at=start,
        second_call_at=start + dt.timedelta(minutes=30),
        agenda=list(agenda),
    )


def open_with_quorum(assembly: Assembly, present: int | None = None) -> Assembly:
    """Record ``present`` attendees (all members when None) and open on first call."""
    marta = User.objects.get(username="marta")
    members = list(Resident.objects.of_body(assembly.body).order_by("pk"))
    for resident in members[: present if present is not None else len(members)]:
        assemblies.record_attendance(assembly, resident, by=marta)
    return assemblies.open_assembly(assembly, call=1, by=marta)


def motion(assembly: Assembly, method: str = Motion.Method.OPEN_COUNT, **kwargs: object) -> Motion:
    marta = User.objects.get(username="marta")
    made = assemblies.add_motion(
        assembly, title=kwargs.pop("title", "Arreglar la cancha"), method=method, **kwargs
    )  # type: ignore[arg-type]
    return assemblies.open_vote(made, by=marta)
