"""Error codes are an enum: a plain string is refused where a code is expected."""

from __future__ import annotations

import pytest

from portal_app.services.accounts import LoginFailed
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound, PortalError, Unauthenticated
from portal_app.services.throttle import RateLimited


@pytest.mark.parametrize("cls", [PortalError, Invalid, NotFound, Forbidden, Unauthenticated])
@pytest.mark.parametrize("code", ["mfa_required", "", b"bad_link", 1])
def test_a_code_that_is_not_an_error_code_is_refused(cls, code):
    with pytest.raises(TypeError, match="ErrorCode"):
        cls("Some message.", code=code)


def test_a_given_code_replaces_the_class_code_and_the_default_is_the_class_code():
    assert Forbidden("No.", code=ErrorCode.STAFF_ONLY).code is ErrorCode.STAFF_ONLY
    assert Forbidden("No.").code is ErrorCode.FORBIDDEN
    assert Invalid("No.", field="email").field == "email"


@pytest.mark.parametrize("err", [PortalError("x"), Invalid("x"), NotFound("x"), Forbidden("x"),
                                 Unauthenticated("x"), LoginFailed("x"), RateLimited(5)])
def test_every_error_class_carries_an_error_code(err):
    assert isinstance(err.code, ErrorCode)


def test_codes_are_unique_and_snake_case():
    values = [code.value for code in ErrorCode]
    assert len(values) == len(set(values))
    assert all(v.replace("_", "").isalpha() and v == v.lower() for v in values)
