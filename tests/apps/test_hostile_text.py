"""Hostile text typed into every field never breaks a page or the acta PDF (no 5xx).

The browser battery (``tests/browser/test_xss.py``) checks that nothing runs; this checks, on
both databases and without a browser, that every route, PDF and downloads included, answers.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

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
