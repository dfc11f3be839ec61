"""Quotes: drafting, sending, revising (versions kept), accepting (the
record, the hash, the one invoice and the subscriptions), declining,
asking for changes; status rules (no accepting expired, superseded,
declined or draft quotes), two accepts at once on PostgreSQL, who sees and
answers what, and bad input (names, comments, signatures)."""

from __future__ import annotations

import base64
import io
from datetime import date, timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Invoice, InvoiceLine, Notification, Organization
from portal_app.models.catalogue import Product, Subscription
from portal_app.models.orders import Order, OrderLine
from portal_app.models.quotes import Quote, QuoteLine, QuoteVersion
from portal_app.services import quote_lists, quotes
from portal_app.services import subscriptions as subs_service
from portal_app.services.errors import Forbidden, Invalid, NotFound
from portal_app.services.principal import Principal
from tests.factories import at_once, ours_and_theirs, staff_admin, staff_member
from tests.permissions import Permission, StaffPermission, join, permission_tests, staff_permission_tests

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _product(session: Session, sku: str, *, price: int = 3000, kind: str = "recurring", interval: str = "month",
             tax: int = 2000, currency: str = "GBP") -> int:
    product = Product(name=f"Plan {sku}", sku=sku, kind=kind, interval=interval if kind == "recurring" else "",
                      currency=currency, unit_price=price, tax_rate=tax)
    session.add(product)
    session.flush()
    return product.id


def _people(session: Session) -> dict:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["agent"] = staff_member(session, admin, "agent")
    people["billing"] = join(session, people["owner"], "bill@example.com", "billing", "Bill Payer")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    people["plan"] = _product(session, "HOST")
    people["router"] = _product(session, "ROUTER", price=12000, kind="one_off")
    people["euro"] = _product(session, "EU", currency="EUR")
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session) -> dict:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _until(days: int = 30) -> str:
    return (quotes.today() + timedelta(days=days)).isoformat()


def _lines(people) -> list[dict]:
    return [{"product_id": str(people["router"]), "quantity": "1"},
            {"product_id": str(people["plan"]), "quantity": "2", "unit_price": "25.00"},
            {"description": "Installation", "quantity": "3", "unit_price": "40", "tax_rate": "20"}]


def _draft(session, people, **changes) -> Quote:
    fields = {"title": "New office", "lines": _lines(people), "terms": "Payment within 30 days.",
              "valid_until": _until(), **changes}
    quote = quotes.do_create_draft(session, people["staff"], _ours(people), **fields)
    session.commit()
    return quote


def _sent(session, people, **changes) -> Quote:
    quote = quotes.do_send(session, people["staff"], _draft(session, people, **changes).id)
    session.commit()
    return quote


def _accept(session, people, quote_id, who="owner", **changes):
    fields = {"version": 1, "full_name": "Olive Owner", "agree": True, "signature": None, "ip": "203.0.113.9",
              **changes}
    return quotes.do_accept(session, people[who], quote_id, **fields)


def _png(width: int = 40, height: int = 20, *, pad: int = 0) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(buffer, format="PNG")
    data = buffer.getvalue()
    if pad:  # an ancillary chunk of noise, to make it big and still valid
        import struct
        import zlib

        body = b"tEXt" + b"c\x00" + b"x" * pad
        chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
        data = data[:33] + chunk + data[33:]
    return data


def _data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


# ---------------------------------------------------------------- drafting and sending

def test_a_draft_takes_catalogue_prices_totals_and_a_hash_and_customers_do_not_see_it(session, org) -> None:
    quote = _draft(session, org)
    version = quotes.current_version(session, quote)
    lines = quotes.lines_of(session, version)
    assert [(line.description, line.quantity, line.unit_price, line.tax_rate) for line in lines] == [
        ("Plan ROUTER", 1000, 12000, 2000), ("Plan HOST", 2000, 2500, 2000), ("Installation", 3000, 4000, 2000)]
    assert (version.subtotal, version.tax, version.total) == (29000, 5800, 34800)
    assert len(version.content_hash) == 64 and version.content_hash == quotes.content_hash(version, lines)
    assert quote.number is None and quote.status == "draft"
    with pytest.raises(NotFound):
        quotes.access_quote(session, org["owner"], quote.id)
    assert quote_lists.list_for_org(session, org["owner"], _ours(org)).rows == []


