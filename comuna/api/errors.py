"""Every refusal as ``{"code", "message", "params"}``, the message in the request's language.

Rule errors (quorum missing, vote closed) are 409: the request was understood and the body's
rules say no. Input errors are 400, schema validation 422, authentication 401/403.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comuna.core.errors import ComunaError, RuleError, TieError
from comuna.messages import describe

# Ninja raises plain HttpErrors for these (e.g. 400 for a body that is not JSON).
_CODE_BY_STATUS = {
    400: "api.malformed",
    401: "api.unauthorized",
    403: "api.forbidden",
    404: "api.not_found",
    405: "api.method_not_allowed",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def refusal(code: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    params = params or {}
    return {
        "code": code,
        "message": describe(ComunaError(code, **params)),
        "params": _jsonable(params),
    }


def _row_errors(rows: list[Any]) -> list[dict[str, Any]]:
    """The bad rows of a rejected import, each with its line and translated message."""
    return [
        {
            "line": line,
            "code": code,
            "message": describe(ComunaError(code, **{**params, "line": line})),
        }
        for line, code, params in rows
    ]


def comuna_error(request: HttpRequest, exc: ComunaError, api: NinjaAPI) -> HttpResponse:
    params = dict(exc.params)
    rows = params.pop("errors", None)
    content = {"code": exc.code, "message": describe(exc), "params": _jsonable(params)}
    if rows is not None:
        content["errors"] = _row_errors(rows)
    status = 409 if isinstance(exc, (RuleError, TieError)) else 400
    return api.create_response(request, content, status=status)


def http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        code = "api.unauthorized"
    else:
        code = getattr(exc, "code", None) or _CODE_BY_STATUS.get(exc.status_code, "api.refused")
    response = api.create_response(request, refusal(code), status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, refusal("api.not_found"), status=404)


def _location(loc: Any) -> str:
    return ".".join(str(part) for part in loc)


def validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    # Pydantic's messages are English only; the summary is translated, the details point at
    # the field so that a client can show its own message.
    errors = [
        {
            "field": _location(error.get("loc", ())),
            "type": error.get("type", ""),
            "detail": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {**refusal("api.invalid"), "errors": errors}, status=422)


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(ComunaError, lambda r, e: comuna_error(r, e, api))
    api.add_exception_handler(HttpError, lambda r, e: http_error(r, e, api))
    api.add_exception_handler(Http404, lambda r, e: not_found(r, e, api))
    api.add_exception_handler(ValidationError, lambda r, e: validation_error(r, e, api))
