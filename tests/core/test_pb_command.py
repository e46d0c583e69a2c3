"""``comuna pb``: JSON out, errors as a message and exit code 1."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from comuna.commands import pb


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    pb.add_arguments(parser)
    code = pb.run(parser.parse_args(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_the_assen_selection(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([str(shared_data / "pb" / "Netherlands_Assen_2024.pb"), "--detail"], capsys)
    result = json.loads(out)
    assert code == 0
    assert (len(result["selected"]), result["total_cost"]) == (9, "76700")
    assert result["endowment"] == "2033" and len(result["rounds"]) == 9


def test_it_runs_greedy(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [str(shared_data / "pb" / "Netherlands_Assen_2024.pb"), "--rule", "greedy"], capsys
    )
    assert code == 0 and json.loads(out)["total_cost"] == "99200"


def test_it_reports_a_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;x\nVOTES\nvoter_id;vote\n"
    )
    code, out, err = run([str(bad)], capsys)
    assert code == 1 and out == "" and "Line 6" in err


def test_it_builds_only_the_parser_of_the_command_run() -> None:
    from comuna.cli import build_parser

    parser = build_parser("pb")
    args = parser.parse_args(["pb", "x.pb"])
    assert args.command == "pb"
    with pytest.raises(SystemExit):
        parser.parse_args(["stv", "x.blt"])
