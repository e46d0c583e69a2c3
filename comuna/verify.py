#!/usr/bin/env python3
"""Independent verifier of a Comuna public-record export. Standard library only.

Anyone can copy this one file and run ``python verify.py EXPORT.json``: it recomputes every
hash of every body's chain and re-checks every recorded tally (the counts against the ballot
box or roll call, the majority against the rule, a lottery's seed against its published
inputs), and names the first bad entry. It shares no
code with Comuna on purpose (ADR 0003): a bug in Comuna's hashing cannot hide itself here.
Importable: ``verify_export(data) -> list[Problem]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

GENESIS = "0" * 64
FORMAT = "comuna-record/1"


@dataclass(frozen=True)
class Problem:
    body: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.body} entry {self.seq}" if self.seq is not None else self.body
        return f"{where}: {self.message}"


def _hash(entry: dict[str, Any]) -> str:
    at = dt.datetime.fromisoformat(entry["recorded_at"]).astimezone(dt.UTC)
    material = {
        "kind": entry["kind"],
        "payload": entry["payload"],
        "prev": entry["prev_hash"],
        "seq": entry["seq"],
        "at": at.isoformat(timespec="microseconds"),
    }
    text = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _needed(rule: str, counts: dict[str, int], attendees: int, electorate: int) -> int | None:
    half = Fraction(1, 2)
    bases = {
        "majority_of_attendees": (attendees, half, True),
        "majority_of_votes": (counts["yes"] + counts["no"], half, True),
        "majority_of_members": (electorate, half, True),
        "two_thirds_of_attendees": (attendees, Fraction(2, 3), False),
    }
    if rule not in bases:
        return None
    base, share, strict = bases[rule]
    product = share * base
    if strict:
        return product.numerator // product.denominator + 1
    return -(-product.numerator // product.denominator)


def check_decision(payload: dict[str, Any]) -> list[str]:
    """Re-check one recorded decision: counts, evidence and the majority rule."""
    problems = []
    counts = payload["counts"]
    cast = counts["yes"] + counts["no"] + counts["abstain"]
    if min(counts.values()) < 0 or cast > payload["attendees"]:
        problems.append(f"counts {counts} impossible with {payload['attendees']} attendees")
    for evidence in ("ballots", "roll_call"):
        if evidence in payload:
            rows = payload[evidence]
            recount = {"yes": 0, "no": 0, "abstain": 0}
            for _key, choice in rows:
                recount[choice] = recount.get(choice, 0) + 1
            if recount != counts:
                problems.append(f"{evidence} recount {recount} differs from recorded {counts}")
            keys = [key for key, _choice in rows]
            if len(set(keys)) != len(keys):
                problems.append(f"{evidence} has a repeated key")
    needed = _needed(payload["rule"], counts, payload["attendees"], payload["electorate"])
    if needed is None:
        problems.append(f"unknown rule {payload['rule']}")
    else:
        base_ok = needed == payload["needed"]
        approved = counts["yes"] >= needed and needed > 0
        if not base_ok:
            problems.append(f"needed {payload['needed']} but the rule gives {needed}")
        if approved != payload["approved"]:
            problems.append(
                f"recorded approved={payload['approved']} but the rule gives {approved}"
            )
    return problems


def _greedy(projects: list[dict[str, Any]], budget: Decimal, tie_break: str) -> list[str]:
    """Greedy with skipping: most votes first, ties ordered by the recorded criteria."""
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "max_votes": lambda p: -p["votes"],
        "min_cost": lambda p: Decimal(p["cost"]),
        "max_cost": lambda p: -Decimal(p["cost"]),
    }
    criteria = [] if tie_break == "refuse" else tie_break.split(",")
    indexed = list(enumerate(projects))
    indexed.sort(key=lambda ip: (-ip[1]["votes"], *(keys[c](ip[1]) for c in criteria), ip[0]))
    chosen, left = [], budget
    for _i, p in indexed:
        if p["votes"] >= 1 and Decimal(p["cost"]) <= left:
            chosen.append(p["project"])
            left -= Decimal(p["cost"])
    return chosen


def _plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _budget_evidence(payload: dict[str, Any]) -> list[str]:
    """The ballots against the recorded fingerprint and votes (when the entry carries them)."""
    if "ballots" not in payload:
        return []
    cumulative = payload["ballot_kind"] == "cumulative"
    weighted = [
        [receipt, sorted([pid, value if cumulative else 1] for pid, value in marks)]
        for receipt, marks in payload["ballots"]
    ]
    canonical = {
        "budget": _plain(Decimal(payload["budget"])),
        "projects": sorted([p["project"], _plain(Decimal(p["cost"]))] for p in payload["projects"]),
        "ballots": sorted(weighted),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    problems = []
    if hashlib.sha256(text.encode()).hexdigest() != payload["digest"]:
        problems.append("the ballots do not match the recorded fingerprint")
    votes = {p["project"]: 0 for p in payload["projects"]}
    for _receipt, marks in weighted:
        for pid, weight in marks:
            votes[pid] += weight
    if votes != {p["project"]: p["votes"] for p in payload["projects"]}:
        problems.append("the votes recounted from the ballots differ from the recorded ones")
    return problems


def check_budget_result(payload: dict[str, Any]) -> list[str]:
    """Re-check a recorded budget result: the ballots against the fingerprint and votes, the
    funded set and its reasons, its cost within the budget, each unfunded project's
    supporters short of its cost, and a greedy result recomputed. (MES itself is not rerun
    here: the exported .pb file and ``comuna pb`` recompute it.)"""
    problems = _budget_evidence(payload)
    projects = payload["projects"]
    budget = Decimal(payload["budget"])
    funded = [p["project"] for p in projects if p["funded"]]
    if sorted(funded) != sorted(payload["selected"]):
        problems.append("the funded projects differ from the recorded selection")
    total = sum((Decimal(p["cost"]) for p in projects if p["funded"]), Decimal(0))
    if total != Decimal(payload["total_cost"]) or total > budget:
        problems.append(f"funded projects cost {total}, recorded {payload['total_cost']}")
    for p in projects:
        if p["funded"] != (p["reason"] in ("bought", "selected")):
            problems.append(f"project {p['project']}: funded={p['funded']} but {p['reason']}")
        money = p.get("supporters_money")
        if p["reason"] == "unaffordable" and Fraction(money) >= Fraction(p["cost"]):
            problems.append(f"project {p['project']} was affordable by its supporters")
    greedy_rule = payload["rule"] == "greedy"
    if greedy_rule and _greedy(projects, budget, payload["tie_break"]) != payload["selected"]:
        problems.append("greedy recomputed from the votes gives another selection")
    return problems


def check_spending(payload: dict[str, Any]) -> list[str]:
    if Decimal(payload["total"]) > Decimal(payload["allocation"]) and payload["decision"] is None:
        return [f"spending {payload['total']} above the allocation without a decision"]
    return []


def check_election(payload: dict[str, Any]) -> list[str]:
    """Re-check a counted uninominal election: the phone ballots (when recorded) give the
    recorded votes, and nobody left out had more votes than someone elected (the seats) or
    chosen as alternate. STV counts are only checked for their quota (re-counting STV needs
    the full Scottish rules; `comuna stv` on the exported BLT does that)."""
    result = payload["result"]
    if result["method"] == "stv":
        stv = result["stv"]
        quota = stv["valid"] // (result["seats"] + 1) + 1
        return [] if stv["quota"] == quota else [f"quota {stv['quota']} but the rule gives {quota}"]
    votes = {number: n for number, n in result["votes"]}
    problems = []
    if "ballots" in payload:
        recount = dict.fromkeys(votes, 0)
        for _receipt, marks in payload["ballots"]:
            for mark in marks:
                recount[mark] = recount.get(mark, 0) + 1
        if recount != votes:
            problems.append(f"ballots recount {recount} differs from recorded {votes}")
    elected = [number for number, _resident in result["principals"]]
    alternates = [number for number, _resident in result["alternates"]]
    rest = [n for n in votes if n not in elected and n not in alternates]
    for group, below in ((elected, alternates + rest), (alternates, rest)):
        if group and below and min(votes[n] for n in group) < max(votes[n] for n in below):
            problems.append("a candidate with more votes was passed over")
    return problems


def check_draw(payload: dict[str, Any]) -> list[str]:
    """Re-check a lottery draw: the seed from the published inputs, the ticket, the panel size.

    The seed is SHA-256 of ``comuna-lottery-seed/1``, the pool digest and the announced
    numbers, one per line (docs/methods/sortition.md); re-running the whole draw needs the
    lottery's published files (``comuna lottery --replay``).
    """
    problems = []
    text = f"comuna-lottery-seed/1\n{payload['pool_digest']}\n{payload['announced'].strip()}\n"
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != payload["seed"]:
        problems.append("the seed does not follow from the pool digest and the announced numbers")
    if not 0 <= int(payload["ticket"]) < int(payload["denominator"]):
        problems.append(f"ticket {payload['ticket']} is outside 0..{payload['denominator']}")
    selection = payload["selection"]
    if len(set(selection)) != len(selection) or len(selection) != payload["panel_size"]:
        problems.append(
            f"{len(set(selection))} distinct people drawn for {payload['panel_size']} seats"
        )
    return problems


def verify_body(body: dict[str, Any]) -> list[Problem]:
    slug = body.get("slug", "?")
    prev = GENESIS
    # Each consultation's station reports seen so far, to check the closing count against.
    reports: dict[Any, dict[str, Any]] = {}
    for position, entry in enumerate(body.get("entries", []), 1):
        seq = entry.get("seq")
        if seq != position:
            return [Problem(slug, seq, f"expected entry number {position} (missing or reordered)")]
        if entry.get("prev_hash") != prev:
            return [Problem(slug, seq, "does not link to the previous entry")]
        try:
            found = _check_entry(entry, reports)
        except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError) as error:
            # A tampered field of the wrong shape is a bad entry to name, not a crash.
            found = [f"malformed entry ({type(error).__name__}: {error})"]
        if found:
            return [Problem(slug, seq, "; ".join(found))]
        prev = entry["hash"]
    if body.get("head") != prev:
        return [Problem(slug, None, "the published head is not the last entry (truncated?)")]
    return []


def _check_entry(entry: dict[str, Any], reports: dict[Any, dict[str, Any]]) -> list[str]:
    if _hash(entry) != entry.get("hash"):
        return ["hash does not match its content (altered)"]
    payload = entry["payload"]
    if entry["kind"] == "consultation.unit_reported":
        reports.setdefault(payload["consultation"], {})[payload["unit"]] = payload
        return []
    if entry["kind"] == "consultation.closed":
        return check_consultation(payload, reports.get(payload["consultation"], {}))
    checks = {
        "decision.made": check_decision,
        "budget.result": check_budget_result,
        "budget.spending": check_spending,
        "parliament.decision": check_parliament_decision,
        "election.counted": check_election,
        "lottery.drawn": check_draw,
    }
    check = checks.get(entry["kind"])
    return check(entry["payload"]) if check else []


def check_parliament_decision(payload: dict[str, Any]) -> list[str]:
    """A parliament's decision: the public votes recount to the counts, each vote's conformance
    follows from its mandate, and the majority of members is applied."""
    problems = check_decision(payload)
    recount = {"yes": 0, "no": 0, "abstain": 0}
    for _seat, _delegate, choice, mandate, conformance in payload["votes"]:
        recount[choice] = recount.get(choice, 0) + 1
        if not mandate:
            expected = "no_mandate"
        elif mandate == "free":
            expected = "free"
        else:
            expected = "conform" if mandate == choice else "deviation"
        if conformance != expected:
            problems.append(f"a vote {choice!r} under mandate {mandate!r} is not {conformance!r}")
    if recount != payload["counts"]:
        problems.append(f"public votes recount {recount} differs from {payload['counts']}")
    seats = [vote[0] for vote in payload["votes"]]
    if len(set(seats)) != len(seats):
        problems.append("a seat voted twice")
    return problems


def _people_approved(rule: dict[str, Any], node: dict[str, Any]) -> bool:
    """The level's people rule on the node's own totals (blank and spoilt ballots abstain)."""
    counts = {
        "yes": node["yes"],
        "no": node["no"],
        "abstain": node["cast"] - node["yes"] - node["no"],
    }
    needed = _needed(
        rule.get("people", "majority_of_votes"), counts, node["cast"], node["eligible"]
    )
    if needed is None:
        raise ValueError(f"unknown rule {rule.get('people')}")
    return needed > 0 and node["yes"] >= needed


def _turnout_reached(rule: dict[str, Any], node: dict[str, Any]) -> bool:
    """At least the quorum's share of the register cast a ballot (exact: cast * q_den >= ...)."""
    quorum = Fraction(str(rule.get("turnout_quorum", "0")))
    return not quorum or node["cast"] * quorum.denominator >= quorum.numerator * node["eligible"]


