"""Every list pages the one way (services/paging.py): a constant number of
statements per page whatever the rows, keyset paging that neither skips nor
repeats a row when sort keys tie, and hostile page numbers and cursors that
give page 1, never an error. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select

from portal_app.models import (
    AuditEvent, CannedReply, Invoice, Organization, OutgoingMail, Ticket, TicketCategory, TicketRating, User,
)
from portal_app.models.base import utcnow
from portal_app.models.orders import Order
from portal_app.services import (
    audit, canned_replies, catalogue, csat, invoice_lists, order_lists, paging, quote_lists, staff, ticket_lists,
)
from portal_app.services.paging import Cursor, Page
from tests.factories import register, sign_in, staff_admin
from tests.factories import statements as _statements

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
_serial = itertools.count()  # unique emails and slugs however often rows are added


def _world_seed(session: Session):
    """An organisation owner, a staff admin, and the session they read with."""
    register(session)
    _, owner = sign_in(session)
    admin = staff_admin(session)
    return owner, admin


@pytest.fixture
def world(any_engine, seeded):
    """`_world_seed`, made once per module on SQLite (`seeded`)."""
    made = seeded(any_engine, _world_seed)
    with Session(any_engine, expire_on_commit=False) as session:
        yield session, *made


def _events(session: Session, org_id: int, n: int, *, distinct_times: int | None = None) -> None:
    """`n` events in the organisation, as `audit.record` writes them, in
    bulk; with `distinct_times`, many share one instant (ties)."""
    session.execute(insert(AuditEvent.__table__), [
        {"occurred_at": T0 + timedelta(minutes=i % (distinct_times or n)), "actor_id": None,
         "actor_label": f"p{i}@example.com", "org_id": org_id, "action": "member.role_changed",
         "target_type": "user", "target_id": str(i), "target_label": "", "ip": "", "details": "{}"}
        for i in range(n)])
    session.commit()


def _people(session: Session, n: int) -> None:
    session.execute(insert(User.__table__), [
        {"email": f"person{next(_serial):04d}@example.com", "name": f"Person {i % 7}", "password_hash": "x",
         "is_active": True, "created_at": T0, "mfa_last_step": 0, "demo_mfa_exempt": False} for i in range(n)])
    session.commit()


def _people_named(session: Session, people: list[tuple[str, str]]) -> list[int]:
    """People with these (name, email), in bulk; their ids in that order."""
    first = session.exec(select(User.id).order_by(User.id.desc())).first() or 0
    session.execute(insert(User.__table__), [
        {"email": email, "name": name, "password_hash": "x", "is_active": True, "created_at": T0,
         "mfa_last_step": 0, "demo_mfa_exempt": False} for name, email in people])
    session.commit()
    return list(session.exec(select(User.id).where(User.id > first).order_by(User.id)))


def _graces(session: Session, n: int) -> None:
    """`n` people whose email starts with "grace": a name before "grace"
    (found by the email alone), "Grace …" (found by both, listed once),
    after "grace" (the email alone again)."""
    names = ("Ada", "Grace", "Zoe", "grace")
    _people_named(session, [(f"{names[i % 4]} {i}", f"grace{next(_serial):04d}@example.com") for i in range(n)])


def _organizations(session: Session, n: int) -> None:
    session.execute(insert(Organization.__table__), [
        {"name": f"Company {i % 3}", "slug": f"company-{next(_serial):04d}", "created_at": T0} for i in range(n)])
    session.commit()


def _tickets(session: Session, owner, n: int) -> None:  # noqa: ANN001
    """`n` tickets of the owner's organisation, raised by them, in bulk."""
    first = session.exec(select(Ticket.number).order_by(Ticket.number.desc())).first() or 1000
    category = session.exec(select(TicketCategory.id)).first()
    session.execute(insert(Ticket.__table__), [
        {"number": first + 1 + i, "org_id": owner.current.org_id, "category_id": category, "subject": f"Request {i}",
         "status": "open", "priority": "normal", "raised_by_id": owner.user_id, "created_at": T0,
         "last_activity_at": T0 + timedelta(minutes=i % 7)} for i in range(n)])
    session.commit()


