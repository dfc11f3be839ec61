"""Errors as data: one type with a code, a message a person can read, an
optional form field, and the HTTP status the API should answer with."""

from __future__ import annotations


class PortalError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class Invalid(PortalError):
    """The input is wrong; `field` names the form field to show it next to."""

    code = "invalid"
    http_status = 422


class NotFound(PortalError):
    """Missing, or outside the caller's scope: the two are indistinguishable."""

    code = "not_found"
    http_status = 404


class Forbidden(PortalError):
    code = "forbidden"
    http_status = 403


class Unauthenticated(PortalError):
    """No live session: sign in (again)."""

    code = "unauthenticated"
    http_status = 401
