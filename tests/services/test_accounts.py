"""Registration, verification, sign-in by password and by link, resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal_app.models import LoginSession, Membership, OneTimeToken, Organization, OutgoingMail, User
from portal_app.models.base import utcnow
from portal_app.services import accounts, sessions, tokens
from portal_app.services.errors import Invalid
from portal_app.services.throttle import RateLimited
from tests.factories import PASSWORD, act, last_mail, register, sign_in, token_from


def _count(session: Session, model) -> int:
    return len(session.exec(select(model)).all())


# --- registration -------------------------------------------------------------

def test_registration_creates_org_owner_and_verification_mail(any_engine):
    with Session(any_engine) as session:
        accounts.register(session, name=" Ada Lovelace ", email="Ada@Example.COM",
                          password=PASSWORD, company="Analytical Engines")
        session.commit()
        user = session.exec(select(User)).one()
        assert user.email == "ada@example.com" and user.name == "Ada Lovelace"
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert user.email_verified_at is None
        membership = session.exec(select(Membership)).one()
        assert membership.role == "owner" and membership.user_id == user.id
        assert session.get(Organization, membership.org_id).name == "Analytical Engines"
        mail = last_mail(session, "ada@example.com")
        assert "http://localhost:3000/verify-email?token=" in mail.body


def test_duplicate_registration_answers_the_same_and_mails_the_owner(session):
    register(session)
    result = accounts.register(session, name="Mallory", email="ADA@example.com",
                               password="another-Strong-pass-99", company="Evil Corp")
    session.commit()
    assert result.email == "ada@example.com"
    assert _count(session, User) == 1 and _count(session, Organization) == 1
    assert "already has an account" in last_mail(session, "ada@example.com").body


@pytest.mark.parametrize("field,kwargs,message", [
    ("name", {"name": "   "}, "Your name is required."),
    ("name", {"name": "x" * 10_000}, "at most 200"),
    ("name", {"name": 42}, "must be text"),
    ("email", {"email": ""}, "Enter your email address."),
    ("email", {"email": "not-an-email"}, "valid email"),
    ("email", {"email": "a@" + "b" * 300 + ".com"}, "at most 254"),
    ("email", {"email": ["a@b.com"]}, "Enter your email address."),
    ("company", {"company": ""}, "Company name is required."),
    ("company", {"company": "line\nbreak"}, "single line"),
    ("password", {"password": "short"}, "at least 12"),
    ("password", {"password": "x" * 300}, "at most 256"),
    ("password", {"password": "password1234"}, "too weak"),
    ("password", {"password": "ada.lovelace@example.com!"}, "must not contain your email"),
    ("password", {"password": None}, "Enter a password."),
])
def test_bad_registration_input_is_refused_and_writes_nothing(session, field, kwargs, message):
    data = {"name": "Ada", "email": "ada.lovelace@example.com", "password": PASSWORD,
            "company": "Engines", **kwargs}
    with pytest.raises(Invalid) as err:
        accounts.register(session, **data)
    assert err.value.field == field and message in err.value.message
    session.rollback()
    assert _count(session, User) == _count(session, Organization) == _count(session, OutgoingMail) == 0


def test_hostile_html_in_names_is_kept_as_plain_text(session):
    user = register(session, name="<script>alert(1)</script>", company="<img src=x onerror=alert(1)>")
    assert user.name == "<script>alert(1)</script>"  # stored verbatim; the UI renders text, not HTML


# --- verification -------------------------------------------------------------

def test_verification_link_is_single_use(session):
    register(session, verified=False)
    raw = token_from(last_mail(session, "ada@example.com").body, "/verify-email")
    user_id = session.exec(select(User.id)).one()
    assert accounts.verify_email(session, raw) == accounts.EmailConfirmation("verified", user_id)
    session.commit()
    verified_at = session.exec(select(User)).one().email_verified_at
    assert verified_at is not None
    # A second click changes nothing, and still says whose address it was.
    assert accounts.verify_email(session, raw) == accounts.EmailConfirmation("already", user_id)
    assert session.exec(select(User)).one().email_verified_at == verified_at


@pytest.mark.parametrize("raw", ["", "nope", "x" * 5000, None, 7, {"token": "a"}])
def test_bogus_verification_tokens_are_refused(session, raw):
    with pytest.raises(Invalid, match="expired or was already used"):
        accounts.verify_email(session, raw)


def test_expired_verification_link_is_refused(session):
    register(session, verified=False)
    raw = token_from(last_mail(session, "ada@example.com").body, "/verify-email")
    for row in session.exec(select(OneTimeToken)).all():
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    session.commit()
    with pytest.raises(Invalid):
        accounts.verify_email(session, raw)


def test_resending_retires_the_previous_verification_link(session):
    register(session, verified=False)
    first = token_from(last_mail(session, "ada@example.com").body, "/verify-email")
    _, principal = sign_in(session)
    accounts.resend_verification(session, principal, ip="192.0.2.1")
    second = token_from(last_mail(session, "ada@example.com").body, "/verify-email")
    with pytest.raises(Invalid):
        accounts.verify_email(session, first)
    accounts.verify_email(session, second)


def test_unverified_person_can_sign_in_but_not_act(session):
    from portal_app.services.errors import Forbidden
    from tests.factories import rename_organization

    register(session, verified=False)
    _, principal = sign_in(session)
    assert not principal.email_verified
    with pytest.raises(Forbidden, match="Confirm your email"):
        rename_organization(session, principal, "New name")


# --- password sign-in ---------------------------------------------------------

def test_password_sign_in_gives_a_single_use_ticket(any_engine):
    with Session(any_engine) as session:
        register(session)
        ticket = accounts.login_with_password(session, email=" ADA@example.com ", password=PASSWORD,
                                              ip="192.0.2.1").ticket
        raw = accounts.complete_login(session, ticket, ip="192.0.2.1", user_agent="UA")
        assert raw and accounts.complete_login(session, ticket, ip="192.0.2.1", user_agent="UA") is None
        session.commit()
        row = session.exec(select(LoginSession)).one()
        assert row.token_hash == tokens.hash_secret(raw) and raw not in row.token_hash


def test_expired_ticket_is_refused(session):
    register(session)
    ticket = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1").ticket
    row = session.exec(select(OneTimeToken).where(OneTimeToken.purpose == tokens.LOGIN_TICKET)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    assert accounts.complete_login(session, ticket, ip="192.0.2.1", user_agent="UA") is None


def test_wrong_password_and_unknown_email_get_the_same_answer(session):
    register(session)
    messages = set()
    for email in ("ada@example.com", "nobody@example.com"):
        with pytest.raises(accounts.LoginFailed) as err:
            accounts.login_with_password(session, email=email, password="wrong-password-123", ip="192.0.2.1")
        messages.add(err.value.message)
    assert messages == {accounts.BAD_LOGIN}


def test_failures_slow_down_guessing_per_account_also_for_unknown_emails(engine, session):
    register(session)
    for email in ("ada@example.com", "nobody@example.com"):
        for attempt in range(6):
            with pytest.raises(accounts.LoginFailed):
                act(engine, accounts.login_with_password, email=email, password=f"wrong-{attempt}",
                    ip=f"198.51.100.{attempt}")
        with pytest.raises(RateLimited, match="Too many attempts. Please wait 30 seconds"):
            act(engine, accounts.login_with_password, email=email, password=PASSWORD, ip="203.0.113.9")


def test_failure_count_survives_the_callers_rollback(engine):
    from portal_app.db import session_scope

    with session_scope(engine) as session:
        register(session)
    for _ in range(6):
        with pytest.raises(accounts.LoginFailed), session_scope(engine) as session:
            accounts.login_with_password(session, email="ada@example.com", password="nope-nope-nope", ip="192.0.2.7")
    with pytest.raises(RateLimited), session_scope(engine) as session:
        accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.8")


def test_per_ip_limit_stops_spraying_many_accounts(engine):
    for i in range(21):
        with pytest.raises(accounts.LoginFailed):
            act(engine, accounts.login_with_password, email=f"user{i}@example.com", password="guess-guess-1",
                ip="192.0.2.66")
    with pytest.raises(RateLimited):
        act(engine, accounts.login_with_password, email="fresh@example.com", password="guess-guess-1",
            ip="192.0.2.66")


def test_success_clears_the_account_failures(session):
    register(session)
    for _ in range(4):
        with pytest.raises(accounts.LoginFailed):
            accounts.login_with_password(session, email="ada@example.com", password="nope-nope-nope", ip="192.0.2.1")
    accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    for _ in range(5):
        with pytest.raises(accounts.LoginFailed):
            accounts.login_with_password(session, email="ada@example.com", password="nope-nope-nope", ip="192.0.2.1")


def test_disabled_account_cannot_sign_in(session):
    user = register(session)
    user.is_active = False
    session.add(user)
    with pytest.raises(accounts.LoginFailed):
        accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")


# --- sign-in by link ----------------------------------------------------------

def test_sign_in_link_is_single_use_and_confirms_the_address(session):
    register(session, verified=False)
    accounts.request_login_link(session, email="ada@example.com", ip="192.0.2.1")
    raw = token_from(last_mail(session, "ada@example.com").body, "/sign-in/link")
    ticket = accounts.login_with_link(session, raw).ticket
    assert accounts.complete_login(session, ticket, ip="192.0.2.1", user_agent="UA")
    assert session.exec(select(User)).one().email_verified_at is not None
    with pytest.raises(Invalid, match="expired or was already used"):
        accounts.login_with_link(session, raw)


def test_sign_in_link_expires_after_15_minutes(session):
    register(session)
    accounts.request_login_link(session, email="ada@example.com", ip="192.0.2.1")
    row = session.exec(select(OneTimeToken).where(OneTimeToken.purpose == tokens.LOGIN_LINK)).one()
    assert timedelta(minutes=14) < row.expires_at - row.created_at <= timedelta(minutes=15)
    raw = token_from(last_mail(session, "ada@example.com").body, "/sign-in/link")
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    with pytest.raises(Invalid):
        accounts.login_with_link(session, raw)


def test_link_request_for_unknown_email_sends_nothing_and_says_nothing(session):
    accounts.request_login_link(session, email="nobody@example.com", ip="192.0.2.1")
    assert _count(session, OutgoingMail) == 0


def test_link_requests_are_rate_limited(session):
    register(session)
    for _ in range(4):  # three free, the fourth starts the delay
        accounts.request_login_link(session, email="ada@example.com", ip="192.0.2.1")
    with pytest.raises(RateLimited):
        accounts.request_login_link(session, email="ada@example.com", ip="192.0.2.1")


# --- password reset and change -------------------------------------------------

def test_reset_sets_the_password_and_signs_out_everywhere(any_engine):
    with Session(any_engine) as session:
        register(session)
        raw_session, _ = sign_in(session)
        accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.1")
        raw = token_from(last_mail(session, "ada@example.com").body, "/reset-password")
        assert accounts.reset_link_is_valid(session, raw)
        accounts.reset_password(session, token=raw, password="violet-canyon-drum-42")
        session.commit()
        assert sessions.resolve(session, raw_session) is None
        assert accounts.login_with_password(session, email="ada@example.com",
                                            password="violet-canyon-drum-42", ip="192.0.2.1").ticket
        with pytest.raises(Invalid, match="expired or was already used"):
            accounts.reset_password(session, token=raw, password="another-violet-drum-43")


def test_weak_new_password_keeps_the_reset_link_usable(session):
    register(session)
    accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.1")
    raw = token_from(last_mail(session, "ada@example.com").body, "/reset-password")
    with pytest.raises(Invalid, match="at least 12"):
        accounts.reset_password(session, token=raw, password="short")
    accounts.reset_password(session, token=raw, password="violet-canyon-drum-42")


def test_reset_link_is_valid_for_one_hour_and_unknown_email_gets_no_mail(session):
    register(session)
    accounts.request_password_reset(session, email="nobody@example.com", ip="192.0.2.1")
    assert _count(session, OutgoingMail) == 1  # only the verification mail
    accounts.request_password_reset(session, email="ada@example.com", ip="192.0.2.1")
    row = session.exec(select(OneTimeToken).where(OneTimeToken.purpose == tokens.PASSWORD_RESET)).one()
    assert row.expires_at - row.created_at == timedelta(hours=1) or \
        abs((row.expires_at - row.created_at) - timedelta(hours=1)) < timedelta(seconds=1)


def test_change_password_needs_the_current_one_and_ends_other_sessions(session):
    register(session)
    other, _ = sign_in(session, ip="192.0.2.2")
    here, principal = sign_in(session)
    with pytest.raises(Invalid, match="current password is not right") as err:
        accounts.change_password(session, principal, current="wrong", new="violet-canyon-drum-42", ip="192.0.2.1")
    assert err.value.field == "current_password"
    with pytest.raises(Invalid, match="different"):
        accounts.change_password(session, principal, current=PASSWORD, new=PASSWORD, ip="192.0.2.1")
    assert accounts.change_password(session, principal, current=PASSWORD,
                                    new="violet-canyon-drum-42", ip="192.0.2.1") == 1
    session.commit()
    assert sessions.resolve(session, other) is None
    assert sessions.resolve(session, here) is not None


def test_profile_name_change_is_validated_and_audited(session):
    from portal_app.models import AuditEvent

    register(session)
    _, principal = sign_in(session)
    with pytest.raises(Invalid, match="at most 200"):
        accounts.update_profile(session, principal, name="x" * 10_000)
    with pytest.raises(Invalid, match="required"):
        accounts.update_profile(session, principal, name="   ")
    session.rollback()
    assert accounts.update_profile(session, principal, name=" <b>Ada</b> ").name == "<b>Ada</b>"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "account.profile_updated")).one()


def test_a_ticket_needs_both_halves(session):
    register(session)
    ticket = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1").ticket
    first, _, binding = ticket.partition(tokens.TICKET_SEPARATOR)
    assert first and binding
    for partial in (first, binding, f"{first}.", f"{first}.wrong"):
        assert accounts.complete_login(session, partial, ip="192.0.2.1", user_agent="UA") is None
    assert accounts.complete_login(session, ticket, ip="192.0.2.1", user_agent="UA")
