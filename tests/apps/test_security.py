"""Security configuration: deploy checks, headers, brute force, CSRF, database outages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from tests import builders

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_it_passes_the_deploy_checklist_in_production_settings():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "COMUNA_DEBUG": "0",
        "COMUNA_SECRET_KEY": "x" * 60 + "-prod-key-!@#$%^&*()",
        "COMUNA_ALLOWED_HOSTS": "comuna.example.org",
        "DJANGO_SETTINGS_MODULE": "comuna.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_it_sends_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_it_locks_a_username_from_one_address_but_not_from_another():
    builders.make_user("marta")
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(6):
        attacker.post(reverse("login"), {"username": "marta", "password": "wrong"})
    locked = attacker.post(reverse("login"), {"username": "marta", "password": builders.PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session
    marta = Client(REMOTE_ADDR="192.0.2.10")
    response = marta.post(reverse("login"), {"username": "marta", "password": builders.PASSWORD})
    assert response.status_code == 302
    assert marta.session["_auth_user_id"]


@pytest.mark.django_db
def test_it_refuses_state_changes_without_a_csrf_token():
    council = builders.make_council(residents=3)
    client = Client(enforce_csrf_checks=True)
    client.force_login(builders.make_user("marta"))
    response = client.post(reverse("convene", args=[council.slug]), {"place": "x"})
    assert response.status_code == 403
    assert not council.assemblies.exists()


@pytest.mark.django_db
def test_it_answers_503_with_retry_after_when_the_database_is_down(client, monkeypatch):
    council = builders.make_council(residents=1)

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("comuna.bodies.views.electorate_size", broken)
    response = client.get(reverse("body_detail", args=[council.slug]))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
