"""Who is calling (a token, a browser session, or nobody) and the policy of each operation.

Every operation is decorated with ``@policy(action, body=locator)``: the action is looked up
in ``comuna.policies.POLICIES`` and checked against the body the locator finds from the path.
Public actions accept anonymous callers; the others answer 401 before even reading the
payload. ``tests/apps/test_api_policies.py`` walks every route and fails on an undeclared one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja.errors import AuthenticationError, HttpError
from ninja.operation import Operation
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf, contribute_operation_callback

from comuna import policies
from comuna.api import services
from comuna.bodies.models import Body

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ApiError(HttpError):
    """An HTTP refusal with a stable code, turned into a translated message by the handler."""

    def __init__(self, status_code: int, code: str) -> None:
        super().__init__(status_code, code)
        self.code = code


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cmn_...`` — a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.user_for_token(token)
        if user is None:
            # A wrong token is an error, not an anonymous visit: the caller meant to sign in.
            raise ApiError(401, "api.bad_token")
        return user


class SessionAuth(APIKeyCookie):
    """The Django session of the web pages, with CSRF checked on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # CSRF is checked below, only when the session really signs the request in: a
        # stale cookie on a public endpoint must not block an anonymous ballot.
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(403, "api.csrf_failed")
        return user


def anonymous(request: HttpRequest) -> AnonymousUser:
    return AnonymousUser()


SIGNED_IN = [TokenAuth(), SessionAuth()]
ANYONE = [*SIGNED_IN, anonymous]
# OpenAPI: an empty requirement, added to the token and session ones, marks authentication
# as optional on public operations.
_OPTIONAL_SECURITY: list[dict[str, list[str]]] = [{}]

Locator = Callable[..., Body]


def policy(action: str, body: Locator | None = None) -> Callable[[Callable], Callable]:
    """Declare and enforce who may call the decorated operation."""
    if action not in policies.POLICIES:
        raise ImproperlyConfigured(f"API policy {action!r} is not in comuna.policies.POLICIES")
    public = policies.is_public(action)

    def guard(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            target = body(**kwargs) if body else None
            user = request.auth  # type: ignore[attr-defined]
            if not policies.can(user, action, target):
                if not user.is_authenticated:
                    raise AuthenticationError()
                raise ApiError(403, "api.forbidden")
            return view(request, *args, **kwargs)

        return guarded

    def contribute(operation: Operation) -> None:
        # The guard wraps the operation's callable, not the function: ninja reads the
        # function's own signature and annotations, which a wrapper would hide.
        operation.view_func = guard(operation.view_func)
        auth = ANYONE if public else SIGNED_IN
        operation.auth_param = auth
        operation._set_auth(auth)
        extra: dict[str, Any] = {"x-comuna-policy": action}
        if public:
            extra["security"] = _OPTIONAL_SECURITY
        operation.openapi_extra = {**(operation.openapi_extra or {}), **extra}

    def decorate(view: Callable) -> Callable:
        view.comuna_policy = action  # type: ignore[attr-defined]
        contribute_operation_callback(view, contribute)
        return view

    return decorate


def body_by_slug(slug: str, **_: Any) -> Body:
    return get_object_or_404(Body, slug=slug)


def body_of_assembly(assembly_id: int, **_: Any) -> Body:
    return get_object_or_404(Body, assemblies=assembly_id)


def body_of_motion(motion_id: int, **_: Any) -> Body:
    return get_object_or_404(Body, assemblies__motions=motion_id)
