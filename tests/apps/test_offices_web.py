"""Offices pages: public lists with bounded queries, forms that refuse bad input with a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comuna.offices import election_services as elections
from comuna.offices import recall_services as recalls
from comuna.offices import services
from comuna.offices.models import Election, Term
from comuna.people import services as people
from tests import builders
from tests.apps import offices_scene as scene

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read the English texts (the Spanish ones are the browser journey's)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_it_lists_posts_holders_and_vacancies_in_few_queries(client, django_assert_max_num_queries):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4])
    with django_assert_max_num_queries(10):
        response = client.get(f"/b/{body.slug}/offices/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Unidad de Contraloría Social" in text and "5 vacant seats" in text
    assert scene.members(body)[0].full_name in text


def test_it_shows_an_office_holders_public_record_in_few_queries(
    client, django_assert_max_num_queries
):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4], held_on=scene.years_ago(1, 5))
    term = Term.objects.get(post__body=body, seat=1)
    services.file_report(term, "Informe trimestral de gestión.", by=carmen, on=TODAY)
    recalls.open_recall(term, grounds="No rinde cuentas", by=carmen, on=TODAY)
    with django_assert_max_num_queries(10):
        response = client.get(f"/b/{body.slug}/offices/holders/{term.holder_id}/")
    text = response.content.decode()
    assert "Informe trimestral de gestión." in text and "collecting signatures" in text
    other = scene.members(body)[15]  # never held an office: no page
    assert client.get(f"/b/{body.slug}/offices/holders/{other.pk}/").status_code == 404


def test_it_shows_each_post_and_who_has_held_it(client):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4])
    post = scene.audit_post(body)
    response = client.get(f"/b/{body.slug}/offices/posts/{post.pk}/")
    assert response.status_code == 200 and "elected" in response.content.decode()


def test_it_refuses_an_ineligible_candidate_with_a_clear_message(client):
    body, carmen = scene.council()
    household = people.add_household(body, code="H-2", address="Calle 2")
    young = people.register_resident(
        household, first_names="Ana", last_names="Joven",
        birth_date=TODAY.replace(year=TODAY.year - 16), resident_since=dt.date(2015, 1, 1),
    )  # fmt: skip
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="paper", held_on=TODAY
    )
    client.force_login(carmen)
    response = client.post(
        f"/b/{body.slug}/offices/elections/{election.pk}/candidacies/", {"resident": young.pk}
    )
    assert response.status_code == 409
    assert "Ana Joven is under 18" in response.content.decode()
    assert not election.candidacies.exists()


def _stv_paper_election(body, carmen) -> Election:
    scene.amend(body, election_method="stv")
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="paper", held_on=TODAY
    )
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    return elections.open_election(election, by=carmen)


def test_it_refuses_a_malformed_blt_upload_and_counts_a_good_one(client):
    body, carmen = scene.council()
    election = _stv_paper_election(body, carmen)
    client.force_login(carmen)
    url = f"/b/{body.slug}/offices/elections/{election.pk}/count/"
    bad = SimpleUploadedFile("ucs.blt", b"6 5\n1 1 2\n0\n")
    response = client.post(url, {"blt": bad})
    assert response.status_code == 400
    assert "Line 2: a ballot line must end with 0." in response.content.decode()
    election.refresh_from_db()
    assert election.status == Election.Status.VOTING
    names = elections.ranked_election(election).candidates
    text = "6 5\n3 1 2 0\n2 3 0\n1 4 5 0\n2 6 0\n1 2 1 0\n0\n" + "".join(f'"{n}"\n' for n in names)
    response = client.post(url, {"blt": SimpleUploadedFile("ucs.blt", text.encode())})
    assert response.status_code == 302
    page = client.get(f"/b/{body.slug}/offices/elections/{election.pk}/").content.decode()
    assert "The count, stage by stage" in page and "first preferences" in page
    assert "exclusion of Persona" in page or "surplus of Persona" in page  # names, not numbers


def test_it_casts_a_phone_ballot_and_gives_a_receipt(client):
    body, carmen = scene.council()
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly, present=8)
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="phone", held_on=TODAY, assembly=assembly
    )
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    code = assembly.attendance.first().voting_code
    url = f"/b/{body.slug}/offices/elections/{election.pk}/ballot/"
    response = client.post(url, {"code": code, "candidate": "2"})
    assert response.status_code == 200 and "Your receipt" in response.content.decode()
    again = client.post(url, {"code": code, "candidate": "3"})
    assert again.status_code == 409 and "already voted" in again.content.decode()
    wrong = client.post(url, {"code": "ZZZZZZ", "candidate": "3"})
    assert wrong.status_code == 409
    assert election.ballots_cast.count() == 1


def test_it_refuses_a_duplicate_signature_on_the_petition(client):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4], held_on=scene.years_ago(1, 5))
    term = Term.objects.get(post__body=body, seat=1)
    recall = recalls.open_recall(term, grounds="No rinde cuentas", by=carmen, on=TODAY)
    client.force_login(carmen)
    url = f"/b/{body.slug}/offices/recalls/{recall.pk}/sign/"
    signer = scene.members(body)[12]
    assert client.post(url, {"resident": signer.pk}).status_code == 302
    response = client.post(url, {"resident": signer.pk})
    assert response.status_code == 409
    assert "has already signed this petition" in response.content.decode()
    assert recall.signatures.count() == 1


def test_it_refuses_a_petition_before_mid_term_in_the_form(client):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4])
    term = Term.objects.get(post__body=body, seat=1)
    client.force_login(carmen)
    response = client.post(
        f"/b/{body.slug}/offices/recalls/new/", {"term": term.pk, "grounds": "No rinde cuentas"}
    )
    assert response.status_code == 409 and "Too early" in response.content.decode()


def test_it_shows_an_election_and_a_recall_in_few_queries(client, django_assert_max_num_queries):
    body, carmen = scene.council()
    election = scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4], held_on=scene.years_ago(1, 5))
    term = Term.objects.get(post__body=body, seat=1)
    recall = recalls.open_recall(term, grounds="No rinde cuentas", by=carmen, on=TODAY)
    client.force_login(carmen)
    with django_assert_max_num_queries(15):
        page = client.get(f"/b/{body.slug}/offices/elections/{election.pk}/?q=Persona")
    assert page.status_code == 200 and "Result" in page.content.decode()
    with django_assert_max_num_queries(15):
        page = client.get(f"/b/{body.slug}/offices/recalls/{recall.pk}/?q=Persona")
    assert page.status_code == 200 and "Steps and deadlines" in page.content.decode()


def test_it_calls_an_election_from_the_form_and_refuses_phones_without_an_assembly(client):
    body, carmen = scene.council()
    client.force_login(carmen)
    post = scene.audit_post(body)
    url = f"/b/{body.slug}/offices/elections/new/"
    refused = client.post(url, {"post": post.pk, "ballots": "phone"})
    assert refused.status_code == 400 and "Phone ballots are cast in an assembly" in (
        refused.content.decode()
    )
    assert not Election.objects.exists()
    called = client.post(url, {"post": post.pk, "ballots": "paper", "held_on": TODAY})
    assert called.status_code == 302 and Election.objects.get().held_on == TODAY


def test_it_lists_the_offices_in_the_api(client, django_assert_max_num_queries):
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4], held_on=scene.years_ago(1, 5))
    term = Term.objects.get(post__body=body, seat=1)
    recalls.open_recall(term, grounds="No rinde cuentas", by=carmen, on=TODAY)
    with django_assert_max_num_queries(8):
        data = client.get(f"/api/bodies/{body.slug}/offices").json()
    audit = next(p for p in data["posts"] if p["unit"] == "audit")
    assert audit["vacant"] == 0 and audit["holders"][0]["holder"] == term.holder_id
    assert (
        data["recalls"][0]["status"] == "petition" and data["recalls"][0]["signatures_needed"] == 2
    )


def test_it_takes_a_ranked_ballot_on_the_phone_and_refuses_a_repeated_preference(client):
    body, carmen = scene.council()
    scene.amend(body, election_method="stv")
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly, present=8)
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="phone", held_on=TODAY, assembly=assembly
    )
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    code = assembly.attendance.first().voting_code
    url = f"/b/{body.slug}/offices/elections/{election.pk}/ballot/"
    page = client.get(url).content.decode()
    assert "order of preference" in page
    twice = client.post(url, {"code": code, "rank_1": 1, "rank_2": 1})
    assert twice.status_code == 400 and "Give each preference number once." in (
        twice.content.decode()
    )
    done = client.post(url, {"code": code, "rank_3": 2, "rank_1": 1, "rank_6": 3})
    assert done.status_code == 200 and "Your receipt" in done.content.decode()
    assert election.ballots_cast.get().marks == [1, 3, 6]


def test_it_asks_for_the_lot_drawn_when_the_count_ties(client):
    body, carmen = scene.council()
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="paper", held_on=TODAY
    )
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    client.force_login(carmen)
    url = f"/b/{body.slug}/offices/elections/{election.pk}/count/"
    votes = {f"votes_{n}": v for n, v in zip(range(1, 7), [9, 8, 7, 6, 4, 4], strict=True)}
    tied = client.post(url, votes)
    assert tied.status_code == 409 and "tie with 4 votes" in tied.content.decode()
    assert not Term.objects.exists()
    drawn = client.post(url, {**votes, "lot": "6, 5, 4, 3, 2, 1"})
    assert drawn.status_code == 302
    page = client.get(f"/b/{body.slug}/offices/elections/{election.pk}/").content.decode()
    assert "Order drawn by lot in the assembly" in page and "6, 5, 4, 3, 2, 1" in page
