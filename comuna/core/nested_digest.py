"""The canonical digest of a nested tally (format and rationale: ADR 0042).

``input_digest`` hashes a version line and one JSON array per unit, report and level rule;
``digest`` hashes the input digest and one JSON array per node result. See
``docs/methods/tallies.md`` for the exact line layout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from fractions import Fraction
from json.encoder import encode_basestring as _encode_string
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the types only; nested imports this module at run time
    from comuna.core.nested import LevelRule, NodeResult, Totals, Unit
    from comuna.core.quorum import QuorumResult

DIGEST_VERSION = "comuna-nested-tally/1"


def digest_lines(lines: Iterable[str]) -> str:
    hasher = hashlib.sha256()
    for line in lines:
        hasher.update(line.encode("utf-8"))
        hasher.update(b"\n")
    return hasher.hexdigest()


def _line(*fields: object) -> str:
    """The fields as one JSON array (as ``json.dumps(..., ensure_ascii=False)`` writes it,
    fractions as strings): unambiguous whatever characters the unit ids contain.

    Written by hand because json.dumps per line dominated the roll-up of 20,000 units.
    """
    return "[" + ", ".join(_json(f) for f in fields) + "]"


def _json(value: object) -> str:
    # Exact type tests: isinstance(x, Fraction) goes through the slow ABC machinery.
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    if type(value) is Fraction:
        return _encode_string(str(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} in a digest line")


def input_lines(
    units: Mapping[str, Unit], leaf_totals: Mapping[str, Totals], rules: Mapping[str, LevelRule]
) -> list[str]:
    # The f-strings write exactly what _line would (a test checks it), several times faster.
    enc = _encode_string
    lines = [DIGEST_VERSION]
    for uid in sorted(units):
        unit = units[uid]
        parent = "null" if unit.parent is None else enc(unit.parent)
        lines.append(f'["unit", {enc(uid)}, {parent}, {enc(unit.level)}, {enc(str(unit.weight))}]')
    for uid in sorted(leaf_totals):
        t = leaf_totals[uid]
        lines.append(
            f'["report", {enc(uid)}, {t.eligible}, {t.cast}, {t.yes}, {t.no}, {t.empty}, '
            f"{t.invalid}]"
        )
    for level in sorted(rules):
        r = rules[level]
        fields = ("rule", level, r.people, r.turnout_quorum, r.members_majority, r.tie)
        # A strict turnout quorum adds a field; every other rule hashes as before (ADR 0066).
        lines.append(_line(*fields, "turnout>") if r.turnout_strict else _line(*fields))
    return lines


def result_line(node: NodeResult) -> str:
    t, m = node.totals, node.members
    members = "null" if m is None else f'["{m.yes}", "{m.no}", "{m.pending}"]'
    return (
        f'["result", {_encode_string(node.unit)}, {t.eligible}, {t.cast}, {t.yes}, {t.no}, '
        f"{t.empty}, {t.invalid}, {node.units_reported}, {node.units_expected}, "
        f"{_bool(node.people.approved)}, {_quorum(node.turnout)}, {members}, "
        f"{_bool(node.approved)}]"
    )


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _quorum(turnout: QuorumResult | None) -> str:
    return "null" if turnout is None else _bool(turnout.reached)
