"""Votes on motions: open, roll call, secret ballots by voting code, close into a decision."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router

from comuna.api.auth import body_of_motion, policy
from comuna.api.routers.assemblies import motion_out, resident_of
from comuna.api.routers.bodies import decision_out
from comuna.api.schemas import (
    MAX_ID,
    BallotIn,
    BallotOut,
    CountsIn,
    DecisionOut,
    ErrorOut,
    MotionOut,
    RollCallIn,
    RollCallOut,
)
from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Motion
from comuna.core.errors import InputError
from comuna.core.tally import VoteCounts

router = Router(tags=["votes"])
MotionId = Annotated[int, Path(ge=1, le=MAX_ID)]
REFUSALS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _motion(motion_id: int) -> Motion:
    return get_object_or_404(
        Motion.objects.select_related("assembly__body", "agenda_item"), pk=motion_id
    )


@router.get("/motions/{motion_id}", response={200: MotionOut, 404: ErrorOut})
@policy("assembly.view", body=body_of_motion)
def get_motion(request: HttpRequest, motion_id: MotionId) -> dict[str, Any]:
    return motion_out(_motion(motion_id))


@router.post("/motions/{motion_id}/open", response={200: MotionOut, **REFUSALS})
@policy("vote.open", body=body_of_motion)
def open_vote(request: HttpRequest, motion_id: MotionId) -> dict[str, Any]:
    """Start voting on a motion of an assembly in session."""
    assemblies.open_vote(_motion(motion_id), by=request.auth)
    return motion_out(_motion(motion_id))


@router.post("/motions/{motion_id}/roll-call", response={201: RollCallOut, **REFUSALS})
@policy("vote.cast_roll_call", body=body_of_motion)
def cast_roll_call_vote(
    request: HttpRequest, motion_id: MotionId, data: RollCallIn
) -> tuple[int, dict]:
    """Record one attendee's open vote, as called out in the hall."""
    motion = _motion(motion_id)
    resident = resident_of(motion.assembly.body, data.resident)
    vote = assemblies.cast_roll_call_vote(motion, resident, data.choice, by=request.auth)
    return 201, {"motion": motion.pk, "resident": resident.pk, "choice": vote.choice}


@router.post("/motions/{motion_id}/ballots", response={201: BallotOut, **REFUSALS})
@policy("vote.cast_ballot", body=body_of_motion)
def cast_ballot(request: HttpRequest, motion_id: MotionId, data: BallotIn) -> tuple[int, dict]:
    """Cast a secret ballot with the voting code from the attendance slip; no account needed.

    The answer is a receipt: after the close, the published ballots list every receipt with
    its choice, so each voter can check their ballot was counted as cast.
    """
    receipt = assemblies.cast_ballot(_motion(motion_id), data.voting_code, data.choice)
    return 201, {"receipt": receipt}


def _counts(data: CountsIn | None) -> VoteCounts | None:
    if data is None:
        return None
    given = [data.yes, data.no, data.abstain]
    if all(value is None for value in given):
        return None
    if any(value is None for value in given):
        raise InputError("vote.counts_required", "Enter the counted yes, no and abstain votes.")
    return VoteCounts(yes=data.yes, no=data.no, abstain=data.abstain)  # type: ignore[arg-type]


@router.post("/motions/{motion_id}/close", response={201: DecisionOut, **REFUSALS})
@policy("vote.close", body=body_of_motion)
def close_vote(
    request: HttpRequest, motion_id: MotionId, data: CountsIn | None = None
) -> tuple[int, dict]:
    """Close the vote into a numbered decision. Hand-counted methods send yes, no, abstain."""
    decision = assemblies.close_vote(_motion(motion_id), by=request.auth, counts=_counts(data))
    return 201, decision_out(decision)
