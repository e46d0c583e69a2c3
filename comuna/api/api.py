"""The HTTP API: the same services as the web pages, as JSON, described by OpenAPI.

Schema at ``/api/openapi.json``, interactive docs at ``/api/docs``. Authentication by a
personal token (``Authorization: Bearer ...``) or the web session (with CSRF on writes).
"""

from __future__ import annotations

from ninja import NinjaAPI

from comuna.api import errors
from comuna.api.auth import SIGNED_IN
from comuna.api.parser import NulFreeParser
from comuna.api.routers import (
    assemblies,
    bodies,
    budgets,
    census,
    consultations,
    federation,
    offices,
    tokens,
    votes,
)

api = NinjaAPI(
    title="Comuna API",
    version="1",
    description=(
        "Communal self-government: bodies, census, assemblies, votes and decisions, offices,"
        " federation (parliaments, mandates, consultations) and participatory budgets."
    ),
    urls_namespace="api",
    # Each operation sets its own auth through @policy; an operation that forgot it is
    # closed to anonymous callers by this default (and fails the policy test).
    auth=SIGNED_IN,
    parser=NulFreeParser(),
)
errors.install(api)
for module in (
    bodies,
    census,
    assemblies,
    votes,
    tokens,
    offices,
    federation,
    consultations,
    budgets,
):
    api.add_router("", module.router)
