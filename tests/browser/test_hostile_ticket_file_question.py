"""File questions of the new-ticket form under a hostile client (Reflex's
websocket spoken directly): without a session nothing is kept; a customer
cannot claim someone else's or another organisation's upload as an answer
(through the page's report or the form's payload), wrong types and extra
arguments change nothing; an agents-only file question, and the answer to
a question made agents-only, are in no state the customer's page holds."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import StoredFile, Ticket, TicketAnswer, TicketAttachment
from portal_app.services import files, ticket_forms, tickets
from portal_app.state.tickets import NewTicketState, TicketState
from tests import factories
from tests.browser.accounts_helpers import portal_session, unique_email
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_tickets import _route
from tests.permissions import join
from tests.ws_client import ReflexClient, handler_name

NEW = "/tickets/new"
STATE = NewTicketState.get_full_name()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def _h(name: str) -> str:
    return handler_name(NewTicketState, name)


def _form(portal, *, internal: bool = False) -> tuple[int, int, int]:
    """A category of its own asking for a screenshot and, agents only, for
    evidence: (category id, screenshot id, evidence id)."""
    with portal_session(portal) as session:
        admin = factories.staff_admin(session, email=unique_email("filq-admin"), name="File Admin")
        category = ticket_forms.do_add_category(session, admin, name=f"Screens {unique_email('c')[:30]}",
                                                allows_priority=False)
        screenshot = ticket_forms.do_add_question(session, admin, category.id, label="Screenshot", kind="file")
        evidence = ticket_forms.do_add_question(session, admin, category.id, label="Evidence of churn",
                                                kind="file", internal=True)
        session.commit()
        return category.id, screenshot.id, evidence.id


def _upload(portal, principal, name: str) -> int:
    with portal_session(portal) as session:
        file_id = files.store(session, principal, principal.current.org_id, kind=tickets.ATTACHMENT_KIND,
                              filename=name, chunks=[PNG]).id
        session.commit()
        return file_id


def _pending(portal, file_id: int) -> bool:
    with portal_session(portal) as session:
        return session.exec(select(TicketAttachment).where(TicketAttachment.file_id == file_id)).first() is None


def _chosen(client: ReflexClient) -> list[str]:
    return [f["file_id"] for f in client.state()[STATE]["fields_rx_state_"] if f["kind"] == "file"]


def test_nobody_keeps_an_upload_as_an_answer(portal):
    category, screenshot, _ = _form(portal)
    _, _, victim = _person(portal, "filq-victim")
    secret = _upload(portal, victim, "victim-secret.png")
    name = f"field-{screenshot}"
    with ReflexClient(portal.url) as client:
        client.hydrate(NEW)
        client.call(_h("load"), {})
        client.call(_h("choose"), {"category": str(category)})
        client.call(_h("upload_answer"), {"name": name})
        client.call(_h("answer_attached"), {"result": [{"ok": True, "id": secret}]})
        client.call(_h("remove_answer_file"), {"name": name})
        client.call(_h("submit"), {"form": {"category": str(category), "subject": "x", "body": "y", name: secret}})
        assert "victim-secret" not in json.dumps(client.state())
    assert _pending(portal, secret)


def test_someone_else_s_and_another_organisation_s_uploads_cannot_be_claimed(portal):
    category, screenshot, evidence = _form(portal)
    _, _, victim = _person(portal, "filq-other-org")
    cookie, _, thief = _person(portal, "filq-thief")
    theirs = _upload(portal, victim, "other-org-secret.png")
    with portal_session(portal) as session:  # a colleague of the thief, in the same organisation
        colleague = join(session, thief, unique_email("filq-colleague"), "member", "Colleague")
    colleagues = _upload(portal, colleague, "colleague-secret.png")
    mine = _upload(portal, thief, "mine.png")
    name = f"field-{screenshot}"
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(NEW)
        client.call(_h("load"), {})
        client.call(_h("choose"), {"category": str(category)})
        # The page's report after an upload: another organisation's id, wrong types, junk.
        for report in ([{"ok": True, "id": theirs}], [{"ok": True, "id": colleagues}],
                       [{"ok": True, "id": str(theirs)}], [{"ok": True, "id": True}],
                       "everything", [{"ok": False, "name": "<b>x</b>" * 500, "message": 7}], None):
            client.call(_h("upload_answer"), {"name": name})
            client.call(_h("answer_attached"), {"result": report})
            assert _chosen(client) == [""], report
        errors = client.state()[STATE]["errors_rx_state_"]
        assert all(len(message) < 500 for message in errors.values())
        # Questions that are not file questions on this form, or not shown to the customer at all.
        for bogus in (f"field-{evidence}", "category", {"name": name}, ["x"], None):
            client.call(_h("upload_answer"), {"name": bogus})
            client.call(_h("answer_attached"), {"result": [{"ok": True, "id": mine}]})
            client.call(_h("remove_answer_file"), {"name": bogus})
        assert _chosen(client) == [""]
        assert client.state()[STATE]["answer_uploading_rx_state_"] == ""
        # Extra arguments are refused before the handler runs.
        client.call(_h("upload_answer"), {"name": name, "org_id": victim.current.org_id})
        client.call(_h("answer_attached"), {"result": [{"ok": True, "id": theirs}], "org_id": 1})
        assert _chosen(client) == [""]
        # The form's payload names someone else's file: the answer is what the server kept (none), and an
        # agents-only question is not the customer's to answer.
        client.call(_h("submit"), {"form": {"category": str(category), "subject": "Claimed", "body": "x",
                                            name: theirs, f"field-{evidence}": theirs}})
        assert "have changed" in client.state()[STATE]["error_rx_state_"]
        client.call(_h("submit"), {"form": {"category": str(category), "subject": "Claimed", "body": "x",
                                            name: str(colleagues)}})
        assert "other-org-secret" not in json.dumps(client.state())
        assert "colleague-secret" not in json.dumps(client.state())
        # Their own upload, chosen honestly, is the answer (the payload's id is still not read).
        client.call(_h("load"), {})
        client.call(_h("choose"), {"category": str(category)})
        client.call(_h("upload_answer"), {"name": name})
        client.call(_h("answer_attached"), {"result": [{"ok": True, "id": mine}]})
        assert _chosen(client) == [str(mine)]
        client.call(_h("submit"), {"form": {"category": str(category), "subject": "Mine", "body": "x",
                                            name: theirs}})
    assert _pending(portal, theirs) and _pending(portal, colleagues)
    with portal_session(portal) as session:
        assert session.get(StoredFile, theirs).created_by_id == victim.user_id
        raised = session.exec(select(Ticket).where(Ticket.raised_by_id == thief.user_id).order_by(Ticket.id)).all()
        answers = {t.subject: session.exec(select(TicketAnswer.field_id, TicketAnswer.value)
                                           .where(TicketAnswer.ticket_id == t.id)).all() for t in raised}
    assert answers == {"Claimed": [], "Mine": [(screenshot, str(mine))]}


def test_an_agents_only_file_question_is_in_no_state_of_the_customer_s_pages(portal):
    category, screenshot, evidence = _form(portal)
    cookie, _, customer = _person(portal, "filq-customer")
    screen = _upload(portal, customer, "screen.png")
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(NEW)
        client.call(_h("load"), {})
        client.call(_h("choose"), {"category": str(category)})
        labels = [f["label"] for f in client.state()[STATE]["fields_rx_state_"]]
        assert labels == ["Screenshot"]
        assert "Evidence of churn" not in json.dumps(client.state())
        client.call(_h("upload_answer"), {"name": f"field-{screenshot}"})
        client.call(_h("answer_attached"), {"result": [{"ok": True, "id": screen}]})
        client.call(_h("submit"), {"form": {"category": str(category), "subject": "Blank screen", "body": "x"}})
    with portal_session(portal) as session:
        ticket = session.exec(select(Ticket).where(Ticket.raised_by_id == customer.user_id)).one()
        # Staff make the answered question agents-only afterwards.
        admin = factories.staff_admin(session, email=unique_email("filq-hider"), name="Hider")
        ticket_forms.do_change_question(session, admin, screenshot, label="Screenshot of the churn", kind="file",
                                        required=False, help_text="", internal=True)
        session.commit()
        number = ticket.number
    route = _route(number)
    with ReflexClient(portal.url, cookie=cookie) as client:
        hydrated = client.hydrate(route)
        client.call(handler_name(TicketState, "load"), {}, router_path=route)
        state = client.state()
        answers = state[TicketState.get_full_name()]["answers_rx_state_"]
    assert answers == []
    for seen in (json.dumps(hydrated), json.dumps(state)):
        assert "Screenshot of the churn" not in seen and "Evidence of churn" not in seen


def test_a_file_answer_that_went_stale_is_refused_next_to_its_question_and_cleared(portal):
    """Not hostile, the same wire: the chosen upload was attached elsewhere
    (another tab) before the form was sent."""
    category, screenshot, _ = _form(portal)
    cookie, _, customer = _person(portal, "filq-stale")
    screen = _upload(portal, customer, "screen.png")
    name = f"field-{screenshot}"
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate(NEW)
        client.call(_h("load"), {})
        client.call(_h("choose"), {"category": str(category)})
        client.call(_h("upload_answer"), {"name": name})
        client.call(_h("answer_attached"), {"result": [{"ok": True, "id": screen}]})
        assert _chosen(client) == [str(screen)]
        with portal_session(portal) as session:
            tickets.do_raise(session, customer, customer.current.org_id, category=category, subject="Other tab",
                             body="x", attachments=[screen])
            session.commit()
        client.call(_h("submit"), {"form": {"category": str(category), "subject": "This tab", "body": "x"}})
        state = client.state()[STATE]
        assert state["errors_rx_state_"][name] == "The file for \u201cScreenshot\u201d is no longer available: " \
                                                  "upload it again."
        assert _chosen(client) == [""]
    with portal_session(portal) as session:
        raised = session.exec(select(Ticket.subject).where(Ticket.raised_by_id == customer.user_id)).all()
    assert raised == ["Other tab"]