def test_sending_numbers_it_and_tells_the_billing_people(session, org) -> None:
    quote = _sent(session, org)
    year = quotes.today().year
    assert quote.number == f"QUO-{year}-0001" and quote.status == "sent"
    assert _sent(session, org).number == f"QUO-{year}-0002"
    told = session.exec(select(Notification.user_id).where(Notification.event == "quote_sent")).all()
    assert set(told) >= {org["owner"].user_id, org["billing"].user_id}
    assert org["member"].user_id not in told
    rows = quote_lists.list_for_org(session, org["billing"], _ours(org)).rows
    assert [r.id for r in rows][-1] == quote.id and rows[-1].status_word == "Awaiting your answer"


def test_the_hash_changes_with_any_part_of_the_content(session, org) -> None:
    a = quotes.current_version(session, _draft(session, org))
    b = quotes.current_version(session, _draft(session, org, terms="Payment within 60 days."))
    c = quotes.current_version(session, _draft(session, org, valid_until=_until(31)))
    d = quotes.current_version(session, _draft(session, org))
    assert len({a.content_hash, b.content_hash, c.content_hash}) == 3
    assert a.content_hash == d.content_hash  # the same content, the same hash


# ---------------------------------------------------------------- accepting

def test_accepting_records_who_when_where_and_the_hash_and_makes_one_invoice_and_the_subscription(
        session, org) -> None:
    quote = _sent(session, org)
    version = quotes.current_version(session, quote)
    signature = _png()
    result = _accept(session, org, quote.id, who="billing", full_name="  Bill Payer ", signature=_data_url(signature))
    session.commit()
    assert result.status == "accepted"
    assert (result.accepted_name, result.accepted_ip, result.accepted_hash, result.accepted_version) == (
        "Bill Payer", "203.0.113.9", version.content_hash, 1)
    assert result.accepted_at is not None and result.signature_png == signature
    invoice = session.get(Invoice, result.invoice_id)
    assert invoice.status == "open" and invoice.total == version.total == 34800
    descriptions = session.exec(select(InvoiceLine.description).where(InvoiceLine.invoice_id == invoice.id)
                                .order_by(InvoiceLine.position)).all()
    assert descriptions[0] == "Plan ROUTER" and descriptions[1].startswith("Plan HOST — ")
    assert len(session.exec(select(Invoice).where(Invoice.org_id == _ours(org))).all()) == 1
    sub = session.exec(select(Subscription).where(Subscription.org_id == _ours(org))).one()
    assert (sub.product_id, sub.quantity, sub.unit_price) == (org["plan"], 2, 2500)
    # Its contract is the accepted quote: its number and PDF on My services, for those who read quotes.
    assert sub.quote_id == quote.id
    services = {who: subs_service.list_for_org(session, org[who], _ours(org))[0] for who in ("owner", "billing")}
    assert {(v.contract, v.contract_id) for v in services.values()} == {(result.number, quote.id)}
    assert subs_service.list_all(session, org["agent"])[0].contract == result.number
    ours = session.get(Organization, _ours(org))
    ours.invoices_open_to_members = True  # a plain member then sees the services, not the quote
    session.add(ours)
    session.commit()
    member_view = subs_service.list_for_org(session, org["member"], _ours(org))[0]
    assert (member_view.contract, member_view.contract_id) == ("", 0)
    # The one-off lines (the router, the installation) become one confirmed order on that invoice.
    order = session.exec(select(Order).where(Order.org_id == _ours(org))).one()
    assert (order.status, order.quote_id, order.invoice_id) == ("confirmed", quote.id, invoice.id)
    assert session.exec(select(OrderLine.description).where(OrderLine.order_id == order.id)
                        .order_by(OrderLine.id)).all() == ["Plan ROUTER", "Installation"]
    view = quote_lists.quote_view(session, org["owner"], quote.id)
    assert view.order_id == order.id and view.invoice_id == invoice.id
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.target_type == "quote")).all()
    assert "quote.accepted" in actions
    assert session.exec(select(Notification).where(Notification.event == "quote_answered",
                                                   Notification.user_id == org["staff"].user_id)).first()


def test_only_services_make_no_order_and_short_stock_refuses_the_whole_acceptance(session, org) -> None:
    services_only = _sent(session, org, lines=[{"product_id": str(org["plan"]), "quantity": "1"}])
    _accept(session, org, services_only.id)
    session.commit()
    assert session.exec(select(Order).where(Order.org_id == _ours(org))).all() == []
    router = session.get(Product, org["router"])
    router.stock = 0
    session.add(router)
    session.commit()
    quote = _sent(session, org)
    with pytest.raises(Invalid, match="stock|left"):
        _accept(session, org, quote.id)
    session.rollback()
    after = session.get(Quote, quote.id)
    assert after.status == "sent" and after.invoice_id is None  # nothing of it kept: accept again once restocked
    assert session.exec(select(Order).where(Order.org_id == _ours(org))).all() == []


