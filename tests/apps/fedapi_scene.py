"""A commune mid-way for the federation and budget API tests, built through the real services.

``commune``: founded by referendum from three councils, delegates elected. ``voting``: a
session in session on one item, where council 0 mandated yes and its delegate voted no (a
deviation) and council 2's seat has not voted yet. ``convened``: a session not yet opened,
waiting for mandates. ``consultation``: open over the commune. Ana is the electoral
commission of council 0; Marta is spokesperson everywhere. Budgets (in council 0): one
process taking proposals, one voting, one with its result.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from comuna.bodies.models import Body, Role
from comuna.budgets import services as budgets
from comuna.budgets.models import BudgetProcess, VotingCode
from comuna.federation import services
from comuna.federation.models import Consultation, Item, Seat, Session
from tests import builders
from tests import federation_builders as fb
from tests.apps import budget_scene


@dataclass
class FedScene:
    commune: Body
    councils: list[Body]
    seats: dict[int, Seat]
    voting: Session
    item: Item
    convened: Session
    pending: Item
    consultation: Consultation


def build_federation() -> FedScene:
    commune = fb.found_commune()
    builders.make_user("tomas")
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    ana = builders.make_user("ana")
    Role.objects.create(user=ana, body=councils[0], kind=Role.Kind.ELECTORAL_COMMISSION)
    fb.elect_delegates(commune)
    seats = {s.member_id: s for s in Seat.objects.filter(body=commune, kind=Seat.Kind.MEMBER)}
    voting = fb.session(commune)
    item = voting.items.get()
    fb.mandate(item, councils[0], "yes")
    fb.mandate(item, councils[2], "no")
    services.open_session(voting, by=fb.marta())
    services.cast_delegate_vote(item, seats[councils[0].pk], "no", by=fb.marta())
    convened = fb.session(commune, agenda=("Presupuesto comunal",))
    consultation = services.open_consultation(
        commune, question="¿Sembramos maíz en el fundo comunal?", rules={}, by=fb.marta()
    )
    return FedScene(
        commune=commune, councils=councils, seats=seats, voting=voting, item=item,
        convened=convened, pending=convened.items.get(), consultation=consultation,
    )  # fmt: skip


@dataclass
class BudgetScene:
    body: Body
    proposals: BudgetProcess
    voting: BudgetProcess
    decided: BudgetProcess
    codes: list[str]


def build_budgets() -> BudgetScene:
    body = builders.make_council(residents=12)
    builders.make_user("tomas")
    ana = builders.make_user("ana")
    Role.objects.create(user=ana, body=body, kind=Role.Kind.ELECTORAL_COMMISSION)
    marta = User.objects.get(username="marta")
    proposals = budgets.open_process(body, by=marta, title="Presupuesto 2027", amount="5000")
    voting = budget_scene.process_in_voting(body)
    decided = budget_scene.process_with_result(body)
    codes = list(
        VotingCode.objects.filter(process=voting).order_by("pk").values_list("code", flat=True)
    )
    return BudgetScene(body, proposals, voting, decided, codes)
