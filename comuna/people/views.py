"""The census pages: list and search, add households and residents, CSV import."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.bodies.models import Body
from comuna.bodies.services import current_ruleset
from comuna.core.errors import ComunaError
from comuna.people import services
from comuna.people.forms import CensusImportForm, HouseholdForm, ResidentForm
from comuna.people.models import Resident, years_before
from comuna.policies import requires
from comuna.web import render_refusal


def search_residents(body: Body, query: str):  # -> QuerySet[Resident]
    residents = Resident.objects.of_body(body).current().select_related("household")
    # PostgreSQL refuses a NUL in any text parameter (a 500); no stored name has one.
    for word in query.replace("\x00", " ").split():
        residents = residents.filter(
            Q(first_names__icontains=word)
            | Q(last_names__icontains=word)
            | Q(id_number__icontains=word)
            | Q(household__code__iexact=word)
        )
    return residents


@requires("census.view_residents")
def census(request: HttpRequest, body: Body) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    today = timezone.localdate()
    min_age = current_ruleset(body).param("member_min_age")
    page = Paginator(search_residents(body, query), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/census.html",
        {
            "body": body,
            "query": query,
            "page": page,
            "today": today,
            "adult_born_before": years_before(today, min_age),
            "min_age": min_age,
            "electorate": services.electorate_size(body, today),
            "households": body.households.count(),
        },
    )


@requires("census.manage")
def household_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_household(body, **form.cleaned_data)
        except ComunaError as error:
            return render_refusal(
                request,
                "people/form.html",
                {"body": body, "form": form, "title": _("New household")},
                error,
            )
        messages.success(request, _("Household added."))
        return redirect("census", body.slug)
    return render(
        request,
        "people/form.html",
        {"body": body, "form": form, "title": _("New household")},
        status=400 if form.errors else 200,
    )


@requires("census.manage")
def resident_new(request: HttpRequest, body: Body) -> HttpResponse:
    form = ResidentForm(request.POST or None, body=body)
    context = {"body": body, "form": form, "title": _("New resident")}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        household = data.pop("household")
        try:
            services.register_resident(household, **data)
        except ComunaError as error:
            return render_refusal(request, "people/form.html", context, error)
        messages.success(request, _("Resident added to the census."))
        return redirect("census", body.slug)
    return render(request, "people/form.html", context, status=400 if form.errors else 200)


@requires("census.import")
def census_import(request: HttpRequest, body: Body) -> HttpResponse:
    form = CensusImportForm(request.POST or None, request.FILES or None)
    context = {"body": body, "form": form, "columns": services.CENSUS_COLUMNS}
    if request.method == "POST" and form.is_valid():
        try:
            text = request.FILES["file"].read().decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))
            return render(request, "people/import.html", context, status=400)
        try:
            report = services.import_census(body, text)
        except ComunaError as error:
            return render_refusal(request, "people/import.html", context, error)
        messages.success(
            request,
            _("Imported %(residents)s residents in %(households)s new households.")
            % {"residents": report.residents, "households": report.households},
        )
        return redirect("census", body.slug)
    return render(request, "people/import.html", context, status=400 if form.errors else 200)
