"""What anonymous callers learn, decided on purpose (see api/app.py and the
README): health says only ok/degraded; the OpenAPI document is for signed-in
staff with two-step verification; interactive docs do not exist."""

from __future__ import annotations

import pytest

from portal_app.services import sessions, staff
from tests.factories import PASSWORD, enable_mfa, register, sign_in


@pytest.fixture
def portal(http_portal):
    client, session = http_portal()
    register(session)
    customer, _ = sign_in(session)
    staff.create_admin(session, email="root@example.com", name="Root", password=PASSWORD)
    session.commit()
    root_raw, root = sign_in(session, "root@example.com")
    return client, session, customer, root_raw, root


def _as(client, raw: str | None):
    client.cookies.clear()
    if raw:
        client.cookies.set(sessions.cookie_name(), raw)
    return client


def test_health_tells_anonymous_callers_only_ok(portal):
    client, _, customer, _, _ = portal
    for raw in (None, customer):
        response = _as(client, raw).get("/api/health")
        assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_health_gives_staff_the_schema_revision(portal):
    client, session, _, root_raw, root = portal
    enable_mfa(session, root)
    assert _as(client, root_raw).get("/api/health").json()["schema"]


def test_openapi_is_for_staff_with_two_step_verification_only(portal):
    client, session, customer, root_raw, root = portal
    for raw in (None, customer, root_raw):  # root has not set up two-step verification yet
        assert _as(client, raw).get("/api/openapi.json").status_code == 404
    enable_mfa(session, root)
    document = _as(client, root_raw).get("/api/openapi.json")
    assert document.status_code == 200 and "/api/health" in document.json()["paths"]
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert _as(client, None).get(path).status_code == 404
