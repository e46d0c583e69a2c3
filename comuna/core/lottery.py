"""A fair lottery end to end: exact selection probabilities, then a reproducible draw.

``select`` checks the quotas, asks ``sortition_lp`` for the fairest portfolio (a distribution
over panel *shapes*: how many people of each type sit on the panel), and rounds the solver's
floating-point weights to exact rationals with one common denominator (ADR 0032). Within a
shape, the people of each type are chosen uniformly, so a person's probability is
``sum(weight * count_of_their_type) / size_of_their_type``, exact, and the probabilities add up
to the panel size exactly.

``draw_panel`` turns published inputs into a seed (``derive_seed``: SHA-256 of the pool digest
and the numbers announced in the assembly), picks one shape with that seed in exact integer
arithmetic, then the people of each type; anyone with the same inputs gets the same panel.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from fractions import Fraction

from comuna.core.errors import InputError, RuleError
from comuna.core.sortition import (
    VERSION,
    PersonType,
    Pool,
    check_panel_size,
    person_types,
    pool_digest,
)
from comuna.core.sortition_check import check_feasibility
from comuna.core.sortition_exact import exact_weights
from comuna.core.sortition_lp import FloatPortfolio, Progress, Quotas, fairest

DENOMINATOR = 10**9
"""Every panel weight is a whole number of billionths (ADR 0032)."""
_NEGLIGIBLE = 1e-12


@dataclass(frozen=True, slots=True)
class PanelShape:
    counts: tuple[int, ...]
    """People of each type (in ``LotteryResult.types`` order) on the panel."""
    weight: Fraction


@dataclass(frozen=True, slots=True)
class Stage:
    """One LEXIMIN stage: these types reached their final probability here."""

    number: int
    types: tuple[int, ...]
    people: int
    probability: Fraction
    """The lowest exact final probability among them."""
    panels: int


@dataclass(frozen=True, slots=True)
class LotteryResult:
    algorithm: str
    version: str
    panel_size: int
    pool_digest: str
    features: tuple[str, ...]
    types: tuple[PersonType, ...]
    portfolio: tuple[PanelShape, ...]
    denominator: int
    """Least common denominator of the weights: the draw's ticket is below it."""
    type_probabilities: tuple[Fraction, ...]
    stages: tuple[Stage, ...]
    notes: tuple[str, ...]

    @property
    def minimum(self) -> Fraction:
        return min(self.type_probabilities)

    def probabilities(self) -> tuple[tuple[str, Fraction], ...]:
        """(person id, probability) for everyone, sorted by id."""
        pairs = [
            (member, p)
            for kind, p in zip(self.types, self.type_probabilities, strict=True)
            for member in kind.members
        ]
        return tuple(sorted(pairs))


@dataclass(frozen=True, slots=True)
class Draw:
    algorithm: str
    version: str
    pool_digest: str
    announced: str
    seed: str
    ticket: int
    """Drawn in [0, denominator): picks the shape whose cumulative weight range holds it."""
    shape: int
    panel: tuple[str, ...]


def select(
    pool: Pool, panel_size: int, algorithm: str = "leximin", progress: Progress | None = None
) -> LotteryResult:
    """The fairest lottery over ``pool`` for a panel of ``panel_size`` under its quotas."""
    check_panel_size(pool, panel_size)
    feasibility = check_feasibility(pool, panel_size)
    if not feasibility.feasible:
        raise RuleError(
            "sortition.infeasible_quotas",
            "No panel meets the quotas: {conflicts}.",
            conflicts="; ".join(r.describe() for r in feasibility.relaxations),
            relaxations=feasibility.relaxations,
        )
    types = person_types(pool)
    floating = fairest(solver_quotas(pool, types, panel_size), algorithm, progress)
    exact = exact_portfolio(floating, types)
    portfolio = exact if exact is not None else round_portfolio(floating)
    probabilities = type_probabilities(portfolio, types)
    return LotteryResult(
        algorithm=algorithm,
        version=VERSION,
        panel_size=panel_size,
        pool_digest=pool_digest(pool, panel_size),
        features=pool.features,
        types=types,
        portfolio=portfolio,
        denominator=math.lcm(*(shape.weight.denominator for shape in portfolio)),
        type_probabilities=probabilities,
        stages=_stages(floating, types, probabilities),
        notes=_notes(floating, types, exact is not None),
    )


