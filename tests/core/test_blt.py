"""BLT: reading the formats found in real files, refusing malformed ones by line, round trip."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comuna.core.blt import Ballot, Election, parse_blt, write_blt
from comuna.core.errors import InputError

SMALL = """4 2
-3
12 1 2 0
7 3 0
2 4 1 2 0
0
"Ann"
"Bob" "Workers' Party"
Cat Smith (Ind)
"Lab ""Dan"" "
"Ward 1 - Centre"
"""


def test_it_reads_header_withdrawn_ballots_names_and_title() -> None:
    election = parse_blt(SMALL)
    assert election.seats == 2
    assert election.withdrawn == frozenset({2})
    assert election.ballots == (
        Ballot(12, (0, 1)),
        Ballot(7, (2,)),
        Ballot(2, (3, 0, 1)),
    )
    assert election.title == "Ward 1 - Centre"


def test_it_keeps_names_exactly_and_decodes_doubled_quotes() -> None:
    election = parse_blt(SMALL)
    assert election.candidates == ("Ann", "Bob", "Cat Smith (Ind)", 'Lab "Dan" ')
    assert election.affiliations == ("", "Workers' Party", "", "")


def test_it_accepts_an_iterable_of_lines_and_an_unquoted_title_without_newline() -> None:
    lines = ["2 1\n", "3 1 2 0\n", "0\n", "Ann\n", "Bob\n", "Torry/Ferryhill Ward"]
    election = parse_blt(lines)
    assert election.candidates == ("Ann", "Bob")
    assert election.title == "Torry/Ferryhill Ward"
    assert election.affiliations == ()


def test_it_allows_a_missing_title() -> None:
    assert parse_blt('1 1\n1 1 0\n0\n"Ann"\n').title == ""


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "blt.empty", None),
        ("2\n0\n", "blt.bad_header", 1),
        ("2 x\n", "blt.not_a_number", 1),
        ("5 1,\n786 1 0,\n", "blt.not_a_number", 1),
        ("2 1\n3 1 2\n0\nA\nB\nT\n", "blt.no_terminator", 2),
        ("2 1\n3 1 3 0\n0\nA\nB\nT\n", "blt.bad_candidate", 2),
        ("2 1\n3 1 1 0\n0\nA\nB\nT\n", "blt.repeated_candidate", 2),
        ("2 1\n0 1 0\n0\nA\nB\nT\n", "blt.bad_weight", 2),
        ("2 1\n-4\n1 1 0\n0\nA\nB\nT\n", "blt.bad_withdrawn", 2),
        ("2 1\n1 1 0\n1 2 0\n", "blt.no_end_marker", 3),
        ("2 1\n1 1 0\n0\nA\n", "blt.missing_names", 4),
        ("2 1\n1 1 0\n0\nA\nB\nT\nextra\n", "blt.extra_lines", 7),
        ('2 1\n1 1 0\n0\n"A\nB\nT\n', "blt.unclosed_quote", 4),
        ('2 1\n1 1 0\n0\n"A" x\nB\nT\n', "blt.text_after_name", 4),
    ],
)
def test_it_refuses_malformed_input_naming_the_line(text: str, code: str, line: int | None) -> None:
    with pytest.raises(InputError) as caught:
        parse_blt(text)
    assert caught.value.code == code
    assert caught.value.params.get("line") == line
    if line is not None:
        assert str(caught.value).startswith(f"Line {line}:")


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=12,
)


@st.composite
def elections(draw: st.DrawFn) -> Election:
    n = draw(st.integers(min_value=1, max_value=6))
    candidates = tuple(draw(st.lists(names, min_size=n, max_size=n)))
    affiliations = tuple(draw(st.lists(names, min_size=n, max_size=n)))
    if not any(affiliations):
        affiliations = ()
    rankings = st.permutations(range(n)).flatmap(
        lambda order: st.integers(0, n).map(lambda k: tuple(order[:k]))
    )
    ballots = draw(
        st.lists(st.builds(Ballot, st.integers(1, 10_000), rankings), max_size=8).map(tuple)
    )
    withdrawn = frozenset(draw(st.sets(st.integers(0, n - 1), max_size=n)))
    return Election(
        candidates=candidates,
        seats=draw(st.integers(1, 5)),
        ballots=ballots,
        withdrawn=withdrawn,
        title=draw(names),
        affiliations=affiliations,
    )


@given(elections())
def test_it_reads_back_what_it_writes(election: Election) -> None:
    assert parse_blt(write_blt(election)) == election


@given(elections())
def test_it_reads_the_same_from_lines_as_from_text(election: Election) -> None:
    text = write_blt(election)
    assert parse_blt(list(io.StringIO(text))) == parse_blt(text)
