"""Who may do what: one table of actions -> roles, shared by the web views and the API.

An action is allowed to the roles a user holds in the body it concerns (``bodies.Role``), to
everyone when it is ``public``, and to any signed-in account when it is ``authenticated``
(personal things such as one's own API tokens). Superusers may do everything. An action
missing from the table is a programming error and fails loudly, never silently allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from comuna.bodies.models import Body, Role

PUBLIC = "public"
AUTHENTICATED = "authenticated"
PROMOTER = Role.Kind.PROMOTER.value
SPOKESPERSON = Role.Kind.SPOKESPERSON.value
ELECTORAL_COMMISSION = Role.Kind.ELECTORAL_COMMISSION.value

# The roles that run a body day to day; the census is personal data and stays with them.
_OFFICERS = frozenset({PROMOTER, SPOKESPERSON, ELECTORAL_COMMISSION})
# Convening and chairing: the promoter team convenes the first assembly (LOCC Art. 6.4),
# spokespeople the later ones.
_CHAIR = frozenset({PROMOTER, SPOKESPERSON})
# Counting and recording votes: the electoral commission counts (LOCC Art. 37), spokespeople
# chair the session where hand votes are counted.
_COUNT = frozenset({SPOKESPERSON, ELECTORAL_COMMISSION})

POLICIES: dict[str, frozenset[str]] = {
    "body.view": frozenset({PUBLIC}),
    # Any account may start founding a council: it becomes its promoter team (LOCC Art. 5).
    "body.found": frozenset({AUTHENTICATED}),
    "record.export": frozenset({PUBLIC}),
    "decision.view": frozenset({PUBLIC}),
    "census.view": frozenset({PUBLIC}),
    "census.view_residents": _OFFICERS,
    "census.import": _OFFICERS,
    "census.manage": _OFFICERS,
    "assembly.view": frozenset({PUBLIC}),
    "assembly.convene": _CHAIR,
    "attendance.record": _OFFICERS,
    "assembly.open": _CHAIR,
    "assembly.close": _CHAIR,
    "motion.add": _CHAIR,
    "vote.open": _CHAIR,
    "vote.cast_roll_call": _COUNT,
    # A secret ballot is authorised by the attendee's voting code, not by an account.
    "vote.cast_ballot": frozenset({PUBLIC}),
    "vote.close": _COUNT,
    "token.manage": frozenset({AUTHENTICATED}),
    # The promoter team hands out the first accounts and files the registration (LOCC Arts. 6, 17).
    # Promoters also take roles away (ADR 0054); roles tied to a term end with it.
    "roles.manage": frozenset({PROMOTER}),
    "body.register": frozenset({PROMOTER}),
    # Participatory budgets: spokespeople run the phases (each approved by the assembly,
    # LOCC Art. 45), the executive unit reviews feasibility, the electoral commission counts
    # paper ballots and hands out codes; a member votes with their personal code.
    "budget.view": frozenset({PUBLIC}),
    "budget.manage": _CHAIR,
    "budget.review": _CHAIR,
    "budget.vote": frozenset({PUBLIC}),
    "budget.count": _COUNT,
    "budget.spend": _CHAIR,
    # The treasury (comuna/economy): every peso is public. Spokespeople record and reverse
    # entries: the administrative and financial unit's five spokespeople (LOCC Arts. 30-31)
    # act through spokesperson accounts. Promoters and the electoral commission do not
    # handle money (the finance unit may not sit on the commission, LOCC Art. 15).
    "treasury.view": frozenset({PUBLIC}),
    "treasury.record": frozenset({SPOKESPERSON}),
    # Federation from below (comuna/federation). A council's officers start a promoter
    # commission (LOC Art. 10) and record their assembly's decisions towards the commune
    # (delegates, mandates, requests, ratifications, recall); the commune's promoter
    # commission runs its founding; the electoral commissions count (LOC Art. 14).
    "federation.view": frozenset({PUBLIC}),
    "federation.found": _CHAIR,
    "founding.manage": frozenset({PROMOTER}),
    "consultation.open": _CHAIR,
    "consultation.report": _COUNT,
    "membership.manage": _CHAIR,
    "parliament.convene": _CHAIR,
    "parliament.run": _CHAIR,
    "delegation.record": _CHAIR,
    # Offices: the electoral commission runs elections and recalls (LOCC Art. 37); holders'
    # records are public. A secret election ballot is authorised by the voting code.
    "office.view": frozenset({PUBLIC}),
    "office.manage": frozenset({ELECTORAL_COMMISSION, SPOKESPERSON}),
    "election.manage": frozenset({ELECTORAL_COMMISSION}),
    "election.cast_ballot": frozenset({PUBLIC}),
    "recall.manage": frozenset({ELECTORAL_COMMISSION}),
    # Lotteries (sortition): public from preparation to draw; the chair prepares, announces
    # and draws in the assembly; a member volunteers with their attendance voting code.
    "lottery.view": frozenset({PUBLIC}),
    "lottery.manage": _CHAIR,
    "lottery.volunteer": frozenset({PUBLIC}),
}


def is_public(action: str) -> bool:
    return PUBLIC in POLICIES[action]


def roles_of(user: Any, body: Body | None) -> frozenset[str]:
    """The kinds of role ``user`` holds in ``body`` (none for anonymous users).

    A role tied to a term (``offices.OfficeAccount``) counts only until the term's last day,
    even before anyone closes the expired term (ADR 0054).
    """
    if body is None or user is None or not user.is_authenticated:
        return frozenset()
    roles = Role.objects.filter(user=user, body=body).exclude(
        office__term__ends_on__lt=timezone.localdate()
    )
    return frozenset(roles.values_list("kind", flat=True))


def can(user: Any, action: str, body: Body | None = None) -> bool:
    """May ``user`` (a User, AnonymousUser or None) do ``action`` in ``body``?"""
    allowed = POLICIES[action]
    if PUBLIC in allowed:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or AUTHENTICATED in allowed:
        return True
    return bool(allowed & roles_of(user, body))


def allowed(user: Any, body: Body | None, actions: tuple[str, ...]) -> dict[str, bool]:
    """``can`` for several actions at once, with one query for the user's roles (for pages)."""
    roles: frozenset[str] | None = None
    result = {}
    for action in actions:
        rule = POLICIES[action]
        if PUBLIC in rule:
            result[action] = True
        elif user is None or not user.is_authenticated or not user.is_active:
            result[action] = False
        elif user.is_superuser or AUTHENTICATED in rule:
            result[action] = True
        else:
            roles = roles_of(user, body) if roles is None else roles
            result[action] = bool(rule & roles)
    return result


def requires(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a web view taking ``slug``: load the body, check ``action``, pass ``body`` on.

    Anonymous users are sent to log in; authenticated users without the role get 403. The
    action is kept on the view (``view.policy``) for the route audit in the tests.
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
            return view(request, *args, **kwargs)

        wrapper.policy = action  # type: ignore[attr-defined]
        return wrapper

    return decorator
