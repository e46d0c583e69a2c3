"""Participatory budgeting: the Method of Equal Shares (MES) with Add1 completion, and greedy.

MES (Peters, Pierczyński and Skowron, NeurIPS 2021) gives every voter an equal share of the
budget; a project is bought when its supporters can pay for it, each paying the same price per
unit of satisfaction (or all they have left), cheapest price per satisfaction first. Add1 then
raises the share by a fixed step and reruns MES while the outcome still fits the budget.
Greedy, the rule most cities use, funds projects by votes while they fit.

Every option that changes an outcome is an explicit field of ``MesOptions`` / ``GreedyOptions``
and is returned in the result, with the audit trail: rounds and prices, why each project was
or was not funded, how each voter's share was spent, and the greedy outcome for comparison.
All money is exact: costs ``Decimal``; shares and prices ``Fraction``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np

from comuna.core.bulk import Deferred, paused_gc
from comuna.core.equal_shares import Profile, Run, build_profile, money_left, replay, run_mes
from comuna.core.errors import InputError, RuleError, TieError
from comuna.core.mes_certified import Partition, Path, certify, settle


@dataclass(frozen=True, slots=True)
class Project:
    project_id: str
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Ballot:
    voter_id: str
    weights: tuple[tuple[str, int], ...]
    """(project id, weight): weight 1 for an approval, the points for a cumulative ballot."""


@dataclass(frozen=True, slots=True)
class Election:
    budget: Decimal
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]


TIE_CRITERIA = ("max_votes", "min_cost", "max_cost")


@dataclass(frozen=True, slots=True)
class MesOptions:
    satisfaction: str = "cost"
    """``cost``: a voter's satisfaction is the cost of the approved projects bought (pabulib's
    Cost_Sat, what cities use); ``count``: the number (or points) of them."""
    completion: str = "add1"
    """``add1``: raise the per-voter share step by step while the outcome fits; ``none``."""
    add1_start: str = "floor"
    """``floor``: start at floor(budget / voters) whole units (official results); ``exact``:
    start at budget / voters (pabutools)."""
    add1_step: Fraction = Fraction(1)
    """Increase of each voter's share per step, in currency units."""
    add1_stop: str = "over_budget"
    """``over_budget``: keep the last outcome costing at most the budget (official results);
    ``exhaustive``: also stop as soon as no further project fits the money left."""
    tie_break: tuple[str, ...] | None = None
    """Project ids, most preferred first; None refuses any tie with ``TieError``."""


@dataclass(frozen=True, slots=True)
class GreedyOptions:
    skip: bool = True
    """True: pass over a project that does not fit and try the next; False: stop there."""
    min_votes: int = 1
    """Projects with fewer votes (points) than this are not eligible (greedy-threshold); by
    default a project nobody voted for is never funded."""
    tie_break: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    project_id: str
    cost: Decimal
    votes: int
    """Points for cumulative ballots; supporters otherwise."""
    funded: bool
    reason: str
    """MES: ``bought`` | ``unaffordable`` | ``no_supporters``; greedy: ``selected`` |
    ``over_budget`` | ``below_threshold`` | ``stopped``."""
    round: int | None = None
    price: Fraction | None = None
    """MES: money per unit of weight each full-paying supporter paid (per voter, approval)."""
    supporters_money: Fraction | None = None
    """MES, not funded: what its supporters had left, less than the cost."""


@dataclass(frozen=True, slots=True)
class MesRound:
    number: int
    project_id: str
    price: Fraction
    key: Fraction
    """Price per unit of satisfaction: the quantity MES minimises each round."""
    tied_with: tuple[str, ...] = ()
    """Projects with the same key, passed over by the tie-break."""


@dataclass(frozen=True, slots=True)
class VoterAccount:
    voter_ids: tuple[str, ...]
    """Voters with identical ballots, who spend identically, share one account line."""
    endowment: Fraction
    payments: tuple[tuple[str, Fraction], ...]
    left: Fraction


@dataclass(frozen=True, slots=True)
class Add1Step:
    endowment: Fraction
    up_to: Fraction | None
    """Every share from ``endowment`` to ``up_to`` (in steps) gives this same outcome."""
    selected: int
    cost: Decimal
    within_budget: bool


@dataclass(frozen=True, slots=True)
class GreedyResult:
    options: GreedyOptions
    budget: Decimal
    selected: tuple[str, ...]
    total_cost: Decimal
    projects: tuple[ProjectOutcome, ...]
    ties: tuple[tuple[str, ...], ...] = ()
    """Groups of equal votes whose order mattered, in the order the tie-break put them."""


