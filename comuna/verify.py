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
from dataclasses import dataclass
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
    for position, entry in enumerate(body.get("entries", []), 1):
        seq = entry.get("seq")
        if seq != position:
            return [Problem(slug, seq, f"expected entry number {position} (missing or reordered)")]
        if entry.get("prev_hash") != prev:
            return [Problem(slug, seq, "does not link to the previous entry")]
        try:
            found = _check_entry(entry)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A tampered field of the wrong shape is a bad entry to name, not a crash.
            found = [f"malformed entry ({type(error).__name__}: {error})"]
        if found:
            return [Problem(slug, seq, "; ".join(found))]
        prev = entry["hash"]
    if body.get("head") != prev:
        return [Problem(slug, None, "the published head is not the last entry (truncated?)")]
    return []


def _check_entry(entry: dict[str, Any]) -> list[str]:
    if _hash(entry) != entry.get("hash"):
        return ["hash does not match its content (altered)"]
    if entry["kind"] == "decision.made":
        return check_decision(entry["payload"])
    if entry["kind"] == "lottery.drawn":
        return check_draw(entry["payload"])
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
