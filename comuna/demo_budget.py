"""The demo council's participatory budget and its lottery for a mediation panel.

Played by ``comuna.demo`` through the real services, in time order with the assemblies. The
budget follows the Plan Comunitario: proposals after the assembly set its priorities, the
feasibility review (one project turned down), a vote with personal phone codes (and a few
paper ballots), the result by the ruleset's rule (Method of Equal Shares completed by Add1)
and the first spending lines. The ballots are drawn so that the rule's point shows: the
river side (El Manantial and the lower part of La Ceiba), a fifth of the voters, backs its
access ramp and sewer; greedy counting by votes funds only the big works the rest of the
barrio backs, MES gives the river side its share. The lottery draws a mediation panel among volunteers with
quotas by sex and sector, the numbers announced in an assembly.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from comuna.assemblies.models import Assembly, Attendance
from comuna.bodies.models import Body
from comuna.budgets import services as budgets
from comuna.budgets import spending
from comuna.budgets.models import BudgetProcess, Project, VotingCode
from comuna.economy import services as treasury
from comuna.lots import services as lots
from comuna.lots.models import Lottery
from comuna.people.models import Resident

if TYPE_CHECKING:
    from comuna.demo import DemoBuilder

MANANTIAL = "El Manantial"
BUDGET_TITLE = "Presupuesto participativo: obras del Plan Comunitario de Desarrollo Integral"
BUDGET_AMOUNT = "2300000"
# (title, cost in bolívares, description, who backs it: "all", "most" or "manantial")
PROJECTS = (
    ("Sustitución de la tubería matriz de la calle 3", "980000",
     "420 metros de tubo de 4 pulgadas y conexiones; la mano de obra la pone la comunidad.",
     "most"),
    ("Techado de la cancha de usos múltiples de la vereda 7", "760000",
     "Estructura metálica y láminas de acerolit para usar la cancha con sol y con lluvia.",
     "most"),
    ("Luminarias LED para las veredas 7 a 12", "420000",
     "Catorce luminarias con sus brazos y cableado, entre Brisas II y El Manantial.", "most"),
    ("Rampa y baranda de la bajada de El Manantial", "310000",
     "La bajada de tierra hacia El Manantial se vuelve barro con la lluvia; adultos mayores y "
     "sillas de ruedas no pueden salir.", "manantial"),
    ("Colector de aguas servidas de El Manantial", "650000",
     "Treinta metros de colector para sacar las aguas negras que corren por la vereda.",
     "manantial"),
    ("Dotación del consultorio popular", "260000",
     "Tensiómetros, glucómetros, una camilla y un nebulizador para el Comité de Salud.", "all"),
    ("Pintura y rejas de la casa comunal", "180000",
     "Pintura, impermeabilización del techo y rejas para las ventanas.", "all"),
    ("Biblioteca comunitaria", "120000",
     "Estantes y trescientos libros para la Misión Robinson y el apoyo escolar.", "all"),
    ("Huerto escolar en la Escuela Básica", "95000",
     "Semillas, herramientas y riego por goteo; lo cuidan los niños con sus maestras.", "all"),
    ("Contenedores de basura para los cuatro sectores", "140000",
     "Ocho contenedores con tapa, dos por sector, para la recolección de la alcaldía.", "all"),
    ("Tanque elevado de 10.000 litros para La Ceiba", "540000",
     "Un tanque en la parte alta de La Ceiba que se llene los días de bombeo.", "all"),
)  # fmt: skip
# How the ballots are drawn (ADR 0110): who votes, the river side's share of the ballots,
# how much of the rest of the barrio backs each big work.
TURNOUT, RIVER_SHARE = 0.5, 0.2
MAJORITY = {"P1": 0.95, "P2": 0.85, "P3": 0.7}
NOT_FEASIBLE = {
    "P11": "Hidrolara no autoriza tanques en la red de la calle 3 hasta cambiar la tubería "
    "matriz; se propone de nuevo el año próximo."
}
REVIEW_NOTES = {
    "P1": "Cómputo métrico de la Mesa Técnica de Agua; precios de tres proveedores.",
    "P4": "Revisado con el Comité de Salud: 14 adultos mayores y 2 personas en silla de ruedas.",
}
SPENDING = (
    ("P1", 5, "390000", "Primer lote de tubo de 4 pulgadas (250 metros)", "Factura 0412", 35),
    ("P4", 6, "120000", "Cemento, cabilla y arena para la rampa", "Factura 1187", 40),
    ("P2", 8, "280000", "Primera entrega de la estructura metálica del techo", "Factura 0090", 25),
)
LOTTERY_TITLE = "Comisión de mediación vecinal"
LOTTERY_NUMBERS = "3 7 1 9 4 2"
SECTORS = ("Brisas I", "Brisas II", "La Ceiba", MANANTIAL)


class DemoBudget:
    """The budget process: ``events()`` between assemblies."""

    def __init__(self, builder: DemoBuilder, days: list[dt.date]) -> None:
        self.b, self.days = builder, days
        self.process: BudgetProcess | None = None

    @property
    def body(self) -> Body:
        assert self.b.body is not None
        return self.b.body

    def events(self) -> list:
        at, days = self.b.at, self.days
        # (project, days after the eleventh assembly, amount, what, evidence, progress)
        spent = [
            (at(days[10] + dt.timedelta(days=row[1]), 11), self.spender(row)) for row in SPENDING
        ]
        return [
            (at(days[5] + dt.timedelta(days=4), 10), self.open),
            (at(days[6] + dt.timedelta(days=5), 10), self.review),
            (at(days[8] + dt.timedelta(days=3), 8), self.vote),
            (at(days[9] + dt.timedelta(days=3), 18), self.result),
            (at(days[9] + dt.timedelta(days=10), 10), self.execute),
            *spent,
        ]

    def during(self) -> dict:
        return {}

    def open(self, when: dt.datetime) -> None:
        vocera = self.b.users["vocera"]
        process = budgets.open_process(
            self.body, by=vocera, title=BUDGET_TITLE, amount=BUDGET_AMOUNT, now=when
        )
        for title, cost, description, _backers in PROJECTS:
            budgets.propose_project(
                process, title=title, cost=cost, description=description, by=vocera
            )
        self.process = process

    def review(self, when: dt.datetime) -> None:
        assert self.process is not None
        vocera = self.b.users["vocera"]
        budgets.advance_phase(self.process, by=vocera, now=when)
        for i, project in enumerate(self.process.projects.order_by("pk")):
            budgets.review_project(
                project,
                feasible=project.code not in NOT_FEASIBLE,
                note=NOT_FEASIBLE.get(project.code, REVIEW_NOTES.get(project.code, "")),
                by=vocera,
                now=when + dt.timedelta(minutes=10 * (i + 1)),
            )

    def vote(self, when: dt.datetime) -> None:
        """Codes go out; about half the members vote, most from their phones, a few on paper.

        A fifth of the ballots come from the river side (El Manantial first, then the lower
        part of La Ceiba): they back the ramp and the sewer; the rest back the big works.
        """
        assert self.process is not None
        budgets.advance_phase(self.process, by=self.b.users["vocera"], now=when)
        codes = VotingCode.objects.filter(process=self.process).select_related(
            "resident__household"
        )
        rng = self.b.rng
        voters = [code for code in codes.order_by("pk") if rng.random() < TURNOUT]
        near = {MANANTIAL: 0, "La Ceiba": 1}
        voters.sort(key=lambda code: near.get(code.resident.household.sector, 2))
        river = round(len(voters) * RIVER_SHARE)
        for index, code in enumerate(voters):
            marks = self.ballot(index < river)
            if index % 15 == 7:
                budgets.enter_paper_ballot(
                    self.process, code.resident, marks, by=self.b.users["electoral"]
                )
            else:
                budgets.cast_budget_ballot(self.process, code.code, marks)

    def ballot(self, river: bool) -> list[tuple[str, int]]:
        rng = self.b.rng
        chosen = []
        for number, (_t, _c, _d, backers) in enumerate(PROJECTS, 1):
            code = f"P{number}"
            if code in NOT_FEASIBLE:
                continue
            if backers == "most":
                share = 0.1 if river else MAJORITY[code]
            elif backers == "manantial":
                share = 0.9 if river else 0.03
            else:
                share = 0.1 if river else 0.2
            if rng.random() < share:
                chosen.append((code, 1))
        return chosen or [("P6", 1)]

    def result(self, when: dt.datetime) -> None:
        assert self.process is not None
        self.process = budgets.advance_phase(self.process, by=self.b.users["vocera"], now=when)

    def execute(self, when: dt.datetime) -> None:
        """The money arrives in the council's bank account, then execution starts: the
        treasury moves each funded project's cost from the fund to its allocation."""
        assert self.process is not None
        treasury.record_income(
            self.b.body, into="1200", source="3200", amount=str(self.process.amount),
            day=timezone.localtime(when, self.b.tz).date(), now=when, by=self.b.users["vocera"],
            description="Transferencia recibida para el presupuesto participativo",
            evidence="Nota de crédito bancaria 0418",
        )  # fmt: skip
        self.process = budgets.advance_phase(self.process, by=self.b.users["vocera"], now=when)

    def spender(self, row: tuple[str, int, str, str, str, int]):
        code, _days, amount, description, evidence, progress = row

        def spend(when: dt.datetime) -> None:
            assert self.process is not None
            project = Project.objects.get(process=self.process, code=code)
            if not project.funded:
                return
            spending.record_spending(
                project, amount=amount, spent_on_day=timezone.localtime(when, self.b.tz).date(),
                description=description, evidence=evidence, by=self.b.users["vocera"],
                progress=progress, now=when,
            )  # fmt: skip

        return spend


