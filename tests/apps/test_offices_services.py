"""Offices services: posts, eligibility, elections (uninominal, STV, phone, paper, BLT), terms."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction

from comuna.bodies.models import RecordEntry
from comuna.commands import stv as stv_command
from comuna.core.blt import parse_blt
from comuna.core.errors import InputError, RuleError, TieError
from comuna.offices import election_services as elections
from comuna.offices import services
from comuna.offices.models import Election, ElectionBallot, Post, Term
from comuna.people import services as people
from tests import builders
from tests.apps import offices_scene as scene

pytestmark = pytest.mark.django_db


def kinds(body) -> list[str]:
    return list(RecordEntry.objects.filter(body=body).values_list("kind", flat=True))


def test_it_establishes_the_posts_of_the_ruleset_once():
    body, carmen = scene.council()
    posts = {p.unit: p.seats for p in Post.objects.filter(body=body)}
    assert posts == {"finance": 5, "audit": 5, "electoral": 5}
    assert services.establish_posts(body, by=carmen) == []
    assert kinds(body).count("posts.established") == 1


def test_it_elects_five_with_their_alternates_by_uninominal_paper_count():
    body, carmen = scene.council()
    election = scene.paper_election(body, carmen, [9, 3, 7, 8, 1, 6, 5, 2])
    terms = list(Term.objects.filter(post__body=body).order_by("seat"))
    people_ = scene.members(body)
    # Most voted first; the alternate of seat i is the i-th runner-up.
    assert [t.holder for t in terms] == [people_[0], people_[3], people_[2], people_[5], people_[6]]
    assert [t.alternate for t in terms] == [people_[1], people_[7], people_[4], None, None]
    assert terms[0].ends_on == terms[0].starts_on.replace(year=terms[0].starts_on.year + 2)
    assert election.status == Election.Status.COUNTED
    entry = RecordEntry.objects.get(body=body, kind="election.counted")
    assert entry.payload["result"]["principals"][0] == [1, people_[0].pk]
    assert "Persona" not in str(entry.payload)  # residents by id, no names in the record


def test_it_refuses_a_tie_until_the_lot_drawn_in_the_assembly_is_entered():
    body, carmen = scene.council()
    post = scene.audit_post(body)
    election = elections.call_election(post, by=carmen, ballots="paper", held_on=dt.date.today())
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    counts = {1: 9, 2: 8, 3: 7, 4: 6, 5: 4, 6: 4}
    with pytest.raises(TieError) as tie:
        elections.count_election(election, by=carmen, counts=counts)
    assert tie.value.code == "tally.tie"
    assert not Term.objects.filter(post=post).exists()
    election = elections.count_election(election, by=carmen, counts=counts, lot=[6, 5, 4, 3, 2, 1])
    holders = Term.objects.filter(post=post).values_list("holder_id", flat=True)
    assert scene.members(body)[5].pk in holders and scene.members(body)[4].pk not in holders
    assert election.result["lot"] == [6, 5, 4, 3, 2, 1] and election.result["ties"]


def test_it_takes_secret_phone_ballots_with_the_voting_code_once():
    body, carmen = scene.council()
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly, present=8)
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="phone", held_on=None, assembly=assembly
    )
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    codes = list(assembly.attendance.order_by("pk").values_list("voting_code", flat=True))
    marks = [[1], [1], [1], [2], [2], [3], [4], [5]]
    receipts = [
        elections.cast_election_ballot(election, c, m) for c, m in zip(codes, marks, strict=True)
    ]
    assert len(set(receipts)) == 8
    with pytest.raises(RuleError) as again:
        elections.cast_election_ballot(election, codes[0].lower(), [2])
    assert again.value.code == "election.already_voted"
    with pytest.raises(InputError):
        elections.cast_election_ballot(election, codes[0], [1, 2])
    assert ElectionBallot.objects.filter(election=election).count() == 8
    elections.count_election(election, by=carmen)
    entry = RecordEntry.objects.get(body=body, kind="election.counted")
    assert sorted(r for r, _m in entry.payload["ballots"]) == sorted(receipts)
    assert Term.objects.filter(post__body=body).count() == 5


def _stv_election(body, carmen, ballots):
    scene.amend(body, election_method="stv")
    assembly = builders.convene(body)
    builders.open_with_quorum(assembly)
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="phone", held_on=None, assembly=assembly
    )
    assert election.method == "stv"
    for resident in scene.members(body)[:7]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    codes = assembly.attendance.order_by("pk").values_list("voting_code", flat=True)
    for code, marks in zip(codes, ballots, strict=False):
        elections.cast_election_ballot(election, code, marks)
    return election


def test_it_counts_ranked_phone_ballots_by_scottish_stv_and_exports_them_as_blt():
    body, carmen = scene.council()
    ballots = [[1, 2], [1, 3], [1, 2], [1, 4], [2, 1], [3, 2], [4, 5], [5, 4], [6, 7], [7, 6],
               [2, 3], [3, 1], [4, 1], [5, 1], [6, 1], [1, 7], [2], [3], [4], [5]]  # fmt: skip
    election = _stv_election(body, carmen, ballots)
    elections.count_election(election, by=carmen)
    election.refresh_from_db()
    stv = election.result["stv"]
    assert stv["quota"] == 20 // 6 + 1 and stv["valid"] == 20
    assert len(election.result["principals"]) == 5 and len(election.result["alternates"]) == 2
    assert stv["stages"][0]["action"] == "first_preferences"
    blt = parse_blt(elections.blt_of(election))
    assert blt.seats == 5 and sum(b.weight for b in blt.ballots) == 20


def test_it_exports_ballots_that_comuna_stv_counts_to_the_same_result(tmp_path, capsys):
    body, carmen = scene.council()
    ballots = [[1, 2], [1, 3], [1, 2], [1, 4], [2, 1], [3, 2], [4, 5], [5, 4], [6, 7], [7, 6],
               [2, 3], [3, 1], [4, 1], [5, 1], [6, 1], [1, 7], [2], [3], [4], [5]]  # fmt: skip
    election = _stv_election(body, carmen, ballots)
    elections.count_election(election, by=carmen)
    election.refresh_from_db()
    path = tmp_path / "ucs.blt"
    path.write_text(elections.blt_of(election), encoding="utf-8")
    parser = argparse.ArgumentParser()
    stv_command.add_arguments(parser)
    assert stv_command.run(parser.parse_args([str(path)])) == 0
    output = json.loads(capsys.readouterr().out)
    names = {c.number: c.resident.full_name for c in election.candidacies.all()}
    assert output["elected"] == [names[n] for n, _resident in election.result["principals"]]


def test_it_refuses_a_malformed_or_mismatched_blt_upload_and_writes_nothing():
    body, carmen = scene.council()
    scene.amend(body, election_method="stv")
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="paper", held_on=dt.date.today()
    )
    for resident in scene.members(body)[:6]:
        elections.register_candidacy(election, resident, by=carmen)
    elections.open_election(election, by=carmen)
    before = RecordEntry.objects.filter(body=body).count()
    with pytest.raises(InputError) as bad:
        elections.count_election(election, by=carmen, blt="6 5\n1 1 2\n0\n")
    assert bad.value.code == "blt.no_terminator" and bad.value.params["line"] == 2
    with pytest.raises(InputError) as other:
        elections.count_election(election, by=carmen, blt='2 1\n1 1 0\n0\n"A"\n"B"\n"t"\n')
    assert other.value.code == "election.blt_mismatch"
    election.refresh_from_db()
    assert election.status == Election.Status.VOTING and election.result == {}
    assert RecordEntry.objects.filter(body=body).count() == before
    names = elections.ranked_election(election).candidates
    good = (
        "6 5\n3 1 2 0\n2 3 0\n1 4 5 0\n2 6 0\n0\n" + "".join(f'"{n}"\n' for n in names) + '"UCS"\n'
    )
    elections.count_election(election, by=carmen, blt=good)
    election.refresh_from_db()
    assert election.result["ballots_imported"] == 8


def test_it_refuses_ineligible_candidates_with_the_reason():
    body, carmen = scene.council()
    household = people.add_household(body, code="H-young", address="Calle 2")
    young = people.register_resident(
        household,
        first_names="Ana",
        last_names="Joven",
        birth_date=dt.date.today().replace(year=dt.date.today().year - 17),
        resident_since=dt.date(2015, 1, 1),
    )
    newcomer = people.register_resident(
        household,
        first_names="Beto",
        last_names="Nuevo",
        birth_date=dt.date(1990, 1, 1),
        resident_since=dt.date.today() - dt.timedelta(days=100),
    )
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="paper", held_on=dt.date.today()
    )
    with pytest.raises(RuleError) as too_young:
        elections.register_candidacy(election, young, by=carmen)
    assert too_young.value.code == "offices.too_young" and too_young.value.params["age"] == 18
    with pytest.raises(RuleError) as short:
        elections.register_candidacy(election, newcomer, by=carmen)
    assert short.value.code == "offices.residence_too_short"
    assert not election.candidacies.exists()


def test_it_excludes_a_household_member_of_a_sitting_audit_spokesperson():
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5])
    finance = Post.objects.get(body=body, unit=Post.Unit.FINANCE)
    election = elections.call_election(finance, by=carmen, ballots="paper", held_on=dt.date.today())
    # Every builder resident shares one household: the audit unit's members are their kin.
    with pytest.raises(RuleError) as kin:
        elections.register_candidacy(election, scene.members(body)[10], by=carmen)
    assert kin.value.code == "offices.kinship"


def test_it_keeps_a_spokesperson_to_one_unit_while_the_term_runs():
    body, carmen = scene.council()
    scene.amend(body, kinship_exclusion="none")
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5])
    auditor = Term.objects.filter(post__unit=Post.Unit.AUDIT, post__body=body).first().holder
    finance = Post.objects.get(body=body, unit=Post.Unit.FINANCE)
    election = elections.call_election(finance, by=carmen, ballots="paper", held_on=dt.date.today())
    with pytest.raises(RuleError) as second_unit:
        elections.register_candidacy(election, auditor, by=carmen)
    assert second_unit.value.code == "offices.holds_other_unit"
    assert not election.candidacies.exists()
    # Someone on no unit may stand.
    elections.register_candidacy(election, scene.members(body)[12], by=carmen)


def test_it_enforces_one_open_term_per_seat_in_the_database():
    body, carmen = scene.council()
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5])
    term = Term.objects.filter(post__body=body).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(
            post=term.post, seat=term.seat, holder=scene.members(body)[12], source="election",
            starts_on=term.starts_on, ends_on=term.ends_on,
        )  # fmt: skip


def test_it_limits_reelection_when_the_ruleset_says_so():
    body, carmen = scene.council()
    scene.amend(body, reelection_limit="1", cool_down_years="2")
    scene.paper_election(body, carmen, [9, 8, 7, 6, 5], held_on=scene.years_ago(2, 1))
    election = elections.call_election(
        scene.audit_post(body), by=carmen, ballots="paper", held_on=dt.date.today()
    )
    with pytest.raises(RuleError) as limit:
        elections.register_candidacy(election, scene.members(body)[0], by=carmen)
    assert limit.value.code == "offices.cool_down"
    elections.register_candidacy(election, scene.members(body)[7], by=carmen)  # never served
