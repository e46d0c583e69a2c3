"""Request and response shapes of the API (they are also its OpenAPI documentation)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

# Ids beyond a 64-bit integer would overflow the database driver: refuse them as invalid.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int | None, Field(ge=0, le=1_000_000)]
AgendaTitle = Annotated[str, Field(max_length=300)]


class ErrorOut(Schema):
    code: str
    message: str
    params: dict[str, Any] = {}
    errors: list[dict[str, Any]] | None = None


class BodyOut(Schema):
    slug: str
    name: str
    kind: str
    setting: str
    territory: str
    founded_on: dt.date
    parent: str | None = None


class RulesetOut(Schema):
    version: int
    profile: str
    params: dict[str, Any]


class BodyDetailOut(BodyOut):
    registration_number: str
    ruleset: RulesetOut
    committees: list[str]


class CensusOut(Schema):
    body: str
    households: int
    residents: int
    electorate: int
    member_min_age: int
    on: dt.date


class ResidentOut(Schema):
    id: int
    first_names: str
    last_names: str
    id_number: str
    birth_date: dt.date
    sex: str
    resident_since: dt.date
    left_on: dt.date | None
    phone: str


class HouseholdOut(Schema):
    code: str
    address: str
    sector: str
    residents: list[ResidentOut]


class ImportOut(Schema):
    households: int
    residents: int
    electorate: int


class AssemblyOut(Schema):
    id: int
    body: str
    kind: str
    status: str
    place: str
    first_call_at: dt.datetime
    second_call_at: dt.datetime
    opened_on_call: int | None
    attendance: int
    motions: int


class AgendaItemOut(Schema):
    position: int
    title: str
    notes: str


class MotionOut(Schema):
    id: int
    title: str
    text: str
    kind: str
    method: str
    status: str
    payload: dict[str, Any]
    agenda_item: int | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    decision: int | None


class QuorumOut(Schema):
    call: int
    electorate: int
    present: int
    required: int
    missing: int
    reached: bool


class AssemblyDetailOut(AssemblyOut):
    notice: str
    summary: str
    ruleset_version: int
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    agenda: list[AgendaItemOut]
    motion_list: list[MotionOut]
    quorum: list[QuorumOut]


class ConveneIn(Schema):
    place: str = Field(..., max_length=200)
    first_call_at: dt.datetime
    second_call_at: dt.datetime
    agenda: list[AgendaTitle] = Field(..., max_length=50)
    notice: str = Field("", max_length=5000)
    kind: Literal["ordinary", "extraordinary"] = "ordinary"


class AttendanceIn(Schema):
    resident: Id


class AttendanceOut(Schema):
    resident: int
    name: str
    recorded_at: dt.datetime
    voting_code: str = Field(..., description="Handed to the attendee on a slip for secret votes.")
    present: int


class OpenIn(Schema):
    call: int = Field(..., ge=0, le=100, description="1 for the first call, 2 for the second.")


class MotionIn(Schema):
    title: str = Field(..., max_length=300)
    method: str = Field(..., description="open_count, open_roll, secret_count or secret_phone")
    text: str = Field("", max_length=10000)
    kind: str = "general"
    payload: dict[str, Any] = {}
    agenda_item: int | None = Field(None, ge=0, le=1000, description="Position of the agenda item.")


class RollCallIn(Schema):
    resident: Id
    choice: str = Field(..., description="yes, no or abstain")


class RollCallOut(Schema):
    motion: int
    resident: int
    choice: str


class BallotIn(Schema):
    voting_code: str = Field(..., max_length=20)
    choice: str = Field(..., description="yes, no or abstain")


class BallotOut(Schema):
    receipt: str = Field(..., description="Find it in the published ballots after the close.")


class CountsIn(Schema):
    """Counted votes, required when the motion is counted by hand."""

    yes: Count = None
    no: Count = None
    abstain: Count = None


class DecisionOut(Schema):
    number: int
    body: str
    assembly: int
    motion: int
    title: str
    kind: str
    method: str
    yes: int
    no: int
    abstain: int
    attendees: int
    electorate: int
    rule: str
    needed: int
    approved: bool
    decided_at: dt.datetime
    ruleset_version: int


class TokenIn(Schema):
    name: str = Field(..., max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIssuedOut(TokenOut):
    token: str = Field(..., description="Shown once; only its hash is kept.")
