"""Budget pages: the whole process through the web, refusals as 4xx, query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comuna.budgets import pb_files, services
from comuna.budgets.models import BudgetBallot, BudgetProcess, Spending, VotingCode
from tests import builders
from tests.apps import budget_scene

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def council():
    return builders.make_council(residents=12)


@pytest.fixture
def marta_client(client, council):
    client.force_login(builders.make_user("marta"))
    return client


def url(name, council, *args):
    return reverse(name, args=[council.slug, *args])


def test_it_runs_a_process_from_proposals_to_spending(marta_client, client, council):
    response = marta_client.post(
        url("budget_new", council),
        {"title": "Presupuesto 2026", "amount": "10000", "ballot_kind": "approval"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    process = BudgetProcess.objects.get(body=council)
    for title, cost in budget_scene.PROPOSALS:
        response = marta_client.post(
            url("budget_propose", council, process.pk), {"title": title, "cost": cost}
        )
        assert response.status_code == 302
    assert marta_client.post(url("budget_advance", council, process.pk), {}).status_code == 302
    for project in process.projects.all():
        response = marta_client.post(
            url("budget_review", council, project.pk), {"feasible": "1", "cost": str(project.cost)}
        )
        assert response.status_code == 302
    assert marta_client.post(url("budget_advance", council, process.pk), {}).status_code == 302
    codes = list(VotingCode.objects.filter(process=process).order_by("pk"))
    for i, code in enumerate(codes[:10]):
        marks = {"p_P1": "on", "p_P2": "on"} if i < 6 else {"p_P3": "on"}
        response = client.post(
            url("budget_ballot", council, process.pk), {"code": code.code, **marks}
        )
        assert response.status_code == 200 and b"receipt" in response.content
    assert marta_client.post(url("budget_advance", council, process.pk), {}).status_code == 302
    process.refresh_from_db()
    assert process.result["selected"] == ["P2", "P3"]
    page = client.get(url("budget_result", council, process.pk), **EN).content.decode()
    assert "its supporters had only" in page and "Only with equal shares" in page
    budget_scene.fund_budget(council)
    assert marta_client.post(url("budget_advance", council, process.pk), {}).status_code == 302
    square = process.projects.get(code="P3")
    response = marta_client.post(
        url("budget_spend", council, square.pk),
        {"amount": "1200.50", "spent_on": "2026-03-01", "description": "Cemento",
         "evidence": "Factura 12", "progress": "30"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Spending.objects.get(project=square).amount == 1200.50
    page = client.get(url("budget_project", council, square.pk), **EN).content.decode()
    assert "Factura 12" in page and "30%" in page


def test_it_refuses_bad_input_with_a_message_not_a_crash(marta_client, client, council):
    process = budget_scene.process_in_voting(council, max_projects=1)
    response = client.post(
        url("budget_ballot", council, process.pk), {"code": "NOPE", "p_P1": "on"}, **EN
    )
    assert response.status_code == 409
    assert "not valid for this process" in response.content.decode()
    code = VotingCode.objects.filter(process=process).first().code
    response = client.post(
        url("budget_ballot", council, process.pk), {"code": code, "p_P1": "on", "p_P2": "on"}, **EN
    )
    assert response.status_code == 400 and "at most 1 are allowed" in response.content.decode()
    assert not BudgetBallot.objects.exists()
    response = marta_client.post(
        url("budget_import", council),
        {"title": "x", "file": SimpleUploadedFile("x.pb", b"META\nkey;value\n")},
        **EN,
    )
    assert response.status_code == 400 and "missing or empty" in response.content.decode()
    response = marta_client.post(url("budget_advance", council, process.pk), {"decision": "999"})
    assert response.status_code == 400


def test_it_enters_paper_ballots_for_the_electoral_commission(client, council):
    process = budget_scene.process_in_voting(council)
    client.force_login(budget_scene.make_electoral_commission(council))
    assert client.get(url("budget_codes", council, process.pk)).status_code == 200
    voter = VotingCode.objects.filter(process=process).first()
    response = client.post(
        url("budget_paper", council, process.pk), {"voter": voter.pk, "p_P3": "on"}
    )
    assert response.status_code == 200
    assert process.marks.get().channel == "paper"


def test_it_imports_and_exports_pabulib_files(marta_client, council):
    source = budget_scene.process_with_result(builders.make_council(residents=12))
    text = pb_files.export_pb(source).encode()
    response = marta_client.post(
        url("budget_import", council),
        {"title": "Análisis", "file": SimpleUploadedFile("a.pb", text)},
    )
    assert response.status_code == 302
    imported = BudgetProcess.objects.get(body=council)
    response = marta_client.get(url("budget_export", council, imported.pk))
    assert response.status_code == 200 and response.content.decode() == pb_files.export_pb(imported)


def test_it_finds_a_voters_share_by_receipt(client, council):
    process = budget_scene.process_in_voting(council)
    receipts = budget_scene.vote_split(process)
    services.advance_phase(process, by=User.objects.get(username="marta"))
    page = client.get(url("budget_voters", council, process.pk), {"receipt": receipts[-1]}, **EN)
    text = page.content.decode()
    assert f"Receipt {receipts[-1]}" in text and "towards Plaza para los niños" in text


def test_it_shows_no_result_before_the_vote_closes(client, council):
    process = budget_scene.process_in_voting(council)
    budget_scene.vote_split(process, 2, 1)
    for name in ("budget_result", "budget_voters", "budget_export"):
        assert client.get(url(name, council, process.pk)).status_code == 404


def test_it_lists_pages_in_a_bounded_number_of_queries(
    client, council, django_assert_max_num_queries
):
    for _ in range(2):
        budget_scene.process_with_result(council)
    big = budget_scene.process_in_voting(builders.make_council(residents=40))
    budget_scene.vote_split(big, 25, 15)
    big = services.advance_phase(big, by=User.objects.get(username="marta"))
    process = BudgetProcess.objects.filter(body=council).first()
    pages = [
        (url("budget_list", council), 8),
        (url("budget_detail", council, process.pk), 12),
        (url("budget_result", council, process.pk), 8),
        (reverse("budget_voters", args=[big.body.slug, big.pk]), 8),
        (reverse("budget_result", args=[big.body.slug, big.pk]), 8),
        (url("budget_project", council, process.projects.first().pk), 10),
    ]
    for address, limit in pages:
        with django_assert_max_num_queries(limit):
            assert client.get(address).status_code == 200, address


def test_it_explains_a_refused_phase_change_on_the_process_page(marta_client, council):
    process = budget_scene.process_in_review(council)
    response = marta_client.post(url("budget_advance", council, process.pk), {}, **EN)
    assert response.status_code == 409
    assert "Review every project before the vote." in response.content.decode()
    assert BudgetProcess.objects.get(pk=process.pk).phase == "review"


def test_it_shows_amounts_grouped_in_spanish_and_keeps_number_fields_machine_readable(
    marta_client, council
):
    process = budget_scene.process_in_review(council)
    page = marta_client.get(
        url("budget_detail", council, process.pk), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    cost = process.projects.order_by("pk").first().cost
    assert f'value="{cost:.2f}"' in page  # a number field the browser accepts, in any language
    assert f"{int(cost):,}".replace(",", ".") + ",00" in page  # shown as 1.500,00
