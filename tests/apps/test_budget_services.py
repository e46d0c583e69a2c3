"""Budget processes through the services: phases, ballots, result, spending, pabulib."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, transaction

from comuna import verify
from comuna.assemblies import services as assemblies
from comuna.bodies import services as bodies
from comuna.bodies.export import export_record
from comuna.bodies.models import RecordEntry
from comuna.budgets import pb_files, services, spending
from comuna.budgets.models import BudgetBallot, BudgetProcess, Spending, VoterMark, VotingCode
from comuna.core.budget_ballots import election_digest
from comuna.core.errors import InputError, RuleError
from comuna.core.pabulib import parse_pb, to_election
from comuna.people.models import Resident
from tests import builders
from tests.apps import budget_scene
from tests.apps.test_record_tamper import rechain

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return builders.make_council(residents=12)


@pytest.fixture
def marta(council):
    return User.objects.get(username="marta")


def kinds(body):
    return list(RecordEntry.objects.filter(body=body).values_list("kind", flat=True))


def approved_decision(body):
    assembly = builders.open_with_quorum(builders.convene(body))
    motion = builders.motion(assembly, title="Aprobar el presupuesto participativo")
    counts = assemblies.VoteCounts(yes=10, no=1, abstain=0)
    return assemblies.close_vote(motion, by=User.objects.get(username="marta"), counts=counts)


def test_it_funds_each_group_in_proportion_to_its_size(council):
    process = budget_scene.process_with_result(council)
    assert process.phase == BudgetProcess.Phase.RESULT
    # 6 of 10 voters want P1 (6000) and P2 (3000); 4 want P3 (4000). Greedy gives the
    # majority everything; equal shares give the minority its 40 %.
    assert process.result["selected"] == ["P2", "P3"]
    assert process.result["greedy"]["selected"] == ["P2", "P1"]
    assert sorted(process.projects.filter(funded=True).values_list("code", flat=True)) == [
        "P2",
        "P3",
    ]
    entry = RecordEntry.objects.filter(body=council, kind="budget.result").get()
    assert entry.payload["digest"] == election_digest(services.election_for(process))
    assert entry.payload["options"]["add1_start"] == "floor"
    assert entry.payload["tie_break"] == "max_votes,min_cost"
    assert "accounts" not in entry.payload


def test_it_records_every_phase_and_links_it_to_an_assembly_decision(council, marta):
    decision = approved_decision(council)
    process = budget_scene.process_in_voting(council)
    budget_scene.vote_split(process, 2, 1)
    process = services.advance_phase(process, by=marta, decision=decision)
    phases = list(process.phases.values_list("phase", "decision__number"))
    assert phases == [
        ("proposals", None),
        ("review", None),
        ("voting", None),
        ("result", decision.number),
    ]
    assert kinds(council).count("budget.phase") == 3
    assert kinds(council).count("budget.project_reviewed") == 3


def test_it_refuses_a_rejected_or_foreign_decision(council, marta):
    other = builders.make_council(residents=12)
    decision = approved_decision(other)
    process = budget_scene.process_in_review(council)
    with pytest.raises(RuleError) as caught:
        services.advance_phase(process, by=marta, decision=decision)
    assert caught.value.code == "budget.bad_decision"


def test_it_refuses_acts_out_of_their_phase(council, marta):
    process = budget_scene.process_in_review(council)
    with pytest.raises(RuleError) as caught:
        services.propose_project(process, title="Otra", cost="10", by=marta)
    assert caught.value.code == "budget.not_proposals"
    with pytest.raises(RuleError) as caught:
        services.advance_phase(process, by=marta)
    assert caught.value.code == "budget.unreviewed"
    with pytest.raises(RuleError) as caught:
        services.cast_budget_ballot(process, "XXXX", [("P1", 1)])
    assert caught.value.code == "budget.not_voting"


def test_it_lets_each_member_vote_once_and_keeps_ballots_unlinkable(council):
    process = budget_scene.process_in_voting(council)
    assert VotingCode.objects.filter(process=process).count() == 12
    code = VotingCode.objects.filter(process=process).first()
    receipt = services.cast_budget_ballot(process, code.code.lower(), [("P1", 1)])
    assert BudgetBallot.objects.get(process=process).receipt == receipt
    with pytest.raises(RuleError) as caught:
        services.cast_budget_ballot(process, code.code, [("P2", 1)])
    assert caught.value.code == "budget.already_voted"
    with pytest.raises(IntegrityError), transaction.atomic():
        VoterMark.objects.create(process=process, resident=code.resident, channel="paper")
    fields = {f.name for f in BudgetBallot._meta.get_fields()}
    assert fields == {"id", "process", "receipt", "marks"}
    with pytest.raises(DatabaseError), transaction.atomic():
        BudgetBallot.objects.filter(process=process).update(marks=[["P3", 1]])


def test_it_enters_paper_ballots_and_refuses_bad_ones(council, marta):
    process = budget_scene.process_in_voting(council, max_projects=1)
    resident = Resident.objects.of_body(council).first()
    with pytest.raises(InputError) as caught:
        services.enter_paper_ballot(process, resident, [("P1", 1), ("P2", 1)], by=marta)
    assert caught.value.code == "budget.too_many_projects"
    assert not VoterMark.objects.filter(process=process).exists()
    services.enter_paper_ballot(process, resident, [("P3", 1)], by=marta)
    assert VoterMark.objects.get(process=process).channel == "paper"
    with pytest.raises(RuleError):
        services.enter_paper_ballot(process, resident, [("P1", 1)], by=marta)


@pytest.mark.parametrize(
    ("kind", "extra", "marks"),
    [
        ("cumulative", {"points": 10}, [[("P1", 4), ("P2", 6)], [("P3", 10)]]),
        ("ranked", {}, [[("P2", 1), ("P1", 2)], [("P3", 1)]]),
    ],
)
def test_it_counts_cumulative_and_ranked_ballots(council, marta, kind, extra, marks):
    process = budget_scene.process_in_voting(council, ballot_kind=kind, **extra)
    codes = list(VotingCode.objects.filter(process=process).order_by("pk"))
    for i, code in enumerate(codes[:10]):
        services.cast_budget_ballot(process, code.code, marks[0] if i < 6 else marks[1])
    process = services.advance_phase(process, by=marta)
    assert "P3" in process.result["selected"]
    assert Decimal(process.result["total_cost"]) <= process.amount


def test_it_applies_greedy_when_the_assembly_chose_it(council, marta):
    with transaction.atomic():
        bodies.amend_ruleset(
            council, {"budget_rule": "greedy"}, decision_number=1, on=dt.date.today()
        )
    process = budget_scene.process_with_result(council)
    assert process.result["rule"] == "greedy"
    assert process.result["selected"] == ["P2", "P1"]


@pytest.fixture
def in_execution(council, marta):
    return budget_scene.process_in_execution(council)


def test_it_keeps_spending_within_the_allocation_unless_the_assembly_approves(
    council, marta, in_execution
):
    square = in_execution.projects.get(code="P3")
    day = dt.date(2026, 3, 1)
    common = {"spent_on_day": day, "description": "Cemento", "evidence": "Factura 12", "by": marta}
    first = spending.record_spending(square, amount="3000", progress=40, **common)
    with pytest.raises(RuleError) as caught:
        spending.record_spending(square, amount="1500", **common)
    assert caught.value.code == "spending.over_allocation"
    decision = approved_decision(council)
    spending.record_spending(square, amount="1500", decision=decision, **common)
    assert spending.spent_on(square) == Decimal("4500")
    reversal = spending.reverse_spending(first, reason="Factura duplicada", by=marta)
    assert reversal.amount == Decimal("-3000") and spending.spent_on(square) == Decimal("1500")
    with pytest.raises(RuleError):
        spending.reverse_spending(first, reason="otra vez", by=marta)
    with pytest.raises(DatabaseError), transaction.atomic():
        Spending.objects.filter(pk=first.pk).delete()
    assert kinds(council).count("budget.spending") == 3


def test_it_refuses_spending_on_an_unfunded_project(in_execution, marta):
    pipe = in_execution.projects.get(code="P1")
    with pytest.raises(RuleError) as caught:
        spending.record_spending(
            pipe, amount="10", spent_on_day=dt.date(2026, 3, 1), description="x", evidence="y",
            by=marta,
        )  # fmt: skip
    assert caught.value.code == "spending.not_in_execution"


def test_it_exports_a_pabulib_file_that_reproduces_the_result(council, marta):
    process = budget_scene.process_with_result(council)
    text = pb_files.export_pb(process)
    assert election_digest(to_election(parse_pb(text))) == process.result["digest"]
    other = builders.make_council(residents=2)
    imported = pb_files.import_pb(other, text, title="", by=marta)
    assert imported.imported and imported.title == process.title
    assert imported.result["digest"] == process.result["digest"]
    assert imported.result["selected"] == process.result["selected"]
    assert "budget.imported" in kinds(other)


def test_it_refuses_a_malformed_pabulib_file_without_writing(council, marta):
    with pytest.raises(InputError) as caught:
        pb_files.import_pb(council, "META\nkey;value\nbudget;100\n", title="x", by=marta)
    assert caught.value.code.startswith("pb.")
    assert not BudgetProcess.objects.filter(body=council).exists()


@pytest.mark.parametrize("rule", ["mes", "greedy"])
def test_it_lets_the_independent_verifier_recheck_the_result(council, marta, rule):
    if rule == "greedy":
        with transaction.atomic():
            bodies.amend_ruleset(
                council, {"budget_rule": rule}, decision_number=1, on=dt.date.today()
            )
    process = budget_scene.process_in_execution(council)
    spending.record_spending(
        process.projects.get(code="P2"), amount="2000", spent_on_day=dt.date(2026, 3, 1),
        description="Postes", evidence="Factura 7", by=marta,
    )  # fmt: skip
    data = export_record([council])
    assert verify.verify_export(data) == []
    body = data["bodies"][0]
    position = next(i for i, e in enumerate(body["entries"]) if e["kind"] == "budget.result")
    forged = body["entries"][position]["payload"]
    for p in forged["projects"]:  # hand the money to the majority's first choice
        p["funded"] = p["project"] in ("P1", "P2")
    forged["selected"], forged["total_cost"] = ["P2", "P1"], "9000"
    rechain(body, position)
    problems = verify.verify_export(data)
    assert [p.seq for p in problems] == [body["entries"][position]["seq"]] or rule == "greedy"
    if rule == "greedy":  # greedy selected P2 and P1 already: forge the other way round
        data = export_record([council])
        body = data["bodies"][0]
        forged = body["entries"][position]["payload"]
        for p in forged["projects"]:
            p["funded"] = p["project"] in ("P2", "P3")
        forged["selected"], forged["total_cost"] = ["P2", "P3"], "7000"
        rechain(body, position)
        assert "greedy recomputed" in verify.verify_export(data)[0].message


def test_it_lets_the_verifier_catch_a_changed_ballot(council, marta):
    budget_scene.process_with_result(council)
    data = export_record([council])
    body = data["bodies"][0]
    position = next(i for i, e in enumerate(body["entries"]) if e["kind"] == "budget.result")
    body["entries"][position]["payload"]["ballots"][0][1] = [["P1", 1]]
    rechain(body, position)
    messages = [p.message for p in verify.verify_export(data)]
    assert len(messages) == 1 and "fingerprint" in messages[0] and "recounted" in messages[0]


def test_it_reproduces_the_official_assen_2024_result_from_an_imported_file(
    council, marta, shared_data
):
    text = (shared_data / "pb" / "Netherlands_Assen_2024.pb").read_text(encoding="utf-8")
    official = {p.project_id for p in parse_pb(text).projects if p.get("selected") == "1"}
    process = pb_files.import_pb(council, text, title="Assen 2024", by=marta)
    assert set(process.result["selected"]) == official
    assert set(process.projects.filter(funded=True).values_list("code", flat=True)) == official
    assert process.result["total_cost"] == "76700"
    reimported = pb_files.import_pb(council, pb_files.export_pb(process), title="", by=marta)
    assert reimported.result["digest"] == process.result["digest"]
    assert verify.verify_export(export_record([council])) == []
