"""A delegate who votes against the mandate is recalled by the council's own offices path, and
the federation seat follows: the alternate takes it, or it stays vacant (ADRs 0064, 0065)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from comuna import verify
from comuna.assemblies import services as assemblies
from comuna.bodies.export import export_record
from comuna.bodies.models import Body, RecordEntry
from comuna.core.errors import InputError, RuleError
from comuna.core.tally import VoteCounts
from comuna.federation import services
from comuna.federation.models import Delegate, Deviation, Seat
from comuna.federation.services.parliament import seated
from comuna.offices import recall_services as recalls
from comuna.offices.models import Post, Recall, Term
from comuna.people.models import Resident
from tests import federation_builders as fb
from tests.apps.test_concurrency import race

pytestmark = pytest.mark.django_db


def _deviation(*, alternates: bool = True, items: int = 1):
    """A commune whose third council's delegate (elected two years ago) votes against its
    mandate on the first item of a session left open."""
    commune = fb.found_commune()
    fb.elect_delegates(commune, alternates=alternates, now=fb.two_years_ago())
    fb.recall_in_member_assemblies(commune)
    agenda = tuple(f"Punto {n}" for n in range(1, items + 1))
    session = fb.session(commune, agenda)
    council = Body.objects.filter(parent=commune).order_by("pk").last()
    for item in session.items.all():
        fb.mandate(item, council, "yes")
    services.open_session(session, by=fb.marta())
    seat = Seat.objects.get(body=commune, member=council)
    services.cast_delegate_vote(session.items.first(), seat, "no", by=fb.marta())
    return commune, session, council, seat, Deviation.objects.get()


def _carry(recall: Recall, council: Body, *, yes: int = 6, no: int = 1) -> None:
    """Signatures to the threshold, the report, and the recall motion in the council."""
    today = timezone.localdate()
    members = list(Resident.objects.of_body(council).order_by("pk"))[2:]
    for resident in members[: recall.needed]:
        recalls.sign_recall(recall, resident, by=fb.marta(), on=today)
    recalls.file_audit_report(recall, "Se verificó el voto.", by=fb.marta(), on=today)
    assembly = fb.assembly_in_session(council)
    motion = recalls.put_recall_to_assembly(recall, assembly, by=fb.marta(), method="open_count")
    assemblies.open_vote(motion, by=fb.marta())
    assemblies.close_vote(motion, by=fb.marta(), counts=VoteCounts(yes=yes, no=no))


def _close(session) -> None:
    for item in session.items.filter(closed_at__isnull=True):
        services.close_item(item, by=fb.marta())
    services.close_session(session, by=fb.marta())


def test_it_makes_the_delegate_an_office_holder_of_the_council_with_an_alternate():
    commune = fb.found_commune()
    fb.elect_delegates(commune, alternates=True)
    delegate = Delegate.objects.select_related("term__post").first()
    term = delegate.term
    assert term.holder == delegate.resident and term.alternate is not None
    assert term.post.body == delegate.seat.member and term.post.unit == Post.Unit.OTHER
    assert term.post.name == f"Vocería ante el Parlamento de {commune.name}"
    assert term.ends_on == delegate.term_ends_on
    entry = RecordEntry.objects.filter(body=delegate.seat.member, kind="delegate.elected").get()
    assert entry.payload["term"] == term.pk and entry.payload["alternate"] == term.alternate_id


def test_it_refuses_the_delegate_as_their_own_alternate():
    commune = fb.found_commune()
    seat = Seat.objects.filter(body=commune, kind="member").first()
    rosa = Resident.objects.of_body(seat.member).first()
    with pytest.raises(InputError) as error:
        services.elect_delegate(
            seat, rosa, alternate=rosa, by=fb.marta(), assembly=fb.assembly_in_session(seat.member)
        )
    assert error.value.code == "delegate.alternate_is_delegate"
    assert not Delegate.objects.exists() and not Term.objects.exists()


def test_it_opens_a_recall_in_the_council_on_the_ground_of_the_deviation():
    commune, session, council, seat, deviation = _deviation()
    recall = services.request_recall(deviation, by=fb.marta())
    deviation.refresh_from_db()
    assert deviation.recall == recall and recall.body == council
    assert recall.term == deviation.delegate.term and recall.status == Recall.Status.PETITION
    assert "LOC Art. 51" in recall.grounds and "«Punto 1»" in recall.grounds
    assert "mandato «yes», voto «no»" in recall.grounds
    kinds = set(RecordEntry.objects.filter(body=council).values_list("kind", flat=True))
    assert {"recall.opened", "delegate.recall_requested"} <= kinds
    with pytest.raises(RuleError) as twice:
        services.request_recall(deviation, by=fb.marta())
    assert twice.value.code == "recall.already_requested"


def test_it_waits_for_mid_term_before_a_recall_and_writes_nothing():
    commune = fb.found_commune()
    fb.elect_delegates(commune)
    session = fb.session(commune)
    council = Body.objects.filter(parent=commune).order_by("pk").last()
    fb.mandate(session.items.get(), council, "no")
    services.open_session(session, by=fb.marta())
    seat = Seat.objects.get(body=commune, member=council)
    services.cast_delegate_vote(session.items.get(), seat, "yes", by=fb.marta())
    before = RecordEntry.objects.filter(body=council).count()
    with pytest.raises(RuleError) as early:
        services.request_recall(Deviation.objects.get(), by=fb.marta())
    assert early.value.code == "recall.too_early"
    assert not Recall.objects.exists() and Deviation.objects.get().recall_requested_at is None
    assert RecordEntry.objects.filter(body=council).count() == before


def test_it_keeps_one_recall_under_way_per_delegate():
    commune, session, council, seat, first = _deviation(items=2)
    services.request_recall(first, by=fb.marta())
    services.cast_delegate_vote(session.items.get(position=2), seat, "no", by=fb.marta())
    second = Deviation.objects.exclude(pk=first.pk).get()
    with pytest.raises(RuleError) as error:
        services.request_recall(second, by=fb.marta())
    assert error.value.code == "recall.already_open"
    assert Recall.objects.count() == 1 and Deviation.objects.get(pk=second.pk).recall is None


def test_it_recalls_the_delegate_and_seats_the_alternate_in_the_parliament():
    commune, session, council, seat, deviation = _deviation(items=2)
    recalled = deviation.delegate
    alternate = recalled.term.alternate
    _carry(services.request_recall(deviation, by=fb.marta()), council)
    recalled.refresh_from_db()
    assert recalled.ended_on == timezone.localdate() and recalled.term.end_reason == "recalled"
    successor = Delegate.objects.get(seat=seat, ended_on__isnull=True)
    assert successor.resident == alternate and successor.term_ends_on == recalled.term_ends_on
    assert successor.term.follows == recalled.term
    for body in (council, commune):
        kinds = list(RecordEntry.objects.filter(body=body).values_list("kind", flat=True))
        assert kinds[-2:] == ["delegate.recalled", "delegate.succeeded"]
    # Mid-session: the vote already cast stands; the alternate votes on the next item.
    session.refresh_from_db()
    assert session.members_at_opening == 3 and seated(commune) == 3
    vote = services.cast_delegate_vote(session.items.get(position=2), seat, "yes", by=fb.marta())
    assert vote.delegate == successor and vote.conformance == "conform"
    assert verify.verify_export(export_record([commune, council])) == []


def test_it_leaves_the_seat_vacant_without_an_alternate():
    commune, session, council, seat, deviation = _deviation(alternates=False)
    _carry(services.request_recall(deviation, by=fb.marta()), council)
    assert not Delegate.objects.filter(seat=seat, ended_on__isnull=True).exists()
    assert seated(commune) == 2
    assert not RecordEntry.objects.filter(kind="delegate.succeeded").exists()
    assert RecordEntry.objects.filter(body=commune, kind="delegate.recalled").exists()


def test_it_keeps_the_delegate_when_the_assembly_rejects_the_recall():
    commune, session, council, seat, deviation = _deviation()
    recall = services.request_recall(deviation, by=fb.marta())
    _carry(recall, council, yes=2, no=5)
    recall.refresh_from_db()
    assert recall.status == Recall.Status.REJECTED
    assert Delegate.objects.get(seat=seat, ended_on__isnull=True) == deviation.delegate
    assert not RecordEntry.objects.filter(kind="delegate.recalled").exists()


def test_it_bars_a_recalled_delegate_for_two_parliament_terms():
    commune, session, council, seat, deviation = _deviation()
    recalled = deviation.delegate.resident
    _carry(services.request_recall(deviation, by=fb.marta()), council)
    _close(session)
    with pytest.raises(RuleError) as barred:
        services.elect_delegate(
            seat, recalled, by=fb.marta(), assembly=fb.assembly_in_session(council)
        )
    today = timezone.localdate()
    assert barred.value.code == "offices.recall_barred"
    assert barred.value.params["until"] == today.replace(year=today.year + 6).isoformat()


def test_it_refuses_a_recall_for_a_delegate_no_longer_in_the_seat():
    commune, session, council, seat, deviation = _deviation()
    _close(session)
    services.elect_delegate(
        seat, Resident.objects.of_body(council).order_by("pk")[5],
        by=fb.marta(), assembly=fb.assembly_in_session(council),
    )  # fmt: skip
    assert Term.objects.get(pk=deviation.delegate.term_id).end_reason == Term.End.REPLACED
    with pytest.raises(RuleError) as error:
        services.request_recall(deviation, by=fb.marta())
    assert error.value.code == "recall.delegate_ended"


def test_it_carries_out_a_recall_after_the_council_left_without_touching_the_federation():
    commune, session, council, seat, deviation = _deviation()
    recall = services.request_recall(deviation, by=fb.marta())
    _close(session)
    services.leave_federation(commune, council, by=fb.marta(), on=timezone.localdate())
    term = Term.objects.get(pk=deviation.delegate.term_id)
    assert term.end_reason == Term.End.SEAT_CLOSED
    before = RecordEntry.objects.filter(body=commune).count()
    _carry(recall, council)
    term.refresh_from_db()
    assert term.end_reason == Term.End.RECALLED and not hasattr(term, "followed_by")
    assert RecordEntry.objects.filter(body=commune).count() == before
    entry = RecordEntry.objects.filter(body=council, kind="delegate.recalled").get()
    assert entry.payload["in_seat"] is False


def test_it_opens_the_term_of_a_delegate_seated_before_terms_existed():
    commune, session, council, seat, deviation = _deviation()
    delegate = deviation.delegate
    Delegate.objects.filter(pk=delegate.pk).update(term=None)
    Term.objects.filter(pk=delegate.term_id).update(
        ended_on=timezone.localdate() - dt.timedelta(days=1), end_reason="replaced"
    )
    recall = services.request_recall(Deviation.objects.get(), by=fb.marta())
    delegate.refresh_from_db()
    assert recall.term == delegate.term and delegate.term.starts_on == delegate.elected_on


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL")
def test_it_opens_one_recall_when_two_are_requested_at_once(transactional_db):
    commune, session, council, seat, first = _deviation(items=2)
    services.cast_delegate_vote(session.items.get(position=2), seat, "no", by=fb.marta())
    second = Deviation.objects.exclude(pk=first.pk).get()
    jobs = [lambda d=d: services.request_recall(d, by=fb.marta()) for d in (first, second) * 3]
    results = race(jobs)
    assert [r[0] for r in results].count("ok") == 1
    assert {r[1] for r in results if r[0] == "refused"} <= {
        "recall.already_open", "recall.already_requested"
    }  # fmt: skip
    assert Recall.objects.count() == 1
    assert Deviation.objects.filter(recall__isnull=False).count() == 1


def test_it_elects_an_alternate_on_the_form_and_shows_the_recall_on_the_delegate_page(
    client, django_assert_max_num_queries
):
    commune, session, council, seat, deviation = _deviation(items=3)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(fb.marta())
    recall_url = reverse("federation_recall", args=[council.slug, deviation.pk])
    assert client.post(recall_url).status_code == 302
    recalled = deviation.delegate
    _carry(Recall.objects.get(), council)
    for position in (2, 3):  # the alternate votes against the mandate too
        services.cast_delegate_vote(session.items.get(position=position), seat, "no", by=fb.marta())
    successor = Delegate.objects.get(seat=seat, ended_on__isnull=True)
    url = reverse("federation_delegate", args=[commune.slug, recalled.pk])
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "recalled" in page and successor.resident.full_name in page
    assert reverse("federation_delegate", args=[commune.slug, successor.pk]) in page
    with django_assert_max_num_queries(14):
        page = client.get(reverse("federation_delegate", args=[commune.slug, successor.pk]))
    assert page.content.decode().count("Open a recall of this delegate") == 2
    # The council's assembly elects a new delegate with an alternate, on the form.
    _close(session)
    assembly = fb.assembly_in_session(council)
    rosa, pedro = Resident.objects.of_body(council).order_by("pk")[6:8]
    response = client.post(
        reverse("federation_member_act", args=[council.slug]),
        {"action": "elect", "seat": seat.pk, "resident": rosa.pk, "alternate": pedro.pk,
         "meeting": f"a{assembly.pk}"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    elected = Delegate.objects.get(seat=seat, ended_on__isnull=True)
    assert (elected.resident, elected.term.alternate) == (rosa, pedro)
    assert Term.objects.get(pk=successor.term_id).end_reason == Term.End.REPLACED
