"""Writes for API tokens: issue, revoke, and note each use."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.api.models import ApiToken
from comuna.core.errors import InputError, RuleError

TOKEN_PREFIX = "cmn_"
# Record a use at most this often: a busy client must not turn every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(user: User, name: str, *, now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the raw token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise InputError("token.no_name", "Give the token a name.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        token_hash=hash_token(raw),
        prefix=raw[:10],
        created_at=now or timezone.now(),
    )
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, now: dt.datetime | None = None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise RuleError("token.revoked", "This token was already revoked.")
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def user_for_token(raw: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user a live token belongs to, or None; notes when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw.strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    moment = now or timezone.now()
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user
