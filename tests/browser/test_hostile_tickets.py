"""The support handlers under a hostile client (Reflex's websocket spoken
directly): no session, another organisation's ticket numbers (in the URL's
route data, which the client controls), extra fields (`org_id`, `status`,
`assignee_id`, `internal`), wrong types. Nothing changes, nothing leaks."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import Ticket, TicketFollower, TicketMessage
from portal_app.services import tickets
from portal_app.state.tickets import NewTicketState, TicketListState, TicketState
from tests import factories
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.ws_client import ReflexClient, handler_name

SECRET = "Victim's confidential outage"


def _route(number: object) -> str:
    """The router data a ticket page's events carry (the client writes it)."""
    return f"/tickets/[ticket_number]?ticket_number={number}"


def _victim_ticket(portal) -> tuple[int, int, int]:
    """A ticket of the victim's organisation with an internal note: (number, org id, ticket id)."""
    _, _, victim = _person(portal, "ticketvictim")
    with portal_session(portal) as session:
        category = tickets.categories(session)[3].id  # "Request a change": no questions of its own
        ticket = tickets.do_raise(session, victim, victim.current.org_id, category=category, subject=SECRET,
                                  body="Our database password is in the attached file.")
        staff = factories.staff_admin(session, email=f"agent-{ticket.number}@example.com", name="Agent")
        tickets.do_reply(session, staff, ticket.number, body="INTERNAL: customer is about to churn", internal=True)
        session.commit()
        return ticket.number, ticket.org_id, ticket.id


def _ticket_rows(portal, ticket_id: int) -> tuple:
    with portal_session(portal) as session:
        ticket = session.get(Ticket, ticket_id)
        messages = session.exec(select(TicketMessage.body).where(TicketMessage.ticket_id == ticket_id)).all()
        followers = session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket_id)).all()
        return (ticket.status, ticket.assignee_id, ticket.closed_at, ticket.priority, ticket.category_id,
                sorted(messages), sorted(followers))


def _every_ticket_call(number: object) -> list[tuple[str, dict]]:
    return [
        (handler_name(TicketState, "load"), {}),
        (handler_name(TicketState, "reply"), {"form": {"body": "pwned", "internal": "on"}}),
        (handler_name(TicketState, "reply"), {"form": {"body": "pwned"}}),
        (handler_name(TicketState, "close"), {}),
        (handler_name(TicketState, "reopen"), {}),
        (handler_name(TicketState, "follow"), {}),
        (handler_name(TicketState, "unfollow"), {}),
        (handler_name(TicketState, "set_status"), {"status": "resolved"}),
        (handler_name(TicketState, "take"), {}),
        (handler_name(TicketState, "set_priority"), {"priority": "urgent"}),
        (handler_name(TicketState, "set_category"), {"category": "3"}),
        (handler_name(TicketState, "release"), {}),
    ]


def test_without_a_session_the_ticket_handlers_do_nothing(portal):
    number, _, ticket_id = _victim_ticket(portal)
    before = _ticket_rows(portal, ticket_id)
    with ReflexClient(portal.url) as client:
        client.hydrate(_route(number))
        for name, payload in _every_ticket_call(number):
            client.call(name, payload, router_path=_route(number))
        client.call(handler_name(TicketListState, "load"), {}, router_path="/tickets")
        client.call(handler_name(TicketListState, "set_shared"), {"value": True}, router_path="/tickets")
        client.call(handler_name(NewTicketState, "submit"), {"form": {"category": "1", "subject": "x", "body": "y"}},
                    router_path="/tickets/new")
        visible = json.dumps(client.state())
    assert _ticket_rows(portal, ticket_id) == before
    assert SECRET not in visible and "churn" not in visible


def test_another_organisation_s_ticket_is_out_of_reach(portal):
    number, victim_org, ticket_id = _victim_ticket(portal)
    before = _ticket_rows(portal, ticket_id)
    cookie, _, attacker = _person(portal, "ticketthief")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/tickets")
        client.call(handler_name(TicketListState, "load"), {})
        client.call(handler_name(TicketListState, "apply"), {"form": {"q": f"T-{number}", "org_id": str(victim_org)}})
        assert client.state()[TicketListState.get_full_name()]["rows_rx_state_"] == []
        # The console's filters are staff-only: a customer who sends them sees no one else's requests or agents.
        client.call(handler_name(TicketListState, "apply"), {"form": {"org": "a", "assignee": "none"}})
        listed = client.state()[TicketListState.get_full_name()]
        assert listed["rows_rx_state_"] == [] and listed["agents_rx_state_"] == []
        assert listed["error_rx_state_"] == "This is for the business's staff only."
        for route in (_route(number), _route(f"T-{number}"), _route(f"{number} OR 1=1"), _route("")):
            for name, payload in _every_ticket_call(number):
                client.call(name, payload, router_path=route)
        visible = json.dumps(client.state())
    assert _ticket_rows(portal, ticket_id) == before
    assert SECRET not in visible and "churn" not in visible and "database password" not in visible
    with portal_session(portal) as session:
        assert session.exec(select(Ticket).where(Ticket.raised_by_id == attacker.user_id)).all() == []


