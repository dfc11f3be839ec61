"""Changing one's own email address: asked for with the current password,
confirmed by the link mailed to the NEW address, the old address told
afterwards; a taken address gets the same answer and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent, OneTimeToken, OutgoingMail, User
from portal_app.models.base import utcnow
from portal_app.services import accounts, sessions, tokens
from portal_app.services.errors import Invalid
from portal_app.services.throttle import RateLimited
from tests.factories import PASSWORD, act, last_mail, register, sign_in, token_from

LINK = "/account/confirm-email"
IP = "192.0.2.1"


def _mails_to(session: Session, address: str) -> list[OutgoingMail]:
    return session.exec(select(OutgoingMail).where(OutgoingMail.to_address == address)).all()


def _request(session: Session, principal, new: object = "ada.new@example.com", password: object = PASSWORD,
             ip: str = IP) -> str:
    return accounts.request_email_change(session, principal, new_email=new, password=password, ip=ip)


def test_change_takes_effect_only_from_the_new_mailbox(any_engine):
    with Session(any_engine, expire_on_commit=False) as session:
        user = register(session)
        other, _ = sign_in(session, ip="192.0.2.2")
        here, principal = sign_in(session)
        assert _request(session, principal, new=" Ada.New@Example.COM ") == "ada.new@example.com"
        session.commit()
        session.refresh(user)
        assert user.email == "ada@example.com"  # nothing changes before the link is followed
        mail = last_mail(session, "ada.new@example.com")
        assert "Confirm your new email address" in mail.subject
        raw = token_from(mail.body, LINK)
        assert not [m for m in _mails_to(session, "ada@example.com") if "changed" in m.subject]

        change = accounts.confirm_email_change(session, raw, keep_session_id=principal.session_id, ip=IP)
        session.commit()
        assert change == accounts.EmailChange(user.id, "ada.new@example.com", 1)
        session.refresh(user)
        assert user.email == "ada.new@example.com" and user.email_verified_at is not None
        # The old address is told afterwards, with what to do if it was not them.
        told = last_mail(session, "ada@example.com")
        assert "Your email address was changed" in told.subject
        assert "ada.new@example.com" in told.body and "If you did not do this" in told.body
        # The other sessions are signed out; this one stays.
        assert sessions.resolve(session, other) is None
        assert sessions.resolve(session, here).email == "ada.new@example.com"
        # Signing in now takes the new address, not the old one.
        assert accounts.login_with_password(session, email="ada.new@example.com", password=PASSWORD, ip=IP).ticket
        with pytest.raises(accounts.LoginFailed):
            accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip=IP)
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
        assert "account.email_change_requested" in actions and "account.email_changed" in actions


def test_confirming_in_a_browser_signed_out_ends_every_session(session):
    register(session)
    here, principal = sign_in(session)
    _request(session, principal)
    raw = token_from(last_mail(session, "ada.new@example.com").body, LINK)
    assert accounts.confirm_email_change(session, raw, keep_session_id=None, ip=IP).sessions_ended == 1
    assert sessions.resolve(session, here) is None


def test_wrong_password_changes_nothing_and_mails_nothing(session):
    register(session)
    _, principal = sign_in(session)
    before = len(session.exec(select(OutgoingMail)).all())
    for bad in ("wrong-password-123", "", None, 42, ["x"]):
        with pytest.raises(Invalid) as err:
            _request(session, principal, password=bad)
        assert err.value.field == "password"
    assert len(session.exec(select(OutgoingMail)).all()) == before
    assert not session.exec(select(OneTimeToken).where(OneTimeToken.purpose == tokens.CHANGE_EMAIL)).all()


@pytest.mark.parametrize("new,message", [
    ("", "Enter your email address."),
    ("not-an-email", "valid email"),
    ("a@" + "b" * 300 + ".com", "at most 254"),
    (["a@b.com"], "Enter your email address."),
    ({"email": "a@b.com"}, "Enter your email address."),
    ("ADA@example.com", "already your email address"),
])
def test_bad_new_addresses_are_refused_by_field(session, new, message):
    register(session)
    _, principal = sign_in(session)
    with pytest.raises(Invalid, match=message) as err:
        _request(session, principal, new=new)
    assert err.value.field == "new_email"


def test_a_taken_address_gets_the_same_answer_and_nothing_changes(session):
    register(session)
    register(session, "bob@example.com", company="Bob Co", name="Bob")
    _, principal = sign_in(session)
    assert _request(session, principal, new="BOB@example.com") == "bob@example.com"  # same answer as a free one
    session.commit()
    assert session.get(User, principal.user_id).email == "ada@example.com"
    assert session.exec(select(User).where(User.email == "bob@example.com")).one().name == "Bob"
    # No link anyone could follow was made; Bob is told that nothing changed.
    assert not session.exec(select(OneTimeToken).where(OneTimeToken.purpose == tokens.CHANGE_EMAIL,
                                                       OneTimeToken.used_at.is_(None))).all()
    told = last_mail(session, "bob@example.com")
    assert "Nothing was changed" in told.body and LINK not in told.body


def test_an_address_taken_after_the_link_was_sent_is_refused(session):
    register(session)
    _, principal = sign_in(session)
    _request(session, principal)
    raw = token_from(last_mail(session, "ada.new@example.com").body, LINK)
    register(session, "ada.new@example.com", company="Squatter Co", name="Squatter")
    with pytest.raises(Invalid, match="belongs to another account"):
        accounts.confirm_email_change(session, raw, ip=IP)
    session.rollback()
    assert session.get(User, principal.user_id).email == "ada@example.com"


def test_the_link_works_once(session):
    register(session)
    _, principal = sign_in(session)
    _request(session, principal)
    raw = token_from(last_mail(session, "ada.new@example.com").body, LINK)
    accounts.confirm_email_change(session, raw, ip=IP)
    session.commit()
    with pytest.raises(Invalid, match="expired or was already used"):
        accounts.confirm_email_change(session, raw, ip=IP)


def test_an_expired_link_is_refused(session):
    register(session)
    _, principal = sign_in(session)
    _request(session, principal)
    raw = token_from(last_mail(session, "ada.new@example.com").body, LINK)
    row = session.exec(select(OneTimeToken).where(OneTimeToken.purpose == tokens.CHANGE_EMAIL)).one()
    assert abs((row.expires_at - row.created_at) - timedelta(hours=24)) < timedelta(seconds=1)
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    with pytest.raises(Invalid, match="expired or was already used"):
        accounts.confirm_email_change(session, raw, ip=IP)
    assert session.get(User, principal.user_id).email == "ada@example.com"


@pytest.mark.parametrize("raw", ["", "nope", "x" * 5000, None, 7, {"token": "a"}])
def test_bogus_links_are_refused(session, raw):
    with pytest.raises(Invalid, match="expired or was already used"):
        accounts.confirm_email_change(session, raw, ip=IP)


def test_a_newer_request_retires_the_older_link(session):
    register(session)
    _, principal = sign_in(session)
    _request(session, principal, new="first@example.com")
    first = token_from(last_mail(session, "first@example.com").body, LINK)
    _request(session, principal, new="second@example.com")
    with pytest.raises(Invalid):
        accounts.confirm_email_change(session, first, ip=IP)
    second = token_from(last_mail(session, "second@example.com").body, LINK)
    assert accounts.confirm_email_change(session, second, ip=IP).email == "second@example.com"


def test_links_mailed_to_the_old_address_stop_working(session):
    register(session)
    _, principal = sign_in(session)
    accounts.request_password_reset(session, email="ada@example.com", ip=IP)
    reset = token_from(last_mail(session, "ada@example.com").body, "/reset-password")
    _request(session, principal)
    accounts.confirm_email_change(session, token_from(last_mail(session, "ada.new@example.com").body, LINK), ip=IP)
    assert not accounts.reset_link_is_valid(session, reset)


def test_requests_are_throttled_and_wrong_passwords_count(engine):
    free = accounts.EMAIL_CHANGE_LIMIT.free
    with Session(engine, expire_on_commit=False) as session:
        register(session)
        _, principal = sign_in(session)
        with pytest.raises(Invalid):  # as one action: rolled back, and the failure still counts
            act(engine, _request, principal, password="wrong-password-123")
        for n in range(free):  # the request past the allowance goes through, and starts the wait
            _request(session, principal, new=f"try{n}@example.com")
            session.commit()
        with pytest.raises(RateLimited, match="Please wait"):
            _request(session, principal, new="one-too-many@example.com")
        with pytest.raises(RateLimited):  # the right password does not skip the wait
            _request(session, principal, new="one-too-many@example.com")
        assert not _mails_to(session, "one-too-many@example.com")
