"""Tamper evidence: any change to an exported record is caught by the independent verifier.

A council decides by secret phone vote, roll call and hand count; its record is exported and
then edited in hundreds of seeded random ways. ``comuna.verify`` must flag every edit and name
the first entry that differs from the original (by the ``seq`` written in the file), or the
body itself when only the end of the chain was cut or the published head was changed.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from hypothesis import given, settings
from hypothesis import strategies as st

from comuna import cli, verify
from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Motion
from comuna.bodies.export import export_record
from comuna.commands import export as export_command
from comuna.core import record
from comuna.core.tally import VoteCounts
from tests import builders

ROOT = Path(__file__).resolve().parents[2]
SEED, TRIALS = 20090126, 600


@pytest.fixture
def exported(db) -> dict[str, Any]:
    """One council, 12 members present, three decisions (secret phone, roll call, hand count)."""
    body = builders.make_council(12)
    marta = User.objects.get(username="marta")
    assembly = builders.open_with_quorum(builders.convene(body))
    present = list(assembly.attendance.order_by("pk"))
    phone = builders.motion(assembly, Motion.Method.SECRET_PHONE, title="Presupuesto 2025")
    for n, attendance in enumerate(present[:10]):
        assemblies.cast_ballot(phone, attendance.voting_code, ["yes", "no", "yes"][n % 3])
    assemblies.close_vote(phone, by=marta)
    roll = builders.motion(assembly, Motion.Method.OPEN_ROLL, title="Jornada de limpieza")
    for n, attendance in enumerate(present):
        assemblies.cast_roll_call_vote(
            roll, attendance.resident, "yes" if n < 5 else "no", by=marta
        )
    assemblies.close_vote(roll, by=marta)
    hand = builders.motion(assembly, Motion.Method.OPEN_COUNT, title="Arreglar la cancha")
    assemblies.close_vote(hand, by=marta, counts=VoteCounts(7, 3, 2))
    assemblies.close_assembly(assembly, by=marta)
    data = export_record([body])
    assert verify.verify_export(data) == []
    return data


# --- random tampering -------------------------------------------------------------------------


def leaf_paths(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for key in sorted(value) for p in leaf_paths(value[key], (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in leaf_paths(item, (*path, i))]
    return [path]


def altered(value: Any, rng: random.Random) -> Any:
    """A different value, sometimes of another shape, as an attacker or a bad disk might write."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([-1, 1, 1000]) if rng.random() < 0.9 else str(value)
    if value is None:
        return 0
    if rng.random() < 0.5 and len(value) > 0:
        i = rng.randrange(len(value))
        return value[:i] + ("0" if value[i] != "0" else "1") + value[i + 1 :]
    return value + rng.choice(["x", " ", "\u00e9"])


def edit_one_field(entries: list[dict], rng: random.Random) -> None:
    entry = rng.choice(entries)
    path = rng.choice(leaf_paths(entry))
    target = entry
    for step in path[:-1]:
        target = target[step]
    if path[-1] == "recorded_at" and rng.random() < 0.5:
        moment = dt.datetime.fromisoformat(target["recorded_at"]) + dt.timedelta(microseconds=1)
        target["recorded_at"] = moment.isoformat()
    else:
        target[path[-1]] = altered(target[path[-1]], rng)


def tamper(data: dict[str, Any], rng: random.Random) -> str:
    body = data["bodies"][0]
    entries = body["entries"]
    how = rng.choice(["edit", "edit", "edit", "delete", "reorder", "truncate", "head"])
    if how == "edit":
        edit_one_field(entries, rng)
    elif how == "delete":
        del entries[rng.randrange(len(entries))]
    elif how == "reorder":
        i, j = sorted(rng.sample(range(len(entries)), 2))
        entries[i], entries[j] = entries[j], entries[i]
    elif how == "truncate":
        del entries[rng.randrange(len(entries)) :]
    else:
        body["head"] = altered(body["head"], rng)
    return how


def first_difference(original: list[dict], tampered: list[dict]) -> int | None:
    """The ``seq`` written in the first tampered entry, None when the entries are a prefix."""
    for before, after in zip(original, tampered, strict=False):
        if before != after:
            return after.get("seq")
    return None


