"""Every page of every domain of the demo answers: built once by `comuna demo`, then crawled.

The demo is built once for this module (as ``test_demo.py`` does, rolled back at the end);
every GET route of ``test_authorisation.ROUTES`` is opened for every object of the demo it
can show, under the council's slug, the commune's and the neighbouring councils', as an
anonymous visitor and as the accounts of ``docs/demo.md``. Nothing answers 5xx; each domain's
pages answer 200 with the demo's objects in them.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from comuna import cli, demo, demo_budget, demo_commune, demo_offices
from comuna.assemblies.models import Assembly, Motion
from comuna.bodies.export import export_record
from comuna.bodies.models import Body, RecordEntry
from comuna.budgets.models import BudgetProcess, Project, Spending
from comuna.economy.models import Account, Entry
from comuna.federation.models import (
    Consultation,
    Delegate,
    DelegateVote,
    Deviation,
    Item,
    Session,
)
from comuna.lots.models import Lottery
from comuna.offices.models import Election, Post, Recall, Report, Term
from comuna.verify import verify_export
from tests.apps.test_authorisation import ROUTES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo council and its commune, rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli.main(["demo"]) == 0
        body = Body.objects.get(slug=demo.DEMO_SLUG)
        yield body
        transaction.set_rollback(True)


def objects_of(body: Body) -> dict[str, list[tuple[str, int]]]:
    """The demo's objects each ``<int:pk>`` route can show, by what precedes the pk, with
    the slug of the body whose pages show them (federation ones: the commune's and the
    council's side)."""
    commune = body.parent
    assert commune is not None
    sides = (commune.slug, body.slug)

    def pks(queryset, slugs=(body.slug,)) -> list[tuple[str, int]]:
        return [
            (s, pk) for pk in queryset.order_by("pk").values_list("pk", flat=True) for s in slugs
        ]

    fed = "b/<slug:slug>/federation/"
    meetings = Assembly.objects.filter(body__parent=commune).order_by("pk")
    return {
        "b/<slug:slug>/assemblies/": [(a.body.slug, a.pk) for a in meetings.select_related("body")],
        "b/<slug:slug>/motions/": pks(Motion.objects.filter(assembly__body=body))[-12:],
        "b/<slug:slug>/budgets/": pks(BudgetProcess.objects.filter(body=body)),
        "b/<slug:slug>/budgets/projects/": pks(Project.objects.filter(process__body=body)),
        "b/<slug:slug>/budgets/spending/": pks(
            Spending.objects.filter(project__process__body=body)
        ),
        "b/<slug:slug>/lots/": pks(Lottery.objects.filter(body=body)),
        "b/<slug:slug>/offices/posts/": pks(Post.objects.filter(body=body)),
        "b/<slug:slug>/offices/holders/": [
            (body.slug, pk)
            for pk in sorted(
                set(Term.objects.filter(post__body=body).values_list("holder", flat=True))
            )
        ],
        "b/<slug:slug>/offices/elections/": pks(Election.objects.filter(body=body)),
        "b/<slug:slug>/offices/recalls/": pks(Recall.objects.filter(body=body)),
        fed + "consultations/": pks(Consultation.objects.filter(body=commune), sides),
        fed + "sessions/": pks(Session.objects.filter(body=commune), sides),
        fed + "items/": pks(Item.objects.filter(session__body=commune), sides),
        fed + "delegates/": pks(Delegate.objects.filter(seat__body=commune), sides),
        fed + "deviations/": pks(Deviation.objects.all(), sides),
        fed + "recalls/": pks(Recall.objects.all(), sides),  # POST only (to a referendum)
        "b/<slug:slug>/treasury/accounts/": pks(Account.objects.filter(body=body)),
        "b/<slug:slug>/treasury/entries/": pks(Entry.objects.filter(body=body)),
    }


def demo_urls(body: Body) -> list[str]:
    """Pages without a pk under every demo body's slug; pages of an object under its own."""
    objects = objects_of(body)
    slugs = [body.slug, *Body.objects.exclude(pk=body.pk).values_list("slug", flat=True)]
    found = []
    for route, _pattern in ROUTES:
        if "<int:pk>" in route:
            for slug, pk in objects[route.split("<int:pk>")[0]]:
                found.append("/" + route.replace("<slug:slug>", slug).replace("<int:pk>", str(pk)))
        elif "<slug:slug>" in route:
            found += ["/" + route.replace("<slug:slug>", slug) for slug in slugs]
        else:
            found.append("/" + route)
    return found


def crawl(client: Client, body: Body) -> dict[str, int]:
    statuses = {}
    for url in demo_urls(body):
        response = client.get(url)
        statuses[url] = response.status_code
        assert response.status_code < 500, (url, response.status_code)
    return statuses


@pytest.mark.parametrize("username", [None, "vocera", "electoral", "promotor"])
def test_it_opens_every_page_of_every_domain_without_an_error(built, username):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    if username:
        client.force_login(User.objects.get(username=username))
    statuses = crawl(client, built)
    shown = {url for url, status in statuses.items() if status == 200}
    for part in ("/offices/", "/budgets/", "/lots/", "/federation/", "/assemblies/"):
        assert sum(part in url for url in shown) >= 3, part
    assert len(shown) >= 150, len(shown)


def test_it_fills_the_offices(built):
    posts = Post.objects.filter(body=built)
    assert posts.filter(unit=Post.Unit.EXECUTIVE).count() == 7
    counted = Election.objects.filter(body=built, status=Election.Status.COUNTED)
    assert {e.ballots for e in counted} == {"paper", "phone"}
    assert counted.filter(post__unit=Post.Unit.EXECUTIVE).count() == 2
    assert Term.objects.filter(post__body=built, source=Term.Source.LOT).exists()
    assert Term.objects.filter(post__body=built, source=Term.Source.ROSTER).exists()
    recall = Recall.objects.get(body=built)
    assert recall.status == Recall.Status.PETITION
    assert 0 < recall.signatures.count() < recall.needed
    assert Report.objects.filter(term__post__body=built).count() == len(demo_offices.REPORTS)


def test_it_funds_the_minority_project_by_equal_shares_not_greedy(built, client):
    process = BudgetProcess.objects.get(body=built)
    assert process.phase == BudgetProcess.Phase.EXECUTION
    assert 8 <= process.projects.count() <= 12 and process.ballots.count() > 100
    assert process.result["rule"] == "mes"
    ramp = process.projects.get(title__startswith="Rampa")
    assert ramp.code in process.result["selected"]
    assert ramp.code not in process.result["greedy"]["selected"]
    assert Spending.objects.filter(project__process=process).count() == len(demo_budget.SPENDING)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/b/{built.slug}/budgets/{process.pk}/result/").content.decode()
    assert "Compared with the greedy rule" in page and ramp.title in page


def test_it_draws_the_mediation_panel(built):
    lottery = Lottery.objects.get(body=built)
    assert lottery.stage == Lottery.Stage.DRAWN
    assert lottery.quotas.count() == 2 + len(demo_budget.SECTORS)


def test_it_founds_the_commune_and_records_the_deviation(built):
    commune = built.parent
    assert commune is not None and commune.slug == demo_commune.COMMUNE_SLUG
    assert Body.objects.filter(parent=commune).count() == 3
    assert Delegate.objects.filter(seat__body=commune).count() == 3
    deviation = Deviation.objects.get()
    assert deviation.member.slug == "vista-al-turbio"
    assert DelegateVote.objects.filter(item__session__body=commune).count() == 6
    closed = Consultation.objects.filter(body=commune, status=Consultation.Status.CLOSED)
    assert {c.kind for c in closed} == {Consultation.Kind.FOUNDING, Consultation.Kind.QUESTION}


def test_it_keeps_every_record_of_the_demo_verifiable_and_in_time_order(built):
    bodies = list(Body.objects.order_by("pk"))
    exported = export_record(bodies)
    assert verify_export(exported) == []
    kinds = {entry["kind"] for body in exported["bodies"] for entry in body["entries"]}
    assert {
        "election.counted", "lot.drawn", "roster.turn", "report.filed", "recall.signed",
        "budget.result", "lottery.drawn", "founding.started", "delegate.elected",
        "mandate.given", "mandate.deviation", "consultation.unit_reported",
    } <= kinds  # fmt: skip
    for body in bodies:
        times = list(
            RecordEntry.objects.filter(body=body)
            .order_by("seq")
            .values_list("recorded_at", flat=True)
        )
        assert times == sorted(times), body.slug
