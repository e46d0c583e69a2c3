"""Carmen, of the electoral commission, enters the election of the social audit unit (five
seats, paper count of a vote held thirteen months ago); a year on, residents petition to recall
one of its spokespeople (a member of that unit, so the recall goes straight to the assembly), the
assembly votes it and the alternate takes the post — every step in the public record. In
Spanish, in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from comuna.bodies.models import RecordEntry
from comuna.offices.models import Recall, Term
from tests import builders
from tests.apps import offices_scene as scene
from tests.browser.test_assembly_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VOTES = [41, 12, 35, 30, 27, 18, 9]  # candidates 1..7 in ballot order


def elect_social_audit_unit(page, base, council, candidates) -> None:
    page.goto(f"{base}/b/{council.slug}/")
    page.get_by_role("link", name="Vocerías y cargos").click()
    page.get_by_role("button", name="Crear las vocerías del reglamento").click()
    assert page.get_by_text("3 vocerías creadas.").is_visible()
    page.get_by_role("link", name="Convocar una elección").click()
    page.get_by_label("Vocería", exact=True).select_option(label="Unidad de Contraloría Social")
    page.get_by_label("Boletas", exact=True).select_option("paper")
    held = timezone.localdate() - dt.timedelta(days=395)
    page.get_by_label("Fecha de la votación (boletas de papel)").fill(held.isoformat())
    page.get_by_role("button", name="Convocar la elección").click()
    assert page.get_by_text("recibiendo postulaciones").is_visible()

    for resident in candidates:
        page.get_by_label("Buscar un habitante por nombre o cédula").fill(resident.last_names)
        page.get_by_role("button", name="Buscar").click()
        page.get_by_role("button", name=f"Inscribir a {resident.full_name} como candidato").click()
        assert page.get_by_text(f"{resident.full_name} está postulado o postulada.").is_visible()
    page.get_by_role("button", name="Cerrar las postulaciones y abrir la votación").click()

    for resident, votes in zip(candidates, VOTES, strict=True):
        page.get_by_label(f"Votos para {resident.full_name}").fill(str(votes))
    page.get_by_role(
        "button", name="Cerrar la votación, escrutar y juramentar a los electos"
    ).click()
    assert page.get_by_text("La elección está escrutada y los electos asumieron.").is_visible()
    result = page.locator("#result-h + table")
    assert result.locator("tbody tr").count() == 5
    # Seat 1: the most voted, with the most voted runner-up as alternate.
    first = result.locator("tbody tr").first.inner_text()
    assert candidates[0].full_name in first and candidates[1].full_name in first


def petition(page, base, council, holder, signers) -> None:
    page.goto(f"{base}/b/{council.slug}/offices/")
    page.get_by_role("link", name="Abrir una solicitud de revocatoria").click()
    term = Term.objects.get(holder=holder)
    page.get_by_label("Vocero o vocera").select_option(str(term.pk))
    page.get_by_label("Motivos (LOCC Art. 39)").fill("No ha rendido cuentas del proyecto de agua.")
    page.get_by_role("button", name="Abrir la solicitud").click()
    assert page.get_by_text("recogiendo firmas").first.is_visible()
    for resident in signers:
        page.get_by_label("Buscar un integrante por nombre o cédula").fill(resident.last_names)
        page.get_by_role("button", name="Buscar").click()
        page.get_by_role("button", name=f"Registrar la firma de {resident.full_name}").click()
    # 10 % of 20 members: the second signature reaches the threshold. The accused sits on the
    # social audit unit, so no report of that unit: straight to the assembly (LOCC Art. 41).
    assert page.locator(".signatures-count").inner_text() == "2"
    assert page.get_by_text("por llevar a la asamblea").first.is_visible()
    due = timezone.localdate() + dt.timedelta(days=15)
    assert Recall.objects.get().assembly_due_on == due


def vote_in_the_assembly(browser, base, council, motion_url) -> None:
    context = browser.new_context(locale="es-VE", viewport={"width": 412, "height": 915})
    marta = context.new_page()
    login(marta, base, "marta")
    marta.goto(motion_url)
    marta.get_by_role("button", name="Abrir la votación").click()
    marta.get_by_label("Sí").fill("7")
    marta.get_by_label("No", exact=True).fill("2")
    marta.get_by_label("Abstención").fill("1")
    marta.get_by_role("button", name="Cerrar la votación y registrar la decisión").click()
    assert marta.get_by_text("aprobada").first.is_visible()
    context.close()


def test_it_elects_the_social_audit_unit_recalls_a_spokesperson_and_seats_the_alternate(
    page, browser, live_server
):
    council = builders.make_council(residents=20)
    scene.carmen(council)
    people = scene.members(council)
    candidates, signers = people[:7], people[10:12]
    base = live_server.url
    login(page, base, "carmen")
    elect_social_audit_unit(page, base, council, candidates)
    petition(page, base, council, candidates[0], signers)

    # The assembly that will vote: convened, attendance taken at the door (10 of 20 present).
    assembly = builders.convene(council)
    builders.open_with_quorum(assembly, present=10)
    page.reload()
    page.get_by_label("Asamblea", exact=True).select_option(str(assembly.pk))
    page.get_by_label("Método de votación").select_option("secret_count")
    page.get_by_role("button", name="Llevar a la asamblea").click()
    assert page.get_by_text("La revocatoria está en el orden del día de la asamblea.").is_visible()
    vote_in_the_assembly(browser, base, council, page.url)

    recall = Recall.objects.get()
    page.goto(f"{base}/b/{council.slug}/offices/recalls/{recall.pk}/")
    assert page.get_by_text("revocado", exact=True).first.is_visible()
    alternate = candidates[1]
    assert page.get_by_text(f"{alternate.full_name} ejerce ahora la vocería").is_visible()
    page.get_by_role("link", name="Hoja de la nueva vocería").click()
    assert page.get_by_text("suplente que asumió la vocería").is_visible()
    page.goto(f"{base}/b/{council.slug}/offices/holders/{candidates[0].pk}/")
    assert page.get_by_text("revocado", exact=True).first.is_visible()

    page.goto(f"{base}/b/{council.slug}/record/")
    for kind in ("election.counted", "recall.threshold_reached", "recall.carried_out"):
        assert page.get_by_role("cell", name=kind, exact=True).first.is_visible()
    steps = [
        "posts.established", "election.called", "candidacy.registered", "election.opened",
        "election.counted", "recall.opened", "recall.signed", "recall.threshold_reached",
        "recall.put_to_assembly", "decision.made", "term.ended",
        "term.succeeded", "recall.carried_out",
    ]  # fmt: skip
    kinds = list(RecordEntry.objects.filter(body=council).values_list("kind", flat=True))
    assert [k for k in kinds if k in steps] == sorted(
        (k for k in kinds if k in steps), key=steps.index
    )
    assert set(steps) <= set(kinds)
    term = Term.objects.get(holder=candidates[0])
    assert term.end_reason == Term.End.RECALLED
    assert Term.objects.get(follows=term).holder == alternate
