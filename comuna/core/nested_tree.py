"""The tree of a nested tally: units, their parents and weights, checked once.

``build_tree`` checks a set of units (unique ids, one root, no cycle, positive weights) and
orders them parents first; ``nested.roll_up`` and ``nested_fast`` work on the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from comuna.core.errors import InputError


@dataclass(frozen=True, slots=True)
class Unit:
    """A node of the federation tree: a council, commune, district, state...

    ``weight`` is what this unit's vote counts for when its parent asks for a majority of
    member bodies (1 for a canton, 1/2 for a half-canton).
    """

    id: str
    parent: str | None = None
    level: str = ""
    weight: Fraction = Fraction(1)


@dataclass(frozen=True, slots=True)
class Tree:
    """A checked tree of units (see ``build_tree``)."""

    units: dict[str, Unit]
    children: dict[str, tuple[str, ...]]
    root: str
    order: tuple[str, ...]
    """Pre-order: parents before children."""
    cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    """Derived data computed once per tree (``nested_fast.tree_arrays``)."""


def build_tree(units: Iterable[Unit]) -> Tree:
    """Check the tree (unique ids, known parents, one root, no cycle, positive weights)."""
    listed = list(units)
    by_id: dict[str, Unit] = {}
    for position, unit in enumerate(listed):
        if unit.id in by_id:
            _check_weights(listed[:position])  # an earlier bad weight is reported first
            raise InputError("nested.duplicate_unit", "Unit {unit} appears twice.", unit=unit.id)
        by_id[unit.id] = unit
    _check_weights(listed)
    roots = sorted(u.id for u in by_id.values() if u.parent is None)
    if len(roots) != 1:
        raise InputError(
            "nested.roots", "The tree needs exactly one root, found {roots}.", roots=roots
        )
    children: dict[str, list[str]] = {uid: [] for uid in by_id}
    for unit in by_id.values():
        if unit.parent is not None:
            if unit.parent not in by_id:
                raise InputError(
                    "nested.unknown_parent",
                    "Unit {unit} names an unknown parent {parent}.",
                    unit=unit.id,
                    parent=unit.parent,
                )
            children[unit.parent].append(unit.id)
    frozen = {uid: tuple(sorted(kids)) for uid, kids in children.items()}
    order = _preorder(roots[0], frozen)
    if len(order) != len(by_id):
        unreached = sorted(set(by_id) - set(order))
        raise InputError(
            "nested.cycle", "Units {units} form a cycle off the tree.", units=unreached[:10]
        )
    return Tree(by_id, frozen, roots[0], order)


def _check_weights(units: list[Unit]) -> None:
    # Each distinct weight object is compared once: Fraction comparisons are slow, and most
    # units share the default Fraction(1).
    distinct = {id(unit.weight): unit.weight for unit in units}
    if all(weight > 0 for weight in distinct.values()):
        return
    unit = next(u for u in units if not u.weight > 0)
    raise InputError(
        "nested.bad_weight",
        "Unit {unit} has weight {weight}; weights must be positive.",
        unit=unit.id,
        weight=str(unit.weight),
    )


def _preorder(root: str, children: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    order: list[str] = []
    stack = [root]
    while stack:
        uid = stack.pop()
        order.append(uid)
        stack.extend(reversed(children[uid]))
    return tuple(order)


def units_from_paths(
    paths: Iterable[tuple[str, ...]], levels: tuple[str, ...] = ()
) -> tuple[Unit, ...]:
    """Units of a tree given as root-to-unit paths, e.g. ``("CH", "SG", "Rheintal", "Au")``.

    Intermediate units are created once; ``levels[i]`` names the level of depth ``i``.
    """
    made: dict[str, Unit] = {}
    for path in paths:
        parent: str | None = None
        for depth, uid in enumerate(path):
            level = levels[depth] if depth < len(levels) else ""
            known = made.get(uid)
            if known is None:
                made[uid] = Unit(uid, parent, level)
            elif known.parent != parent:
                raise InputError(
                    "nested.two_parents",
                    "Unit {unit} appears under both {first} and {second}.",
                    unit=uid,
                    first=known.parent,
                    second=parent,
                )
            parent = uid
    return tuple(made.values())