def test_extra_fields_and_wrong_types_change_nothing_they_should_not(portal):
    cookie, _, customer = _person(portal, "ticketforger")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/tickets/new")
        client.call(handler_name(NewTicketState, "load"), {})
        category = "4"  # "Request a change" (it takes a priority)
        # Fields the form does not have are ignored; the organisation is the person's own, the status new.
        client.call(handler_name(NewTicketState, "submit"), {"form": {
            "category": category, "subject": "Forged", "body": "Look", "priority": "urgent", "org_id": "1",
            "status": "closed", "assignee_id": "1", "raised_by_id": "1", "number": "1"}})
        # An extra argument to the handler itself is refused before anything runs.
        client.call(handler_name(NewTicketState, "submit"), {"form": {"category": category, "subject": "Twice",
                                                                      "body": "x"}, "org_id": 1})
        client.call(handler_name(NewTicketState, "submit"), {"form": "category=2&subject=x&body=y"})
        client.call(handler_name(NewTicketState, "choose"), {"category": {"id": "2"}})
        state = client.state()[NewTicketState.get_full_name()]
        assert state["category_rx_state_"] == ""
        with portal_session(portal) as session:
            forged = session.exec(select(Ticket).where(Ticket.raised_by_id == customer.user_id)).all()
        assert [(t.subject, t.org_id, t.status, t.assignee_id, t.priority) for t in forged] == [
            ("Forged", customer.current.org_id, "open", None, "urgent")]
        number = forged[0].number
        route = _route(number)
        client.call(handler_name(TicketState, "load"), {}, router_path=route)
        # A customer's "internal" reply is refused with a message, and nothing is written.
        client.call(handler_name(TicketState, "reply"), {"form": {"body": "secret?", "internal": "on"}},
                    router_path=route)
        client.call(handler_name(TicketState, "set_status"), {"status": "resolved"}, router_path=route)
        client.call(handler_name(TicketState, "set_status"), {"status": ["closed"]}, router_path=route)
        client.call(handler_name(TicketState, "reply"), {"form": {"body": ["a", "list"]}}, router_path=route)
        client.call(handler_name(TicketState, "reply"), {"form": {"body": "ok"}, "internal": True}, router_path=route)
        client.call(handler_name(TicketListState, "go_to"), {"page": "2; DROP TABLE tickets"}, router_path="/tickets")
        # The setting is the person's current organisation's: an org_id sent along is refused outright.
        client.call(handler_name(TicketListState, "set_shared"), {"value": "yes"}, router_path="/tickets")
        client.call(handler_name(TicketListState, "set_shared"), {"value": True, "org_id": 1}, router_path="/tickets")
        client.call(handler_name(TicketListState, "apply"), {"form": {"status": {"$ne": 1}, "q": ["x"]}},
                    router_path="/tickets")
        rows = client.state()[TicketListState.get_full_name()]["rows_rx_state_"]
    with portal_session(portal) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
        bodies = session.exec(select(TicketMessage.body, TicketMessage.internal)
                              .where(TicketMessage.ticket_id == ticket.id)).all()
    assert ticket.status == "open"
    assert bodies == [("Look", False)]
    with portal_session(portal) as session:
        from portal_app.models import Organization
        assert all(not shared for shared in session.exec(select(Organization.tickets_open_to_members)).all())
    assert [row["number"] for row in rows] == [str(number)]  # junk filters are dropped, never widened


