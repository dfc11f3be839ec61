"""The quote handlers under a hostile client (Reflex's websocket spoken
directly): no session and another organisation get nothing of a quote and
change nothing; customers and staff agents cannot use the staff's editor;
the owner's answers take only what the form has (no version, price,
status, org or address from the payload), with wrong types and bad
signatures refused next to their fields."""

from __future__ import annotations

import json
from datetime import timedelta

from portal_app.models.quotes import Quote
from portal_app.models import Invoice
from portal_app.services import quotes
from portal_app.state.quotes import QuoteEditorState, QuotesState, QuoteState, StaffQuotesState
from sqlmodel import select
from tests import factories
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.ws_client import ReflexClient, handler_name

SECRET = "Victim's confidential quote terms"


def _victim(portal, prefix: str) -> tuple[str, int, int]:
    """A new organisation with a sent quote: (its owner's cookie, org id, quote id)."""
    cookie, _, victim = _person(portal, prefix)
    with portal_session(portal) as session:
        staff = factories.staff_admin(session, email=f"quo-{prefix}-{victim.user_id}@example.com", name="Quo")
        quote = quotes.do_create_draft(session, staff, victim.current.org_id, title="Q",
                                       lines=[{"description": "Work", "unit_price": "100"}], terms=SECRET,
                                       valid_until=(quotes.today() + timedelta(days=9)).isoformat())
        quotes.do_send(session, staff, quote.id)
        session.commit()
        return cookie, victim.current.org_id, quote.id


def _route(quote_id: object) -> str:
    return f"/quotes/[quote_id]?quote_id={quote_id}"


def _row(portal, quote_id: int) -> tuple:
    with portal_session(portal) as session:
        quote = session.get(Quote, quote_id)
        invoices = session.exec(select(Invoice.id).where(Invoice.org_id == quote.org_id)).all()
        return (quote.org_id, quote.status, quote.version, quote.accepted_name, quote.accepted_ip,
                quote.decline_reason, len(invoices))


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def _customer_calls(client: ReflexClient, quote_id: object) -> None:
    route = _route(quote_id)
    call = lambda name, payload: client.call(handler_name(QuoteState, name), payload, router_path=route)  # noqa: E731
    call("load", {})
    call("accept", {"form": {"full_name": "Thief", "agree": "on"}})
    call("decline", {"form": {"reason": "other"}})
    call("request_changes", {"form": {"changes": "give it to me"}})
    client.call(handler_name(QuotesState, "load"), {}, router_path="/quotes")


def _staff_calls(client: ReflexClient, org_id: object, quote_id: object) -> None:
    route = f"/staff/quotes/edit?id={quote_id}"
    call = lambda name, payload: client.call(handler_name(QuoteEditorState, name), payload,  # noqa: E731
                                             router_path=route)
    client.call(handler_name(StaffQuotesState, "load"), {}, router_path="/staff/quotes")
    client.call(handler_name(StaffQuotesState, "apply"), {"form": {"status": "sent", "org": ""}},
                router_path="/staff/quotes")
    call("load", {})
    call("add_line", {})
    call("save", {"form": {"org": str(org_id), "title": "T", "terms": "X", "valid_until": "2099-01-01",
                           "line-1-description": "Free", "line-1-unit_price": "0"}})
    call("send", {})
    call("delete", {})


def test_nobody_and_another_organisation_get_nothing(portal):
    _, org_id, quote_id = _victim(portal, "quovictim")
    thief_cookie, _, _ = _person(portal, "quothief")
    before = _row(portal, quote_id)
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/quotes")
            for wanted in (str(quote_id), f"{quote_id} OR 1=1", "", "0", "-1", "9" * 30):
                _customer_calls(client, wanted)
                state = client.state().get(QuoteState.get_full_name(), {})
                assert state.get("found_rx_state_", False) is False
            _staff_calls(client, org_id, quote_id)
            assert SECRET not in _leaked(client)
    assert _row(portal, quote_id) == before


