#!/usr/bin/env python3
"""Independent verifier of a Comuna public-record export. Standard library only.

Anyone can copy this one file and run ``python verify.py EXPORT.json``: it recomputes every
hash of every body's chain and re-checks every recorded tally (the counts against the ballot
box or roll call, the majority against the rule, a lottery's seed against its published
inputs, a treasury entry's balance, numbering and reversals, an STV election counted again
from its ranked ballots under the Scottish rules), and names the first bad entry.
It shares no code with Comuna on purpose (ADR 0003): a bug in Comuna's hashing cannot hide itself here.
Importable: ``verify_export(data) -> list[Problem]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
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


# Scottish STV counts in whole 1/100000 votes (the statute truncates to five decimals).
STV_SCALE = 10**5


class TieNeedsLot(Exception):
    """The count reached a tie that earlier stages do not break and no lot was recorded."""


@dataclass(frozen=True)
class StvStage:
    action: str
    candidate: int | None
    totals: tuple[int, ...]
    non_transferable: int
    elected: tuple[int, ...]


@dataclass(frozen=True)
class StvRecount:
    valid: int
    quota: int
    elected: tuple[int, ...]
    alternates: tuple[int, ...]
    stages: tuple[StvStage, ...]


class ScottishStv:
    """A Scottish STV count (SSI 2007/42 Schedule 1, rules 45-52), written from the statute
    and docs/methods/stv.md, not from Comuna's core. Candidates are 0..n-1; a ballot is
    (papers, preferences); ``lot`` lists candidates most favoured first."""

    def __init__(
        self, n: int, seats: int, ballots: list[tuple[int, list[int]]], lot: list[int] | None
    ) -> None:
        papers: dict[tuple[int, ...], int] = {}
        for weight, prefs in ballots:
            if prefs:  # a paper with no preference is blank, not a valid vote
                papers[tuple(prefs)] = papers.get(tuple(prefs), 0) + weight
        self.rankings, self.weights = list(papers), list(papers.values())
        self.seats, self.valid = seats, sum(papers.values())
        self.quota = (self.valid // (seats + 1) + 1) * STV_SCALE  # rule 46
        self.lot = {c: place for place, c in enumerate(lot)} if lot is not None else None
        self.standing, self.totals = [True] * n, [0] * n
        # What each candidate holds: (ranking, position in it, value) -> papers.
        self.held: list[dict[tuple[int, int, int], int]] = [{} for _ in range(n)]
        self.history: list[tuple[int, ...]] = []
        self.elected: list[int] = []
        self.surpluses: list[int] = []
        self.stages: list[StvStage] = []
        self.lost = 0

    def _pick(self, tied: list[int], highest: bool, by_lot: bool) -> int:
        """Rules 49(2)-(3), 51(2): the most recent earlier stage at which they differed (those
        still level there go further back), then the lot, or ballot order for mere order."""
        for past in reversed(self.history[:-1]):
            best = max(past[c] for c in tied) if highest else min(past[c] for c in tied)
            tied = [c for c in tied if past[c] == best]
            if len(tied) == 1:
                return tied[0]
        if not by_lot:
            return min(tied)
        if self.lot is None:
            raise TieNeedsLot(f"candidates {tied} tie and no lot was recorded")
        place = self.lot.__getitem__
        return min(tied, key=place) if highest else max(tied, key=place)

    def _first(self, group: list[int], surplus_follows: bool) -> int:
        top = max(self.totals[c] for c in group)
        tied = [c for c in group if self.totals[c] == top]
        return (
            tied[0]
            if len(tied) == 1
            else self._pick(tied, True, surplus_follows and top > self.quota)
        )

    def _ranked(self, group: list[int], surplus_follows: bool) -> list[int]:
        group, ordered = list(group), []
        while group:
            ordered.append(self._first(group, surplus_follows))
            group.remove(ordered[-1])
        return ordered

    def _end_stage(self, action: str, who: int | None, gains: list[int]) -> None:
        self.totals = [t + g for t, g in zip(self.totals, gains, strict=True)]
        self.history.append(tuple(self.totals))
        new: list[int] = []
        vacancies = self.seats - len(self.elected)
        if vacancies:  # rule 47: everyone at or above the quota, the largest first
            reached = [
                c for c, on in enumerate(self.standing) if on and self.totals[c] >= self.quota
            ]
            new = self._ranked(reached, len(reached) < vacancies)
        for c in new:
            self.standing[c] = False
            self.elected.append(c)
            if self.totals[c] > self.quota:
                self.surpluses.append(c)
        self.stages.append(StvStage(action, who, tuple(self.totals), self.lost, tuple(new)))

    def _move(self, source: int, share: int, whole: int) -> tuple[list[int], int]:
        """Every paper of ``source`` to its next continuing preference, its value times
        ``share / whole`` truncated to 1/100000 (rule 48(3)); returns gains and dead units."""
        gains, dead = [0] * len(self.totals), 0
        for (r, pos, old), papers in self.held[source].items():
            ranking, new = self.rankings[r], share * old // whole
            nxt = next((p for p in range(pos + 1, len(ranking)) if self.standing[ranking[p]]), None)
            if nxt is None:
                dead += papers * new
                continue
            pile = self.held[ranking[nxt]]
            pile[(r, nxt, new)] = pile.get((r, nxt, new), 0) + papers
            gains[ranking[nxt]] += papers * new
        self.held[source] = {}
        return gains, dead

    def _surplus(self) -> None:
        """Rules 48-49: the largest surplus; every paper moves, its value truncated."""
        who = self._first(self.surpluses, True)
        self.surpluses.remove(who)
        surplus = self.totals[who] - self.quota
        gains, _dead = self._move(who, surplus, self.totals[who])
        self.lost += surplus - sum(gains)  # dead papers and truncation remainders
        gains[who] = -surplus
        self._end_stage("surplus", who, gains)

    def _exclusion(self, standing: list[int]) -> None:
        """Rules 50-51: the lowest goes; papers move at the value they came with."""
        low = min(self.totals[c] for c in standing)
        tied = [c for c in standing if self.totals[c] == low]
        who = tied[0] if len(tied) == 1 else self._pick(tied, False, True)
        self.standing[who] = False
        gains, dead = self._move(who, 1, 1)
        self.lost += dead
        gains[who] = -self.totals[who]
        self._end_stage("exclusion", who, gains)

    def count(self) -> StvRecount:
        gains = [0] * len(self.totals)
        for r, (ranking, papers) in enumerate(zip(self.rankings, self.weights, strict=True)):
            self.held[ranking[0]][(r, 0, STV_SCALE)] = papers
            gains[ranking[0]] += papers * STV_SCALE
        self._end_stage("first_preferences", None, gains)
        while len(self.elected) < self.seats:
            standing = [c for c, on in enumerate(self.standing) if on]
            if len(standing) <= self.seats - len(self.elected):  # rule 52
                rest = tuple(self._ranked(standing, False))
                self.elected.extend(rest)
                self.stages[-1] = replace(self.stages[-1], elected=self.stages[-1].elected + rest)
                break
            if self.surpluses:
                self._surplus()
            else:
                self._exclusion(standing)
        return StvRecount(
            self.valid,
            self.quota // STV_SCALE,
            tuple(self.elected),
            self._alternates(),
            tuple(self.stages),
        )

    def _alternates(self) -> tuple[int, ...]:
        """ADR 0051: the others by how long they stayed (continuing by final votes, then
        the last excluded first), as many as the seats."""
        out = {s.candidate: i for i, s in enumerate(self.stages) if s.action == "exclusion"}
        others = [c for c in range(len(self.totals)) if c not in self.elected]
        others.sort(key=lambda c: (-out.get(c, len(self.stages)), -self.totals[c]))
        return tuple(others[: self.seats])


def _stv_ballots(payload: dict[str, Any], index: dict[int, int]) -> list[tuple[int, list[int]]]:
    """Phone ballots (receipt, numbers in order) or an uploaded file's (papers, numbers)."""
    if "ranked_ballots" in payload:
        return [(w, [index[n] for n in marks]) for w, marks in payload["ranked_ballots"]]
    return [(1, [index[n] for n in marks]) for _receipt, marks in payload["ballots"]]


