"""The support-forms handlers under a hostile client (Reflex's websocket
spoken directly): without a session, as a customer and as a staff agent
nothing changes and nothing is shown; a staff admin's ids of the wrong type,
extra fields (`category_id`, `active`, `position`) and arguments change
nothing they should not."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import AuditEvent, TicketCategory, TicketField, User
from portal_app.services import passwords, sessions, staff, ticket_forms, ticket_lists, tickets
from portal_app.services.principal import principal_for_user
from portal_app.state.ticket_forms import TicketFormsState
from tests import factories
from tests.browser.accounts_helpers import portal_session, unique_email
from tests.browser.test_hostile_client import _person
from tests.ws_client import ReflexClient, handler_name

ROUTE = "/staff/support-forms"
STATE = TicketFormsState.get_full_name()
BOGUS = (None, 7, True, ["1"], {"id": 1}, "", "-1", "1 OR 1=1", "9" * 40)


def _h(name: str) -> str:
    return handler_name(TicketFormsState, name)


def _rows(portal) -> tuple:
    with portal_session(portal) as session:
        conn = session.connection()
        categories, fields = ([tuple(row) for row in conn.execute(table.select().order_by(table.c.id))]
                              for table in (TicketCategory.__table__, TicketField.__table__))
        events = session.exec(select(AuditEvent.id).where(AuditEvent.action.like("ticket_%.%"),
                                                          AuditEvent.action.not_like("ticket.%"))).all()
        return categories, fields, len(events)


def _cookie(portal, email: str) -> str:
    with portal_session(portal) as session:
        raw, _ = factories.sign_in(session, email)
    return f"{sessions.COOKIE_BASE_NAME}={raw}"


def _staff(portal, role: str) -> str:
    """A signed-in staff member of `role` (two-step set up): the cookie."""
    email = unique_email(f"forms-{role}")
    with portal_session(portal) as session:
        if role == "admin":
            user, _ = staff.create_admin(session, email=email, name="Forms Admin", password=factories.PASSWORD)
            session.commit()
            factories.enable_mfa(session, principal_for_user(session, user, None))
        else:
            admin = factories.staff_admin(session, email=unique_email("forms-boss"), name="Boss")
            member = factories.staff_member(session, admin, role, email=email)
            user = session.get(User, member.user_id)
            user.password_hash = passwords.hash_password(factories.PASSWORD)  # as if they chose it
            session.add(user)
            session.commit()
    return _cookie(portal, email)


def _target(portal) -> tuple[int, int]:
    """A category of its own with one question: (category id, question id)."""
    with portal_session(portal) as session:
        admin = factories.staff_admin(session, email=unique_email("forms-owner"), name="Owner Admin")
        category = ticket_forms.do_add_category(session, admin, name=f"Hostile {unique_email('c')[:30]}")
        field = ticket_forms.do_add_question(session, admin, category.id, label="Serial", kind="text")
        session.commit()
        return category.id, field.id


def _every_call(category_id: int, field_id: int) -> list[tuple[str, dict]]:
    c, f = str(category_id), str(field_id)
    form = {"name": "Pwned", "description": "x", "allows_priority": "on", "billing": "on"}
    question = {"label": "Pwned?", "kind": "text", "help_text": "", "options": "", "required": "on"}
    return [
        (_h("load"), {}),
        (_h("add_category"), {"form": form}),
        (_h("open_category"), {"category_id": c}),
        (_h("save_category"), {"form": form}),
        (_h("move_category"), {"category_id": c, "direction": "up"}),
        (_h("archive_category"), {"category_id": c}),
        (_h("restore_category"), {"category_id": c}),
        (_h("save_question"), {"form": question}),
        (_h("edit_question"), {"field_id": f}),
        (_h("cancel_question"), {}),
        (_h("move_question"), {"field_id": f, "direction": "down"}),
        (_h("remove_question"), {"field_id": f}),
        (_h("restore_question"), {"field_id": f}),
        (_h("close_category"), {}),
    ]


def test_nobody_customers_and_agents_change_nothing_and_see_nothing(portal):
    category_id, field_id = _target(portal)
    before = _rows(portal)
    customer = unique_email("forms-customer")
    with portal_session(portal) as session:
        factories.register(session, customer, company="Forms Customer Ltd", name="Curious")
    for cookie in (None, _cookie(portal, customer), _staff(portal, "agent"), _staff(portal, "billing")):
        with ReflexClient(portal.url, cookie=cookie) as client:
            client.hydrate(ROUTE)
            for name, payload in _every_call(category_id, field_id):
                client.call(name, payload)
            # Even a page state primed by hand cannot be made to act: ids are checked on the server.
            client.call(_h("save_question"), {"form": {"label": "x", "kind": "text"}, "category_id": category_id})
            state = client.state().get(STATE, {})
            assert state.get("categories_rx_state_", []) == [] and state.get("questions_rx_state_", []) == []
            assert "Serial" not in json.dumps(client.state())
    assert _rows(portal) == before


def test_a_staff_admin_s_bogus_ids_and_extra_fields_change_nothing_they_should_not(portal):
    category_id, field_id = _target(portal)
    cookie = _staff(portal, "admin")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(ROUTE)
        client.call(_h("load"), {})
        before = _rows(portal)
        # Nothing open yet: saving a category or a question has nowhere to go.
        client.call(_h("save_category"), {"form": {"name": "Nowhere", "description": ""}})
        client.call(_h("save_question"), {"form": {"label": "Nowhere?", "kind": "text"}})
        for bogus in BOGUS:
            for name in ("open_category", "archive_category", "restore_category"):
                client.call(_h(name), {"category_id": bogus})
            client.call(_h("move_category"), {"category_id": bogus, "direction": "up"})
            for name in ("remove_question", "restore_question", "edit_question"):
                client.call(_h(name), {"field_id": bogus})
            client.call(_h("move_question"), {"field_id": bogus, "direction": "up"})
        client.call(_h("move_category"), {"category_id": str(category_id), "direction": {"$ne": 1}})
        client.call(_h("move_question"), {"field_id": str(field_id), "direction": ["up"]})
        # An extra argument is refused before anything runs; a form that is not a dict is no form.
        client.call(_h("archive_category"), {"category_id": str(category_id), "force": True})
        client.call(_h("add_category"), {"form": "name=Pwned"})
        client.call(_h("add_category"), {"form": {"name": ["Pwned"], "allows_priority": True}})
        # A question shown on no page cannot be loaded into the form.
        client.call(_h("edit_question"), {"field_id": str(field_id)})
        state = client.state()[STATE]
        assert state["editing_rx_state_"] == "" and state["selected_rx_state_"] == ""
        assert _rows(portal) == before
        # Opened: extra fields in the forms (the category, the state of a question) are ignored.
        client.call(_h("open_category"), {"category_id": str(category_id)})
        client.call(_h("save_question"), {"form": {
            "label": "Extra", "kind": "text", "category_id": "1", "active": "", "position": "-5", "id": str(field_id),
            "internal": "on"}})
        client.call(_h("save_category"), {"form": {"name": "Renamed hostile", "description": "", "active": "",
                                                   "position": "0", "id": "1"}})
        state = client.state()[STATE]
    with portal_session(portal) as session:
        extra = session.exec(select(TicketField).where(TicketField.label == "Extra")).one()
        assert (extra.category_id, extra.active, extra.position, extra.internal) == (category_id, True, 2, True)
        renamed = session.get(TicketCategory, category_id)
        assert (renamed.name, renamed.active) == ("Renamed hostile", True)
        assert session.get(TicketCategory, 1).name == "Question"
        assert [f.label for f in tickets.category_form(session, category_id)] == ["Serial"]  # "Extra" is agents-only
    assert [q["label"] for q in state["questions_rx_state_"]] == ["Serial", "Extra"]


def test_a_customer_s_open_form_learns_that_staff_changed_the_questions(portal):
    """Not hostile, the same wire: a page loaded before an admin changed
    the form gets a message above it and the questions as they are now,
    never an error under a question it does not show."""
    from portal_app.state.tickets import NewTicketState

    category_id, field_id = _target(portal)
    cookie, _, customer = _person(portal, "formchanged")
    new_state = NewTicketState.get_full_name()
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/tickets/new")
        client.call(handler_name(NewTicketState, "load"), {})
        client.call(handler_name(NewTicketState, "choose"), {"category": str(category_id)})
        assert [f["label"] for f in client.state()[new_state]["fields_rx_state_"]] == ["Serial"]
        with portal_session(portal) as session:
            admin = factories.staff_admin(session, email=unique_email("forms-changer"), name="Changer")
            ticket_forms.do_remove_question(session, admin, field_id)
            ticket_forms.do_add_question(session, admin, category_id, label="Model", kind="text", required=True)
            session.commit()
        form = {"category": str(category_id), "subject": "Changed", "body": "x", f"field-{field_id}": "SN-1"}
        client.call(handler_name(NewTicketState, "submit"), {"form": form})
        state = client.state()[new_state]
        assert state["error_rx_state_"].startswith("The questions for this category have changed")
        assert [f["label"] for f in state["fields_rx_state_"]] == ["Model"]
        client.call(handler_name(NewTicketState, "submit"), {"form": {**form, f"field-{field_id}": ""}})
        assert client.state()[new_state]["error_rx_state_"].startswith("The questions for this category have")
    with portal_session(portal) as session:
        assert ticket_lists.list_tickets(session, customer).total == 0
