"""Writes for elections of office holders (LOCC Arts. 11, 15-16, 37): candidacies, secret
ballots on phones or a paper count, the count (uninominal or Scottish STV), the seating of the
elected with their alternates. BLT import and export of ranked ballots."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from comuna.assemblies.models import Assembly, Attendance
from comuna.assemblies.services import CODE_ALPHABET
from comuna.bodies import services as body_services
from comuna.core import offices as rules
from comuna.core.blt import Ballot, parse_blt, write_blt
from comuna.core.blt import Election as BltElection
from comuna.core.errors import InputError, RuleError
from comuna.offices.models import Candidacy, Election, ElectionBallot, ElectionVoterMark, Post, Term
from comuna.offices.results import result_payload
from comuna.offices.services import (
    check_eligible,
    close_expired,
    local_today,
    params_of,
    term_years,
)
from comuna.people.models import Resident


@transaction.atomic
def call_election(
    post: Post,
    *,
    by: User,
    ballots: str,
    held_on: dt.date,
    assembly: Assembly | None = None,
    now: dt.datetime | None = None,
) -> Election:
    """The electoral commission calls an election for ``post`` (LOCC Art. 37)."""
    version, params = params_of(post.body)
    if ballots not in Election.Ballots.values:
        raise InputError("election.bad_ballots", "Unknown kind of ballots.")
    if ballots == Election.Ballots.PHONE:
        if assembly is None or assembly.body_id != post.body_id:
            raise InputError("election.needs_assembly", "Phone ballots are cast in an assembly.")
        held_on = timezone.localdate(assembly.first_call_at)
    elif held_on > local_today(now):
        raise InputError("election.in_future", "A paper count is entered after the vote.")
    election = Election.objects.create(
        body=post.body,
        post=post,
        method=params["election_method"],
        ballots=ballots,
        assembly=assembly if ballots == Election.Ballots.PHONE else None,
        held_on=held_on,
        seats=post.seats,
        created_by=by,
    )
    body_services.post_entry(
        post.body,
        "election.called",
        {
            "election": election.pk,
            "post": post.pk,
            "seats": election.seats,
            "method": election.method,
            "ballots": ballots,
            "held_on": held_on.isoformat(),
            "assembly": election.assembly_id,
            "ruleset_version": version,
            "by": by.username,
        },
        now,
    )
    return election


def _locked(election: Election) -> Election:
    return Election.objects.select_for_update().select_related("post__body").get(pk=election.pk)


@transaction.atomic
def register_candidacy(
    election: Election, resident: Resident, *, by: User, now: dt.datetime | None = None
) -> Candidacy:
    """A written nomination (LOCC Art. 15.4), checked against every eligibility rule."""
    election = _locked(election)
    if election.status != Election.Status.CANDIDACIES:
        raise RuleError("election.candidacies_closed", "Candidacies are closed.")
    if resident.body_id != election.body_id or resident.left_on is not None:
        raise RuleError(
            "offices.not_a_resident", "{name} does not live here.", name=resident.full_name
        )
    _version, params = params_of(election.body)
    check_eligible(resident, election.post, election.held_on, params)
    number = (election.candidacies.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            candidacy = Candidacy.objects.create(
                election=election, resident=resident, number=number
            )
    except IntegrityError:
        raise RuleError(
            "election.already_standing", "{name} is already standing.", name=resident.full_name
        ) from None
    body_services.post_entry(
        election.body,
        "candidacy.registered",
        {"election": election.pk, "number": number, "resident": resident.pk, "by": by.username},
        now,
    )
    return candidacy


@transaction.atomic
def open_election(election: Election, *, by: User, now: dt.datetime | None = None) -> Election:
    election = _locked(election)
    if election.status != Election.Status.CANDIDACIES:
        raise RuleError(
            "election.not_receiving", "This election is no longer receiving candidacies."
        )
    if election.candidacies.count() < election.seats:
        raise RuleError(
            "election.too_few_candidates",
            "{seats} seats need at least {seats} candidates.",
            seats=election.seats,
        )
    if election.ballots == Election.Ballots.PHONE and not election.assembly.is_open:
        raise RuleError("vote.assembly_not_in_session", "The assembly is not in session.")
    election.status = Election.Status.VOTING
    election.save(update_fields=["status"])
    body_services.post_entry(
        election.body,
        "election.opened",
        {"election": election.pk, "candidates": election.candidacies.count(), "by": by.username},
        now,
    )
    return election


def _receipt() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _check_marks(election: Election, marks: list[int]) -> list[int]:
    numbers = set(election.candidacies.values_list("number", flat=True))
    if len(set(marks)) != len(marks) or not set(marks) <= numbers:
        raise InputError(
            "election.bad_marks", "The ballot marks an unknown candidate or one twice."
        )
    if election.method == Election.Method.UNINOMINAL and len(marks) > 1:
        raise InputError("election.one_mark", "Mark one candidate only.")
    return marks


@transaction.atomic
def cast_election_ballot(election: Election, voting_code: str, marks: list[int]) -> str:
    """A secret ballot from a phone with the attendee's voting code; returns the receipt.

    As in ``assemblies.services.cast_ballot``: the voter mark and the ballot share only the
    election; the ballot has a random key and receipt and no time.
    """
    election = _locked(election)
    if election.status != Election.Status.VOTING or election.ballots != Election.Ballots.PHONE:
        raise RuleError("election.not_voting", "This election is not taking ballots.")
    marks = _check_marks(election, marks)
    attendance = Attendance.objects.filter(
        assembly_id=election.assembly_id, voting_code=voting_code.strip().upper()
    ).first()
    if attendance is None:
        raise RuleError("vote.bad_code", "That voting code is not valid for this assembly.")
    try:
        with transaction.atomic():
            ElectionVoterMark.objects.create(election=election, attendance=attendance)
    except IntegrityError:
        raise RuleError("election.already_voted", "This code has already voted.") from None
    return ElectionBallot.objects.create(election=election, receipt=_receipt(), marks=marks).receipt


def _names(election: Election) -> dict[int, str]:
    # Candidates enter the count by their ballot number: unique, and no names in the core.
    return {c.number: str(c.number) for c in election.candidacies.all()}


def ranked_election(election: Election) -> BltElection:
    """The phone ballots of an election as a BLT election (identical rankings merged)."""
    numbers = sorted(_names(election))
    index = {n: i for i, n in enumerate(numbers)}
    weights: dict[tuple[int, ...], int] = {}
    for marks in election.ballots_cast.values_list("marks", flat=True):
        ranking = tuple(index[m] for m in marks)
        weights[ranking] = weights.get(ranking, 0) + 1
    names = dict(election.candidacies.values_list("number", "resident__first_names"))
    lasts = dict(election.candidacies.values_list("number", "resident__last_names"))
    return BltElection(
        candidates=tuple(f"{names[n]} {lasts[n]}" for n in numbers),
        seats=election.seats,
        ballots=tuple(Ballot(w, r) for r, w in sorted(weights.items()) if r),
        title=str(election.post),
    )


def _from_blt(election: Election, text: str) -> BltElection:
    """An uploaded BLT file, checked against the election's candidates (by full name, in
    ballot order) and seats."""
    parsed = parse_blt(text)
    expected = ranked_election(election).candidates
    if parsed.candidates != expected or parsed.seats != election.seats:
        raise InputError(
            "election.blt_mismatch",
            "The file's candidates or seats differ from this election's.",
        )
    return parsed


def _count(
    election: Election, counts: dict[int, int] | None, blt: str | None, lot: list[int] | None
):
    numbers = sorted(_names(election))
    if election.method == Election.Method.STV:
        source = (
            _from_blt(election, blt or "") if election.ballots == Election.Ballots.PAPER else None
        )
        source = source or ranked_election(election)
        labelled = BltElection(tuple(str(n) for n in numbers), source.seats, source.ballots)
        return rules.count_ranked(labelled, lot), source
    if election.ballots == Election.Ballots.PAPER:
        if counts is None or set(counts) != set(numbers):
            raise InputError("election.counts_required", "Enter the votes of every candidate.")
        votes = {str(n): counts[n] for n in numbers}
    else:
        votes = {str(n): 0 for n in numbers}
        for marks in election.ballots_cast.values_list("marks", flat=True):
            for m in marks:
                votes[str(m)] += 1
    tie_break = [str(numbers[i]) for i in lot] if lot is not None else None
    return rules.count_uninominal(votes, [str(n) for n in numbers], election.seats, tie_break), None


def _check_lot(election: Election, lot: list[int] | None) -> list[int] | None:
    """A lot order is given as candidate numbers, most favoured first; used as 0-based indices."""
    if lot is None:
        return None
    numbers = sorted(_names(election))
    if sorted(lot) != numbers:
        raise InputError(
            "election.bad_lot", "List every candidate number once, in the order drawn."
        )
    return [numbers.index(n) for n in lot]


@transaction.atomic
def count_election(
    election: Election,
    *,
    by: User,
    counts: dict[int, int] | None = None,
    blt: str | None = None,
    lot: list[int] | None = None,
    now: dt.datetime | None = None,
) -> Election:
    """Close and count; seat the elected with their alternates for a new term.

    A tie raises ``TieError``: the assembly draws lots and the commission enters the order
    drawn (``lot``), which the result records.
    """
    election = _locked(election)
    if election.status != Election.Status.VOTING:
        raise RuleError("election.not_voting", "This election is not taking ballots.")
    result, source = _count(election, counts, blt, _check_lot(election, lot))
    by_number = {str(c.number): c for c in election.candidacies.select_related("resident")}
    election.result = result_payload(result, by_number, lot, source)
    election.status = Election.Status.COUNTED
    election.save(update_fields=["result", "status"])
    terms = _seat_elected(election, result, by_number, now)
    evidence: dict[str, Any] = {}
    if election.ballots == Election.Ballots.PHONE:
        rows = election.ballots_cast.order_by("receipt").values_list("receipt", "marks")
        evidence["ballots"] = [[receipt, marks] for receipt, marks in rows]
    elif source is not None:
        # An uploaded ballot file, so that `comuna verify` can recount it (ADR 0094).
        numbers = sorted(by_number, key=int)
        evidence["ranked_ballots"] = [
            [b.weight, [int(numbers[i]) for i in b.ranking]] for b in source.ballots
        ]
    body_services.post_entry(
        election.body,
        "election.counted",
        {
            "election": election.pk,
            "post": election.post_id,
            "method": election.method,
            "result": election.result,
            "terms": [t.pk for t in terms],
            "by": by.username,
            **evidence,
        },
        now,
    )
    return election


def _seat_elected(election: Election, result: rules.OfficeResult, by_number, now) -> list[Term]:
    post = election.post
    close_expired(post, election.held_on, now)
    if Term.objects.filter(post=post, ended_on__isnull=True).exists():
        raise RuleError("offices.seats_taken", "The post's seats are still held.")
    _version, params = params_of(election.body)
    ends = rules.term_end(election.held_on, term_years(post, params))
    terms = []
    for seat, key in enumerate(result.principals, 1):
        alternate = result.alternates[seat - 1] if seat <= len(result.alternates) else None
        terms.append(
            Term.objects.create(
                post=post,
                seat=seat,
                holder=by_number[key].resident,
                alternate=by_number[alternate].resident if alternate else None,
                source=Term.Source.ELECTION,
                election=election,
                starts_on=election.held_on,
                ends_on=ends,
            )
        )
    return terms


def blt_of(election: Election) -> str:
    """The ranked ballots of a counted phone election, as BLT text (secret: no voters)."""
    return write_blt(ranked_election(election))