def test_customers_and_agents_cannot_use_the_staff_editor(portal):
    cookie, org_id, quote_id = _victim(portal, "quocustomer")
    before = _row(portal, quote_id)
    agent_cookie, _ = _staff_cookie(portal, "agent")
    for who in (cookie, agent_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/staff/quotes/edit")
            _staff_calls(client, org_id, quote_id)
    with ReflexClient(portal.url, cookie=agent_cookie) as client:  # staff answer no customer's quote
        client.hydrate("/quotes")
        _customer_calls(client, quote_id)
    assert _row(portal, quote_id) == before
    with portal_session(portal) as session:
        assert len(session.exec(select(Quote).where(Quote.org_id == org_id)).all()) == 1


def test_the_owner_answers_only_with_what_the_form_has(portal):
    cookie, org_id, quote_id = _victim(portal, "quoowner")
    _, other_org, other_id = _victim(portal, "quoother")
    state = QuoteState.get_full_name()
    route = _route(quote_id)
    call = lambda client, name, payload: client.call(handler_name(QuoteState, name), payload,  # noqa: E731
                                                     router_path=route)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(route)
        call(client, "load", {})
        assert client.state()[state]["found_rx_state_"] is True
        assert client.state()[state]["may_answer_rx_state_"] is True
        for form, field in (({"full_name": "", "agree": "on"}, "full_name"),
                            ({"full_name": ["A"], "agree": "on"}, "full_name"),
                            ({"full_name": "x" * 201, "agree": "on"}, "full_name"),
                            ({"full_name": "Olive", "agree": ""}, "agree"),
                            ({"full_name": "Olive", "agree": "yes"}, "agree"),
                            ({"full_name": "Olive", "agree": "on", "signature": "data:image/png;base64,AAAA"},
                             "signature"),
                            ({"full_name": "Olive", "agree": "on", "signature": "data:image/svg+xml;base64,PHN2Zz4="},
                             "signature"),
                            ({"full_name": "Olive", "agree": "on", "signature": ["x"]}, "signature")):
            call(client, "accept", {"form": form})
            assert field in client.state()[state]["errors_rx_state_"], form
        call(client, "accept", {"form": "full_name=x"})  # not a form
        call(client, "accept", {"form": {"full_name": "Olive"}, "quote_id": other_id})  # extra argument: refused
        for form, field in (({"reason": "bored"}, "reason"), ({"reason": ["other"]}, "reason"),
                            ({"reason": "other", "comment": "x" * 1001}, "comment")):
            call(client, "decline", {"form": form})
            assert field in client.state()[state]["errors_rx_state_"], form
        for changes in ("", ["x"], "x" * 1001, None):
            call(client, "request_changes", {"form": {"changes": changes}})
            assert "changes" in client.state()[state]["errors_rx_state_"], changes
        assert _row(portal, quote_id)[1] == "sent"
        call(client, "accept", {"form": {"full_name": "<b>Olive</b> Owner", "agree": "on", "version": "99",
                                         "status": "declined", "org_id": str(other_org), "ip": "1.2.3.4",
                                         "total": "0", "accepted_hash": "0" * 64}})
        assert client.state()[state]["quote_rx_state_"]["status_key"] == "accepted"
    org, status, version, name, ip, reason, invoices = _row(portal, quote_id)
    assert (org, status, version, name, reason, invoices) == (org_id, "accepted", 1, "<b>Olive</b> Owner", "", 1)
    assert ip != "1.2.3.4"
    assert _row(portal, other_id)[1] == "sent"


def test_billing_staff_write_only_what_the_editor_has(portal):
    _, org_id, quote_id = _victim(portal, "quostaff")
    cookie, _ = _staff_cookie(portal, "billing")
    state = QuoteEditorState.get_full_name()
    new, edit = "/staff/quotes/edit", f"/staff/quotes/edit?id={quote_id}"
    call = lambda client, name, payload, route: client.call(handler_name(QuoteEditorState, name), payload,  # noqa: E731
                                                            router_path=route)
    until = (quotes.today() + timedelta(days=30)).isoformat()
    form = {"org": str(org_id), "title": "Roof", "terms": "Net 30.", "valid_until": until,
            "line-1-description": "Tiles", "line-1-quantity": "2", "line-1-unit_price": "10",
            "line-1-tax_rate": "20", "currency": "JPY", "status": "accepted", "number": "QUO-1999-0001",
            "total": "0", "org_id": "1", "line-1-net": "0"}
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(new)
        call(client, "load", {}, new)
        assert client.state()[state]["allowed_rx_state_"] is True
        for bad, field in (({"title": ""}, "title"), ({"valid_until": "yesterday"}, "valid_until"),
                           ({"line-1-unit_price": ["1"]}, "line-1-unit_price"),
                           ({"line-1-product_id": "99999999"}, "line-1-product_id")):
            call(client, "save", {"form": {**form, **bad}}, new)
            assert field in client.state()[state]["errors_rx_state_"], bad
        call(client, "save", {"form": {**form, "org": "99999999"}}, new)
        assert client.state()[state]["error_rx_state_"] == "Organisation not found."
        call(client, "save", {"form": form}, new)
    with ReflexClient(portal.url, cookie=cookie) as client:  # the sent quote's editor revises it: a new version
        client.hydrate(edit)
        call(client, "load", {}, edit)
        assert client.state()[state]["status_rx_state_"] == "sent"
        call(client, "save", {"form": {**form, "title": "Revised"}}, edit)
        call(client, "send", {}, edit)  # only drafts are sent: nothing happens to a sent quote
        call(client, "delete", {}, edit)  # nor is a sent quote ever deleted
    with portal_session(portal) as session:
        made = session.exec(select(Quote).where(Quote.org_id == org_id).order_by(Quote.id)).all()
        assert [(q.status, q.number is None, q.currency, q.version) for q in made] == [
            ("sent", False, "GBP", 2), ("draft", True, "GBP", 1)]
        assert made[0].title == "Revised"
        assert quotes.current_version(session, made[1]).total == 2400
