"""Read and write pabulib ``.pb`` text, the standard format for participatory budgets.

A file has three sections, each a title line followed by ``;``-separated rows whose first row is
a header: ``META`` (``key;value``), ``PROJECTS`` (``project_id;cost;...``) and ``VOTES``
(``voter_id;vote;...``). Fields may be quoted like CSV (project names contain ``;``). See
pabulib.org and Faliszewski et al., "Participatory Budgeting: Data, Tools, and Analysis",
IJCAI 2023.

The parser takes text (a ``str`` or an iterable of lines) and never a path; every error names
the line it was found on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from comuna.core.budgeting import Ballot, Election, Project
from comuna.core.bulk import paused_gc
from comuna.core.errors import InputError

VOTE_TYPES = ("approval", "cumulative", "ordinal", "choose-1")
SECTIONS = ("META", "PROJECTS", "VOTES")

Fields = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PbProject:
    project_id: str
    cost: Decimal
    fields: Fields = ()
    """Every other column of the row (name, votes, selected...), in file order."""

    def get(self, column: str) -> str | None:
        return dict(self.fields).get(column)


@dataclass(frozen=True, slots=True)
class PbVote:
    voter_id: str
    projects: tuple[str, ...]
    """In ballot order: for ``ordinal`` ballots the first is the most preferred."""
    points: tuple[int, ...] | None = None
    """For ``cumulative`` ballots, the points given to each of ``projects``."""
    fields: Fields = ()


@dataclass(frozen=True, slots=True)
class PbFile:
    meta: Fields
    project_columns: tuple[str, ...]
    projects: tuple[PbProject, ...]
    vote_columns: tuple[str, ...]
    votes: tuple[PbVote, ...]

    def meta_value(self, key: str) -> str | None:
        return dict(self.meta).get(key)

    @property
    def budget(self) -> Decimal:
        return _decimal(self.meta_value("budget") or "", "budget", 0)

    @property
    def vote_type(self) -> str:
        return self.meta_value("vote_type") or "approval"


def _decimal(text: str, what: str, line: int) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise InputError(
            "pb.bad_number",
            "Line {line}: {what} must be a non-negative number, not {text!r}.",
            line=line,
            what=what,
            text=text,
        )
    return value


def _rows(text: str | Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    # Most lines hold no quotes; splitting them directly is several times faster than csv.
    lines = text.splitlines() if isinstance(text, str) else text
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if '"' in line:
            row = next(csv.reader([line], delimiter=";"))
            if any(cell.strip() for cell in row):
                yield number, row
        elif line.replace(";", "").strip():  # some cell is not blank
            yield number, line.split(";")


def _split_sections(
    rows: Iterator[tuple[int, list[str]]],
) -> dict[str, list[tuple[int, list[str]]]]:
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: list[tuple[int, list[str]]] | None = None
    for line, row in rows:
        title = row[0].strip().upper() if len(row) == 1 else ""
        if title in SECTIONS:
            if title in sections:
                raise InputError(
                    "pb.duplicate_section",
                    "Line {line}: second {section} section.",
                    line=line,
                    section=title,
                )
            current = sections[title] = []
        elif current is None:
            raise InputError(
                "pb.no_section", "Line {line}: data before the META section.", line=line
            )
        else:
            current.append((line, row))
    for title in SECTIONS:
        if title not in sections or not sections[title]:
            raise InputError(
                "pb.missing_section", "The {section} section is missing or empty.", section=title
            )
    return sections


def _header(rows: list[tuple[int, list[str]]], required: tuple[str, ...]) -> tuple[str, ...]:
    line, header = rows[0]
    columns = tuple(cell.strip() for cell in header)
    for name in required:
        if name not in columns:
            raise InputError(
                "pb.missing_column",
                "Line {line}: the header lacks column {column!r}.",
                line=line,
                column=name,
            )
    return columns


def _record(columns: tuple[str, ...], line: int, row: list[str]) -> dict[str, str]:
    if len(row) != len(columns):
        raise InputError(
            "pb.bad_row",
            "Line {line}: {found} fields where the header has {expected}.",
            line=line,
            found=len(row),
            expected=len(columns),
        )
    return {name: cell.strip() for name, cell in zip(columns, row, strict=True)}


def _parse_projects(
    rows: list[tuple[int, list[str]]],
) -> tuple[tuple[str, ...], tuple[PbProject, ...]]:
    columns = _header(rows, ("project_id", "cost"))
    projects: dict[str, PbProject] = {}
    for line, row in rows[1:]:
        record = _record(columns, line, row)
        project_id = record.pop("project_id")
        if not project_id or project_id in projects:
            raise InputError(
                "pb.duplicate_project",
                "Line {line}: project id {project!r} is empty or repeated.",
                line=line,
                project=project_id,
            )
        cost = _decimal(record.pop("cost"), "cost", line)
        projects[project_id] = PbProject(project_id, cost, tuple(record.items()))
    return columns, tuple(projects.values())


_SPACE = re.compile(r"\s")
"""Whitespace as ``str.strip`` sees it (``str.isspace``)."""

Choice = tuple[tuple[str, ...], tuple[int, ...] | None]
"""The projects a vote names, and its points (cumulative ballots)."""


Known = dict[str, str]
"""Each project id of the file, to itself: votes name the file's own strings (one copy)."""


