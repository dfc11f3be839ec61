"""@mentions in a ticket's conversation (services/mentions.py, called by
`tickets.do_reply`): who a text names (full name, first name, email, any
case; not in code, not an email address's own "@"; ambiguous and unknown
names are nobody), who may be named (a public reply: the organisation's
members and the agents; a note: the agents only), what a mention does (a
`ticket_mention` notification in-app and by email, once, instead of the
ordinary reply notification; a member who could not see the ticket now
follows it), the cap of ten, and a customer named in an internal note hearing
nothing of it by any path."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest
from sqlmodel import Session, select

from portal_app.integrations import live
from portal_app.integrations import mail as delivery
from portal_app.models import Notification, OutgoingMail, Ticket, TicketFollower, TicketMessage
from portal_app.services import mentions, notifications, tickets
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.mentions import MAX_MENTIONS, Person
from portal_app.settings import load_settings
from tests.factories import ours_and_theirs, staff_admin, staff_member
from tests.permissions import join
from tests.services.test_tickets import _raise
from tests.smtp_sink import SmtpSink

# --- reading a text (no database) --------------------------------------------------------------

PEOPLE = [Person(1, "Mia Jones", "mia@example.com", False), Person(2, "Max Jones", "max@example.com", False),
          Person(3, "Sam Lee", "sam.lee@example.com", False), Person(4, "Sam Park", "sam.park@example.com", False),
          Person(5, "Root", "root@example.com", True), Person(6, "Mia Jones", "mia.j@example.org", False)]


def _ids(text: str, people=PEOPLE, **kwargs) -> list[int]:  # noqa: ANN001
    return [p.id for p in mentions.find(text, people, **kwargs)]


@pytest.mark.parametrize(("text", "ids"), [
    ("@Max Jones, can you look?", [2]),
    ("@max   JONES's printer", [2]),  # any case, any spaces, a word's end
    ("Thanks @Max", [2]),  # a first name on its own, when only one person has it
    ("@max@example.com please", [2]),  # the email form
    ("(@sam.lee@example.com).", [3]),
    ("@Root and @Sam Park", [5, 4]),  # in the order named
    ("@Maxwell @Sam Leeds", []),  # a longer word is not the name
    ("@Sam", []),  # two Sams: nobody
    ("@Mia Jones", []),  # two people called Mia Jones: nobody ...
    ("@mia@example.com", [1]),  # ... but each email is one person
    ("write to max@example.com", []),  # an address is not a mention
    ("@Nobody Here @", []),
    ("`@Max Jones` and\n\n    @Sam Lee\n\n```\n@Root\n```", []),  # never in code
    ("**@Max Jones** [@Root](https://example.com)", [2, 5]),
    ("@Max Jones @Max @max@example.com", [2]),  # once per person
])
def test_who_a_text_names(text, ids):
    assert _ids(text) == ids


def test_the_author_and_the_cap():
    assert _ids("@Max Jones @Root", skip=[2]) == [5]
    crowd = [Person(i, f"Person{i} Crowd", f"p{i}@example.com", False) for i in range(1, 30)]
    named = " ".join(f"@p{i}@example.com" for i in range(29, 0, -1))
    assert _ids(named, crowd) == list(range(29, 29 - MAX_MENTIONS, -1))


@pytest.mark.parametrize("text", [None, "", "@", "@@@@", "@" * 20_000, "@Max " * 4000, "\x00@Max\x00",
                                  "@\u0130stanbul"])
def test_odd_text_never_raises(text):
    assert _ids(text) in ([], [2])


# --- in a ticket ----------------------------------------------------------------------------

def _org_seed(session: Session):
    """Ours: Olive (owner), Mia and Max Jones, Sam Lee and Sam Park
    (members); Theirs: Theo; staff: Root (admin), an agent and billing staff.
    On SQLite and PostgreSQL."""
    people = ours_and_theirs(session)
    owner = people["owner"]
    for key, name in (("mia", "Mia Jones"), ("max", "Max Jones"), ("sam.lee", "Sam Lee"),
                      ("sam.park", "Sam Park")):
        people[key] = join(session, owner, f"{key}@example.com", "member", name)
    people["staff"] = staff_admin(session)
    people["agent"] = staff_member(session, people["staff"], "agent")
    people["billing"] = staff_member(session, people["staff"], "billing")
    session.commit()
    return people


@pytest.fixture
def org(any_engine, seeded):
    """`_org_seed`, made once per module on SQLite (`seeded`)."""
    made = seeded(any_engine, _org_seed)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, made


def _told(session: Session, event: str = "ticket_mention") -> list[int]:
    return sorted(session.exec(select(Notification.user_id).where(Notification.event == event)).all())


def _followers(session: Session, ticket: Ticket) -> set[int]:
    return set(session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket.id)).all())


def _mails(session: Session, to: str) -> list[OutgoingMail]:
    return session.exec(select(OutgoingMail).where(OutgoingMail.to_address == to)).all()


def test_naming_who_raised_it_tells_them_once_as_a_mention(org):
    session, people = org
    ticket = _raise(session, people["mia"], subject="Printer on fire")
    tickets.do_follow(session, people["mia"], ticket.number, people["max"].user_id)
    session.commit()
    tickets.do_reply(session, people["agent"], ticket.number, body="@Mia Jones, is it still burning?")
    session.commit()
    assert _told(session) == [people["mia"].user_id]
    assert _told(session, "ticket_reply") == [people["max"].user_id]  # the mention wins: Mia is told once
    title = session.exec(select(Notification.title).where(Notification.event == "ticket_mention")).one()
    assert title == f"Agent Staff mentioned you on {tickets.label(ticket.number)}: Printer on fire"
    mail = _mails(session, "mia@example.com")[-1]
    assert mail.subject.startswith(title) and "still burning" not in mail.body  # the sentence, never the message
    assert _followers(session, ticket) == {people["max"].user_id}  # Mia raised it: nothing to follow


def test_a_member_who_could_not_see_it_follows_it_and_is_told(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    session.commit()
    with pytest.raises(NotFound):
        tickets.ticket_view(session, people["max"], ticket.number)
    tickets.do_reply(session, people["mia"], ticket.number, body="Asking @max@example.com to confirm.")
    session.commit()
    assert _followers(session, ticket) == {people["max"].user_id}
    assert _told(session) == [people["max"].user_id]
    assert people["max"].user_id not in _told(session, "ticket_reply")
    assert tickets.ticket_view(session, people["max"], ticket.number).following
    assert len(_mails(session, "max@example.com")) >= 1


def test_the_mention_mail_over_smtp_says_who_and_where_never_what(org, any_engine, tmp_path):
    session, people = org
    ticket = _raise(session, people["mia"], subject="Printer on fire")
    tickets.do_reply(session, people["mia"], ticket.number, body="@Max Jones could you read the serial number?")
    session.commit()
    mail = _mails(session, "max@example.com")[-1]
    with SmtpSink() as sink:
        settings = dataclasses.replace(load_settings(), data_dir=tmp_path, smtp_host="127.0.0.1",
                                       smtp_port=sink.port, smtp_from="portal@example.com")
        assert delivery.deliver(mail.id, any_engine, settings).status == "sent"
        [message] = sink.to("max@example.com")
    assert message["Subject"].startswith(f"Mia Jones mentioned you on {tickets.label(ticket.number)}: Printer on fire")
    assert message["List-Unsubscribe"]
    text = message.get_payload(decode=True).decode() if not message.is_multipart() else str(message)
    assert f"/tickets/{ticket.number}" in text and "serial number" not in text


def test_a_refused_reply_mentions_nobody(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    session.commit()
    with pytest.raises(Invalid):
        tickets.do_reply(session, people["mia"], ticket.number, body="@Max Jones " + "x" * tickets.BODY_MAX)
    session.rollback()
    assert _told(session) == [] and _followers(session, ticket) == set()


def test_an_owner_who_sees_everything_is_told_but_not_made_a_follower(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    tickets.do_reply(session, people["mia"], ticket.number, body="cc @Olive Owner")
    session.commit()
    assert _told(session) == [people["owner"].user_id] and _followers(session, ticket) == set()


def test_an_agent_named_by_a_customer_is_told_and_not_a_follower(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    tickets.do_assign(session, people["staff"], ticket.number, people["agent"].user_id)
    session.commit()
    tickets.do_reply(session, people["mia"], ticket.number, body="@Agent Staff any news?")
    session.commit()
    assert _told(session) == [people["agent"].user_id]
    assert people["agent"].user_id not in _told(session, "ticket_reply")  # the assignee hears it once
    assert _followers(session, ticket) == set()


def test_someone_of_another_organisation_or_billing_staff_is_nobody(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    session.commit()
    before = _told(session, "ticket_reply")
    tickets.do_reply(session, people["agent"], ticket.number,
                     body="@Theo Theirs @theo@example.com @Billing Staff @billing-staff@example.com")
    session.commit()
    assert _told(session) == [] and _followers(session, ticket) == set()
    assert all("mentioned" not in m.subject for m in _mails(session, "theo@example.com"))
    with pytest.raises(NotFound):
        tickets.ticket_view(session, people["theirs"], ticket.number)
    assert _told(session, "ticket_reply") == sorted([*before, people["mia"].user_id])


def test_the_author_ambiguous_and_unknown_names_are_nobody_and_kept_as_written(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    body = "@Mia Jones (me), @Sam, @Nobody Special and @ alone"
    message = tickets.do_reply(session, people["mia"], ticket.number, body=body)
    session.commit()
    assert _told(session) == [] and _followers(session, ticket) == set()
    assert session.get(TicketMessage, message.id).body == body
    assert "@Sam, @Nobody Special" in tickets.ticket_view(session, people["mia"], ticket.number).messages[-1].html


def test_a_staff_member_named_in_an_internal_note_is_told(org):
    session, people = org
    ticket = _raise(session, people["mia"])
    session.commit()
    tickets.do_reply(session, people["agent"], ticket.number, body="@Root can you check the contract?",
                     internal=True)
    session.commit()
    assert _told(session) == [people["staff"].user_id]
    assert _told(session, "ticket_reply") == []


def test_a_customer_named_in_an_internal_note_hears_nothing_of_it_by_any_path(org, heard):
    session, people = org
    ticket = _raise(session, people["mia"], subject="Printer on fire")
    session.commit()
    mia, max_ = people["mia"], people["max"]
    before = {who: (_mails(session, f"{who}@example.com"), _told(session, "ticket_reply")) for who in ("mia", "max")}
    heard.clear()
    tickets.do_reply(session, people["agent"], ticket.number, internal=True,
                     body="@Mia Jones @mia@example.com @Max Jones @Root: customer is on the old plan")
    session.commit()
    assert _told(session) == [people["staff"].user_id]  # Root only
    notes = session.exec(select(Notification).where(Notification.user_id.in_([mia.user_id, max_.user_id]))).all()
    assert all("old plan" not in n.title and n.event != "ticket_mention" for n in notes)
    assert {who: (_mails(session, f"{who}@example.com"), _told(session, "ticket_reply"))
            for who in ("mia", "max")} == before  # no mail, no notification
    assert _followers(session, ticket) == set()
    with pytest.raises(NotFound):
        tickets.ticket_view(session, max_, ticket.number)
    view = tickets.ticket_view(session, mia, ticket.number)
    assert len(view.messages) == 1 and all("old plan" not in m.html for m in view.messages)
    published = {key for batch in heard for key in batch}
    customers_watch = {live.ticket_key(ticket.id), live.org_key(ticket.org_id, "tickets"),
                       live.person_key(mia.user_id, "notifications"), live.person_key(max_.user_id, "notifications")}
    assert published & customers_watch == set()  # no customer's page even reloads
    assert live.person_key(people["staff"].user_id, "notifications") in published


def test_a_mention_follows_the_person_s_choice_of_channel(org):
    session, people = org
    notifications.set_preferences(session, people["max"], {"ticket_mention": notifications.IN_APP})
    ticket = _raise(session, people["mia"])
    session.commit()
    mails = len(_mails(session, "max@example.com"))
    tickets.do_reply(session, people["mia"], ticket.number, body="@Max Jones")
    session.commit()
    assert _told(session) == [people["max"].user_id] and len(_mails(session, "max@example.com")) == mails


def test_who_turned_mentions_off_still_hears_of_the_reply_as_a_reply(org):
    session, people = org
    notifications.set_preferences(session, people["mia"], {"ticket_mention": notifications.NONE})
    ticket = _raise(session, people["mia"])
    session.commit()
    tickets.do_reply(session, people["agent"], ticket.number, body="@Mia Jones try again?")
    session.commit()
    events = session.exec(select(Notification.event).where(Notification.user_id == people["mia"].user_id)).all()
    assert events == ["ticket_reply"]  # not the mention she turned off, and not nothing


def test_at_most_ten_people_are_told_per_message(org):
    session, people = org
    crowd = [join(session, people["owner"], f"crowd{i}@example.com", "member", f"Crowd{i} Person")
             for i in range(11)]
    ticket = _raise(session, people["mia"])
    session.commit()
    tickets.do_reply(session, people["agent"], ticket.number,
                     body=" ".join(f"@Crowd{i} Person" for i in range(11)) + " @Max Jones")
    session.commit()
    assert _told(session) == sorted(p.user_id for p in crowd[:MAX_MENTIONS])
    assert _followers(session, ticket) == {p.user_id for p in crowd[:MAX_MENTIONS]}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>@Max Jones<img src=x onerror=alert(1)>",
    "[@Max Jones](javascript:alert(1))",
    "**@Max Jones**<iframe src=https://evil.example></iframe>",
    '<a href="https://evil.example" onclick="x()">@Max Jones</a>',
])
def test_hostile_markdown_around_a_mention_is_rendered_inert(org, body):
    session, people = org
    ticket = _raise(session, people["mia"], subject="<b>bold</b> subject")
    tickets.do_reply(session, people["mia"], ticket.number, body=body)
    session.commit()
    assert _told(session) == [people["max"].user_id]
    html = tickets.ticket_view(session, people["max"], ticket.number).messages[-1].html
    markup = _Markup()
    markup.feed(html)
    assert markup.tags <= {"p", "a", "strong"}, html
    assert all(name in ("href", "rel") for name, _ in markup.attributes), html
    assert all(value.startswith(("https://", "http://")) for name, value in markup.attributes if name == "href")
    title = session.exec(select(Notification.title).where(Notification.event == "ticket_mention")).one()
    assert title.endswith(": <b>bold</b> subject")  # plain text, shown as text (never markup) by the page
