"""Lotteries: feasibility shown, quotas met, same seed same panel, record verified, progress."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client

from comuna.bodies.export import export_record
from comuna.bodies.models import RecordEntry
from comuna.core.errors import InputError, RuleError
from comuna.core.lottery import draw_panel
from comuna.core.sortition import panel_violations
from comuna.lots import services
from comuna.lots.models import Draw, Lottery, Volunteer
from comuna.lots.pool import age_band, build_pool
from comuna.verify import verify_export
from tests import builders
from tests.apps import lots_scene

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client():
    """Pages in English: these tests read the English texts (the browser journey reads Spanish)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def council():
    return lots_scene.council()


@pytest.fixture
def marta(council):
    return User.objects.get(username="marta")


def test_it_shows_which_quotas_conflict(client, council, marta):
    lottery = lots_scene.commission(council)
    services.set_quotas(lottery, [("sex", "F", 4, 5), ("sex", "M", 2, 3)])
    client.force_login(marta)
    page = client.get(f"/b/{council.slug}/lots/{lottery.pk}/").content.decode()
    assert "No panel meets every quota" in page
    assert "lowering it to 3 would allow a panel" in page or "raising it to" in page
    response = client.post(f"/b/{council.slug}/lots/{lottery.pk}/announce/")
    assert response.status_code == 409
    assert "change the quotas shown as conflicting" in response.content.decode()
    lottery.refresh_from_db()
    assert lottery.stage == Lottery.Stage.PREPARING and not lottery.pool_digest
    assert not RecordEntry.objects.filter(body=council, kind="lottery.announced").exists()


def test_it_names_a_minimum_the_pool_cannot_fill(client, council, marta):
    lottery = lots_scene.commission(council, volunteers=6)
    services.set_quotas(lottery, [("sector", "Sur", 4, 5)])
    page = client.get(f"/b/{council.slug}/lots/{lottery.pk}/").content.decode()
    assert "sector (household) = Sur: the minimum is 4 but only 2 in the pool." in page


def test_it_says_when_the_quotas_can_be_met(client, council):
    lottery = lots_scene.commission(council)
    page = client.get(f"/b/{council.slug}/lots/{lottery.pk}/").content.decode()
    assert "At least one panel meets every quota." in page


def test_it_draws_a_panel_that_meets_the_quotas(council):
    lottery = lots_scene.drawn(council)
    draw = Draw.objects.get(lottery=lottery)
    assert len(draw.panel) == 5
    assert panel_violations(services.frozen_pool(lottery), tuple(draw.panel), 5) == ()
    assert lottery.stage == Lottery.Stage.DRAWN
    # Everyone in the pool had a chance; with these quotas the chances add up to the seats.
    chances = lottery.result["probabilities_exact"]
    assert len(chances) == 12
    assert lottery.result["minimum"] > 0


def test_it_draws_the_same_panel_from_the_same_numbers(council):
    lottery = lots_scene.drawn(council, announced="  3 3 1  6 ")
    draw = Draw.objects.get(lottery=lottery)
    assert draw.announced == "3 3 1 6"
    again = draw_panel(services.replayed(lottery), "3 3 1 6")
    assert list(again.panel) == draw.panel and again.seed == draw.seed
    other = draw_panel(services.replayed(lottery), "3 3 1 5")
    assert other.seed != draw.seed


def test_it_appends_announcement_and_draw_to_a_record_that_verifies(council):
    lottery = lots_scene.drawn(council)
    kinds = list(RecordEntry.objects.filter(body=council).values_list("kind", flat=True))
    assert kinds[-2:] == ["lottery.announced", "lottery.drawn"]
    announced = RecordEntry.objects.get(body=council, kind="lottery.announced").payload
    assert announced["pool_digest"] == lottery.pool_digest and announced["pool_size"] == 12
    payload = RecordEntry.objects.get(body=council, kind="lottery.drawn").payload
    draw = Draw.objects.get(lottery=lottery)
    assert payload["selection"] == draw.panel and payload["pool_digest"] == lottery.pool_digest
    assert payload["portfolio_digest"] == services.portfolio_digest(lottery.result)
    assert "Vecina" not in str(payload)  # residents by id, no names
    export = export_record([council])
    assert verify_export(export) == []


