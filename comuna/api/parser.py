"""Request parsing for the API: JSON as usual, but no NUL character in any text.

PostgreSQL cannot store a NUL (0x00) in a text column and raises DataError, which was a 500
after the request had reached the service. The web forms refuse it already (Django's
``ProhibitNullCharactersValidator``); here a JSON body with one is malformed: 400, as Ninja
reports any body it cannot parse. (No API operation takes text in its query string.)
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


class NulFreeParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if has_nul(data):
            raise ValueError("NUL character in a JSON string")
        return data
