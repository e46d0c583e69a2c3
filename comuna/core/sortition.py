"""Stratified lotteries (sortition): the pool, its quotas, and who is exchangeable with whom.

A lottery draws a panel of ``panel_size`` people from a pool so that, for every feature
(gender, age, region...) and each of its values, the number of panel members with that value
lies between the quota's ``min`` and ``max``. This module holds the plain data, the canonical
text and SHA-256 digest of a pool (what the draw's seed is bound to), and the grouping of
people into *types*: people with exactly the same feature values are exchangeable for every
quota, which lets the solvers in ``sortition_lp`` work on types instead of people.

The fairest probabilities are in ``sortition_lp``; the exact portfolio and the draw in
``lottery``; CSV parsing in ``sortition_csv``; the feasibility check in ``sortition_check``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from comuna.core.errors import InputError

VERSION = "comuna-sortition/1"
"""Bumped whenever a change could move a probability or a drawn panel."""


@dataclass(frozen=True, slots=True)
class Quota:
    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    values: tuple[str, ...]
    """One value per feature, in the order of ``Pool.features``."""


@dataclass(frozen=True, slots=True)
class Pool:
    features: tuple[str, ...]
    quotas: tuple[Quota, ...]
    people: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class PersonType:
    """People who share every feature value; ``members`` sorted by id (code point order)."""

    values: tuple[str, ...]
    members: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


def make_pool(quotas: tuple[Quota, ...], people: tuple[Person, ...]) -> Pool:
    """Check a pool for consistency: known values, unique ids, sane quota bounds."""
    features = tuple(dict.fromkeys(q.feature for q in quotas))
    known = {(q.feature, q.value) for q in quotas}
    if len(known) != len(quotas):
        raise InputError("sortition.duplicate_quota", "A feature value has two quotas.")
    for quota in quotas:
        if not 0 <= quota.min <= quota.max:
            raise InputError(
                "sortition.bad_quota",
                "Quota {feature}={value}: need 0 <= min <= max, got {min}..{max}.",
                feature=quota.feature,
                value=quota.value,
                min=quota.min,
                max=quota.max,
            )
    seen: set[str] = set()
    for person in people:
        if person.id in seen:
            raise InputError(
                "sortition.duplicate_person", "Person {id} appears twice.", id=person.id
            )
        seen.add(person.id)
        if len(person.values) != len(features):
            raise InputError(
                "sortition.bad_person", "Person {id} lacks a feature value.", id=person.id
            )
        for feature, value in zip(features, person.values, strict=True):
            if (feature, value) not in known:
                raise InputError(
                    "sortition.unknown_value",
                    "Person {id} has {feature}={value}, which has no quota.",
                    id=person.id,
                    feature=feature,
                    value=value,
                )
    return Pool(features=features, quotas=quotas, people=people)


def check_panel_size(pool: Pool, panel_size: int) -> None:
    if not 1 <= panel_size <= len(pool.people):
        raise InputError(
            "sortition.bad_panel_size",
            "The panel size must be between 1 and the pool size {pool}, not {size}.",
            pool=len(pool.people),
            size=panel_size,
        )


def person_types(pool: Pool) -> tuple[PersonType, ...]:
    """Group exchangeable people; types sorted by their values, members by id."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for person in pool.people:
        groups[person.values].append(person.id)
    return tuple(
        PersonType(values=values, members=tuple(sorted(groups[values])))
        for values in sorted(groups)
    )


def canonical_text(pool: Pool, panel_size: int) -> str:
    """The pool as one canonical text: what ``pool_digest`` hashes (see docs/methods).

    Lines: ``comuna-pool/1``, ``panel_size=K``, ``features=f1|f2..``, one
    ``quota=feature|value|min|max`` per quota sorted, one ``person=id|v1|v2..`` per person
    sorted by id. Values are escaped so that ``|``, ``\\`` and newlines cannot collide.
    """
    lines = ["comuna-pool/1", f"panel_size={panel_size}"]
    lines.append("features=" + "|".join(_escape(f) for f in pool.features))
    quota_lines = sorted(
        "quota=" + "|".join((_escape(q.feature), _escape(q.value), str(q.min), str(q.max)))
        for q in pool.quotas
    )
    lines.extend(quota_lines)
    for person in sorted(pool.people, key=lambda p: p.id):
        lines.append("person=" + "|".join(_escape(v) for v in (person.id, *person.values)))
    return "\n".join(lines) + "\n"


def pool_digest(pool: Pool, panel_size: int) -> str:
    """SHA-256 (hex) of the canonical text: publish it before the draw."""
    return hashlib.sha256(canonical_text(pool, panel_size).encode("utf-8")).hexdigest()


def panel_violations(pool: Pool, panel: tuple[str, ...], panel_size: int) -> tuple[str, ...]:
    """Every quota (and the size) a panel breaks, as readable strings; empty when valid."""
    by_id = {p.id: p for p in pool.people}
    problems = []
    if len(set(panel)) != panel_size or len(panel) != panel_size:
        problems.append(f"size {len(set(panel))} != {panel_size}")
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for person_id in panel:
        for feature, value in zip(pool.features, by_id[person_id].values, strict=True):
            counts[(feature, value)] += 1
    for q in pool.quotas:
        count = counts[(q.feature, q.value)]
        if not q.min <= count <= q.max:
            problems.append(f"{q.feature}={q.value}: {count} not in {q.min}..{q.max}")
    return tuple(problems)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\p").replace("\n", "\\n")
