"""Accounts that follow offices: a role tied to a term ends when the term ends (ADR 0054).

``link_account`` ties an account's spokesperson or electoral-commission role to the term its
holder sits in; ``end_term`` calls ``revoke_accounts`` in its own transaction, so a recall,
an expiry, a replacement or a closed seat takes the account's powers away with the office.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.bodies import services as body_services
from comuna.bodies.models import Role
from comuna.core.errors import InputError, RuleError
from comuna.offices.models import OfficeAccount, Post, Term


def role_kind_for(post: Post) -> str:
    """The account role a seat gives: the electoral commission counts, the others speak."""
    if post.unit == Post.Unit.ELECTORAL:
        return Role.Kind.ELECTORAL_COMMISSION
    return Role.Kind.SPOKESPERSON


def terms_in_force(body_id: int, on: dt.date):  # -> QuerySet[Term]
    return (
        Term.objects.filter(post__body_id=body_id, ended_on__isnull=True, ends_on__gte=on)
        .select_related("post", "holder")
        .order_by("post__name", "seat")
    )


@transaction.atomic
def link_account(
    role: Role, term: Term, *, by: User, now: dt.datetime | None = None
) -> OfficeAccount:
    """Tie ``role`` to ``term``: the account acts because, and while, its holder holds it."""
    today = timezone.localdate(now) if now else timezone.localdate()
    if term.post.body_id != role.body_id:
        raise InputError("account.foreign_term", "That term belongs to another body.")
    if term.ended_on is not None or not term.in_force(today):
        raise RuleError("account.term_not_in_force", "That term is not in force.")
    if role.kind != role_kind_for(term.post):
        raise RuleError(
            "account.wrong_role",
            "A seat on {post} gives the role {kind}, not this one.",
            post=term.post.name,
            kind=role_kind_for(term.post),
        )
    if OfficeAccount.objects.filter(role=role).exists():
        raise RuleError("account.already_linked", "That account is already tied to a term.")
    link = OfficeAccount.objects.create(role=role, term=term)
    body_services.post_entry(
        role.body,
        "role.linked",
        {
            "user": role.user.username,
            "role": role.kind,
            "term": term.pk,
            "post": term.post_id,
            "holder": term.holder_id,
            "by": by.username,
        },
        now,
    )
    return link


@transaction.atomic
def grant_office_account(
    term: Term, *, username: str, password: str, by: User, now: dt.datetime | None = None
) -> OfficeAccount:
    """Give the holder of ``term`` the role their seat gives, on a new or existing account,
    and tie it to the term: the offer made once an election is counted."""
    kind = role_kind_for(term.post)
    body = term.post.body
    role = Role.objects.filter(body=body, user__username=username.strip(), kind=kind).first()
    if role is None:
        role = body_services.add_officer(
            body, username=username, kind=kind, granted_by=by, password=password
        )
    return link_account(role, term, by=by, now=now)


def revoke_accounts(term: Term, now: dt.datetime | None) -> None:
    """Revoke every role tied to ``term`` (inside ``end_term``'s transaction)."""
    reason = f"term_{term.end_reason}"
    links = OfficeAccount.objects.filter(term=term).select_related("role__user", "role__body")
    for link in links:
        body_services.revoke_role(link.role, by=None, reason=reason, now=now)