def _members_approved(
    rule: dict[str, Any], node: dict[str, Any], kids: list[dict[str, Any]]
) -> bool:
    """More than half of the weight of the member bodies directly below said yes (a member
    body where nobody reported yet weighs in the total, not in the yes)."""
    if not rule.get("members_majority") or not kids:
        return True
    yes = sum((Fraction(str(k.get("weight", "1"))) for k in kids if k["approved"]), Fraction(0))
    total = sum((Fraction(str(k.get("weight", "1"))) for k in kids), Fraction(0))
    return yes * 2 > total


# Each rule kind of a level: (name, test on the node and its member bodies). A new kind of
# rule (e.g. a strict turnout quorum) is one more row here.
LEVEL_CHECKS: tuple[
    tuple[str, Callable[[dict[str, Any], dict[str, Any], list[dict[str, Any]]], bool]], ...
] = (
    ("majority of the people", lambda rule, node, kids: _people_approved(rule, node)),
    ("turnout quorum", lambda rule, node, kids: _turnout_reached(rule, node)),
    ("majority of the member bodies", _members_approved),
)


def _sum_problems(results: list[dict[str, Any]]) -> list[str]:
    sums: dict[str, dict[str, int]] = {}
    for node in results:
        if node["parent"] is not None:
            total = sums.setdefault(node["parent"], {"eligible": 0, "cast": 0, "yes": 0, "no": 0})
            for key in total:
                total[key] += node[key]
    problems = []
    for node in results:
        if node["unit"] in sums and any(node[k] != v for k, v in sums[node["unit"]].items()):
            problems.append(f"{node['unit']} totals are not the sum of its members")
        if not 0 <= node["yes"] + node["no"] <= node["cast"] <= node["eligible"]:
            problems.append(f"{node['unit']} counts are impossible")
        if not Fraction(str(node.get("weight", "1"))) > 0:
            problems.append(f"{node['unit']} has a weight that is not positive")
    return problems