def test_only_a_draft_is_deleted_with_its_versions_and_lines(session, org) -> None:
    draft = _draft(session, org)
    sent = _sent(session, org)
    quotes.do_delete_draft(session, org["staff"], draft.id)
    session.commit()
    assert session.get(Quote, draft.id) is None
    assert session.exec(select(QuoteVersion).where(QuoteVersion.quote_id == draft.id)).all() == []
    assert len(session.exec(select(QuoteLine)).all()) == len(quotes.lines_of(
        session, quotes.current_version(session, sent)))  # only the sent quote's lines remain
    assert session.exec(select(AuditEvent.action).where(AuditEvent.action == "quote.deleted")).all()
    with pytest.raises(Invalid, match="can no longer be changed"):
        quotes.do_delete_draft(session, org["staff"], sent.id)
    for who in ("owner", "billing"):  # customers never see a draft: not found
        with pytest.raises((NotFound, Forbidden)):
            quotes.do_delete_draft(session, org[who], sent.id)
    assert session.get(Quote, sent.id).status == "sent"


def test_no_accepting_a_superseded_version(session, org) -> None:
    quote = _sent(session, org)
    quotes.do_revise(session, org["staff"], quote.id, title="New office", lines=_lines(org), terms="Net 15.",
                     valid_until=_until())
    session.commit()
    with pytest.raises(Invalid, match="superseded") as err:
        _accept(session, org, quote.id, version=1)
    assert err.value.field == "version"
    session.rollback()
    assert _accept(session, org, quote.id, version="2").accepted_version == 2
    view = quote_lists.quote_view(session, org["owner"], quote.id)
    assert [v.number for v in view.versions] == [2, 1] and view.terms == "Net 15."


def test_no_accepting_an_expired_quote(session, org) -> None:
    quote = _sent(session, org, valid_until=_until(0))
    version = quotes.current_version(session, quote)
    version.valid_until = quotes.today() - timedelta(days=1)
    session.add(version)
    session.commit()
    assert quote_lists.quote_view(session, org["owner"], quote.id).status == "expired"
    with pytest.raises(Invalid, match="expired"):
        _accept(session, org, quote.id)
    assert session.get(Quote, quote.id).status == "sent"


def test_no_accepting_declined_draft_or_already_accepted(session, org) -> None:
    declined = _sent(session, org)
    quotes.do_decline(session, org["owner"], declined.id, reason="too_expensive", comment="Too dear for us")
    session.commit()
    with pytest.raises(Invalid, match="declined"):
        _accept(session, org, declined.id)
    draft = _draft(session, org)
    with pytest.raises(NotFound):
        _accept(session, org, draft.id)
    accepted = _sent(session, org)
    _accept(session, org, accepted.id)
    session.commit()
    with pytest.raises(Invalid, match="already been accepted"):
        _accept(session, org, accepted.id)
    with pytest.raises(Invalid, match="already been accepted"):
        quotes.do_decline(session, org["owner"], accepted.id, reason="other")


