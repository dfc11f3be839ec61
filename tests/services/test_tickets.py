"""Support tickets, the services: the three-case permission base for every
action (a role without permission, with it, another organisation's ticket,
ids of the wrong type, staff), who sees what (members, billing, the
organisation setting, followers), internal notes kept from customers on
every path, the conversation's status rules, reopening within the window,
numbering, repeats, bad input and hostile Markdown."""

from __future__ import annotations

import threading
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.db import session_scope
from portal_app.models import Notification, Organization, Ticket, TicketCategory, TicketMessage
from portal_app.models.base import utcnow
from portal_app.services import files, ticket_lists, tickets
from portal_app.services.errors import Forbidden, Invalid, NotFound
from portal_app.services.principal import ROLES
from tests.factories import ours_and_theirs, register, sign_in, staff_admin, statements
from tests.permissions import Permission, join, permission_tests

SEE_ALL = ("owner", "admin")


def _category(session: Session, *, billing: bool = False) -> int:
    return session.exec(select(TicketCategory.id).where(TicketCategory.billing == billing)
                        .order_by(TicketCategory.position)).first()


def _raise(session: Session, principal, *, subject: str = "The printer is on fire", billing: bool = False,
           body: str = "It started this morning.") -> Ticket:
    return tickets.do_raise(session, principal, principal.current.org_id, category=_category(session, billing=billing),
                            subject=subject, body=body)


def _owners_ticket(session: Session, owner) -> int:
    return _raise(session, owner, subject=f"Ticket of {owner.email}").number


def _raised(session, actor, org_id, ticket) -> None:
    assert ticket.org_id == org_id and ticket.status == "open" and ticket.raised_by_id == actor.user_id
    body = session.exec(select(TicketMessage.body).where(TicketMessage.ticket_id == ticket.id)).one()
    assert body == "Steps: 1, 2, 3"


def _replied(session, actor, number, message) -> None:
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
    assert message.ticket_id == ticket.id and not message.internal
    assert ticket.status == ("waiting" if actor.is_staff else "open")


def _closed(session, actor, number, ticket) -> None:
    assert ticket.status == "closed" and ticket.closed_at is not None


def _viewed(session, actor, number, view) -> None:
    assert view.number == number and [m.html for m in view.messages] == ["<p>It started this morning.</p>\n"]


test_ticket_permissions = permission_tests(
    Permission("raise", lambda s, p, org_id: tickets.do_raise(s, p, org_id, category=_category(s), subject="Help",
                                                              body="Steps: 1, 2, 3"),
               ROLES, check=_raised),
    Permission("view", lambda s, p, number: tickets.ticket_view(s, p, number), SEE_ALL, target_row=_owners_ticket,
               refused=NotFound, staff_allowed=True, check=_viewed),
    Permission("reply", lambda s, p, number: tickets.do_reply(s, p, number, body="Any news?"), SEE_ALL,
               target_row=_owners_ticket, refused=NotFound, staff_allowed=True, check=_replied),
    Permission("close", lambda s, p, number: tickets.do_close(s, p, number), SEE_ALL, target_row=_owners_ticket,
               refused=NotFound, staff_allowed=True, check=_closed),
    Permission("follow", lambda s, p, number: tickets.do_follow(s, p, number), SEE_ALL, target_row=_owners_ticket,
               refused=NotFound, staff_refused=Forbidden),
)


# --- the people of one organisation and another ---------------------------------------

def _people(session: Session) -> dict:
    """Ours: an owner, an admin, a billing member and two members; Theirs:
    an owner; and a staff agent."""
    people = ours_and_theirs(session)
    owner = people["owner"]
    for role, email in (("admin", "adam"), ("billing", "bill"), ("member", "mia"), ("member", "max")):
        people[email] = join(session, owner, f"{email}@example.com", role, email.title())
    people["staff"] = staff_admin(session)
    return people