@dataclass(frozen=True, slots=True)
class MesResult:
    options: MesOptions
    budget: Decimal
    endowment: Fraction
    """The per-voter share of the outcome returned (after Add1)."""
    selected: tuple[str, ...]
    """In the order bought."""
    total_cost: Decimal
    rounds: tuple[MesRound, ...]
    projects: tuple[ProjectOutcome, ...]
    voters: Sequence[VoterAccount]
    """One line per distinct ballot, in the order the ballots first appear; built when first
    read (a ``Deferred`` tuple: most callers of a city-wide vote never read 50,000 lines)."""
    add1_steps: tuple[Add1Step, ...]
    greedy: GreedyResult | None
    notes: tuple[str, ...] = field(default=())


def tie_break_order(election: Election, criteria: Sequence[str]) -> tuple[str, ...]:
    """Project ids ordered by ``criteria`` (``TIE_CRITERIA``), then by their order in the file."""
    unknown = [c for c in criteria if c not in TIE_CRITERIA]
    if unknown:
        raise InputError("pb.tie_criteria", "Unknown tie-break {criteria}.", criteria=unknown)
    votes = _votes(election)
    keys: dict[str, Callable[[Project], Decimal | int]] = {
        "max_votes": lambda p: -votes[p.project_id],
        "min_cost": lambda p: p.cost,
        "max_cost": lambda p: -p.cost,
    }
    ordered = sorted(election.projects, key=lambda p: tuple(keys[c](p) for c in criteria))
    return tuple(p.project_id for p in ordered)


def _votes(election: Election) -> dict[str, int]:
    votes = {p.project_id: 0 for p in election.projects}
    # Ballots often share one tuple (pabulib files): count the tuples, add each once.
    first = {id(ballot.weights): ballot for ballot in reversed(election.ballots)}
    for key, count in Counter(map(id, [b.weights for b in election.ballots])).items():
        for project_id, weight in first[key].weights:  # first seen first: names the first
            if project_id not in votes:
                raise InputError(
                    "pb.unknown_project",
                    "Voter {voter} names unknown project {project}.",
                    voter=first[key].voter_id,
                    project=project_id,
                )
            votes[project_id] += weight * count
    return votes


def _ranks(election: Election, tie_break: tuple[str, ...] | None) -> list[int] | None:
    if tie_break is None:
        return None
    position = {pid: i for i, pid in enumerate(tie_break)}
    missing = [p.project_id for p in election.projects if p.project_id not in position]
    if missing:
        raise InputError(
            "pb.tie_break_incomplete",
            "The tie-break order lacks {projects}.",
            projects=", ".join(missing),
        )
    return [position[p.project_id] for p in election.projects]


def _check(election: Election, options: MesOptions) -> None:
    if not election.ballots:
        raise RuleError("pb.no_voters", "MES needs at least one voter.")
    choices = {
        "satisfaction": ("cost", "count"),
        "completion": ("add1", "none"),
        "add1_start": ("floor", "exact"),
        "add1_stop": ("over_budget", "exhaustive"),
    }
    for name, allowed in choices.items():
        if getattr(options, name) not in allowed:
            raise InputError(
                "pb.option",
                "Option {name} must be one of {allowed}.",
                name=name,
                allowed=", ".join(allowed),
            )
    if options.add1_step <= 0:
        raise InputError("pb.option", "The Add1 step must be positive.", name="add1_step")


def _profile(election: Election, options: MesOptions) -> tuple[Profile, tuple[int, ...]]:
    index = {p.project_id: i for i, p in enumerate(election.projects)}
    seen: dict[tuple[tuple[str, int], ...], int] = {}  # ballots as given: mostly repeats
    groups: dict[tuple[tuple[int, int], ...], int] = {}  # the same, canonical
    # Ballots often share one tuple object (pabulib files do): each object is read once, in
    # the order objects first appear (so groups are numbered by first appearance). Every
    # ballot lives as long as ``election``, so an id names one tuple throughout.
    given = [ballot.weights for ballot in election.ballots]
    objects = np.fromiter(map(id, given), dtype=np.uint64, count=len(given))
    _, first, inverse = np.unique(objects, return_index=True, return_inverse=True)
    of_object = np.empty(len(first), dtype=np.int64)
    for u in np.argsort(first).tolist():
        weights = given[first[u]]
        if (g := seen.get(weights)) is None:
            try:
                pairs = [(index[pid], w) for pid, w in weights if w > 0]
            except KeyError:
                _votes(election)  # names the voter and the unknown project
                raise
            pairs.sort()
            g = seen[weights] = groups.setdefault(tuple(pairs), len(groups))
        of_object[u] = g
    group_of = of_object[inverse.reshape(-1)].tolist()
    profile = build_profile(
        [Fraction(p.cost) for p in election.projects],
        [p.project_id for p in election.projects],
        list(groups),
        group_of,
        cost_satisfaction=options.satisfaction == "cost",
        rank=_ranks(election, options.tie_break),
    )
    return profile, tuple(group_of)