def test_the_verifier_catches_a_seed_that_does_not_follow(council):
    lots_scene.drawn(council)
    export = export_record([council])
    entry = next(e for e in export["bodies"][0]["entries"] if e["kind"] == "lottery.drawn")
    entry["payload"]["announced"] = "6 6 6"
    problems = verify_export(export)
    assert problems and "altered" in problems[0].message
    # Re-hashed by a forger, the seed itself gives them away.
    from comuna.verify import check_draw

    assert check_draw(entry["payload"]) == [
        "the seed does not follow from the pool digest and the announced numbers"
    ]


def test_it_refuses_a_second_draw_and_steps_out_of_order(council, marta):
    lottery = lots_scene.drawn(council)
    with pytest.raises(RuleError) as refused:
        services.draw_lottery(lottery, announced="1 2 3", by=marta)
    assert refused.value.code == "lots.wrong_stage"
    fresh = lots_scene.commission(builders.make_council(residents=0))
    with pytest.raises(RuleError):
        services.draw_lottery(fresh, announced="1 2 3", by=marta)
    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(
            lottery=lottery,
            announced="x",
            seed="0" * 64,
            ticket="0",
            shape=0,
            panel=[],
            portfolio_digest="0" * 64,
            drawn_at=lottery.created_at,
            drawn_by=marta,
        )


def test_it_keeps_one_sign_up_per_person(council, marta):
    lottery = lots_scene.commission(council, volunteers=4)
    resident = Volunteer.objects.filter(lottery=lottery).first().resident
    with pytest.raises(RuleError) as refused:
        services.sign_up_volunteer(lottery, resident, by=marta)
    assert refused.value.code == "lots.already_volunteered"
    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.create(
            lottery=lottery, resident=resident, signed_up_at=lottery.created_at
        )


def test_it_signs_up_a_member_with_their_voting_code(client, council):
    lottery = lots_scene.commission(council, volunteers=0)
    member = lots_scene.residents_in_sectors(council, 1)[0]
    assembly = builders.convene(council)
    builders.open_with_quorum(assembly)
    code = assembly.attendance.get(resident=member).voting_code
    url = f"/b/{council.slug}/lots/{lottery.pk}/sign-up/"
    bad = client.post(url, {"voting_code": "ZZZZZZ"})
    assert bad.status_code == 400 and "not valid for an assembly in session" in bad.content.decode()
    response = client.post(url, {"voting_code": code.lower()})
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(lottery=lottery)
    assert volunteer.resident == member and volunteer.recorded_by is None


def test_it_records_volunteers_found_in_the_census(client, council, marta):
    lottery = lots_scene.commission(council, volunteers=0)
    member = lots_scene.residents_in_sectors(council, 1)[0]
    client.force_login(marta)
    url = f"/b/{council.slug}/lots/{lottery.pk}/volunteers/"
    assert member.full_name in client.get(url, {"q": member.last_names}).content.decode()
    assert client.post(url, {"resident": member.pk, "q": ""}).status_code == 302
    again = client.post(url, {"resident": member.pk, "q": ""})
    assert again.status_code == 409 and "already in the pool" in again.content.decode()


