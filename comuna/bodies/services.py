"""Writes for bodies: founding, the public record, rulesets, committees and roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from comuna.bodies.models import Body, Committee, RecordEntry, Role, RulesetVersion
from comuna.core import record, rulesets
from comuna.core.errors import InputError, RuleError


def post_entry(
    body: Body, kind: str, payload: dict[str, Any], now: dt.datetime | None = None
) -> RecordEntry:
    """Append one binding act to ``body``'s chained record.

    Must run inside the caller's transaction: the act and its entry commit together or not at
    all. The body row is locked so that concurrent appends queue and the chain stays linear.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry must run inside the service's transaction")
    Body.objects.select_for_update().only("id").get(pk=body.pk)
    last = RecordEntry.objects.filter(body=body).order_by("-seq").only("seq", "hash").first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else record.GENESIS
    payload = {"body": body.slug, **payload}
    moment = now or timezone.now()
    return RecordEntry.objects.create(
        body=body,
        seq=seq,
        kind=kind,
        payload=payload,
        prev_hash=prev,
        hash=record.entry_hash(prev, seq, kind, payload, record.timestamp(moment)),
        recorded_at=moment,
    )


def current_ruleset(body: Body) -> RulesetVersion:
    return RulesetVersion.objects.filter(body=body).order_by("-number").first()  # type: ignore[return-value]


@transaction.atomic
def found_council(
    *,
    name: str,
    territory: str,
    founded_on: dt.date,
    promoters: list[User],
    profile: str = rulesets.DEFAULT_PROFILE,
    setting: str = Body.Setting.URBAN,
    slug: str = "",
    now: dt.datetime | None = None,
) -> Body:
    """Found a communal council with its promoter team (LOCC Arts. 5-6) and ruleset."""
    if not name.strip() or not territory.strip():
        raise InputError("body.missing_name", "A council needs a name and a territory.")
    if not promoters:
        raise RuleError("body.no_promoters", "A council is founded by a promoter team.")
    params = rulesets.profile(profile)
    slug = slug or slugify(name)[:80]
    if not slug or Body.objects.filter(slug=slug).exists():
        raise InputError("body.slug_taken", "The short name {slug} is already in use.", slug=slug)
    body = Body.objects.create(
        kind=Body.Kind.COUNCIL,
        name=name.strip(),
        slug=slug,
        territory=territory.strip(),
        setting=setting,
        founded_on=founded_on,
    )
    version = RulesetVersion.objects.create(
        body=body,
        number=1,
        profile=profile,
        params=params,
        adopted_on=founded_on,
        reason="founding",
    )
    for user in promoters:
        Role.objects.create(user=user, body=body, kind=Role.Kind.PROMOTER)
    post_entry(
        body,
        "body.founded",
        {
            "name": body.name,
            "kind": body.kind,
            "territory": body.territory,
            "founded_on": founded_on.isoformat(),
            "promoters": sorted(user.username for user in promoters),
            "ruleset": {"version": version.number, "profile": profile, "params": params},
        },
        now,
    )
    return body


@transaction.atomic
def grant_role(
    body: Body, user: User, kind: str, granted_by: User, now: dt.datetime | None = None
) -> Role:
    role, _created = Role.objects.get_or_create(body=body, user=user, kind=kind)
    post_entry(
        body, "role.granted", {"user": user.username, "role": kind, "by": granted_by.username}, now
    )
    return role


# Why a role ends: by hand on the roles page, or because the term it came from ended.
REVOKE_REASONS = ("stepped_down", "left_office", "withdrawn")
TERM_REASONS = ("term_expired", "term_recalled", "term_replaced", "term_closed")


@transaction.atomic
def revoke_role(
    role: Role, *, by: User | None, reason: str, now: dt.datetime | None = None
) -> None:
    """Take a role away and record it. ``by`` is None when an office's end revokes it."""
    if reason not in REVOKE_REASONS + TERM_REASONS:
        raise InputError("role.bad_reason", "Unknown reason {reason}.", reason=reason)
    locked = Role.objects.select_for_update().filter(pk=role.pk).first()
    if locked is None:
        raise RuleError("role.gone", "That role was already taken away.")
    payload = {
        "user": role.user.username,
        "role": role.kind,
        "reason": reason,
        "by": by.username if by else None,
    }
    locked.delete()
    post_entry(role.body, "role.revoked", payload, now)


