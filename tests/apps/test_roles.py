"""The promoter team hands out accounts and records the registration; both go on the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from comuna.bodies.models import RecordEntry, Role
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return builders.make_council(residents=3)


@pytest.fixture
def luis(client):
    client.force_login(builders.make_user("luis"))
    return client


def test_it_creates_a_spokesperson_account_and_records_the_role(luis, council):
    response = luis.post(
        reverse("roles", args=[council.slug]),
        {"username": "carmen", "kind": "spokesperson", "password": "vereda-7-los-mangos"},
    )
    assert response.status_code == 302
    carmen = User.objects.get(username="carmen")
    assert carmen.check_password("vereda-7-los-mangos")
    assert Role.objects.filter(body=council, user=carmen, kind="spokesperson").exists()
    entry = RecordEntry.objects.filter(body=council).order_by("-seq").first()
    assert entry.kind == "role.granted" and entry.payload["user"] == "carmen"


def test_it_refuses_a_weak_password_and_writes_nothing(luis, council):
    before = RecordEntry.objects.count()
    response = luis.post(
        reverse("roles", args=[council.slug]),
        {"username": "pedro", "kind": "spokesperson", "password": "123"},
    )
    assert response.status_code == 400
    assert "contraseña" in response.content.decode().lower()
    assert not User.objects.filter(username="pedro").exists()
    assert RecordEntry.objects.count() == before


def test_it_keeps_roles_to_the_promoters(client, council):
    client.force_login(builders.make_user("marta"))  # a spokesperson, not a promoter
    assert client.get(reverse("roles", args=[council.slug])).status_code == 403


def test_it_records_the_registration_once(luis, council):
    url = reverse("registration", args=[council.slug])
    assert luis.post(url, {"number": "CC-13-0042", "on": "2024-03-01"}).status_code == 302
    council.refresh_from_db()
    assert council.registration_number == "CC-13-0042" and council.registered_on == dt.date(
        2024, 3, 1
    )
    again = luis.post(url, {"number": "CC-13-9999", "on": "2024-03-02"})
    assert again.status_code == 409
    assert RecordEntry.objects.filter(body=council, kind="body.registered").count() == 1


def test_it_refuses_a_registration_before_the_founding(luis, council):
    response = luis.post(
        reverse("registration", args=[council.slug]), {"number": "X-1", "on": "2000-01-01"}
    )
    assert response.status_code == 400
    council.refresh_from_db()
    assert council.registration_number == ""


def test_it_refuses_a_household_code_twice_with_a_message(client, council):
    client.force_login(builders.make_user("marta"))
    url = reverse("household_new", args=[council.slug])
    assert client.post(url, {"code": "H-77", "address": "Calle 7"}).status_code == 302
    again = client.post(url, {"code": "H-77", "address": "Calle 8"})
    assert again.status_code == 400
    assert "H-77" in again.content.decode()