def replay(
    pool: Pool,
    panel_size: int,
    algorithm: str,
    shapes: tuple[tuple[dict[tuple[str, ...], int], Fraction], ...],
) -> LotteryResult:
    """Rebuild a published lottery from its portfolio (no solver), to re-run its draw.

    ``shapes``: per shape, people on the panel by type (the type's feature values) and the
    exact weight. Every shape must meet the quotas and the weights must add up to 1.
    """
    check_panel_size(pool, panel_size)
    types = person_types(pool)
    index = {kind.values: t for t, kind in enumerate(types)}
    portfolio = []
    for by_values, weight in shapes:
        if any(values not in index for values in by_values) or weight < 0:
            raise InputError("lottery.bad_portfolio", "A shape names a type not in the pool.")
        counts = [0] * len(types)
        for values, count in by_values.items():
            counts[index[values]] = count
        portfolio.append(PanelShape(tuple(counts), weight))
    quotas = solver_quotas(pool, types, panel_size)
    if sum(s.weight for s in portfolio) != 1 or not all(
        _meets(quotas, s.counts) for s in portfolio
    ):
        raise InputError(
            "lottery.bad_portfolio", "The portfolio breaks a quota or its weights do not add to 1."
        )
    probabilities = type_probabilities(tuple(portfolio), types)
    return LotteryResult(
        algorithm=algorithm,
        version=VERSION,
        panel_size=panel_size,
        pool_digest=pool_digest(pool, panel_size),
        features=pool.features,
        types=types,
        portfolio=tuple(portfolio),
        denominator=math.lcm(*(shape.weight.denominator for shape in portfolio)),
        type_probabilities=probabilities,
        stages=(),
        notes=("replayed from a published portfolio",),
    )


def _meets(quotas: Quotas, counts: tuple[int, ...]) -> bool:
    if sum(counts) != quotas.panel_size:
        return False
    if any(not 0 <= c <= size for c, size in zip(counts, quotas.sizes, strict=True)):
        return False
    return all(low <= sum(counts[t] for t in members) <= high for members, low, high in quotas.rows)


def solver_quotas(pool: Pool, types: tuple[PersonType, ...], panel_size: int) -> Quotas:
    column = {feature: i for i, feature in enumerate(pool.features)}
    rows = tuple(
        (
            tuple(t for t, kind in enumerate(types) if kind.values[column[q.feature]] == q.value),
            q.min,
            q.max,
        )
        for q in pool.quotas
    )
    return Quotas(tuple(kind.size for kind in types), rows, panel_size)


def exact_portfolio(
    floating: FloatPortfolio, types: tuple[PersonType, ...]
) -> tuple[PanelShape, ...] | None:
    """The final vertex re-solved exactly (ADR 0032), or None to fall back to rounding."""
    if floating.vertex is None:
        return None
    weights = exact_weights(floating.vertex, tuple(kind.size for kind in types))
    if weights is None:
        return None
    return tuple(
        PanelShape(floating.compositions[c], weights[c])
        for c in sorted(weights, key=lambda c: floating.compositions[c])
    )


