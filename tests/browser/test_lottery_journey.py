"""Marta prepares a social-audit commission (5 seats) drawn by lot from volunteers with gender
and sector quotas, sees a conflict in the quotas and fixes it, announces, computes and draws in
Spanish in a real browser; then the draw is re-run from the downloaded files on the command
line and gives the same panel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from comuna.core.sortition import panel_violations
from comuna.lots import services
from comuna.lots.models import Draw, Lottery
from tests.apps import lots_scene
from tests.browser.test_assembly_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
NUMBERS = "4 1 6 2 2 5"


def set_quota(page, feature: str, value: str, low: int, high: int) -> None:
    page.get_by_label(f"Mínimo para {feature} = {value}").fill(str(low))
    page.get_by_label(f"Máximo para {feature} = {value}").fill(str(high))


def test_it_draws_a_commission_by_lot_that_anyone_can_rerun(page, live_server, tmp_path):
    council = lots_scene.council()
    residents = lots_scene.residents_in_sectors(council, 12)
    base = live_server.url
    login(page, base, "marta")
    page.goto(f"{base}/b/{council.slug}/")
    page.get_by_role("link", name="Sorteos").click()
    page.get_by_role("link", name="Preparar un sorteo").click()
    page.get_by_label("Título").fill("Contraloría social")
    page.get_by_label("Propósito").select_option("commission")
    page.get_by_label("Puestos").fill("5")
    page.get_by_label("género (sexo en el censo)").check()
    page.get_by_label("sector (del grupo familiar)").check()
    page.get_by_role("button", name="Crear el sorteo").click()
    lottery = Lottery.objects.get(body=council)

    # Two volunteers recorded in the browser, ten more recorded the same way by the service.
    marta = User.objects.get(username="marta")
    for resident in residents[2:]:
        services.sign_up_volunteer(lottery, resident, by=marta)
    page.get_by_role("link", name="Inscribir voluntarios").click()
    for resident in residents[:2]:
        page.get_by_label("Buscar un integrante por nombre o cédula").fill(resident.last_names)
        page.get_by_role("button", name="Buscar").click()
        page.get_by_role("button", name=f"Agregar a {resident.full_name} a la lista").click()
        assert page.get_by_text(f"{resident.full_name} está en la lista.").is_visible()
    page.get_by_role("link", name="Volver al sorteo").click()
    assert "12 personas en la lista" in page.locator("main").inner_text()

    # Quotas that cannot be met together: the page says which and by how much.
    gender = "género (sexo en el censo)"
    set_quota(page, gender, "femenino", 4, 5)
    set_quota(page, gender, "masculino", 2, 3)
    page.get_by_role("button", name="Guardar los cupos").click()
    assert page.get_by_text("Ningún grupo cumple todos los cupos.", exact=False).is_visible()
    assert page.locator(".conflicts").inner_text().count("permitiría formar un grupo") >= 1

    set_quota(page, gender, "femenino", 2, 3)
    set_quota(page, gender, "masculino", 2, 3)
    set_quota(page, "sector (del grupo familiar)", "Norte", 2, 3)
    set_quota(page, "sector (del grupo familiar)", "Sur", 2, 3)
    page.get_by_role("button", name="Guardar los cupos").click()
    assert page.get_by_text("Hay al menos un grupo que cumple todos los cupos.").is_visible()

    page.get_by_role("button", name="Anunciar el sorteo").click()
    assert page.get_by_text("La lista y los cupos quedaron congelados").is_visible()
    lottery.refresh_from_db()
    assert page.get_by_text(lottery.pool_digest).is_visible()

    # Computed in a background thread; the page refreshes itself until the results are in.
    page.get_by_role("button", name="Calcular las probabilidades").click()
    page.get_by_role("button", name="Sortear el grupo").wait_for(timeout=20_000)
    assert page.locator("svg.chart rect").count() == 12
    assert page.locator("meter").count() == 12

    page.get_by_label("Números anunciados en la asamblea").fill(NUMBERS)
    page.get_by_role("button", name="Sortear el grupo").click()
    assert page.get_by_role("heading", name="El grupo sorteado").is_visible()
    shown = page.locator("ol.panel li").all_inner_texts()
    draw = Draw.objects.get(lottery=lottery)
    assert len(shown) == 5
    assert sorted(text.split()[0].lstrip("#") for text in shown) == sorted(draw.panel)
    assert panel_violations(services.frozen_pool(lottery), tuple(draw.panel), 5) == ()

    # Anyone downloads the three files and re-runs the draw on the command line.
    files = {}
    for link, name in (
        ("Lista (CSV)", "pool.csv"),
        ("Cupos (CSV)", "quotas.csv"),
        ("Archivo del sorteo (JSON)", "lottery.json"),
    ):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        files[name] = str(tmp_path / name)
        download.value.save_as(files[name])
    command = [
        sys.executable, "-m", "comuna.cli", "lottery",
        "--people", files["pool.csv"], "--features", files["quotas.csv"], "--size", "5",
        "--replay", files["lottery.json"], "--draw", "--seed", NUMBERS,
    ]  # fmt: skip
    assert page.get_by_text("--replay lottery-").is_visible()
    rerun = json.loads(
        subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    )
    assert rerun["draw"]["panel"] == draw.panel
    assert rerun["pool_digest"] == lottery.pool_digest
