"""Security found by probing the running portal, each with the test that
would have caught it: a strict CSP that still lets pages and events work,
logout that another site cannot trigger, and staff two-step verification."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from portal_app.services import staff
from portal_app.services.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD, DEMO_STAFF_EMAIL
from tests.browser.accounts_helpers import PASSWORD, portal_session, set_up_mfa, sign_in, sign_out, unique_email


def _watch_console(page) -> list[str]:
    """Every console error and uncaught page error, CSP violations included
    (Chromium reports "Refused to execute inline script ..." as a console error)."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(f"pageerror: {err}"))
    return problems


def test_pages_send_a_script_policy_without_unsafe_inline(portal):
    csp = httpx.get(portal.url + "/sign-in").headers["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert any(s.startswith("'sha256-") for s in script_src)
    assert "base-uri 'none'" in csp and "object-src 'none'" in csp


def test_strict_csp_keeps_pages_events_and_call_script_working(portal, page):
    problems = _watch_console(page)
    page.goto(portal.url + "/sign-in")
    # The form shows once an event resolved the session: hydration + websocket.
    expect(page.get_by_label("Email", exact=True)).to_be_visible()
    _, _, alice = DEMO_ORGANIZATIONS[0]
    sign_in(page, portal.url, alice, DEMO_PASSWORD)  # an event, then call_script to /auth/complete
    page.goto(portal.url + "/account/security")
    expect(page.get_by_role("list", name="Sessions").get_by_text("This device")).to_be_visible()  # loaded by an event
    sign_out(page)  # call_script submitting the logout form
    assert problems == []


def test_sign_out_ends_the_session_through_the_logout_form(portal, page):
    address = unique_email("leaver")
    with portal_session(portal) as session:
        from tests import factories
        factories.register(session, address, company="Leaver Ltd", name="Lee Leaver")
    sign_in(page, portal.url, address)
    with page.expect_request(lambda r: r.url.endswith("/auth/logout")) as logout:
        page.get_by_role("button", name="Sign out").first.click()
    assert logout.value.method == "POST"
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"].endswith("portal_session")]
    page.goto(portal.url + "/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))


def test_another_site_cannot_sign_people_out(portal, page, page_errors):
    # The attacking page's requests are refused on purpose (CORS, 403); the browser logs them.
    page_errors.allow(r"^console error on http://evil\.test/")
    page_errors.allow(r"/auth/logout: Failed to load resource: .* 403 \(Forbidden\)")
    address = unique_email("target")
    with portal_session(portal) as session:
        from tests import factories
        factories.register(session, address, company="Target Ltd", name="Tia Target")
    sign_in(page, portal.url, address)
    logout = f"{portal.url}/auth/logout"
    # A page on another origin: an image, a link and an auto-submitting form at the logout route.
    page.route("http://evil.test/**", lambda route: route.fulfill(content_type="text/html", body=f"""
        <img src="{logout}"><a id="go" href="{logout}">win a prize</a>
        <form id="f" method="post" action="{logout}"></form>
        <script>document.getElementById('f').submit()</script>"""))
    with page.expect_response(lambda r: r.url == logout and r.request.method == "POST") as answer:
        page.goto("http://evil.test/prize")
    assert answer.value.status == 403
    page.unroute("http://evil.test/**")
    page.route("http://evil.test/**", lambda route: route.fulfill(
        content_type="text/html", body=f'<a id="go" href="{logout}">win a prize</a>'))
    page.goto("http://evil.test/again")
    page.click("#go")  # a top-level GET carries the SameSite=Lax cookie: it must not sign out
    expect(page.get_by_role("heading", name="Hello, Tia Target")).to_be_visible()
    page.goto(portal.url + "/account/security")
    expect(page.get_by_role("list", name="Sessions").get_by_text("This device")).to_be_visible()


def test_new_staff_are_led_to_two_step_verification_before_the_back_office(portal, page):
    address = unique_email("agent")
    with portal_session(portal) as session:
        staff.create_admin(session, email=address, name="Nia New", password=PASSWORD)
        session.commit()
    page.goto(portal.url + "/sign-in")
    page.get_by_label("Email", exact=True).fill(address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/security"))
    expect(page.get_by_text("Staff accounts require two-step verification. Set it up to continue.")).to_be_visible()
    page.goto(portal.url + "/staff")
    expect(page).to_have_url(re.compile(r"/account/security"))
    set_up_mfa(page, portal, address)
    expect(page.get_by_text("Staff accounts require two-step verification, so it stays on.")).to_be_visible()
    page.goto(portal.url + "/staff")
    expect(page.get_by_role("list", name="Results").get_by_text("Acme Ltd")).to_be_visible()
    expect(page.get_by_text("Demo account: two-step verification not enforced")).to_have_count(0)


def test_the_demo_staff_admin_is_exempt_and_told_so(portal, page):
    sign_in(page, portal.url, DEMO_STAFF_EMAIL, DEMO_PASSWORD)
    page.goto(portal.url + "/staff")
    expect(page.get_by_text("Demo account: two-step verification not enforced")).to_be_visible()
    expect(page.get_by_role("list", name="Results").get_by_text("Acme Ltd")).to_be_visible()


def test_staff_without_two_step_verification_get_nothing_over_the_websocket(portal):
    """A hostile client skips the redirect to Security and calls the
    back-office handlers directly: the services refuse them all."""
    from sqlmodel import select

    from portal_app.models import User
    from portal_app.services import sessions
    from portal_app.state.staff import StaffState, OutboxState
    from tests import factories
    from tests.ws_client import ReflexClient, handler_name

    address = unique_email("fresh-admin")
    with portal_session(portal) as session:
        staff.create_admin(session, email=address, name="Fresh Admin", password=PASSWORD)
        session.commit()
        raw, principal = factories.sign_in(session, address)
    assert principal.needs_mfa_setup
    with ReflexClient(portal.url, cookie=f"{sessions.COOKIE_BASE_NAME}={raw}") as client:
        client.hydrate("/staff")
        for name, payload in ((handler_name(StaffState, "load"), {}),
                              (handler_name(StaffState, "search"), {"form": {"q": "@"}}),
                              (handler_name(OutboxState, "load"), {}),
                              (handler_name(StaffState, "add_staff"), {"form": {
                                  "name": "Sneaky", "email": "sneaky-staff@example.com", "role": "admin"}})):
            client.call(name, payload, router_path="/staff")
        state = client.state()
    assert state.get(StaffState.get_full_name(), {}).get("rows_rx_state_", []) == []
    assert state.get(OutboxState.get_full_name(), {}).get("rows_rx_state_", []) == []
    with portal_session(portal) as session:
        assert session.exec(select(User).where(User.email == "sneaky-staff@example.com")).first() is None
