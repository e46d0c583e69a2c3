"""Marta convenes an assembly, records attendance until quorum, puts a motion to the vote and
prints the acta — in Spanish, in a real browser, without JavaScript of ours."""

from __future__ import annotations

import pytest
from django.utils import timezone

from comuna.assemblies.models import Assembly, Decision
from comuna.people.models import Resident
from tests import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(builders.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()


def test_it_runs_an_assembly_and_prints_its_acta(page, live_server, tmp_path):
    council = builders.make_council(residents=20)
    base = live_server.url
    login(page, base, "marta")
    page.goto(f"{base}/b/{council.slug}/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("link", name="Convocar una asamblea").first.click()

    now = timezone.localtime().replace(second=0, microsecond=0)
    page.get_by_label("Lugar").fill("Cancha techada del sector")
    page.get_by_label("Primera convocatoria").fill(now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Segunda convocatoria").fill(
        (now + timezone.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Orden del día").fill("Mesa técnica de agua\nComité de salud")
    page.get_by_role("button", name="Convocar").click()
    assert page.get_by_text("Mesa técnica de agua").is_visible()
    assembly = Assembly.objects.get(body=council)

    # Attendance from the searchable list, until the first-call quorum (30 % of 20 = 6).
    page.get_by_role("link", name="Registrar asistencia").click()
    for resident in Resident.objects.of_body(council).order_by("pk")[:6]:
        page.get_by_label("Buscar un integrante por nombre o cédula").fill(resident.last_names)
        page.get_by_role("button", name="Buscar").click()
        page.get_by_role("button", name=f"Marcar a {resident.full_name} como presente").click()
    assert page.locator(".present-count").first.inner_text() == "6"
    assert page.get_by_text("alcanzado").first.is_visible()

    page.get_by_role("link", name="Volver a la asamblea").click()
    page.get_by_role("button", name="Instalar en primera convocatoria").click()
    assert page.get_by_text("en sesión").first.is_visible()

    # A motion, voted by hand count.
    page.get_by_label("Propuesta", exact=True).fill("Reparar la tubería de la calle 3")
    page.get_by_label("Método de votación").select_option("open_count")
    page.get_by_role("button", name="Someter la propuesta a votación").click()
    page.get_by_role("button", name="Abrir la votación").click()
    page.get_by_label("Sí").fill("5")
    page.get_by_label("No", exact=True).fill("1")
    page.get_by_label("Abstención").fill("0")
    page.get_by_role("button", name="Cerrar la votación y registrar la decisión").click()
    assert page.get_by_text("aprobada").first.is_visible()
    assert Decision.objects.get(body=council).approved

    page.get_by_role("link", name="Volver a la asamblea").click()
    page.get_by_label("Resumen de los debates").fill("Se discutió el estado de la tubería.")
    page.get_by_role("button", name="Cerrar la asamblea").click()

    # The acta, printed by the browser itself.
    assert page.get_by_role(
        "heading", name="Acta de la Asamblea de Ciudadanos y Ciudadanas"
    ).is_visible()
    assert page.get_by_text("Reparar la tubería de la calle 3").is_visible()
    assert page.get_by_text("APROBADA").is_visible()
    pdf = tmp_path / "acta.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="Letter")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    assert not page.get_by_role("button", name="Cerrar la asamblea").is_visible()
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.CLOSED
