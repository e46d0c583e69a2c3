"""``comuna tally FILE.csv``: roll unit reports up the federation tree and print JSON."""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from comuna.core.errors import ComunaError, InputError
from comuna.core.nested import LevelRule, NodeResult, RollUp, roll_up
from comuna.core.numeric import to_decimal
from comuna.core.tally import DECISION_RULES
from comuna.core.tally_csv import parse_unit_reports

HELP = "Roll up per-unit referendum reports (CSV) into per-level results and decisions (JSON)."

RULE_HELP = (
    "decision rule of one level, LEVEL=ITEM[,ITEM...], where an item is a people's rule "
    f"({', '.join(DECISION_RULES)}), 'members' (also a weighted majority of member bodies), "
    "'quorum=FRACTION' (turnout quorum, e.g. 1/2), 'over=FRACTION' (turnout strictly above it) or 'tie=status_quo|refuse'. Repeatable."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV of unit reports (see docs/methods/tallies.md)")
    parser.add_argument(
        "--levels",
        default="",
        help="comma-separated level names by depth for units without a level, e.g. "
        "federation,state,commune,council",
    )
    parser.add_argument("--rule", action="append", default=[], metavar="LEVEL=SPEC", help=RULE_HELP)


def run(args: argparse.Namespace) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except OSError as error:
        print(f"comuna tally: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        levels = tuple(x.strip() for x in args.levels.split(",") if x.strip())
        rules = dict(parse_rule(spec) for spec in args.rule)
        parsed = parse_unit_reports(text, levels)
        result = roll_up(parsed.units, parsed.reports, rules)
    except ComunaError as error:
        print(f"comuna tally: {error} [{error.code}]", file=sys.stderr)
        return 1
    json.dump(rollup_as_json(result, rules), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def parse_rule(spec: str) -> tuple[str, LevelRule]:
    """``"federation=majority_of_votes,members,quorum=1/4"`` -> (level, rule)."""
    level, sep, items = spec.partition("=")
    if not sep or not level.strip():
        raise InputError("tally.bad_rule_spec", "Rule {spec!r} is not LEVEL=SPEC.", spec=spec)
    fields: dict[str, Any] = {}
    for item in (i.strip() for i in items.split(",") if i.strip()):
        key, _, value = item.partition("=")
        if item in DECISION_RULES:
            fields["people"] = item
        elif item == "members":
            fields["members_majority"] = True
        elif key == "quorum":
            fields["turnout_quorum"] = _fraction(value, spec)
        elif key == "over":  # a strict turnout quorum: more than the share (LOC Art. 50)
            fields["turnout_quorum"] = _fraction(value, spec)
            fields["turnout_strict"] = True
        elif key == "tie":
            fields["tie"] = value
        else:
            raise InputError(
                "tally.bad_rule_spec", "Rule {spec!r}: unknown item {item!r}.", spec=spec, item=item
            )
    return level.strip(), LevelRule(**fields)


def _fraction(value: str, spec: str) -> Fraction:
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise InputError(
            "tally.bad_rule_spec",
            "Rule {spec!r}: {value!r} is not a fraction.",
            spec=spec,
            value=value,
        ) from None


def rollup_as_json(result: RollUp, rules: dict[str, LevelRule]) -> dict[str, Any]:
    return {
        "root": result.root,
        "input_digest": result.input_digest,
        "digest": result.digest,
        "rules": {level: _rule_json(rule) for level, rule in sorted(rules.items())},
        "nodes": [_node_json(node) for node in result.nodes],
    }


def _rule_json(rule: LevelRule) -> dict[str, Any]:
    return {
        "people": rule.people,
        "turnout_quorum": str(rule.turnout_quorum),
        "members_majority": rule.members_majority,
        "tie": rule.tie,
        "turnout_strict": rule.turnout_strict,
    }


def _node_json(node: NodeResult) -> dict[str, Any]:
    t = node.totals
    members = node.members
    return {
        "unit": node.unit,
        "parent": node.parent,
        "level": node.level,
        "eligible": t.eligible,
        "cast": t.cast,
        "yes": t.yes,
        "no": t.no,
        "empty": t.empty,
        "invalid": t.invalid,
        # Exact fractions as strings; the percentages are for display, truncated to 2 places.
        "yes_share": str(t.yes_share),
        "yes_percent": str(to_decimal(t.yes_share * 100, 2)),
        "turnout_percent": str(to_decimal(t.turnout * 100, 2)),
        "units_reported": node.units_reported,
        "units_expected": node.units_expected,
        "final": node.final,
        "people_approved": node.people.approved,
        "yes_needed": node.people.needed,
        "turnout_quorum_reached": None if node.turnout is None else node.turnout.reached,
        "turnout_needed": None if node.turnout is None else node.turnout.required,
        "members": None
        if members is None
        else {"yes": str(members.yes), "no": str(members.no), "pending": str(members.pending)},
        "approved": node.approved,
        "ties": list(node.ties),
        "notes": list(node.notes),
    }