def _cost(election: Election, sequence: Sequence[int]) -> Decimal:
    return sum((election.projects[p].cost for p in sequence), Decimal(0))


def _exhaustive(election: Election, sequence: Sequence[int]) -> bool:
    bought = set(sequence)
    left = election.budget - _cost(election, sequence)
    return all(i in bought or p.cost > left for i, p in enumerate(election.projects))


@dataclass(frozen=True, slots=True)
class _Outcome:
    """The purchases at every share from ``first`` to ``last``, with the exact run if one
    was computed (where floats could not decide)."""

    first: Fraction
    last: Fraction
    path: Path
    run: Run | None

    @property
    def sequence(self) -> tuple[int, ...]:
        return tuple(p for p, _ in self.path)


def _outcomes(
    profile: Profile,
    share: Callable[[int], Fraction],
    steps: tuple[int, int],
    leap: bool,
    root: Partition,
) -> Iterator[_Outcome]:
    """The outcomes at steps first..last in order, settled by certified float runs where
    they can (``settle``) and by exact runs where they cannot, or everywhere without
    ``leap``. ``root`` keeps the partitions of voters the float runs met (``Partition``)."""
    first, last = steps

    def bounds(i: int, j: int) -> tuple[float, float]:
        return math.nextafter(float(share(i)), -math.inf), math.nextafter(float(share(j)), math.inf)

    leaves = (
        settle(profile, bounds, first, last, root)
        if leap
        else ((i, i, None) for i in range(first, last + 1))
    )
    for i, j, path in leaves:
        if path is None and leap:
            path = certify(profile, *bounds(i, i), root)  # afresh: bounds not widened by a split
        if path is not None:
            yield _Outcome(share(i), share(j), path, None)
            continue
        run = run_mes(profile, share(i))
        yield _Outcome(share(i), share(i), tuple((p.project, p.tied) for p in run.purchases), run)


def _final(profile: Profile, outcome: _Outcome, endowment: Fraction) -> Run:
    if outcome.run is not None and outcome.run.endowment == endowment:
        return outcome.run
    return replay(profile, endowment, outcome.path)


def _add1(
    election: Election, profile: Profile, options: MesOptions, *, leap: bool = True
) -> tuple[Run, tuple[Add1Step, ...]]:
    """Raise the share step by step while the outcome fits (``options`` say where to start
    and stop). With ``leap``, spans of steps are settled together by certified float runs
    (``settle``) and runs exactly only where floats cannot decide; without it, every step
    is an exact run. The result is the same either way (tests check both): a span is
    skipped only when every step in it is proven to give the same purchases."""
    share = Fraction(election.budget) / len(election.ballots)
    start = Fraction(math.floor(share)) if options.add1_start == "floor" else share
    supported = sum(1 for s in profile.supporters if len(s))
    steps: list[Add1Step] = []
    kept: _Outcome | None = None
    done, span = 0, 1
    root = Partition()
    while True:
        for outcome in _outcomes(
            profile, lambda i: start + i * options.add1_step, (done, done + span - 1), leap, root
        ):
            size, cost = len(outcome.path), _cost(election, outcome.sequence)
            if kept is not None and cost > election.budget:
                steps.append(Add1Step(outcome.first, None, size, cost, False))
                return _final(profile, kept, kept.last), tuple(steps)
            steps.append(Add1Step(outcome.first, outcome.last, size, cost, True))
            if (
                options.completion == "none"
                or size == supported
                or (options.add1_stop == "exhaustive" and _exhaustive(election, outcome.sequence))
            ):
                return _final(profile, outcome, outcome.first), tuple(steps)
            kept = outcome
        done, span = done + span, min(2 * span, 32)


def _accounts(
    profile: Profile, run: Run, group_of: tuple[int, ...], election: Election
) -> tuple[VoterAccount, ...]:
    paths: dict[int, tuple[tuple[str, Fraction], ...]] = {0: ()}

    def path(k: int) -> tuple[tuple[str, Fraction], ...]:
        if k not in paths:
            project, amount = run.class_payment[k]
            paths[k] = (*path(run.class_parent[k]), (profile.project_ids[project], amount))
        return paths[k]

    with paused_gc():
        members: list[list[str]] = [[] for _ in profile.group_sizes]
        for ballot, g in zip(election.ballots, group_of, strict=True):
            members[g].append(ballot.voter_id)
        classes = run.group_class.tolist()
        left = {k: run.budget(k) for k in set(classes)}
        return tuple(
            VoterAccount(tuple(ids), run.endowment, path(k), left[k])
            for ids, k in zip(members, classes, strict=True)
        )