def _decided(
    payload: dict[str, Any], node: dict[str, Any], kids: list[dict[str, Any]]
) -> tuple[bool, str]:
    """Whether ``node`` approved under its level's rule, and the first rule kind that failed."""
    if node["reported"] == 0:
        return False, "no unit reported"
    rule = payload["rules"].get(node["level"], {})
    for name, check in LEVEL_CHECKS:
        if not check(rule, node, kids):
            return False, name
    return True, ""


def check_consultation(payload: dict[str, Any], reports: dict[str, Any] | None = None) -> list[str]:
    """A closed consultation, at every level of the tree: each body's totals are the sums of
    its members' totals, each leaf's count is the one its station reported earlier in the
    record, and each body's result follows from its level's rule (people, turnout quorum,
    weighted majority of member bodies), the root's being the consultation's."""
    results = payload["results"]
    problems = _sum_problems(results)
    children: dict[str, list[dict[str, Any]]] = {}
    for node in results:
        if node["parent"] is not None:
            children.setdefault(node["parent"], []).append(node)
    for node in results:
        kids = children.get(node["unit"], [])
        if not kids and reports is not None:
            problems.extend(_leaf_against_report(node, reports.get(node["unit"])))
        approved, failed = _decided(payload, node, kids)
        if approved != node["approved"]:
            why = f" ({failed})" if failed else ""
            problems.append(
                f"{node['unit']}: recorded approved={node['approved']} but its level's rule"
                f" gives {approved}{why}"
            )
    root = next(node for node in results if node["parent"] is None)
    if root["approved"] != payload["approved"]:
        problems.append(
            f"recorded approved={payload['approved']} but the root gives {root['approved']}"
        )
    return problems


