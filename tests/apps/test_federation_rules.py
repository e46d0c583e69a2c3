"""A parliament amends its own body's ruleset (LOC Art. 22.7, ADR 0067): an agenda item carries
the changes, checked when it is put on the agenda and adopted when the item takes effect —
approved by a majority of the members, or, without authority of its own, ratified by every
member body."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comuna import verify
from comuna.bodies.export import export_record
from comuna.bodies.models import Body, RecordEntry, RulesetVersion
from comuna.bodies.services import current_ruleset
from comuna.core.errors import InputError, RuleError
from comuna.federation import services
from comuna.federation.models import Deviation, Item, Seat
from comuna.offices.models import Recall
from tests import builders
from tests import federation_builders as fb

pytestmark = pytest.mark.django_db

TO_ASSEMBLIES = {"delegate_recall_vote": "member_assembly"}
HALF_CALL = {"parliament_agenda_item_call": "1/2"}


def _seated_commune(profile: str = "venezuela-2009", now: object = None) -> Body:
    members = fb.councils(3 if profile != "zapatista" else 2, profile=profile)
    commune = fb.found_commune(members, profile=profile)
    fb.elect_delegates(commune, now=now)  # type: ignore[arg-type]
    return commune


def _kinds(body: Body) -> list[str]:
    return list(
        RecordEntry.objects.filter(body=body).order_by("seq").values_list("kind", flat=True)
    )


def test_it_adopts_the_change_when_the_parliament_approves_the_item():
    commune = _seated_commune()
    before = current_ruleset(commune)
    assert before.params["delegate_recall_vote"] == "referendum"
    item = fb.amend_by_parliament(commune, {"parliament_agenda_item_call": "0.5", **TO_ASSEMBLIES})
    assert item.approved and item.effect == Item.Effect.IN_EFFECT
    after = current_ruleset(commune)
    assert after.number == before.number + 1 and after.profile == before.profile
    assert after.params == {
        **before.params, "delegate_recall_vote": "member_assembly",
        "parliament_agenda_item_call": "1/2",
    }  # fmt: skip
    assert after.reason == f"parliament session {item.session_id}, item {item.position}"
    amended = RecordEntry.objects.get(body=commune, kind="ruleset.amended")
    assert amended.payload == {
        "body": commune.slug, "version": after.number,
        "changes": {"delegate_recall_vote": "member_assembly", "parliament_agenda_item_call": "1/2"},
        "parliament_session": item.session_id, "item": item.position,
    }  # fmt: skip
    decision = RecordEntry.objects.filter(body=commune, kind="parliament.decision").last()
    assert decision.payload["changes"] == item.changes and decision.seq < amended.seq
    assert verify.verify_export(export_record([commune])) == []


def test_it_changes_nothing_when_the_parliament_rejects_the_item():
    commune = _seated_commune()
    before = current_ruleset(commune)
    item = fb.amend_by_parliament(commune, TO_ASSEMBLIES, vote="no")
    assert item.approved is False and item.effect == ""
    assert current_ruleset(commune) == before
    assert "ruleset.amended" not in _kinds(commune)


def _approved_pending(commune: Body) -> Item:
    session = fb.session(commune)
    item = services.add_item(session, "Reglamento", changes=HALF_CALL, by=fb.marta())
    services.open_session(session, by=fb.marta())
    for seat in Seat.objects.filter(body=commune):
        services.cast_delegate_vote(item, seat, "yes", by=fb.marta())
    return services.close_item(item, by=fb.marta())


def _ratify(item: Item, council: Body, ratified: bool) -> Item:
    assembly = fb.assembly_in_session(council)
    return services.ratify_item(item, council, ratified, assembly=assembly, by=fb.marta())


def test_it_waits_for_every_member_body_to_ratify_where_upper_levels_have_no_authority():
    commune = _seated_commune("zapatista")
    commune_rules = current_ruleset(commune)
    first, second = Body.objects.filter(parent=commune).order_by("pk")
    item = _approved_pending(commune)
    assert item.approved and item.effect == Item.Effect.PENDING
    assert current_ruleset(commune).number == commune_rules.number
    item = _ratify(item, first, True)
    assert item.effect == Item.Effect.PENDING
    assert current_ruleset(commune).number == commune_rules.number
    item = _ratify(item, second, True)
    assert item.effect == Item.Effect.IN_EFFECT
    after = current_ruleset(commune)
    assert after.number == commune_rules.number + 1
    assert after.params == {**commune_rules.params, **HALF_CALL}
    assert _kinds(commune)[-2:] == ["decision.ratification", "ruleset.amended"]


def test_it_changes_nothing_when_a_member_body_refuses_to_ratify():
    commune = _seated_commune("zapatista")
    first, second = Body.objects.filter(parent=commune).order_by("pk")
    before = current_ruleset(commune)
    item = _ratify(_approved_pending(commune), first, True)
    item = _ratify(item, second, False)
    assert item.effect == Item.Effect.NOT_RATIFIED
    assert current_ruleset(commune) == before
    assert "ruleset.amended" not in _kinds(commune)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"parliament_chair_salary": "100"}, "ruleset.unknown_parameter"),
        ({"delegate_recall_vote": "by_lot"}, "ruleset.bad_value"),
        ({"parliament_agenda_item_call": "3/2"}, "ruleset.bad_value"),
    ],
)
def test_it_refuses_a_bad_change_when_the_item_is_put_on_the_agenda(changes, code):
    commune = _seated_commune()
    session = fb.session(commune)
    entries = RecordEntry.objects.filter(body=commune).count()
    with pytest.raises(InputError) as error:
        services.add_item(session, "Reglamento", changes=changes, by=fb.marta())
    assert error.value.code == code
    assert session.items.count() == 1
    assert RecordEntry.objects.filter(body=commune).count() == entries


def test_it_adds_items_only_before_the_session_opens():
    commune = _seated_commune()
    session = fb.session(commune)
    item = services.add_item(session, "  Reglamento  ", changes={}, by=fb.marta())
    assert (item.position, item.title, item.changes) == (2, "Reglamento", {})
    added = RecordEntry.objects.filter(body=commune, kind="parliament.item_added").get()
    assert "changes" not in added.payload and added.payload["item"] == 2
    with pytest.raises(InputError) as untitled:
        services.add_item(session, " ", by=fb.marta())
    assert untitled.value.code == "parliament.item_without_title"
    services.open_session(session, by=fb.marta())
    with pytest.raises(RuleError) as late:
        services.add_item(session, "Otro punto", by=fb.marta())
    assert late.value.code == "parliament.agenda_closed"


def test_it_sends_a_recall_to_the_council_s_assembly_once_the_parliament_so_decides():
    """The councils mandate their delegates on the rule change; the third one's delegate
    votes against the mandate. Under the amended rules, that deviation's recall is the
    council's, in its own assembly — not a referendum of the commune (LOC Art. 50)."""
    commune = _seated_commune(now=fb.two_years_ago())
    councils = list(Body.objects.filter(parent=commune).order_by("pk"))
    session = fb.session(commune, ("Informe",))
    item = services.add_item(
        session, "Revocatoria en asamblea", changes=TO_ASSEMBLIES, by=fb.marta()
    )
    for council, choice in zip(councils, ["yes", "yes", "no"], strict=True):
        fb.mandate(item, council, choice)
    services.open_session(session, by=fb.marta())
    for seat in Seat.objects.filter(body=commune, member__in=councils):
        services.cast_delegate_vote(item, seat, "yes", by=fb.marta())
    item = services.close_item(item, by=fb.marta())
    assert item.approved and list(item.votes.values_list("conformance", flat=True).order_by("seat__member")) == [
        "conform", "conform", "deviation",
    ]  # fmt: skip
    recall = services.request_recall(Deviation.objects.get(), by=fb.marta())
    assert recall.body == councils[2] and recall.vote != Recall.Vote.REFERENDUM


