"""The demo council's offices: posts, elections, rotations, reports and a recall under way.

Played by ``comuna.demo`` through the real services, in time order with the assemblies: the
units' spokespeople are elected on paper right after the census (two-year terms, before the
statutes moved to three), the first committees' spokespeople in the second assembly (one by
phone with the attendees' voting codes, one on paper), the sports committee rotates its
spokesperson by lot among young volunteers, the community house is looked after by a roster
of households, office holders report, and in the last days a recall petition against a member
of the finance unit gathers signatures. Every person is from the demo census.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from comuna.assemblies.models import Assembly, Attendance
from comuna.bodies.models import Body
from comuna.core import offices as rules
from comuna.core.errors import RuleError
from comuna.core.rulesets import fraction
from comuna.offices import election_services as elections
from comuna.offices import recall_services as recalls
from comuna.offices import rotation_services as rotation
from comuna.offices import services as offices
from comuna.offices.models import Candidacy, Election, Post, Term
from comuna.people.models import Resident

if TYPE_CHECKING:
    from comuna.demo import DemoBuilder

# Paper counts of the units' elections, most voted first (one number per candidate).
UNIT_COUNTS = {
    Post.Unit.FINANCE: (96, 81, 77, 64, 58, 41, 22),
    Post.Unit.AUDIT: (102, 88, 70, 66, 51, 34),
    Post.Unit.ELECTORAL: (110, 92, 85, 73, 60, 31),
}
SALUD, AGUA, DEPORTE = (
    "Comité de Salud",
    "Mesa Técnica de Agua",
    "Comité de Deporte y Recreación",
)
HOUSE_POST = "Turno de cuido de la casa comunal"
REPORTS = (
    (Post.Unit.FINANCE, 4, "Informe de la UAFC: estado de los cuatro fondos internos. Ingresos "
     "por la venta de bolsas CLAP y aportes; egresos con facturas pegadas en la cartelera."),
    (Post.Unit.AUDIT, 10, "La Contraloría Social revisó la rendición trimestral: los soportes "
     "cuadran salvo dos recibos del fondo social, que se pidieron a la UAFC por escrito."),
    (AGUA, 10, "La Mesa Técnica de Agua informa: llegó el 60 % del tubo de 4 pulgadas; la zanja "
     "de la calle 3 está cavada; Hidrolara bombea martes y viernes desde el mes pasado."),
)  # fmt: skip
RECALL_GROUNDS = (
    "No ha presentado los soportes de los gastos del fondo social del último trimestre pese a "
    "tres solicitudes escritas de la Unidad de Contraloría Social (LOCC Art. 39)."
)
RECALL_SIGNATURES = 16


class DemoOffices:
    """The offices part of the demo: ``events()`` between assemblies, ``during()`` inside."""

    def __init__(self, builder: DemoBuilder, days: list[dt.date]) -> None:
        self.b, self.days = builder, days
        self.rng = builder.rng

    @property
    def body(self) -> Body:
        assert self.b.body is not None
        return self.b.body

    def events(self) -> list:
        at, days = self.b.at, self.days
        return [
            (at(days[0] - dt.timedelta(days=31), 9), self.elect_units),
            (at(days[0] + dt.timedelta(days=6), 10), self.establish),
            (at(days[2] + dt.timedelta(days=5), 10), self.roster_turn),
            *[
                (at(days[index] + dt.timedelta(days=3), 18, 30), self.reporter(post, text))
                for post, index, text in REPORTS
            ],
            (at(days[6] + dt.timedelta(days=4), 17), self.deporte_by_lot),
            (at(days[-1], 21), self.establish),
            (self.recall_opens(), self.recall),
        ]

    def during(self) -> dict:
        return {1: self.elect_committees}

    # Helpers -------------------------------------------------------------------------------

    def day_of(self, when: dt.datetime) -> dt.date:
        return timezone.localtime(when, self.b.tz).date()

    def post(self, key: str) -> Post:
        posts = Post.objects.filter(body=self.body)
        if key in Post.Unit.values:
            return posts.get(unit=key)
        return posts.get(committee__name=key)

    def adults(self, on: dt.date, low: int = 22, high: int = 66) -> list[Resident]:
        """Members of the age, living here for over two years, in a shuffled order."""
        people = [
            r
            for r in Resident.objects.of_body(self.body).order_by("pk")
            if low <= r.age(on) <= high and (on - r.resident_since).days > 2 * 366
        ]
        self.rng.shuffle(people)
        return people

    def holders(self) -> set[int]:
        terms = Term.objects.filter(post__body=self.body, ended_on__isnull=True)
        return set(terms.values_list("holder", flat=True))

    def stand(self, election: Election, wanted: int, when: dt.datetime) -> None:
        """Register ``wanted`` eligible candidates who hold no other post and stand for no
        other (the ineligible are turned away by the service)."""
        busy = self.holders() | set(
            Candidacy.objects.filter(election__body=self.body)
            .exclude(election__status=Election.Status.COUNTED)
            .values_list("resident", flat=True)
        )
        for resident in self.adults(election.held_on):
            if election.candidacies.count() == wanted:
                return
            if resident.pk in busy:
                continue
            try:
                elections.register_candidacy(
                    election, resident, by=self.b.users["electoral"], now=when
                )
            except RuleError:
                continue

    # Acts ----------------------------------------------------------------------------------

    def establish(self, when: dt.datetime) -> None:
        offices.establish_posts(self.body, by=self.b.users["electoral"], now=when)

    def elect_units(self, when: dt.datetime) -> None:
        """The census is in: the units are established and their spokespeople elected."""
        commission = self.b.users["electoral"]
        offices.establish_posts(self.body, by=commission, now=when)
        held_on = self.day_of(when)
        called = []
        for i, (unit, counts) in enumerate(UNIT_COUNTS.items()):
            clock = when + dt.timedelta(minutes=20 * (i + 1))
            election = elections.call_election(
                self.post(unit), by=commission, ballots="paper", held_on=held_on, now=clock
            )
            self.stand(election, len(counts), clock)
            elections.open_election(election, by=commission, now=clock + dt.timedelta(minutes=1))
            called.append((election, counts))
        for i, (election, counts) in enumerate(called):
            votes = {n + 1: count for n, count in enumerate(counts)}
            elections.count_election(
                election, by=commission, counts=votes, now=when + dt.timedelta(hours=9, minutes=i)
            )

    def elect_committees(
        self, assembly: Assembly, present: list[Attendance], clock: dt.datetime
    ) -> dt.datetime:
        """In the second assembly: the water table's spokesperson by phone, health's on paper."""
        commission = self.b.users["electoral"]
        phone = elections.call_election(
            self.post(AGUA), by=commission, ballots="phone", held_on=self.day_of(clock),
            assembly=assembly, now=clock,
        )  # fmt: skip
        self.stand(phone, 3, clock)
        elections.open_election(phone, by=commission, now=clock + dt.timedelta(minutes=5))
        weights = (5, 3, 2)
        voters = self.rng.sample(present, k=round(len(present) * 0.9))
        for attendance in voters:
            mark = self.rng.choices((1, 2, 3), weights=weights)[0]
            elections.cast_election_ballot(phone, attendance.voting_code, [mark])
        clock += dt.timedelta(minutes=30)
        elections.count_election(phone, by=commission, now=clock)
        paper = elections.call_election(
            self.post(SALUD),
            by=commission,
            ballots="paper",
            held_on=self.day_of(clock),
            now=clock,
        )
        self.stand(paper, 2, clock)
        elections.open_election(paper, by=commission, now=clock + dt.timedelta(minutes=2))
        yes = len(present) * 6 // 10
        counts = {1: yes, 2: len(present) - yes - 3}
        elections.count_election(
            paper, by=commission, counts=counts, now=clock + dt.timedelta(minutes=25)
        )
        return clock + dt.timedelta(minutes=30)

    def roster_turn(self, when: dt.datetime) -> None:
        """The community house is kept by one household a year, in the order of the census."""
        vocera = self.b.users["vocera"]
        post = offices.create_post(
            self.body, name=HOUSE_POST, seats=1, rotation=Post.Rotation.ROSTER, by=vocera,
            now=when,
        )  # fmt: skip
        first = self.body.households.order_by("code").first()
        on = self.day_of(when)
        for resident in first.residents.order_by("birth_date") if first else []:
            try:
                rotation.take_roster_turn(
                    post, resident, by=vocera, on=on, now=when + dt.timedelta(minutes=5)
                )
                return
            except RuleError:
                continue

    def deporte_by_lot(self, when: dt.datetime) -> None:
        """The young people asked to rotate their committee's spokesperson by lot."""
        self.establish(when)
        on = self.day_of(when)
        post = self.post(DEPORTE)
        holders = self.holders()
        volunteers = [r for r in self.adults(on, 18, 30) if r.pk not in holders][:6]
        rotation.draw_by_lot(
            post, volunteers, seed="cancha vereda 7, sorteo de la vocería de deporte",
            by=self.b.users["electoral"], on=on, now=when + dt.timedelta(minutes=20),
        )  # fmt: skip

    def reporter(self, key: str, text: str):
        def report(when: dt.datetime) -> None:
            term = (
                Term.objects.filter(post=self.post(key), ended_on__isnull=True)
                .order_by("seat")
                .first()
            )
            if term is not None:
                on = self.day_of(when)
                offices.file_report(term, text, by=self.b.users["vocera"], on=on, now=when)

        return report

    # The recall -------------------------------------------------------------------------------

    def recall_opens(self) -> dt.datetime:
        """Half of the finance unit's two-year term, or the evening of the last assembly."""
        start = self.days[0] - dt.timedelta(days=31)
        elapsed = fraction(offices.params_of(self.body)[1], "recall_min_elapsed_term")
        opens = rules.recall_opens_on(start, rules.term_end(start, 2), elapsed)
        return max(self.b.at(opens, 9), self.b.at(self.days[-1], 21, 30))

    def recall(self, when: dt.datetime) -> None:
        """Petition against the finance unit's last seat; signatures until an hour ago."""
        term = (
            Term.objects.filter(post=self.post(Post.Unit.FINANCE), ended_on__isnull=True)
            .order_by("-seat")
            .first()
        )
        if term is None:
            return
        vocera = self.b.users["vocera"]
        on = self.day_of(when)
        petition = recalls.open_recall(term, grounds=RECALL_GROUNDS, by=vocera, on=on, now=when)
        end = max(when + dt.timedelta(minutes=10), self.b.now - dt.timedelta(hours=1))
        signers = [r for r in self.adults(on, 18, 80) if r.pk != term.holder_id]
        step = (end - when) / (RECALL_SIGNATURES + 1)
        # Under way: short of the threshold, which would move the petition on.
        for i, resident in enumerate(signers[: min(RECALL_SIGNATURES, petition.needed - 1)], 1):
            moment = when + step * i
            self.b.register_arrivals(self.body, until=moment)
            recalls.sign_recall(
                petition, resident, by=vocera, on=self.day_of(moment),
                now=moment,
            )  # fmt: skip
