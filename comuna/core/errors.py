"""Errors with a stable code and parameters.

The web layer turns ``code`` + ``params`` into a translated message; the core never formats
user-facing text itself beyond an English fallback for logs and the command line.
"""

from __future__ import annotations

from typing import Any


class ComunaError(Exception):
    """A rule of the body, or of the input, was not met.

    ``code`` is stable (tests and translations key on it); ``params`` carries the values a
    message needs. ``str(error)`` gives an English fallback built from ``message``.
    """

    code: str = "error"
    message: str = "The operation was refused."

    def __init__(self, code: str | None = None, message: str | None = None, **params: Any) -> None:
        if code is not None:
            self.code = code
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.describe())

    def describe(self) -> str:
        try:
            return self.message.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.message


class InputError(ComunaError):
    """Malformed input: a file, a form, a payload."""

    code = "input"
    message = "The input is malformed."


class RuleError(ComunaError):
    """Well-formed input that the body's rules refuse (quorum missing, vote closed...)."""

    code = "rule"
    message = "The rules of the body do not allow this."


class TieError(ComunaError):
    """A tie the given tie-break could not resolve; the caller must decide (never silently)."""

    code = "tie"
    message = "A tie could not be broken: {candidates}."
