"""The BLT ballot format (ranked ballots), read from text and written back.

A BLT file is::

    4 2                    number of candidates, number of seats
    -3                     optional: withdrawn candidates, as negative numbers
    12 1 2 0               weight, then candidate numbers in order of preference, then 0
    7 3 0
    0                      end of ballots
    "Ann"                  one name per candidate, in candidate-number order
    "Bob" "Party"          a second quoted string is kept as the candidate's affiliation
    Cat                    unquoted names are taken as the whole (trimmed) line
    "Dan"
    "Title of the count"

Names may be quoted; inside quotes a doubled quote ``""`` stands for one quote (files exported
through spreadsheets, like the Scottish council ballots, use that convention). The parser takes
text, never a path, and names the line of any defect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from comuna.core.errors import InputError


@dataclass(frozen=True, slots=True)
class Ballot:
    """``weight`` identical papers ranking ``ranking`` (0-based candidate indices)."""

    weight: int
    ranking: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Election:
    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[Ballot, ...]
    withdrawn: frozenset[int] = frozenset()
    """0-based indices of candidates withdrawn before the count."""
    title: str = ""
    affiliations: tuple[str, ...] = ()
    """One per candidate ("" when the file gives none), or empty when no candidate has one."""


def _error(code: str, message: str, line: int, **params: object) -> InputError:
    return InputError(f"blt.{code}", "Line {line}: " + message, line=line, **params)


def _integers(text: str, line: int) -> list[int]:
    try:
        return list(map(int, text.split()))
    except ValueError:
        bad = next(t for t in text.split() if not t.lstrip("-").isdigit())
        raise _error(
            "not_a_number", "expected whole numbers, found {token!r}.", line, token=bad
        ) from None


def _numbered(source: str | Iterable[str]) -> list[tuple[int, str]]:
    lines = source.split("\n") if isinstance(source, str) else source
    # Line ends and other outer whitespace need no stripping here: numbers are split on
    # whitespace and names are trimmed outside their quotes.
    return [(i, text) for i, text in enumerate(lines, start=1) if text and not text.isspace()]


def _header(lines: list[tuple[int, str]]) -> tuple[int, int]:
    if not lines:
        raise InputError("blt.empty", "The ballot file is empty.")
    number, text = lines[0]
    values = _integers(text, number)
    if len(values) != 2 or values[0] < 1 or values[1] < 1:
        raise _error(
            "bad_header", "the first line must be two positive numbers: candidates seats.", number
        )
    return values[0], values[1]


def _withdrawn(values: list[int], line: int, candidates: int) -> frozenset[int]:
    for value in values:
        if not -candidates <= value <= -1:
            raise _error(
                "bad_withdrawn", "withdrawn candidate {value} does not exist.", line, value=value
            )
    return frozenset(-value - 1 for value in values)


def _ballot(values: list[int], line: int, shift: list[int]) -> Ballot:
    """One ballot line; ``shift[k]`` is candidate number k as a 0-based index."""
    weight = values[0]
    if weight < 1:
        raise _error(
            "bad_weight", "a ballot weight must be positive, not {weight}.", line, weight=weight
        )
    if len(values) < 2 or values[-1] != 0:
        raise _error("no_terminator", "a ballot line must end with 0.", line)
    ranking = values[1:-1]
    # The checks run on whole lists (min, max, set): this loop reads every paper of the file.
    if ranking and (min(ranking) < 1 or max(ranking) >= len(shift)):
        choice = next(c for c in ranking if not 1 <= c < len(shift))
        raise _error("bad_candidate", "there is no candidate number {choice}.", line, choice=choice)
    if len(set(ranking)) != len(ranking):
        raise _error("repeated_candidate", "a candidate is ranked twice on one ballot.", line)
    return Ballot(weight, tuple(map(shift.__getitem__, ranking)))


def _quoted(text: str, start: int, line: int) -> tuple[str, int]:
    """The quoted string opening at ``text[start]`` and the index just after its closing quote."""
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        if text[i] == '"':
            if text.startswith('""', i):
                chars.append('"')
                i += 2
                continue
            return "".join(chars), i + 1
        chars.append(text[i])
        i += 1
    raise _error("unclosed_quote", "a quoted name is not closed.", line)


def _label(text: str, line: int) -> tuple[str, str]:
    """A name line or the title line: (name, affiliation)."""
    stripped = text.strip()
    if not stripped.startswith('"'):
        return stripped, ""
    name, end = _quoted(stripped, 0, line)
    rest = stripped[end:].strip()
    if not rest:
        return name, ""
    if not rest.startswith('"'):
        raise _error("text_after_name", "unexpected text after a quoted name.", line)
    affiliation, end = _quoted(rest, 0, line)
    if rest[end:].strip():
        raise _error("text_after_name", "unexpected text after a quoted name.", line)
    return name, affiliation


def _ballots(
    lines: list[tuple[int, str]], candidates: int
) -> tuple[frozenset[int], list[Ballot], int]:
    """Withdrawn candidates, ballots, and the index of the first line after the ``0`` marker."""
    withdrawn: frozenset[int] = frozenset()
    ballots: list[Ballot] = []
    shift = list(range(-1, candidates))
    # Candidate numbers as written -> 0-based index; a failed lookup is any bad token.
    index = {str(k): k - 1 for k in range(1, candidates + 1)}
    # This loop reads every paper of the file, so a well-formed line takes one fast test;
    # anything else goes through the checks that name the defect.
    for position in range(1, len(lines)):
        number, text = lines[position]
        tokens = text.split()
        try:
            ranking = tuple(map(index.__getitem__, tokens[1:-1]))
            weight = int(tokens[0])
        except (KeyError, ValueError):
            weight = 0
        if (
            weight > 0
            and tokens[-1] == "0"
            and len(tokens) > 1
            and len(set(ranking)) == len(ranking)
        ):
            ballots.append(Ballot(weight, ranking))
            continue
        values = _integers(text, number)
        if values == [0]:
            return withdrawn, ballots, position + 1
        if position == 1 and all(v < 0 for v in values):
            withdrawn = _withdrawn(values, number, candidates)
        else:
            ballots.append(_ballot(values, number, shift))
    last = lines[-1][0] if lines else 0
    raise _error("no_end_marker", "the ballots never end with a line holding only 0.", last)


def parse_blt(source: str | Iterable[str]) -> Election:
    """Read a BLT election from its text (a string or an iterable of lines)."""
    lines = _numbered(source)
    candidates, seats = _header(lines)
    withdrawn, ballots, rest = _ballots(lines, candidates)
    labels = lines[rest:]
    if len(labels) < candidates:
        last = labels[-1][0] if labels else lines[rest - 1][0]
        raise _error(
            "missing_names",
            "{missing} candidate name(s) missing after the ballots.",
            last,
            missing=candidates - len(labels),
        )
    if len(labels) > candidates + 1:
        raise _error("extra_lines", "unexpected line after the title.", labels[candidates + 1][0])
    names = [_label(text, number) for number, text in labels[:candidates]]
    title = (
        _label(labels[candidates][1], labels[candidates][0])[0] if len(labels) > candidates else ""
    )
    affiliations = tuple(a for _, a in names) if any(a for _, a in names) else ()
    return Election(
        candidates=tuple(n for n, _ in names),
        seats=seats,
        ballots=tuple(ballots),
        withdrawn=withdrawn,
        title=title,
        affiliations=affiliations,
    )


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_blt(election: Election) -> str:
    """The BLT text of ``election``; ``parse_blt`` reads it back equal."""
    n = len(election.candidates)
    out = [f"{n} {election.seats}"]
    if election.withdrawn:
        out.append(" ".join(str(-(i + 1)) for i in sorted(election.withdrawn)))
    for ballot in election.ballots:
        out.append(" ".join([str(ballot.weight), *(str(c + 1) for c in ballot.ranking), "0"]))
    out.append("0")
    affiliations = election.affiliations or ("",) * n
    for name, affiliation in zip(election.candidates, affiliations, strict=True):
        out.append(_quote(name) + (" " + _quote(affiliation) if affiliation else ""))
    out.append(_quote(election.title))
    return "\n".join(out) + "\n"