def _units(text: str) -> int:
    return int(Decimal(text).scaleb(5))


def _stage_problem(number: int, recorded: dict[str, Any], ours: StvStage, names: list[int]) -> str:
    who = None if ours.candidate is None else str(names[ours.candidate])
    if (recorded["action"], recorded["candidate"]) != (ours.action, who):
        return f"stage {number} is {recorded['action']} {recorded['candidate']}, the recount's is {ours.action} {who}"
    if [_units(t) for t in recorded["totals"]] != list(ours.totals):
        return f"stage {number} totals differ from the recount"
    if _units(recorded["non_transferable"]) != ours.non_transferable:
        return f"stage {number} non-transferable votes differ from the recount"
    if recorded["elected"] != [str(names[c]) for c in ours.elected]:
        return f"stage {number} elects {recorded['elected']}, the recount {[names[c] for c in ours.elected]}"
    return ""


def check_stv(payload: dict[str, Any]) -> list[str]:
    """Recount a Scottish STV election from the ballots in the record, with the recorded lot,
    and compare quota, valid papers, every stage, the elected in order and the alternates.
    Records from before ballot files were kept (ADR 0094) are checked for their quota only."""
    result, stv = payload["result"], payload["result"]["stv"]
    if "ranked_ballots" not in payload and "ballots" not in payload:
        quota = stv["valid"] // (result["seats"] + 1) + 1
        return [] if stv["quota"] == quota else [f"quota {stv['quota']} but the rule gives {quota}"]
    names: list[int] = stv["candidates"]
    index = {n: i for i, n in enumerate(names)}
    lot = [index[n] for n in result["lot"]] if result.get("lot") is not None else None
    try:
        ours = ScottishStv(len(names), result["seats"], _stv_ballots(payload, index), lot).count()
    except TieNeedsLot as tie:
        return [f"the recount meets a tie the recorded lot does not settle ({tie})"]
    if (stv["valid"], stv["quota"]) != (ours.valid, ours.quota):
        return [
            f"valid {stv['valid']} and quota {stv['quota']}, the ballots give {ours.valid} and {ours.quota}"
        ]
    # The first stage that differs names the problem best; then a missing or extra stage.
    for number, (recorded, stage) in enumerate(zip(stv["stages"], ours.stages, strict=False), 1):
        problem = _stage_problem(number, recorded, stage, names)
        if problem:
            return [problem]
    if len(stv["stages"]) != len(ours.stages):
        return [f"{len(stv['stages'])} stages recorded, the recount has {len(ours.stages)}"]
    problems = []
    for role in ("principals", "alternates"):
        recorded = [n for n, _resident in result[role]]
        expected = [names[c] for c in getattr(ours, "elected" if role == "principals" else role)]
        if recorded != expected:
            problems.append(
                f"the recount's {role} are {expected} in order, the record's {recorded}"
            )
    return problems