def test_someone_else_s_upload_cannot_be_claimed_through_the_page(portal):
    from portal_app.models import StoredFile, TicketAttachment
    from portal_app.services import files

    _, _, victim = _person(portal, "uploadvictim")
    with portal_session(portal) as session:
        secret = files.store(session, victim, victim.current.org_id, kind=tickets.ATTACHMENT_KIND,
                             filename="victim-secret.txt", chunks=[b"the victim's secret\n"]).id
        session.commit()
    cookie, _, thief = _person(portal, "uploadthief")
    with ReflexClient(portal.url) as anonymous:
        anonymous.hydrate("/tickets/new")
        anonymous.call(handler_name(NewTicketState, "upload_files"), {})
        anonymous.call(handler_name(NewTicketState, "attached"), {"result": [{"ok": True, "id": secret}]})
        assert anonymous.state()[NewTicketState.get_full_name()]["attachments_rx_state_"] == []
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/tickets/new")
        client.call(handler_name(NewTicketState, "load"), {})
        for report in ([{"ok": True, "id": secret}], [{"ok": True, "id": str(secret)}], "everything",
                       [{"ok": True, "id": True}], [{"ok": False, "name": "<b>x</b>" * 500, "message": 7}]):
            client.call(handler_name(NewTicketState, "attached"), {"result": report})
        client.call(handler_name(NewTicketState, "remove_attachment"), {"file_id": {"id": secret}})
        state = client.state()[NewTicketState.get_full_name()]
        assert state["attachments_rx_state_"] == []
        assert all(len(problem) < 500 for problem in state["upload_errors_rx_state_"])
        client.call(handler_name(NewTicketState, "submit"), {"form": {"category": "1", "subject": "Mine now",
                                                                      "body": "x", "attachments": [secret]}})
        visible = json.dumps(client.state())
    assert "victim-secret" not in visible
    with portal_session(portal) as session:
        assert session.exec(select(TicketAttachment).where(TicketAttachment.file_id == secret)).first() is None
        assert session.get(StoredFile, secret).created_by_id == victim.user_id
        mine = session.exec(select(Ticket).where(Ticket.raised_by_id == thief.user_id)).all()
        assert [t.subject for t in mine] == ["Mine now"]


def test_the_agent_console_handlers_give_customers_nothing(portal):
    number, _, ticket_id = _victim_ticket(portal)
    before = _ticket_rows(portal, ticket_id)
    cookie, _, _ = _person(portal, "consolethief")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/tickets")
        client.call(handler_name(TicketListState, "load"), {})
        client.call(handler_name(TicketListState, "show_queue"), {"queue": "unassigned"})
        client.call(handler_name(TicketListState, "show_queue"), {"queue": {"$ne": ""}})
        client.call(handler_name(TicketListState, "toggle"), {"number": str(number)})  # not a row it was shown
        client.call(handler_name(TicketListState, "bulk"), {"action": "assign_to_me"})
        client.call(handler_name(TicketListState, "bulk"), {"action": "resolve", "numbers": [number]})
        state = client.state()[TicketListState.get_full_name()]
        visible = json.dumps(client.state())
    assert state["selected_rx_state_"] == [] and state["counts_rx_state_"] == {}
    assert _ticket_rows(portal, ticket_id) == before
    assert SECRET not in visible


def test_article_suggestions_while_typing_stay_within_what_the_person_may_read(portal):
    """`NewTicketState.suggest` (the subject as typed): without a session it
    answers nothing; an article chosen for another organisation is never
    suggested, not even by its own secret word; wrong types and a subject
    far over the limit are taken as no text or cut, and nothing is written."""
    from portal_app.models import ArticleSuggestionOpen
    from tests.browser.test_hostile_knowledge import _secret_article

    owner_cookie, _, owner = _person(portal, "suggestowner")
    _, _, word = _secret_article(portal, owner.current.org_id)
    key = NewTicketState.get_full_name()

    def suggested(client: ReflexClient, subject: object) -> list[dict]:
        client.call(handler_name(NewTicketState, "suggest"), {"subject": subject}, router_path="/tickets/new")
        return client.state()[key]["suggestions_rx_state_"]

    with portal_session(portal) as session:
        opens = len(session.exec(select(ArticleSuggestionOpen)).all())
    with ReflexClient(portal.url) as anonymous:
        anonymous.hydrate("/tickets/new")
        assert suggested(anonymous, word) == []
    stranger_cookie, _, _ = _person(portal, "suggeststranger")
    with ReflexClient(portal.url, cookie=stranger_cookie) as stranger:
        stranger.hydrate("/tickets/new")
        assert suggested(stranger, word) == []
        for junk in (None, 7, True, ["invoice"], {"q": "invoice"}, "<script>alert(1)</script>", "invoice " * 5000):
            rows = suggested(stranger, junk)
            assert all(set(row) == {"title", "category", "href"} and row["href"].startswith("/help/")
                       and row["href"].endswith("?from=ticket") for row in rows)
            assert word not in json.dumps(stranger.state())
        assert any("invoice" in row["title"].lower() for row in suggested(stranger, "invocie"))  # a typo, corrected
    with ReflexClient(portal.url, cookie=owner_cookie) as member:
        member.hydrate("/tickets/new")
        assert any(word in row["title"] for row in suggested(member, word))
    with portal_session(portal) as session:
        assert len(session.exec(select(ArticleSuggestionOpen)).all()) == opens  # typing records nothing
