"""Errors as data: one type with a code, a message a person can read, an
optional form field, and the HTTP status the API should answer with.

Codes are an enum (`ErrorCode`), never free strings: a client (the API's
`code` member, a handler branching on `err.code`) can rely on the list
below being all there is, and a typo is an AttributeError at import time
rather than a code nobody checks for.

An error can carry writes that must outlive the failed action
(`after_rollback`): a wrong password's count and its audit event. Services
never commit, so they cannot keep those themselves; the transaction boundary
(`db.session_scope`) rolls the action back, then commits just these."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from sqlmodel import Session


class ErrorCode(StrEnum):
    """Every error code the portal uses. Add one here before raising it."""

    ERROR = "error"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    LOGIN_FAILED = "login_failed"
    BAD_LINK = "bad_link"
    EMAIL_TAKEN = "email_taken"
    HAS_ACCOUNT = "has_account"
    HAS_OWNER = "has_owner"
    NOT_MEMBER = "not_member"
    ROLE_CHANGED = "role_changed"
    ROLE_REQUIRED = "role_required"
    STAFF_ONLY = "staff_only"
    UNVERIFIED = "unverified"
    MFA_REQUIRED = "mfa_required"
    NO_ENROLMENT = "no_enrolment"
    BAD_ORIGIN = "bad_origin"
    CROSS_ORIGIN = "cross_origin"
    TOO_LARGE = "too_large"
    NOT_FAILED = "not_failed"
    BAD_FILE_TYPE = "bad_file_type"
    QUOTA_FULL = "quota_full"
    TOO_LATE = "too_late"
    PAYMENTS_NOT_SET_UP = "payments_not_set_up"
    CARD_DECLINED = "card_declined"
    PAYMENTS_UNAVAILABLE = "payments_unavailable"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    BAD_SIGNATURE = "bad_signature"
    WEBHOOK_NOT_SET_UP = "webhook_not_set_up"


class PortalError(Exception):
    code: ErrorCode = ErrorCode.ERROR
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode | None = None) -> None:
        if code is not None and not isinstance(code, ErrorCode):
            raise TypeError(f"error codes are ErrorCode members, not {type(code).__name__}: {code!r}")
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        self.after_rollback: tuple[Callable[[Session], object], ...] = ()

    def keeping(self, *writes: Callable[[Session], object]) -> Self:
        """This error, carrying `writes` (each called with a session) for the
        boundary to commit in a transaction of their own once it has rolled
        the action back: what the failure itself must leave behind, and
        nothing the action wrote before it failed."""
        self.after_rollback += writes
        return self


class Invalid(PortalError):
    """The input is wrong; `field` names the form field to show it next to."""

    code = ErrorCode.INVALID
    http_status = 422


class NotFound(PortalError):
    """Missing, or outside the caller's scope: the two are indistinguishable."""

    code = ErrorCode.NOT_FOUND
    http_status = 404


class Forbidden(PortalError):
    code = ErrorCode.FORBIDDEN
    http_status = 403


class Unauthenticated(PortalError):
    """No live session: sign in (again)."""

    code = ErrorCode.UNAUTHENTICATED
    http_status = 401


class TooLarge(PortalError):
    """A request body over the size any page accepts."""

    code = ErrorCode.TOO_LARGE
    http_status = 413


class PaymentsNotSetUp(PortalError):
    """Card payments asked for on a portal without Stripe keys."""

    code = ErrorCode.PAYMENTS_NOT_SET_UP
    http_status = 409


class CardDeclined(PortalError):
    """The bank refused the card (saving it or charging it)."""

    code = ErrorCode.CARD_DECLINED
    http_status = 402


class PaymentsUnavailable(PortalError):
    """Stripe could not be reached, or refused the portal's request."""

    code = ErrorCode.PAYMENTS_UNAVAILABLE
    http_status = 502


class PaymentInProgress(PortalError):
    """Another attempt at paying the same invoice is under way."""

    code = ErrorCode.PAYMENT_IN_PROGRESS
    http_status = 409


class BadSignature(PortalError):
    """A webhook whose signature is missing, wrong or too old."""

    code = ErrorCode.BAD_SIGNATURE
    http_status = 400


class WebhookNotSetUp(PortalError):
    """Stripe is set up but the webhook's signing secret is not: nothing can
    be verified, so nothing is accepted (and Stripe keeps retrying)."""

    code = ErrorCode.WEBHOOK_NOT_SET_UP
    http_status = 503
