"""Signing in and out over HTTP: logout only by a POST from our own origin,
and the session cookie's name and attributes behind HTTPS."""

from __future__ import annotations

import pytest

from portal_app import routes
from portal_app.services import accounts, sessions, staff, tokens
from tests.factories import PASSWORD, enable_mfa, register, sign_in, totp_code

LOCAL = "http://localhost:3000"


@pytest.fixture
def signed_in(http_portal):
    client, session = http_portal(LOCAL)
    register(session)
    raw, _ = sign_in(session)
    client.cookies.set(sessions.cookie_name(), raw)
    return client, session, raw


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:3001", "null", None])
def test_cross_site_logout_is_refused_and_the_session_lives_on(signed_in, origin):
    client, session, raw = signed_in
    headers = {"origin": origin} if origin else {}
    response = client.post(routes.AUTH_LOGOUT, headers=headers, follow_redirects=False)
    assert response.status_code == 403 and response.json()["code"] == "cross_origin"
    assert response.headers["content-type"] == "application/problem+json"
    assert "set-cookie" not in response.headers
    assert sessions.resolve(session, raw) is not None


def test_a_logout_link_signs_nobody_out(signed_in):
    client, session, raw = signed_in
    response = client.get(routes.AUTH_LOGOUT, headers={"origin": LOCAL}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == routes.DASHBOARD
    assert "set-cookie" not in response.headers
    assert sessions.resolve(session, raw) is not None


def test_logout_from_our_own_page_ends_the_session_and_clears_the_cookie(signed_in):
    client, session, raw = signed_in
    response = client.post(routes.AUTH_LOGOUT, headers={"origin": LOCAL}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{routes.SIGN_IN}?signed_out=1"
    assert response.headers["set-cookie"].startswith(f"{sessions.COOKIE_BASE_NAME}=\"\"; ")
    session.expire_all()
    assert sessions.resolve(session, raw) is None


def _complete(client, session, email: str, password: str = PASSWORD):
    """Password, MFA code if enrolled, then the ticket exchange at /auth/complete."""
    step = accounts.login_with_password(session, email=email, password=password, ip="192.0.2.1")
    ticket = step.ticket or accounts.complete_mfa(session, challenge=step.mfa_challenge,
                                                  code=totp_code(session, email), ip="192.0.2.1")
    session.commit()
    first, _, binding = ticket.partition(tokens.TICKET_SEPARATOR)
    client.cookies.set(sessions.TICKET_BINDING_COOKIE, binding, path=routes.AUTH_COMPLETE)
    return client.get(routes.AUTH_COMPLETE, params={"ticket": first}, follow_redirects=False)


def _session_cookie(response) -> str:
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return next(c for c in cookies if "portal_session=" in c)


def test_behind_https_the_cookie_is_host_prefixed_secure_and_host_only(http_portal):
    client, session = http_portal("https://portal.example.com")
    register(session)
    cookie = _session_cookie(_complete(client, session, "ada@example.com"))
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert cookie.startswith("__Host-portal_session=")
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(a.startswith("domain") for a in attributes)
    assert f"max-age={336 * 3600}" in attributes  # a customer's default
    # The route that reads it and the logout that clears it use the same name.
    raw = cookie.split(";")[0].split("=", 1)[1]
    client.cookies.set("__Host-portal_session", raw)
    response = client.post(routes.AUTH_LOGOUT, headers={"origin": "https://portal.example.com"},
                           follow_redirects=False)
    assert _session_cookie(response).startswith("__Host-portal_session=\"\"")
    session.expire_all()
    assert sessions.resolve(session, raw) is None


def test_over_plain_http_the_cookie_keeps_its_name(http_portal):
    client, session = http_portal(LOCAL)
    register(session)
    cookie = _session_cookie(_complete(client, session, "ada@example.com"))
    assert cookie.startswith("portal_session=") and "secure" not in cookie.lower()


def test_a_staff_cookie_lasts_twelve_hours(http_portal):
    client, session = http_portal(LOCAL)
    user, _ = staff.create_admin(session, email="root@example.com", name="Root", password=PASSWORD)
    session.commit()
    _, root = sign_in(session, "root@example.com")
    enable_mfa(session, root)
    cookie = _session_cookie(_complete(client, session, "root@example.com"))
    assert "max-age=43200" in cookie.lower()
