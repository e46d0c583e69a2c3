"""LOC Art. 50: a commune's parliament spokesperson is recalled by referendum, requested by
10 % of the commune's electors, carried by a majority yes with a turnout of more than 15 %
of the register (ADR 0066)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comuna import verify
from comuna.bodies.export import export_record
from comuna.bodies.models import Body, RecordEntry
from comuna.core.errors import RuleError
from comuna.federation import services
from comuna.federation.models import Consultation, Delegate, Deviation, Seat
from comuna.offices import recall_services as recalls
from comuna.offices.models import Recall
from comuna.people.models import Resident
from tests import builders
from tests import federation_builders as fb

pytestmark = pytest.mark.django_db


def _petition():
    """Three councils of 20: 60 electors. The third council's delegate deviates; the
    commune's recall petition is opened on that ground."""
    councils = fb.councils(3, residents=20)
    commune = fb.found_commune(councils)
    fb.elect_delegates(commune, alternates=True, now=fb.two_years_ago())
    session = fb.session(commune)
    item = session.items.get()
    fb.mandate(item, councils[2], "no")
    services.open_session(session, by=fb.marta())
    seat = Seat.objects.get(body=commune, member=councils[2])
    services.cast_delegate_vote(item, seat, "yes", by=fb.marta())
    recall = services.request_recall(Deviation.objects.get(), by=fb.marta())
    return commune, councils, seat, recall


def _sign(recall: Recall, councils: list[Body], count: int) -> None:
    signers = [r for c in councils for r in Resident.objects.of_body(c).order_by("pk")[5:7]]
    for resident in signers[:count]:
        recalls.sign_recall(recall, resident, by=fb.marta(), on=recall.opened_on)


def _vote(commune: Body, councils: list[Body], recall: Recall, yes: list[int]) -> Consultation:
    _sign(recall, councils, recall.needed)
    consultation = services.open_recall_referendum(recall, by=fb.marta())
    for council, count in zip(councils, yes, strict=True):
        services.report_unit(consultation, council, by=fb.marta(), counts={"yes": count, "no": 0})
    return services.close_consultation(consultation, by=fb.marta())


def test_it_collects_the_petition_among_the_commune_s_electors():
    commune, councils, seat, recall = _petition()
    assert (recall.body, recall.vote, recall.electorate, recall.needed) == (
        commune, Recall.Vote.REFERENDUM, 60, 6,
    )  # fmt: skip
    outsider = Resident.objects.of_body(builders.make_council(3)).first()
    with pytest.raises(RuleError) as error:
        recalls.sign_recall(recall, outsider, by=fb.marta(), on=recall.opened_on)
    assert error.value.code == "recall.not_a_member"
    with pytest.raises(RuleError) as early:
        services.open_recall_referendum(recall, by=fb.marta())
    assert early.value.code == "recall.no_referendum_due"
    _sign(recall, councils, 6)  # signatures from every council of the commune
    recall.refresh_from_db()
    assert recall.status == Recall.Status.REFERENDUM and recall.report_due_on is None


def test_it_shows_the_recall_of_a_deviation_in_the_api(client):
    commune, councils, seat, recall = _petition()
    (deviation,) = client.get(f"/api/bodies/{councils[2].slug}/deviations").json()
    assert (deviation["recall"], deviation["recall_status"]) == (recall.pk, "petition")


def test_it_keeps_the_delegate_when_turnout_is_exactly_fifteen_percent():
    commune, councils, seat, recall = _petition()
    consultation = _vote(commune, councils, recall, [3, 3, 3])  # 9 of 60: 15 %, not more
    assert consultation.kind == Consultation.Kind.RECALL and consultation.approved is False
    assert consultation.rules == {
        "commune": {"people": "majority_of_votes", "turnout_quorum": "3/20",
                    "members_majority": False, "turnout_strict": True},
    }  # fmt: skip
    recall.refresh_from_db()
    assert recall.status == Recall.Status.REJECTED
    assert Delegate.objects.get(seat=seat, ended_on__isnull=True) == recall.term.delegate
    entry = RecordEntry.objects.get(body=commune, kind="recall.rejected")
    assert entry.payload["consultation"] == consultation.pk


def test_it_recalls_with_more_than_fifteen_percent_and_seats_the_alternate():
    commune, councils, seat, recall = _petition()
    alternate = recall.term.alternate
    _vote(commune, councils, recall, [4, 3, 3])  # 10 of 60: more than 15 %
    recall.refresh_from_db()
    assert recall.status == Recall.Status.RECALLED
    successor = Delegate.objects.get(seat=seat, ended_on__isnull=True)
    assert successor.resident == alternate
    kinds = list(RecordEntry.objects.filter(body=commune).values_list("kind", flat=True))
    assert kinds.index("recall.put_to_referendum") < len(kinds) - 4
    assert kinds[-4:] == [
        "consultation.closed", "recall.carried_out", "delegate.recalled", "delegate.succeeded",
    ]  # fmt: skip
    # The term is the council's office: it ends, and the alternate's begins, in its record.
    kinds = list(RecordEntry.objects.filter(body=councils[2]).values_list("kind", flat=True))
    assert kinds[-4:] == ["term.ended", "term.succeeded", "delegate.recalled", "delegate.succeeded"]
    assert verify.verify_export(export_record([commune, *councils])) == []


def test_it_opens_one_referendum_per_recall():
    commune, councils, seat, recall = _petition()
    _sign(recall, councils, recall.needed)
    services.open_recall_referendum(recall, by=fb.marta())
    with pytest.raises(RuleError) as error:
        services.open_recall_referendum(recall, by=fb.marta())
    assert error.value.code == "recall.referendum_open"
    assert Consultation.objects.filter(kind=Consultation.Kind.RECALL).count() == 1


def test_it_puts_the_recall_to_the_referendum_from_the_delegate_page(client):
    commune, councils, seat, recall = _petition()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(fb.marta())
    url = reverse("federation_recall_referendum", args=[commune.slug, recall.pk])
    refused = client.post(url)
    assert refused.status_code == 409
    assert "not awaiting a referendum" in refused.content.decode()
    _sign(recall, councils, recall.needed)
    delegate = reverse("federation_delegate", args=[commune.slug, recall.term.delegate.pk])
    page = client.get(delegate).content.decode()
    assert "put to a referendum" in page and "Open the recall referendum" in page
    response = client.post(url)
    consultation = Consultation.objects.get(recall=recall)
    assert response.url == reverse("federation_consultation", args=[commune.slug, consultation.pk])
    assert client.get(response.url).status_code == 200


def test_it_shows_on_the_petition_page_that_a_referendum_decides(client):
    commune, councils, seat, recall = _petition()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(fb.marta())
    page = client.get(reverse("recall_detail", args=[commune.slug, recall.pk])).content.decode()
    assert "by referendum" in page and "LOC Art. 51" in page
