"""Bodies, their decision log and their public record."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router

from comuna.api.auth import body_by_slug, policy
from comuna.api.schemas import MAX_ID, BodyDetailOut, BodyOut, DecisionOut, ErrorOut
from comuna.assemblies.models import Decision
from comuna.bodies.export import export_record
from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset

router = Router(tags=["bodies"])
NOT_FOUND = {404: ErrorOut}


def body_out(body: Body) -> dict[str, Any]:
    return {
        "slug": body.slug,
        "name": body.name,
        "kind": body.kind,
        "setting": body.setting,
        "territory": body.territory,
        "founded_on": body.founded_on,
        "parent": body.parent.slug if body.parent else None,
    }


def decision_out(decision: Decision) -> dict[str, Any]:
    motion = decision.motion
    return {
        "number": decision.number,
        "body": decision.body.slug,
        "assembly": motion.assembly_id,
        "motion": motion.pk,
        "title": motion.title,
        "kind": motion.kind,
        "method": motion.method,
        "yes": decision.yes,
        "no": decision.no,
        "abstain": decision.abstain,
        "attendees": decision.attendees,
        "electorate": decision.electorate,
        "rule": decision.rule,
        "needed": decision.needed,
        "approved": decision.approved,
        "decided_at": decision.decided_at,
        "ruleset_version": decision.ruleset.number,
    }


@router.get("/bodies", response=list[BodyOut])
@policy("body.view")
def list_bodies(request: HttpRequest) -> list[dict[str, Any]]:
    """Every body: councils, communes and the rest."""
    return [body_out(body) for body in Body.objects.select_related("parent").order_by("name")]


@router.get("/bodies/{slug}", response={200: BodyDetailOut, **NOT_FOUND})
@policy("body.view", body=body_by_slug)
def get_body(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A body with the ruleset in force and its working committees."""
    body = get_object_or_404(Body.objects.select_related("parent"), slug=slug)
    ruleset = current_ruleset(body)
    return {
        **body_out(body),
        "registration_number": body.registration_number,
        "ruleset": {
            "version": ruleset.number,
            "profile": ruleset.profile,
            "params": ruleset.params,
        },
        "committees": list(body.committees.values_list("name", flat=True)),
    }


def _decisions(body: Body):  # -> QuerySet[Decision]
    return Decision.objects.filter(body=body).select_related("motion", "body", "ruleset")


@router.get("/bodies/{slug}/decisions", response={200: list[DecisionOut], **NOT_FOUND})
@policy("decision.view", body=body_by_slug)
def list_decisions(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The decision log of a body, newest first, with the counts and the rule applied."""
    body = get_object_or_404(Body, slug=slug)
    return [decision_out(decision) for decision in _decisions(body).order_by("-number")]


@router.get("/bodies/{slug}/decisions/{number}", response={200: DecisionOut, **NOT_FOUND})
@policy("decision.view", body=body_by_slug)
def get_decision(
    request: HttpRequest, slug: str, number: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> dict[str, Any]:
    body = get_object_or_404(Body, slug=slug)
    return decision_out(get_object_or_404(_decisions(body), number=number))


@router.get("/bodies/{slug}/record", response={200: dict[str, Any], **NOT_FOUND})
@policy("record.export", body=body_by_slug)
def export_body_record(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The hash-chained public record, as ``comuna export`` writes it for ``comuna verify``."""
    return export_record([get_object_or_404(Body, slug=slug)])
