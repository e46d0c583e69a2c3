"""Who may do what: one declarative table for web views and API endpoints alike.

An action is allowed to ``PUBLIC`` (anyone, no account), to ``AUTHENTICATED`` users, or to the
holders of the listed roles *in the body concerned*. Superusers may do everything. Every route
declares its action (``@requires(...)`` in views; ``policy=`` in the API) and
``tests/apps/test_authorisation.py`` fails when a route has none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from comuna.bodies.models import Body, Role

PUBLIC = "public"
AUTHENTICATED = "authenticated"
_OFFICERS = frozenset({Role.Kind.PROMOTER, Role.Kind.SPOKESPERSON, Role.Kind.ELECTORAL_COMMISSION})

POLICIES: dict[str, str | frozenset[str]] = {
    "body.view": PUBLIC,
    "record.view": PUBLIC,
    "decisions.view": PUBLIC,
    "assembly.view": PUBLIC,
    "ballot.cast": PUBLIC,  # the voting code handed out at the door is the credential
    "body.found": AUTHENTICATED,
    "census.view": _OFFICERS,  # names, dates of birth: personal data
    "census.manage": _OFFICERS,
    "assembly.convene": frozenset({Role.Kind.PROMOTER, Role.Kind.SPOKESPERSON}),
    "assembly.run": _OFFICERS,
    "roles.manage": frozenset({Role.Kind.PROMOTER}),
}


def roles_in(user: User | AnonymousUser, body: Body | None) -> set[str]:
    if body is None or not user.is_authenticated:
        return set()
    return set(Role.objects.filter(user=user, body=body).values_list("kind", flat=True))


def can(user: User | AnonymousUser, action: str, body: Body | None = None) -> bool:
    rule = POLICIES[action]
    if rule == PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if user.is_superuser or rule == AUTHENTICATED:
        return True
    return bool(roles_in(user, body) & set(rule))


def requires(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view taking ``slug``: load the body, check ``action``, pass ``body`` on.

    Anonymous users are sent to log in; authenticated users without the role get 403.
    """
    if action not in POLICIES:
        raise KeyError(f"unknown action {action}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            body = None
            if "slug" in kwargs:
                body = get_object_or_404(Body, slug=kwargs.pop("slug"))
                kwargs["body"] = body
            if not can(request.user, action, body):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            request.body_roles = roles_in(request.user, body)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapper.policy = action  # type: ignore[attr-defined]
        return wrapper

    return decorator
