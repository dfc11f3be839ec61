"""Canned replies, the services: the permission base for keeping them (staff
admins only; customers refused) and for filling one on a ticket (staff
agents; another organisation's ticket not found), agents who read but do
not edit, placeholders filled (hostile values inserted as inert text,
unknown placeholders left as written and named), bad input, the audit, and
the list's order."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlmodel import Session, select

from portal_app.models import AuditEvent, CannedReply, User
from portal_app.services import canned_replies, tickets
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.markdown import render
from portal_app.services.principal import principal_for_user
from tests.factories import staff_admin
from tests.permissions import Permission, permission_tests
from tests.services.test_tickets import _raise, org  # noqa: F401 — `org` is a fixture

STAFF_ONLY = dict(allowed=(), staff_allowed=True, refused=Forbidden, refused_code=ErrorCode.STAFF_ONLY)
BODY = "Hello {{customer.first_name}},\n\nabout {{ ticket.number }}: we are on it.\n\n{{agent.name}}"


def _a_reply(session: Session, owner) -> int:  # noqa: ANN001
    """A canned reply, as staff keep them (the row acted on; not an organisation's)."""
    reply = CannedReply(title="Looking into it", body=BODY)
    session.add(reply)
    session.flush()
    return reply.id


def _open_ticket_with_a_reply(session: Session, owner) -> int:  # noqa: ANN001
    """A ticket every member of the owner's organisation sees (so a refusal
    is the staff rule, not the ticket's visibility), and a canned reply."""
    tickets.set_open_to_members(session, owner, owner.current.org_id, value=True)
    session.info["canned_reply"] = _a_reply(session, owner)
    return _raise(session, owner, subject=f"Ticket of {owner.email}").number


def _created(session, actor, _, reply) -> None:  # noqa: ANN001
    assert session.get(CannedReply, reply.id).title == "Refund policy"
    assert session.exec(select(AuditEvent.action).where(AuditEvent.target_type == "canned_reply")).all() == [
        "canned_reply.created"]


def _updated(session, actor, reply_id, reply) -> None:  # noqa: ANN001
    assert (reply.id, reply.title, reply.body) == (reply_id, "Looking into it (2)", "Still on it.")


def _deleted(session, actor, reply_id, title) -> None:  # noqa: ANN001
    assert session.get(CannedReply, reply_id) is None and title == "Looking into it"


def _listed(session, actor, _, page) -> None:  # noqa: ANN001
    assert [row.title for row in page.rows] == ["Looking into it"]


def _filled(session, actor, number, filled) -> None:  # noqa: ANN001
    assert filled.text == f"Hello Olive,\n\nabout T-{number}: we are on it.\n\nRoot"
    assert filled.unknown == ()


test_canned_reply_permissions = permission_tests(
    Permission("create", lambda s, p, _: canned_replies.create(s, p, title="Refund policy", body="We refund."),
               target_row=lambda s, owner: None, org_scoped=False, by_id=False, check=_created, **STAFF_ONLY),
    Permission("edit", lambda s, p, reply_id: canned_replies.update(s, p, reply_id, title="Looking into it (2)",
                                                                    body="Still on it."),
               target_row=_a_reply, org_scoped=False, check=_updated, **STAFF_ONLY),
    Permission("delete", lambda s, p, reply_id: canned_replies.delete(s, p, reply_id),
               target_row=_a_reply, org_scoped=False, check=_deleted, **STAFF_ONLY),
    Permission("list", lambda s, p, _: canned_replies.list_replies(s, p), target_row=_a_reply, org_scoped=False,
               by_id=False, check=_listed, **STAFF_ONLY),
    Permission("fill", lambda s, p, number: canned_replies.fill(s, p, s.info["canned_reply"], number),
               target_row=_open_ticket_with_a_reply, check=_filled, **STAFF_ONLY),
)


def _agent(session: Session, email: str = "agnes@example.com"):  # noqa: ANN202
    """A staff agent (not an admin), with two-step verification."""
    admin = staff_admin(session, email=email, name="Agnes Agent")
    user = session.get(User, admin.user_id)
    user.staff_role = "agent"
    session.add(user)
    session.commit()
    return principal_for_user(session, user, None)


def test_agents_read_and_fill_them_but_only_admins_keep_them(org):  # noqa: F811
    session, people = org
    admin, agent = people["staff"], _agent(session)
    reply = canned_replies.create(session, admin, title="Looking into it", body=BODY)
    ticket = _raise(session, people["mia"], subject="Printer")
    session.commit()
    assert [r.title for r in canned_replies.list_replies(session, agent).rows] == ["Looking into it"]
    assert canned_replies.menu(session, agent) == [(reply.id, "Looking into it")]
    other = canned_replies.create(session, admin, title="Refund sent", body="The money is on its way (5 days).")
    session.commit()
    assert canned_replies.menu(session, agent, "REFUND") == [(other.id, "Refund sent")]  # the title, any case
    assert canned_replies.menu(session, agent, "on its way") == [(other.id, "Refund sent")]  # or the text
    assert canned_replies.menu(session, agent, "100%") == []  # % and _ are what they are
    for everything in ("", "   ", None, 7, ["refund"], "x" * (canned_replies.FIND_MAX + 1)):
        assert len(canned_replies.menu(session, agent, everything)) == 2
    assert canned_replies.fill(session, agent, reply.id, ticket.number).text.startswith("Hello Mia,")
    for change in (lambda: canned_replies.create(session, agent, title="Mine", body="x"),
                   lambda: canned_replies.update(session, agent, reply.id, title="Mine", body="x"),
                   lambda: canned_replies.delete(session, agent, reply.id)):
        with pytest.raises(Forbidden) as err:
            change()
        assert err.value.code == ErrorCode.STAFF_ONLY
    session.rollback()
    assert session.get(CannedReply, reply.id).title == "Looking into it"


def test_keeping_them_is_audited_and_the_list_is_by_title(org):  # noqa: F811
    session, people = org
    admin = people["staff"]
    for title in ("refund", "Apology", "Billing address"):
        canned_replies.create(session, admin, title=title, body=f"About {title}.")
    session.commit()
    assert [r.title for r in canned_replies.list_replies(session, admin).rows] == ["Apology", "Billing address",
                                                                                    "refund"]
    refund = session.exec(select(CannedReply).where(CannedReply.title == "refund")).one()
    canned_replies.update(session, admin, refund.id, title="Refund", body="About refunds.")
    canned_replies.update(session, admin, refund.id, title="Refund", body="About refunds.")  # no change: no event
    canned_replies.delete(session, admin, refund.id)
    session.commit()
    events = session.exec(select(AuditEvent.action, AuditEvent.target_label, AuditEvent.org_id)
                          .where(AuditEvent.target_type == "canned_reply").order_by(AuditEvent.id)).all()
    assert [e[0] for e in events] == ["canned_reply.created"] * 3 + ["canned_reply.updated", "canned_reply.deleted"]
    assert events[3][1:] == ("Refund", None)
    row = canned_replies.list_replies(session, admin).rows[0]
    assert (row.updated_by, row.excerpt) == ("Root", "About Apology.")
    with pytest.raises(NotFound):
        canned_replies.delete(session, admin, refund.id)  # gone


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field"), [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 101}, "title"),
    ({"title": "two\nlines"}, "title"),
    ({"title": ["a list"]}, "title"),
    ({"title": 7}, "title"),
    ({"title": None}, "title"),
    ({"body": ""}, "body"),
    ({"body": "\n \n"}, "body"),
    ({"body": "x" * 10_001}, "body"),
    ({"body": {"html": "<b>"}}, "body"),
    ({"body": True}, "body"),
    ({"title": "looking INTO it"}, "title"),  # the same title as another, in other letters
])
def test_bad_input_gets_a_message_next_to_its_field_and_nothing_is_stored(org, fields, field):  # noqa: F811
    session, people = org
    admin = people["staff"]
    canned_replies.create(session, admin, title="Looking into it", body=BODY)
    session.commit()
    form = {"title": "Refunds", "body": "We refund within 14 days.", **fields}
    with pytest.raises(Invalid) as err:
        canned_replies.create(session, admin, **form)
    assert err.value.field == field and err.value.message
    session.rollback()
    assert session.exec(select(CannedReply.title)).all() == ["Looking into it"]
    if fields == {"title": "looking INTO it"}:
        return  # its own title, in other letters, is fine when editing it
    existing = session.exec(select(CannedReply.id)).one()
    with pytest.raises(Invalid) as err:
        canned_replies.update(session, admin, existing, **{"title": "Other", "body": "Other", **fields})
    assert err.value.field == field
    session.rollback()
    assert session.get(CannedReply, existing).body == BODY


