"""The council's journey through the web pages, as Marta the spokesperson and Rosa the member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comuna.assemblies.models import Assembly, Attendance, Decision, Motion
from comuna.bodies.models import Committee, RecordEntry
from comuna.people.models import Resident
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return builders.make_council(residents=10)


@pytest.fixture
def marta_client(client, council):
    client.force_login(builders.make_user("marta"))
    return client


def test_it_shows_the_public_pages_to_anyone(client, council):
    for name in ("body_detail", "decisions", "record", "ruleset", "assembly_list"):
        response = client.get(reverse(name, args=[council.slug]))
        assert response.status_code == 200, name
    assert "Consejo Comunal Las Flores" in client.get("/").content.decode()


def test_it_speaks_spanish_by_default_and_english_on_request(client, council):
    page = client.get(reverse("body_detail", args=[council.slug])).content.decode()
    assert "miembros de la asamblea" in page
    page = client.get(
        reverse("body_detail", args=[council.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "members of the assembly" in page


def test_it_runs_an_assembly_from_convocation_to_acta(marta_client, council):
    response = marta_client.post(
        reverse("convene", args=[council.slug]),
        {
            "kind": "ordinary",
            "place": "Cancha techada",
            "first_call_at": "2030-01-01T09:00",
            "second_call_at": "2030-01-01T09:30",
            "agenda": "Agua\nSalud",
            "notice": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assembly = Assembly.objects.get(body=council)
    assert [i.title for i in assembly.agenda.all()] == ["Agua", "Salud"]
    # Record attendance from the searchable list.
    resident = Resident.objects.of_body(council).first()
    url = reverse("attendance", args=[council.slug, assembly.pk])
    page = marta_client.get(url, {"q": resident.last_names}).content.decode()
    assert resident.last_names in page
    assert marta_client.post(url, {"resident": resident.pk, "q": ""}).status_code == 302
    assert Attendance.objects.filter(assembly=assembly).count() == 1
    # Opening is refused before its time, with a clear message and nothing written.
    response = marta_client.post(
        reverse("open_assembly", args=[council.slug, assembly.pk]), {"call": "1"}
    )
    assert response.status_code == 409
    assert (
        "todavía no es la hora" in response.content.decode()
        or "no es hora" in response.content.decode()
    )


def test_it_refuses_opening_without_quorum_with_the_numbers(marta_client, council):
    assembly = builders.convene(council)
    response = marta_client.post(
        reverse("open_assembly", args=[council.slug, assembly.pk]), {"call": "1"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "quórum" in page.lower()
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.CONVENED


def test_it_votes_by_hand_count_and_creates_a_committee(marta_client, council):
    assembly = builders.open_with_quorum(builders.convene(council))
    response = marta_client.post(
        reverse("motion_new", args=[council.slug, assembly.pk]),
        {
            "title": "Crear el comité de salud",
            "method": "open_count",
            "kind": "create_committee",
            "committee": "Salud",
            "text": "",
            "changes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    motion = Motion.objects.get(assembly=assembly)
    marta_client.post(reverse("open_vote", args=[council.slug, motion.pk]))
    response = marta_client.post(
        reverse("close_vote", args=[council.slug, motion.pk]), {"yes": 7, "no": 2, "abstain": 1}
    )
    assert response.status_code == 302
    assert Decision.objects.get(motion=motion).approved
    assert Committee.objects.filter(body=council, name="Salud").exists()
    page = marta_client.get(reverse("acta", args=[council.slug, assembly.pk])).content.decode()
    assert "Crear el comité de salud" in page and "APROBADA" in page
    pdf = marta_client.get(reverse("acta_pdf", args=[council.slug, assembly.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_it_refuses_counts_above_attendance_and_writes_nothing(marta_client, council):
    assembly = builders.open_with_quorum(builders.convene(council))
    motion = builders.motion(assembly)
    before = RecordEntry.objects.count()
    response = marta_client.post(
        reverse("close_vote", args=[council.slug, motion.pk]), {"yes": 50, "no": 0, "abstain": 0}
    )
    assert response.status_code == 400
    assert "votos" in response.content.decode()
    assert RecordEntry.objects.count() == before
    assert not Decision.objects.exists()


def test_it_takes_secret_ballots_from_phones_with_a_receipt(client, council):
    assembly = builders.open_with_quorum(builders.convene(council))
    motion = builders.motion(assembly, Motion.Method.SECRET_PHONE)
    code = Attendance.objects.filter(assembly=assembly).first().voting_code
    url = reverse("ballot", args=[council.slug, motion.pk])
    response = client.post(url, {"code": code.lower(), "choice": "yes"})
    assert response.status_code == 200
    assert "recibo" in response.content.decode().lower()
    again = client.post(url, {"code": code, "choice": "no"})
    assert again.status_code == 409
    assert motion.ballots.count() == 1


def test_it_guards_the_census_pages(client, council):
    url = reverse("census", args=[council.slug])
    assert client.get(url).status_code == 302  # to log in
    client.force_login(builders.make_user("tomas"))
    assert client.get(url).status_code == 403


def test_it_lists_assemblies_in_constant_queries(
    marta_client, council, django_assert_max_num_queries
):
    for _ in range(6):
        builders.convene(council)
    with django_assert_max_num_queries(12):
        response = marta_client.get(reverse("assembly_list", args=[council.slug]))
    assert response.status_code == 200


def test_it_keeps_list_pages_to_a_fixed_number_of_queries(
    marta_client, council, django_assert_max_num_queries
):
    assembly = builders.open_with_quorum(builders.convene(council))
    marta = builders.make_user("marta")
    for i in range(5):
        motion = builders.motion(assembly, title=f"Propuesta {i}")
        from comuna.assemblies import services
        from comuna.core.tally import VoteCounts

        services.close_vote(motion, by=marta, counts=VoteCounts(6, 3, 1))
    builders.add_residents(council, 30)
    pages = ["home", "body_detail", "decisions", "record", "census", "assembly_list"]
    for name in pages:
        url = reverse(name) if name == "home" else reverse(name, args=[council.slug])
        with django_assert_max_num_queries(16):
            assert marta_client.get(url).status_code == 200, name
    for name in ("assembly_detail", "acta", "attendance_sheet", "voting_codes"):
        with django_assert_max_num_queries(20):
            assert (
                marta_client.get(reverse(name, args=[council.slug, assembly.pk])).status_code == 200
            )


def test_it_rejects_a_bad_census_file_row_by_row(marta_client, council):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = (
        "household_code,address,sector,first_names,last_names,id_number,birth_date,sex,resident_since,phone\n"
        "H-9,Calle 9,,Ana,Díaz,V-1,1990-01-01,F,2010-01-01,\n"
        "H-9,Calle 9,,Juan,,V-2,1990-13-01,Q,2010-01-01,\n"
        "H-10,Calle 10,,Pedro,Gil,V-1,1985-02-02,M,2000-01-01,\n"
    )
    before = Resident.objects.count()
    response = marta_client.post(
        reverse("census_import", args=[council.slug]),
        {"file": SimpleUploadedFile("censo.csv", rows.encode())},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Línea 3" in page and "Línea 4" in page and "no se importó nada" in page.lower()
    assert Resident.objects.count() == before


def test_it_finds_its_stylesheet():
    from django.contrib.staticfiles import finders

    assert finders.find("comuna/comuna.css")