class DemoLottery:
    """A mediation panel drawn by lot: volunteers, quotas, computed, drawn in an assembly."""

    def __init__(self, builder: DemoBuilder, days: list[dt.date]) -> None:
        self.b, self.days = builder, days
        self.lottery: Lottery | None = None

    @property
    def body(self) -> Body:
        assert self.b.body is not None
        return self.b.body

    def events(self) -> list:
        at, days = self.b.at, self.days
        return [
            (at(days[9] + dt.timedelta(days=2), 17), self.sign_up),
            (at(days[9] + dt.timedelta(days=9), 19), self.announce),
        ]

    def during(self) -> dict:
        return {10: self.draw}

    def volunteers(self, on: dt.date) -> list[Resident]:
        """Two women and two men of each sector, aged 25 to 70."""
        chosen: list[Resident] = []
        people = list(
            Resident.objects.of_body(self.body).select_related("household").order_by("pk")
        )
        self.b.rng.shuffle(people)
        for sector in SECTORS:
            for sex in ("F", "M"):
                fits = [
                    r
                    for r in people
                    if r.household.sector == sector and r.sex == sex and 25 <= r.age(on) <= 70
                ]
                chosen += fits[:2]
        return chosen

    def sign_up(self, when: dt.datetime) -> None:
        vocera = self.b.users["vocera"]
        lottery = lots.create_lottery(
            self.body, title=LOTTERY_TITLE, panel_size=5, features=["sex", "sector"],
            by=vocera, purpose=Lottery.Purpose.MEDIATORS, now=when,
        )  # fmt: skip
        on = timezone.localtime(when, self.b.tz).date()
        for i, resident in enumerate(self.volunteers(on)):
            lots.sign_up_volunteer(lottery, resident, by=vocera, now=when + dt.timedelta(hours=i))
        quotas = [("sex", "F", 2, 3), ("sex", "M", 2, 3)]
        quotas += [("sector", sector, 1, 2) for sector in SECTORS]
        self.lottery = lots.set_quotas(lottery, quotas)

    def announce(self, when: dt.datetime) -> None:
        assert self.lottery is not None
        vocera = self.b.users["vocera"]
        lottery = lots.announce_lottery(self.lottery, by=vocera, now=when)
        lots.start_computation(
            lottery, by=vocera, now=when + dt.timedelta(minutes=1), background=False
        )

    def draw(self, assembly: Assembly, present: list[Attendance], clock: dt.datetime):
        """The assembly calls out the numbers; the panel is drawn with them."""
        assert self.lottery is not None
        lots.draw_lottery(self.lottery, announced=LOTTERY_NUMBERS, by=self.b.users["vocera"],
                          now=clock)  # fmt: skip
        return clock + dt.timedelta(minutes=15)
