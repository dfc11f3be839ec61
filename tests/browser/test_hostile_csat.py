"""Satisfaction ratings and the support report under a hostile client
(Reflex's websocket spoken directly): every new handler (`TicketState.rate`,
`SupportReportState.load`, `set_period`, `go_to`) called without a session,
on another organisation's request (its number in the route data, which the
client writes), by a customer on their own open request, with extra fields
(`score` as a number, `org_id`, `rated_by_id`, `ticket_id`) and wrong types;
and the report asked for by customers and by staff who do not work tickets.
Nothing is stored that should not be, and no rating or comment reaches
anyone who may not see it."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import Ticket, TicketRating, User
from portal_app.services import csat, tickets
from portal_app.services.demo import DEMO_STAFF_EMAIL
from portal_app.state.csat import SupportReportState
from portal_app.state.tickets import TicketState
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.browser.test_hostile_tickets import _route
from tests.ws_client import ReflexClient, handler_name

SECRET_COMMENT = "Victim's rating: the agent was rude"
REPORT = "/staff/support-report"
RATE = handler_name(TicketState, "rate")


def _closed_request(portal, prefix: str, *, rate: bool = False) -> tuple[str, int, int]:
    """A customer with a request they closed (rated by them when `rate`): (cookie, number, ticket id)."""
    cookie, _, customer = _person(portal, prefix)
    with portal_session(portal) as session:
        category = tickets.categories(session)[3].id
        ticket = tickets.do_raise(session, customer, customer.current.org_id, category=category,
                                  subject=f"{prefix} request", body="x")
        tickets.do_close(session, customer, ticket.number)
        if rate:
            csat.do_rate(session, customer, ticket.number, score=1, comment=SECRET_COMMENT)
        session.commit()
        return cookie, ticket.number, ticket.id


def _open_request(portal, cookie_prefix: str) -> tuple[str, int, int]:
    cookie, _, customer = _person(portal, cookie_prefix)
    with portal_session(portal) as session:
        category = tickets.categories(session)[3].id
        ticket = tickets.do_raise(session, customer, customer.current.org_id, category=category,
                                  subject=f"{cookie_prefix} open", body="x")
        session.commit()
        return cookie, ticket.number, ticket.id


def _ratings(portal) -> list[tuple]:
    with portal_session(portal) as session:
        return sorted((r.ticket_id, r.score, r.comment, r.rated_by_id, r.changed_at)
                      for r in session.exec(select(TicketRating)).all())


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def _every_call(client: ReflexClient, number: object) -> None:
    route = _route(number)
    client.call(handler_name(TicketState, "load"), {}, router_path=route)
    for form in ({"score": "5", "comment": "pwned"}, {"score": 1}, {"score": "1", "comment": "x" * 3000}):
        client.call(RATE, {"form": form}, router_path=route)
    client.call(handler_name(SupportReportState, "load"), {}, router_path=REPORT)
    client.call(handler_name(SupportReportState, "set_period"), {"period": "90"}, router_path=REPORT)
    client.call(handler_name(SupportReportState, "go_to"), {"page": 2}, router_path=REPORT)


def _report_state(client: ReflexClient) -> dict:
    return client.state().get(SupportReportState.get_full_name(), {})


def test_nobody_another_organisation_and_customers_get_nothing(portal):
    _, victim, _ = _closed_request(portal, "ratingvictim", rate=True)
    thief_cookie, own_open, _ = _open_request(portal, "ratingthief")
    before = _ratings(portal)
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate(_route(victim))
            for number in (victim, f"T-{victim}", f"{victim} OR 1=1", "", own_open):
                _every_call(client, number)
            report = _report_state(client)
            assert report.get("figures_rx_state_", {}) == {} and report.get("comments_rx_state_", []) == []
            page = client.state().get(TicketState.get_full_name(), {})
            assert page.get("can_rate_rx_state_", False) is False
            assert SECRET_COMMENT not in _leaked(client)
    assert _ratings(portal) == before


def test_an_open_request_cannot_be_rated_and_says_why(portal):
    cookie, number, ticket_id = _open_request(portal, "ratingtooearly")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(_route(number))
        client.call(handler_name(TicketState, "load"), {})
        assert client.state()[TicketState.get_full_name()]["can_rate_rx_state_"] is False
        client.call(RATE, {"form": {"score": "5"}})
        errors = client.state()[TicketState.get_full_name()]["rating_errors_rx_state_"]
        assert errors == {"score": "You can rate a request once it is resolved or closed."}
    assert all(r[0] != ticket_id for r in _ratings(portal))


def test_extra_fields_and_wrong_types_change_nothing_they_should_not(portal):
    cookie, number, ticket_id = _closed_request(portal, "ratingforger")
    _, other, other_id = _closed_request(portal, "ratingother")
    with portal_session(portal) as session:
        staff_id = session.exec(select(User.id).where(User.email == DEMO_STAFF_EMAIL)).one()
    route = _route(number)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(route)
        client.call(handler_name(TicketState, "load"), {})
        assert client.state()[TicketState.get_full_name()]["can_rate_rx_state_"] is True
        state = TicketState.get_full_name()
        for form, field in (({"score": "0"}, "score"), ({"score": "6"}, "score"), ({"score": ""}, "score"),
                            ({"score": ["5"]}, "score"), ({"score": True}, "score"), ({"score": "4.5"}, "score"),
                            ({"score": " 5"}, "score"), ({"score": "5", "comment": ["a"]}, "comment"),
                            ({"score": "5", "comment": "x" * 2001}, "comment")):
            client.call(RATE, {"form": form})
            assert field in client.state()[state]["rating_errors_rx_state_"], form
        client.call(RATE, {"form": "score=5"})  # not a form: nothing chosen
        assert all(r[0] != ticket_id for r in _ratings(portal))
        # An extra argument to the handler itself is refused before anything runs.
        client.call(RATE, {"form": {"score": "5"}, "ticket_id": other_id})
        # Fields the form does not have are ignored: the request is the page's, the rater the person.
        client.call(RATE, {"form": {"score": "3", "comment": "<b>ok</b>", "org_id": "1", "ticket_id": str(other_id),
                                    "rated_by_id": str(staff_id), "number": str(other)}})
        assert client.state()[state]["rating_rx_state_"]["score"] == "3"
        assert client.state()[state]["rating_rx_state_"]["comment"] == "<b>ok</b>"
    with portal_session(portal) as session:
        rows = session.exec(select(TicketRating)).all()
        mine = [r for r in rows if r.ticket_id == ticket_id]
        assert [(r.score, r.comment) for r in mine] == [(3, "<b>ok</b>")]
        assert mine[0].rated_by_id != staff_id
        assert all(r.ticket_id != other_id for r in rows)
        assert session.get(Ticket, ticket_id).status == "closed"


def test_the_report_is_for_staff_who_work_tickets_and_takes_only_its_periods(portal):
    _, number, _ = _closed_request(portal, "ratingreport", rate=True)
    billing_cookie, _ = _staff_cookie(portal, "billing")
    with ReflexClient(portal.url, cookie=billing_cookie) as client:
        client.hydrate(REPORT)
        client.call(handler_name(SupportReportState, "load"), {})
        client.call(handler_name(SupportReportState, "set_period"), {"period": "7"})
        assert _report_state(client).get("comments_rx_state_", []) == []
        assert SECRET_COMMENT not in _leaked(client)
    agent_cookie, _ = _staff_cookie(portal, "agent")
    with ReflexClient(portal.url, cookie=agent_cookie) as client:
        client.hydrate(REPORT)
        client.call(handler_name(SupportReportState, "load"), {})
        assert SECRET_COMMENT in json.dumps(_report_state(client)["comments_rx_state_"])
        for junk in ("365", 7, None, ["7"], "7; DROP TABLE ticket_ratings", {"days": 7}):
            client.call(handler_name(SupportReportState, "set_period"), {"period": junk})
            assert _report_state(client)["period_rx_state_"] == "30", junk
        client.call(handler_name(SupportReportState, "set_period"), {"period": "7"})
        assert _report_state(client)["period_rx_state_"] == "7"
        client.call(handler_name(SupportReportState, "go_to"), {"page": "2; DROP TABLE tickets"})
        client.call(handler_name(SupportReportState, "set_period"), {"period": "7", "org_id": 1})  # refused
        assert _report_state(client)["period_rx_state_"] == "7"
    with portal_session(portal) as session:
        assert session.exec(select(TicketRating)).first() is not None
