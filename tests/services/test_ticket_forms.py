"""Support categories and their intake forms, the services: only staff
admins manage them (customers and other staff are refused, ids of the wrong
type find nothing), bad input gets a message next to its field with nothing
stored, archived categories and removed questions leave the customer's form
while old requests keep showing what they were raised with, a new request is
validated against the form as it is now, the billing flag decides what
billing members see, and every change is audited."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent, TicketAnswer, TicketCategory, TicketField
from portal_app.services import audit, ticket_lists, tickets
from portal_app.services import ticket_forms as forms
from portal_app.services.errors import Forbidden, Invalid, NotFound
from tests.factories import register, sign_in, staff_admin, staff_member, statements
from tests.permissions import StaffPermission, join, staff_permission_tests

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _a_category(session: Session, admin) -> int:
    return forms.do_add_category(session, admin, name="Warranty claim", description="Something broke early").id


def _a_question(session: Session, admin) -> int:
    category = _a_category(session, admin)
    return forms.do_add_question(session, admin, category, label="Which product?", kind="select",
                                 options="Kettle\nToaster", required=True).id


def _no_target(session: Session, admin) -> None:
    return None


def _added_category(session, actor, target, category) -> None:
    assert category.name == "Sales" and category.active
    assert session.exec(select(AuditEvent.action).where(AuditEvent.target_id == str(category.id))).all() == [
        "ticket_category.added"]


def _field(session, field_id) -> TicketField:
    return session.get(TicketField, field_id)


test_ticket_form_permissions = staff_permission_tests(
    StaffPermission("list categories", lambda s, p, _: forms.list_categories(s, p), _no_target, takes_id=False,
                    check=lambda s, p, t, rows: [r.name for r in rows][:4] == [
                        "Question", "Something is not working", "Billing", "Request a change"]),
    StaffPermission("add category", lambda s, p, _: forms.do_add_category(s, p, name="Sales"), _no_target,
                    takes_id=False, check=_added_category),
    StaffPermission("change category", lambda s, p, c: forms.do_change_category(
        s, p, c, name="Warranty", description="", allows_priority=False, billing=True), _a_category,
        check=lambda s, p, c, _: s.get(TicketCategory, c).billing),
    StaffPermission("archive category", lambda s, p, c: forms.do_archive_category(s, p, c), _a_category,
                    check=lambda s, p, c, _: not s.get(TicketCategory, c).active),
    StaffPermission("move category", lambda s, p, c: forms.do_move_category(s, p, c, "up"), _a_category,
                    check=lambda s, p, c, moved: moved),
    StaffPermission("questions", lambda s, p, c: forms.questions(s, p, c), _a_category,
                    check=lambda s, p, c, rows: rows == []),
    StaffPermission("add question", lambda s, p, c: forms.do_add_question(s, p, c, label="Serial number",
                                                                           kind="text"), _a_category,
                    check=lambda s, p, c, f: f.category_id == c and f.active),
    StaffPermission("change question", lambda s, p, f: forms.do_change_question(
        s, p, f, label="Which one?", kind="select", required=False, help_text="", options="Kettle"), _a_question,
        check=lambda s, p, f, _: (_field(s, f).label, json.loads(_field(s, f).options)) == ("Which one?", ["Kettle"])),
    StaffPermission("remove question", lambda s, p, f: forms.do_remove_question(s, p, f), _a_question,
                    check=lambda s, p, f, answered: not answered and not _field(s, f).active),
    StaffPermission("move question", lambda s, p, f: forms.do_move_question(s, p, f, "down"), _a_question,
                    check=lambda s, p, f, moved: moved is False),  # the only question: nowhere to go
)


# --- a staff admin, agent and customers, on SQLite and PostgreSQL ---------------------------

def _everyone(session: Session) -> dict:
    """A staff admin and agent, an organisation's owner, billing member and member."""
    people = _admin_and_owner(session)
    owner, admin = people["owner"], people["admin"]
    return people | {"agent": staff_member(session, admin, "agent"),
                     "bill": join(session, owner, "bill@example.com", "billing", "Bill"),
                     "mia": join(session, owner, "mia@example.com", "member", "Mia")}


