"""`comuna stv`: one JSON object per file, errors included, without Django."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from comuna.commands import stv

TIED = '4 1\n3 1 0\n2 2 0\n1 3 0\n1 4 0\n0\nAnn\nBob\n"Cat ""C"""\nDan\nTown\n'
CLEAR = '3 2\n5 1 2 0\n2 1 3 0\n1 2 0\n3 3 0\n0\n"A"\n"B"\n"C"\n"Clear"\n'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    parser = argparse.ArgumentParser()
    stv.add_arguments(parser)
    status = stv.run(parser.parse_args(list(argv)))
    lines = capsys.readouterr().out.splitlines()
    return status, [json.loads(line) for line in lines]


def test_it_prints_winners_in_order_and_every_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clear.blt"
    path.write_text(CLEAR, encoding="utf-8")
    status, [output] = run(capsys, str(path))
    assert status == 0
    assert output["file"] == str(path)
    assert output["title"] == "Clear"
    assert output["quota"] == 4
    assert output["elected"] == ["A", "C"]
    assert output["stages"][1]["totals"] == ["4.00000", "3.14285", "3.85714"]
    assert output["stages"][1]["action"] == "surplus"


def test_it_refuses_a_tie_without_a_lot_and_counts_with_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tied.blt"
    path.write_text(TIED, encoding="utf-8")
    status, [output] = run(capsys, str(path))
    assert status == 1
    assert output["error"]["code"] == "stv.tie"
    status, [output] = run(capsys, "--lot-order", "1,2,4,3", str(path))
    assert status == 0
    assert output["ties"][0]["chosen"] == 'Cat "C"'
    assert output["ties"][0]["decided_by"] == "lot"
    status, [output] = run(capsys, "--seed", "published-seed", str(path))
    assert status == 0


def test_it_reports_each_bad_file_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.blt"
    good.write_text(CLEAR, encoding="utf-8")
    bad = tmp_path / "bad.blt"
    bad.write_text("3 2\n5 1 9 0\n0\nA\nB\nC\nT\n", encoding="utf-8")
    status, outputs = run(capsys, str(bad), str(tmp_path / "missing.blt"), str(good))
    assert status == 1
    assert outputs[0]["error"]["code"] == "blt.bad_candidate"
    assert outputs[0]["error"]["params"]["line"] == 2
    assert outputs[1]["error"]["code"] == "file.unreadable"
    assert outputs[2]["elected"] == ["A", "C"]


def test_it_refuses_a_lot_order_that_is_not_every_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tied.blt"
    path.write_text(TIED, encoding="utf-8")
    status, [output] = run(capsys, "--lot-order", "1,2", str(path))
    assert status == 1
    assert output["error"]["code"] == "stv.bad_lot_order"


def test_it_is_registered_in_the_comuna_command() -> None:
    from comuna.cli import COMMANDS

    assert COMMANDS["stv"] == "comuna.commands.stv"
