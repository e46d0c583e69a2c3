"""GET never writes, POST without a CSRF token never writes, and nothing answers 5xx.

Every route found by the URL resolver walk (``test_authorisation.ROUTES``) is fetched for
every object it can show in a populated council (three assemblies, motions of every method,
a closed secret vote, a budget process in execution, a drawn lottery, posts, elections,
holders and a recall) and its commune (founding, consultations, a parliament in session,
delegates, a deviation), as anonymous, as the outsider Tomás, as Marta the spokesperson and
as Luis the promoter. Federation routes are fetched under the council's slug and the
commune's. The database is compared before and after: the row count of every model, and
every row of Comuna's own models.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client

from comuna.budgets.models import Spending
from comuna.economy.models import Account, Entry
from comuna.lots.models import Lottery
from tests.apps import lots_scene
from tests.apps.populated_scene import Populated, populated_council
from tests.apps.test_authorisation import ROUTES

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PEOPLE = (None, "tomas", "marta", "luis")
FEDERATION = "b/<slug:slug>/federation/"


@pytest.fixture
def scene() -> Populated:
    populated = populated_council()
    lots_scene.drawn(populated.body)  # a lottery drawn in public, with its pool and portfolio
    return populated


def _pks(scene: Populated, route: str) -> list[int]:
    """The objects a route with ``<int:pk>`` can show, chosen by what precedes the pk."""
    prefix = route.split("<int:pk>")[0]
    assert scene.process is not None and scene.funded is not None
    offices, federation = scene.offices, scene.federation
    by_prefix = {
        "b/<slug:slug>/assemblies/": [scene.convened.pk, scene.session.pk, scene.closed.pk],
        "b/<slug:slug>/motions/": [m.pk for m in scene.motions.values()],
        "b/<slug:slug>/budgets/": [scene.process.pk],
        "b/<slug:slug>/budgets/projects/": [p.pk for p in scene.process.projects.all()[:3]],
        "b/<slug:slug>/budgets/spending/": list(Spending.objects.values_list("pk", flat=True)),
        "b/<slug:slug>/treasury/accounts/": list(
            Account.objects.filter(body=scene.body).values_list("pk", flat=True)
        ),
        "b/<slug:slug>/treasury/entries/": list(
            Entry.objects.filter(body=scene.body).values_list("pk", flat=True)
        ),
        "b/<slug:slug>/lots/": list(
            Lottery.objects.filter(body=scene.body).values_list("pk", flat=True)
        ),
        "b/<slug:slug>/offices/posts/": offices["posts"],
        "b/<slug:slug>/offices/holders/": offices["holders"],
        "b/<slug:slug>/offices/elections/": offices["elections"],
        "b/<slug:slug>/offices/recalls/": offices["recalls"],
        FEDERATION + "consultations/": federation["consultations"],
        FEDERATION + "sessions/": federation["sessions"],
        FEDERATION + "items/": federation["items"],
        FEDERATION + "delegates/": federation["delegates"],
        FEDERATION + "deviations/": federation["deviations"],
        FEDERATION + "recalls/": offices["recalls"],  # POST only: putting it to a referendum
    }
    assert prefix in by_prefix, f"{route}: say which objects it shows in _pks"
    return by_prefix[prefix]


def urls(scene: Populated) -> list[str]:
    assert scene.commune is not None
    found = []
    for route, _pattern in ROUTES:
        assert not re.search(r"<(?!slug:slug>|int:pk>)", route), f"{route}: unknown converter"
        slugs = [scene.body.slug]
        if route.startswith(FEDERATION):  # the council's side and the commune's
            slugs.append(scene.commune.slug)
        pks = _pks(scene, route) if "<int:pk>" in route else [None]
        for slug in slugs:
            path = "/" + route.replace("<slug:slug>", slug)
            found += [path.replace("<int:pk>", str(pk)) for pk in pks]
    slug, session = scene.body.slug, scene.session.pk
    secret = scene.motions["secret_closed"].pk
    return found + [
        f"/b/{slug}/census/?q=Texto",
        f"/b/{slug}/assemblies/{session}/attendance/?q=Texto",
        f"/b/{slug}/motions/{secret}/ballot-box/?receipt={scene.receipt}",
        f"/b/{slug}/budgets/{scene.process.pk}/voters/?receipt={scene.budget_receipt}",
    ]


OWN_APPS = (
    "bodies.", "people.", "assemblies.", "budgets.", "api.", "offices.", "federation.", "lots.", "economy.",
)  # fmt: skip


def snapshot() -> dict[str, object]:
    """Row counts of every model; every row of Comuna's own models."""
    state: dict[str, object] = {}
    for model in apps.get_models():
        rows = model._base_manager.order_by("pk")
        label = model._meta.label
        state[label] = rows.count()
        if label.startswith(OWN_APPS):
            state[label + " rows"] = list(rows.values_list())
    return state


