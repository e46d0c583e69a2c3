"""pabulib .pb text: parsing, writing back, and errors that name the line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comuna.core.errors import InputError
from comuna.core.pabulib import check_ballot_limits, parse_pb, to_election, write_pb

SMALL = """META
key;value
description;Small test
num_projects;3
num_votes;3
budget;100
vote_type;approval
max_length;2
PROJECTS
project_id;cost;name
1;60;"Park; with trees"
2;40;Library
3;50;Bike lane
VOTES
voter_id;vote
a;1,2
b;2
c;3,1
"""


def test_it_reads_meta_projects_and_votes() -> None:
    pb = parse_pb(SMALL)
    assert pb.budget == Decimal(100)
    assert pb.vote_type == "approval"
    assert [p.project_id for p in pb.projects] == ["1", "2", "3"]
    assert pb.projects[0].get("name") == "Park; with trees"
    assert pb.votes[2].projects == ("3", "1")


def test_it_writes_text_that_reads_back_the_same() -> None:
    pb = parse_pb(SMALL)
    assert parse_pb(write_pb(pb)) == pb
    assert parse_pb(SMALL.splitlines()) == pb


def test_it_reads_cumulative_points() -> None:
    text = SMALL.replace("approval", "cumulative").replace("voter_id;vote", "voter_id;vote;points")
    text = (
        text.replace("a;1,2", "a;1,2;3,2").replace("b;2\n", "b;2;5\n").replace("c;3,1", "c;3,1;1,4")
    )
    pb = parse_pb(text)
    assert pb.votes[0].points == (3, 2)
    assert to_election(pb).ballots[2].weights == (("3", 1), ("1", 4))
    assert parse_pb(write_pb(pb)) == pb


@pytest.mark.parametrize(
    ("change", "code", "line"),
    [
        (("b;2\n", "b;9\n"), "pb.bad_vote", 17),
        (("2;40;Library", "2;forty;Library"), "pb.bad_number", 12),
        (("3;50;Bike lane", "3;50"), "pb.bad_row", 13),
        (("c;3,1", "a;3,1"), "pb.duplicate_voter", 18),
        (("2;40;Library", "1;40;Library"), "pb.duplicate_project", 12),
    ],
)
def test_it_names_the_line_of_a_malformed_row(
    change: tuple[str, str], code: str, line: int
) -> None:
    with pytest.raises(InputError) as caught:
        parse_pb(SMALL.replace(*change))
    assert caught.value.code == code
    assert caught.value.params["line"] == line
    assert f"Line {line}" in str(caught.value)


def test_it_refuses_a_file_without_votes() -> None:
    with pytest.raises(InputError) as caught:
        parse_pb(SMALL.split("VOTES")[0])
    assert caught.value.code == "pb.missing_section"


def test_it_refuses_points_that_do_not_match_the_vote() -> None:
    text = SMALL.replace("approval", "cumulative").replace("voter_id;vote", "voter_id;vote;points")
    text = (
        text.replace("a;1,2", "a;1,2;3").replace("b;2\n", "b;2;5\n").replace("c;3,1", "c;3,1;1,4")
    )
    with pytest.raises(InputError) as caught:
        parse_pb(text)
    assert (caught.value.code, caught.value.params["line"]) == ("pb.bad_points", 16)


def test_it_checks_ballot_length_limits() -> None:
    check_ballot_limits(parse_pb(SMALL))
    with pytest.raises(InputError) as caught:
        check_ballot_limits(parse_pb(SMALL.replace("a;1,2", "a;1,2,3")))
    assert caught.value.code == "pb.ballot_length"


@pytest.mark.slow
def test_it_reads_and_rewrites_every_real_file(shared_data) -> None:  # type: ignore[no-untyped-def]
    files = sorted((shared_data / "pb").glob("*.pb"))
    assert len(files) >= 6
    for path in files:
        pb = parse_pb(path.read_text(encoding="utf-8"))
        assert len(pb.votes) == int(pb.meta_value("num_votes") or 0)
        assert len(pb.projects) == int(pb.meta_value("num_projects") or 0)
        assert parse_pb(write_pb(pb)) == pb


def test_it_reads_repeated_votes_once_and_the_same_as_each_alone() -> None:
    text = SMALL.replace("c;3,1", "c;3,1\nd; 3 ,1 ;\ne;3,1").replace(
        "voter_id;vote", "voter_id;vote;x"
    )
    text = text.replace("a;1,2", "a;1,2; u").replace("b;2\n", "b;2;\n").replace("c;3,1", "c;3,1;w")
    text = text.replace("e;3,1", "e;3,1;v")
    pb = parse_pb(text)
    votes = {v.voter_id: v for v in pb.votes}
    assert votes["c"].projects == votes["d"].projects == ("3", "1")
    assert votes["c"].projects is votes["e"].projects  # one checked tuple per distinct vote
    assert [v.fields for v in pb.votes] == [(("x", f),) for f in ("u", "", "w", "", "v")]
    election = to_election(pb)
    assert election.ballots[2].weights is election.ballots[4].weights == (("3", 1), ("1", 1))


def test_it_reads_a_header_with_a_repeated_column_as_before() -> None:
    text = SMALL.replace("voter_id;vote", "voter_id;vote;x;x").replace("a;1,2", "a;1,2;1;2")
    pb = parse_pb(text.replace("b;2\n", "b;2;3;4\n").replace("c;3,1", "c;3,1;5;6"))
    assert [v.fields for v in pb.votes] == [(("x", "2"),), (("x", "4"),), (("x", "6"),)]
