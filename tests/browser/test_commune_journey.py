"""Three councils found a commune by referendum, elect their delegates, vote mandates, and the
parliament meets: one delegate votes against the mandate, and the deviation shows on the
delegate's page and in the public record — in Spanish, in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from comuna.bodies import services as bodies
from comuna.bodies.models import Body, RecordEntry, Role
from comuna.federation.models import Delegate, Deviation, Founding
from comuna.people.models import Resident
from tests import builders
from tests import federation_builders as fb
from tests.apps import offices_scene as scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(builders.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()


def form_with(page, button: str):
    return page.locator("form", has=page.get_by_role("button", name=button))


def found_by_referendum(page, base: str, councils: list[Body]) -> Body:
    page.goto(f"{base}/b/{councils[0].slug}/")
    page.get_by_role("link", name="Comuna y federación").click()
    page.get_by_role("link", name="Fundar una comuna con los consejos comunales vecinos").click()
    page.get_by_label("Nombre").fill("Comuna Ataroa")
    page.get_by_label("Territorio y linderos").fill("Parroquia Juan de Villegas, Barquisimeto")
    page.get_by_label("Borrador de la carta fundacional").fill("Carta fundacional de Ataroa")
    for council in councils[1:]:
        page.get_by_label(council.name).check()
    today = timezone.localdate()
    page.get_by_label("Notificada al ministerio el").fill(str(today - dt.timedelta(days=30)))
    page.get_by_role("button", name="Formar la comisión promotora").click()
    page.get_by_label("Difusión iniciada el").fill(str(today - dt.timedelta(days=16)))
    page.get_by_role("button", name="Publicar la carta fundacional para su difusión").click()
    page.get_by_role("button", name="Abrir el referendo en cada consejo comunal").click()
    founding = Founding.objects.get(body__slug="comuna-ataroa")
    pk = founding.referendum_id

    # The first council votes on the commission's phone; the others count paper ballots.
    page.goto(f"{base}/b/{councils[0].slug}/federation/consultations/{pk}/station/")
    for resident in Resident.objects.of_body(councils[0]).order_by("pk")[:3]:
        page.get_by_label("Elector o electora").select_option(label=resident.full_name)
        page.get_by_label("sí", exact=True).check()
        page.get_by_role("button", name="Depositar la boleta en la urna").click()
    assert page.locator(".present-count").inner_text() == "3 boletas en la urna"
    page.get_by_role("button", name="Cerrar esta mesa y reportar las boletas").click()
    for council in councils[1:]:
        page.goto(f"{base}/b/{council.slug}/federation/consultations/{pk}/station/")
        page.get_by_label("Sí", exact=True).fill("4")
        page.get_by_label("No", exact=True).fill("1")
        page.get_by_role("button", name="Reportar el conteo en papel").click()
    page.get_by_role("link", name="Resultados por consejo comunal").click()
    assert page.get_by_text("Huella del cómputo").is_visible()
    page.get_by_role("button", name="Cerrar el cómputo y asentar el resultado").click()
    assert page.get_by_text("gana el sí").first.is_visible()

    page.goto(f"{base}/b/comuna-ataroa/federation/founding/")
    page.get_by_label("Número de registro").fill("RC-LARA-0042")
    page.get_by_role("button", name="Registrar la comuna").click()
    commune = Body.objects.get(slug="comuna-ataroa")
    assert commune.registered_on is not None
    return commune


def test_it_founds_a_commune_and_shows_a_delegate_deviating_from_the_mandate(page, live_server):
    councils = fb.councils(3, residents=10)
    base = live_server.url
    login(page, base, "marta")
    commune = found_by_referendum(page, base, councils)

    # The third council's assembly lets its delegate be recalled at any time ("mandar
    # obedeciendo"; the Venezuelan default waits for mid-term, LOPP Art. 16), and Marta sits
    # on its electoral commission, which runs recalls.
    scene.amend(councils[2], recall_min_elapsed_term="0/1")
    bodies.grant_role(councils[2], fb.marta(), Role.Kind.ELECTORAL_COMMISSION, granted_by=fb.luis())

    # Each council's assembly elects its delegate, and the third one an alternate.
    delegates = {}
    alternate = Resident.objects.of_body(councils[2]).order_by("pk").first()
    for council in councils:
        fb.assembly_in_session(council)
        delegate = Resident.objects.of_body(council).order_by("pk").last()
        delegates[council.pk] = delegate
        page.goto(f"{base}/b/{council.slug}/federation/delegation/")
        election = form_with(page, "Registrar la elección del vocero o vocera")
        election.get_by_label("Vocero o vocera electa").select_option(label=delegate.full_name)
        if council == councils[2]:
            election.get_by_label("Suplente").select_option(label=alternate.full_name)
        election.get_by_role("button").click()
        assert page.get_by_role("link", name=delegate.full_name).is_visible(), page.locator(
            "main"
        ).inner_text()[:1500]

    # The commune's parliament sends delegates' recalls to the councils' assemblies (the
    # Venezuelan default is a referendum of the whole commune, LOC Art. 50): an item amending
    # its rules, which the delegates approve (LOC Art. 22.7).
    fb.recall_in_member_assemblies(commune)

    # The commune's parliament is convened; every council's assembly gives a mandate.
    page.goto(f"{base}/b/{commune.slug}/federation/")
    page.get_by_role("link", name="Convocar una sesión del parlamento").click()
    page.get_by_label("Lugar").fill("Casa de la comuna")
    page.get_by_label("Fecha y hora").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Orden del día").fill("Planta de gas comunal")
    page.get_by_label("Parlamento abierto").check()
    page.get_by_role("button", name="Convocar la sesión").click()
    assert page.get_by_text("Parlamento abierto: todo integrante").is_visible()
    session_url = page.url
    for council in councils:
        page.goto(f"{base}/b/{council.slug}/federation/delegation/")
        mandate = form_with(page, "Dar el mandato sobre «Planta de gas comunal»")
        mandate.get_by_label("Mandato").select_option("yes")
        mandate.get_by_role("button").click()
        assert page.get_by_text("Mandato dado").is_visible()

    # The session: the third delegate votes against the mandate, publicly.
    page.goto(session_url)
    page.get_by_role("button", name="Instalar la sesión").click()
    # Open parliament: a member who is not a delegate takes the floor.
    speaker = Resident.objects.of_body(councils[1]).order_by("pk").first()
    page.get_by_label("Buscar un integrante por nombre o cédula").fill(speaker.last_names)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("button", name=f"Dar la palabra a {speaker.full_name}").click()
    assert page.locator("ol li", has_text=speaker.full_name).is_visible()
    for council, choice in zip(councils, ["yes", "yes", "no"], strict=True):
        name = delegates[council.pk].full_name
        page.get_by_label(f"Voto de {name}").select_option(choice)
        form_with(page, "Registrar el voto").filter(
            has=page.get_by_label(f"Voto de {name}")
        ).get_by_role("button").click()
    assert page.get_by_text("en contra del mandato").is_visible()
    page.get_by_role("button", name="Cerrar la votación del punto 1").click()
    assert page.get_by_text("aprobada").first.is_visible()

    # The deviation, on the delegate's page and in the council's public record.
    deviant = delegates[councils[2].pk]
    page.get_by_role("link", name=deviant.full_name).first.click()
    assert page.get_by_role("heading", name="Desviaciones del mandato").is_visible()
    assert page.locator(".deviation").get_by_text("Planta de gas comunal").is_visible()
    assert page.get_by_text(f"Suplente: {alternate.full_name}").is_visible()
    delegate_url = page.url
    page.get_by_role("button", name="Abrir la revocatoria de este vocero o vocera").click()
    recall_and_seat_the_alternate(page, councils[2], alternate)
    page.goto(f"{base}/b/{councils[2].slug}/record/")
    assert page.get_by_role("cell", name="mandate.deviation").is_visible()
    for kind in ("recall.carried_out", "delegate.recalled", "delegate.succeeded"):
        assert page.get_by_role("cell", name=kind, exact=True).first.is_visible()
    assert Deviation.objects.get().member == councils[2]
    decisions = RecordEntry.objects.filter(body=commune, kind="parliament.decision")
    assert decisions.filter(payload__title="Planta de gas comunal").count() == 1

    # The delegate's page: recalled, and the alternate now holds the seat.
    page.goto(delegate_url)
    assert page.locator(".recalled").get_by_text("revocado").is_visible()
    assert page.locator(".deviation").get_by_text("revocado").is_visible()
    page.locator(".successor").get_by_role("link", name=alternate.full_name).click()
    assert page.get_by_role("heading", name=alternate.full_name).is_visible()
    assert (
        Delegate.objects.get(seat__member=councils[2], ended_on__isnull=True).resident == alternate
    )


def recall_and_seat_the_alternate(page, council: Body, alternate: Resident) -> None:
    """The council's offices path: a signature reaches 10 %, the social audit unit reports,
    the recall motion goes to the council's assembly, which approves it."""
    assert page.get_by_text("recogiendo firmas").first.is_visible()
    signer = Resident.objects.of_body(council).order_by("pk")[3]
    page.get_by_label("Buscar un integrante por nombre o cédula").fill(signer.last_names)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("button", name=f"Registrar la firma de {signer.full_name}").click()
    assert page.locator(".signatures-count").inner_text() == "1"  # 10 % of 10 members
    page.get_by_label("Informe de la Unidad de Contraloría Social").fill("Votó contra el mandato.")
    page.get_by_role("button", name="Consignar el informe").click()
    assembly = fb.assembly_in_session(council)
    page.get_by_label("Asamblea", exact=True).select_option(str(assembly.pk))
    page.get_by_label("Método de votación").select_option("open_count")
    page.get_by_role("button", name="Llevar a la asamblea").click()
    page.get_by_role("button", name="Abrir la votación").click()
    page.get_by_label("Sí").fill("7")
    page.get_by_label("No", exact=True).fill("2")
    page.get_by_label("Abstención").fill("1")
    page.get_by_role("button", name="Cerrar la votación y registrar la decisión").click()
    assert page.get_by_text("aprobada").first.is_visible()
