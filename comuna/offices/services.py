"""Writes for offices: posts, elections, terms and rotation (recalls: ``recall_services``).

Each public function is one transaction that checks the body's ruleset and appends the act to
the public record. Residents appear in the record by id; holders' names are public on their
pages, but the chained record keeps no names.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from comuna.assemblies.models import Assembly, Attendance, Decision
from comuna.assemblies.services import CODE_ALPHABET
from comuna.bodies import services as body_services
from comuna.bodies.models import Body, Committee
from comuna.core import offices as rules
from comuna.core import rotation, rulesets
from comuna.core.blt import Ballot, parse_blt
from comuna.core.blt import Election as BltElection
from comuna.core.errors import InputError, RuleError
from comuna.offices.models import (
    Candidacy,
    Election,
    ElectionBallot,
    ElectionVoterMark,
    Post,
    Report,
    Term,
)
from comuna.offices.results import result_payload
from comuna.people.models import Resident

UNIT_SIZES = {
    Post.Unit.FINANCE: "finance_unit_size",
    Post.Unit.AUDIT: "audit_unit_size",
    Post.Unit.ELECTORAL: "electoral_commission_size",
}


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now) if now else timezone.localdate()


def params_of(body: Body) -> tuple[int, dict[str, Any]]:
    """The ruleset version in force and its parameters, completed with later defaults."""
    version = body_services.current_ruleset(body)
    return version.number, rulesets.with_defaults(version.params, version.profile)


def term_years(post: Post, params: dict[str, Any]) -> int:
    if post.unit == Post.Unit.ELECTORAL:
        return int(params["electoral_commission_term_years"])
    return int(params["spokesperson_term_years"])


# --- Posts ------------------------------------------------------------------------------------


@transaction.atomic
def establish_posts(body: Body, *, by: User, now: dt.datetime | None = None) -> list[Post]:
    """Create the posts the ruleset asks for that do not exist yet: the three five-seat units
    (LOCC Arts. 30, 33, 36) and one spokesperson per working committee (Art. 27)."""
    version, params = params_of(body)
    names = {
        Post.Unit.FINANCE: "Unidad Administrativa y Financiera Comunitaria",
        Post.Unit.AUDIT: "Unidad de Contraloría Social",
        Post.Unit.ELECTORAL: "Comisión Electoral",
    }
    made = []
    for unit, name in names.items():
        if not Post.objects.filter(body=body, unit=unit).exists():
            seats = int(params[UNIT_SIZES[unit]])
            made.append(Post.objects.create(body=body, unit=unit, name=name, seats=seats))
    for committee in Committee.objects.filter(body=body, post__isnull=True):
        made.append(
            Post.objects.create(
                body=body,
                unit=Post.Unit.EXECUTIVE,
                committee=committee,
                name=f"Vocería: {committee.name}",
                seats=1,
            )
        )
    for post in made:
        post.rotation = params["rotation_mode"]
        post.save(update_fields=["rotation"])
    if made:
        body_services.post_entry(
            body,
            "posts.established",
            {
                "posts": [
                    {"post": p.pk, "unit": p.unit, "name": p.name, "seats": p.seats} for p in made
                ],
                "ruleset_version": version,
                "by": by.username,
            },
            now,
        )
    return made


# --- Eligibility ------------------------------------------------------------------------------


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def standing_of(
    resident: Resident, post: Post, on: dt.date, params: dict[str, Any]
) -> rules.Standing:
    """The facts the eligibility rule needs, read from the census and the terms."""
    terms = list(Term.objects.filter(holder=resident).select_related("post"))
    in_post = [(t.starts_on, t.ended_on or t.ends_on) for t in terms if t.post_id == post.pk]
    barred = [
        rules.term_end(t.ended_on, term_years(t.post, params) * int(params["recall_ban_terms"]))
        for t in terms
        if t.end_reason == Term.End.RECALLED and t.ended_on
    ]
    sitting = Term.objects.filter(
        post__body=post.body,
        post__unit__in=rules.FINANCE_AND_AUDIT,
        ended_on__isnull=True,
        ends_on__gte=on,
        holder__household_id=resident.household_id,
    ).exclude(holder=resident)
    other_units = Candidacy.objects.filter(
        resident=resident, election__body=post.body, election__status=Election.Status.CANDIDACIES
    ).exclude(election__post__unit=post.unit)
    return rules.Standing(
        unit=post.unit,
        age=resident.age(on),
        residence_years=_years_between(resident.resident_since, on),
        recall_barred_until=max(barred) if barred else None,
        consecutive_terms=rules.consecutive_terms(in_post, on, int(params["cool_down_years"])),
        last_term_ended=max((end for _s, end in in_post), default=None),
        shares_household_with=tuple(t.holder.full_name for t in sitting.select_related("holder")),
        on_electoral_commission=any(
            t.post.unit == Post.Unit.ELECTORAL and t.in_force(on) for t in terms
        ),
        standing_for_other_unit=other_units.exists(),
    )


def check_eligible(resident: Resident, post: Post, on: dt.date, params: dict[str, Any]) -> None:
    problems = rules.eligibility(standing_of(resident, post, on, params), params, on)
    if problems:
        problem = problems[0]
        raise RuleError(problem.code, problem.code, name=resident.full_name, **problem.as_dict)


# --- Elections --------------------------------------------------------------------------------


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
    elif held_on > _today(now):
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


def _close_expired(post: Post, on: dt.date, now: dt.datetime | None) -> None:
    for term in Term.objects.filter(post=post, ended_on__isnull=True, ends_on__lt=on):
        end_term(term, Term.End.EXPIRED, term.ends_on, now)


def end_term(term: Term, reason: str, on: dt.date, now: dt.datetime | None) -> Term:
    """End ``term`` (inside the caller's transaction) and record it."""
    term.ended_on, term.end_reason = on, reason
    term.save(update_fields=["ended_on", "end_reason"])
    body_services.post_entry(
        term.post.body,
        "term.ended",
        {
            "term": term.pk,
            "post": term.post_id,
            "holder": term.holder_id,
            "reason": reason,
            "on": on.isoformat(),
        },
        now,
    )
    return term


def _seat_elected(election: Election, result: rules.OfficeResult, by_number, now) -> list[Term]:
    post = election.post
    _close_expired(post, election.held_on, now)
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
    from comuna.core.blt import write_blt

    return write_blt(ranked_election(election))


# --- Rotation other than by election ----------------------------------------------------------


def _open_seat(post: Post, on: dt.date, now: dt.datetime | None) -> int:
    _close_expired(post, on, now)
    taken = set(
        Term.objects.filter(post=post, ended_on__isnull=True).values_list("seat", flat=True)
    )
    free = [s for s in range(1, post.seats + 1) if s not in taken]
    if not free:
        raise RuleError("offices.seats_taken", "The post's seats are still held.")
    return free[0]


@transaction.atomic
def draw_by_lot(
    post: Post,
    volunteers: list[Resident],
    *,
    seed: str,
    by: User,
    on: dt.date,
    now: dt.datetime | None = None,
) -> list[Term]:
    """Fill the post's free seats by a seeded draw among eligible volunteers (ADR 0052)."""
    _version, params = params_of(post.body)
    for resident in volunteers:
        check_eligible(resident, post, on, params)
    free = (
        post.seats - Term.objects.filter(post=post, ended_on__isnull=True, ends_on__gte=on).count()
    )
    draw = rotation.draw_by_lot([str(r.pk) for r in volunteers], max(free, 1), seed.strip())
    chosen = {str(r.pk): r for r in volunteers}
    ends = rules.term_end(on, term_years(post, params))
    terms = []
    for key in draw.chosen:
        terms.append(
            Term.objects.create(
                post=post,
                seat=_open_seat(post, on, now),
                holder=chosen[key],
                source=Term.Source.LOT,
                starts_on=on,
                ends_on=ends,
            )
        )
    body_services.post_entry(
        post.body,
        "lot.drawn",
        {
            "post": post.pk,
            "algorithm": draw.algorithm,
            "seed": draw.seed,
            "pool": list(draw.pool),
            "ranking": list(draw.ranking),
            "chosen": list(draw.chosen),
            "by": by.username,
        },
        now,
    )
    return terms


@transaction.atomic
def take_roster_turn(
    post: Post, resident: Resident, *, by: User, on: dt.date, now: dt.datetime | None = None
) -> Term:
    """The next household in the roster (households by code) passes the office (turno)."""
    _version, params = params_of(post.body)
    roster = list(post.body.households.order_by("code").values_list("pk", flat=True))
    served = list(
        Term.objects.filter(post=post, household__isnull=False)
        .order_by("starts_on", "pk")
        .values_list("household_id", flat=True)
    )
    due = rotation.next_in_roster([str(h) for h in roster], [str(h) for h in served])
    if str(resident.household_id) != due:
        raise RuleError(
            "roster.not_their_turn",
            "It is not the turn of {name}'s household.",
            name=resident.full_name,
        )
    check_eligible(resident, post, on, params)
    term = Term.objects.create(
        post=post,
        seat=_open_seat(post, on, now),
        holder=resident,
        household_id=resident.household_id,
        source=Term.Source.ROSTER,
        starts_on=on,
        ends_on=rules.term_end(on, 1),
    )
    body_services.post_entry(
        post.body,
        "roster.turn",
        {
            "post": post.pk,
            "household": resident.household_id,
            "holder": resident.pk,
            "term": term.pk,
            "by": by.username,
        },
        now,
    )
    return term


@transaction.atomic
def plan_shifts(
    post: Post,
    members: list[Resident],
    *,
    start: dt.date,
    by: User,
    rounds: int = 1,
    now: dt.datetime | None = None,
) -> list[Term]:
    """Members serve the post in short shifts, one after the other (Zapatista boards)."""
    _version, params = params_of(post.body)
    for resident in members:
        check_eligible(resident, post, start, params)
    plan = rotation.shift_plan(
        [str(r.pk) for r in members], start, int(params["rotation_shift_days"]), rounds
    )
    busy = Q(ended_on__isnull=True, ends_on__gte=start) | Q(ended_on__gte=start)
    if Term.objects.filter(post=post).filter(busy).exists():
        raise RuleError("offices.seats_taken", "The post's seats are still held.")
    by_key = {str(r.pk): r for r in members}
    # Each shift's last day is fixed in advance, so it is stored as its end (``ended_on``).
    made = Term.objects.bulk_create(
        Term(
            post=post,
            seat=1,
            holder=by_key[s.member],
            source=Term.Source.SHIFT,
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            ended_on=s.ends_on,
        )
        for s in plan
    )
    body_services.post_entry(
        post.body,
        "shifts.planned",
        {
            "post": post.pk,
            "days": int(params["rotation_shift_days"]),
            "shifts": [[s.member, s.starts_on.isoformat(), s.ends_on.isoformat()] for s in plan],
            "by": by.username,
        },
        now,
    )
    return made


# --- Accountability -------------------------------------------------------------------------


@transaction.atomic
def file_report(
    term: Term,
    text: str,
    *,
    by: User,
    decision: Decision | None = None,
    on: dt.date,
    now: dt.datetime | None = None,
) -> Report:
    """An office holder's account to the assembly, optionally of a decision carried out."""
    if not text.strip():
        raise InputError("report.empty", "A report needs a text.")
    if decision is not None and decision.body_id != term.post.body_id:
        raise InputError("report.foreign_decision", "That decision belongs to another body.")
    report = Report.objects.create(term=term, decision=decision, text=text.strip(), filed_on=on)
    body_services.post_entry(
        term.post.body,
        "report.filed",
        {
            "term": term.pk,
            "holder": term.holder_id,
            "decision": decision.number if decision else None,
            "text": report.text,
            "by": by.username,
        },
        now,
    )
    return report