def _invoices(session: Session, owner, n: int) -> None:  # noqa: ANN001
    """`n` issued invoices of the owner's organisation (every seventh a
    draft, which only staff see), issue dates and creation times tying, in bulk."""
    session.execute(insert(Invoice.__table__), [
        {"org_id": owner.current.org_id, "kind": "invoice", "status": "draft" if i % 7 == 6 else "open",
         "number": None if i % 7 == 6 else f"INV-{next(_serial):06d}", "currency": "GBP",
         "issue_date": None if i % 7 == 6 else (T0 + timedelta(days=i % 5)).date(),
         "due_date": (T0 + timedelta(days=30)).date(), "subtotal": 1000, "tax": 200, "total": 1200, "paid": 0,
         "credited": 0, "memo": "", "void_reason": "", "created_at": T0 + timedelta(minutes=i % 7),
         "reminders_sent": 0} for i in range(n)])
    session.commit()


def _orders(session: Session, owner, n: int) -> None:  # noqa: ANN001
    """`n` orders of the owner's organisation, creation times tying, in bulk."""
    session.execute(insert(Order.__table__), [
        {"org_id": owner.current.org_id, "number": f"ORD-{next(_serial):06d}",
         "status": ("placed", "confirmed", "shipped")[i % 3], "currency": "GBP", "subtotal": 1000, "tax": 200,
         "total": 1200, "po_reference": "", "delivery_address": "", "carrier": "", "tracking_number": "",
         "tracking_url": "", "cancel_reason": "", "created_at": T0 + timedelta(minutes=i % 7),
         "updated_at": T0} for i in range(n)])
    session.commit()


def _mail(session: Session, n: int) -> None:
    session.execute(insert(OutgoingMail.__table__), [
        {"to_address": f"p{i}@example.com", "subject": "Hello", "body": "…", "created_at": T0, "attempts": 0}
        for i in range(n)])
    session.commit()


def _ratings(session: Session, owner, n: int) -> None:  # noqa: ANN001
    """`n` rated requests with comments, rated minutes ago (times tie: the order's first key)."""
    _tickets(session, owner, n)
    rated = select(TicketRating.ticket_id)
    ids = session.exec(select(Ticket.id).where(Ticket.id.not_in(rated)).order_by(Ticket.id)).all()
    now = utcnow()
    session.execute(insert(TicketRating.__table__), [
        {"ticket_id": ticket_id, "score": 1 + i % 5, "comment": f"Comment {i}", "rated_by_id": owner.user_id,
         "rated_at": now, "changed_by_id": owner.user_id, "changed_at": now - timedelta(minutes=i % 7)}
        for i, ticket_id in enumerate(ids)])
    session.commit()


def _canned_replies(session: Session, n: int) -> None:
    """`n` canned replies whose titles tie in lower case (the order's first key)."""
    session.execute(insert(CannedReply.__table__), [
        {"title": f"{'Reply' if i % 2 else 'reply'} {i % 7}", "body": f"Text {next(_serial)}", "created_at": T0,
         "updated_at": T0} for i in range(n)])
    session.commit()


def _products(session: Session, n: int, *, archived_every: int = 5) -> None:
    """`n` products whose names tie (the order's first key); every fifth archived."""
    from portal_app.models.catalogue import Product

    session.execute(insert(Product.__table__), [
        {"name": f"Product {i % 7}", "sku": f"p-{next(_serial)}", "description": "", "kind": "one_off", "interval": "",
         "currency": "GBP", "unit_price": 100 + i, "tax_rate": 0, "usage_unit": "", "usage_unit_price": 0,
         "pausable": False, "active": i % archived_every != archived_every - 1, "created_at": T0, "updated_at": T0}
        for i in range(n)])
    session.commit()


