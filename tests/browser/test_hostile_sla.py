"""The staff admins' SLA handlers under a hostile client (Reflex's
websocket spoken directly): without a session, as a customer, as a staff
agent (not an admin), and as a staff admin with payloads of the wrong shape
or type and extra fields. Nothing changes until a staff admin sends a
well-formed form; nobody else even sees the settings."""

from __future__ import annotations

from sqlmodel import select

from portal_app.models import AuditEvent, BusinessHours, Holiday, SlaPolicy, User
from portal_app.services import sessions, staff
from portal_app.services.principal import principal_for_user
from portal_app.state.sla import SlaAdminState
from tests import factories
from tests.browser.accounts_helpers import portal_session, unique_email
from tests.ws_client import ReflexClient, handler_name

STATE = SlaAdminState.get_full_name()
WEEK = {f"day-{d}-{k}": v for d in range(7) for k, v in (("opens", "08:00"), ("closes", "20:00"))}


def _settings(portal) -> tuple:
    with portal_session(portal) as session:
        return (sorted((p.org_id or 0, p.priority, p.first_response_minutes, p.resolution_minutes)
                       for p in session.exec(select(SlaPolicy)).all()),
                sorted((h.weekday, h.opens_minute, h.closes_minute) for h in session.exec(select(BusinessHours)).all()),
                sorted((h.day, h.name) for h in session.exec(select(Holiday)).all()),
                len(session.exec(select(AuditEvent.id).where(AuditEvent.action.like("sla.%"))).all()))


def _staff_cookie(portal, role: str) -> str:
    address = unique_email(f"sla{role}")
    with portal_session(portal) as session:
        user, _ = staff.create_admin(session, email=address, name=f"SLA {role}", password=factories.PASSWORD)
        user.staff_role = role
        session.add(user)
        session.commit()
        factories.enable_mfa(session, principal_for_user(session, session.get(User, user.id), None))
        raw, _ = factories.sign_in(session, address)
    return f"{sessions.COOKIE_BASE_NAME}={raw}"


def _holiday_id(portal) -> int:
    with portal_session(portal) as session:
        found = session.exec(select(Holiday).where(Holiday.name == "Hostile test day")).first()
        if found is None:
            from datetime import date
            found = Holiday(day=date(2031, 5, 5), name="Hostile test day")
            session.add(found)
            session.commit()
        return found.id


def _everything(client: ReflexClient, holiday_id: int) -> None:
    call = lambda name, payload: client.call(handler_name(SlaAdminState, name), payload)  # noqa: E731
    call("load", {})
    call("save_policy", {"form": {"priority": "urgent", "first_response": "1", "resolution": "2"}})
    call("add_override", {"form": {"org": "1", "priority": "urgent", "first_response": "1", "resolution": "2"}})
    call("remove_override", {"org_id": "1", "priority": "urgent"})
    call("save_hours", {"form": WEEK})
    call("add_holiday", {"form": {"day": "2031-01-01", "name": "Pwned"}})
    call("remove_holiday", {"holiday_id": str(holiday_id)})


def test_nobody_customers_and_agents_change_nothing_and_see_nothing(portal):
    holiday_id = _holiday_id(portal)
    before = _settings(portal)
    customer = unique_email("slacustomer")
    with portal_session(portal) as session:
        factories.register(session, customer, company="SLA Curious Ltd", name="Curious")
        raw, _ = factories.sign_in(session, customer)
    for cookie in (None, f"{sessions.COOKIE_BASE_NAME}={raw}", _staff_cookie(portal, "agent")):
        with ReflexClient(portal.url, cookie=cookie) as client:
            client.hydrate("/staff/sla")
            _everything(client, holiday_id)
            state = client.state().get(STATE, {})
            assert state.get("policies_rx_state_", []) == [] and state.get("holidays_rx_state_", []) == []
    assert _settings(portal) == before


def test_a_staff_admin_with_bad_payloads_changes_nothing_then_a_good_form_works(portal):
    holiday_id = _holiday_id(portal)
    before = _settings(portal)
    call_names = {n: handler_name(SlaAdminState, n) for n in (
        "load", "save_policy", "add_override", "remove_override", "save_hours", "add_holiday", "remove_holiday")}
    with ReflexClient(portal.url, cookie=_staff_cookie(portal, "admin")) as client:
        client.hydrate("/staff/sla")
        client.call(call_names["load"], {})
        assert len(client.state()[STATE]["policies_rx_state_"]) == 4
        for payload in ({"form": "priority=urgent&first_response=1"}, {"form": {"priority": ["urgent"],
                        "first_response": "1", "resolution": "2"}},
                        {"form": {"priority": "urgent", "first_response": 1.5, "resolution": "2"}},
                        {"form": {"priority": "urgent", "first_response": "-5", "resolution": "2"}},
                        {"form": {"priority": "urgent", "first_response": "1", "resolution": "2"}, "org_id": 1}):
            client.call(call_names["save_policy"], payload)
        for payload in ({"form": {"org": True, "priority": "low", "first_response": "1", "resolution": "2"}},
                        {"form": {"org": "999999", "priority": "low", "first_response": "1", "resolution": "2"}},
                        {"form": {"org": {"id": 1}, "priority": "low", "first_response": "1", "resolution": "2"}}):
            client.call(call_names["add_override"], payload)
        for payload in ({"org_id": 1, "priority": "low"}, {"org_id": "1 OR 1=1", "priority": "low"},
                        {"org_id": "1", "priority": {"$ne": ""}}, {"org_id": "1"}):
            client.call(call_names["remove_override"], payload)
        for payload in ({"form": {**WEEK, "day-0-opens": "25:00"}}, {"form": {**WEEK, "day-3-closes": ["x"]}},
                        {"form": {f"day-{d}-closed": "on" for d in range(7)}}, {"form": []}):
            client.call(call_names["save_hours"], payload)
        for payload in ({"form": {"day": "2031-13-01", "name": "x"}}, {"form": {"day": "2031-01-01", "name": ""}},
                        {"form": {"day": {"y": 2031}, "name": "x"}}, {"form": {"day": "2031-01-01"}, "id": 1}):
            client.call(call_names["add_holiday"], payload)
        for payload in ({"holiday_id": holiday_id}, {"holiday_id": "-1"}, {"holiday_id": [str(holiday_id)]},
                        {"holiday_id": "9" * 40}):
            client.call(call_names["remove_holiday"], payload)
        assert _settings(portal) == before
        errors = client.state()[STATE]["errors_rx_state_"]
        assert errors  # the last bad form's message stands next to its field
        client.call(call_names["add_holiday"], {"form": {"day": "2031-01-02", "name": "Well formed"}})
    after = _settings(portal)
    assert after[2] == sorted([*before[2], (__import__("datetime").date(2031, 1, 2), "Well formed")])
    assert after[3] == before[3] + 1
