"""The vectorised roll-up of a nested tally: same results and digests as the reference.

``comuna.core.nested.roll_up_reference`` decides node by node in Python integers; with
20,000 councils that costs most of a second. This module computes the same numbers column
by column with numpy ``int64`` (ADR 0043):

- nodes are kept in pre-order, where every subtree is a contiguous range, so the totals of
  all nodes are differences of one cumulative sum over the leaf reports;
- rules compare integers only (``yes >= needed``, ``cast >= required``, ``2 * yes > total``
  on member weights scaled to a common denominator); the thresholds themselves come from the
  same integer functions the reference uses;
- the digest lines are formatted column-wise and hashed in one call.

It is exact: every input is checked to be a non-negative integer small enough that no sum
can reach 2**62; when a tree or a count is beyond that bound, ``roll_up`` uses the reference
path instead (``fits_int64``). The ``NodeResult`` objects are built only when asked for
(``RollUp.node`` / ``RollUp.nodes``), from the computed columns.
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from json.encoder import encode_basestring as enc
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from comuna.core.errors import InputError
from comuna.core.nested import (
    _DEFAULT_RULE,
    LevelRule,
    MembersVote,
    NodeResult,
    RollUp,
    Totals,
    Tree,
    Unit,
    UnitReport,
    _check_rules,
    _leaf_totals,
    _notes,
    _roll_up_python,
    _tie,
    _ties,
)
from comuna.core.nested_digest import DIGEST_VERSION, _line
from comuna.core.quorum import QuorumResult
from comuna.core.tally import DECISION_RULES, Decision, VoteCounts

BOUND = 1 << 62
"""No input, sum or product here may reach this: int64 arithmetic then never overflows."""

Ints = npt.NDArray[np.int64]
_BOOL = ("false", "true")


@dataclass(frozen=True, slots=True)
class TreeArrays:
    """A tree in pre-order as arrays, computed once per ``Tree`` (see ``tree_arrays``)."""

    index: Mapping[str, int]
    parent: Ints
    """Position of each node's parent (-1 for the root)."""
    end: Ints
    """Node ``i``'s subtree is positions ``i`` to ``end[i] - 1``."""
    depth: Ints
    leaf: npt.NDArray[np.bool_]
    expected: Ints
    """Leaves at or below each node."""
    weight: Ints | None
    """Weights times ``denominator`` (None when they do not fit int64)."""
    denominator: int
    level: tuple[str, ...]
    unit_lines: bytes
    """The ``unit`` lines of the input digest, sorted by id."""
    rank: Ints
    """Rank of each node's id among all ids (sorts the report lines)."""
    encoded: tuple[str, ...]
    """Each node's id as a JSON string."""


def tree_arrays(tree: Tree) -> TreeArrays:
    cached = tree.cache.get("arrays")
    if cached is None:
        cached = tree.cache["arrays"] = _tree_arrays(tree)
    assert isinstance(cached, TreeArrays)
    return cached


def _tree_arrays(tree: Tree) -> TreeArrays:
    # map() over bound methods and attrgetters: C-level loops over the 22,000 units.
    order, n = tree.order, len(tree.order)
    units = list(map(tree.units.__getitem__, order))
    index = dict(zip(order, range(n), strict=True))
    parents = list(map(index.__getitem__, map(_PARENT, units[1:])))
    parent = np.array([-1, *parents], dtype=np.int64)
    depth, above = np.zeros(n, dtype=np.int64), parent.copy()
    while (up := above >= 0).any():  # one step per level of the tree
        depth[up] += 1
        above[up] = parent[above[up]]
    size = np.ones(n, dtype=np.int64)
    for d in range(int(depth.max()), 0, -1):  # children before parents
        at = np.flatnonzero(depth == d)
        np.add.at(size, parent[at], size[at])
    end, leaf = np.arange(n) + size, size == 1
    leaves = np.concatenate(([0], np.cumsum(leaf)))
    by_id = list(map(index.__getitem__, sorted(order)))
    rank = np.empty(n, dtype=np.int64)
    rank[by_id] = np.arange(n)
    encoded = list(map(enc, order))
    weight, denominator, weight_texts = _weights(units)
    levels = list(map(_LEVEL, units))
    texts = {level: enc(level) for level in set(levels)}
    columns = (
        encoded,
        ["null", *map(encoded.__getitem__, parents)],
        list(map(texts.__getitem__, levels)),
        weight_texts,
    )
    fmt = '["unit", {}, {}, {}, {}]\n'
    lines = map(fmt.format, *(map(column.__getitem__, by_id) for column in columns))
    return TreeArrays(
        MappingProxyType(index), parent, end, depth, leaf, leaves[end] - leaves[:-1], weight,
        denominator, tuple(levels), "".join(lines).encode(), rank, tuple(encoded),
    )  # fmt: skip