def test_asking_for_changes_then_a_revision_keeps_the_history(session, org) -> None:
    quote = _sent(session, org)
    quotes.do_request_changes(session, org["owner"], quote.id, comment="Could the router be cheaper?")
    session.commit()
    assert session.get(Quote, quote.id).status == "changes_requested"
    with pytest.raises(Invalid, match="asked for changes"):
        _accept(session, org, quote.id)
    session.rollback()
    lines = _lines(org)
    lines[0]["unit_price"] = "100"
    quotes.do_revise(session, org["staff"], quote.id, title="New office", lines=lines, terms="Net 30.",
                     valid_until=_until())
    session.commit()
    versions = session.exec(select(QuoteVersion).where(QuoteVersion.quote_id == quote.id)
                            .order_by(QuoteVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].change_request == "Could the router be cheaper?" and versions[0].total == 34800
    assert versions[1].total == 34800 - 2400
    assert session.get(Quote, quote.id).status == "sent"
    assert len(session.exec(select(QuoteLine)).all()) == 6  # the old version's lines stay


def test_declining_needs_a_known_reason_and_keeps_the_comment_as_text(session, org) -> None:
    quote = _sent(session, org)
    for reason in ("", "nope", None, 3, ["other"]):
        with pytest.raises(Invalid) as err:
            quotes.do_decline(session, org["owner"], quote.id, reason=reason)
        assert err.value.field == "reason"
    quotes.do_decline(session, org["owner"], quote.id, reason="other", comment=HOSTILE)
    session.commit()
    row = session.get(Quote, quote.id)
    assert (row.status, row.decline_reason, row.decline_comment) == ("declined", "other", HOSTILE)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("name, message", [
    ("", "Full name"), ("   ", "Full name"), ("x" * 201, "Full name"), (None, "Full name"), (42, "Full name"),
    (["Olive"], "Full name"), ({"a": 1}, "Full name"),
])
def test_bad_names_are_refused(session, org, name, message) -> None:
    quote = _sent(session, org)
    with pytest.raises(Invalid, match=message) as err:
        _accept(session, org, quote.id, full_name=name)
    assert err.value.field == "full_name"
    assert session.get(Quote, quote.id).status == "sent"


@pytest.mark.parametrize("agree", [False, "true", "on", 1, None, []])
def test_the_box_must_really_be_ticked(session, org, agree) -> None:
    quote = _sent(session, org)
    with pytest.raises(Invalid) as err:
        _accept(session, org, quote.id, agree=agree)
    assert err.value.field == "agree"


def test_a_hostile_name_is_kept_as_plain_text(session, org) -> None:
    quote = _sent(session, org)
    _accept(session, org, quote.id, full_name=HOSTILE[:200])
    assert session.get(Quote, quote.id).accepted_name == HOSTILE[:200]


@pytest.mark.parametrize("comment", ["", "   ", "x" * 1001, None, 7, ["a"]])
def test_asking_for_changes_needs_a_comment(session, org, comment) -> None:
    quote = _sent(session, org)
    with pytest.raises(Invalid) as err:
        quotes.do_request_changes(session, org["owner"], quote.id, comment=comment)
    assert err.value.field == "changes"


def test_bad_signatures_are_refused(session, org) -> None:
    quote = _sent(session, org)
    gif = b"GIF89a" + b"\x00" * 40
    disguised = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x10" * 2 + b"<script>" * 10
    huge = _png(pad=110 * 1024)
    wide = _png(3000, 10)
    bad = [_data_url(gif), _data_url(disguised), _data_url(huge), _data_url(wide), "data:image/png;base64,@@@",
           "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(), "javascript:alert(1)", 5,
           ["x"], _data_url(_png())[:-8]]
    for value in bad:
        with pytest.raises(Invalid) as err:
            _accept(session, org, quote.id, signature=value)
        assert err.value.field == "signature", value
    assert session.get(Quote, quote.id).status == "sent"
    assert quotes.check_signature(_data_url(_png(pad=1000))) is not None  # an ancillary chunk is fine


def test_bad_drafts_are_refused_with_the_field(session, org) -> None:
    cases = [({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"terms": ""}, "terms"),
             ({"terms": "x" * 20_001}, "terms"), ({"valid_until": "2020-01-01"}, "valid_until"),
             ({"valid_until": "soon"}, "valid_until"), ({"valid_until": 5}, "valid_until"),
             ({"lines": []}, "lines"), ({"lines": "x"}, "lines"),
             ({"lines": [{"product_id": "999999", "quantity": "1"}]}, "line-1-product_id"),
             ({"lines": [{"product_id": str(org["euro"])}]}, "line-1-product_id"),
             ({"lines": [{"product_id": str(org["plan"]), "quantity": "1.5"}]}, "line-1-quantity"),
             ({"lines": [{"description": "x", "unit_price": "-4"}]}, "line-1-unit_price")]
    for changes, field in cases:
        with pytest.raises(Invalid) as err:
            _draft(session, org, **changes)
        assert err.value.field == field, changes
        session.rollback()


def test_hostile_titles_and_terms_are_kept_as_text(session, org) -> None:
    quote = _sent(session, org, title=HOSTILE[:200], terms=HOSTILE)
    view = quote_lists.quote_view(session, org["owner"], quote.id)
    assert (view.title, view.terms) == (HOSTILE[:200], HOSTILE)


# ---------------------------------------------------------------- who sees and answers what

def test_another_organisation_cannot_see_or_touch_it(session, org) -> None:
    quote = _sent(session, org)
    theirs = org["theirs"]
    for call in (lambda: quotes.access_quote(session, theirs, quote.id),
                 lambda: quote_lists.quote_view(session, theirs, quote.id),
                 lambda: _accept(session, org, quote.id, who="theirs"),
                 lambda: quotes.do_decline(session, theirs, quote.id, reason="other"),
                 lambda: quotes.do_request_changes(session, theirs, quote.id, comment="x")):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        quote_lists.list_for_org(session, theirs, _ours(org))
    for wrong in (True, 1.0, str(quote.id), None, -1, 2**70):
        with pytest.raises(NotFound):
            quotes.access_quote(session, org["owner"], wrong)
    assert session.get(Quote, quote.id).status == "sent"


def test_members_and_staff_do_not_answer(session, org) -> None:
    quote = _sent(session, org)
    with pytest.raises(NotFound):
        _accept(session, org, quote.id, who="member")
    with pytest.raises(NotFound):
        _accept(session, org, quote.id, who="staff")
    assert [r.id for r in quote_lists.list_all(session, org["agent"]).rows] == [quote.id]
    with pytest.raises(Forbidden):
        quotes.do_create_draft(session, org["agent"], _ours(org), title="x", lines=_lines(org), terms="t",
                               valid_until=_until())
    with pytest.raises(Forbidden):
        quotes.do_revise(session, org["agent"], quote.id, title="x", lines=_lines(org), terms="t",
                         valid_until=_until())


def test_staff_list_filters(session, org) -> None:
    sent = _sent(session, org)
    draft = _draft(session, org)
    assert [r.id for r in quote_lists.list_all(session, org["staff"], status="draft").rows] == [draft.id]
    assert [r.id for r in quote_lists.list_all(session, org["staff"], status="sent").rows] == [sent.id]
    assert quote_lists.list_all(session, org["staff"], org="nobody by that name").rows == []
    assert [r.id for r in quote_lists.list_all(session, org["staff"], org="ours").rows] == [draft.id, sent.id]
    with pytest.raises(Invalid):
        quote_lists.list_all(session, org["staff"], status="bogus")
    # Past its validity a waiting quote is "expired": its own filter, and no longer under "Sent".
    with time_machine.travel(quotes.today() + timedelta(days=45), tick=False):
        assert [r.id for r in quote_lists.list_all(session, org["staff"], status="expired").rows] == [sent.id]
        assert quote_lists.list_all(session, org["staff"], status="sent").rows == []
        assert quote_lists.list_all(session, org["staff"], status="expired").rows[0].status_word == "Expired"
    assert quote_lists.list_all(session, org["staff"], status="expired").rows == []


def _a_quote(session: Session, owner: Principal) -> int:
    product = Product(name="Router", sku=f"R-{owner.current.org_id}", kind="one_off", currency="GBP",
                      unit_price=1000)
    session.add(product)
    session.flush()
    quote = Quote(org_id=owner.current.org_id, number=f"QUO-2026-{owner.current.org_id:04d}", title="Q",
                  status="sent", currency="GBP")
    session.add(quote)
    session.flush()
    version = QuoteVersion(quote_id=quote.id, number=1, terms="T", valid_until=date(2099, 1, 1), currency="GBP",
                           subtotal=1000, total=1000)
    session.add(version)
    session.flush()
    session.add(QuoteLine(version_id=version.id, product_id=product.id, description="Router", quantity=1000,
                          unit_price=1000, net=1000))
    version.content_hash = quotes.content_hash(version, quotes.lines_of(session, version))
    session.add(version)
    session.flush()
    return quote.id


def _org_with_one(session: Session, owner: Principal) -> int:
    _a_quote(session, owner)
    return owner.current.org_id


test_quote_permissions = permission_tests(
    # Owners, admins and billing members see and answer; a plain member does not even see them; staff
    # answer nothing on this path.
    Permission("list", lambda s, p, o: quote_lists.list_for_org(s, p, o), quotes.READERS, target_row=_org_with_one,
               check=lambda s, a, o, page: len(page.rows) == 1 or pytest.fail("one row")),
    Permission("accept", lambda s, p, i: quotes.do_accept(s, p, i, version=1, full_name="A Person", agree=True),
               quotes.READERS, target_row=_a_quote, refused=NotFound,
               check=lambda s, a, i, r: s.get(Quote, i).status == "accepted" or pytest.fail("accepted")),
    Permission("decline", lambda s, p, i: quotes.do_decline(s, p, i, reason="other"), quotes.READERS,
               target_row=_a_quote, refused=NotFound),
    Permission("ask for changes", lambda s, p, i: quotes.do_request_changes(s, p, i, comment="Cheaper?"),
               quotes.READERS, target_row=_a_quote, refused=NotFound),
)


def _first_org(session: Session, admin: Principal) -> int:
    return session.exec(select(Organization.id).order_by(Organization.id)).first()


def _staff_draft(session: Session, admin: Principal) -> int:
    return quotes.do_create_draft(session, admin, _first_org(session, admin), title="T",
                                  lines=[{"description": "Work", "unit_price": "10"}], terms="Terms",
                                  valid_until=_until()).id


test_staff_quote_permissions = staff_permission_tests(
    StaffPermission("draft", lambda s, p, _: quotes.do_create_draft(
        s, p, _first_org(s, p), title="T", lines=[{"description": "Work", "unit_price": "10"}], terms="Terms",
        valid_until=_until()), lambda s, p: None, allowed=quotes.MANAGERS, takes_id=False),
    StaffPermission("send", lambda s, p, i: quotes.do_send(s, p, i), _staff_draft, allowed=quotes.MANAGERS),
    StaffPermission("delete draft", lambda s, p, i: quotes.do_delete_draft(s, p, i), _staff_draft,
                    allowed=quotes.MANAGERS, check=lambda s, a, i, r: s.get(Quote, i) is None),
    StaffPermission("staff list", lambda s, p, _: quote_lists.list_all(s, p), lambda s, p: None,
                    allowed=("admin", "agent", "billing"), takes_id=False),
)


# ---------------------------------------------------------------- two accepts at once

@pytest.mark.postgres
def test_two_accepts_at_once_make_one_invoice_one_subscription_and_one_order(pg_migrated_url) -> None:
    from portal_app.db import make_engine

    engine = make_engine(pg_migrated_url)
    with Session(engine, expire_on_commit=False) as session:
        people = _people(session)
        quote_id = _sent(session, people).id
    who = ["owner", "billing", "owner", "billing"]
    results = at_once(engine, lambda s, n: _accept(s, people, quote_id, who=who[n]).id, len(who))
    with Session(engine) as session:
        org_id = _ours(people)
        invoices_made = session.exec(select(Invoice).where(Invoice.org_id == org_id)).all()
        subs_made = session.exec(select(Subscription).where(Subscription.org_id == org_id)).all()
        orders_made = session.exec(select(Order).where(Order.org_id == org_id)).all()
        accepted = session.exec(select(AuditEvent).where(AuditEvent.action == "quote.accepted")).all()
    engine.dispose()
    assert sum(1 for r in results if r == quote_id) == 1
    assert all(isinstance(r, Invalid) for r in results if r != quote_id)
    assert len(invoices_made) == 1 and len(subs_made) == 1 and len(accepted) == 1 and len(orders_made) == 1


# ---------------------------------------------------------------- the demo

def test_the_demo_has_acmes_quotes_and_removing_it_removes_them(engine) -> None:
    from portal_app.models import Counter, User
    from portal_app.services.demo import remove_demo, seed_if_empty
    from portal_app.services.principal import principal_for_user

    with Session(engine, expire_on_commit=False) as session:
        lines = seed_if_empty(session)
        session.commit()
        assert "created 3 demo quotes for Acme Ltd" in lines
        alice = principal_for_user(session, session.exec(select(User).where(
            User.email == "alice@acme.example.com")).one(), None)
        rows = quote_lists.list_for_org(session, alice, alice.current.org_id).rows
        assert sorted(r.status for r in rows) == ["accepted", "changes_requested", "sent"]
        sent = next(r for r in rows if r.status == "sent")
        view = quote_lists.quote_view(session, alice, sent.id)
        assert view.may_answer and any(line.recurring for line in view.lines) and "VAT" in view.terms
        accepted = quote_lists.quote_view(session, alice, next(r.id for r in rows if r.status == "accepted"))
        assert accepted.accepted_name == "Alice Owner" and len(accepted.accepted_hash) == 64
        assert not session.exec(select(AuditEvent).where(AuditEvent.action.startswith("quote."))).all()
        remove_demo(session)
        session.commit()
        assert session.exec(select(Quote)).all() == [] and session.exec(select(QuoteLine)).all() == []
        assert all(c.value == 0 for c in session.exec(select(Counter).where(Counter.name.startswith("quo-"))).all())
