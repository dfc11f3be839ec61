"""The List-Unsubscribe address over HTTP: a mail client's one-click POST
works with no session and no Origin; a GET (a scanner prefetching, a person
clicking) changes nothing and leads to the confirmation page; a tampered
link is refused as problem+json, and nothing changes."""

from __future__ import annotations

from sqlmodel import select

from portal_app import routes
from portal_app.models import NotificationPreference, User
from portal_app.services import notifications
from tests.factories import register

LOCAL = "http://localhost:3000"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _bob(http_portal):
    client, session = http_portal(LOCAL)
    register(session, "bob@example.com", name="Bob")
    user = session.exec(select(User).where(User.email == "bob@example.com")).one()
    return client, session, user


def _prefs(session, user_id: int) -> dict[str, str]:
    session.expire_all()
    return {p.event: p.channel for p in session.exec(select(NotificationPreference).where(
        NotificationPreference.user_id == user_id)).all()}


def test_one_click_post_needs_no_session(http_portal):
    client, session, bob = _bob(http_portal)
    token = notifications.unsubscribe_token(bob.id, "new_device")
    response = client.post(routes.UNSUBSCRIBE_API, params={"token": token}, data=ONE_CLICK)
    assert response.status_code == 200
    assert response.json()["detail"] == "You will no longer get emails about \u201cSign-ins from a new device\u201d."
    assert _prefs(session, bob.id) == {"new_device": "in_app"}


def test_a_get_changes_nothing_and_leads_to_the_confirmation_page(http_portal):
    client, session, bob = _bob(http_portal)
    token = notifications.unsubscribe_token(bob.id, "new_device")
    response = client.get(routes.UNSUBSCRIBE_API, params={"token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{routes.UNSUBSCRIBE}?token={token}"
    assert _prefs(session, bob.id) == {}


def test_a_tampered_link_is_refused_and_changes_nothing(http_portal):
    client, session, bob = _bob(http_portal)
    token = notifications.unsubscribe_token(bob.id, "new_device")
    for bad in (token[:-2], token.replace("new_device", "role_changed"), "", f"{bob.id + 1}{token[1:]}"):
        response = client.post(routes.UNSUBSCRIBE_API, params={"token": bad}, data=ONE_CLICK)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "bad_link" and "not valid" in response.json()["detail"]
    assert _prefs(session, bob.id) == {}