def _mes_projects(election: Election, profile: Profile, run: Run) -> tuple[ProjectOutcome, ...]:
    bought = {p.project: (n, p.price) for n, p in enumerate(run.purchases, start=1)}
    outcomes = []
    for i, p in enumerate(election.projects):
        votes = int(np.dot(profile.multiplicity[i], profile.weights[i]))
        common = (p.project_id, p.cost, votes)
        if i in bought:
            outcomes.append(ProjectOutcome(*common, True, "bought", *bought[i]))
        else:
            money = money_left(profile, run, i)
            reason = "unaffordable" if len(profile.supporters[i]) else "no_supporters"
            outcomes.append(ProjectOutcome(*common, False, reason, supporters_money=money))
    return tuple(outcomes)


def equal_shares(election: Election, options: MesOptions | None = None) -> MesResult:
    """The Method of Equal Shares, completed as ``options`` say; exact and audited."""
    options = options or MesOptions()
    _check(election, options)
    with paused_gc():
        profile, group_of = _profile(election, options)
    run, steps = _add1(election, profile, options)
    ids = profile.project_ids
    rounds = tuple(
        MesRound(n, ids[p.project], p.price, p.key, tuple(ids[t] for t in p.tied))
        for n, p in enumerate(run.purchases, start=1)
    )
    notes: list[str] = []
    votes = {
        pid: int(np.dot(n, w))
        for pid, n, w in zip(ids, profile.multiplicity, profile.weights, strict=True)
    }
    try:
        compared: GreedyResult | None = _greedy(
            election, GreedyOptions(tie_break=options.tie_break), votes
        )
    except TieError as error:
        compared = None
        notes.append(f"greedy comparison not computed: {error}")
    return MesResult(
        options,
        election.budget,
        run.endowment,
        tuple(ids[p.project] for p in run.purchases),
        _cost(election, [p.project for p in run.purchases]),
        rounds,
        _mes_projects(election, profile, run),
        Deferred(lambda: _accounts(profile, run, group_of, election)),
        steps,
        compared,
        tuple(notes),
    )


def _greedy_order(
    election: Election, votes: dict[str, int], options: GreedyOptions
) -> list[list[Project]]:
    """Eligible projects in groups of equal votes, best first, each group in tie-break order."""
    ranks = _ranks(election, options.tie_break)
    rank = {p.project_id: (ranks[i] if ranks else 0) for i, p in enumerate(election.projects)}
    eligible = [p for p in election.projects if votes[p.project_id] >= options.min_votes]
    eligible.sort(key=lambda p: (-votes[p.project_id], rank[p.project_id]))
    groups: list[list[Project]] = []
    for p in eligible:
        if groups and votes[groups[-1][0].project_id] == votes[p.project_id]:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _order_matters(group: list[Project], left: Decimal, skip: bool) -> bool:
    if sum((p.cost for p in group), Decimal(0)) <= left:
        return False
    fitting = [p for p in group if p.cost <= left]
    return bool(fitting) and (len(fitting) > 1 or not skip)


def greedy(election: Election, options: GreedyOptions | None = None) -> GreedyResult:
    """Fund projects by votes (points), most first, while they fit the budget."""
    return _greedy(election, options or GreedyOptions(), _votes(election))


def _greedy(election: Election, options: GreedyOptions, votes: dict[str, int]) -> GreedyResult:
    left = election.budget
    reasons: dict[str, str] = {}
    selected: list[str] = []
    ties: list[tuple[str, ...]] = []
    stopped = False
    for group in _greedy_order(election, votes, options):
        if not stopped and len(group) > 1 and _order_matters(group, left, options.skip):
            if options.tie_break is None:
                raise TieError(
                    "pb.tie",
                    "Projects {candidates} tie in greedy; give a tie-break.",
                    candidates=", ".join(p.project_id for p in group),
                )
            ties.append(tuple(p.project_id for p in group))
        for p in group:
            if stopped:
                reasons[p.project_id] = "stopped"
            elif p.cost <= left:
                left -= p.cost
                selected.append(p.project_id)
                reasons[p.project_id] = "selected"
            else:
                reasons[p.project_id] = "over_budget"
                stopped = not options.skip
    projects = tuple(
        ProjectOutcome(
            p.project_id,
            p.cost,
            votes[p.project_id],
            p.project_id in selected,
            reasons.get(p.project_id, "below_threshold"),
        )
        for p in election.projects
    )
    return GreedyResult(
        options, election.budget, tuple(selected), election.budget - left, projects, tuple(ties)
    )