def client_for(username: str | None, **kwargs: object) -> Client:
    client = Client(**kwargs)
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def test_it_finds_every_kind_of_route(scene):
    found = urls(scene)
    assert len(found) > len(ROUTES) + 20
    assert any("/ballot-box/" in url for url in found) and any("/spending/" in url for url in found)
    assert scene.commune is not None
    for path in ("offices/recalls/", "offices/holders/", "offices/elections/"):
        assert any(f"/{scene.body.slug}/{path}" in url for url in found), path
    for path in ("sessions/", "items/", "delegates/", "deviations/", "consultations/"):
        assert any(f"/{scene.commune.slug}/federation/{path}" in url for url in found), path


@pytest.mark.parametrize("username", PEOPLE, ids=[p or "anonymous" for p in PEOPLE])
def test_it_changes_nothing_on_get(scene, username):
    client = client_for(username)
    before = snapshot()
    statuses = {}
    for url in urls(scene):
        response = client.get(url)
        statuses[url] = response.status_code
        assert response.status_code < 500, (url, response.status_code)
    assert snapshot() == before
    pages = [url for url, status in statuses.items() if status == 200]
    # Everyone reads the public pages; officers read more.
    assert len(pages) >= (40 if username in ("marta", "luis") else 25), statuses


def test_it_refuses_every_post_without_a_csrf_token(scene):
    client = client_for("marta", enforce_csrf_checks=True)
    before = snapshot()
    for url in urls(scene):
        response = client.post(url, {"call": "1", "summary": "x", "title": "x", "q": "x"})
        assert response.status_code == 403, (url, response.status_code)
    assert snapshot() == before


def test_it_accepts_the_same_post_with_a_token(scene):
    """The refusal above is CSRF, not the route: with the cookie's token the POST works."""
    client = client_for("marta", enforce_csrf_checks=True)
    client.get(f"/b/{scene.body.slug}/assemblies/{scene.session.pk}/")
    token = client.cookies["csrftoken"].value
    draft = scene.motions["draft"]
    response = client.post(
        f"/b/{scene.body.slug}/motions/{draft.pk}/open/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "open"


# The API signs in by token (no cookie, no CSRF) or by session; SessionAuth checks CSRF itself.
CSRF_OPT_OUTS = {"comuna/api/auth.py"}


def test_it_exempts_nothing_from_csrf_outside_the_api_token_path():
    opted_out = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "comuna").rglob("*.py")
        if re.search(r"csrf_exempt|csrf\s*=\s*False", path.read_text(encoding="utf-8"))
    }
    assert opted_out <= CSRF_OPT_OUTS
    auth = (ROOT / "comuna/api/auth.py").read_text(encoding="utf-8")
    assert "check_csrf(request)" in auth


def test_it_shows_every_offices_and_federation_object(scene):
    """The crawl reaches real objects there: every page answers under one of the slugs (the
    council's side or the commune's), none is a 404 under both."""
    client = client_for("marta")
    assert scene.commune is not None
    statuses: dict[str, set[int]] = {}
    for url in urls(scene):
        if "/offices/" in url or "/federation/" in url:
            key = url.replace(f"/{scene.commune.slug}/", "/<slug>/")
            key = key.replace(f"/{scene.body.slug}/", "/<slug>/")
            statuses.setdefault(key, set()).add(client.get(url).status_code)
    missing = [url for url, seen in statuses.items() if seen == {404}]
    assert missing == []
    shown = [url for url, seen in statuses.items() if 200 in seen and "<slug>" in url]
    assert len(shown) >= 30, shown
