"""Recall: petition from mid-term, one signature per member, report, assembly vote, alternate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from comuna.assemblies import services as assemblies
from comuna.assemblies.models import Motion
from comuna.bodies.models import RecordEntry
from comuna.core.errors import RuleError
from comuna.core.tally import VoteCounts
from comuna.offices import election_services as elections
from comuna.offices import recall_services as recalls
from comuna.offices.models import Post, Recall, RecallSignature, Term
from tests import builders
from tests.apps import offices_scene as scene

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def elected(held_on: dt.date, unit: str = Post.Unit.FINANCE):
    body, carmen = scene.council(residents=20)
    post = Post.objects.get(body=body, unit=unit)
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5, 4, 3], held_on=held_on, post=post)
    return body, carmen, Term.objects.get(post=post, seat=1)


def test_it_refuses_a_petition_before_mid_term_and_writes_nothing():
    body, carmen, term = elected(TODAY - dt.timedelta(days=100))
    before = RecordEntry.objects.filter(body=body).count()
    with pytest.raises(RuleError) as early:
        recalls.open_recall(term, grounds="No rinde cuentas", by=carmen, on=TODAY)
    assert early.value.code == "recall.too_early"
    half = -(-(term.ends_on - term.starts_on).days // 2)  # the midpoint, rounded up to a day
    assert early.value.params["on"] == (term.starts_on + dt.timedelta(days=half)).isoformat()
    assert not Recall.objects.exists()
    assert RecordEntry.objects.filter(body=body).count() == before


def petition(body, carmen, term) -> Recall:
    recall = recalls.open_recall(term, grounds="No rinde cuentas (Art. 39.6)", by=carmen, on=TODAY)
    assert recall.electorate == 20 and recall.needed == 2
    return recall


def test_it_takes_one_signature_per_member_and_opens_the_report_deadline():
    body, carmen, term = elected(scene.years_ago(1, 10))
    recall = petition(body, carmen, term)
    first, second = scene.members(body)[10:12]
    recalls.sign_recall(recall, first, by=carmen, on=TODAY)
    with pytest.raises(RuleError) as twice:
        recalls.sign_recall(recall, first, by=carmen, on=TODAY)
    assert twice.value.code == "recall.already_signed"
    with pytest.raises(IntegrityError), transaction.atomic():
        RecallSignature.objects.create(recall=recall, resident=first, signed_on=TODAY)
    recalls.sign_recall(recall, second, by=carmen, on=TODAY)
    recall.refresh_from_db()
    assert recall.status == Recall.Status.REPORT
    assert recall.report_due_on == TODAY + dt.timedelta(days=15)
    with pytest.raises(RuleError):
        recalls.sign_recall(recall, scene.members(body)[12], by=carmen, on=TODAY)


def test_it_sends_the_recall_of_a_social_audit_spokesperson_straight_to_the_assembly():
    body, carmen, term = elected(scene.years_ago(1, 10), unit=Post.Unit.AUDIT)
    recall = petition(body, carmen, term)
    for resident in scene.members(body)[10:12]:
        recalls.sign_recall(recall, resident, by=carmen, on=TODAY)
    recall.refresh_from_db()
    assert recall.status == Recall.Status.ASSEMBLY and recall.report_due_on is None
    assert recall.assembly_due_on == TODAY + dt.timedelta(days=15)
    with pytest.raises(RuleError) as no_report:
        recalls.file_audit_report(recall, "Informe.", by=carmen, on=TODAY)
    assert no_report.value.code == "recall.no_report_due"


def _to_vote(body, carmen, term) -> tuple[Recall, Motion]:
    recall = petition(body, carmen, term)
    for resident in scene.members(body)[10:12]:
        recalls.sign_recall(recall, resident, by=carmen, on=TODAY)
    recalls.file_audit_report(recall, "Se verificó la falta.", by=carmen, on=TODAY)
    recall.refresh_from_db()
    assert recall.assembly_due_on == TODAY + dt.timedelta(days=15)
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly, present=10)
    motion = recalls.put_recall_to_assembly(recall, assembly, by=carmen, method="open_count")
    assert motion.kind == Motion.Kind.RECALL and motion.payload["holder"] == term.holder_id
    assemblies.open_vote(motion, by=builders.make_user("marta"))
    return recall, motion


def test_it_recalls_in_the_decision_and_seats_the_alternate():
    body, carmen, term = elected(scene.years_ago(1, 10))
    recall, motion = _to_vote(body, carmen, term)
    decision = assemblies.close_vote(
        motion, by=builders.make_user("marta"), counts=VoteCounts(yes=6, no=3, abstain=1)
    )
    assert decision.approved and decision.rule == "majority_of_attendees"
    recall.refresh_from_db()
    term.refresh_from_db()
    assert recall.status == Recall.Status.RECALLED and recall.decision == decision
    # The day the assembly decided (not TODAY, taken at import: a run may cross midnight).
    decided_on = timezone.localdate(decision.decided_at)
    assert term.end_reason == Term.End.RECALLED and term.ended_on == decided_on
    successor = term.followed_by
    assert successor.holder == term.alternate and successor.ends_on == term.ends_on
    assert successor.source == Term.Source.SUCCESSION
    steps = [
        "recall.opened", "recall.signed", "recall.signed", "recall.threshold_reached",
        "recall.report_filed", "recall.put_to_assembly", "decision.made", "term.ended",
        "term.succeeded", "recall.carried_out",
    ]  # fmt: skip
    record = list(RecordEntry.objects.filter(body=body).values_list("kind", flat=True))
    assert [k for k in record if k in set(steps)][-len(steps) :] == steps


def test_it_bars_the_recalled_person_for_two_terms():
    body, carmen, term = elected(scene.years_ago(1, 10))
    _recall, motion = _to_vote(body, carmen, term)
    assemblies.close_vote(motion, by=builders.make_user("marta"), counts=VoteCounts(yes=8, no=2))
    post = term.post
    election = elections.call_election(post, by=carmen, ballots="paper", held_on=TODAY)
    with pytest.raises(RuleError) as barred:
        elections.register_candidacy(election, term.holder, by=carmen)
    assert barred.value.code == "offices.recall_barred"
    term.refresh_from_db()
    ended = term.ended_on
    assert barred.value.params["until"] == ended.replace(year=ended.year + 4).isoformat()


def test_it_keeps_the_holder_when_the_assembly_rejects_the_recall():
    body, carmen, term = elected(scene.years_ago(1, 10))
    recall, motion = _to_vote(body, carmen, term)
    decision = assemblies.close_vote(
        motion, by=builders.make_user("marta"), counts=VoteCounts(yes=5, no=5)
    )
    assert not decision.approved  # 5 of 10 attendees is not a majority of attendees
    recall.refresh_from_db()
    term.refresh_from_db()
    assert recall.status == Recall.Status.REJECTED and term.ended_on is None
    assert RecordEntry.objects.filter(body=body, kind="recall.rejected").exists()


def test_it_refuses_to_open_the_recall_vote_without_its_own_quorum():
    body, carmen, term = elected(scene.years_ago(1, 10))
    scene.amend(body, recall_vote_quorum="3/5")
    recall = petition(body, carmen, term)
    for resident in scene.members(body)[10:12]:
        recalls.sign_recall(recall, resident, by=carmen, on=TODAY)
    recalls.file_audit_report(recall, "Informe.", by=carmen, on=TODAY)
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly, present=10)
    motion = recalls.put_recall_to_assembly(recall, assembly, by=carmen, method="open_count")
    with pytest.raises(RuleError) as no_quorum:
        assemblies.open_vote(motion, by=builders.make_user("marta"))
    assert no_quorum.value.code == "quorum.not_reached" and no_quorum.value.params["required"] == 12