def _admin_and_owner(session: Session) -> dict:
    register(session, "olive@example.com", company="Ours", name="Olive Owner")
    _, owner = sign_in(session, "olive@example.com")
    return {"owner": owner, "admin": staff_admin(session)}


def _people(engine, seeded, build):
    """`build`'s people, made once per module on SQLite (`seeded`), and one session."""
    people = seeded(engine, build)
    with Session(engine, expire_on_commit=False) as session:
        yield session, people


@pytest.fixture
def world(engine, seeded):
    """A staff admin and agent, an organisation's owner, billing member and member (SQLite)."""
    yield from _people(engine, seeded, _everyone)


@pytest.fixture
def admin_world(engine, seeded):
    """Only the staff admin and an organisation's owner (SQLite)."""
    yield from _people(engine, seeded, _admin_and_owner)


@pytest.fixture
def any_world(any_engine, seeded):
    """The same on SQLite and on PostgreSQL."""
    yield from _people(any_engine, seeded, _everyone)


def _qa(view) -> list[tuple[str, str]]:
    """The intake form's answers shown: (question, answer)."""
    return [(a.question, a.value) for a in view.answers]


def _customer_form(session, category_id) -> list[str]:
    return [f.label for f in tickets.category_form(session, category_id)]


def _offered(session) -> list[str]:
    return [c.name for c in tickets.categories(session)]


def test_an_admin_builds_a_category_and_its_form_and_the_customer_answers_it(any_world):
    session, p = any_world
    admin, owner = p["admin"], p["owner"]
    category = forms.do_add_category(session, admin, name="  Warranty claim ", description="Broke early",
                                     allows_priority=False)
    product = forms.do_add_question(session, admin, category.id, label="Which product?", kind="select",
                                    options="Kettle\r\n\n  Toaster  \n", required=True, help_text="On the box")
    bought = forms.do_add_question(session, admin, category.id, label="Bought on", kind="date")
    forms.do_add_question(session, admin, category.id, label="Refund approved", kind="checkbox", internal=True)
    session.commit()
    assert _offered(session)[-1] == "Warranty claim"  # last, trimmed
    assert json.loads(_field(session, product.id).options) == ["Kettle", "Toaster"]
    assert _customer_form(session, category.id) == ["Which product?", "Bought on"]  # agents-only not asked
    with pytest.raises(Invalid) as missing:
        tickets.do_raise(session, owner, owner.current.org_id, category=category.id, subject="Kettle", body="Dead")
    assert missing.value.field == f"field-{product.id}" and "required" in missing.value.message
    session.rollback()
    ticket = tickets.do_raise(session, owner, owner.current.org_id, category=category.id, subject="Kettle",
                              body="Dead", priority="urgent",
                              answers={f"field-{product.id}": "Toaster", f"field-{bought.id}": "2026-11-01"})
    session.commit()
    assert ticket.priority == tickets.DEFAULT_PRIORITY  # this category does not let the customer choose
    assert _qa(tickets.ticket_view(session, owner, ticket.number)) == [("Which product?", "Toaster"),
                                                                          ("Bought on", "2026-11-01")]
    # The order of the form is the admin's.
    assert forms.do_move_question(session, admin, bought.id, "up") is True
    assert forms.do_move_question(session, admin, bought.id, "up") is False  # already first
    session.commit()
    assert _customer_form(session, category.id) == ["Bought on", "Which product?"]
    assert _qa(tickets.ticket_view(session, owner, ticket.number))[0] == ("Bought on", "2026-11-01")
    listed = {r.name: r for r in forms.list_categories(session, admin)}["Warranty claim"]
    assert (listed.questions, listed.tickets, listed.allows_priority) == (3, 1, False)
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("ticket_%"))
                           .order_by(AuditEvent.id)).all()
    assert actions == ["ticket_category.added", "ticket_field.added", "ticket_field.added", "ticket_field.added",
                       "ticket.raised", "ticket_field.moved"]