def _quotes(session: Session, owner, n: int) -> None:  # noqa: ANN001
    """`n` sent quotes of the owner's organisation (every seventh a draft, which
    only staff see), each with its one version, creation times tying, in bulk."""
    from portal_app.models.quotes import Quote, QuoteVersion

    first = next(_serial)
    session.execute(insert(Quote.__table__), [
        {"org_id": owner.current.org_id, "number": None if i % 7 == 6 else f"QUO-{first:06d}-{i}",
         "title": f"Quote {i}", "status": "draft" if i % 7 == 6 else "sent", "version": 1, "currency": "GBP",
         "created_at": T0 + timedelta(minutes=i % 7), "updated_at": T0, "accepted_name": "", "accepted_ip": "",
         "accepted_hash": "", "decline_reason": "", "decline_comment": ""} for i in range(n)])
    ids = session.exec(select(Quote.id).where(Quote.title.startswith("Quote "), ~Quote.id.in_(
        select(QuoteVersion.quote_id)))).all()
    session.execute(insert(QuoteVersion.__table__), [
        {"quote_id": quote_id, "number": 1, "terms": "T", "valid_until": (T0 + timedelta(days=30)).date(),
         "currency": "GBP", "subtotal": 1000, "tax": 0, "total": 1000, "content_hash": "", "created_at": T0,
         "change_request": ""} for quote_id in ids])
    session.commit()


LISTS: dict[str, tuple[Callable, Callable]] = {
    # list name: (add n rows, read a page)
    "org audit": (lambda s, owner, n: _events(s, owner.current.org_id, n),
                  lambda s, owner, admin, **kw: audit.list_for_org(s, owner, owner.current.org_id, **kw)),
    "staff audit": (lambda s, owner, n: _events(s, owner.current.org_id, n),
                    lambda s, owner, admin, **kw: audit.list_all(s, admin, **kw)),
    "people": (lambda s, owner, n: _people(s, n), lambda s, owner, admin, **kw: staff.list_users(s, admin, **kw)),
    "people search": (lambda s, owner, n: _people(s, n),
                      lambda s, owner, admin, **kw: staff.list_users(s, admin, query="PERSON", **kw)),
    "people search, name or email": (lambda s, owner, n: _graces(s, n),
                                     lambda s, owner, admin, **kw: staff.list_users(s, admin, query="Grace", **kw)),
    "organisations": (lambda s, owner, n: _organizations(s, n),
                      lambda s, owner, admin, **kw: staff.list_organizations(s, admin, **kw)),
    "outbox": (lambda s, owner, n: _mail(s, n), lambda s, owner, admin, **kw: staff.list_outbox(s, admin, **kw)),
    "tickets": (lambda s, owner, n: _tickets(s, owner, n),
                lambda s, owner, admin, **kw: ticket_lists.list_tickets(s, owner, **kw)),
    "tickets search": (lambda s, owner, n: _tickets(s, owner, n),
                       lambda s, owner, admin, **kw: ticket_lists.list_tickets(s, owner, q="request", status="active", **kw)),
    "tickets by number": (lambda s, owner, n: _tickets(s, owner, n),
                          lambda s, owner, admin, **kw: ticket_lists.list_tickets(s, owner, sort="number", priority="normal",
                                                                             **kw)),
    "staff tickets": (lambda s, owner, n: _tickets(s, owner, n),
                      lambda s, owner, admin, **kw: ticket_lists.list_tickets(s, admin, **kw)),
    "invoices": (lambda s, owner, n: _invoices(s, owner, n),
                 lambda s, owner, admin, **kw: invoice_lists.list_for_org(s, owner, owner.current.org_id, **kw)),
    "invoices unpaid": (lambda s, owner, n: _invoices(s, owner, n),
                        lambda s, owner, admin, **kw: invoice_lists.list_for_org(s, owner, owner.current.org_id,
                                                                                 status="unpaid", **kw)),
    "staff invoices": (lambda s, owner, n: _invoices(s, owner, n),
                       lambda s, owner, admin, **kw: invoice_lists.list_all(s, admin, **kw)),
    "orders": (lambda s, owner, n: _orders(s, owner, n),
               lambda s, owner, admin, **kw: order_lists.list_for_org(s, owner, owner.current.org_id, **kw)),
    "staff orders": (lambda s, owner, n: _orders(s, owner, n),
                     lambda s, owner, admin, **kw: order_lists.list_all(s, admin, **kw)),
    "quotes": (lambda s, owner, n: _quotes(s, owner, n),
               lambda s, owner, admin, **kw: quote_lists.list_for_org(s, owner, owner.current.org_id, **kw)),
    "staff quotes": (lambda s, owner, n: _quotes(s, owner, n),
                     lambda s, owner, admin, **kw: quote_lists.list_all(s, admin, **kw)),
    "catalogue": (lambda s, owner, n: _products(s, n, archived_every=10**9),
                  lambda s, owner, admin, **kw: catalogue.catalogue_for(s, owner, owner.current.org_id, **kw)),
    "staff catalogue": (lambda s, owner, n: _products(s, n),
                        lambda s, owner, admin, **kw: catalogue.list_products(s, admin, shown="", **kw)),
    "canned replies": (lambda s, owner, n: _canned_replies(s, n),
                       lambda s, owner, admin, **kw: canned_replies.list_replies(s, admin, **kw)),
    "support report comments": (lambda s, owner, n: _ratings(s, owner, n),
                                lambda s, owner, admin, **kw: csat.comments(s, admin, 30, **kw)),
}


