"""The promised password lengths (12 to 256) work everywhere a password is
chosen; zxcvbn itself refuses more than 72 characters, so strength is judged
on a prefix."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from portal_app.models import User
from portal_app.services import accounts, passwords
from portal_app.services.errors import Invalid
from tests.factories import PASSWORD, last_mail, register, sign_in, token_from

WORDS = "violet-canyon-drum-42-quartz-lantern-93-mango-bicycle-55-orbit-kettle-7-heron-basalt-19-"


def long_password(length: int) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length]


def _signs_in(session: Session, email: str, password: str) -> bool:
    return accounts.login_with_password(session, email=email, password=password, ip="192.0.2.9").ticket is not None


@pytest.mark.parametrize("length", [73, 100, 256])
def test_long_passwords_work_at_registration(session, length):
    password = long_password(length)
    accounts.register(session, name="Ada", email="ada@example.com", password=password, company="Engines")
    session.commit()
    assert session.exec(select(User)).one().password_hash.startswith("$argon2id$")
    assert _signs_in(session, "ada@example.com", password)


@pytest.mark.parametrize("length", [73, 100, 256])
def test_long_passwords_work_at_change_and_reset(session, length):
    register(session)
    _, ada = sign_in(session)
    changed = long_password(length)
    accounts.change_password(session, ada, current=PASSWORD, new=changed, ip="192.0.2.1")
    assert _signs_in(session, "ada@example.com", changed)
    accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.1")
    reset = long_password(length)[::-1]
    accounts.reset_password(session, token=token_from(last_mail(session, "ada@example.com").body,
                                                      "/reset-password"), password=reset)
    assert _signs_in(session, "ada@example.com", reset)


def test_257_characters_are_refused_everywhere_with_a_clear_message(session):
    too_long = long_password(257)
    with pytest.raises(Invalid, match="at most 256 characters") as err:
        accounts.register(session, name="Ada", email="ada@example.com", password=too_long, company="Engines")
    assert err.value.field == "password"
    register(session)
    _, ada = sign_in(session)
    with pytest.raises(Invalid, match="at most 256 characters"):
        accounts.change_password(session, ada, current=PASSWORD, new=too_long, ip="192.0.2.1")
    accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.1")
    with pytest.raises(Invalid, match="at most 256 characters"):
        accounts.reset_password(session, token=token_from(last_mail(session, "ada@example.com").body,
                                                          "/reset-password"), password=too_long)


def test_a_long_but_weak_password_is_still_refused():
    with pytest.raises(Invalid, match="too weak"):
        passwords.check_policy("a" * 200, email="ada@example.com")