@pytest.fixture
def org(engine, seeded):
    """`_people`, made once per module (`seeded`). One session, committed as it goes."""
    people = seeded(engine, _people)
    with Session(engine, expire_on_commit=False) as session:
        yield session, people


def _numbers(session, principal, **filters) -> list[int]:
    return [row.number for row in ticket_lists.list_tickets(session, principal, **filters).rows]


def _qa(view) -> list[tuple[str, str]]:
    """The intake form's answers shown: (question, answer)."""
    return [(a.question, a.value) for a in view.answers]


def test_members_see_what_they_raised_or_follow_and_managers_see_everything(org):
    session, people = org
    mias = _raise(session, people["mia"], subject="Mia's")
    maxs = _raise(session, people["max"], subject="Max's")
    session.commit()
    assert _numbers(session, people["mia"]) == [mias.number]
    assert _numbers(session, people["max"]) == [maxs.number]
    for who in ("owner", "adam"):
        assert sorted(_numbers(session, people[who])) == [mias.number, maxs.number]
    assert _numbers(session, people["theirs"]) == []
    with pytest.raises(NotFound):
        tickets.ticket_view(session, people["max"], mias.number)
    # Mia adds Max as a follower: now he sees it, and hears about replies.
    tickets.do_follow(session, people["mia"], mias.number, people["max"].user_id)
    session.commit()
    assert sorted(_numbers(session, people["max"])) == [mias.number, maxs.number]
    assert _numbers(session, people["max"], following=True) == [mias.number]
    assert _numbers(session, people["max"], mine=True) == [maxs.number]
    tickets.do_unfollow(session, people["max"], mias.number)
    session.commit()
    assert _numbers(session, people["max"]) == [maxs.number]


def test_someone_of_another_organisation_cannot_follow_and_staff_are_not_followers(org):
    session, people = org
    mias = _raise(session, people["mia"])
    with pytest.raises(Invalid):
        tickets.do_follow(session, people["mia"], mias.number, people["theirs"].user_id)
    with pytest.raises(Invalid):
        tickets.do_follow(session, people["mia"], mias.number, "2")  # an id of the wrong type
    with pytest.raises(Forbidden):
        tickets.do_follow(session, people["staff"], mias.number)


def test_the_organisation_can_open_every_ticket_to_its_members(org):
    session, people = org
    owners = _raise(session, people["owner"])
    session.commit()
    assert _numbers(session, people["mia"]) == []
    session.execute(update(Organization).where(Organization.id == people["owner"].current.org_id)
                    .values(tickets_open_to_members=True))
    session.commit()
    assert _numbers(session, people["mia"]) == [owners.number]
    assert _numbers(session, people["theirs"]) == []


def test_billing_members_see_billing_requests_too(org):
    session, people = org
    question = _raise(session, people["mia"], subject="A question")
    invoice = _raise(session, people["mia"], subject="Wrong invoice", billing=True)
    session.commit()
    assert _numbers(session, people["bill"]) == [invoice.number]
    assert question.number not in _numbers(session, people["bill"])


def test_staff_see_every_organisation_s_tickets_and_customers_only_their_current_one(org):
    session, people = org
    ours, theirs = _raise(session, people["owner"]), _raise(session, people["theirs"])
    session.commit()
    assert sorted(_numbers(session, people["staff"])) == [ours.number, theirs.number]
    assert _numbers(session, people["owner"]) == [ours.number]


# --- internal notes --------------------------------------------------------------------

