"""The demo commune: Brisas del Turbio and two neighbouring councils found a commune.

Played by ``comuna.demo`` through the real services, in time order with the assemblies. Two
small councils downstream on the Turbio (their censuses drawn by ``demo_census``) are founded
with Brisas del Turbio; halfway through the year the three notify the founding of the
"Comuna Socialista Ribera del Turbio", publish its charter, hold the referendum in each council
and register it. Each council's assembly elects its delegate to the communal parliament; the
parliament is convened with two items, each assembly gives its delegate a mandate, and in the
session the delegate of Vista al Turbio votes against hers (the deviation is in both records).
Then a consultation of every member of the three councils, counted on paper in each council
and rolled up at the commune.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone

from comuna import demo_census
from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Assembly, Attendance
from comuna.bodies import services as bodies
from comuna.bodies.models import Body, Role
from comuna.federation import services as federation
from comuna.federation.models import Founding, Item, Seat, Session
from comuna.people import services as people
from comuna.people.models import Resident

if TYPE_CHECKING:
    from comuna.demo import DemoBuilder

COMMUNE_NAME = "Comuna Socialista Ribera del Turbio"
COMMUNE_SLUG = "ribera-del-turbio"
COMMUNE_TERRITORY = (
    "Ribera norte del río Turbio entre la quebrada El Manantial y la avenida Río Turbio, "
    "parroquia Juan de Villegas, municipio Iribarren, estado Lara."
)
CHARTER = (
    "Carta fundacional de la Comuna Socialista Ribera del Turbio. Principios: la asamblea de "
    "cada consejo comunal decide; el parlamento comunal cumple sus mandatos. Diagnóstico: agua, "
    "aguas servidas, transporte y empleo. Programa: planta procesadora de harina de maíz y ruta "
    "de transporte comunal hacia el centro de Barquisimeto."
)
# (name, slug, territory, households, residents, sectors)
NEIGHBOURS = (
    ("Consejo Comunal Las Tinajitas", "las-tinajitas",
     "Sector Las Tinajitas, entre la avenida Río Turbio y la quebrada La Ruezga, parroquia "
     "Juan de Villegas, Barquisimeto.", 36, 100, ("Las Tinajitas", "La Ruezga")),
    ("Consejo Comunal Vista al Turbio", "vista-al-turbio",
     "Sector Vista al Turbio, desde la calle 1 hasta el mirador sobre el río, parroquia Juan de "
     "Villegas, Barquisimeto.", 32, 90, ("Vista al Turbio", "El Mirador")),
)  # fmt: skip
AGENDA = (
    "Proyecto socioproductivo: planta procesadora de harina de maíz precocida",
    "Ruta de transporte comunal Ribera del Turbio – centro de Barquisimeto",
)
# Mandates of each council's assembly on the two items, and how its delegate voted.
MANDATES = {
    "brisas-del-turbio": (("yes", "yes"), ("yes", "yes")),
    "las-tinajitas": (("yes", "free"), ("yes", "yes")),
    "vista-al-turbio": (("yes", "no"), ("yes", "yes")),  # the delegate deviates on item 2
}
QUESTION = (
    "¿Aprueba que la comuna solicite el financiamiento de la ruta de transporte comunal y "
    "que sus vocerías la administren?"
)
RULES = {"commune": {"people": "majority_of_votes", "turnout_quorum": "1/4",
                     "members_majority": True}}  # fmt: skip
# Share of each council's electorate voting yes / no: (referendum, consultation).
SHARES = {
    "brisas-del-turbio": ((0.34, 0.06), (0.30, 0.08)),
    "las-tinajitas": ((0.41, 0.07), (0.33, 0.11)),
    "vista-al-turbio": ((0.38, 0.09), (0.22, 0.18)),
}

Act = Callable[[Assembly, list[Attendance], dt.datetime], dt.datetime]


class DemoCommune:
    """The commune part of the demo: ``events()`` between assemblies, ``during()`` inside."""

    def __init__(self, builder: DemoBuilder, days: list[dt.date]) -> None:
        self.b, self.days = builder, days
        self.councils: list[Body] = []
        self.founding: Founding | None = None
        self.session: Session | None = None

    @property
    def commune(self) -> Body:
        assert self.founding is not None
        return self.founding.body

    def events(self) -> list:
        at, days, td = self.b.at, self.days, dt.timedelta
        return [
            (at(days[0] - td(days=40), 10), self.found_neighbours),
            (at(days[4] + td(days=5), 10), self.start),
            (at(days[5] + td(days=3), 10), self.referendum),
            (at(days[5] + td(days=8), 10), self.register),
            (at(days[6] - td(days=10), 8), self.neighbours_meet(days[6], self.elect)),
            (at(days[9] + td(days=5), 10), self.convene),
            (at(days[10] - td(days=10), 8), self.neighbours_meet(days[10], self.mandate)),
            (at(days[10] + td(days=4), 17), self.hold_session),
            (at(days[10] + td(days=6), 10), self.consult),
        ]

    def during(self) -> dict[int, Act]:
        return {6: self.elect, 10: self.mandate}

    def day_of(self, when: dt.datetime) -> dt.date:
        return timezone.localtime(when, self.b.tz).date()

    # The neighbouring councils -----------------------------------------------------------

    def found_neighbours(self, when: dt.datetime) -> None:
        promotor = self.b.users["promotor"]
        today = timezone.localtime(self.b.now, self.b.tz).date()
        for name, slug, territory, households, residents, sectors in NEIGHBOURS:
            council = bodies.found_council(
                name=name, territory=territory, founded_on=self.day_of(when),
                promoters=[promotor], slug=slug, now=when,
            )  # fmt: skip
            census_at = when + dt.timedelta(days=9)
            rows = demo_census.census_rows(
                self.b.rng, households, residents, today, census_at.date()
            )
            rows = [r for r in rows if r["birth_date"] < census_at.date().isoformat()]
            for row in rows:
                row["household_code"] = slug[:2].upper() + row["household_code"][2:]
                row["sector"] = sectors[int(row["household_code"][-1]) % len(sectors)]
                row["address"] = f"Sector {row['sector']}, casa N° {row['household_code'][-2:]}"
            people.import_census(council, demo_census.as_csv(rows), now=census_at)
            self.councils.append(council)

    def neighbours_meet(self, day: dt.date, act: Act) -> Callable[[dt.datetime], None]:
        """Each neighbouring council holds its assembly on ``day`` at ten and does ``act``."""

        def meet(when: dt.datetime) -> None:
            for council in self.councils:
                self.hold(council, when, self.b.at(day, 10), act)

        return meet

    def hold(self, council: Body, convened: dt.datetime, start: dt.datetime, act: Act) -> None:
        promotor = self.b.users["promotor"]
        assembly = assemblies.convene_assembly(
            council, by=promotor, place=f"Casa comunal de {council.name[16:]}",
            first_call_at=start, second_call_at=start + dt.timedelta(hours=1),
            agenda=["Parlamento comunal"], notice="Asamblea de ciudadanos y ciudadanas.",
            now=convened,
        )  # fmt: skip
        members = list(
            Resident.objects.electorate(
                council, assembly.ruleset.param("member_min_age"), self.day_of(start)
            ).order_by("pk")
        )
        needed = assemblies.quorum_of(assembly, 1, present=0).required
        present = [
            assemblies.record_attendance(
                assembly, resident, by=promotor, now=start - dt.timedelta(seconds=1800 - 30 * i)
            )
            for i, resident in enumerate(
                self.b.rng.sample(members, k=min(len(members), needed + 4))
            )
        ]
        assemblies.open_assembly(assembly, call=1, by=promotor, now=start + dt.timedelta(minutes=5))
        clock = act(assembly, present, start + dt.timedelta(minutes=10))
        assemblies.close_assembly(assembly, by=promotor, now=clock + dt.timedelta(minutes=20))

    # Founding ------------------------------------------------------------------------------

    def start(self, when: dt.datetime) -> None:
        assert self.b.body is not None
        self.founding = federation.start_founding(
            name=COMMUNE_NAME, territory=COMMUNE_TERRITORY, charter=CHARTER,
            members=[self.b.body, *self.councils], promoters=[self.b.users["promotor"]],
            notified_on=self.day_of(when), slug=COMMUNE_SLUG, now=when,
        )  # fmt: skip
        federation.disseminate_charter(
            self.founding, started_on=self.day_of(when) + dt.timedelta(days=1),
            by=self.b.users["promotor"], now=when + dt.timedelta(days=1),
        )  # fmt: skip

    def referendum(self, when: dt.datetime) -> None:
        assert self.founding is not None
        self.founding = federation.open_referendum(
            self.founding, by=self.b.users["promotor"], now=when
        )
        assert self.founding.referendum is not None
        self.report(self.founding.referendum, when + dt.timedelta(hours=9), 0)
        federation.close_consultation(
            self.founding.referendum, by=self.b.users["promotor"], now=when + dt.timedelta(days=1)
        )

    def report(self, consultation, when: dt.datetime, which: int) -> None:
        """Each council's electoral commission reports its paper count."""
        assert self.b.body is not None
        for i, council in enumerate([self.b.body, *self.councils]):
            eligible = people.electorate_size(council)
            yes, no = SHARES[council.slug][which]
            counts = {"yes": round(eligible * yes), "no": round(eligible * no), "empty": 2}
            federation.report_unit(
                consultation, council, by=self.b.users["electoral"], counts=counts,
                now=when + dt.timedelta(minutes=40 * i),
            )  # fmt: skip

    def register(self, when: dt.datetime) -> None:
        assert self.founding is not None
        promotor = self.b.users["promotor"]
        federation.register_founding(
            self.founding, registration_number="RC-LARA-0417", on=self.day_of(when),
            by=promotor, now=when,
        )  # fmt: skip
        self.founding.body.refresh_from_db()
        bodies.grant_role(
            self.commune, self.b.users["vocera"], Role.Kind.SPOKESPERSON, promotor,
            now=when + dt.timedelta(minutes=5),
        )  # fmt: skip

    # The parliament ------------------------------------------------------------------------

    def elect(self, assembly: Assembly, present: list[Attendance], clock: dt.datetime):
        """The assembly elects its delegate to the communal parliament."""
        seat = Seat.objects.get(body=self.commune, member=assembly.body, closed_on__isnull=True)
        on = self.day_of(clock)
        adults = [a.resident for a in present if 25 <= a.resident.age(on) <= 60]
        federation.elect_delegate(
            seat, self.b.rng.choice(adults), by=self.b.users["vocera"], assembly=assembly,
            now=clock,
        )  # fmt: skip
        return clock + dt.timedelta(minutes=20)

    def convene(self, when: dt.datetime) -> None:
        self.session = federation.convene_session(
            self.commune, by=self.b.users["vocera"], place="Casa comunal de Las Tinajitas",
            scheduled_at=self.b.at(self.days[10] + dt.timedelta(days=4), 17),
            agenda=list(AGENDA), now=when,
        )  # fmt: skip

    def mandate(self, assembly: Assembly, present: list[Attendance], clock: dt.datetime):
        """The assembly tells its delegate how to vote on each item of the session."""
        assert self.session is not None
        mandates, _votes = MANDATES[assembly.body.slug]
        for item, choice in zip(self.items(), mandates, strict=True):
            federation.record_mandate(
                item, assembly.body, choice, by=self.b.users["vocera"], assembly=assembly,
                now=clock,
            )  # fmt: skip
            clock += dt.timedelta(minutes=10)
        return clock

    def items(self) -> list[Item]:
        assert self.session is not None
        return list(self.session.items.order_by("position"))

    def hold_session(self, when: dt.datetime) -> None:
        assert self.session is not None
        vocera = self.b.users["vocera"]
        federation.open_session(self.session, by=vocera, now=when)
        seats = Seat.objects.filter(
            body=self.commune, kind=Seat.Kind.MEMBER, closed_on__isnull=True
        ).select_related("member")
        clock = when
        for position, item in enumerate(self.items()):
            for seat in seats.order_by("pk"):
                assert seat.member is not None
                clock += dt.timedelta(minutes=5)
                choice = MANDATES[seat.member.slug][1][position]
                federation.cast_delegate_vote(item, seat, choice, by=vocera, now=clock)
            clock += dt.timedelta(minutes=15)
            federation.close_item(item, by=vocera, now=clock)
        federation.close_session(self.session, by=vocera, now=clock + dt.timedelta(minutes=10))

    def consult(self, when: dt.datetime) -> None:
        promotor = self.b.users["promotor"]
        consultation = federation.open_consultation(
            self.commune, question=QUESTION, rules=RULES, by=promotor, now=when
        )
        self.report(consultation, when + dt.timedelta(days=7), 1)
        federation.close_consultation(consultation, by=promotor, now=when + dt.timedelta(days=8))