def test_categories_are_renamed_reordered_archived_and_restored_never_deleted(admin_world):
    session, p = admin_world
    admin, owner = p["admin"], p["owner"]
    question = next(c for c in tickets.categories(session) if c.name == "Question").id
    ticket = tickets.do_raise(session, owner, owner.current.org_id, category=question, subject="How?", body="?")
    forms.do_change_category(session, admin, question, name="General question", description="Anything else",
                             allows_priority=True, billing=False)
    forms.do_move_category(session, admin, question, "down")
    session.commit()
    assert _offered(session)[:2] == ["Something is not working", "General question"]
    forms.do_archive_category(session, admin, question)
    session.commit()
    assert "General question" not in _offered(session)
    # The old request keeps its category; a new one cannot be raised in it, not even by its id.
    assert tickets.ticket_view(session, owner, ticket.number).category == "General question"
    assert [r.category for r in ticket_lists.list_tickets(session, owner).rows] == ["General question"]
    with pytest.raises(Invalid) as err:
        tickets.do_raise(session, owner, owner.current.org_id, category=question, subject="Again?", body="?")
    assert err.value.field == "category"
    session.rollback()
    assert session.get(TicketCategory, question) is not None
    forms.do_restore_category(session, admin, question)
    session.commit()
    assert "General question" in _offered(session)
    sentences = [e.sentence for e in audit.list_all(session, admin).rows if e.action.startswith("ticket_category")]
    assert sentences[0] == "Root restored the support category \u201cGeneral question\u201d"
    assert "Root renamed the support category \u201cQuestion\u201d to \u201cGeneral question\u201d" in sentences


def test_the_last_active_category_cannot_be_archived(admin_world):
    session, p = admin_world
    admin = p["admin"]
    ids = [c.id for c in tickets.categories(session)]
    for category_id in ids[1:]:
        forms.do_archive_category(session, admin, category_id)
    with pytest.raises(Invalid, match="at least one category"):
        forms.do_archive_category(session, admin, ids[0])


def test_the_billing_flag_decides_which_requests_billing_members_see(world):
    session, p = world
    admin, mia, bill = p["admin"], p["mia"], p["bill"]
    warranty = forms.do_add_category(session, admin, name="Refunds").id
    ticket = tickets.do_raise(session, mia, mia.current.org_id, category=warranty, subject="Refund", body="Please")
    session.commit()
    assert [r.number for r in ticket_lists.list_tickets(session, bill).rows] == []
    forms.do_change_category(session, admin, warranty, name="Refunds", description="", allows_priority=True,
                             billing=True)
    session.commit()
    assert [r.number for r in ticket_lists.list_tickets(session, bill).rows] == [ticket.number]
    assert tickets.ticket_view(session, bill, ticket.number).subject == "Refund"
    forms.do_change_category(session, admin, warranty, name="Refunds", description="", allows_priority=True,
                             billing=False)
    session.commit()
    with pytest.raises(NotFound):
        tickets.ticket_view(session, bill, ticket.number)


