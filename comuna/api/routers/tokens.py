"""A person's own API tokens: issue one for a program, list them, revoke them."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router

from comuna.api import services
from comuna.api.auth import policy
from comuna.api.models import ApiToken
from comuna.api.schemas import MAX_ID, ErrorOut, TokenIn, TokenIssuedOut, TokenOut

router = Router(tags=["tokens"])
TokenId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/tokens", response=list[TokenOut])
@policy("token.manage")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    """The caller's tokens (never the tokens themselves, which are not kept)."""
    return list(ApiToken.objects.filter(user=request.auth))


@router.post("/tokens", response={201: TokenIssuedOut, 400: ErrorOut})
@policy("token.manage")
def issue_token(request: HttpRequest, data: TokenIn) -> tuple[int, dict]:
    """Issue a token; ``token`` is shown in this answer only. Send it as ``Bearer``."""
    token, raw = services.issue_token(request.auth, data.name)
    return 201, {**TokenOut.model_validate(token).model_dump(), "token": raw}


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, 404: ErrorOut, 409: ErrorOut})
@policy("token.manage")
def revoke_token(request: HttpRequest, token_id: TokenId) -> ApiToken:
    # Someone else's token is "not found": its existence is not the caller's business.
    token = get_object_or_404(ApiToken, pk=token_id, user=request.auth)
    return services.revoke_token(token)