def test_an_internal_note_never_reaches_a_customer(org):
    session, people = org
    ticket = _raise(session, people["owner"])
    session.commit()
    before = session.exec(select(Notification.id)).all()
    tickets.do_reply(session, people["staff"], ticket.number, body="Customer is on the old plan", internal=True)
    session.commit()
    assert session.exec(select(Ticket.status).where(Ticket.id == ticket.id)).one() == "open"  # unchanged
    assert session.exec(select(Notification.id)).all() == before  # nobody told
    for who in ("owner", "adam"):
        view = tickets.ticket_view(session, people[who], ticket.number)
        assert all("old plan" not in m.html for m in view.messages) and len(view.messages) == 1
    staff_view = tickets.ticket_view(session, people["staff"], ticket.number)
    assert [m.internal for m in staff_view.messages] == [False, True]
    assert staff_view.can_note and not tickets.ticket_view(session, people["owner"], ticket.number).can_note
    # Nor through the list's search: it reads subjects and numbers, never a message.
    for who in ("owner", "staff"):
        assert ticket_lists.list_tickets(session, people[who], q="old plan").rows == []
    assert [r.number for r in ticket_lists.list_tickets(session, people["owner"], q="printer").rows] == [ticket.number]


def test_a_customer_cannot_write_an_internal_note(org):
    session, people = org
    ticket = _raise(session, people["owner"])
    with pytest.raises(Forbidden):
        tickets.do_reply(session, people["owner"], ticket.number, body="psst", internal=True)
    with pytest.raises(Invalid):
        tickets.do_reply(session, people["owner"], ticket.number, body="psst", internal="yes")


# --- the conversation and status -------------------------------------------------------------

def test_replies_move_the_ticket_between_us_and_the_customer_and_notify_the_other_side(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    tickets.do_follow(session, people["mia"], ticket.number, people["max"].user_id)
    session.commit()
    tickets.do_reply(session, people["staff"], ticket.number, body="Have you tried turning it off?")
    session.commit()
    assert session.get(Ticket, ticket.id).status == "waiting"
    told = set(session.exec(select(Notification.user_id).where(Notification.event == "ticket_reply")).all())
    assert told == {people["mia"].user_id, people["max"].user_id}
    tickets.do_reply(session, people["mia"], ticket.number, body="Yes.")
    session.commit()
    assert session.get(Ticket, ticket.id).status == "open"


def test_closing_reopening_and_the_reopening_window(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    tickets.do_close(session, people["mia"], ticket.number)
    session.commit()
    with pytest.raises(Invalid):
        tickets.do_close(session, people["mia"], ticket.number)
    tickets.do_reopen(session, people["mia"], ticket.number)
    session.commit()
    assert session.get(Ticket, ticket.id).status == "open"
    with pytest.raises(Invalid):
        tickets.do_reopen(session, people["mia"], ticket.number)  # still open
    tickets.do_set_status(session, people["staff"], ticket.number, "resolved")
    session.commit()
    # A reply to a resolved request reopens it.
    tickets.do_reply(session, people["mia"], ticket.number, body="It is back.")
    tickets.do_close(session, people["mia"], ticket.number)
    session.commit()
    long_ago = utcnow() - timedelta(days=tickets.reopen_days() + 1)
    session.execute(update(Ticket).where(Ticket.id == ticket.id).values(closed_at=long_ago))
    session.commit()
    with pytest.raises(Invalid, match="raise a new one"):
        tickets.do_reopen(session, people["mia"], ticket.number)
    with pytest.raises(Invalid, match="raise a new one"):
        tickets.do_reply(session, people["mia"], ticket.number, body="Hello?")
    assert not tickets.ticket_view(session, people["mia"], ticket.number).can_reopen
    tickets.do_reopen(session, people["staff"], ticket.number)  # staff may, any time


def test_only_staff_agents_set_a_status_or_assign(org):
    session, people = org
    ticket = _raise(session, people["owner"])
    with pytest.raises(Forbidden):
        tickets.do_set_status(session, people["owner"], ticket.number, "resolved")
    with pytest.raises(Invalid):
        tickets.do_set_status(session, people["staff"], ticket.number, "on fire")
    with pytest.raises(Invalid):
        tickets.do_assign(session, people["staff"], ticket.number, people["owner"].user_id)  # not an agent
    tickets.do_assign(session, people["staff"], ticket.number, people["staff"].user_id)
    session.commit()
    assert session.get(Ticket, ticket.id).assignee_id == people["staff"].user_id
    assert tickets.ticket_view(session, people["owner"], ticket.number).assignee == "Root"


# --- numbers and repeats ----------------------------------------------------------------------

def test_numbers_are_sequential_from_1001_and_readable(org):
    session, people = org
    first, second = _raise(session, people["owner"], subject="One"), _raise(session, people["theirs"], subject="Two")
    assert (first.number, second.number) == (1001, 1002)
    assert tickets.label(first.number) == "T-1001"
    assert tickets.parse_number("t-1001") == 1001 and tickets.parse_number(" 1001 ") == 1001
    assert tickets.parse_number("T-") is None and tickets.parse_number("1e3") is None
    assert tickets.parse_number(1001) is None and tickets.parse_number("٣") is None


def test_concurrent_raises_get_distinct_numbers(any_engine):
    with session_scope(any_engine) as session:
        register(session, "olive@example.com", company="Ours", name="Olive Owner")
    numbers: list[int] = []
    errors: list[BaseException] = []

    def raise_one(n: int) -> None:
        try:
            with session_scope(any_engine) as session:
                _, owner = sign_in(session, "olive@example.com")
                numbers.append(_raise(session, owner, subject=f"Request {n}").number)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=raise_one, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1001, 1007))


