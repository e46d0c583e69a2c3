"""Hostile text typed into every field never breaks a page or the acta PDF (no 5xx).

The browser battery (``tests/browser/test_xss.py``) checks that nothing runs; this checks, on
both databases and without a browser, that every route, PDF and downloads included, answers.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from comuna.assemblies.models import Motion
from tests.apps.api_scene import build_scene, client_for
from tests.apps.populated_scene import populated_council
from tests.apps.test_safe_methods import urls
from tests.browser.xss_corpus import PAYLOADS

pytestmark = pytest.mark.django_db


def test_it_answers_every_route_of_a_hostile_council(client):
    scene = populated_council(PAYLOADS, slug="hostil")
    client.force_login(User.objects.get(username="marta"))
    answered = {url: client.get(url).status_code for url in urls(scene)}
    assert [url for url, status in answered.items() if status >= 500] == []
    assert sum(status == 200 for status in answered.values()) > 60


def test_it_prints_typed_markup_in_the_acta_pdf_as_text(client):
    # ReportLab reads <img src> (files, URLs) and <a href> in a Paragraph: typed text must
    # reach it escaped, or a resident could embed a server file in the acta.
    scene = populated_council(
        [*PAYLOADS[:12], '<img src="/etc/hostname" width="9" height="9"/>', "</para><b>x"],
        slug="pdf",
    )
    response = client.get(f"/b/{scene.body.slug}/assemblies/{scene.closed.pk}/acta.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert b"/Subtype /Image" not in response.content


# Every field name a form or view of Comuna reads, and values no form would send.
FIELDS = [
    "abstain",
    "address",
    "agenda",
    "agenda_item",
    "amount",
    "ballot_kind",
    "birth_date",
    "call",
    "changes",
    "choice",
    "code",
    "committee",
    "cost",
    "decision",
    "description",
    "evidence",
    "feasible",
    "first_call_at",
    "first_names",
    "founded_on",
    "household",
    "id_number",
    "kind",
    "last_names",
    "max_cost",
    "max_projects",
    "method",
    "name",
    "no",
    "note",
    "notice",
    "number",
    "on",
    "p_P1",
    "p_P2",
    "password",
    "place",
    "points",
    "profile",
    "progress",
    "q",
    "reason",
    "resident",
    "resident_since",
    "second_call_at",
    "sector",
    "setting",
    "sex",
    "spent_on",
    "summary",
    "territory",
    "text",
    "title",
    "username",
    "yes",
]
RAW = '"><script>alert(1)</script>'
GARBAGE = ("x\x00y", "abc", "-1", "99999999999999999999999", "", "1e400", "NaN", "2026-02-30", RAW)


def test_it_answers_garbage_posts_to_every_route_with_4xx_not_5xx(client):
    scene = populated_council()
    client.force_login(User.objects.get(username="marta"))
    failures, echoed = [], 0
    for value in GARBAGE:
        for url in urls(scene):
            response = client.post(url, dict.fromkeys(FIELDS, value))
            if response.status_code >= 500:
                failures.append((value, url, response.status_code))
            # A form re-rendered with the refused input shows it escaped.
            if RAW.encode() in response.content:
                failures.append((value, url, "unescaped"))
            echoed += b"&lt;script&gt;alert(1)" in response.content
    assert failures == []
    assert echoed >= 5  # the refused input did come back, in forms re-rendered with errors


def test_it_ignores_a_nul_in_the_search_boxes(client):
    # PostgreSQL refuses a NUL in a query parameter: the searches were a 500 there.
    scene = populated_council()
    client.force_login(User.objects.get(username="marta"))
    slug = scene.body.slug
    for url in (
        f"/b/{slug}/census/?q=Texto%00",
        f"/b/{slug}/assemblies/{scene.session.pk}/attendance/?q=Texto%00",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Texto de prueba 1" in response.content.decode()


def test_it_refuses_a_nul_in_api_text_as_malformed_input():
    scene = build_scene(residents=4)
    client = client_for("marta")
    response = client.post(
        f"/api/assemblies/{scene.session.pk}/motions",
        json.dumps({"title": "Reparar\x00el techo", "method": "open_count"}),
        content_type="application/json",
    )
    # Ninja reports any failure to parse a body as 400 api.malformed.
    assert response.status_code == 400
    assert response.json()["code"] == "api.malformed"
    assert not Motion.objects.filter(title__startswith="Reparar").exists()
