"""A hostile client speaks Reflex's websocket protocol directly and calls the
account handlers with no session, with someone else's ids and with extra
fields. Nothing changes, nothing leaks, and the state sent to the browser
never holds a password hash, a session token or its hash."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from portal_app.models import LoginSession, OutgoingMail, User
from portal_app.services import sessions
from portal_app.state.dashboard import DashboardState
from portal_app.state.security import SecurityState
from portal_app.state.session import SessionState
from portal_app.state.sign_in import SignInState
from tests import factories
from tests.browser.accounts_helpers import portal_session, unique_email
from tests.ws_client import ReflexClient, handler_name


def _person(portal, prefix: str, verified: bool = True):
    """A registered, signed-in person: (cookie header, principal)."""
    address = unique_email(prefix)
    with portal_session(portal) as session:
        factories.register(session, address, company=f"{prefix} Ltd", name=prefix.title(), verified=verified)
        raw, principal = factories.sign_in(session, address)
    return f"{sessions.COOKIE_BASE_NAME}={raw}", raw, principal


def _snapshot(portal, user_id: int) -> tuple:
    with portal_session(portal) as session:
        user = session.get(User, user_id)
        live = session.exec(select(LoginSession.id).where(
            LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))).all()
        mails = session.exec(select(OutgoingMail.id).where(OutgoingMail.to_address == user.email)).all()
        return user.password_hash, sorted(live), len(mails)


@pytest.fixture
def victim(portal):
    return _person(portal, "victim", verified=False)


def test_handlers_without_a_session_change_nothing(portal, victim):
    _, _, principal = victim
    before = _snapshot(portal, principal.user_id)
    calls = [
        (handler_name(SecurityState, "revoke_others"), {}),
        (handler_name(SecurityState, "revoke"), {"session_id": str(principal.session_id)}),
        (handler_name(SecurityState, "change_password"), {"form": {
            "current_password": factories.PASSWORD, "new_password": "violet-canyon-drum-42",
            "confirm": "violet-canyon-drum-42"}}),
        (handler_name(DashboardState, "resend_verification"), {}),
        (handler_name(SecurityState, "load"), {}),
        # No auto-setters exist (Reflex's state_auto_setters is off), so this is refused:
        (handler_name(SessionState, "set_signed_in"), {"value": True}),
    ]
    with ReflexClient(portal.url) as client:  # no cookie at all
        client.hydrate("/account/security")
        for name, payload in calls:
            client.call(name, payload, router_path="/account/security")
        state = client.state()
    assert _snapshot(portal, principal.user_id) == before
    assert state[SecurityState.get_full_name()]["rows_rx_state_"] == []
    assert state[SessionState.get_full_name()]["signed_in_rx_state_"] is False


def test_a_forged_cookie_is_nobody(portal, victim):
    _, raw, principal = victim
    before = _snapshot(portal, principal.user_id)
    forged = f"{sessions.COOKIE_BASE_NAME}={raw[:-2]}xx"
    with ReflexClient(portal.url, cookie=forged) as client:
        client.hydrate("/dashboard")
        client.call(handler_name(SecurityState, "revoke_others"), {}, router_path="/account/security")
        assert client.state()[SessionState.get_full_name()]["signed_in_rx_state_"] is False
    assert _snapshot(portal, principal.user_id) == before


def test_another_persons_session_cannot_be_signed_out(portal, victim):
    _, victim_raw, victim_principal = victim
    attacker_cookie, _, _ = _person(portal, "attacker")
    before = _snapshot(portal, victim_principal.user_id)
    with ReflexClient(portal.url, cookie=attacker_cookie) as client:
        client.hydrate("/account/security")
        for bogus in (str(victim_principal.session_id), victim_principal.session_id, "-1", "1 OR 1=1",
                      None, ["1"], {"id": 1}):
            client.call(handler_name(SecurityState, "revoke"), {"session_id": bogus},
                        router_path="/account/security")
    assert _snapshot(portal, victim_principal.user_id) == before
    with portal_session(portal) as session:
        assert sessions.resolve(session, victim_raw) is not None


def test_extra_fields_in_the_payload_are_ignored(portal):
    cookie, _, principal = _person(portal, "extra")
    before = _snapshot(portal, principal.user_id)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/account/security")
        # Extra keyword arguments are refused by Reflex before the handler runs.
        client.call(handler_name(SecurityState, "revoke_others"), {"user_id": 1, "org_id": 1, "role": "owner"},
                    router_path="/account/security")
        # Extra form fields reach the handler, which never reads them.
        client.call(handler_name(SecurityState, "change_password"), {"form": {
            "current_password": "wrong", "new_password": "x", "confirm": "x",
            "user_id": 1, "org_id": 1, "role": "owner", "email_verified": True}},
            router_path="/account/security")
        client.call(handler_name(SignInState, "set_mode"), {"mode": "<script>alert(1)</script>"},
                    router_path="/sign-in")
        state = client.state()
    assert _snapshot(portal, principal.user_id) == before
    assert state[SignInState.get_full_name()]["mode_rx_state_"] == "password"
    assert state[SessionState.get_full_name()]["org_role_rx_state_"] == "owner"


def test_private_helpers_are_not_callable_and_the_error_log_hides_the_cookie(portal, victim):
    cookie, raw, principal = victim
    name = f"{SessionState.get_full_name()}._principal"
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/dashboard")
        assert client.call(name, {}) == []
        assert client.call(f"{SessionState.get_full_name()}._act", {"fn": "print"}) == []
    deadline = time.monotonic() + 10
    while f"No registered handler found for event: {name}" not in portal.log():
        assert time.monotonic() < deadline, "the server did not log the refused event"
        time.sleep(0.2)
    assert raw not in portal.log()  # Reflex logs the router data; we redact the cookie


def test_hydrated_state_holds_no_secrets(portal):
    cookie, raw, principal = _person(portal, "secrets")
    with portal_session(portal) as session:
        password_hash = session.get(User, principal.user_id).password_hash
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/account/security")
        client.call(handler_name(SecurityState, "load"), {}, router_path="/account/security")
        text = json.dumps(client.state())
        assert client.state()[SessionState.get_full_name()]["signed_in_rx_state_"] is True
    for secret in (raw, sessions.tokens.hash_secret(raw), password_hash, "argon2", "token_hash"):
        assert secret not in text


def test_mfa_secret_leaves_the_state_once_confirmed(portal):
    import time as clock

    import pyotp

    from portal_app.state.mfa import MfaState

    cookie, _, principal = _person(portal, "totp")
    mfa_key = MfaState.get_full_name()
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/account/security")
        client.call(handler_name(MfaState, "start"), {})
        secret = client.state()[mfa_key]["key_text_rx_state_"].replace(" ", "")
        assert len(secret) == 32  # shown while setting up, as it must be
        code = pyotp.TOTP(secret).at(int(clock.time()))
        client.call(handler_name(MfaState, "confirm"), {"form": {"code": code}})
        assert client.state()[mfa_key]["mfa_on_rx_state_"] is True
        assert secret not in json.dumps(client.state())
    with portal_session(portal) as session:
        sealed = session.get(User, principal.user_id).mfa_secret
    assert sealed and secret not in sealed
    with ReflexClient(portal.url, cookie=cookie) as client:
        text = json.dumps(client.hydrate("/account/security"))
    assert secret not in text and sealed not in text


def test_mfa_and_requirement_handlers_refuse_strangers(portal, victim):
    from portal_app.models import Organization
    from portal_app.state.mfa import MfaState

    _, _, victim_principal = victim
    attacker_cookie, _, attacker = _person(portal, "mallory")
    victim_org = victim_principal.current.org_id
    with ReflexClient(portal.url) as anonymous:
        anonymous.hydrate("/account/security")
        anonymous.call(handler_name(MfaState, "start"), {})
        anonymous.call(handler_name(DashboardState, "set_require_mfa"), {"required": True})
        assert anonymous.state()[MfaState.get_full_name()]["key_text_rx_state_"] == ""
    with ReflexClient(portal.url, cookie=attacker_cookie) as client:
        client.hydrate("/dashboard")
        # The organisation is never taken from the payload: extra fields are refused...
        client.call(handler_name(DashboardState, "set_require_mfa"), {"required": True, "org_id": victim_org})
        # ...and a wrong type changes nothing either.
        client.call(handler_name(DashboardState, "set_require_mfa"), {"required": "yes"})
    with portal_session(portal) as session:
        assert session.get(Organization, victim_org).require_mfa is False
        assert session.get(Organization, attacker.current.org_id).require_mfa is False
        assert session.get(User, victim_principal.user_id).mfa_pending_secret is None


def test_member_handlers_never_reach_another_organisation(portal, victim):
    from portal_app.models import Invitation, Membership
    from portal_app.state.members import MembersState

    _, _, victim_principal = victim
    victim_org = victim_principal.current.org_id
    with portal_session(portal) as session:
        victim_membership = session.exec(select(Membership).where(
            Membership.user_id == victim_principal.user_id)).one()
        # The victim is unverified; give their organisation a pending invitation directly.
        session.add(Invitation(org_id=victim_org, email="friend@example.com", role="member",
                               token_hash="f" * 64, expires_at=victim_membership.created_at.replace(year=2100)))
        session.commit()
        invitation_id = session.exec(select(Invitation.id).where(Invitation.org_id == victim_org)).one()
    attacker_cookie, _, attacker = _person(portal, "intruder")
    state = MembersState
    with ReflexClient(portal.url, cookie=attacker_cookie) as client:
        client.hydrate("/organisation")
        client.call(handler_name(state, "set_role"), {"membership_id": str(victim_membership.id), "role": "member"})
        client.call(handler_name(state, "remove"), {"membership_id": str(victim_membership.id)})
        client.call(handler_name(state, "withdraw"), {"invitation_id": str(invitation_id)})
        client.call(handler_name(state, "invite"), {"form": {"email": "x@example.com", "role": "owner",
                                                             "org_id": victim_org}})
        client.call(handler_name(SessionState, "switch_org"), {"org_id": str(victim_org)})
        visible = json.dumps(client.state())
    with portal_session(portal) as session:
        assert session.get(Membership, victim_membership.id).role == "owner"
        assert session.get(Invitation, invitation_id).revoked_at is None
        assert session.exec(select(Invitation).where(Invitation.org_id == victim_org,
                                                      Invitation.email == "x@example.com")).first() is None
        # The attacker's own invitation went to their own organisation.
        own = session.exec(select(Invitation).where(Invitation.email == "x@example.com")).all()
        assert all(i.org_id == attacker.current.org_id for i in own)
    assert victim_principal.email not in visible


def test_back_office_handlers_give_customers_nothing(portal):
    from portal_app.state.staff import StaffState, OutboxState

    cookie, _, _ = _person(portal, "nosy")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/dashboard")
        for name, payload in ((handler_name(StaffState, "load"), {}),
                              (handler_name(StaffState, "set_tab"), {"tab": "people"}),
                              (handler_name(StaffState, "search"), {"form": {"q": "@"}}),
                              (handler_name(OutboxState, "load"), {}),
                              (handler_name(StaffState, "add_staff"), {"form": {
                                  "name": "Evil", "email": "evil-staff@example.com", "role": "admin"}})):
            client.call(name, payload, router_path="/staff")
        state = client.state()
    assert state.get(StaffState.get_full_name(), {}).get("rows_rx_state_", []) == []
    assert state.get(OutboxState.get_full_name(), {}).get("rows_rx_state_", []) == []
    with portal_session(portal) as session:
        assert session.exec(select(User).where(User.email == "evil-staff@example.com")).first() is None


def test_audit_handlers_show_nothing_outside_ones_scope(portal, victim):
    from portal_app.state.audit import AuditLogState, StaffAuditLogState

    _, _, victim_principal = victim
    cookie, _, _ = _person(portal, "snoop")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/organisation/audit")
        client.call(handler_name(StaffAuditLogState, "load"), {}, router_path="/staff/audit")
        own = client.state()[AuditLogState.get_full_name()]["rows_rx_state_"]
        client.call(handler_name(AuditLogState, "apply"), {"form": {"person": victim_principal.email,
                                                                    "org_id": victim_principal.current.org_id}})
        state = client.state()
    assert own and victim_principal.email not in json.dumps(own)  # only the attacker's own organisation
    assert state[AuditLogState.get_full_name()]["rows_rx_state_"] == []
    assert state[StaffAuditLogState.get_full_name()]["rows_rx_state_"] == []


def _victim_with_members_loaded(portal):
    """An owner whose organisation page was loaded over a websocket, so the
    tab's state holds the members: (victim principal, the tab's token)."""
    from portal_app.state.members import MembersState

    cookie, _, principal = _person(portal, "tokenowner")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/organisation")
        members = client.state()[MembersState.get_full_name()]["members_rx_state_"]
        assert [m["email"] for m in members] == [principal.email]  # the cache now holds them
        token = client.token
    time.sleep(0.5)  # let the server notice the disconnect, so the token is free again
    return principal, token


@pytest.mark.parametrize("who", ["nobody", "someone else"])
def test_a_client_token_alone_opens_nothing(portal, who):
    """The token sits in sessionStorage and in the socket URL (so in proxy
    logs); without the session cookie it belongs to, it shows nothing."""
    principal, token = _victim_with_members_loaded(portal)
    cookie = None if who == "nobody" else _person(portal, "tokenthief")[0]
    with ReflexClient(portal.url, token=token, cookie=cookie) as client:
        client.hydrate("/organisation")
        assert client.token == token  # the same Reflex state, reopened
        everything = json.dumps(client.received)
    assert principal.email not in everything
    assert principal.current.org_name not in everything


def test_signing_out_elsewhere_empties_the_tab(portal):
    """A session ended by any path (here: revoked from the database side, as
    "sign out everywhere" does) leaves no organisation data in that tab."""
    from portal_app.state.members import MembersState

    cookie, raw, principal = _person(portal, "revoked")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/organisation")
        with portal_session(portal) as session:
            sessions.end(session, raw)
            session.commit()
        client.call(handler_name(MembersState, "load"), {}, router_path="/organisation")
        state = json.dumps(client.state())
    assert principal.email not in state


def test_reflex_upload_endpoint_is_refused(portal):
    """`/_upload` ran a state's upload handler as the websocket's owner for
    anyone holding the token; it is closed, and files go to our own routes."""
    import httpx

    from portal_app.state.org_profile import OrgProfileState

    principal, token = _victim_with_members_loaded(portal)
    response = httpx.post(portal.url + "/_upload", headers={
        "reflex-client-token": token,
        "reflex-event-handler": handler_name(OrgProfileState, "upload_logo"),
    }, files={"files": ("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")})
    assert response.status_code == 404
    assert principal.email not in response.text
    with portal_session(portal) as session:
        from portal_app.models import Organization
        assert session.get(Organization, principal.current.org_id).logo_key == ""


PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
             b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
             b"\x00\x00\x00IEND\xaeB`\x82")


def test_logo_upload_route_checks_the_request_itself(portal):
    import httpx

    from portal_app.models import Organization
    from portal_app.services import org_profile

    cookie, raw, owner = _person(portal, "logoowner")
    _, stranger_raw, _ = _person(portal, "logostranger")
    url = f"{portal.url}/api/organizations/{owner.current.org_id}/logo"
    ours = {"origin": portal.url}

    def post(body: bytes, headers: dict, session_token: str | None) -> httpx.Response:
        cookies = {sessions.COOKIE_BASE_NAME: session_token} if session_token else {}
        return httpx.post(url, content=body, headers=headers, cookies=cookies)

    assert post(PNG_BYTES, ours, None).status_code == 401  # no session
    assert post(PNG_BYTES, {"origin": "https://evil.example"}, raw).status_code == 403  # another site
    assert post(PNG_BYTES, {}, raw).status_code == 403  # no Origin at all
    assert post(PNG_BYTES, ours, stranger_raw).status_code == 404  # not their organisation
    disguised = post(b"<svg onload=alert(1)></svg>", ours, raw)
    assert disguised.status_code == 422 and "PNG or JPEG" in disguised.json()["detail"]
    empty = post(b"", ours, raw)
    assert empty.status_code == 422 and empty.json()["detail"] == "Choose an image file."
    huge = post(PNG_BYTES + b"0" * org_profile.LOGO_MAX_BYTES, ours, raw)
    assert huge.status_code == 413 and "at most 1 MB" in huge.json()["detail"]
    with portal_session(portal) as session:
        assert session.get(Organization, owner.current.org_id).logo_key == ""  # nothing was kept
    done = post(PNG_BYTES, ours, raw)
    assert done.status_code == 200 and done.json() == {"ok": True, "message": "Logo updated."}
    with portal_session(portal) as session:
        assert session.get(Organization, owner.current.org_id).logo_key != ""


def _email_change_snapshot(portal, user_id: int) -> tuple:
    from portal_app.models import OneTimeToken

    with portal_session(portal) as session:
        pending = session.exec(select(OneTimeToken.id).where(
            OneTimeToken.user_id == user_id, OneTimeToken.purpose == sessions.tokens.CHANGE_EMAIL)).all()
        return session.get(User, user_id).email, sorted(pending), len(session.exec(select(OutgoingMail)).all())


def test_email_change_handlers_refuse_strangers_and_wrong_types(portal, victim):
    from portal_app.state.profile import EmailChangeState, ProfileState

    _, _, principal = victim
    before = _email_change_snapshot(portal, principal.user_id)
    right = {"new_email": unique_email("stolen"), "password": factories.PASSWORD}
    with ReflexClient(portal.url) as anonymous:  # no session: the right password alone is not enough
        anonymous.hydrate("/account/profile")
        anonymous.call(handler_name(ProfileState, "change_email"), {"form": right})
        # A bogus or type-confused link changes nothing either.
        for query in ("token=nope", "token=" + "x" * 5000, "token=&token=a", ""):
            anonymous.call(handler_name(EmailChangeState, "confirm"), {},
                           router_path="/account/confirm-email?" + query)
        assert anonymous.state()[EmailChangeState.get_full_name()]["outcome_rx_state_"] == "failed"
    assert _email_change_snapshot(portal, principal.user_id) == before

    cookie, _, own = _person(portal, "typer")
    own_before = _email_change_snapshot(portal, own.user_id)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/account/profile")
        for form in (None, "new_email=x@example.com", ["x@example.com"], 42,
                     {"new_email": ["x@example.com"], "password": factories.PASSWORD},
                     {"new_email": {"$ne": ""}, "password": factories.PASSWORD},
                     {"new_email": "x@example.com", "password": ["x"]},
                     {"new_email": "x@example.com", "password": None}):
            client.call(handler_name(ProfileState, "change_email"), {"form": form})
        # The account is always the caller's own: ids among the form fields are never read.
        client.call(handler_name(ProfileState, "change_email"),
                    {"form": {**right, "password": "wrong-password-123", "user_id": principal.user_id}})
        errors = client.state()[ProfileState.get_full_name()]["email_errors_rx_state_"]
    assert errors == {"password": "Your current password is not right."}
    assert _email_change_snapshot(portal, own.user_id)[:2] == own_before[:2]
    assert _email_change_snapshot(portal, principal.user_id)[:2] == before[:2]


def _not_quite_ids(row_id: int) -> list:
    """What `int()` (or `isdigit()`) would have read as an id: the brief's
    fixed list, and the same tricks aimed at the row that exists."""
    digits = str(row_id)
    underscored = f"{digits[0]}_{digits[1:]}" if len(digits) > 1 else f"0_{digits}"
    return [True, 1.0, "+1", " 1", "1_0", "9" * 40,
            float(row_id), f"+{digits}", f" {digits}", f"{digits} ", underscored, "²", str(2**63)]


def test_ids_that_are_not_plain_numbers_reach_nothing(portal):
    """The owner's own rows, addressed with values Python would coerce into
    their ids: no member is removed, no session revoked."""
    from portal_app.models import Membership
    from portal_app.services import members
    from portal_app.state.members import MembersState

    cookie, _, owner = _person(portal, "idowner")
    other_address = unique_email("idmember")
    with portal_session(portal) as session:
        factories.register(session, other_address, company="Other Ltd", name="Other")
        members.invite(session, owner, owner.current.org_id, email=other_address, role="member")
        link = factories.token_from(factories.last_mail(session, other_address).body, "/invitations/accept")
        _, other = factories.sign_in(session, other_address)
        members.accept_as(session, other, link)
        _, second = factories.sign_in(session, owner.email)  # another live session of the owner's
        session.commit()
        membership_id = session.exec(select(Membership.id).where(
            Membership.user_id == other.user_id, Membership.org_id == owner.current.org_id)).one()
    before = _snapshot(portal, owner.user_id)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/organisation")
        for value in _not_quite_ids(membership_id):
            client.call(handler_name(MembersState, "remove"), {"membership_id": value},
                        router_path="/organisation")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/account/security")
        for value in _not_quite_ids(second.session_id):
            client.call(handler_name(SecurityState, "revoke"), {"session_id": value},
                        router_path="/account/security")
        # The same handlers with the plain id still work (the values above were refused, not the handlers broken).
        client.call(handler_name(SecurityState, "revoke"), {"session_id": str(second.session_id)},
                    router_path="/account/security")
    with portal_session(portal) as session:
        assert session.get(Membership, membership_id) is not None
    password_hash, live, mails = before
    assert _snapshot(portal, owner.user_id) == (password_hash, [s for s in live if s != second.session_id], mails)


def test_notification_handlers_reach_only_ones_own(portal, victim, monkeypatch):
    from portal_app.models import Notification, NotificationPreference
    from portal_app.services import notifications
    from portal_app.state.notifications import NotificationsState, UnsubscribeState
    from tests.browser.test_notifications import portal_unsubscribe_token

    _, _, victim_principal = victim
    with portal_session(portal) as session:
        (row,) = notifications.notify(session, [victim_principal.user_id], notifications.EVENTS["role_changed"],
                                      notifications.Target("/organisation"),
                                      facts={"actor": "Zed", "org": "Victim's Secret Org", "old": "a", "new": "b"})
        session.commit()
        victim_note = row.id

    def victim_untouched() -> None:
        with portal_session(portal) as session:
            assert session.get(Notification, victim_note).read_at is None
            assert session.exec(select(NotificationPreference).where(
                NotificationPreference.user_id == victim_principal.user_id)).all() == []

    state = NotificationsState
    with ReflexClient(portal.url) as anonymous:  # no session at all
        anonymous.hydrate("/notifications")
        for name, payload in ((handler_name(state, "load"), {}), (handler_name(state, "go_to"), {"page": 1}),
                              (handler_name(state, "mark_read"), {"notification_id": str(victim_note)}),
                              (handler_name(state, "mark_all_read"), {}),
                              (handler_name(state, "save_settings"), {"form": {"role_changed": "none"}})):
            anonymous.call(name, payload)
        assert anonymous.state()[state.get_full_name()]["rows_rx_state_"] == []
    victim_untouched()

    attacker_cookie, _, attacker = _person(portal, "peeker")
    with ReflexClient(portal.url, cookie=attacker_cookie) as client:
        client.hydrate("/notifications")
        client.call(handler_name(state, "load"), {})
        for bogus in (str(victim_note), victim_note, None, ["1"], {"id": victim_note}, "1 OR 1=1", "-1"):
            client.call(handler_name(state, "mark_read"), {"notification_id": bogus})
        client.call(handler_name(state, "mark_all_read"), {"user_id": victim_principal.user_id})  # extra: refused
        client.call(handler_name(state, "mark_all_read"), {})  # the attacker's own: none
        client.call(handler_name(state, "go_to"), {"page": "2; DROP TABLE notifications"})
        # An extra field is no event type: the whole form is refused, with a message.
        client.call(handler_name(state, "save_settings"), {"form": {"role_changed": "none",
                                                                     "user_id": victim_principal.user_id}})
        refused = client.state()[state.get_full_name()]["error_rx_state_"]
        client.call(handler_name(state, "save_settings"), {"form": {"role_changed": "sms"}})
        field_error = client.state()[state.get_full_name()]["errors_rx_state_"]
        client.call(handler_name(state, "save_settings"), {"form": "role_changed=none"})
        visible = json.dumps(client.state())
    forged = f"/notifications/unsubscribe?token={victim_principal.user_id}.role_changed.AAAA"
    with ReflexClient(portal.url, cookie=attacker_cookie) as client:
        client.hydrate(forged)
        client.call(handler_name(UnsubscribeState, "confirm"), {"token": "x"})  # the token comes from the URL only
        client.call(handler_name(UnsubscribeState, "confirm"), {})
        assert client.state()[UnsubscribeState.get_full_name()]["outcome_rx_state_"] == "failed"
    assert "no such kind of notification" in refused
    assert "choose one of" in field_error["role_changed"]
    assert "Victim's Secret Org" not in visible
    victim_untouched()

    # The victim's own link does work from anywhere, and for that one event type only.
    token = portal_unsubscribe_token(portal, monkeypatch, victim_principal.email, "new_device")
    with ReflexClient(portal.url) as anonymous:
        anonymous.hydrate(f"/notifications/unsubscribe?token={token}")
        anonymous.call(handler_name(UnsubscribeState, "load"), {})
        assert anonymous.state()[UnsubscribeState.get_full_name()]["outcome_rx_state_"] == "ready"
        with portal_session(portal) as session:
            assert session.exec(select(NotificationPreference).where(
                NotificationPreference.user_id == victim_principal.user_id)).all() == []  # loading changed nothing
        anonymous.call(handler_name(UnsubscribeState, "confirm"), {})
    with portal_session(portal) as session:
        assert [(p.user_id, p.event, p.channel) for p in session.exec(select(NotificationPreference).where(
            NotificationPreference.user_id == victim_principal.user_id)).all()] == [
            (victim_principal.user_id, "new_device", "in_app")]
