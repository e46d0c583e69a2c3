"""Accounts follow offices: promoters take roles away, and a role tied to a term ends with it
(ADR 0054)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.urls import reverse

from comuna.assemblies import services as assemblies
from comuna.bodies import services as bodies
from comuna.bodies.models import RecordEntry, Role
from comuna.core.errors import RuleError
from comuna.core.tally import VoteCounts
from comuna.offices import account_services
from comuna.offices.models import OfficeAccount, Post, Term
from comuna.policies import roles_of
from tests import builders
from tests.apps import offices_scene as scene
from tests.apps.test_offices_recall import _to_vote, elected

pytestmark = pytest.mark.django_db


def _last(body, kind: str) -> RecordEntry:
    return RecordEntry.objects.filter(body=body, kind=kind).order_by("-seq").first()


def _rosa(body, term: Term) -> User:
    """Rosa holds ``term`` and acts through a spokesperson account tied to it."""
    luis, rosa = builders.make_user("luis"), builders.make_user("rosa")
    role = bodies.grant_role(body, rosa, Role.Kind.SPOKESPERSON, granted_by=luis)
    account_services.link_account(role, term, by=luis)
    return rosa


def _convene_status(client, body, user: User) -> int:
    client.force_login(user)
    return client.post(reverse("convene", args=[body.slug]), {}).status_code


def test_it_lets_a_promoter_take_a_role_away_and_shows_it_in_the_history(client):
    body = builders.make_council(residents=3)
    marta = Role.objects.get(body=body, user__username="marta")
    client.force_login(builders.make_user("luis"))
    response = client.post(
        reverse("revoke_role", args=[body.slug]), {"role": marta.pk, "reason": "left_office"}
    )
    assert response.status_code == 302
    assert not Role.objects.filter(pk=marta.pk).exists()
    entry = _last(body, "role.revoked")
    assert entry.payload == {
        "body": body.slug,
        "user": "marta",
        "role": "spokesperson",
        "reason": "left_office",
        "by": "luis",
    }
    page = client.get(reverse("roles", args=[body.slug])).content.decode()
    assert f"#{entry.seq}" in page and "marta" in page


def test_it_lets_a_promoter_step_down(client):
    body = builders.make_council(residents=3)
    luis = Role.objects.get(body=body, user__username="luis")
    client.force_login(builders.make_user("luis"))
    response = client.post(
        reverse("revoke_role", args=[body.slug]), {"role": luis.pk, "reason": "stepped_down"}
    )
    assert response.status_code == 302 and response["Location"] == f"/b/{body.slug}/"
    assert _last(body, "role.revoked").payload["reason"] == "stepped_down"
    assert client.get(reverse("roles", args=[body.slug])).status_code == 403


def test_it_refuses_revoking_to_outsiders_and_spokespeople(client):
    body = builders.make_council(residents=3)
    luis = Role.objects.get(body=body, user__username="luis")
    url = reverse("revoke_role", args=[body.slug])
    for name in ("tomas", "marta"):
        client.force_login(builders.make_user(name))
        assert client.post(url, {"role": luis.pk, "reason": "withdrawn"}).status_code == 403
    assert Role.objects.filter(pk=luis.pk).exists()
    assert not RecordEntry.objects.filter(body=body, kind="role.revoked").exists()


def test_it_refuses_an_unknown_reason_or_a_role_of_another_body(client):
    body = builders.make_council(residents=3)
    other = builders.make_council(residents=1, slug="otro")
    foreign = Role.objects.get(body=other, user__username="marta")
    client.force_login(builders.make_user("luis"))
    url = reverse("revoke_role", args=[body.slug])
    assert client.post(url, {"role": foreign.pk, "reason": "withdrawn"}).status_code == 400
    marta = Role.objects.get(body=body, user__username="marta")
    assert client.post(url, {"role": marta.pk, "reason": "whim"}).status_code == 400
    assert Role.objects.filter(pk__in=[foreign.pk, marta.pk]).count() == 2


def test_it_revokes_the_account_of_a_recalled_holder_in_the_same_act(client):
    body, carmen, term = elected(scene.years_ago(1, 10))
    rosa = _rosa(body, term)
    assert _convene_status(client, body, rosa) != 403  # may convene (the form is empty)
    _recall, motion = _to_vote(body, carmen, term)
    assemblies.close_vote(motion, by=builders.make_user("marta"), counts=VoteCounts(yes=8, no=2))
    assert not Role.objects.filter(user=rosa, body=body).exists()
    assert not OfficeAccount.objects.exists()
    entry = _last(body, "role.revoked")
    assert entry.payload["user"] == "rosa" and entry.payload["reason"] == "term_recalled"
    assert entry.payload["by"] is None
    ended = _last(body, "term.ended")
    assert ended.payload["term"] == term.pk and ended.seq < entry.seq
    assert _convene_status(client, body, rosa) == 403


def test_it_takes_the_powers_away_on_the_last_day_and_revokes_when_the_term_is_closed(client):
    body, carmen, term = elected(scene.years_ago(1, 10))
    rosa = _rosa(body, term)
    Term.objects.filter(post=term.post).update(ends_on=F("starts_on"))  # the terms ran out
    assert roles_of(rosa, body) == frozenset()
    assert _convene_status(client, body, rosa) == 403
    assert Role.objects.filter(user=rosa, body=body).exists()  # until the term is closed
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4, 3], post=term.post)  # closes it
    assert not Role.objects.filter(user=rosa, body=body).exists()
    assert _last(body, "role.revoked").payload["reason"] == "term_expired"


def test_it_ties_an_account_on_the_page_and_shows_who_holds_it(client):
    body, _carmen, term = elected(scene.years_ago(1, 10))
    marta = Role.objects.get(body=body, user__username="marta")
    client.force_login(builders.make_user("luis"))
    url = reverse("link_account", args=[body.slug])
    assert client.get(url).status_code == 200
    assert client.post(url, {"role": marta.pk, "term": term.pk}).status_code == 302
    linked = _last(body, "role.linked")
    assert linked.payload["term"] == term.pk and linked.payload["holder"] == term.holder_id
    page = client.get(reverse("roles", args=[body.slug])).content.decode()
    assert term.holder.full_name in page and term.post.name in page
    assert "LOCC Arts. 5–6" in page  # the promoter team should step down


def test_it_gives_an_elected_holder_a_new_account_tied_to_the_term(client):
    body, _carmen, term = elected(scene.years_ago(1, 10))
    client.force_login(builders.make_user("luis"))
    election_page = client.get(reverse("election_detail", args=[body.slug, term.election_id]))
    url = reverse("link_account", args=[body.slug])
    assert url in election_page.content.decode()
    assert client.post(url, {"term": term.pk}).status_code == 400  # neither role nor username
    new = {"term": term.pk, "username": "ana", "password": "vereda-7-los-mangos"}
    assert client.post(url, new).status_code == 302
    role = Role.objects.get(body=body, user__username="ana")
    assert role.kind == Role.Kind.SPOKESPERSON and role.office.term == term
    kinds = list(RecordEntry.objects.filter(body=body).values_list("kind", flat=True))
    assert kinds[-2:] == ["role.granted", "role.linked"]


def test_it_refuses_to_tie_a_role_that_the_seat_does_not_give():
    body, carmen = scene.council(residents=20)
    commission = Post.objects.get(body=body, unit=Post.Unit.ELECTORAL)
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4, 3], post=commission)
    seat = Term.objects.get(post=commission, seat=1)
    marta = Role.objects.get(body=body, user__username="marta")
    with pytest.raises(RuleError) as wrong:
        account_services.link_account(marta, seat, by=builders.make_user("luis"))
    assert wrong.value.code == "account.wrong_role"
    assert not RecordEntry.objects.filter(body=body, kind="role.linked").exists()


def test_it_shows_the_roles_page_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    body, _carmen, term = elected(scene.years_ago(1, 10))
    _rosa(body, term)
    for n in range(5):
        bodies.grant_role(
            body, builders.make_user(f"v{n}"), "spokesperson", builders.make_user("luis")
        )
    client.force_login(builders.make_user("luis"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("roles", args=[body.slug])).status_code == 200