def test_a_removed_question_leaves_the_form_and_old_requests_keep_their_answers(any_world):
    session, p = any_world
    admin, owner, agent = p["admin"], p["owner"], p["agent"]
    category = forms.do_add_category(session, admin, name="Warranty claim").id
    product = forms.do_add_question(session, admin, category, label="Which product?", kind="select",
                                    options=["Kettle", "Toaster"], required=True)
    unused = forms.do_add_question(session, admin, category, label="Colour", kind="text")
    note = forms.do_add_question(session, admin, category, label="Supplier", kind="text", internal=True)
    old = tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="Old", body="x",
                           answers={f"field-{product.id}": "Kettle"})
    session.add(TicketAnswer(ticket_id=old.id, field_id=note.id, value="ACME Wholesale"))  # what an agent noted
    session.commit()
    # Removed questions are archived, never deleted, answered ("Which product?", the agents'
    # question) or not ("Colour").
    assert forms.do_remove_question(session, admin, unused.id) is False
    assert forms.do_remove_question(session, admin, product.id) is True
    assert forms.do_remove_question(session, admin, note.id) is True
    session.commit()
    assert not session.get(TicketField, unused.id).active
    assert _customer_form(session, category) == []
    assert [f.label for f in tickets.category_form(session, category, internal=True)] == []
    assert _qa(tickets.ticket_view(session, owner, old.number)) == [("Which product?", "Kettle")]
    assert _qa(tickets.ticket_view(session, agent, old.number)) == [("Which product?", "Kettle"),
                                                                      ("Supplier", "ACME Wholesale")]
    # A new request is checked against the form as it is now: the removed question is neither
    # required nor accepted (a page loaded before the change is told to reload).
    with pytest.raises(Invalid, match="reload the page"):
        tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="New", body="y",
                         answers={f"field-{product.id}": "Kettle"})
    session.rollback()
    new = tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="New", body="y")
    session.commit()
    assert _qa(tickets.ticket_view(session, owner, new.number)) == []
    shown = forms.questions(session, admin, category)
    assert [(q.label, q.active, q.answers) for q in shown] == [("Which product?", False, 1), ("Colour", False, 0),
                                                               ("Supplier", False, 1)]
    with pytest.raises(Invalid, match="already removed"):
        forms.do_remove_question(session, admin, product.id)
    with pytest.raises(Invalid, match="Restore"):
        forms.do_change_question(session, admin, product.id, label="x", kind="text", required=False, help_text="")
    # Restored, it is asked again (last) and required again.
    forms.do_restore_question(session, admin, product.id)
    session.commit()
    assert _customer_form(session, category) == ["Which product?"]
    with pytest.raises(Invalid, match="required"):
        tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="Newer", body="z")
    session.rollback()
    removed = session.exec(select(AuditEvent.details).where(AuditEvent.action == "ticket_field.removed")
                           .order_by(AuditEvent.id)).all()
    assert [json.loads(d)["answered"] for d in removed] == [False, True, True]
    # A new question never takes a removed one's id, so an answer sent from a page loaded before
    # the change cannot land on it.
    added = forms.do_add_question(session, admin, category, label="Colour", kind="text")
    assert added.id > note.id


def test_changes_to_a_question_apply_to_new_requests_and_an_answered_one_keeps_its_kind(admin_world):
    session, p = admin_world
    admin, owner = p["admin"], p["owner"]
    category = forms.do_add_category(session, admin, name="Warranty claim").id
    product = forms.do_add_question(session, admin, category, label="Which product?", kind="select",
                                    options="Kettle\nToaster")
    old = tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="Old", body="x",
                           answers={f"field-{product.id}": "Toaster"})
    session.commit()
    with pytest.raises(Invalid) as err:
        forms.do_change_question(session, admin, product.id, label="Which product?", kind="text", required=False,
                                 help_text="", options="")
    assert err.value.field == "kind"
    session.rollback()
    forms.do_change_question(session, admin, product.id, label="Product", kind="select", required=True,
                             help_text="", options="Kettle\nBlender")
    session.commit()
    assert _qa(tickets.ticket_view(session, owner, old.number)) == [("Product", "Toaster")]  # kept as given
    with pytest.raises(Invalid, match="Choose one of the answers"):
        tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="New", body="y",
                         answers={f"field-{product.id}": "Toaster"})
    session.rollback()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket_field.changed")).one()
    assert json.loads(event.details) == {"changed": ["label", "options", "required"], "from": "Which product?"}


LONG = "x" * 101


def _all_fields(session) -> list[tuple]:
    table = TicketField.__table__
    return [tuple(row) for row in session.connection().execute(table.select().order_by(table.c.id))]


