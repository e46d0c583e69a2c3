"""The census of a body: public counts, personal data for its officers, CSV import."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Router
from ninja.files import UploadedFile

from comuna.api.auth import body_by_slug, policy
from comuna.api.schemas import CensusOut, ErrorOut, HouseholdOut, ImportOut
from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset
from comuna.core.errors import InputError
from comuna.people import services as people
from comuna.people.models import Household, Resident

router = Router(tags=["census"])
# A census of 400 families is a few hundred kilobytes; anything far larger is a mistake.
MAX_CSV_BYTES = 5 * 1024 * 1024
REFUSALS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.get("/bodies/{slug}/census", response={200: CensusOut, 404: ErrorOut})
@policy("census.view", body=body_by_slug)
def census_summary(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Counts only: anyone may know how large the census and the electorate are."""
    body = get_object_or_404(Body, slug=slug)
    counts = Household.objects.filter(body=body).aggregate(n=Count("pk"))
    residents = Resident.objects.of_body(body).aggregate(
        total=Count("pk"), current=Count("pk", filter=Q(left_on__isnull=True))
    )
    today = timezone.localdate()
    return {
        "body": body.slug,
        "households": counts["n"],
        "residents": residents["current"],
        "electorate": people.electorate_size(body, today),
        "member_min_age": current_ruleset(body).param("member_min_age"),
        "on": today,
    }


@router.get("/bodies/{slug}/census/households", response={200: list[HouseholdOut], 404: ErrorOut})
@policy("census.view_residents", body=body_by_slug)
def list_households(request: HttpRequest, slug: str) -> list[Household]:
    """Households with their residents' personal data: for the body's officers only."""
    body = get_object_or_404(Body, slug=slug)
    by_name = Resident.objects.order_by("last_names", "first_names")
    residents = Prefetch("residents", queryset=by_name)
    return list(Household.objects.filter(body=body).order_by("code").prefetch_related(residents))


def _read_csv(upload: UploadedFile) -> str:
    if upload.size is not None and upload.size > MAX_CSV_BYTES:
        raise InputError(
            "census.csv_too_large",
            "The file is larger than {limit} MB.",
            limit=MAX_CSV_BYTES // (1024 * 1024),
        )
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("census.csv_not_text", "The file is not UTF-8 CSV text.") from None


@router.post("/bodies/{slug}/census/import", response={201: ImportOut, **REFUSALS})
@policy("census.import", body=body_by_slug)
def import_census(request: HttpRequest, slug: str, file: File[UploadedFile]) -> tuple[int, dict]:
    """Import households and residents from a CSV file: all rows or none.

    Columns: household_code, address, sector, first_names, last_names, id_number,
    birth_date, sex, resident_since, phone. A rejected file answers 400 with every bad row.
    """
    body = get_object_or_404(Body, slug=slug)
    report = people.import_census(body, _read_csv(file))
    return 201, {
        "households": report.households,
        "residents": report.residents,
        "electorate": people.electorate_size(body),
    }