_REPORTED = ("eligible", "yes", "no")


def _leaf_against_report(node: dict[str, Any], report: dict[str, Any] | None) -> list[str]:
    if report is None:
        counted = node["reported"] or any(node[key] for key in ("eligible", "cast", "yes", "no"))
        return [f"{node['unit']} counted without a report"] if counted else []
    cast = report["yes"] + report["no"] + report["empty"] + report["invalid"]
    if any(node[key] != report[key] for key in _REPORTED) or node["cast"] != cast:
        return [f"{node['unit']} differs from its reported count"]
    return []


def verify_export(data: dict[str, Any]) -> list[Problem]:
    if data.get("format") != FORMAT:
        return [Problem("export", None, f"unknown format {data.get('format')!r}")]
    problems: list[Problem] = []
    for body in data.get("bodies", []):
        problems.extend(verify_body(body))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Comuna public-record export.")
    parser.add_argument("export", help="the JSON file written by `comuna export` ('-' for stdin)")
    args = parser.parse_args(argv)
    try:
        if args.export == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.export, encoding="utf-8") as handle:
                data = json.load(handle)
        problems = verify_export(data)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read the export: {error}", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(f"FAILED {problem}", file=sys.stderr)
        return 1
    bodies = data.get("bodies", [])
    total = sum(len(body.get("entries", [])) for body in bodies)
    print(f"OK: {len(bodies)} bodies, {total} entries, every hash and tally checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
