"""Every PortalError a route raises is answered by one exception handler as
RFC 9457 problem details (`application/problem+json`)."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest

from portal_app import routes
from portal_app.api.app import api
from portal_app.api.problems import PROBLEM_JSON, portal_error_handler, problem_response
from portal_app.services import sessions
from portal_app.services.accounts import LoginFailed
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound, PortalError, TooLarge, Unauthenticated
from portal_app.services.throttle import RateLimited
from tests.factories import register, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.mark.parametrize(("err", "status", "title", "code", "field"), [
    (PortalError("Something is wrong."), 400, "Bad Request", "error", None),
    (Invalid("Enter a name.", field="name"), 422, HTTPStatus(422).phrase, "invalid", "name"),
    (NotFound("No such thing."), 404, "Not Found", "not_found", None),
    (Forbidden("Staff only.", code=ErrorCode.STAFF_ONLY), 403, "Forbidden", "staff_only", None),
    (Unauthenticated("Sign in first."), 401, "Unauthorized", "unauthenticated", None),
    (TooLarge("That upload is too large."), 413, HTTPStatus(413).phrase, "too_large", None),
    (LoginFailed("The email or password is not right."), 401, "Unauthorized", "login_failed", None),
])
def test_each_error_class_becomes_problem_details(err, status, title, code, field):
    response = problem_response(err)
    assert response.status_code == status
    assert response.media_type == PROBLEM_JSON
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["cache-control"] == "no-store"
    assert json.loads(response.body) == {"type": "about:blank", "title": title, "status": status,
                                         "detail": err.message, "code": code, "field": field}


def test_a_rate_limit_says_when_to_retry():
    response = problem_response(RateLimited(30))
    body = json.loads(response.body)
    assert response.status_code == 429 and body["code"] == "rate_limited" and "30 seconds" in body["detail"]
    assert response.headers["retry-after"] == "30"


def test_the_handler_is_registered_on_the_api_for_every_portal_error():
    assert api.exception_handlers[PortalError] is portal_error_handler


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["type"] == "about:blank"
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_routes_answer_problem_json(http_portal):
    client, session = http_portal()
    register(session)
    raw, ada = sign_in(session)
    session.commit()
    logo = f"/api/organizations/{ada.current.org_id}/logo"
    ours = {"origin": "http://localhost:3000", "content-type": "application/octet-stream"}
    _problem(client.get(logo), 401, "unauthenticated")
    _problem(client.get("/api/branding/logo"), 404, "not_found")
    _problem(client.post(routes.AUTH_LOGOUT, headers={"origin": "https://evil.example"}), 403, "cross_origin")
    _problem(client.post(logo, content=PNG, headers={"origin": "https://evil.example"}), 403, "bad_origin")
    _problem(client.post(logo, content=PNG, headers=ours), 401, "unauthenticated")
    client.cookies.set(sessions.cookie_name(), raw)
    _problem(client.get(logo), 404, "not_found")  # no logo yet
    _problem(client.get("/api/organizations/999999/logo"), 404, "not_found")
    body = _problem(client.post(logo, content=b"", headers=ours), 422, "invalid")
    assert body["detail"] == "Choose an image file."
    done = client.post(logo, content=PNG, headers=ours)
    assert done.status_code == 200 and done.json() == {"ok": True, "message": "Logo updated."}


def test_the_middlewares_in_front_of_the_app_answer_problem_json_too(http_portal):
    from fastapi.testclient import TestClient

    from portal_app.api.body_limit import body_limit
    from portal_app.api.reflex_upload import refuse_reflex_upload

    http_portal()
    client = TestClient(refuse_reflex_upload(body_limit(api, limit=10)))
    too_large = client.post("/api/organizations/1/logo", content=b"x" * 11)
    assert _problem(too_large, 413, "too_large")["detail"] == "That upload is too large."
    _problem(client.post("/_upload", content=b"x"), 404, "not_found")