def check_election(payload: dict[str, Any]) -> list[str]:
    """Re-check a counted election. Uninominal: the phone ballots (when recorded) give the
    recorded votes, and nobody left out had more votes than someone elected (the seats) or
    chosen as alternate. STV: the recorded ballots are recounted (``check_stv``)."""
    result = payload["result"]
    if result["method"] == "stv":
        return check_stv(payload)
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


class Ledger:
    """What the verifier remembers of a body's treasury while it walks the record: each
    entry's lines by number, which entries were reversed, and the money accounts' balances."""

    def __init__(self) -> None:
        self.lines: dict[int, list[tuple[str, Decimal]]] = {}
        self.reversed: set[int] = set()
        self.money: dict[str, Decimal] = {}

    def check(self, payload: dict[str, Any]) -> list[str]:
        """One ``ledger.entry``: numbered next, at least two non-zero lines in cents summing to
        zero, a reversal mirroring an original not reversed before, no asset below zero."""
        number = payload["number"]
        lines = [(ln["account"], Decimal(ln["amount"])) for ln in payload["lines"]]
        problems = []
        if number != len(self.lines) + 1:
            problems.append(f"ledger entry {number} follows entry {len(self.lines)}")
        if len(lines) < 2 or any(a == 0 or a != a.quantize(Decimal("0.01")) for _c, a in lines):
            problems.append(f"ledger entry {number} has too few, zero or fractional-cent lines")
        total = sum((amount for _code, amount in lines), Decimal(0))
        if total != 0:
            problems.append(f"ledger entry {number} does not balance (off by {total})")
        problems.extend(self._reversal(number, payload["reverses"], lines))
        for line in payload["lines"]:
            if line["kind"] == "asset":
                code = line["account"]
                self.money[code] = self.money.get(code, Decimal(0)) + Decimal(line["amount"])
                if self.money[code] < 0:
                    problems.append(f"account {code} goes below zero at entry {number}")
        self.lines[number] = lines
        return problems

    def _reversal(
        self, number: int, original: int | None, lines: list[tuple[str, Decimal]]
    ) -> list[str]:
        if original is None:
            return []
        if original not in self.lines or original in self.reversed:
            return [f"ledger entry {number} reverses {original}, unknown or already reversed"]
        self.reversed.add(original)
        if lines != [(code, -amount) for code, amount in self.lines[original]]:
            return [f"ledger entry {number} does not mirror entry {original}"]
        return []


def verify_body(body: dict[str, Any]) -> list[Problem]:
    slug = body.get("slug", "?")
    prev = GENESIS
    treasury = Ledger()
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
            if not found and entry["kind"] == "ledger.entry":
                found = treasury.check(entry["payload"])
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
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
    """At least the quorum's share of the register cast a ballot (exact: cast * q_den >= ...),
    or more than it when the rule is strict (LOC Art. 50, ADR 0066)."""
    quorum = Fraction(str(rule.get("turnout_quorum", "0")))
    cast: int = node["cast"] * quorum.denominator
    share: int = quorum.numerator * node["eligible"]
    if rule.get("turnout_strict"):
        return cast > share
    return not quorum or cast >= share


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
# rule is one more row here (the strict turnout quorum is a variant of the turnout row).
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