@pytest.mark.parametrize("capped", [False, True], ids=["exact count", "capped count"])
@pytest.mark.parametrize("name", LISTS)
def test_statements_per_page_do_not_grow_with_rows_or_depth(world, name, capped, monkeypatch):
    session, owner, admin = world
    add, read = LISTS[name]
    if capped:  # 125 rows are then "more than 60": the pager reads a row beyond each page instead
        monkeypatch.setattr(paging, "CAP", 60)

    def statements(**kw) -> tuple[int, Page]:
        session.expunge_all()  # nothing cached from the last read
        with _statements(session) as seen:
            page = read(session, owner, admin, **kw)
        return len(seen), page

    add(session, owner, 5)
    few, small = statements()
    assert small.total >= 5 and small.pages == 1
    add(session, owner, 120)  # more than two pages of the audit log's 50 and the back office's 25
    counts = {"page 1 of 5 rows": few}
    counts["page 1 of 125"], first = statements()
    counts["page 2 by Next"], second = statements(page=2, cursor=first.cursor)
    counts["page 2 by number"], by_number = statements(page=2)
    counts["page 3 by Next"], third = statements(page=3, cursor=second.cursor)
    counts["last page"], last = statements(page=third.pages)
    counts["page 1 by Previous"], back = statements(page=1, cursor=second.cursor)
    assert first.capped == second.capped == last.capped == capped
    assert first.pages >= 3 if not capped else first.pages == 2 and last.page == third.pages >= 3
    assert second.rows == by_number.rows and back.rows == first.rows
    assert len(set(counts.values())) == 1, counts
    assert few <= 4  # the count, the rows, and for the audit log the names of people and organisations


def _ids(page: Page) -> list[int]:
    return [row.id for row in page.rows]


def test_keyset_pages_neither_skip_nor_repeat_rows_when_times_tie(world):
    session, owner, admin = world
    org_id = owner.current.org_id
    _events(session, org_id, 130, distinct_times=3)  # about 43 events per instant
    everything = [e.id for e in session.exec(select(AuditEvent).where(AuditEvent.org_id == org_id)
                                             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))]
    forward, page = [], audit.list_for_org(session, owner, org_id)
    while True:
        forward += _ids(page)
        if page.page == page.pages:
            break
        following = audit.list_for_org(session, owner, org_id, page=page.page + 1, cursor=page.cursor)
        assert following.page == page.page + 1
        assert _ids(following) == _ids(audit.list_for_org(session, owner, org_id, page=following.page))
        page = following
    assert forward == everything  # each once, in order

    backward = []
    while page.page > 1:
        backward = _ids(page) + backward
        page = audit.list_for_org(session, owner, org_id, page=page.page - 1, cursor=page.cursor)
    assert _ids(page) + backward == everything


