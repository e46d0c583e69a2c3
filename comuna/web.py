"""Small helpers shared by the views: service errors become translated form errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comuna.core.errors import ComunaError, InputError
from comuna.messages import describe, describe_rows


def status_for(error: ComunaError) -> int:
    """400 for malformed input, 409 for input the body's rules refuse."""
    return 400 if isinstance(error, InputError) else 409


def render_refusal(
    request: HttpRequest, template: str, context: dict[str, Any], error: ComunaError
) -> HttpResponse:
    """Re-render ``template`` with the error explained, and the 4xx status it deserves."""
    form = context.get("form")
    if form is not None:
        form.add_error(None, describe(error))
        for row in describe_rows(error):
            form.add_error(None, row)
    else:
        context["error"] = describe(error)
    return render(request, template, context, status=status_for(error))