def round_portfolio(floating: FloatPortfolio) -> tuple[PanelShape, ...]:
    """Exact weights: largest remainder to whole billionths, summing to exactly 1 (ADR 0032)."""
    kept = [
        (composition, max(weight, 0.0))
        for composition, weight in zip(floating.compositions, floating.weights, strict=True)
        if weight > _NEGLIGIBLE
    ]
    kept.sort()
    total = sum(weight for _, weight in kept)
    scaled = [weight / total * DENOMINATOR for _, weight in kept]
    units = [int(s) for s in scaled]
    # Ties in the remainder go to the earlier shape (shapes are sorted), so rounding is stable.
    order = sorted(range(len(kept)), key=lambda i: (-(scaled[i] - units[i]), i))
    for i in order[: DENOMINATOR - sum(units)]:
        units[i] += 1
    return tuple(
        PanelShape(composition, Fraction(unit, DENOMINATOR))
        for (composition, _), unit in zip(kept, units, strict=True)
        if unit
    )


def type_probabilities(
    portfolio: tuple[PanelShape, ...], types: tuple[PersonType, ...]
) -> tuple[Fraction, ...]:
    return tuple(
        sum((shape.weight * shape.counts[t] for shape in portfolio), Fraction(0)) / kind.size
        for t, kind in enumerate(types)
    )


def derive_seed(digest: str, announced: str) -> str:
    """SHA-256 (hex) of ``comuna-lottery-seed/1``, the pool digest and the announced numbers.

    ``announced`` is used verbatim after stripping surrounding spaces, e.g. the numbers of a
    public dice roll read out in the assembly, ``"4 1 6 2 2 5"``.
    """
    text = f"comuna-lottery-seed/1\n{digest}\n{announced.strip()}\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw_panel(result: LotteryResult, announced: str) -> Draw:
    """Draw one panel: a shape by its exact weight, then each type's members uniformly.

    The generator is Python's ``random.Random`` (Mersenne Twister) seeded with the seed as an
    integer: first ``randrange(result.denominator)`` picks the shape, then for each type in
    order with people on the panel, ``sample(members, count)`` picks them (sorted by id).
    """
    if not result.portfolio:
        raise RuleError("sortition.empty_portfolio", "The lottery has no panel to draw.")
    seed = derive_seed(result.pool_digest, announced)
    generator = random.Random(int(seed, 16))
    ticket = generator.randrange(result.denominator)
    shape_index = _shape_at(result.portfolio, result.denominator, ticket)
    shape = result.portfolio[shape_index]
    chosen: list[str] = []
    for kind, count in zip(result.types, shape.counts, strict=True):
        if count:
            chosen.extend(generator.sample(kind.members, count))
    return Draw(
        algorithm=result.algorithm,
        version=result.version,
        pool_digest=result.pool_digest,
        announced=announced.strip(),
        seed=seed,
        ticket=ticket,
        shape=shape_index,
        panel=tuple(sorted(chosen)),
    )


def _shape_at(portfolio: tuple[PanelShape, ...], denominator: int, ticket: int) -> int:
    reached = Fraction(0)
    for index, shape in enumerate(portfolio):
        reached += shape.weight * denominator
        if ticket < reached:
            return index
    return len(portfolio) - 1


def _stages(
    floating: FloatPortfolio, types: tuple[PersonType, ...], probabilities: tuple[Fraction, ...]
) -> tuple[Stage, ...]:
    return tuple(
        Stage(
            number=number,
            types=log.fixed,
            people=sum(types[t].size for t in log.fixed),
            probability=min(probabilities[t] for t in log.fixed),
            panels=log.panels,
        )
        for number, log in enumerate(floating.stages, start=1)
        if log.fixed
    )


def _notes(floating: FloatPortfolio, types: tuple[PersonType, ...], exact: bool) -> tuple[str, ...]:
    how = (
        "weights solved exactly from the final basis"
        if exact
        else f"weights rounded to multiples of 1/{DENOMINATOR}"
    )
    notes = [
        f"{len(types)} types of exchangeable people; "
        f"{len(floating.compositions)} panel shapes generated; {how}"
    ]
    if floating.never_selectable:
        people = sum(types[t].size for t in floating.never_selectable)
        notes.append(f"{people} people can sit on no panel that meets the quotas")
    return tuple(notes)