def test_it_shows_progress_while_computing(client, council, marta):
    lottery = lots_scene.commission(council)
    services.announce_lottery(lottery, by=marta)
    Lottery.objects.filter(pk=lottery.pk).update(computation=Lottery.Computation.RUNNING)
    services._reporter(lottery.pk)("leximin", 0.4)
    page = client.get(f"/b/{council.slug}/lots/{lottery.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="100" value="40">' in page


def test_it_writes_progress_to_the_row_as_it_computes(council, marta, monkeypatch):
    lottery = lots_scene.commission(council)
    services.announce_lottery(lottery, by=marta)
    seen = []
    real_select = services.select

    def watching(pool, size, algorithm, progress):
        def report(stage, fraction):
            progress(stage, fraction)
            seen.append(Lottery.objects.get(pk=lottery.pk).progress_percent)

        return real_select(pool, size, algorithm, report)

    monkeypatch.setattr(services, "select", watching)
    services.compute_lottery(lottery, by=marta)
    assert seen and seen[-1] == 100
    assert sorted(seen) == seen
    lottery.refresh_from_db()
    assert lottery.computation == Lottery.Computation.DONE
    assert lottery.stage == Lottery.Stage.COMPUTED


@pytest.mark.django_db(transaction=True)
def test_it_computes_in_a_background_thread(client):
    body = lots_scene.council()
    marta = User.objects.get(username="marta")
    lottery = lots_scene.commission(body)
    services.announce_lottery(lottery, by=marta)
    client.force_login(marta)
    response = client.post(f"/b/{body.slug}/lots/{lottery.pk}/compute/")
    assert response.status_code == 302
    for _ in range(100):
        lottery.refresh_from_db()
        if lottery.computation != Lottery.Computation.RUNNING:
            break
        time.sleep(0.1)
    assert lottery.computation == Lottery.Computation.DONE
    assert "probabilities_exact" in lottery.result


def test_it_takes_the_census_as_pool_with_derived_features(council, marta):
    lots_scene.residents_in_sectors(council, 6)
    lottery = services.create_lottery(
        council,
        title="Mediadores",
        panel_size=2,
        features=["age", "council"],
        source=Lottery.Source.CENSUS,
        purpose=Lottery.Purpose.MEDIATORS,
        by=marta,
    )
    pool = build_pool(lottery, dt.date(2026, 1, 1))
    assert len(pool.people) == 6
    assert {p.values[1] for p in pool.people} == {council.slug}
    assert {p.values[0] for p in pool.people} == {"45-64"}
    assert age_band(dt.date(2000, 1, 1), dt.date(2026, 1, 1)) == "15-29"
    assert age_band(dt.date(1950, 1, 1), dt.date(2026, 1, 1)) == "65+"


def test_it_refuses_bad_input_with_messages(client, council, marta):
    client.force_login(marta)
    response = client.post(
        f"/b/{council.slug}/lots/new/",
        {
            "title": "X",
            "purpose": "commission",
            "panel_size": 3,
            "source": "volunteers",
            "custom_features": "",
            "algorithm": "leximin",
        },
    )
    assert response.status_code == 400
    assert "Choose at least one feature" in response.content.decode()
    lottery = lots_scene.commission(council, volunteers=4)
    quotas = client.post(
        f"/b/{council.slug}/lots/{lottery.pk}/quotas/",
        {"feature-0": "sex", "value-0": "F", "min-0": "dos", "max-0": "3"},
    )
    assert quotas.status_code == 400 and "whole numbers" in quotas.content.decode()
    with pytest.raises(InputError):
        services.set_quotas(lottery, [("sex", "F", 3, 2)])


def test_it_creates_a_lottery_from_the_form(client, council, marta):
    client.force_login(marta)
    response = client.post(
        f"/b/{council.slug}/lots/new/",
        {
            "title": "Comisión electoral",
            "purpose": "commission",
            "panel_size": 3,
            "source": "volunteers",
            "features": ["sex", "sector"],
            "custom_features": "Oficio",
            "algorithm": "nash",
        },
    )
    lottery = Lottery.objects.get(body=council)
    assert response.status_code == 302
    assert lottery.features == ["sex", "sector", "oficio"] and lottery.algorithm == "nash"


def test_it_lets_only_the_chair_run_a_lottery(client, council):
    lottery = lots_scene.commission(council)
    client.force_login(builders.make_user("tomas"))
    assert client.post(f"/b/{council.slug}/lots/{lottery.pk}/announce/").status_code == 403
    assert client.get(f"/b/{council.slug}/lots/{lottery.pk}/").status_code == 200
    client.logout()
    assert client.get(f"/b/{council.slug}/lots/{lottery.pk}/sign-up/").status_code == 200


def test_it_lists_lotteries_in_few_queries(client, council, django_assert_max_num_queries):
    for _ in range(3):
        lots_scene.commission(council, volunteers=2)
    with django_assert_max_num_queries(3):
        response = client.get(f"/b/{council.slug}/lots/")
    assert response.content.decode().count("Contraloría social") == 3


def test_it_shows_a_drawn_lottery_in_few_queries(
    client, council, marta, django_assert_max_num_queries
):
    lottery = lots_scene.drawn(council)
    client.force_login(marta)
    with django_assert_max_num_queries(9):
        response = client.get(f"/b/{council.slug}/lots/{lottery.pk}/")
    page = response.content.decode()
    assert page.count('class="badge ok">drawn') == 5
    assert "<svg" in page and "<meter" in page
    assert "--replay lottery-" in page
    assert "The possible panels and their weights" in page and "comuna-sortition/1" in page


def test_it_gives_the_same_panel_when_rerun_from_the_published_files(client, council, tmp_path):
    lottery = lots_scene.drawn(council, announced="5 2 6 1 1 4")
    base = f"/b/{council.slug}/lots/{lottery.pk}"
    files = {}
    for name in ("pool.csv", "quotas.csv", "lottery.json"):
        path = tmp_path / name
        path.write_bytes(client.get(f"{base}/{name}").content)
        files[name] = str(path)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "comuna.cli",
            "lottery",
            "--people",
            files["pool.csv"],
            "--features",
            files["quotas.csv"],
            "--size",
            "5",
            "--replay",
            files["lottery.json"],
            "--draw",
            "--seed",
            "5 2 6 1 1 4",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    output = json.loads(run.stdout)
    draw = Draw.objects.get(lottery=lottery)
    assert output["draw"]["panel"] == draw.panel
    assert output["draw"]["seed"] == draw.seed
    assert output["pool_digest"] == lottery.pool_digest
    published = json.loads((tmp_path / "lottery.json").read_text())
    assert published["draw"]["panel"] == draw.panel


def test_it_hides_the_download_until_there_is_something(client, council):
    lottery = lots_scene.commission(council)
    assert client.get(f"/b/{council.slug}/lots/{lottery.pk}/pool.csv").status_code == 404
    assert client.get(f"/b/{council.slug}/lots/{lottery.pk}/lottery.json").status_code == 404


def test_it_offers_offices_a_lottery_in_two_calls(council, marta):
    candidates = lots_scene.residents_in_sectors(council, 4)
    lottery = services.prepare_lottery(
        council, title="Vocería de salud", candidates=candidates, seats=1, by=marta
    )
    assert lottery.stage == Lottery.Stage.COMPUTED
    assert set(lottery.result["probabilities_exact"].values()) == {"1/4"}
    draw = services.draw_lottery(lottery, announced="2 5", by=marta)
    assert len(draw.resident_ids) == 1 and draw.resident_ids[0] in {c.pk for c in candidates}


def test_it_reports_a_failed_computation_and_lets_it_be_retried(
    client, council, marta, monkeypatch
):
    lottery = lots_scene.commission(council)
    services.announce_lottery(lottery, by=marta)

    def failing(*args, **kwargs):
        raise RuleError("sortition.too_many_panels", "Column generation did not converge.")

    monkeypatch.setattr(services, "select", failing)
    with pytest.raises(RuleError) as refused:
        services.compute_lottery(lottery, by=marta)
    assert refused.value.code == "lots.compute_failed"
    page = client.get(f"/b/{council.slug}/lots/{lottery.pk}/").content.decode()
    assert "The computation did not converge." in page
    monkeypatch.undo()
    assert services.compute_lottery(lottery, by=marta).stage == Lottery.Stage.COMPUTED


def test_it_asks_custom_features_at_sign_up(client, council, marta):
    lottery = services.create_lottery(
        council, title="Mesa técnica", panel_size=1, features=["sex", "oficio"], by=marta
    )
    member = lots_scene.residents_in_sectors(council, 1)[0]
    assembly = builders.convene(council)
    builders.open_with_quorum(assembly)
    code = assembly.attendance.get(resident=member).voting_code
    url = f"/b/{council.slug}/lots/{lottery.pk}/sign-up/"
    assert 'name="custom_oficio"' in client.get(url).content.decode()
    client.post(url, {"voting_code": code, "custom_oficio": " docente "})
    pool = build_pool(lottery, dt.date(2026, 1, 1))
    assert [p.values for p in pool.people] == [("F", "docente")]


def test_it_answers_forged_input_with_4xx(client, council, marta):
    lottery = lots_scene.commission(council, volunteers=2)
    client.force_login(marta)
    base = f"/b/{council.slug}/lots/{lottery.pk}"
    assert client.post(f"{base}/volunteers/", {"resident": "abc"}).status_code == 404
    long_value = {"feature-0": "sex", "value-0": "F" * 101, "min-0": "0", "max-0": "1"}
    assert client.post(f"{base}/quotas/", long_value).status_code == 400
    assert client.post(f"{base}/draw/", {"announced": "1 2"}).status_code == 409
    assert client.post(f"{base}/draw/", {"announced": ""}).status_code == 400
    with pytest.raises(InputError):
        services.create_lottery(council, title="X", panel_size=5000, features=["sex"], by=marta)


def test_it_shows_a_lottery_in_preparation_in_few_queries(
    client, council, marta, django_assert_max_num_queries
):
    lottery = lots_scene.commission(council, volunteers=12)
    client.force_login(marta)
    with django_assert_max_num_queries(10):
        response = client.get(f"/b/{council.slug}/lots/{lottery.pk}/")
    assert response.content.decode().count("Pérez") >= 12