def test_events_written_meanwhile_do_not_shift_the_next_page(world):
    session, owner, admin = world
    org_id = owner.current.org_id
    _events(session, org_id, 60, distinct_times=2)
    first = audit.list_for_org(session, owner, org_id)
    second_before = _ids(audit.list_for_org(session, owner, org_id, page=2))
    audit.record(session, "org.renamed", actor=owner, org_id=org_id)  # newest: goes on top of page 1
    session.commit()
    second = audit.list_for_org(session, owner, org_id, page=2, cursor=first.cursor)
    assert _ids(second) == second_before
    assert not set(_ids(second)) & set(_ids(first))


CURSOR_KEYS = (T0, 1)


@pytest.mark.parametrize("page, cursor", [
    ("2", None), (True, None), (2.0, None), (-1, None), (0, None), (10**12, None), (None, None), ([2], None),
    (2, "2"), (2, {"page": 1, "first": CURSOR_KEYS, "last": CURSOR_KEYS}),
    (2, Cursor(1, ("a", "b"), ("a", "b"))),  # wrong types
    (2, Cursor(1, (T0.replace(tzinfo=None), 1), (T0.replace(tzinfo=None), 1))),  # naive time
    (2, Cursor(1, (T0, True), (T0, True))),  # a bool is not an id
    (2, Cursor(1, (T0,), (T0,))),  # too short
    (2, Cursor(1, [T0, 1], [T0, 1])),  # not a tuple
    (2, Cursor("1", (T0, 1), (T0, 1))),  # not a page number
])
def test_hostile_pages_and_cursors_give_page_one(world, page, cursor):
    session, owner, admin = world
    _events(session, owner.current.org_id, 60)
    result = audit.list_for_org(session, owner, owner.current.org_id, page=page, cursor=cursor)
    assert result.page == 1
    assert _ids(result) == _ids(audit.list_for_org(session, owner, owner.current.org_id))


def test_a_cursor_far_from_the_page_asked_for_is_ignored(world):
    session, owner, admin = world
    _events(session, owner.current.org_id, 250)
    first = audit.list_for_org(session, owner, owner.current.org_id)
    fourth = audit.list_for_org(session, owner, owner.current.org_id, page=4, cursor=first.cursor)
    assert fourth.page == 4
    assert _ids(fourth) == _ids(audit.list_for_org(session, owner, owner.current.org_id, page=4))


def test_people_search_finds_the_start_of_a_name_or_an_email_address(world):
    session, owner, admin = world
    register(session, "bob@builders.example", company="Builders", name="Robert Stone")

    def found(query: str) -> set[str]:
        return {row.email for row in staff.list_users(session, admin, query=query).rows}

    assert found("rob") == {"bob@builders.example"}  # name, any case
    assert found("ROBERT S") == {"bob@builders.example"}
    assert found("bob@b") == {"bob@builders.example"}  # email
    assert found("stone") == set()  # a prefix, not a substring (the index answers it)
    assert found("r%") == found("r_") == set()  # wildcards are literal
    assert found("") >= {"bob@builders.example", "ada@example.com", "root@example.com"}


def test_a_capped_count_says_more_than_and_next_still_reaches_the_end(world, monkeypatch):
    """Beyond `CAP` rows the count stops: the total reads "more than CAP",
    and the pager knows a next page exists from the row beyond each page,
    also past page CAP / size, up to the real last page."""
    session, owner, admin = world
    org_id = owner.current.org_id
    monkeypatch.setattr(paging, "CAP", 100)
    _events(session, org_id, 230, distinct_times=7)  # with the signing up, 5 pages of 50; the count stops at 101
    everything = [e.id for e in session.exec(select(AuditEvent).where(AuditEvent.org_id == org_id)
                                             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))]
    page = audit.list_for_org(session, owner, org_id)
    assert (page.total, page.capped, page.page, page.pages) == (100, True, 1, 2)
    seen = []
    while True:
        seen += _ids(page)
        assert page.capped and page.total == 100
        assert _ids(page) == _ids(audit.list_for_org(session, owner, org_id, page=page.page))  # by number alike
        if page.pages == page.page:
            break
        page = audit.list_for_org(session, owner, org_id, page=page.page + 1, cursor=page.cursor)
    assert page.page == 5 and seen == everything  # Next went past page CAP / size = 2 to the end, each row once
    back = audit.list_for_org(session, owner, org_id, page=4, cursor=page.cursor)  # Previous
    assert (back.page, back.pages) == (4, 5)
    assert audit.list_for_org(session, owner, org_id, page=4).pages == 5  # by number: the row beyond the page
    assert audit.list_for_org(session, owner, org_id, page=5).pages == 5  # the last page: no row beyond
    for beyond in (6, 10**9, 10**9 + 1, 10**30):  # past the end, or past any offset: page 1
        assert audit.list_for_org(session, owner, org_id, page=beyond).page == 1
    assert paging.count(session, select(AuditEvent).where(AuditEvent.org_id == org_id)) == len(everything)  # no cap