def _choice(vote: str, text: str | None, line: int, vote_type: str, known: Known) -> Choice:
    """The checked content of a ``vote`` cell (and ``points`` cell ``text``), both stripped."""
    if _SPACE.search(vote) is None:  # the usual case: nothing to strip
        names = vote.split(",")
        if "" in names:
            names = [p for p in names if p]
    else:
        names = [p.strip() for p in vote.split(",") if p.strip()]
    try:
        chosen = tuple(map(known.__getitem__, names))
    except KeyError:
        chosen = ()  # an unknown project: refused below
    if len(chosen) != len(names) or len(set(chosen)) != len(chosen):
        raise InputError(
            "pb.bad_vote",
            "Line {line}: vote {vote!r} names an unknown project or repeats one.",
            line=line,
            vote=",".join(names),
        )
    if vote_type == "choose-1" and len(chosen) > 1:
        raise InputError(
            "pb.bad_vote",
            "Line {line}: a choose-1 vote names {count} projects.",
            line=line,
            count=len(chosen),
        )
    points: tuple[int, ...] | None = None
    if vote_type == "cumulative":
        text = text or ""
        try:
            points = tuple(int(p) for p in text.split(",") if p.strip())
        except ValueError:
            points = ()
        if len(points) != len(chosen) or any(p < 0 for p in points):
            raise InputError(
                "pb.bad_points",
                "Line {line}: points {points!r} do not match the vote.",
                line=line,
                points=text,
            )
    return chosen, points


def _ballot(record: dict[str, str], line: int, vote_type: str, known: Known) -> PbVote:
    voter_id, vote = record.pop("voter_id"), record.pop("vote")
    text = record.pop("points", "") if vote_type == "cumulative" else None
    chosen, points = _choice(vote, text, line, vote_type, known)
    return PbVote(voter_id, chosen, points, tuple(record.items()))


def _parse_votes(
    rows: list[tuple[int, list[str]]], vote_type: str, known: Known
) -> tuple[tuple[str, ...], tuple[PbVote, ...]]:
    """The votes, each distinct vote text checked once (most ballots repeat others): identical
    votes share one tuple of projects."""
    required = ("voter_id", "vote", "points") if vote_type == "cumulative" else ("voter_id", "vote")
    columns = _header(rows, required)
    width = len(columns)
    plain = len(set(columns)) == width  # no repeated column: fields by position
    where = [columns.index(n) for n in required]  # voter id, vote, points if cumulative
    rest = [i for i in range(width) if columns[i] not in required]
    named = [columns[i] for i in rest]
    choices: dict[tuple[str, str], Choice] = {}
    votes: list[PbVote] = []
    seen: set[str] = set()
    at_id, at_vote = where[0], where[1]
    at_points = where[2] if len(where) > 2 else at_vote  # the points cell, if cumulative
    for line, row in rows[1:]:
        if plain and len(row) == width:
            content = row[at_vote], row[at_points]
            if (choice := choices.get(content)) is None:
                text = content[1].strip() if len(where) > 2 else None
                choice = _choice(content[0].strip(), text, line, vote_type, known)
                choices[content] = choice
            fields = tuple(zip(named, map(str.strip, [row[i] for i in rest]), strict=True))
            vote = PbVote(row[at_id].strip(), choice[0], choice[1], fields)
        else:  # the general path (it also reports a row of the wrong width)
            vote = _ballot(_record(columns, line, row), line, vote_type, known)
        if vote.voter_id in seen:
            raise InputError(
                "pb.duplicate_voter",
                "Line {line}: voter {voter!r} votes twice.",
                line=line,
                voter=vote.voter_id,
            )
        seen.add(vote.voter_id)
        votes.append(vote)
    return columns, tuple(votes)


