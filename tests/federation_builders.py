"""Builders for communes and their parliaments, through the real services (see builders.py)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from comuna.assemblies.models import Assembly
from comuna.bodies.models import Body, Role
from comuna.federation import services
from comuna.federation.models import Delegate, Founding, Item, Seat, Session
from comuna.people.models import Resident
from tests import builders

_counter = itertools.count(1)


def luis() -> User:
    return builders.make_user("luis")


def marta() -> User:
    return builders.make_user("marta")


def councils(count: int = 3, residents: int = 10, profile: str = "venezuela-2009") -> list[Body]:
    return [builders.make_council(residents, profile=profile) for _ in range(count)]


def start(members: list[Body], **kwargs: object) -> Founding:
    today = timezone.localdate()
    n = next(_counter)
    return services.start_founding(
        name=kwargs.pop("name", f"Comuna El Maizal {n}"),  # type: ignore[arg-type]
        territory="Parroquia Simón Planas",
        charter="Carta fundacional: principios, censo, diagnóstico y programa.",
        members=members,
        promoters=[luis()],
        notified_on=today - dt.timedelta(days=30),
        **kwargs,  # type: ignore[arg-type]
    )


def to_referendum(founding: Founding) -> Founding:
    today = timezone.localdate()
    services.disseminate_charter(founding, started_on=today - dt.timedelta(days=20), by=luis())
    return services.open_referendum(founding, by=luis())


def found_commune(
    members: list[Body] | None = None, *, yes: int = 6, no: int = 1, **kwargs: object
) -> Body:
    """A registered commune of ``members`` (three new councils), with Marta as spokesperson."""
    members = members or councils()
    founding = to_referendum(start(members, **kwargs))
    assert founding.referendum is not None
    for council in members:
        services.report_unit(
            founding.referendum, council, by=marta(), counts={"yes": yes, "no": no}
        )
    services.close_consultation(founding.referendum, by=luis())
    founding.refresh_from_db()
    services.register_founding(
        founding, registration_number=f"RC-{founding.pk}", on=timezone.localdate(), by=luis()
    )
    Role.objects.get_or_create(user=marta(), body=founding.body, kind=Role.Kind.SPOKESPERSON)
    founding.body.refresh_from_db()
    return founding.body


def assembly_in_session(council: Body) -> Assembly:
    existing = council.assemblies.filter(status=Assembly.Status.IN_SESSION).first()
    return existing or builders.open_with_quorum(builders.convene(council))


def elect_delegates(
    commune: Body, *, alternates: bool = False, now: dt.datetime | None = None
) -> dict[int, Resident]:
    """Each member council's assembly elects its first resident as delegate (and its second
    as alternate). ``now``: when, e.g. two years ago so that a recall may be filed today."""
    chosen = {}
    for seat in Seat.objects.filter(body=commune, kind=Seat.Kind.MEMBER, closed_on__isnull=True):
        assert seat.member is not None
        resident, alternate = Resident.objects.of_body(seat.member).order_by("pk")[:2]
        services.elect_delegate(
            seat, resident, assembly=assembly_in_session(seat.member), by=marta(),
            alternate=alternate if alternates else None, now=now,
        )  # fmt: skip
        chosen[seat.pk] = resident
    return chosen


def amend_by_parliament(commune: Body, changes: dict[str, str], *, vote: str = "yes") -> Item:
    """The commune's parliament amends its own rules (LOC Art. 22.7): a session whose item
    carries ``changes``, on which every seated delegate votes ``vote``; then it closes."""
    convened = session(commune, ("Informe de la vocería",))
    item = services.add_item(convened, "Reglamento interno", changes=changes, by=marta())
    services.open_session(convened, by=marta())
    seated = Delegate.objects.filter(ended_on__isnull=True).values("seat")
    seats = Seat.objects.filter(body=commune, closed_on__isnull=True, pk__in=seated)
    for seat in seats:
        services.cast_delegate_vote(item, seat, vote, by=marta())
    for each in convened.items.all():
        services.close_item(each, by=marta())
    services.close_session(convened, by=marta())
    item.refresh_from_db()
    return item


def recall_in_member_assemblies(commune: Body) -> None:
    """The commune's parliament sends delegates' recalls to the member bodies' assemblies
    instead of a referendum (LOC Art. 50). Its delegates must be seated."""
    amend_by_parliament(commune, {"delegate_recall_vote": "member_assembly"})


def two_years_ago() -> dt.datetime:
    """Past the midpoint of a three-year parliament term (LOPP Art. 16)."""
    return timezone.now() - dt.timedelta(days=730)


def session(commune: Body, agenda: tuple[str, ...] = ("Planta de gas comunal",)) -> Session:
    return services.convene_session(
        commune, by=marta(), place="Casa de la comuna",
        scheduled_at=timezone.now(), agenda=list(agenda),
    )  # fmt: skip


def mandate(item: Item, council: Body, choice: str) -> None:
    services.record_mandate(
        item, council, choice, assembly=assembly_in_session(council), by=marta()
    )
