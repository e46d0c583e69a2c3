"""The demo community: a communal council with a census and a year of assemblies.

``build_demo()`` founds "Consejo Comunal Brisas del Turbio" (Barquisimeto, Lara) and plays a
year of its life through the real services, backdated with their ``now=`` parameter: the
census import, twelve monthly assemblies (``comuna.demo_script``) with attendance, votes of
every kind, debate notes, committees created by decision and one ruleset amendment, then an
assembly convened for today — most of the neighbours already signed in, the visitor records
the last ones, opens it and votes — and one for next week. Every person is invented. The
accounts (``ACCOUNTS``, password ``DEMO_PASSWORD``) are described in ``docs/demo.md``.

Deterministic: one ``random.Random(seed)`` draws everything the demo chooses. The services'
own secrets (voting codes, ballot receipts) stay random, as they must; so do record hashes.
The whole build is one transaction: it happens completely or not at all.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna import demo_budget, demo_census, demo_commune, demo_offices, demo_script
from comuna.assemblies import services as assemblies
from comuna.assemblies.models import AgendaItem, Assembly, Attendance, Decision, Motion
from comuna.bodies import services as bodies
from comuna.bodies.models import Body, Committee
from comuna.budgets.models import Project
from comuna.core.errors import RuleError
from comuna.core.tally import VoteCounts
from comuna.offices.models import Post
from comuna.people import services as people
from comuna.people.models import Household, Resident

DEMO_SLUG = "brisas-del-turbio"
DEMO_NAME = "Consejo Comunal Brisas del Turbio"
DEMO_TERRITORY = (
    "Sector Brisas del Turbio (Brisas I, Brisas II, La Ceiba y El Manantial), parroquia Juan de "
    "Villegas, municipio Iribarren, Barquisimeto, estado Lara. Limita al norte con la calle 1, "
    "al sur con la orilla del río Turbio, al este con la carrera 7 y al oeste con la quebrada "
    "El Manantial."
)
DEMO_SEED = 1810
DEMO_PASSWORD, ACCOUNTS = demo_script.DEMO_PASSWORD, demo_script.ACCOUNTS
HOUSEHOLDS, RESIDENTS = 180, 500
NEWCOMER_FAMILIES = 2
TODAY_MISSING = 3  # today's assembly lacks this many for its quorum: the visitor adds them
VOTING_SHARE = 0.95  # a few attendees always step out before a vote
# Below this census the demo keeps to the census and the assemblies: the offices' elections,
# the budget's vote, the lottery's quotas and the commune's delegates need enough people.
DOMAINS_MIN_RESIDENTS = 200


# Something done inside an assembly in session: (assembly, attendees, clock) -> clock after.
Hook = Callable[[Assembly, list[Attendance], dt.datetime], dt.datetime]


@dataclass
class DemoReport:
    body: Body
    households: int = 0
    residents: int = 0
    electorate: int = 0
    assemblies: int = 0
    decisions: int = 0
    committees: int = 0
    posts: int = 0
    projects: int = 0
    commune: str = ""
    accounts: dict[str, bool] = field(default_factory=dict)
    """username -> whether this run created it (an existing account keeps its password)."""


def demo_exists() -> bool:
    return Body.objects.filter(slug=DEMO_SLUG).exists()


def build_demo(
    *,
    seed: int = DEMO_SEED,
    households: int = HOUSEHOLDS,
    residents: int = RESIDENTS,
    now: dt.datetime | None = None,
) -> DemoReport:
    """Build the demo council; refuses (``demo.exists``) when it is already there."""
    with transaction.atomic():
        if demo_exists():
            raise RuleError(
                "demo.exists", "The demo council {slug} already exists.", slug=DEMO_SLUG
            )
        builder = DemoBuilder(random.Random(seed), now or timezone.now())
        return builder.build(households, residents)


def last_saturday(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    last = first_of_next - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - 5) % 7)


def meeting_days(today: dt.date, months: int) -> list[dt.date]:
    """The last Saturday of each of the ``months`` months before this one, oldest first."""
    days = []
    for back in range(months, 0, -1):
        index = today.year * 12 + today.month - 1 - back
        days.append(last_saturday(index // 12, index % 12 + 1))
    return days


def headcount(turnout: int, call: int, electorate: int, first: int, second: int) -> int:
    """People present: ``turnout`` percent, kept inside what opening on ``call`` requires."""
    target = round(electorate * turnout / 100)
    if call == 1:
        return min(electorate, max(target, first))
    if call == 2:
        return max(second, min(target, first - 1))
    return max(0, min(target, second - 1))


class DemoBuilder:
    """Plays the demo year in order; holds the state one run shares (rng, clock, accounts)."""

    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        self.tz = timezone.get_default_timezone()
        self.engagement: dict[int, float] = {}
        self.users: dict[str, User] = {}
        self.created: dict[str, bool] = {}
        # (when, census row, moved in) for people registered during the year, in time order.
        self.arrivals: list[tuple[dt.datetime, dict[str, str], bool]] = []
        # The other domains' acts (offices, budget, lottery, commune), played between the
        # assemblies in time order; ``during`` runs inside the assembly of that index.
        self.events: list[tuple[dt.datetime, Callable[[dt.datetime], object]]] = []
        self.during: dict[int, list[Hook]] = {}
        self.body: Body | None = None

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def build(self, households: int, residents: int) -> DemoReport:
        today = timezone.localtime(self.now, self.tz).date()
        days = meeting_days(today, len(demo_script.PAST_YEAR))
        founded = self.at(days[0] - dt.timedelta(days=45), 10)
        self.make_accounts()
        body = bodies.found_council(
            name=DEMO_NAME,
            territory=DEMO_TERRITORY,
            founded_on=founded.date(),
            promoters=[self.users["promotor"]],
            slug=DEMO_SLUG,
            now=founded,
        )
        for username in ("vocera", "electoral"):
            bodies.grant_role(
                body,
                self.users[username],
                ACCOUNTS[username][0],
                self.users["promotor"],
                now=founded + dt.timedelta(days=3),
            )
        census_at = founded + dt.timedelta(days=12)
        rows = demo_census.census_rows(self.rng, households, residents, today, founded.date())
        rows = self.set_aside_arrivals(rows, self.newcomers_arrival(days), census_at.date(), days)
        people.import_census(body, demo_census.as_csv(rows), now=census_at)
        self.name_accounts(body, today)
        self.body = body
        if residents >= DOMAINS_MIN_RESIDENTS:
            self.plan_domains(days)
        for index, (day, meeting) in enumerate(zip(days, demo_script.PAST_YEAR, strict=True)):
            self.run_events(body, until=self.at(day, meeting.hour) - dt.timedelta(days=10))
            self.register_arrivals(body, until=self.at(day, 0) - dt.timedelta(days=10))
            self.hold_meeting(body, day, meeting, index)
        self.run_events(body, until=self.now)
        self.register_arrivals(body, until=self.now)
        self.convene_today(body)
        self.convene_next_week(body)
        return self.report(body, today)

    def newcomers_arrival(self, days: list[dt.date]) -> dt.datetime:
        index = next(i for i, m in enumerate(demo_script.PAST_YEAR) if m.newcomers)
        return self.at(days[index] - dt.timedelta(days=20), 17)

    # The other domains ---------------------------------------------------------------------

    def plan_domains(self, days: list[dt.date]) -> None:
        """Ask each domain for its acts; they run in time order, between the assemblies."""
        parts = (
            demo_offices.DemoOffices(self, days),
            demo_budget.DemoBudget(self, days),
            demo_budget.DemoLottery(self, days),
            demo_commune.DemoCommune(self, days),
        )
        for part in parts:
            self.events += part.events()
            for index, hook in part.during().items():
                self.during.setdefault(index, []).append(hook)
        self.events.sort(key=lambda event: event[0])

    def run_events(self, body: Body, *, until: dt.datetime) -> None:
        """Play the planned acts before ``until``; the census catches up first, so the
        council's record stays in time order."""
        while self.events and self.events[0][0] < until:
            when, act = self.events.pop(0)
            self.register_arrivals(body, until=when)
            act(when)

    # Accounts -------------------------------------------------------------------------------

    def make_accounts(self) -> None:
        for username, (role, _purpose) in ACCOUNTS.items():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role is None
                user.save()
            self.users[username], self.created[username] = user, created

    def name_accounts(self, body: Body, today: dt.date) -> None:
        """Give the new accounts the names of neighbours in the census (who holds them)."""
        adults = list(Resident.objects.of_body(body).order_by("pk"))
        wanted = {"vocera": ("F", 35, 60), "promotor": ("M", 45, 70), "electoral": ("", 25, 60)}
        for username, (sex, low, high) in wanted.items():
            if not self.created[username]:
                continue
            fits = [r for r in adults if low <= r.age(today) <= high and sex in (r.sex, "")]
            person = self.rng.choice(fits or adults)
            user = self.users[username]
            user.first_name, user.last_name = person.first_names[:150], person.last_names[:150]
            user.save(update_fields=["first_name", "last_name"])

    # Census ---------------------------------------------------------------------------------

    def set_aside_arrivals(
        self,
        rows: list[dict[str, str]],
        arrival: dt.datetime,
        census_day: dt.date,
        days: list[dt.date],
    ) -> list[dict[str, str]]:
        """Keep out of the census import the families who move in later and the babies born
        after it: they are registered one by one during the year, when they arrive."""
        rows, newcomers = split_newcomers(rows, arrival.date())
        self.arrivals = [
            (arrival + dt.timedelta(minutes=5 * i), row, True) for i, row in enumerate(newcomers)
        ]
        born_later = [row for row in rows if dt.date.fromisoformat(row["birth_date"]) > census_day]
        for row in born_later:
            born = self.at(dt.date.fromisoformat(row["birth_date"]), 10)
            when = self.clear_of_meetings(born + dt.timedelta(days=self.rng.randint(7, 40)), days)
            when = min(when, self.now - dt.timedelta(hours=1))
            self.arrivals.append((when, row, False))
        self.arrivals.sort(key=lambda event: event[0])
        return [row for row in rows if row not in born_later]

    def clear_of_meetings(self, when: dt.datetime, days: list[dt.date]) -> dt.datetime:
        """Registrations wait while an assembly is convened, so the record stays in time order."""
        for day in days:
            midnight = self.at(day, 0)
            if midnight - dt.timedelta(days=10) <= when < midnight + dt.timedelta(days=1):
                return self.at(day, 10) + dt.timedelta(days=1)
        return when

    def register_arrivals(self, body: Body, *, until: dt.datetime) -> None:
        while self.arrivals and self.arrivals[0][0] < until:
            when, row, moved_in = self.arrivals.pop(0)
            household = Household.objects.filter(body=body, code=row["household_code"]).first()
            if household is None:
                household = people.add_household(
                    body, code=row["household_code"], address=row["address"], sector=row["sector"]
                )
            born = dt.date.fromisoformat(row["birth_date"])
            people.register_resident(
                household,
                now=when,
                first_names=row["first_names"],
                last_names=row["last_names"],
                id_number=row["id_number"],
                birth_date=born,
                sex=row["sex"],
                resident_since=max(when.date(), born) if moved_in else born,
                phone=row["phone"],
            )

    # Assemblies -----------------------------------------------------------------------------

    def hold_meeting(
        self, body: Body, day: dt.date, meeting: demo_script.Meeting, index: int = -1
    ) -> Assembly:
        first_call = self.at(day, meeting.hour)
        convener = self.users["promotor" if not body.assemblies.exists() else "vocera"]
        assembly = assemblies.convene_assembly(
            body,
            by=convener,
            place=meeting.place,
            first_call_at=first_call,
            second_call_at=first_call + dt.timedelta(hours=1),
            agenda=[item.title for item in meeting.items],
            notice=notice(first_call),
            now=first_call - dt.timedelta(days=10),
        )
        present = self.take_attendance(assembly, meeting)
        if meeting.call == 0:
            return assemblies.declare_no_quorum(
                assembly, by=convener, now=assembly.second_call_at + dt.timedelta(minutes=20)
            )
        call_at = first_call if meeting.call == 1 else assembly.second_call_at
        clock = call_at + dt.timedelta(minutes=5)
        assemblies.open_assembly(assembly, call=meeting.call, by=convener, now=clock)
        items = list(assembly.agenda.order_by("position"))
        for item, script in zip(items, meeting.items, strict=True):
            for vote in script.votes:
                self.vote(assembly, item, vote, present, clock)
                clock += dt.timedelta(minutes=15)
            if script.notes:
                assemblies.record_debate_notes(item, script.notes, by=convener)
            clock += dt.timedelta(minutes=20)
        for hook in self.during.get(index, []):
            clock = hook(assembly, present, clock)
        return assemblies.close_assembly(assembly, by=convener, summary=meeting.summary, now=clock)

    def take_attendance(self, assembly: Assembly, meeting: demo_script.Meeting) -> list[Attendance]:
        members = list(
            Resident.objects.electorate(
                assembly.body,
                assembly.ruleset.param("member_min_age"),
                timezone.localtime(assembly.first_call_at, self.tz).date(),
            ).order_by("pk")
        )
        first = assemblies.quorum_of(assembly, 1, present=0).required
        second = assemblies.quorum_of(assembly, 2, present=0).required
        count = headcount(meeting.turnout, meeting.call, len(members), first, second)
        last = assembly.second_call_at if meeting.call != 1 else assembly.first_call_at
        span = int((last - assembly.first_call_at).total_seconds() // 60) + 25
        minutes = sorted(self.rng.randrange(span) for _ in range(count))
        start = assembly.first_call_at - dt.timedelta(minutes=20)
        return [
            assemblies.record_attendance(
                assembly, resident, by=self.users["vocera"], now=start + dt.timedelta(minutes=m)
            )
            for resident, m in zip(self.pick_attendees(members, count), minutes, strict=True)
        ]

    def pick_attendees(self, members: list[Resident], count: int) -> list[Resident]:
        """Weighted draw without replacement: a steady core comes every time, most rarely."""
        for resident in members:
            if resident.pk not in self.engagement:
                self.engagement[resident.pk] = 0.03 + self.rng.random() ** 2
        keys = {r.pk: self.rng.random() ** (1 / self.engagement[r.pk]) for r in members}
        return sorted(members, key=lambda r: keys[r.pk], reverse=True)[:count]

    def vote(
        self,
        assembly: Assembly,
        item: AgendaItem,
        vote: demo_script.Vote,
        present: list[Attendance],
        clock: dt.datetime,
    ) -> Decision:
        vocera = self.users["vocera"]
        motion = assemblies.add_motion(
            assembly,
            title=vote.title,
            text=vote.text,
            method=vote.method,
            kind=vote.kind,
            payload=vote.payload,
            agenda_item=item,
        )
        assemblies.open_vote(motion, by=vocera, now=clock)
        voters = self.rng.sample(present, k=round(len(present) * VOTING_SHARE))
        choices = self.choices(len(voters), vote)
        counts = None
        if vote.method == Motion.Method.OPEN_ROLL:
            for attendance, choice in zip(voters, choices, strict=True):
                assemblies.cast_roll_call_vote(motion, attendance.resident, choice, by=vocera)
        elif vote.method == Motion.Method.SECRET_PHONE:
            for attendance, choice in zip(voters, choices, strict=True):
                assemblies.cast_ballot(motion, attendance.voting_code, choice)
        else:
            counts = VoteCounts(choices.count("yes"), choices.count("no"), choices.count("abstain"))
        return assemblies.close_vote(
            motion, by=vocera, counts=counts, now=clock + dt.timedelta(minutes=10)
        )

    def choices(self, voters: int, vote: demo_script.Vote) -> list[str]:
        yes = round(voters * vote.yes / 100)
        no = min(voters - yes, round(voters * vote.no / 100))
        choices = ["yes"] * yes + ["no"] * no + ["abstain"] * (voters - yes - no)
        self.rng.shuffle(choices)
        return choices

    def convene_today(self, body: Body) -> Assembly:
        """Convened for now, most of the quorum signed in: the visitor finishes the journey."""
        first_call = self.now.replace(second=0, microsecond=0)
        vocera = self.users["vocera"]
        assembly = assemblies.convene_assembly(
            body,
            by=vocera,
            place=demo_script.CASA_COMUNAL,
            first_call_at=first_call,
            second_call_at=first_call + dt.timedelta(hours=1),
            agenda=[item.title for item in demo_script.TODAY],
            notice=demo_script.TODAY_NOTICE,
            now=self.now,
        )
        items = assembly.agenda.order_by("position")
        for item, script in zip(items, demo_script.TODAY, strict=True):
            for vote in script.votes:
                assemblies.add_motion(
                    assembly, title=vote.title, text=vote.text, method=vote.method, agenda_item=item
                )
        members = list(
            Resident.objects.electorate(
                body,
                assembly.ruleset.param("member_min_age"),
                timezone.localdate(self.now),
            ).order_by("pk")
        )
        count = max(0, assemblies.quorum_of(assembly, 1, present=0).required - TODAY_MISSING)
        for resident in self.pick_attendees(members, count):
            assemblies.record_attendance(assembly, resident, by=vocera, now=self.now)
        return assembly

    def convene_next_week(self, body: Body) -> Assembly:
        day = timezone.localtime(self.now, self.tz).date() + dt.timedelta(days=7)
        first_call = self.at(day, 16)
        return assemblies.convene_assembly(
            body,
            by=self.users["vocera"],
            place=demo_script.CANCHA,
            first_call_at=first_call,
            second_call_at=first_call + dt.timedelta(hours=1),
            agenda=[item.title for item in demo_script.NEXT_WEEK],
            notice=demo_script.NEXT_WEEK_NOTICE,
            kind=Assembly.Kind.EXTRAORDINARY,
            now=self.now,
        )

    def report(self, body: Body, today: dt.date) -> DemoReport:
        body.refresh_from_db()
        return DemoReport(
            body=body,
            households=Household.objects.filter(body=body).count(),
            residents=Resident.objects.of_body(body).count(),
            electorate=people.electorate_size(body, today),
            assemblies=Assembly.objects.filter(body=body).count(),
            decisions=Decision.objects.filter(body=body).count(),
            committees=Committee.objects.filter(body=body).count(),
            posts=Post.objects.filter(body=body).count(),
            projects=Project.objects.filter(process__body=body).count(),
            commune=body.parent.name if body.parent else "",
            accounts=dict(self.created),
        )


def notice(first_call: dt.datetime) -> str:
    local = timezone.localtime(first_call)
    second = local + dt.timedelta(hours=1)
    return (
        f"Asamblea de ciudadanos y ciudadanas. Primera convocatoria a las {local:%H:%M}; "
        f"segunda convocatoria a las {second:%H:%M}."
    )


def split_newcomers(
    rows: list[dict[str, str]], arrival: dt.date
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Set aside the last families whose members were all born before they arrive."""
    codes: list[str] = []
    for code in reversed(dict.fromkeys(row["household_code"] for row in rows)):
        family = [row for row in rows if row["household_code"] == code]
        if all(dt.date.fromisoformat(row["birth_date"]) < arrival for row in family):
            codes.append(code)
        if len(codes) == NEWCOMER_FAMILIES:
            break
    return (
        [row for row in rows if row["household_code"] not in codes],
        [row for row in rows if row["household_code"] in codes],
    )
