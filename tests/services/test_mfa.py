"""Two-step verification: enrolment, sign-in with a code, replay refusal,
recovery codes, disabling, and the organisation requirement."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from portal_app.models import Organization, RecoveryCode, User
from portal_app.services import accounts, mfa, organizations, sessions
from portal_app.services.errors import Forbidden, Invalid
from portal_app.services.throttle import RateLimited
from tests.factories import PASSWORD, act, enable_mfa, register, rename_organization, sign_in, totp_code
from tests.permissions import Permission, permission_tests


def _required(session: Session, actor, org_id: int, result) -> None:
    assert session.get(Organization, org_id).require_mfa is True


test_requirement_permissions = permission_tests(
    Permission("set_requirement", lambda s, p, org_id: mfa.set_requirement(s, p, org_id, required=True), ("owner",),
               check=_required),
)


@pytest.fixture
def ada(session):
    register(session)
    _, principal = sign_in(session)
    return principal


def _user(session: Session, email: str = "ada@example.com") -> User:
    user = session.exec(select(User).where(User.email == email)).one()
    session.refresh(user)
    return user


def test_enrolment_needs_a_right_code_and_gives_ten_recovery_codes(any_engine):
    with Session(any_engine) as session:
        register(session)
        _, principal = sign_in(session)
        enrolment = mfa.start_enrolment(session, principal)
        assert enrolment.uri.startswith("otpauth://totp/") and "secret=" + enrolment.secret in enrolment.uri
        assert enrolment.qr_data_uri.startswith("data:image/svg+xml")
        user = _user(session)
        assert enrolment.secret not in (user.mfa_pending_secret or "")  # encrypted at rest
        with pytest.raises(Invalid, match="not right") as err:
            mfa.confirm_enrolment(session, principal, code="000000", ip="192.0.2.1")
        assert err.value.field == "code"
        codes = mfa.confirm_enrolment(session, principal, code=totp_code(session, principal.email), ip="192.0.2.1")
        session.commit()
        assert len(codes) == 10 and len(set(codes)) == 10
        user = _user(session)
        assert user.mfa_enabled_at is not None and user.mfa_pending_secret is None
        stored = session.exec(select(RecoveryCode.code_hash)).all()
        assert not set(codes) & set(stored)


def test_sign_in_asks_for_the_code_once_mfa_is_on(session, ada):
    enable_mfa(session, ada)
    step = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    session.commit()  # the end of the first action: the challenge outlives the failed second one
    assert step.ticket is None and step.mfa_challenge
    with pytest.raises(Invalid, match="not right"):
        accounts.complete_mfa(session, challenge=step.mfa_challenge, code="123456", ip="192.0.2.1")
    session.rollback()
    ticket = accounts.complete_mfa(session, challenge=step.mfa_challenge,
                                   code=totp_code(session, "ada@example.com"), ip="192.0.2.1")
    assert accounts.complete_login(session, ticket, ip="192.0.2.1", user_agent="UA")


def test_the_same_code_is_never_accepted_twice(session, ada):
    enable_mfa(session, ada)
    code = totp_code(session, "ada@example.com")
    first = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    accounts.complete_mfa(session, challenge=first.mfa_challenge, code=code, ip="192.0.2.1")
    session.commit()
    second = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    with pytest.raises(Invalid, match="not right"):
        accounts.complete_mfa(session, challenge=second.mfa_challenge, code=code, ip="192.0.2.1")


def test_sign_in_link_also_asks_for_the_code(session, ada):
    from tests.factories import last_mail, token_from

    enable_mfa(session, ada)
    accounts.request_login_link(session, email="ada@example.com", ip="192.0.2.1")
    step = accounts.login_with_link(session, token_from(last_mail(session, "ada@example.com").body, "/sign-in/link"))
    assert step.ticket is None and step.mfa_challenge


def test_recovery_code_works_once(session, ada):
    codes = enable_mfa(session, ada)
    step = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    assert accounts.complete_mfa(session, challenge=step.mfa_challenge, code=codes[0].lower(), ip="192.0.2.1")
    step = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    with pytest.raises(Invalid):
        accounts.complete_mfa(session, challenge=step.mfa_challenge, code=codes[0], ip="192.0.2.1")
    assert mfa.recovery_codes_left(session, ada) == 9


def test_wrong_codes_are_throttled(engine, session, ada):
    enable_mfa(session, ada)
    step = act(engine, accounts.login_with_password, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    for _ in range(6):
        with pytest.raises(Invalid):
            act(engine, accounts.complete_mfa, challenge=step.mfa_challenge, code="111111", ip="192.0.2.1")
    with pytest.raises(RateLimited):
        act(engine, accounts.complete_mfa, challenge=step.mfa_challenge,
            code=totp_code(session, "ada@example.com"), ip="192.0.2.1")


@pytest.mark.parametrize("code", ["", "   ", None, 123456, "x" * 10_000, "<script>", "12345", "1234567"])
def test_bad_codes_get_a_clear_message(session, ada, code):
    enable_mfa(session, ada)
    step = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    with pytest.raises(Invalid) as err:
        accounts.complete_mfa(session, challenge=step.mfa_challenge, code=code, ip="192.0.2.1")
    assert err.value.field == "code"


def test_expired_or_bogus_challenge_is_refused(session, ada):
    for challenge in (None, "", "bogus", "x" * 5000):
        with pytest.raises(Invalid, match="took too long"):
            accounts.complete_mfa(session, challenge=challenge, code="123456", ip="192.0.2.1")


def test_disabling_needs_password_and_code(session, ada):
    enable_mfa(session, ada)
    with pytest.raises(Invalid, match="password is not right"):
        mfa.disable(session, ada, password="wrong", code=totp_code(session, ada.email), ip="192.0.2.1")
    session.rollback()
    with pytest.raises(Invalid, match="not right"):
        mfa.disable(session, ada, password=PASSWORD, code="000000", ip="192.0.2.1")
    session.rollback()
    mfa.disable(session, ada, password=PASSWORD, code=totp_code(session, ada.email), ip="192.0.2.1")
    session.commit()
    assert _user(session).mfa_enabled_at is None and _user(session).mfa_secret is None
    step = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    assert step.ticket


def test_new_recovery_codes_replace_the_old(session, ada):
    old = enable_mfa(session, ada)
    new = mfa.regenerate_recovery_codes(session, ada, code=totp_code(session, ada.email), ip="192.0.2.1")
    assert not set(old) & set(new)
    step = accounts.login_with_password(session, email="ada@example.com", password=PASSWORD, ip="192.0.2.1")
    with pytest.raises(Invalid):
        accounts.complete_mfa(session, challenge=step.mfa_challenge, code=old[1], ip="192.0.2.1")


def test_organisation_requirement_leads_members_to_enrol(any_engine):
    with Session(any_engine) as session:
        register(session)
        raw, owner = sign_in(session)
        org_id = owner.current.org_id
        mfa.set_requirement(session, owner, org_id, required=True)
        session.commit()
        owner = sessions.resolve(session, raw)
        assert owner.mfa_required and owner.needs_mfa_setup
        with pytest.raises(Forbidden, match="requires two-step verification"):
            mfa.set_requirement(session, owner, org_id, required=False)
        # Until set up, no organisation data is read either (not only writes).
        from portal_app.services import audit, members, org_profile
        for read in (members.count_without_mfa, members.list_members, members.list_invitations,
                     org_profile.get_profile, organizations.access_organization, audit.list_for_org):
            with pytest.raises(Forbidden, match="requires two-step verification"):
                read(session, owner, org_id)
        enable_mfa(session, owner)
        owner = sessions.resolve(session, raw)
        assert members.count_without_mfa(session, owner, org_id) == 0
        assert [m.email for m in members.list_members(session, owner, org_id)] == [owner.email]
        owner = sessions.resolve(session, raw)
        assert not owner.needs_mfa_setup
        rename_organization(session, owner, "New")
        with pytest.raises(Forbidden, match="cannot be turned off"):
            mfa.disable(session, owner, password=PASSWORD, code=totp_code(session, owner.email), ip="192.0.2.1")


def test_the_requirement_is_on_or_off(session, ada):
    for value in ("yes", 1, None):
        with pytest.raises(Invalid, match="Choose on or off"):
            mfa.set_requirement(session, ada, ada.current.org_id, required=value)
    assert not session.get(Organization, ada.current.org_id).require_mfa


def test_unverified_owner_cannot_set_the_requirement(session):
    register(session, verified=False)
    _, principal = sign_in(session)
    with pytest.raises(Forbidden, match="Confirm your email"):
        mfa.set_requirement(session, principal, principal.current.org_id, required=True)
