"""Writes for offices: posts, eligibility, terms and reports.

Elections are in ``election_services``, rotation other than by election in
``rotation_services``, recalls in ``recall_services``. Each public function is one transaction
that checks the body's ruleset and appends the act to the public record. Residents appear in
the record by id; holders' names are public on their pages, but the chained record keeps none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.assemblies.models import Decision
from comuna.bodies import services as body_services
from comuna.bodies.models import Body, Committee
from comuna.core import offices as rules
from comuna.core import rulesets
from comuna.core.errors import InputError, RuleError
from comuna.offices.account_services import revoke_accounts
from comuna.offices.models import Candidacy, Election, Post, Report, Term
from comuna.people.models import Resident

UNIT_SIZES = {
    Post.Unit.FINANCE: "finance_unit_size",
    Post.Unit.AUDIT: "audit_unit_size",
    Post.Unit.ELECTORAL: "electoral_commission_size",
}


def local_today(now: dt.datetime | None) -> dt.date:
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
                name=f"Vocería: {committee.name}"[:200],
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


@transaction.atomic
def create_post(
    body: Body, *, name: str, seats: int, rotation: str, by: User, now: dt.datetime | None = None
) -> Post:
    """A post outside the council's units: a rotating board, a cargo of the turno, a delegate."""
    name = name.strip()
    if not name:
        raise InputError("post.no_name", "A post needs a name.")
    if rotation not in Post.Rotation.values or not 1 <= seats <= 50:
        raise InputError("post.bad_value", "Seats go from 1 to 50, with a known rotation.")
    if Post.objects.filter(body=body, name__iexact=name).exists():
        raise RuleError("post.exists", "The post {name} already exists.", name=name)
    post = Post.objects.create(
        body=body, unit=Post.Unit.OTHER, name=name, seats=seats, rotation=rotation
    )
    body_services.post_entry(
        body,
        "posts.established",
        {
            "posts": [
                {
                    "post": post.pk,
                    "unit": post.unit,
                    "name": name,
                    "seats": seats,
                    "rotation": rotation,
                }
            ],
            "by": by.username,
        },
        now,
    )
    return post


def residents_named(body: Body, keys: list[str]) -> list[Resident]:
    """Residents by identity document, or by census number, in the order given."""
    found = []
    for key in keys:
        resident = Resident.objects.of_body(body).current().filter(id_number__iexact=key).first()
        if resident is None and key.isdigit():
            resident = Resident.objects.of_body(body).current().filter(pk=int(key)).first()
        if resident is None:
            raise InputError("offices.unknown_resident", "No resident {key} here.", key=key)
        found.append(resident)
    return found


# --- Eligibility ------------------------------------------------------------------------------


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


# The council's units: a spokesperson sits on one of them only (LOCC Art. 11). Posts of another
# kind (a delegate's seat in a parliament) are not units.
UNITS = frozenset({Post.Unit.EXECUTIVE, Post.Unit.FINANCE, Post.Unit.AUDIT, Post.Unit.ELECTORAL})


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
        on_finance_or_audit_unit=any(
            t.post.unit in rules.FINANCE_AND_AUDIT and t.in_force(on) for t in terms
        ),
        standing_for_other_unit=other_units.exists(),
        holds_other_unit=any(
            t.post.body_id == post.body_id
            and t.post.unit != post.unit
            and {t.post.unit, post.unit} <= UNITS
            and t.in_force(on)
            for t in terms
        ),
    )


def check_eligible(resident: Resident, post: Post, on: dt.date, params: dict[str, Any]) -> None:
    problems = rules.eligibility(standing_of(resident, post, on, params), params, on)
    if problems:
        problem = problems[0]
        raise RuleError(problem.code, problem.code, name=resident.full_name, **problem.as_dict)


def close_expired(post: Post, on: dt.date, now: dt.datetime | None) -> None:
    for term in Term.objects.filter(post=post, ended_on__isnull=True, ends_on__lt=on):
        end_term(term, Term.End.EXPIRED, term.ends_on, now)


def end_term(term: Term, reason: str, on: dt.date, now: dt.datetime | None) -> Term:
    """End ``term`` (inside the caller's transaction), record it, and revoke the accounts'
    roles tied to it (ADR 0054): powers end with the office, whatever the reason."""
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
    revoke_accounts(term, now)
    return term


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
