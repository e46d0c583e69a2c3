"""A council with something on every page, built through the real services.

Every user-controlled text (council name and territory, household address and sector, resident
names, assembly place, notice, agenda items, debate notes and summary, motion titles and texts,
committee name, budget process and project titles and descriptions, spending lines, a treasury
entry, post names, recall grounds, office reports, the commune's name, territory and charter,
parliament place and items, requests, consultation question) is taken from ``words``: plain
Spanish for the safe-method crawl, the XSS corpus for the browser battery. Three assemblies:
one convened (attendance under way), one in session (a draft motion and an open vote of each
method), one closed (decisions, a committee created, a closed secret vote with its ballot box,
notes, summary); a budget process in execution; offices (``populated_offices``) and a commune
with its parliament (``populated_federation``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils import timezone

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Assembly, Attendance, Motion
from comuna.bodies import services as bodies
from comuna.bodies.models import Body, Role
from comuna.budgets import services as budgets
from comuna.budgets import spending
from comuna.budgets.models import BudgetProcess, Project, VotingCode
from comuna.core.tally import VoteCounts
from comuna.economy import services as treasury
from comuna.people import services as people
from tests import builders
from tests.apps import budget_scene
from tests.apps.populated_federation import populated_federation
from tests.apps.populated_offices import populated_offices

PLAIN = tuple(f"Texto de prueba {i}" for i in range(12))


@dataclass
class Populated:
    body: Body
    convened: Assembly
    session: Assembly
    closed: Assembly
    motions: dict[str, Motion] = field(default_factory=dict)
    receipt: str = ""
    process: BudgetProcess | None = None
    funded: Project | None = None
    budget_receipt: str = ""
    # Offices: posts, elections (candidacies, counted on paper, counted from phones), the
    # holders' resident pks, a recall with a signature. Federation: the commune and its pages.
    offices: dict[str, list[int]] = field(default_factory=dict)
    commune: Body | None = None
    federation: dict[str, list[int]] = field(default_factory=dict)


class Words:
    """Hands out ``words`` in turn, so that each one lands in several fields."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(words)
        self._next = itertools.cycle(self.words)

    def one(self) -> str:
        return next(self._next)

    def up_to(self, limit: int) -> str:
        """As many whole words as fit in ``limit`` characters (at least one), space-joined."""
        taken = [self.one()]
        while len(" ".join(taken)) + 1 + len(self.words[0]) < limit and len(taken) < 4:
            taken.append(self.one())
        return " ".join(taken)[:limit]

    def lines(self) -> str:
        return "\n".join(self.words)


def _members(body: Body, words: Words) -> None:
    household = people.add_household(
        body, code="H-1", address=words.up_to(300), sector=words.up_to(100)
    )
    for i, word in enumerate(words.words):
        people.register_resident(
            household,
            first_names=word[:100],
            last_names=words.one()[:100],
            birth_date=dt.date(1980, 5, 1),
            resident_since=dt.date(2015, 1, 1),
            sex="F" if i % 2 else "M",
        )


def _convene(body: Body, words: Words, items: int) -> Assembly:
    marta = User.objects.get(username="marta")
    start = timezone.now()
    return assemblies.convene_assembly(
        body,
        by=marta,
        place=words.up_to(200),
        first_call_at=start,
        second_call_at=start + dt.timedelta(minutes=30),
        agenda=[words.one() for _ in range(items)],
        notice=words.lines(),
    )


def _closed_assembly(scene: Populated, words: Words) -> Assembly:
    marta = User.objects.get(username="marta")
    assembly = builders.open_with_quorum(_convene(scene.body, words, len(words.words)))
    for item in assembly.agenda.all():
        assemblies.record_debate_notes(item, words.up_to(300), by=marta)
    committee = assemblies.add_motion(
        assembly,
        title=words.up_to(300),
        text=words.lines(),
        method=Motion.Method.OPEN_COUNT,
        kind=Motion.Kind.CREATE_COMMITTEE,
        payload={"committee": words.up_to(100)},
    )
    assemblies.open_vote(committee, by=marta)
    voters = assembly.attendance.count()
    assemblies.close_vote(committee, by=marta, counts=VoteCounts(yes=voters, no=0))
    secret = builders.motion(assembly, Motion.Method.SECRET_PHONE, title=words.up_to(300))
    codes = Attendance.objects.filter(assembly=assembly).values_list("voting_code", flat=True)
    for code, choice in zip(codes[:3], ("yes", "yes", "no"), strict=True):
        scene.receipt = assemblies.cast_ballot(secret, code, choice)
    assemblies.close_vote(secret, by=marta)
    scene.motions |= {"committee": committee, "secret_closed": secret}
    return assemblies.close_assembly(assembly, by=marta, summary=words.lines())