def test_an_exact_total_up_to_the_cap(world, monkeypatch):
    session, owner, admin = world
    monkeypatch.setattr(paging, "CAP", 100)
    _events(session, owner.current.org_id, 100 - audit.list_for_org(session, owner, owner.current.org_id).total)
    page = audit.list_for_org(session, owner, owner.current.org_id, page=2)
    assert (page.total, page.capped, page.pages, page.page) == (100, False, 2, 2)


# People for the search "grace" in two parts: names in code-point order that
# a locale's collation would order otherwise (space < "-" < "_" < letters;
# upper case lowered), emails that match with names before, inside and after
# the matching names, people matching both, and people matching neither.
GRACES = [
    ("Grace Hopper", "grace.hopper@navy.example"),  # both: listed once
    ("grace-b", "gb@example.org"),
    ("GRACE_C", "gc@example.org"),
    ("Grace", "g@example.org"),
    ("Grace zed", "zed@example.org"),
    ("grace a", "ga@example.org"),
    ("Alan Turing", "grace.fan@example.org"),  # by email, named before "grace"
    ("_underscore", "grace_u@example.org"),  # by email; "_" sorts before the (lowered) letters
    ("Zoe", "grace.z@example.org"),  # by email, named after
    ("zz", "gracezz@example.org"),
    ("Gracie", "gracie@example.org"),  # neither: "gracie" does not start with "grace"
    ("Grac", "grac@example.org"),  # neither: shorter than the search
    ("Barbara", "barbara@grace.example"),  # neither: a prefix, not a substring
    ("Grace", "grace@example.org"),  # the same name twice: the id breaks the tie
    ("grace", "grace2@example.org"),
    (" Grace", "space@example.org"),  # neither: a leading space is part of the name
]


def _grace_people(session: Session) -> list[int]:
    """The ids of GRACES' matches for "grace", in the list's order."""
    ids = _people_named(session, GRACES)
    matches = [(name.lower(), i) for i, (name, email) in zip(ids, GRACES)
               if name.lower().startswith("grace") or email.startswith("grace")]
    return [i for _, i in sorted(matches)]  # Python compares strings by code point


def test_people_search_in_two_parts_lists_each_match_once_in_code_point_order(world, monkeypatch):
    """The same people in the same order on SQLite and PostgreSQL, by Next,
    by Previous, by number and to the last page, with an exact count and a
    capped one: the name matches and the email matches (whose names sort
    before and after them) merged, a person matching both listed once."""
    session, owner, admin = world
    expected = _grace_people(session)
    assert len(expected) == 12
    monkeypatch.setattr(staff, "PAGE_SIZE", 3)  # 4 pages
    for cap in (paging.CAP, 4):
        monkeypatch.setattr(paging, "CAP", cap)
        page, forward = staff.list_users(session, admin, query=" GRACE "), []
        assert (page.total, page.capped) == ((12, False) if cap > 12 else (4, True))
        while True:
            forward += _ids(page)
            assert _ids(page) == _ids(staff.list_users(session, admin, query="grace", page=page.page))
            if page.page == page.pages:
                break
            page = staff.list_users(session, admin, query="grace", page=page.page + 1, cursor=page.cursor)
        assert page.page == 4 and forward == expected
        backward = []
        while page.page > 1:
            backward = _ids(page) + backward
            page = staff.list_users(session, admin, query="grace", page=page.page - 1, cursor=page.cursor)
        assert _ids(page) + backward == expected
    monkeypatch.setattr(paging, "CAP", 100)
    last = staff.list_users(session, admin, query="grace", page=4)  # from the end: the nearer one
    assert (last.page, last.pages, _ids(last)) == (4, 4, expected[9:])
    assert _ids(staff.list_users(session, admin, query="grace", page=3)) == expected[6:9]
    names = [row.name for number in (1, 2, 3, 4)
             for row in staff.list_users(session, admin, query="grace", page=number).rows]
    assert names == ["_underscore", "Alan Turing", "Grace", "Grace", "grace", "grace a", "Grace Hopper", "Grace zed",
                     "grace-b", "GRACE_C", "Zoe", "zz"]