def _login(client, username):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(builders.make_user(username))
    return client


def test_it_puts_a_rule_change_on_the_agenda_from_the_session_page(client):
    commune = _seated_commune()
    session = fb.session(commune)
    _login(client, "marta")
    url = reverse("federation_session", args=[commune.slug, session.pk])
    page = client.get(url).content.decode()
    assert "Add an item" in page and "Amend the rules (optional)" in page
    add = reverse("federation_item_add", args=[commune.slug, session.pk])
    bad = client.post(add, {"title": "Reglamento", "changes": "parliament_chair = 1"})
    assert bad.status_code == 400 and "Unknown parameter parliament_chair." in bad.content.decode()
    malformed = client.post(add, {"title": "Reglamento", "changes": "delegate_recall_vote"})
    assert malformed.status_code == 400 and "parameter = value" in malformed.content.decode()
    assert session.items.count() == 1
    done = client.post(
        add, {"title": "Reglamento", "changes": "delegate_recall_vote = member_assembly"}
    )
    assert done.status_code == 302
    item = session.items.get(position=2)
    assert item.changes == TO_ASSEMBLIES
    page = client.get(url).content.decode()
    assert "this item amends the parliament" in page and "member_assembly" in page
    assert not RulesetVersion.objects.filter(body=commune, number=2).exists()
    council = Body.objects.filter(parent=commune).first()
    member_page = client.get(reverse("federation_member", args=[council.slug])).content.decode()
    assert "member_assembly" in member_page
    detail = client.get(f"/api/sessions/{session.pk}").json()
    assert [i["changes"] for i in detail["item_list"]] == [{}, TO_ASSEMBLIES]


def test_it_refuses_the_form_to_someone_who_does_not_convene(client):
    commune = _seated_commune()
    session = fb.session(commune)
    _login(client, "nobody")
    add = reverse("federation_item_add", args=[commune.slug, session.pk])
    assert client.post(add, {"title": "Reglamento"}).status_code == 403
    assert session.items.count() == 1
