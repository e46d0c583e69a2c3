"""Every route declares who may use it, and the declaration is enforced."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from comuna.policies import POLICIES, PUBLIC, is_public
from tests import builders

# Django's admin enforces its own rule (staff accounts only); the API declares its policies
# per operation (tests/apps/test_api.py).
DELEGATED_PREFIXES = ("admin/", "api/")


def walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith(DELEGATED_PREFIXES):
                continue
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


ROUTES = sorted(walk(get_resolver().url_patterns), key=lambda item: item[0])


def test_it_finds_the_routes():
    assert len(ROUTES) > 25


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r for r, _ in ROUTES])
def test_it_declares_a_policy_on_every_route(route, pattern):
    policy = getattr(pattern.callback, "policy", None)
    assert policy is not None, f"{route} has no authorisation rule"
    assert policy == PUBLIC or policy in POLICIES


def _url(route: str, slug: str, pk: int) -> str:
    return "/" + route.replace("<slug:slug>", slug).replace("<int:pk>", str(pk))


PROTECTED = [
    (r, p) for r, p in ROUTES if p.callback.policy != PUBLIC and not is_public(p.callback.policy)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "pattern"), PROTECTED, ids=[r for r, _ in PROTECTED])
def test_it_refuses_protected_routes_to_anonymous_and_outsiders(client, route, pattern):
    council = builders.make_council(residents=2)
    url = _url(route, council.slug, 1)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (302, 405), (url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
    client.force_login(builders.make_user("tomas"))
    if pattern.callback.policy == "body.found":
        return  # any account may start the founding of a new council
    for method in (client.get, client.post):
        assert method(url).status_code in (403, 405), url