def test_the_same_request_sent_twice_is_one_ticket(org):
    session, people = org
    first = _raise(session, people["owner"])
    again = _raise(session, people["owner"])
    assert again.id == first.id
    other = _raise(session, people["owner"], body="Something else")
    assert other.id != first.id


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field"), [
    ({"subject": ""}, "subject"),
    ({"subject": "x" * 201}, "subject"),
    ({"subject": ["a list"]}, "subject"),
    ({"subject": "two\nlines"}, "subject"),
    ({"body": ""}, "body"),
    ({"body": "   "}, "body"),
    ({"body": "x" * 20_001}, "body"),
    ({"body": {"html": "<b>"}}, "body"),
    ({"category": "999"}, "category"),
    ({"category": None}, "category"),
    ({"category": "1; DROP TABLE tickets"}, "category"),
    ({"priority": "apocalyptic"}, "priority"),
])
def test_bad_input_gets_a_message_next_to_its_field_and_nothing_is_stored(org, fields, field):
    session, people = org
    owner = people["owner"]
    category = session.exec(select(TicketCategory.id).where(TicketCategory.allows_priority)).first()
    form = {"category": category, "subject": "Help", "body": "Please", "priority": "high", **fields}
    with pytest.raises(Invalid) as err:
        tickets.do_raise(session, owner, owner.current.org_id, **form)
    assert err.value.field == field and err.value.message
    session.rollback()
    assert session.exec(select(Ticket)).all() == []


def test_a_category_without_priority_ignores_the_one_sent(org):
    session, people = org
    owner = people["owner"]
    question = session.exec(select(TicketCategory.id).where(TicketCategory.allows_priority.is_(False))).first()
    ticket = tickets.do_raise(session, owner, owner.current.org_id, category=question, subject="Q", body="?",
                              priority="urgent")
    assert ticket.priority == "normal"


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "![x](https://evil.example/pixel.png)",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[x](https://ok.example \"title\" onmouseover=alert(1))",
]