def role_history(body: Body, last: int = 100) -> list[RecordEntry]:
    """The acts that gave, tied and took away roles, newest first, read from the record."""
    kinds = ("body.founded", "role.granted", "role.linked", "role.revoked")
    return list(RecordEntry.objects.filter(body=body, kind__in=kinds).order_by("-seq")[:last])


@transaction.atomic
def add_officer(
    body: Body, *, username: str, kind: str, granted_by: User, password: str = ""
) -> Role:
    """Give ``username`` a role in ``body``, creating the account when it is new.

    A new account needs a password (Django's validators apply); an existing one keeps its own.
    """
    username = username.strip()
    if not username:
        raise InputError("role.no_username", "Give the person's username.")
    if kind not in Role.Kind.values:
        raise InputError("role.unknown", "Unknown role {kind}.", kind=kind)
    user = User.objects.filter(username=username).first()
    if user is None:
        if not password:
            raise InputError("role.password_needed", "A new account needs a password.")
        try:
            validate_password(password, User(username=username))
        except ValidationError as error:
            raise InputError(
                "role.weak_password", "{reasons}", reasons=" ".join(error.messages)
            ) from None
        user = User.objects.create_user(username=username, password=password)
    if Role.objects.filter(body=body, user=user, kind=kind).exists():
        raise RuleError("role.exists", "{username} already has that role.", username=username)
    return grant_role(body, user, kind, granted_by)


@transaction.atomic
def record_registration(body: Body, *, number: str, on: dt.date, by: User) -> Body:
    """The registry's number and date (LOCC Art. 17): the council's legal personality."""
    number = number.strip()
    if not number:
        raise InputError("body.no_registration_number", "Give the registration number.")
    if body.registration_number:
        raise RuleError(
            "body.already_registered",
            "This body is already registered as {number}.",
            number=body.registration_number,
        )
    if on < body.founded_on:
        raise InputError("body.registered_before_founding", "Registration cannot precede founding.")
    body.registration_number, body.registered_on = number, on
    body.save(update_fields=["registration_number", "registered_on"])
    post_entry(body, "body.registered", {"number": number, "on": on.isoformat(), "by": by.username})
    return body


def amend_ruleset(
    body: Body,
    changes: dict[str, Any],
    *,
    on: dt.date,
    decision_number: int | None = None,
    parliament_item: tuple[int, int] | None = None,
    now: dt.datetime | None = None,
) -> RulesetVersion:
    """Adopt a new ruleset version (called by the deciding service, inside its transaction).

    The act cites what decided it: the assembly's ``decision_number``, or ``parliament_item``
    as (session, item position) for a parliament's decision (ADR 0067).
    """
    if (decision_number is None) == (parliament_item is None):
        raise ValueError("cite either an assembly decision or a parliament item")
    current = current_ruleset(body)
    params = rulesets.validate_amendment(current.params, changes)
    if parliament_item is not None:
        reason = "parliament session {}, item {}".format(*parliament_item)
        cited: dict[str, Any] = {
            "parliament_session": parliament_item[0],
            "item": parliament_item[1],
        }
    else:
        reason, cited = f"decision {decision_number}", {"decision": decision_number}
    version = RulesetVersion.objects.create(
        body=body,
        number=current.number + 1,
        profile=current.profile,
        params=params,
        adopted_on=on,
        reason=reason,
    )
    post_entry(
        body,
        "ruleset.amended",
        {"version": version.number, "changes": {k: params[k] for k in sorted(changes)}, **cited},
        now,
    )
    return version


def create_committee(
    body: Body, name: str, decision: Any, now: dt.datetime | None = None
) -> Committee:
    """Create a working committee by assembly decision (inside the decision's transaction)."""
    name = name.strip()
    if not name:
        raise InputError("committee.missing_name", "A committee needs a name.")
    if Committee.objects.filter(body=body, name__iexact=name).exists():
        raise RuleError("committee.exists", "The committee {name} already exists.", name=name)
    committee = Committee.objects.create(body=body, name=name, created_by=decision)
    post_entry(body, "committee.created", {"name": name, "decision": decision.number}, now)
    return committee