def _parse_meta(rows: list[tuple[int, list[str]]]) -> Fields:
    meta: list[tuple[str, str]] = []
    for line, row in rows[1:]:
        if len(row) < 2:
            raise InputError("pb.bad_meta", "Line {line}: a META row needs key;value.", line=line)
        meta.append((row[0].strip(), ";".join(row[1:]).strip()))
    values = dict(meta)
    if "budget" not in values:
        raise InputError("pb.no_budget", "The META section has no budget.")
    _decimal(values["budget"], "budget", rows[0][0])
    if values.get("vote_type", "approval") not in VOTE_TYPES:
        raise InputError(
            "pb.vote_type", "Unknown vote_type {vote_type!r}.", vote_type=values["vote_type"]
        )
    return tuple(meta)


def parse_pb(text: str | Iterable[str]) -> PbFile:
    """Parse pabulib text; raise ``InputError`` naming the line on anything malformed."""
    with paused_gc():
        sections = _split_sections(_rows(text))
        meta = _parse_meta(sections["META"])
        vote_type = dict(meta).get("vote_type", "approval")
        project_columns, projects = _parse_projects(sections["PROJECTS"])
        known = {p.project_id: p.project_id for p in projects}
        vote_columns, votes = _parse_votes(sections["VOTES"], vote_type, known)
    return PbFile(meta, project_columns, projects, vote_columns, votes)


def check_ballot_limits(pb: PbFile) -> None:
    """Refuse ballots longer than ``max_length`` or shorter than ``min_length`` (when set)."""
    low = int(pb.meta_value("min_length") or 0)
    high = int(pb.meta_value("max_length") or 0) or None
    for index, vote in enumerate(pb.votes):
        if len(vote.projects) < low or (high is not None and len(vote.projects) > high):
            raise InputError(
                "pb.ballot_length",
                "Voter {voter!r} chose {count} projects; the limits are {low} to {high}.",
                voter=vote.voter_id,
                count=len(vote.projects),
                low=low,
                high=high,
                index=index,
            )


def _project_row(project: PbProject, columns: tuple[str, ...]) -> list[str]:
    values = dict(project.fields)
    values["project_id"] = project.project_id
    values["cost"] = str(project.cost)
    return [values.get(name, "") for name in columns]


def _vote_row(vote: PbVote, columns: tuple[str, ...]) -> list[str]:
    values = dict(vote.fields)
    values["voter_id"] = vote.voter_id
    values["vote"] = ",".join(vote.projects)
    if vote.points is not None:
        values["points"] = ",".join(str(p) for p in vote.points)
    return [values.get(name, "") for name in columns]


def write_pb(pb: PbFile) -> str:
    """Write ``pb`` as pabulib text; ``parse_pb(write_pb(pb)) == pb``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows([key, value] for key, value in pb.meta)
    writer.writerow(["PROJECTS"])
    writer.writerow(pb.project_columns)
    writer.writerows(_project_row(p, pb.project_columns) for p in pb.projects)
    writer.writerow(["VOTES"])
    writer.writerow(pb.vote_columns)
    writer.writerows(_vote_row(v, pb.vote_columns) for v in pb.votes)
    return out.getvalue()


def to_election(pb: PbFile) -> Election:
    """The election a ``.pb`` file describes.

    Approval, choose-1 and ordinal ballots count each named project with weight 1 (ordinal
    ballots as approval of the ranked projects, as pabulib's greedy rules do); cumulative
    ballots carry their points.
    """
    projects = tuple(Project(p.project_id, p.cost) for p in pb.projects)
    shared: dict[int, tuple[tuple[str, int], ...]] = {}  # by id: parse_pb shares vote tuples
    once = {p.project_id: (p.project_id, 1) for p in pb.projects}  # one pair per project
    ballots = []
    with paused_gc():
        for v in pb.votes:  # identical votes share one tuple of weights (grouped fast later)
            if v.points is not None:
                ballots.append(Ballot(v.voter_id, tuple(zip(v.projects, v.points, strict=True))))
                continue
            if (found := shared.get(id(v.projects))) is None:
                found = shared[id(v.projects)] = _approvals(v.projects, once)
            ballots.append(Ballot(v.voter_id, found))
    return Election(pb.budget, projects, tuple(ballots))


def _approvals(
    projects: tuple[str, ...], once: dict[str, tuple[str, int]]
) -> tuple[tuple[str, int], ...]:
    """(project, 1) for each named project, the pairs shared by all ballots."""
    try:
        return tuple(map(once.__getitem__, projects))
    except KeyError:  # a project the file does not list (refused when counted)
        return tuple((p, 1) for p in projects)
