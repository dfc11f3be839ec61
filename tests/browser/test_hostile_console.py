"""The agent console's canned replies and merging under a hostile client
(Reflex's websocket spoken directly): every new handler called without a
session, by a customer (on their own ticket's route and another
organisation's), by a staff agent who may use canned replies but not keep
them, and by a staff admin with extra fields and wrong types. Nothing
changes that should not, and no canned reply's text reaches anyone but
staff."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import CannedReply, Ticket
from portal_app.services import sessions, staff, tickets
from portal_app.services.principal import principal_for_user
from portal_app.state.canned_replies import CannedRepliesState, CannedReplyPickerState
from portal_app.state.ticket_merge import TicketMergeState
from tests import factories
from tests.browser.accounts_helpers import portal_session, unique_email
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_tickets import _route, _victim_ticket
from tests.ws_client import ReflexClient, handler_name

SECRET_BODY = "Internal script: offer the 50% retention discount"
PAGE = "/staff/canned-replies"
BOGUS = (None, 7, True, ["1"], {"id": 1}, "", "-1", "1 OR 1=1", "9" * 40)


def _staff_cookie(portal, role: str) -> tuple[str, int]:
    """A staff member of `role` with two-step verification: (cookie, user id)."""
    email = unique_email(f"hostile{role}")
    with portal_session(portal) as session:
        user, _ = staff.create_admin(session, email=email, name=f"Hostile {role}", password=factories.PASSWORD)
        user.staff_role = role
        session.add(user)
        session.commit()
        factories.enable_mfa(session, principal_for_user(session, user, None))
        raw, _ = factories.sign_in(session, email)
    return f"{sessions.COOKIE_BASE_NAME}={raw}", user.id


def _canned_reply(portal) -> int:
    with portal_session(portal) as session:
        reply = CannedReply(title=f"Retention {unique_email('r')}", body=SECRET_BODY)
        session.add(reply)
        session.commit()
        return reply.id


def _replies(portal) -> list[tuple]:
    with portal_session(portal) as session:
        return sorted((r.id, r.title, r.body, r.updated_by_id) for r in session.exec(select(CannedReply)).all())


def _tickets(portal, *numbers: int) -> list[tuple]:
    with portal_session(portal) as session:
        return [(t.status, t.merged_into_id, t.last_activity_at) for t in session.exec(
            select(Ticket).where(Ticket.number.in_(numbers)).order_by(Ticket.number)).all()]


def _customer_ticket(portal, prefix: str) -> tuple[str, int, int]:
    """A customer with two tickets of their own: (cookie, number, other number)."""
    cookie, _, customer = _person(portal, prefix)
    with portal_session(portal) as session:
        category = tickets.categories(session)[3].id
        one, two = (tickets.do_raise(session, customer, customer.current.org_id, category=category, subject=s,
                                     body="x") for s in ("Mine one", "Mine two"))
        session.commit()
        return cookie, one.number, two.number


def _everything(client: ReflexClient, reply_id: int, numbers: list[int], into: int) -> None:
    """Every new handler, with the ids a page would send."""
    client.call(handler_name(CannedRepliesState, "load"), {}, router_path=PAGE)
    client.call(handler_name(CannedRepliesState, "edit"), {"reply_id": str(reply_id)}, router_path=PAGE)
    client.call(handler_name(CannedRepliesState, "cancel_edit"), {}, router_path=PAGE)
    client.call(handler_name(CannedRepliesState, "save"), {"form": {"title": "Pwned", "body": "Pwned"}},
                router_path=PAGE)
    client.call(handler_name(CannedRepliesState, "delete"), {"reply_id": str(reply_id)}, router_path=PAGE)
    client.call(handler_name(CannedRepliesState, "go_to"), {"page": 2}, router_path=PAGE)
    for number in numbers:
        route = _route(number)
        client.call(handler_name(CannedReplyPickerState, "load"), {}, router_path=route)
        client.call(handler_name(CannedReplyPickerState, "choose"), {"reply_id": str(reply_id)}, router_path=route)
        client.call(handler_name(CannedReplyPickerState, "insert"), {}, router_path=route)
        client.call(handler_name(TicketMergeState, "set_open"), {"value": True}, router_path=route)
        client.call(handler_name(TicketMergeState, "check"), {"form": {"into": f"T-{into}"}}, router_path=route)
        client.call(handler_name(TicketMergeState, "merge"), {}, router_path=route)
        client.call(handler_name(TicketMergeState, "back"), {}, router_path=route)
        client.call(handler_name(TicketMergeState, "shown"), {}, router_path=route)


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def test_nobody_and_customers_get_nothing_from_the_console_handlers(portal):
    reply_id = _canned_reply(portal)
    victim, _, _ = _victim_ticket(portal)
    cookie, mine, other = _customer_ticket(portal, "consolecustomer")
    before_replies, before_tickets = _replies(portal), _tickets(portal, victim, mine, other)
    for who in (None, cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate(PAGE)
            _everything(client, reply_id, [mine, victim], other)
            _everything(client, reply_id, [other], mine)
            state = client.state()
            picker = state.get(CannedReplyPickerState.get_full_name(), {})
            merge = state.get(TicketMergeState.get_full_name(), {})
            assert picker.get("options_rx_state_", []) == [] and picker.get("chosen_rx_state_", "") == ""
            assert merge.get("confirming_rx_state_", False) is False and merge.get("plan_rx_state_", {}) == {}
            assert state.get(CannedRepliesState.get_full_name(), {}).get("rows_rx_state_", []) == []
            assert SECRET_BODY not in _leaked(client) and "Retention" not in _leaked(client)
    assert _replies(portal) == before_replies
    assert _tickets(portal, victim, mine, other) == before_tickets


def test_an_agent_uses_canned_replies_but_cannot_keep_them(portal):
    reply_id = _canned_reply(portal)
    cookie, _ = _staff_cookie(portal, "agent")
    before = _replies(portal)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(PAGE)
        client.call(handler_name(CannedRepliesState, "load"), {})
        assert client.state()[CannedRepliesState.get_full_name()]["can_manage_rx_state_"] is False
        client.call(handler_name(CannedRepliesState, "edit"), {"reply_id": str(reply_id)})
        assert client.state()[CannedRepliesState.get_full_name()]["draft_body_rx_state_"] == ""
        client.call(handler_name(CannedRepliesState, "save"), {"form": {"title": "Agent's own", "body": "x"}})
        client.call(handler_name(CannedRepliesState, "delete"), {"reply_id": str(reply_id)})
    assert _replies(portal) == before


def test_an_admin_s_junk_payloads_change_nothing_they_should_not(portal):
    reply_id = _canned_reply(portal)
    cookie, admin_id = _staff_cookie(portal, "admin")
    _, dup, into = _customer_ticket(portal, "mergecustomer")
    _, elsewhere, _ = _customer_ticket(portal, "mergeelsewhere")
    before = _replies(portal)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(PAGE)
        client.call(handler_name(CannedRepliesState, "load"), {})
        page = CannedRepliesState.get_full_name()
        for bogus in BOGUS:
            client.call(handler_name(CannedRepliesState, "edit"), {"reply_id": bogus})
            assert client.state()[page]["editing_rx_state_"] == ""
            client.call(handler_name(CannedRepliesState, "delete"), {"reply_id": bogus})
        for form in ("title=x&body=y", ["x"], {"title": ["x"], "body": "y"}, {"title": "x", "body": {"$ne": 1}},
                     {"title": "x" * 101, "body": "y"}, {"title": "x", "body": "y" * 10_001}):
            client.call(handler_name(CannedRepliesState, "save"), {"form": form})
        assert client.state()[page]["errors_rx_state_"] == {"body": "Text must be at most 10,000 characters."}
        client.call(handler_name(CannedRepliesState, "save"), {"form": {"title": "x", "body": "y"}, "reply_id": "1"})
        assert _replies(portal) == before
        # Fields the form does not have are ignored: the author is the admin, the row a new one.
        client.call(handler_name(CannedRepliesState, "save"), {"form": {
            "title": "Forged", "body": "Hello {{customer.name}}", "id": str(reply_id), "created_by_id": "1",
            "updated_by_id": "1"}})
        with portal_session(portal) as session:
            forged = session.exec(select(CannedReply).where(CannedReply.title == "Forged")).one()
            assert (forged.id != reply_id, forged.created_by_id, forged.updated_by_id) == (True, admin_id, admin_id)
        assert _replies(portal) == sorted([*before, (forged.id, "Forged", "Hello {{customer.name}}", admin_id)])

        # The picker keeps only ids it offered, and inserts only what the admin chose, for the route's ticket.
        route = _route(dup)
        picker = CannedReplyPickerState.get_full_name()
        client.call(handler_name(CannedReplyPickerState, "load"), {}, router_path=route)
        for bogus in (*BOGUS, str(10**9)):
            client.call(handler_name(CannedReplyPickerState, "choose"), {"reply_id": bogus}, router_path=route)
            assert client.state()[picker]["chosen_rx_state_"] == ""
            client.call(handler_name(CannedReplyPickerState, "find"), {"text": bogus}, router_path=route)
            assert client.state()[picker]["query_rx_state_"] == (bogus if isinstance(bogus, str) else "")
        client.call(handler_name(CannedReplyPickerState, "find"), {"text": "x" * 10_000}, router_path=route)
        assert len(client.state()[picker]["query_rx_state_"]) == 80
        client.call(handler_name(CannedReplyPickerState, "find"), {"text": ""}, router_path=route)
        assert len(client.state()[picker]["options_rx_state_"]) >= 2  # the whole menu again
        client.call(handler_name(CannedReplyPickerState, "insert"), {"reply_id": str(reply_id)}, router_path=route)
        client.call(handler_name(CannedReplyPickerState, "choose"), {"reply_id": str(forged.id)}, router_path=route)
        client.call(handler_name(CannedReplyPickerState, "insert"), {}, router_path=route)
        script = json.dumps(client.last_events)
        assert "Hello Mergecustomer" in script and SECRET_BODY not in script

        # Merging: junk numbers are refused next to the field; Merge merges what the confirmation named.
        merge = TicketMergeState.get_full_name()
        client.call(handler_name(TicketMergeState, "set_open"), {"value": "yes"}, router_path=route)
        assert client.state()[merge]["open_rx_state_"] is False
        client.call(handler_name(TicketMergeState, "merge"), {}, router_path=route)  # nothing confirmed yet
        for junk in ({"into": ["1"]}, {"into": {"$ne": 1}}, {"into": True}, {"into": f"T-{dup}"},
                     {"into": f"T-{elsewhere}"}, "into=1"):
            client.call(handler_name(TicketMergeState, "check"), {"form": junk}, router_path=route)
            assert client.state()[merge]["confirming_rx_state_"] is False
        assert client.state()[merge]["errors_rx_state_"]["into"].startswith("Enter the number")
        client.call(handler_name(TicketMergeState, "check"), {"form": {"into": f"T-{into}"}, "org_id": 1},
                    router_path=route)
        assert _tickets(portal, dup, into, elsewhere)[0][1] is None
        client.call(handler_name(TicketMergeState, "check"), {"form": {"into": f"T-{into}"}}, router_path=route)
        assert client.state()[merge]["plan_rx_state_"]["into"] == f"T-{into}"
        # An extra argument is refused before anything runs; Merge sent from another ticket's route
        # merges the two the confirmation named.
        client.call(handler_name(TicketMergeState, "merge"), {"into": elsewhere}, router_path=route)
        assert _tickets(portal, dup)[0][1] is None  # an extra argument: refused before anything ran
        client.call(handler_name(TicketMergeState, "merge"), {}, router_path=_route(elsewhere))
    with portal_session(portal) as session:
        merged = {t.number: t.merged_into_id for t in session.exec(
            select(Ticket).where(Ticket.number.in_([dup, into, elsewhere]))).all()}
        target_id = session.exec(select(Ticket.id).where(Ticket.number == into)).one()
    assert merged == {dup: target_id, into: None, elsewhere: None}