BAD_QUESTIONS = [
    ({"label": ""}, "label", "required"),
    ({"label": "   "}, "label", "required"),
    ({"label": "y" * 81}, "label", "at most 80"),
    ({"label": "two\nlines"}, "label", "single line"),
    ({"label": ["a"]}, "label", "must be text"),
    ({"label": 7}, "label", "must be text"),
    ({"kind": "signature"}, "kind", "kind"),
    ({"kind": None}, "kind", "kind"),
    ({"kind": ["select"]}, "kind", "kind"),
    ({"help_text": "h" * 201}, "help_text", "at most 200"),
    ({"required": "yes"}, "required", "Choose"),
    ({"internal": 1}, "internal", "Choose"),
    ({"options": ""}, "options", "needs its answers"),
    ({"options": "\n \n"}, "options", "needs its answers"),
    ({"options": None}, "options", "needs its answers"),
    ({"options": "Kettle\nkettle"}, "options", "twice"),
    ({"options": "\n".join(f"o{i}" for i in range(51))}, "options", "At most 50"),
    ({"options": f"ok\n{LONG}"}, "options", "at most 100"),
    ({"options": "a\rb"}, "options", "single line"),
    ({"options": "bell\x07"}, "options", "single line"),
    ({"options": [1, 2]}, "options", "text"),
    ({"options": {"a": 1}}, "options", "text"),
    ({"options": "o" * 10_000}, "options", "At most"),
]


def test_bad_questions_get_a_message_next_to_their_field_and_nothing_is_stored(admin_world):
    session, p = admin_world
    category = forms.do_add_category(session, p["admin"], name="Warranty claim").id
    existing = forms.do_add_question(session, p["admin"], category, label="Existing", kind="select", options="A")
    session.commit()
    before = _all_fields(session)
    for fields, field, message in BAD_QUESTIONS:
        form = {"label": "Which product?", "kind": "select", "required": False, "help_text": "", "options": "A\nB",
                "internal": False, **fields}
        for call in (lambda: forms.do_add_question(session, p["admin"], category, **form),
                     lambda: forms.do_change_question(session, p["admin"], existing.id, **form)):
            with pytest.raises(Invalid) as err:
                call()
            assert (err.value.field, message in err.value.message) == (field, True), (fields, err.value.message)
            session.rollback()
    assert _all_fields(session) == before


BAD_CATEGORIES = [
    ({"name": ""}, "name", "required"),
    ({"name": "n" * 81}, "name", "at most 80"),
    ({"name": "billing"}, "name", "Another category"),  # names are unique whatever their case
    ({"name": {"$ne": ""}}, "name", "must be text"),
    ({"description": "d" * 301}, "description", "at most 300"),
    ({"description": 3}, "description", "must be text"),
    ({"allows_priority": "on"}, "allows_priority", "Choose"),
    ({"billing": None}, "billing", "Choose"),
]


def test_bad_categories_get_a_message_next_to_their_field_and_nothing_is_stored(admin_world):
    session, p = admin_world
    before = session.exec(select(TicketCategory.id, TicketCategory.name, TicketCategory.billing)).all()
    question = next(c.id for c in tickets.categories(session) if c.name == "Question")
    for fields, field, message in BAD_CATEGORIES:
        form = {"name": "Warranty claim", "description": "", "allows_priority": True, "billing": False, **fields}
        with pytest.raises(Invalid) as err:
            forms.do_add_category(session, p["admin"], **form)
        assert (err.value.field, message in err.value.message) == (field, True), (fields, err.value.message)
        session.rollback()
        # The same checks when an existing category is changed.
        with pytest.raises(Invalid) as err:
            forms.do_change_category(session, p["admin"], question,
                                     **{**form, "name": form["name"] if field == "name" else "Question"})
        assert err.value.field == field
        session.rollback()
    assert session.exec(select(TicketCategory.id, TicketCategory.name, TicketCategory.billing)).all() == before