def test_it_catches_every_random_edit_deletion_reordering_and_truncation(exported):
    rng = random.Random(SEED)
    slug, original = exported["bodies"][0]["slug"], exported["bodies"][0]["entries"]
    assert len(original) > 15 and any("ballots" in e["payload"] for e in original)
    seen: dict[str, int] = {}
    for trial in range(TRIALS):
        data = copy.deepcopy(exported)
        how = tamper(data, rng)
        seen[how] = seen.get(how, 0) + 1
        assert data != exported, f"trial {trial} ({how}) changed nothing"
        problems = verify.verify_export(data)
        assert len(problems) == 1, f"trial {trial} ({how}) undetected"
        expected = first_difference(original, data["bodies"][0]["entries"])
        assert (problems[0].body, problems[0].seq) == (slug, expected), (trial, how, problems)
    assert min(seen.values()) > 30 and len(seen) == 5


# --- a consistent forger: rewrites the tally and the hash chain after it ------------------------


def rechain(body: dict[str, Any], start: int) -> None:
    """Recompute every hash from position ``start`` on, and the head, as a forger would."""
    entries = body["entries"]
    for entry in entries[start:]:
        entry["prev_hash"] = (
            entries[entries.index(entry) - 1]["hash"] if entry["seq"] > 1 else record.GENESIS
        )
        entry["hash"] = record.entry_hash(
            entry["prev_hash"], entry["seq"], entry["kind"], entry["payload"], entry["recorded_at"]
        )
    body["head"] = entries[-1]["hash"]


@pytest.mark.parametrize("evidence", ["ballots", "roll_call"])
def test_it_catches_a_forged_tally_even_with_the_chain_rewritten(exported, evidence):
    data = copy.deepcopy(exported)
    body = data["bodies"][0]
    position = next(i for i, e in enumerate(body["entries"]) if evidence in e["payload"])
    forged = body["entries"][position]["payload"]
    forged["counts"]["yes"], forged["counts"]["no"] = (
        forged["counts"]["no"],
        forged["counts"]["yes"],
    )
    forged["approved"] = not forged["approved"]
    rechain(body, position)
    problems = verify.verify_export(data)
    assert [(p.seq, f"{evidence} recount" in p.message) for p in problems] == [
        (body["entries"][position]["seq"], True)
    ]


def test_it_accepts_a_rechained_copy_without_changes(exported):
    # The forger's rechain is faithful: on unchanged data it reproduces the original hashes.
    data = copy.deepcopy(exported)
    rechain(data["bodies"][0], 0)
    assert data == exported


# --- the command line ------------------------------------------------------------------------


def test_it_exports_and_verifies_from_the_command_line(exported, tmp_path, capsys):
    assert export_command.run(argparse.Namespace(body=None)) == 0
    good = tmp_path / "record.json"
    good.write_text(capsys.readouterr().out, encoding="utf-8")
    assert json.loads(good.read_text(encoding="utf-8")) == exported
    assert cli.main(["verify", str(good)]) == 0
    tampered = json.loads(good.read_text(encoding="utf-8"))
    tampered["bodies"][0]["entries"][3]["payload"]["electorate"] += 1
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(tampered), encoding="utf-8")
    assert cli.main(["verify", str(bad)]) == 1
    assert "entry 4: hash does not match" in capsys.readouterr().err
    for args in (
        [sys.executable, "-m", "comuna.cli", "verify"],
        [sys.executable, "comuna/verify.py"],
    ):
        assert subprocess.run([*args, str(good)], cwd=ROOT, capture_output=True).returncode == 0
        assert subprocess.run([*args, str(bad)], cwd=ROOT, capture_output=True).returncode == 1
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    assert cli.main(["verify", str(garbage)]) == 2


# --- two implementations of the hash agree -----------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.timezones()
)


@settings(max_examples=150, deadline=None)
@given(
    prev=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    seq=st.integers(min_value=1, max_value=10**9),
    kind=st.text(min_size=1, max_size=40),
    payload=st.dictionaries(st.text(), json_values, max_size=6),
    moment=moments,
)
def test_it_hashes_the_same_in_comuna_and_in_the_verifier(prev, seq, kind, payload, moment):
    ours = record.entry_hash(prev, seq, kind, payload, record.timestamp(moment))
    entry = {"seq": seq, "kind": kind, "payload": payload, "prev_hash": prev}
    # The verifier normalises any offset to UTC, so a local-time stamp hashes the same.
    for written in (record.timestamp(moment), moment.isoformat(timespec="microseconds")):
        assert verify._hash({**entry, "recorded_at": written}) == ours
