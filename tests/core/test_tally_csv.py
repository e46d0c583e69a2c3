"""CSV of unit reports, and the ``comuna tally`` command on it."""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from pathlib import Path

import pytest

from comuna.commands import tally as tally_command
from comuna.core.errors import InputError
from comuna.core.nested import Unit
from comuna.core.tally_csv import parse_unit_reports

BY_PATH = """unit,path,eligible,yes,no,empty,invalid,weight
BS,CH,,,,,,1/2
BS-1,CH/BS,100,30,20,1,0,
BS-2,CH/BS,100,10,40,0,1,
ZH-1,CH/ZH,200,90,60,0,0,
ZH-2,CH/ZH,,,,,,
"""

BY_PARENT = """unit,parent,level,eligible,yes,no,empty,invalid,cast
c1,commune,council,10,5,3,1,0,9
c2,commune,council,10,2,2,0,0,
commune,,commune,,,,,,
"""


def test_it_reads_a_tree_by_paths_with_weights_and_pending_units() -> None:
    parsed = parse_unit_reports(BY_PATH, ("federation", "state", "council"))
    units = {u.id: u for u in parsed.units}
    assert units["CH"] == Unit("CH", None, "federation")
    assert units["BS"] == Unit("BS", "CH", "state", Fraction(1, 2))
    assert units["ZH-2"] == Unit("ZH-2", "ZH", "council")
    assert [r.unit for r in parsed.reports] == ["BS-1", "BS-2", "ZH-1"]
    assert parsed.reports[1].invalid == 1


def test_it_reads_a_tree_by_parent_ids_in_any_row_order() -> None:
    parsed = parse_unit_reports(BY_PARENT.splitlines())
    assert {u.id: (u.parent, u.level) for u in parsed.units} == {
        "c1": ("commune", "council"),
        "c2": ("commune", "council"),
        "commune": (None, "commune"),
    }
    assert parsed.reports[0].cast == 9


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("unit,eligible,yes,no,empty,invalid\n", "tally_csv.header", 1),
        ("unit,parent,path,eligible,yes,no,empty,invalid\n", "tally_csv.header", 1),
        ("unit,parent,eligible,yes,no,empty,invalid\na,,1,x,0,0,0\n", "tally_csv.bad_number", 2),
        ("unit,parent,eligible,yes,no,empty,invalid\na,,1,-1,0,0,0\n", "tally_csv.bad_number", 2),
        ("unit,parent,eligible,yes,no,empty,invalid\na,,1,1,,0,0\n", "tally_csv.partial_counts", 2),
        ("unit,parent,eligible,yes,no,empty,invalid\n,,1,1,0,0,0\n", "tally_csv.no_unit", 2),
        (
            "unit,parent,eligible,yes,no,empty,invalid\na,,1,1,0,0,0,9\n",
            "tally_csv.extra_fields",
            2,
        ),
        (
            "unit,parent,eligible,yes,no,empty,invalid\na,r,1,1,0,0,0\na,r,1,1,0,0,0\n",
            "tally_csv.duplicate_unit",
            3,
        ),
        ("unit,path,eligible,yes,no,empty,invalid\na,r//b,1,1,0,0,0\n", "tally_csv.bad_path", 2),
        (
            "unit,path,eligible,yes,no,empty,invalid\nx,r/a,1,1,0,0,0\ny,r/b/a,1,1,0,0,0\n",
            "tally_csv.two_parents",
            3,
        ),
        (
            "unit,parent,weight,eligible,yes,no,empty,invalid\na,,one,1,1,0,0,0\n",
            "tally_csv.bad_weight",
            2,
        ),
    ],
)
def test_it_names_the_line_of_a_malformed_row(text: str, code: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_unit_reports(text)
    assert caught.value.code == code
    assert caught.value.params["line"] == line
    assert f"Line {line}" in str(caught.value)


def _run(tmp_path: Path, text: str, *rules: str, levels: str = "") -> int:
    path = tmp_path / "reports.csv"
    path.write_text(text, encoding="utf-8")
    return tally_command.run(argparse.Namespace(file=path, levels=levels, rule=list(rules)))


def test_it_prints_the_roll_up_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(
        tmp_path, BY_PATH, "federation=members,quorum=1/3", levels="federation,state,council"
    )
    output = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(output["digest"]) == 64
    root = output["nodes"][0]
    assert (root["unit"], root["yes"], root["no"], root["cast"]) == ("CH", 130, 120, 252)
    assert (root["units_reported"], root["units_expected"], root["final"]) == (3, 4, False)
    assert root["members"] == {"yes": "1", "no": "1/2", "pending": "0"}
    assert (root["yes_percent"], root["turnout_needed"], root["approved"]) == ("52.00", 134, True)
    assert output["rules"]["federation"]["turnout_quorum"] == "1/3"


def test_it_reports_bad_input_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, "unit,parent,eligible,yes,no,empty,invalid\na,,1,2,0,0,0\n") == 1
    assert "[nested.turnout_above_electorate]" in capsys.readouterr().err
    assert _run(tmp_path, BY_PATH, "federation=members,quorum=half") == 1
    assert "[tally.bad_rule_spec]" in capsys.readouterr().err
    missing = argparse.Namespace(file=tmp_path / "none.csv", levels="", rule=[])
    assert tally_command.run(missing) == 2


def test_it_parses_rule_specs() -> None:
    level, rule = tally_command.parse_rule("state=majority_of_attendees,tie=refuse,quorum=1/4")
    assert (level, rule.people, rule.tie, rule.turnout_quorum) == (
        "state",
        "majority_of_attendees",
        "refuse",
        Fraction(1, 4),
    )
    with pytest.raises(InputError):
        tally_command.parse_rule("no-equals-sign")


def test_it_parses_a_strict_turnout_quorum() -> None:
    level, rule = tally_command.parse_rule("commune=over=3/20")
    assert (level, rule.turnout_quorum, rule.turnout_strict) == ("commune", Fraction(3, 20), True)


def test_it_runs_the_command_without_importing_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, comuna.commands.tally; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "[]")