def test_a_form_and_the_categories_have_limits(admin_world, monkeypatch):
    session, p = admin_world
    admin = p["admin"]
    category = forms.do_add_category(session, admin, name="Big").id
    monkeypatch.setattr(forms, "MAX_QUESTIONS", 2)
    forms.do_add_question(session, admin, category, label="One", kind="text")
    forms.do_add_question(session, admin, category, label="Two", kind="text")
    with pytest.raises(Invalid, match="at most 2 questions"):
        forms.do_add_question(session, admin, category, label="Three", kind="text")
    with pytest.raises(Invalid, match="already asks"):
        forms.do_change_question(session, admin, forms.questions(session, admin, category)[1].id, label="ONE",
                                 kind="text", required=False, help_text="")
    monkeypatch.setattr(forms, "MAX_CATEGORIES", 5)
    with pytest.raises(Invalid, match="at most 5 categories"):
        forms.do_add_category(session, admin, name="Sixth")


def test_a_move_must_be_up_or_down(admin_world):
    session, p = admin_world
    category = tickets.categories(session)[1].id
    field = forms.do_add_question(session, p["admin"], category, label="Extra", kind="text").id
    for direction in ("sideways", "", None, ["up"], 1, "UP"):
        with pytest.raises(Invalid):
            forms.do_move_category(session, p["admin"], category, direction)
        with pytest.raises(Invalid):
            forms.do_move_question(session, p["admin"], field, direction)


def test_hostile_text_is_kept_as_written_and_shown_as_text(admin_world):
    """Labels, help and answers are plain text wherever they are shown (the
    page renders them as text nodes, never as HTML); the service keeps them
    exactly as typed, and the audit sentence quotes them as text."""
    session, p = admin_world
    admin, owner = p["admin"], p["owner"]
    category = forms.do_add_category(session, admin, name=HOSTILE[:80], description=HOSTILE).id
    field = forms.do_add_question(session, admin, category, label=HOSTILE[:80], kind="select", help_text=HOSTILE,
                                  options=f"{HOSTILE[:100]}\njavascript:alert(1)")
    session.commit()
    row = tickets.category_form(session, category)[0]
    assert (row.label, row.help_text, row.options) == (HOSTILE[:80], HOSTILE, (HOSTILE[:100], "javascript:alert(1)"))
    ticket = tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="x", body="y",
                              answers={f"field-{field.id}": "javascript:alert(1)"})
    session.commit()
    assert _qa(tickets.ticket_view(session, owner, ticket.number)) == [(HOSTILE[:80], "javascript:alert(1)")]
    sentences = [e.sentence for e in audit.list_all(session, admin).rows if e.action == "ticket_field.added"]
    assert sentences == [f"Root added the question \u201c{HOSTILE[:80]}\u201d to \u201c{HOSTILE[:80]}\u201d"]


def test_agents_and_customers_are_refused_and_nothing_changes(world):
    session, p = world
    category = tickets.categories(session)[1].id
    for who in ("agent", "owner", "bill"):
        for call in (lambda: forms.list_categories(session, p[who]),
                     lambda: forms.do_add_category(session, p[who], name="Mine"),
                     lambda: forms.do_archive_category(session, p[who], category),
                     lambda: forms.do_add_question(session, p[who], category, label="Q", kind="text")):
            with pytest.raises(Forbidden):
                call()
    assert session.exec(select(AuditEvent.id).where(AuditEvent.action.like("ticket_%"))).all() == []


def test_the_lists_cost_the_same_statements_however_many_rows(admin_world):
    session, p = admin_world
    admin = p["admin"]
    category = forms.do_add_category(session, admin, name="Counted").id
    session.commit()
    with statements(session) as few:
        forms.list_categories(session, admin)
        forms.questions(session, admin, category)
    for i in range(8):
        forms.do_add_category(session, admin, name=f"More {i}")
        forms.do_add_question(session, admin, category, label=f"Q{i}", kind="text")
    session.commit()
    with statements(session) as many:
        assert len(forms.list_categories(session, admin)) == 13
        assert len(forms.questions(session, admin, category)) == 8
    assert len(many) == len(few)
