"""Offices of a body: its posts, who holds them until when, vacancies, recalls under way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from comuna.api.auth import body_by_slug, policy
from comuna.api.schemas import ErrorOut
from comuna.offices.models import Post, Recall, Term

router = Router(tags=["offices"])


class TermOut(Schema):
    seat: int
    holder: int
    holder_name: str
    alternate: int | None
    source: str
    starts_on: dt.date
    ends_on: dt.date


class PostOut(Schema):
    id: int
    name: str
    unit: str
    seats: int
    rotation: str
    vacant: int
    holders: list[TermOut]


class RecallOut(Schema):
    id: int
    term: int
    holder: int
    status: str
    signatures_needed: int
    due_on: dt.date | None


class OfficesOut(Schema):
    body: str
    on: dt.date
    posts: list[PostOut]
    recalls: list[RecallOut]


def _term_out(term: Term) -> dict[str, Any]:
    return {
        "seat": term.seat, "holder": term.holder_id, "holder_name": term.holder.full_name,
        "alternate": term.alternate_id, "source": term.source,
        "starts_on": term.starts_on, "ends_on": term.ends_on,
    }  # fmt: skip


@router.get("/bodies/{slug}/offices", response={200: OfficesOut, 404: ErrorOut})
@policy("office.view", body=body_by_slug)
def get_offices(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Every post with the terms in force today (holders' names are public), the vacant seats
    and the recalls under way with the deadline of their current step."""
    body = body_by_slug(slug)
    today = timezone.localdate()
    current = (
        Term.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .exclude(ended_on__lt=today)
        .select_related("holder")
        .order_by("seat")
    )
    posts = Post.objects.filter(body=body).prefetch_related(
        Prefetch("terms", current, to_attr="current")
    )
    recalls = Recall.objects.filter(body=body, status__in=Recall.OPEN).select_related("term")
    return {
        "body": body.slug,
        "on": today,
        "posts": [
            {
                "id": p.pk,
                "name": p.name,
                "unit": p.unit,
                "seats": p.seats,
                "rotation": p.rotation,
                "vacant": max(p.seats - len(p.current), 0),
                "holders": [_term_out(t) for t in p.current],
            }  # fmt: skip
            for p in posts
        ],
        "recalls": [
            {
                "id": r.pk,
                "term": r.term_id,
                "holder": r.term.holder_id,
                "status": r.status,
                "signatures_needed": r.needed,
                "due_on": r.due_on(),
            }  # fmt: skip
            for r in recalls
        ],
    }
