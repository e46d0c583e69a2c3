"""Assemblies: convocation, attendance, opening on quorum, motions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Router

from comuna.api.auth import body_by_slug, body_of_assembly, policy
from comuna.api.schemas import (
    MAX_ID,
    AssemblyDetailOut,
    AssemblyOut,
    AttendanceIn,
    AttendanceOut,
    ConveneIn,
    ErrorOut,
    MotionIn,
    MotionOut,
    OpenIn,
)
from comuna.assemblies import services as assemblies
from comuna.assemblies.models import AgendaItem, Assembly, Motion
from comuna.bodies.models import Body
from comuna.core.errors import InputError
from comuna.people.models import Resident

router = Router(tags=["assemblies"])
AssemblyId = Annotated[int, Path(ge=1, le=MAX_ID)]
REFUSALS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _with_counts(queryset):  # -> QuerySet[Assembly]
    return queryset.select_related("body").annotate(
        n_attendance=Count("attendance", distinct=True), n_motions=Count("motions", distinct=True)
    )


def assembly_out(assembly: Assembly) -> dict[str, Any]:
    return {
        "id": assembly.pk,
        "body": assembly.body.slug,
        "kind": assembly.kind,
        "status": assembly.status,
        "place": assembly.place,
        "first_call_at": assembly.first_call_at,
        "second_call_at": assembly.second_call_at,
        "opened_on_call": assembly.opened_on_call,
        "attendance": assembly.n_attendance,
        "motions": assembly.n_motions,
    }


def motion_out(motion: Motion) -> dict[str, Any]:
    decision = getattr(motion, "decision", None)
    return {
        "id": motion.pk,
        "title": motion.title,
        "text": motion.text,
        "kind": motion.kind,
        "method": motion.method,
        "status": motion.status,
        "payload": motion.payload,
        "agenda_item": motion.agenda_item.position if motion.agenda_item else None,
        "opened_at": motion.opened_at,
        "closed_at": motion.closed_at,
        "decision": decision.number if decision else None,
    }


def _quorum(assembly: Assembly, call: int, present: int) -> dict[str, Any]:
    result = assemblies.quorum_of(assembly, call, present)
    return {
        "call": call,
        "electorate": result.electorate,
        "present": result.present,
        "required": result.required,
        "missing": result.missing,
        "reached": result.reached,
    }


def assembly_detail(assembly_id: int) -> dict[str, Any]:
    assembly = get_object_or_404(
        _with_counts(Assembly.objects.select_related("ruleset")), pk=assembly_id
    )
    motions = assembly.motions.select_related("agenda_item", "decision").order_by("pk")
    return {
        **assembly_out(assembly),
        "notice": assembly.notice,
        "summary": assembly.summary,
        "ruleset_version": assembly.ruleset.number,
        "opened_at": assembly.opened_at,
        "closed_at": assembly.closed_at,
        "agenda": list(assembly.agenda.values("position", "title", "notes")),
        "motion_list": [motion_out(motion) for motion in motions],
        "quorum": [_quorum(assembly, call, assembly.n_attendance) for call in (1, 2)],
    }


@router.get("/bodies/{slug}/assemblies", response={200: list[AssemblyOut], 404: ErrorOut})
@policy("assembly.view", body=body_by_slug)
def list_assemblies(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """A body's assemblies, newest first, with attendance and motion counts."""
    body = get_object_or_404(Body, slug=slug)
    return [assembly_out(a) for a in _with_counts(Assembly.objects.filter(body=body))]


def _aware(moment: dt.datetime) -> dt.datetime:
    # A time without offset is the body's local time, as people write it on a notice.
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@router.post("/bodies/{slug}/assemblies", response={201: AssemblyDetailOut, **REFUSALS})
@policy("assembly.convene", body=body_by_slug)
def convene_assembly(request: HttpRequest, slug: str, data: ConveneIn) -> tuple[int, dict]:
    """Convene an assembly: place, first and second call, agenda."""
    body = get_object_or_404(Body, slug=slug)
    assembly = assemblies.convene_assembly(
        body,
        by=request.auth,
        place=data.place,
        first_call_at=_aware(data.first_call_at),
        second_call_at=_aware(data.second_call_at),
        agenda=data.agenda,
        notice=data.notice,
        kind=data.kind,
    )
    return 201, assembly_detail(assembly.pk)


@router.get("/assemblies/{assembly_id}", response={200: AssemblyDetailOut, 404: ErrorOut})
@policy("assembly.view", body=body_of_assembly)
def get_assembly(request: HttpRequest, assembly_id: AssemblyId) -> dict[str, Any]:
    """An assembly with its agenda, motions and where it stands against each call's quorum."""
    return assembly_detail(assembly_id)


def resident_of(body: Body, resident_id: int) -> Resident:
    # Looked up inside the body's census only: ids of other councils' residents stay unknown.
    resident = Resident.objects.filter(body=body, pk=resident_id).first()
    if resident is None:
        raise InputError(
            "census.unknown_resident",
            "No resident {resident} in this census.",
            resident=resident_id,
        )
    return resident


@router.post("/assemblies/{assembly_id}/attendance", response={201: AttendanceOut, **REFUSALS})
@policy("attendance.record", body=body_of_assembly)
def record_attendance(
    request: HttpRequest, assembly_id: AssemblyId, data: AttendanceIn
) -> tuple[int, dict]:
    """Record a member as present; the answer carries the voting code for their slip."""
    assembly = get_object_or_404(Assembly.objects.select_related("body", "ruleset"), pk=assembly_id)
    resident = resident_of(assembly.body, data.resident)
    attendance = assemblies.record_attendance(assembly, resident, by=request.auth)
    return 201, {
        "resident": resident.pk,
        "name": resident.full_name,
        "recorded_at": attendance.recorded_at,
        "voting_code": attendance.voting_code,
        "present": assembly.attendance.count(),
    }


@router.post("/assemblies/{assembly_id}/open", response={200: AssemblyDetailOut, **REFUSALS})
@policy("assembly.open", body=body_of_assembly)
def open_assembly(request: HttpRequest, assembly_id: AssemblyId, data: OpenIn) -> dict[str, Any]:
    """Open the session on the first or second call; 409 with the numbers when no quorum."""
    assembly = get_object_or_404(Assembly, pk=assembly_id)
    assemblies.open_assembly(assembly, call=data.call, by=request.auth)
    return assembly_detail(assembly_id)


@router.post("/assemblies/{assembly_id}/motions", response={201: MotionOut, **REFUSALS})
@policy("motion.add", body=body_of_assembly)
def add_motion(request: HttpRequest, assembly_id: AssemblyId, data: MotionIn) -> tuple[int, dict]:
    """Put a motion before the assembly; it is voted once opened."""
    assembly = get_object_or_404(Assembly, pk=assembly_id)
    item = None
    if data.agenda_item is not None:
        item = AgendaItem.objects.filter(assembly=assembly, position=data.agenda_item).first()
        if item is None:
            raise InputError(
                "motion.unknown_item",
                "The agenda has no item {position}.",
                position=data.agenda_item,
            )
    motion = assemblies.add_motion(
        assembly,
        title=data.title,
        method=data.method,
        text=data.text,
        kind=data.kind,
        payload=data.payload,
        agenda_item=item,
    )
    return 201, motion_out(motion)