def _session(scene: Populated, words: Words) -> Assembly:
    marta = User.objects.get(username="marta")
    assembly = builders.open_with_quorum(_convene(scene.body, words, 3))
    scene.motions["draft"] = assemblies.add_motion(
        assembly, title=words.up_to(300), text=words.lines(), method=Motion.Method.OPEN_COUNT
    )
    for method in Motion.Method.values:
        made = assemblies.add_motion(
            assembly, title=words.up_to(300), text=words.lines(), method=method
        )
        scene.motions[method] = assemblies.open_vote(made, by=marta)
    first = assembly.attendance.select_related("resident").order_by("pk").first()
    assemblies.cast_roll_call_vote(scene.motions["open_roll"], first.resident, "yes", by=marta)
    assemblies.cast_ballot(scene.motions["secret_phone"], first.voting_code, "no")
    return assembly


def _budget(scene: Populated, words: Words) -> None:
    marta = User.objects.get(username="marta")
    process = budgets.open_process(scene.body, by=marta, title=words.up_to(200), amount="1000")
    for _ in range(min(len(words.words), 30)):
        budgets.propose_project(
            process, title=words.up_to(200), cost="100", description=words.up_to(400), by=marta
        )
    budgets.advance_phase(process, by=marta)
    for project in process.projects.all():
        budgets.review_project(project, feasible=True, note=words.up_to(300), by=marta)
    budgets.advance_phase(process, by=marta)
    for i, code in enumerate(VotingCode.objects.filter(process=process).order_by("pk")[:6]):
        marks = [("P1", 1), ("P2", 1)] if i < 4 else [("P3", 1)]
        scene.budget_receipt = budgets.cast_budget_ballot(process, code.code, marks)
    budgets.advance_phase(process, by=marta)
    budget_scene.fund_budget(scene.body, "1000")
    process = budgets.advance_phase(process, by=marta)
    funded = process.projects.filter(funded=True).order_by("code").first()
    spending.record_spending(
        funded,
        amount="40",
        spent_on_day=timezone.localdate(),
        description=words.up_to(300),
        evidence=words.up_to(200),
        by=marta,
        progress=20,
    )
    scene.process, scene.funded = process, funded
    treasury.record_income(
        scene.body, into="1100", source="4100", amount="12.50", day=timezone.localdate(),
        description=words.up_to(300), evidence=words.up_to(200), by=marta,
    )  # fmt: skip


def populated_council(words: Sequence[str] = PLAIN, *, slug: str = "las-flores") -> Populated:
    """Luis founded it, Marta is its spokesperson, Ana its electoral commission, Tomás is an
    outsider; ``len(words)`` members (12 or more, so the budget vote has voters)."""
    text = Words(words)
    luis, marta = builders.make_user("luis"), builders.make_user("marta")
    builders.make_user("tomas")
    body = bodies.found_council(
        name=text.up_to(200),
        territory=text.up_to(300),
        founded_on=dt.date(2024, 1, 15),
        promoters=[luis],
        slug=slug,
    )
    Role.objects.create(user=marta, body=body, kind=Role.Kind.SPOKESPERSON)
    Role.objects.create(
        user=builders.make_user("ana"), body=body, kind=Role.Kind.ELECTORAL_COMMISSION
    )
    _members(body, text)
    scene = Populated(body=body, convened=None, session=None, closed=None)  # type: ignore[arg-type]
    scene.closed = _closed_assembly(scene, text)
    scene.session = _session(scene, text)
    scene.convened = _convene(body, text, 2)
    for attendance in scene.session.attendance.order_by("pk")[:2]:
        assemblies.record_attendance(scene.convened, attendance.resident, by=marta)
    _budget(scene, text)
    populated_offices(scene, text)
    populated_federation(scene, text)
    return scene