def test_people_are_listed_in_code_point_order_on_every_engine(world):
    session, owner, admin = world
    ids = _people_named(session, [("ab", "p1@example.org"), ("A_b", "p2@example.org"), ("a b", "p3@example.org"),
                                  ("A-B", "p4@example.org"), ("AA", "p5@example.org")])
    in_order = [ids[2], ids[3], ids[1], ids[4], ids[0]]  # "a b" < "a-b" < "a_b" < "aa" < "ab"
    assert [i for i in _ids(staff.list_users(session, admin)) if i in ids] == in_order
    searched = staff.list_users(session, admin, query="A")
    assert [row.name for row in searched.rows][5:] == ["Ada Lovelace"] and _ids(searched)[:5] == in_order


@pytest.mark.parametrize("cursor, shown", [
    (Cursor(1, ("grace", True), ("grace", True)), 1),  # a bool is not an id
    (Cursor(1, (1, 1), (1, 1)), 1),  # wrong types
    (Cursor(1, ("grace",), ("grace",)), 1),  # too short
    (Cursor(1, CURSOR_KEYS, CURSOR_KEYS), 1),  # another list's
    (Cursor(1, ("grace\x00", 1), ("grace\x00", 1)), 1),  # no text holds NUL (PostgreSQL refuses it)
    (Cursor(1, ("grace", 1), ("zzz' OR 1=1 --", 1)), 2),  # bound, never SQL; nothing beyond: page 2 by number
    (Cursor(5, ("zzz", 10**6), ("zzz", 10**6)), 2),  # not a neighbour's: page 2 by number
])
def test_hostile_cursors_on_the_people_search_give_the_page_by_number_or_page_one(world, cursor, shown, monkeypatch):
    session, owner, admin = world
    expected = _grace_people(session)
    monkeypatch.setattr(staff, "PAGE_SIZE", 3)
    result = staff.list_users(session, admin, query="grace", page=2, cursor=cursor)
    assert result.page == shown
    assert _ids(result) == _ids(staff.list_users(session, admin, query="grace", page=shown)) == \
        expected[(shown - 1) * 3:shown * 3]


def test_people_search_counts_each_part(world):
    session, owner, admin = world
    expected = _grace_people(session)
    stmt = select(User.id)
    name = paging.starts_with(session, staff.USER_ORDER.columns[0], "grace")
    email = paging.starts_with(session, User.email, "grace")
    assert paging.count(session, stmt, parts=(name, email & ~name)) == len(expected)
    assert paging.count(session, stmt, parts=(name, email & ~name), cap=5) == 6
    assert paging.count(session, stmt.where(name | email)) == len(expected)


def test_a_list_in_parts_still_takes_two_statements_a_page(world, monkeypatch):
    """The count and the page, each one statement whatever the parts, also
    on Next, Previous, by number and the last page (from the end)."""
    session, owner, admin = world
    _grace_people(session)
    monkeypatch.setattr(staff, "PAGE_SIZE", 3)

    def statements(**kw) -> tuple[int, Page]:
        with _statements(session) as seen:
            page = staff.list_users(session, admin, query="grace", **kw)
        return len(seen), page

    counts = {}
    counts["page 1"], first = statements()
    counts["Next"], second = statements(page=2, cursor=first.cursor)
    counts["Previous"], _ = statements(page=1, cursor=second.cursor)
    counts["by number"], _ = statements(page=3)
    counts["last page"], _ = statements(page=4)
    assert counts == dict.fromkeys(counts, 2)