_PARENT, _LEVEL, _WEIGHT = (operator.attrgetter(a) for a in ("parent", "level", "weight"))


def _weights(units: list[Unit]) -> tuple[Ints | None, int, list[str]]:
    """Weights as integers over their common denominator (None beyond the int64 bound), the
    denominator, and each weight as the digest writes it. Fraction arithmetic, hashing and
    str() are slow: they run once per distinct weight object (most units share the default
    Fraction(1))."""
    weights = list(map(_WEIGHT, units))
    keys = list(map(id, weights))
    distinct = dict(zip(keys, weights, strict=True))
    denominator = math.lcm(*(w.denominator for w in distinct.values()))
    scaled = {key: w.numerator * (denominator // w.denominator) for key, w in distinct.items()}
    texts = {key: enc(str(w)) for key, w in distinct.items()}
    text = list(map(texts.__getitem__, keys))
    if max(scaled.values()) * len(units) >= BOUND:
        return None, denominator, text
    return np.array(list(map(scaled.__getitem__, keys)), dtype=np.int64), denominator, text


def roll_up_columns(
    tree: Tree,
    positions: Ints,
    counts: Ints,
    rules: Mapping[str, LevelRule],
) -> RollUp:
    """The roll-up from checked leaf reports: ``counts[k]`` = (eligible, cast, yes, no,
    empty, invalid) of the leaf at pre-order position ``positions[k]``.

    The caller has checked the reports (``nested.check_report`` or ``_positions``) and that
    (largest value) × (number of reports) stays below ``BOUND``, so no sum overflows.
    """
    arrays = tree_arrays(tree)
    n = len(tree.order)
    values = np.zeros((n + 1, 7), dtype=np.int64)
    values[positions + 1, :6] = counts
    values[positions + 1, 6] = 1
    np.cumsum(values, axis=0, out=values)
    start = np.arange(n)
    totals = values[arrays.end] - values[start]  # every subtree is a pre-order range
    columns = _decide(tree, arrays, totals, rules)
    input_digest = _input_digest(arrays, positions, counts, rules)
    return RollUp(
        tree.root,
        input_digest,
        _result_digest(input_digest, columns),
        arrays.index,
        _source=columns,
    )


def roll_up_totals(
    tree: Tree, leaf_totals: Mapping[str, Totals], rules: Mapping[str, LevelRule]
) -> RollUp | None:
    """``roll_up_columns`` from checked ``Totals`` per leaf id; None beyond the int64 bound."""
    arrays = tree_arrays(tree)
    rows = [(t.eligible, t.cast, t.yes, t.no, t.empty, t.invalid) for t in leaf_totals.values()]
    if arrays.weight is None or (rows and max(map(max, rows)) * len(rows) >= BOUND):
        return None
    positions = np.array([arrays.index[u] for u in leaf_totals], dtype=np.int64)
    counts = np.array(rows, dtype=np.int64).reshape(len(rows), 6)
    return roll_up_columns(tree, positions, counts, rules)


def roll_up_counts(
    tree: Tree,
    unit_ids: Sequence[str],
    eligible: Sequence[int] | Ints,
    counts: Ints,
    rules: Mapping[str, LevelRule] | None = None,
) -> RollUp:
    """The roll-up straight from the counting kernel: ``counts[k]`` holds the yes, no, empty
    and invalid ballots of unit ``unit_ids[k]`` (``counting.count_ballots``), whose electorate
    is ``eligible[k]``. Checks and errors are those of ``nested.roll_up`` on the same reports.
    """
    rules = dict(rules or {})
    _check_rules(rules)
    if np.shape(counts) != (len(unit_ids), 4) or len(eligible) != len(unit_ids):
        raise InputError(
            "counting.shape", "Need one row of counts and one electorate for each unit id."
        )
    ballots, electorate = _int64(counts, "counts"), _int64(eligible, "eligible")
    if (
        ballots is None
        or electorate is None
        or tree_arrays(tree).weight is None
        or not _sums_fit(ballots)
        or not _sums_fit(electorate)
    ):  # beyond the int64 bound: the reference, in Python integers
        rows = np.asarray(counts).tolist()
        reports = [
            UnitReport(u, int(e), *map(int, row))
            for u, e, row in zip(unit_ids, eligible, rows, strict=True)
        ]
        return _roll_up_python(tree, _leaf_totals(tree, reports), rules)
    counts = ballots
    columns = np.empty((len(unit_ids), 6), dtype=np.int64)
    columns[:, 0] = electorate
    columns[:, 1] = counts.sum(axis=1)
    columns[:, 2:] = counts
    positions = _positions(tree, unit_ids, columns)
    return roll_up_columns(tree, positions, columns, rules)


def _sums_fit(values: Ints) -> bool:
    return not values.size or int(np.abs(values).max()) * len(values) < BOUND


def _int64(values: Sequence[int] | npt.NDArray[Any], name: str) -> Ints | None:
    """``values`` as int64, or None when one lies beyond the bound; non-integers refused."""
    array = np.asarray(values)
    if not array.size:  # np.asarray([]) is float64
        return np.zeros(array.shape, dtype=np.int64)
    if array.dtype == object and all(type(v) is int for v in array.flat):
        return None  # Python integers too large for numpy
    if not np.issubdtype(array.dtype, np.integer):
        raise InputError("counting.dtype", "{name} must hold integers.", name=name)
    if int(array.max()) >= BOUND or int(array.min()) <= -BOUND:
        return None
    return array.astype(np.int64)


def _positions(tree: Tree, unit_ids: Sequence[str], columns: Ints) -> Ints:
    """Pre-order positions of the reporting units, after the checks of ``_leaf_totals`` and
    ``check_report``; the first bad report (in the given order) raises the same error."""
    negative = np.flatnonzero((columns < 0).any(axis=1))
    over = np.flatnonzero(columns[:, 1] > columns[:, 0])
    first_bad = min(int(negative[0]) if negative.size else len(columns),
                    int(over[0]) if over.size else len(columns))  # fmt: skip
    arrays = tree_arrays(tree)
    found = list(map(arrays.index.get, unit_ids))
    if None not in found and first_bad == len(columns):
        positions = np.array(found, dtype=np.int64)
        if arrays.leaf[positions].all() and np.unique(positions).size == positions.size:
            return positions
    seen: set[str] = set()
    for k, uid in enumerate(unit_ids):  # the first bad report, as the reference finds it
        position = found[k]
        if position is None or tree.children[uid] or uid in seen or k == first_bad:
            row = columns[k, [0, 2, 3, 4, 5]].tolist()
            earlier = [UnitReport(u, 0, 0, 0) for u in unit_ids[:k]]
            _leaf_totals(tree, [*earlier, UnitReport(uid, *row)])  # raises its error
        seen.add(uid)
    raise AssertionError("unreachable: a bad report was found above")  # pragma: no cover


@dataclass(slots=True)
class Columns:
    """Every node's results as Python lists in pre-order; builds ``NodeResult``s on demand."""

    tree: Tree
    arrays: TreeArrays
    rules: Mapping[str, LevelRule]
    totals: list[list[int]]
    """Six columns: eligible, cast, yes, no, empty, invalid (ints are not tracked by the
    garbage collector; 22,000 row lists were, and cost more than the whole roll-up)."""
    reported: list[int]
    base: list[int]
    needed: list[int]
    people: list[bool]
    required: list[int]
    """Ballots the turnout quorum needs (meaningless where the level has none)."""
    quorum: list[str]
    """The quorum as the digest writes it: null, true or false."""
    members: list[tuple[int, int, int] | None]
    approved: list[bool]
    built: tuple[NodeResult, ...] | None = None

    def __len__(self) -> int:
        return len(self.reported)

    def node(self, i: int) -> NodeResult:
        uid = self.tree.order[i]
        unit = self.tree.units[uid]
        rule = self.rules.get(unit.level, _DEFAULT_RULE)
        e, cast, yes, no, empty, invalid = (column[i] for column in self.totals)
        totals = Totals(e, cast, yes, no, empty, invalid)
        counts = VoteCounts(yes, no, empty + invalid)
        people = Decision(rule.people, counts, self.base[i], self.needed[i], self.people[i])
        turnout = None
        if rule.turnout_quorum:
            turnout = QuorumResult(e, cast, rule.turnout_quorum, self.required[i])
        members = None
        if self.members[i] is not None:
            y, no_, p = self.members[i]  # type: ignore[misc]
            d = self.arrays.denominator
            members = MembersVote(Fraction(y, d), Fraction(no_, d), Fraction(p, d))
        reported, expected = self.reported[i], int(self.arrays.expected[i])
        ties = _ties(uid, totals, members, rule) if reported else ()
        notes = (
            ()
            if reported == expected and turnout is None
            else _notes(totals, turnout, reported, expected)
        )
        return NodeResult(
            uid, unit.parent, unit.level, totals, expected, reported, people, turnout, members,
            self.approved[i], ties, notes,
        )  # fmt: skip

    def all(self) -> tuple[NodeResult, ...]:
        if self.built is None:
            self.built = tuple(self.node(i) for i in range(len(self)))
        return self.built


def _decide(
    tree: Tree, arrays: TreeArrays, totals: Ints, rules: Mapping[str, LevelRule]
) -> Columns:
    eligible, cast, yes, no = totals[:, 0], totals[:, 1], totals[:, 2], totals[:, 3]
    reported = totals[:, 6]
    n = len(totals)
    levels = sorted(set(arrays.level))
    codes = {level: code for code, level in enumerate(levels)}
    level_of = np.array(list(map(codes.__getitem__, arrays.level)), dtype=np.int64)
    base_by = {"attendees": cast, "cast": cast, "yes_no": yes + no, "members": eligible}
    base = np.zeros(n, dtype=np.int64)
    needed = np.zeros(n, dtype=np.int64)
    required = np.zeros(n, dtype=np.int64)
    has_quorum = np.zeros(n, dtype=np.bool_)
    uses_members = np.zeros(n, dtype=np.bool_)
    for code, level in enumerate(levels):
        rule = rules.get(level, _DEFAULT_RULE)
        at = np.flatnonzero(level_of == code)
        definition = DECISION_RULES[rule.people]
        base[at] = base_by[definition.base][at]
        needed[at] = _share_of(definition.share, base[at], definition.strict)
        if rule.turnout_quorum:
            required[at] = _share_of(rule.turnout_quorum, eligible[at], strict=False)
            has_quorum[at] = True
        if rule.members_majority:
            uses_members[at] = ~arrays.leaf[at]
    reached = cast >= required
    quorum_ok = reached | ~has_quorum
    people = (base > 0) & (yes >= needed)
    approved, members = _approve(arrays, reported, people & quorum_ok, uses_members)
    _refuse_ties(tree, arrays, rules, yes, no, reported, members, uses_members)
    return Columns(
        tree, arrays, rules, totals[:, :6].T.tolist(), reported.tolist(), base.tolist(),
        needed.tolist(), people.tolist(), required.tolist(),
        np.where(has_quorum, np.where(reached, "true", "false"), "null").tolist(),
        _members_list(members, uses_members),
        approved.tolist(),
    )  # fmt: skip


def _share_of(share: Fraction, values: Ints, strict: bool) -> Ints:
    """The least integer above (``strict``) or at least ``share`` of each value, by integer
    cross-multiplication as ``tally._more_than``, ``tally._at_least`` and
    ``quorum.required_attendance`` compute it: exact."""
    num, den = share.numerator, share.denominator
    if values.size and num * int(values.max()) >= BOUND:  # Python ints; results fit int64
        big = [num * v // den + 1 if strict else -(-num * v // den) for v in values.tolist()]
        return np.array(big, dtype=np.int64)
    return num * values // den + 1 if strict else -(-num * values // den)


def _approve(
    arrays: TreeArrays, reported: Ints, own_ok: npt.NDArray[np.bool_], uses_members: Any
) -> tuple[npt.NDArray[np.bool_], Ints]:
    """Approval of every node, deepest level first: a double majority needs the member
    bodies' approvals. ``members[i]`` = scaled weights (yes, no, pending) below node i."""
    approved = own_ok & (reported > 0)
    members = np.zeros((len(reported), 3), dtype=np.int64)
    weight, parent = arrays.weight, arrays.parent
    assert weight is not None
    for d in range(int(arrays.depth.max()), 0, -1):
        at = np.flatnonzero(arrays.depth == d)
        kind = np.where(reported[at] == 0, 2, np.where(approved[at], 0, 1))
        np.add.at(members, (parent[at], kind), weight[at])
        above = np.unique(parent[at])
        above = above[uses_members[above]]
        m = members[above]
        approved[above] &= m[:, 0] * 2 > m.sum(axis=1)
    return approved, members


def _refuse_ties(
    tree: Tree,
    arrays: TreeArrays,
    rules: Mapping[str, LevelRule],
    yes: Ints,
    no: Ints,
    reported: Ints,
    members: Ints,
    uses_members: Any,
) -> None:
    """Raise as the reference does: at the last tied node in pre-order whose rule refuses."""
    refuses = [rules.get(lv, _DEFAULT_RULE).tie == "refuse" for lv in arrays.level]
    if not any(refuses):
        return
    people_tie = (yes == no) & (reported > 0)
    members_tie = uses_members & (members[:, 0] * 2 == members.sum(axis=1)) & (reported > 0)
    tied = np.flatnonzero((people_tie | members_tie) & np.array(refuses, dtype=np.bool_))
    if tied.size:
        i = int(tied[-1])
        uid = tree.order[i]
        rule = rules[arrays.level[i]]
        if people_tie[i]:
            _tie(uid, "people", f"{int(yes[i])} yes and {int(no[i])} no", rule)
        d = arrays.denominator
        y, total = Fraction(int(members[i, 0]), d), Fraction(int(members[i].sum()), d)
        _tie(uid, "members", f"member bodies {y} of {total}", rule)


def _members_list(members: Ints, uses_members: Any) -> list[tuple[int, int, int] | None]:
    out: list[tuple[int, int, int] | None] = [None] * len(members)
    for i in np.flatnonzero(uses_members).tolist():
        y, no, p = members[i].tolist()
        out[i] = (y, no, p)
    return out


def _input_digest(
    arrays: TreeArrays, positions: Ints, counts: Ints, rules: Mapping[str, LevelRule]
) -> str:
    hasher = hashlib.sha256()
    hasher.update(DIGEST_VERSION.encode() + b"\n")
    hasher.update(arrays.unit_lines)
    by_id = np.argsort(arrays.rank[positions], kind="stable")
    order = [arrays.encoded[p] for p in positions[by_id].tolist()]
    rows = counts[by_id].T.tolist()
    fmt = '["report", {}, {}, {}, {}, {}, {}, {}]\n'
    hasher.update("".join(map(fmt.format, order, *rows)).encode())
    for level in sorted(rules):
        r = rules[level]
        line = _line("rule", level, r.people, r.turnout_quorum, r.members_majority, r.tie)
        hasher.update(line.encode() + b"\n")
    return hasher.hexdigest()


def _result_digest(input_digest: str, c: Columns) -> str:
    n = len(c)
    members = ["null"] * n
    d = c.arrays.denominator
    for i, m in enumerate(c.members):
        if m is not None:
            members[i] = "[" + ", ".join(f'"{Fraction(v, d)}"' for v in m) + "]"
    people = list(map(_BOOL.__getitem__, c.people))
    approved = list(map(_BOOL.__getitem__, c.approved))
    fmt = '["result", {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}]\n'
    text = "".join(
        map(fmt.format, c.arrays.encoded, *c.totals, c.reported, c.arrays.expected.tolist(), people,
            c.quorum, members, approved)
    )  # fmt: skip
    return hashlib.sha256(f"{input_digest}\n{text}".encode()).hexdigest()
