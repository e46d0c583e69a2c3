"""Rotation by lot, by a roster of households (turno) and by short shifts; reports."""

from __future__ import annotations

import datetime as dt

import pytest

from comuna.bodies.models import RecordEntry
from comuna.core.errors import RuleError
from comuna.core.rotation import draw_by_lot as core_draw
from comuna.offices import rotation_services as rotations
from comuna.offices import services
from comuna.offices.models import Post, Term
from comuna.people import services as people
from tests.apps import offices_scene as scene

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_it_fills_the_seats_by_a_seeded_draw_among_volunteers_and_records_it():
    body, carmen = scene.council()
    post = Post.objects.get(body=body, unit=Post.Unit.ELECTORAL)
    volunteers = scene.members(body)[:8]
    terms = rotations.draw_by_lot(post, volunteers, seed="acta-7", by=carmen, on=TODAY)
    expected = core_draw([str(r.pk) for r in volunteers], 5, "acta-7").chosen
    assert [str(t.holder_id) for t in terms] == list(expected)
    assert sorted(t.seat for t in terms) == [1, 2, 3, 4, 5]
    entry = RecordEntry.objects.get(body=body, kind="lot.drawn")
    assert entry.payload["seed"] == "acta-7" and entry.payload["chosen"] == list(expected)


def test_it_passes_the_office_to_the_households_in_turn():
    body, carmen = scene.council(residents=2)
    first = people.add_household(body, code="A-01", address="Calle 1")
    second = people.add_household(body, code="A-02", address="Calle 2")
    residents = [
        people.register_resident(
            h,
            first_names=n,
            last_names="Mamani",
            birth_date=dt.date(1980, 1, 1),
            resident_since=dt.date(2010, 1, 1),
        )  # fmt: skip
        for h, n in ((first, "Juana"), (second, "Pedro"))
    ]
    post = Post.objects.create(
        body=body, unit=Post.Unit.OTHER, name="Jilaqata", seats=1, rotation="roster"
    )
    # Households pass in the order of their codes: A-01, A-02, then the builders' H-n.
    with pytest.raises(RuleError) as not_yet:
        rotations.take_roster_turn(post, residents[1], by=carmen, on=TODAY)
    assert not_yet.value.code == "roster.not_their_turn"
    term = rotations.take_roster_turn(post, residents[0], by=carmen, on=TODAY)
    assert term.household == first and term.ends_on == TODAY.replace(year=TODAY.year + 1)
    later = TODAY.replace(year=TODAY.year + 1) + dt.timedelta(days=1)
    rotations.take_roster_turn(post, residents[1], by=carmen, on=later)
    assert Term.objects.get(pk=term.pk).end_reason == Term.End.EXPIRED


def test_it_plans_short_rotating_shifts_for_a_board():
    body, carmen = scene.council()
    post = Post.objects.create(
        body=body, unit=Post.Unit.OTHER, name="Junta", seats=1, rotation="shift"
    )
    board = scene.members(body)[:3]
    terms = rotations.plan_shifts(post, board, start=TODAY, by=carmen, rounds=2)
    assert [t.holder for t in terms] == board * 2
    assert terms[0].ends_on == TODAY + dt.timedelta(days=13)
    assert [t.in_force(TODAY) for t in terms] == [True] + [False] * 5
    with pytest.raises(RuleError):
        rotations.plan_shifts(post, board, start=TODAY, by=carmen)


def test_it_files_an_office_holders_report_on_a_decision():
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5])
    term = Term.objects.filter(post__body=body).first()
    report = services.file_report(term, "Se hizo la contraloría del proyecto.", by=carmen, on=TODAY)
    assert report.text.startswith("Se hizo")
    assert RecordEntry.objects.filter(body=body, kind="report.filed").exists()


@pytest.fixture
def en_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_it_creates_a_board_and_plans_its_shifts_from_the_pages(en_client):
    body, carmen = scene.council()
    en_client.force_login(carmen)
    response = en_client.post(
        f"/b/{body.slug}/offices/posts/new/", {"name": "Junta", "seats": 1, "rotation": "shift"}
    )
    post = Post.objects.get(body=body, name="Junta")
    assert response.status_code == 302 and post.unit == Post.Unit.OTHER
    board = scene.members(body)[:2]
    url = f"/b/{body.slug}/offices/posts/{post.pk}/shifts/"
    bad = en_client.post(url, {"members": "V-000\n", "starts_on": TODAY, "rounds": 1})
    assert bad.status_code == 400 and "No resident V-000 lives here." in bad.content.decode()
    members = "\n".join(str(r.pk) for r in board)
    assert (
        en_client.post(url, {"members": members, "starts_on": TODAY, "rounds": 2}).status_code
        == 302
    )
    page = en_client.get(f"/b/{body.slug}/offices/posts/{post.pk}/").content.decode()
    assert page.count("<td>rotating shift") == 4
    holder = en_client.get(f"/b/{body.slug}/offices/holders/{board[0].pk}/")  # two terms
    assert holder.status_code == 200 and holder.content.decode().count("Junta") >= 2


def test_it_draws_by_lot_and_passes_the_turn_from_the_pages(
    en_client, django_assert_max_num_queries
):
    body, carmen = scene.council()
    en_client.force_login(carmen)
    lot = rotations_post(body, "Delegación", 2, "lot")
    keys = "\n".join(str(r.pk) for r in scene.members(body)[:5])
    url = f"/b/{body.slug}/offices/posts/{lot.pk}/lot/"
    assert (
        en_client.post(url, {"volunteers": keys, "seed": "acta 3", "starts_on": TODAY}).status_code
        == 302
    )
    assert Term.objects.filter(post=lot, source=Term.Source.LOT).count() == 2
    roster = rotations_post(body, "Jilaqata", 1, "roster")
    with django_assert_max_num_queries(15):
        page = en_client.get(f"/b/{body.slug}/offices/posts/{roster.pk}/").content.decode()
    assert "Next in the roster" in page
    resident = scene.members(body)[0]
    url = f"/b/{body.slug}/offices/posts/{roster.pk}/roster/"
    assert en_client.post(url, {"resident": resident.pk, "starts_on": TODAY}).status_code == 302
    assert Term.objects.get(post=roster).household_id == resident.household_id


def rotations_post(body, name, seats, rotation):
    return services.create_post(
        body, name=name, seats=seats, rotation=rotation, by=scene.carmen(body)
    )


def test_it_files_a_report_on_a_decision_from_the_holders_page(en_client):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5])
    scene.amend(body, reelection_limit="3")  # decision 1
    term = Term.objects.filter(post__body=body).first()
    en_client.force_login(carmen)
    url = f"/b/{body.slug}/offices/holders/{term.holder_id}/report/"
    missing = en_client.post(url, {"term": term.pk, "text": "Hecho.", "decision": 9})
    assert missing.status_code == 400 and "There is no decision 9." in missing.content.decode()
    assert (
        en_client.post(url, {"term": term.pk, "text": "Hecho.", "decision": 1}).status_code == 302
    )
    page = en_client.get(f"/b/{body.slug}/offices/holders/{term.holder_id}/").content.decode()
    assert "decision 1" in page and "Hecho." in page