class _Markup(HTMLParser):
    """Every tag and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


@pytest.mark.parametrize("text", XSS)
def test_hostile_markdown_is_kept_as_written_and_rendered_inert(org, text):
    session, people = org
    ticket = _raise(session, people["owner"], body=text)
    html = tickets.ticket_view(session, people["owner"], ticket.number).messages[0].html
    markup = _Markup()
    markup.feed(html)
    assert markup.tags <= {"p", "a", "strong", "em", "code"}, html
    for name, value in markup.attributes:
        assert name in ("href", "title", "rel"), html
        if name == "href":
            assert value.startswith(("https://", "http://", "mailto:")), html
    stored = session.exec(select(TicketMessage.body).where(TicketMessage.ticket_id == ticket.id)).one()
    assert stored == text  # nothing lost: what was written is kept as written


def test_search_finds_by_words_and_number_with_wildcards_taken_literally(org):
    session, people = org
    printer = _raise(session, people["owner"], subject="Printer 100% broken")
    _raise(session, people["owner"], subject="Invoice question")
    session.commit()
    owner = people["owner"]
    assert _numbers(session, owner, q="printer") == [printer.number]
    assert _numbers(session, owner, q="100%") == [printer.number]
    assert _numbers(session, owner, q="_") == []
    assert _numbers(session, owner, q=f"T-{printer.number}") == [printer.number]
    with pytest.raises(Invalid):
        ticket_lists.list_tickets(session, owner, q="x" * 201)
    with pytest.raises(Invalid):
        ticket_lists.list_tickets(session, owner, status="everything")
    assert _numbers(session, owner, status="closed") == []


def test_a_ticket_page_costs_the_same_statements_however_long_its_conversation(org):
    session, people = org
    ticket = _raise(session, people["owner"])
    session.commit()

    def cost() -> int:
        session.expunge_all()
        with statements(session) as seen:
            tickets.ticket_view(session, people["owner"], ticket.number)
        return len(seen)

    short = cost()
    for n in range(30):
        tickets.do_reply(session, people["staff"] if n % 2 else people["owner"], ticket.number, body=f"Reply {n}")
    session.commit()
    assert cost() == short


def test_owners_and_admins_open_every_request_to_members_and_it_is_audited(org):
    from portal_app.models import AuditEvent

    session, people = org
    org_id = people["owner"].current.org_id
    _raise(session, people["owner"])
    session.commit()
    with pytest.raises(Forbidden):
        tickets.set_open_to_members(session, people["mia"], org_id, value=True)
    with pytest.raises(NotFound):
        tickets.set_open_to_members(session, people["theirs"], org_id, value=True)
    with pytest.raises(Invalid):
        tickets.set_open_to_members(session, people["adam"], org_id, value="on")
    tickets.set_open_to_members(session, people["adam"], org_id, value=True)
    session.commit()
    assert tickets.open_to_members(session, people["mia"], org_id) is True
    assert len(_numbers(session, people["mia"])) == 1
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "org.tickets_shared")).one().org_id == org_id


# --- attachments ------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n" * 50


def _upload(session, principal, storage, name: str = "error.pdf", data: bytes = PDF) -> int:
    return files.store(session, principal, principal.current.org_id, kind=tickets.ATTACHMENT_KIND, filename=name,
                       chunks=[data], storage=storage).id


def test_attachments_go_with_the_message_and_are_read_by_whoever_sees_the_ticket(org, storage):
    session, people = org
    mia, max_ = people["mia"], people["max"]
    first, second = _upload(session, mia, storage), _upload(session, mia, storage, "log.txt", b"line 1\nline 2\n")
    assert [u.filename for u in tickets.pending_uploads(session, mia, mia.current.org_id, [first, second])] == [
        "error.pdf", "log.txt"]
    # Before it is sent, only the uploader reads it.
    with pytest.raises(NotFound):
        files.access_file(session, people["owner"], first)
    ticket = tickets.do_raise(session, mia, mia.current.org_id, category=_category(session), subject="Broken",
                              body="See attached", attachments=[first, second])
    session.commit()
    view = tickets.ticket_view(session, mia, ticket.number)
    assert [a.filename for a in view.messages[0].attachments] == ["error.pdf", "log.txt"]
    for reader in (mia, people["owner"], people["adam"], people["staff"]):
        assert files.access_file(session, reader, first).id == first
    for stranger in (max_, people["bill"], people["theirs"]):  # same organisation but not theirs to see, or another
        with pytest.raises(NotFound):
            files.access_file(session, stranger, first)
    # Sent is sent: nobody removes it from the conversation, and it cannot be attached again.
    with pytest.raises(Forbidden):
        files.delete(session, mia, first, storage=storage)
    with pytest.raises(Invalid):
        tickets.do_reply(session, mia, ticket.number, body="Again", attachments=[first])


@pytest.mark.parametrize("bogus", ["1", [True], [1.0], ["1"], {"id": 1}, list(range(1, 12))])
def test_attachment_ids_that_are_not_a_list_of_ids_are_refused(org, bogus):
    session, people = org
    owner = people["owner"]
    with pytest.raises(Invalid) as err:
        tickets.do_raise(session, owner, owner.current.org_id, category=_category(session), subject="x", body="y",
                         attachments=bogus)
    assert err.value.field == "attachments"


def test_someone_else_s_upload_cannot_be_attached(org, storage):
    session, people = org
    mias = _upload(session, people["mia"], storage)
    theirs = files.store(session, people["theirs"], people["theirs"].current.org_id, kind=tickets.ATTACHMENT_KIND,
                         filename="x.pdf", chunks=[PDF], storage=storage).id
    owner = people["owner"]
    for other in (mias, theirs):
        with pytest.raises(Invalid):
            tickets.do_raise(session, owner, owner.current.org_id, category=_category(session), subject="x",
                             body="y", attachments=[other])
    session.rollback()
    assert session.exec(select(Ticket)).all() == []


def test_disguised_and_oversized_attachments_are_refused_with_nothing_kept(org, storage, monkeypatch):
    import dataclasses

    from portal_app.models import StoredFile
    from portal_app.services.errors import TooLarge
    from portal_app.settings import load_settings

    session, people = org
    with pytest.raises(Invalid):
        _upload(session, people["mia"], storage, "invoice.pdf", b"MZ\x90\x00 a program dressed as a PDF")
    with pytest.raises(Invalid):
        _upload(session, people["mia"], storage, "page.txt", b"<html><script>alert(1)</script></html>")
    small = dataclasses.replace(load_settings(), max_upload_bytes=1000)
    monkeypatch.setattr(files, "get_settings", lambda: small)
    with pytest.raises(TooLarge):
        _upload(session, people["mia"], storage, "big.pdf", PDF + b"x" * 2000)
    session.rollback()
    assert session.exec(select(StoredFile)).all() == []


# --- intake forms -----------------------------------------------------------------------------

def _broken(session) -> tuple[int, list]:
    category = session.exec(select(TicketCategory.id).where(TicketCategory.name == "Something is not working")).one()
    return category, tickets.category_form(session, category, internal=True)


def test_a_category_s_form_is_answered_kept_and_shown_without_agents_only_questions(org):
    session, people = org
    category, form = _broken(session)
    where, since, affected, cause = form
    assert (where.kind, since.kind, affected.kind, cause.kind) == ("select", "date", "number", "long_text")
    assert [f.label for f in tickets.category_form(session, category)] == [where.label, since.label, affected.label]
    owner = people["owner"]
    ticket = tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="Down", body="Help",
                              answers={where.name: "The API", since.name: "2026-11-20", affected.name: "1,200"})
    session.commit()
    assert _qa(tickets.ticket_view(session, owner, ticket.number)) == [
        (where.label, "The API"), (since.label, "2026-11-20"), (affected.label, "1200")]


@pytest.mark.parametrize(("answer", "message"), [
    ({}, "is required"),  # the required select left empty
    ({"where": "The moon"}, "Choose one of"),
    ({"where": ["The API"]}, "must be text"),
    ({"since": "20/11/2026"}, "like 2026-11-26"),
    ({"affected": "a dozen"}, "must be a number"),
    ({"affected": "NaN"}, "must be a number"),
    ({"affected": "1" * 31}, "at most 30"),
    ({"cause": "we broke it"}, "reload the page"),  # agents-only: not on the customer's form
    ({"field-999999": "x"}, "reload the page"),
])
def test_bad_answers_get_a_message_next_to_their_question_and_nothing_is_stored(org, answer, message):
    session, people = org
    category, (where, since, affected, cause) = _broken(session)
    names = {"where": where.name, "since": since.name, "affected": affected.name, "cause": cause.name}
    answers = {where.name: "The API"} if "where" not in answer and answer else {}
    answers.update({names.get(key, key): value for key, value in answer.items()})
    owner = people["owner"]
    with pytest.raises(Invalid) as err:
        tickets.do_raise(session, owner, owner.current.org_id, category=category, subject="Down", body="Help",
                         answers=answers)
    assert message in err.value.message and err.value.field
    session.rollback()
    assert session.exec(select(Ticket)).all() == []


def test_the_list_filters_by_priority_and_sorts_as_asked(org):
    session, people = org
    owner = people["owner"]
    broken, form = _broken(session)
    first = _raise(session, owner, subject="First")
    urgent = tickets.do_raise(session, owner, owner.current.org_id, category=broken, subject="Second", body="!",
                              priority="urgent", answers={form[0].name: "The API"})
    session.commit()
    assert _numbers(session, owner, priority="urgent") == [urgent.number]
    assert _numbers(session, owner, sort="number") == [first.number, urgent.number]
    assert _numbers(session, owner, sort="newest") == [urgent.number, first.number]
    for bad in ({"priority": "whenever"}, {"sort": "random()"}, {"sort": ["number"]}):
        with pytest.raises(Invalid):
            ticket_lists.list_tickets(session, owner, **bad)


@pytest.mark.parametrize("junk", [["open"], {"a": 1}, 7, True])
def test_filters_and_choices_of_the_wrong_type_are_refused_not_crashed_on(org, junk):
    session, people = org
    owner = people["owner"]
    ticket = _raise(session, owner)
    for filters in ({"status": junk}, {"priority": junk}, {"sort": junk}):
        with pytest.raises(Invalid):
            ticket_lists.list_tickets(session, owner, **filters)
    with pytest.raises(Invalid):
        tickets.do_set_status(session, people["staff"], ticket.number, junk)
    broken, form = _broken(session)
    with pytest.raises(Invalid):
        tickets.do_raise(session, owner, owner.current.org_id, category=broken, subject="x", body="y", priority=junk,
                         answers={form[0].name: "The API"})


# --- the agent console ------------------------------------------------------------------------

def test_queues_count_and_list_what_agents_work_on(org):
    session, people = org
    staff = people["staff"]
    ours, theirs, waiting = (_raise(session, people["owner"], subject="A"), _raise(session, people["theirs"]),
                             _raise(session, people["mia"], subject="W"))
    tickets.do_reply(session, staff, waiting.number, body="Over to you")
    tickets.do_assign(session, staff, ours.number, staff.user_id)
    session.commit()
    assert ticket_lists.queue_counts(session, staff) == {"unassigned": 2, "mine": 1, "active": 3, "waiting": 1,
                                                    "at_risk": 0, "breached": 0}
    assert _numbers(session, staff, queue="mine") == [ours.number]
    assert sorted(_numbers(session, staff, queue="unassigned")) == sorted([theirs.number, waiting.number])
    assert _numbers(session, staff, queue="waiting") == [waiting.number]
    assert ticket_lists.list_tickets(session, staff, queue="mine").rows[0].assignee == "Root"
    for customer in (people["owner"], people["theirs"]):
        with pytest.raises(Forbidden):
            ticket_lists.queue_counts(session, customer)
        with pytest.raises(Forbidden):
            ticket_lists.list_tickets(session, customer, queue="unassigned")
    with pytest.raises(Invalid):
        ticket_lists.list_tickets(session, staff, queue="everything; --")


def test_the_console_filters_by_organisation_and_assignee(org):
    session, people = org
    staff = people["staff"]
    ours, theirs = _raise(session, people["owner"], subject="A"), _raise(session, people["theirs"], subject="B")
    tickets.do_assign(session, staff, ours.number, staff.user_id)
    session.commit()
    assert _numbers(session, staff, org="ours") == [ours.number]  # words of the name, any case
    assert _numbers(session, staff, org="THEIR") == [theirs.number]
    assert _numbers(session, staff, org="100%_") == []  # the person's % and _ are taken literally
    assert _numbers(session, staff, assignee=str(staff.user_id)) == [ours.number]
    assert _numbers(session, staff, assignee="none") == [theirs.number]
    assert _numbers(session, staff, assignee="none", org="ours") == []
    assert ticket_lists.agent_choices(session, staff) == [(staff.user_id, "Root")]
    for customer in (people["owner"], people["mia"]):  # a customer's list is their organisation's, unfiltered
        with pytest.raises(Forbidden):
            ticket_lists.list_tickets(session, customer, org="theirs")
        with pytest.raises(Forbidden):
            ticket_lists.list_tickets(session, customer, assignee="none")
        with pytest.raises(Forbidden):
            ticket_lists.agent_choices(session, customer)
    for bad in ("x" * 81, 3, ["ours"], {"o": 1}):
        with pytest.raises(Invalid) as refused:
            ticket_lists.list_tickets(session, staff, org=bad)
        assert refused.value.field == "org"
    for bad in ("someone", "-1", 1.5, ["1"], True):
        with pytest.raises(Invalid) as refused:
            ticket_lists.list_tickets(session, staff, assignee=bad)
        assert refused.value.field == "assignee"


def test_bulk_actions_are_all_or_nothing_and_for_staff_only(org):
    session, people = org
    staff = people["staff"]
    a, b = _raise(session, people["owner"], subject="A"), _raise(session, people["theirs"], subject="B")
    session.commit()
    assert ticket_lists.do_bulk(session, staff, [a.number, b.number, a.number], action="assign_to_me") == 2
    session.commit()
    assert ticket_lists.queue_counts(session, staff)["mine"] == 2
    with pytest.raises(NotFound):
        ticket_lists.do_bulk(session, staff, [a.number, 999_999], action="resolve")  # one missing: none resolved
    session.rollback()
    assert session.get(Ticket, a.id).status == "open"
    for bad in ([], ["1001"], [True], list(range(1, 102)), "1001"):
        with pytest.raises(Invalid):
            ticket_lists.do_bulk(session, staff, bad, action="resolve")
    with pytest.raises(Invalid):
        ticket_lists.do_bulk(session, staff, [a.number], action="delete")
    with pytest.raises(Forbidden):
        ticket_lists.do_bulk(session, people["owner"], [a.number], action="resolve")
    ticket_lists.do_bulk(session, staff, [a.number, b.number], action="resolve")
    session.commit()
    assert {session.get(Ticket, t.id).status for t in (a, b)} == {"resolved"}


def test_staff_triage_priority_and_category_and_it_is_audited(org):
    from portal_app.models import AuditEvent

    session, people = org
    staff, owner = people["staff"], people["owner"]
    ticket = _raise(session, owner)
    billing = _category(session, billing=True)
    tickets.do_set_priority(session, staff, ticket.number, "urgent")
    tickets.do_set_category(session, staff, ticket.number, str(billing))
    session.commit()
    assert (session.get(Ticket, ticket.id).priority, session.get(Ticket, ticket.id).category_id) == ("urgent", billing)
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.triaged")).all()) == 2
    assert _numbers(session, people["bill"]) == [ticket.number]  # now a billing request: billing members see it
    for bad in (lambda: tickets.do_set_priority(session, staff, ticket.number, "whenever"),
                lambda: tickets.do_set_category(session, staff, ticket.number, "999")):
        with pytest.raises(Invalid):
            bad()
    with pytest.raises(Forbidden):
        tickets.do_set_priority(session, owner, ticket.number, "low")
    with pytest.raises(Forbidden):
        tickets.do_set_category(session, owner, ticket.number, str(billing))