def test_the_longest_title_and_text_are_kept_as_written(org):  # noqa: F811
    session, people = org
    body = "**Hostile?** <script>alert(1)</script> [x](javascript:alert(1))\n" + "y" * 9_900
    reply = canned_replies.create(session, people["staff"], title="t" * 100, body=body)
    assert (len(reply.title), reply.body) == (100, body)


# --- placeholders ---------------------------------------------------------------------------

class _Text(HTMLParser):
    """The tags and the visible text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        self.tags.add(tag)

    def handle_data(self, data) -> None:  # noqa: ANN001
        self.text += data


def _shown(markdown: str) -> _Text:
    parsed = _Text()
    parsed.feed(render(markdown))
    return parsed


def test_placeholders_are_filled_for_the_ticket(org):  # noqa: F811
    session, people = org
    admin = people["staff"]
    body = ("Dear {{customer.name}} ({{customer.first_name}}), {{ticket.number}} \u201c{{ticket.subject}}\u201d "
            "of {{organisation.name}} is with {{agent.name}}.")
    reply = canned_replies.create(session, admin, title="All of them", body=body)
    ticket = _raise(session, people["mia"], subject="Printer on fire")
    session.commit()
    events = len(session.exec(select(AuditEvent.id)).all())
    filled = canned_replies.fill(session, admin, reply.id, ticket.number)
    assert filled.unknown == ()
    assert _shown(filled.text).text.strip() == (
        f"Dear Mia (Mia), T-{ticket.number} \u201cPrinter on fire\u201d of Ours is with Root.")
    assert len(session.exec(select(AuditEvent.id)).all()) == events  # filling writes nothing


def test_unknown_placeholders_are_left_as_written_and_named_once():
    filled = canned_replies.fill_text("Hi {{customer.phone}}, {{ Customer.Name }} {{customer.phone}} {{}} {{a{b}}}",
                                      {"customer.name": "Mia"})
    assert filled.text == "Hi {{customer.phone}}, {{ Customer.Name }} {{customer.phone}} {{}} {{a{b}}}"
    assert filled.unknown == ("{{customer.phone}}", "{{ Customer.Name }}")


HOSTILE_VALUES = [
    "**Bob** _the_ `builder`",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "[phish](https://evil.example)",
    "![pixel](https://evil.example/p.png)",
    "<https://evil.example>",
    "# Heading",
    "1. a list",
    "- a list",
    "> a quote",
    "a | table | row",
    "~~gone~~",
    "{{agent.name}}",  # a value is never filled in again
    "line one\nline two\r\n\u2028three",
    "back\\slash \\*",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_hostile_value_is_inserted_as_inert_text(value):
    filled = canned_replies.fill_text("{{customer.name}}\n\nHi {{customer.name}}, see {{ticket.subject}}.",
                                      {"customer.name": value, "ticket.subject": value})
    shown = _shown(filled.text)
    assert shown.tags <= {"p"}, render(filled.text)  # no link, image, heading, list, emphasis or code
    one_line = " ".join(value.replace("\u2028", " ").split())
    assert shown.text.split("\n")[0] == one_line, render(filled.text)
    assert f"Hi {one_line}, see {one_line}." in shown.text


def test_a_customer_named_in_markdown_and_html_stays_inert_on_a_real_ticket(org):  # noqa: F811
    from portal_app.models import Organization

    session, people = org
    admin, mia = people["staff"], people["mia"]
    user = session.get(User, mia.user_id)
    user.name = "<img src=x onerror=alert(1)> [Mia](javascript:alert(1))"
    org_row = session.get(Organization, mia.current.org_id)
    org_row.name = "**Ours** <script>x</script>"
    session.add(user)
    session.add(org_row)
    session.commit()
    reply = canned_replies.create(session, admin, title="Hi", body="Hi {{customer.first_name}} of "
                                                                    "{{organisation.name}}: {{customer.name}}")
    ticket = _raise(session, mia, subject="[x](https://evil.example) `code`")
    filled = canned_replies.fill(session, admin, reply.id, ticket.number)
    tickets.do_reply(session, admin, ticket.number, body=filled.text)
    html = tickets.ticket_view(session, mia, ticket.number).messages[-1].html
    shown = _Text()
    shown.feed(html)
    assert shown.tags == {"p"}, html
    assert shown.text.strip() == ("Hi <img of **Ours** <script>x</script>: "
                                  "<img src=x onerror=alert(1)> [Mia](javascript:alert(1))")


def test_filling_asks_for_a_canned_reply_and_a_ticket_that_exist(org):  # noqa: F811
    session, people = org
    admin = people["staff"]
    reply = canned_replies.create(session, admin, title="Hi", body="Hi")
    ticket = _raise(session, people["mia"])
    for reply_id, number in ((999_999, ticket.number), ("1", ticket.number), (reply.id, 999_999),
                             (reply.id, str(ticket.number)), (None, None)):
        with pytest.raises(NotFound):
            canned_replies.fill(session, admin, reply_id, number)
    with pytest.raises(Forbidden):
        canned_replies.fill(session, people["owner"], reply.id, ticket.number)  # sees the ticket, not staff
    with pytest.raises(NotFound):
        canned_replies.fill(session, people["theirs"], reply.id, ticket.number)  # another organisation's
