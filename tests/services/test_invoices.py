"""Invoices, credit notes and manual payments: the money rules (with
hypothesis), numbering, statuses, who sees and does what, and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from hypothesis import given, settings as hypothesis_settings, strategies as st
from sqlalchemy import update
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Invoice, InvoiceLine, Notification, Organization, Payment, User
from portal_app.services import invoice_lists, invoices, money, payments
from portal_app.services.errors import ErrorCode, Forbidden, Invalid, NotFound
from portal_app.services.principal import Principal, principal_for_user
from tests.factories import at_once, ours_and_theirs, staff_admin, staff_member
from tests.permissions import Permission, StaffPermission, join, permission_tests, staff_permission_tests

LINES = [{"description": "Support plan, November", "quantity": "1", "unit_price": "120.00", "tax_rate": "20"},
         {"description": "Extra hours", "quantity": "2.5", "unit_price": "80", "tax_rate": "20", "discount": "10"}]


# ---------------------------------------------------------------- money, as properties

@given(quantity=st.integers(1, 10**6), price=st.integers(0, 10**9), tax=st.integers(0, 10_000),
       discount=st.integers(0, 10_000))
def test_a_line_is_within_half_a_unit_of_the_exact_amount(quantity, price, tax, discount) -> None:
    net, line_tax = money.line_amounts(quantity, price, tax, discount)
    exact_net = quantity * price * (10_000 - discount) / (1000 * 10_000)
    assert abs(net - exact_net) <= 0.5
    assert abs(line_tax - net * tax / 10_000) <= 0.5
    assert 0 <= line_tax <= net


@given(st.lists(st.tuples(st.integers(1, 10**5), st.integers(0, 10**7), st.sampled_from([0, 500, 2000]),
                          st.integers(0, 10_000)), min_size=1, max_size=20))
def test_the_totals_are_the_sums_of_the_rounded_lines(rows) -> None:
    lines = [invoices.LineIn("x", *row) for row in rows]
    nets = [line.amounts[0] for line in lines]
    taxes = [line.amounts[1] for line in lines]
    assert sum(nets) + sum(taxes) == sum(n + t for n, t in zip(nets, taxes))
    assert all(n >= 0 and t >= 0 for n, t in zip(nets, taxes))


@given(st.integers(-10**12, 10**12), st.integers(1, 10**6))
def test_division_rounds_halves_away_from_zero(numerator, denominator) -> None:
    result = money.divide_half_up(numerator, denominator)
    assert abs(result * denominator - numerator) * 2 <= denominator
    if (2 * abs(numerator)) % (2 * denominator) == denominator:  # exactly half
        assert abs(result) * denominator > abs(numerator)


@given(st.integers(0, money.AMOUNT_MAX), st.sampled_from(["GBP", "JPY", "BHD", "EUR"]))
def test_a_typed_amount_reads_back_as_itself(amount, currency) -> None:
    assert money.parse_amount(money.typed(amount, currency), currency, allow_zero=True) == amount


@hypothesis_settings(max_examples=50)
@given(st.integers(1, money.QUANTITY_MAX))
def test_a_typed_quantity_reads_back_as_itself(quantity) -> None:
    assert money.parse_quantity(money.typed_quantity(quantity)) == quantity


def test_rounding_examples() -> None:
    assert money.line_amounts(1500, 1999, 2000, 1000) == (2699, 540)  # 26.9865 -> 26.99, 5.398 -> 5.40
    assert money.line_amounts(1000, 5, 2000) == (5, 1)  # 1p tax on 5p: 0.1 -> 0? no: 1.0 -> 1
    assert money.line_amounts(1000, 2, 2500) == (2, 1)  # 0.5 rounds up
    assert money.divide_half_up(-5, 2) == -3


@pytest.mark.parametrize("typed, currency, message", [
    ("", "GBP", "Enter amount."), ("12.345", "GBP", "at most 2 digits"), ("1.5", "JPY", "at most 0 digits"),
    ("-3", "GBP", "more than zero"), ("0", "GBP", "more than zero"), ("NaN", "GBP", "must be a number"),
    ("1e400", "GBP", "too large"), ("abc", "GBP", "must be a number"), ("9" * 31, "GBP", "too long"),
    (True, "GBP", "must be a number"), (1.5, "GBP", "must be a number"), (None, "GBP", "must be a number"),
])
def test_bad_amounts_are_refused_clearly(typed, currency, message) -> None:
    with pytest.raises(Invalid, match=message):
        money.parse_amount(typed, currency)


# ---------------------------------------------------------------- the people

def _people(session: Session) -> dict[str, Principal]:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["agent"] = staff_member(session, admin, "agent")
    people["billing"] = join(session, people["owner"], "bill@example.com", "billing", "Bill Payer")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session) -> dict[str, Principal]:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _issued(session: Session, staff: Principal, org_id: int, lines=LINES) -> Invoice:
    draft = invoices.do_create_draft(session, staff, org_id, lines=lines, memo="Thank you")
    invoice = invoices.do_issue(session, staff, draft.id)
    session.commit()
    return invoice


# ---------------------------------------------------------------- drafting and issuing

def test_a_draft_is_totalled_per_line_and_unseen_by_the_customer(session, org) -> None:
    draft = invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, memo="Thank you")
    session.commit()
    assert (draft.subtotal, draft.tax, draft.total) == (30000, 6000, 36000)  # 120 + 2.5 x 80 less 10 % = 300
    assert draft.number is None and draft.status == "draft" and draft.currency == "GBP"
    with pytest.raises(NotFound):
        invoices.access_invoice(session, org["owner"], draft.id)
    assert invoice_lists.list_for_org(session, org["owner"], _ours(org)).total == 0
    assert invoice_lists.list_all(session, org["staff"], status="draft").total == 1


def test_issuing_numbers_it_tells_the_billing_people_and_audits(session, org) -> None:
    with time_machine.travel("2026-03-02 10:00Z", tick=False):
        invoice = _issued(session, org["staff"], _ours(org))
    assert invoice.number == "INV-2026-0001" and invoice.status == "open"
    assert invoice.issue_date == date(2026, 3, 2) and invoice.due_date == date(2026, 4, 1)
    told = set(session.exec(select(Notification.user_id).where(Notification.event == "invoice_issued")).all())
    assert told == {org["owner"].user_id, org["billing"].user_id}  # not the plain member
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "invoice.issued")).one()
    assert event.org_id == _ours(org) and event.target_label == "INV-2026-0001"
    second = _issued(session, org["staff"], _ours(org))
    assert second.number.endswith("-0002")


def test_numbers_start_again_each_year(session, org) -> None:
    with time_machine.travel("2026-12-31 12:00Z", tick=False):
        assert _issued(session, org["staff"], _ours(org)).number == "INV-2026-0001"
    with time_machine.travel("2027-01-01 12:00Z", tick=False):
        assert _issued(session, org["staff"], _ours(org)).number == "INV-2027-0001"


def test_an_issued_invoice_cannot_be_edited_or_deleted(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    with pytest.raises(Invalid, match="can no longer be changed"):
        invoices.do_update_draft(session, org["staff"], invoice.id, lines=LINES)
    with pytest.raises(Invalid, match="can no longer be changed"):
        invoices.do_delete_draft(session, org["staff"], invoice.id)


def test_a_draft_can_be_changed_and_deleted(session, org) -> None:
    draft = invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES)
    invoices.do_update_draft(session, org["staff"], draft.id, lines=LINES[:1], memo="Only the plan",
                             due_date="2099-01-31")
    session.commit()
    view = invoices.draft_view(session, org["staff"], draft.id)
    assert view.lines == [{"description": "Support plan, November", "quantity": "1", "unit_price": "120.00",
                           "tax_rate": "20", "discount": "0"}]
    assert view.memo == "Only the plan" and view.due_date == "2099-01-31"
    invoices.do_delete_draft(session, org["staff"], draft.id)
    session.commit()
    assert session.get(Invoice, draft.id) is None
    assert not session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == draft.id)).all()


def test_a_due_date_in_the_past_is_refused_at_issue(session, org) -> None:
    draft = invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, due_date="2020-01-01")
    with pytest.raises(Invalid, match="due date has passed") as err:
        invoices.do_issue(session, org["staff"], draft.id)
    assert err.value.field == "due_date"


@pytest.mark.postgres
def test_concurrent_issuing_gives_gap_free_unique_numbers(pg_migrated_url) -> None:
    from portal_app.db import make_engine

    engine = make_engine(pg_migrated_url)
    with Session(engine, expire_on_commit=False) as session:
        people = _people(session)
        drafts = [invoices.do_create_draft(session, people["staff"], _ours(people), lines=LINES).id for _ in range(8)]
        session.commit()
    results = at_once(engine, lambda s, n: invoices.do_issue(s, people["staff"], drafts[n]), len(drafts))
    errors = [r for r in results if isinstance(r, BaseException)]
    with Session(engine) as session:
        numbers = sorted(session.exec(select(Invoice.number)).all())
    engine.dispose()
    assert not errors
    year = invoices.today().year
    assert numbers == [f"INV-{year}-{n:04d}" for n in range(1, 9)]


# ---------------------------------------------------------------- payments, refunds, credits, voids

def test_payments_move_the_status_and_are_capped_by_the_balance(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    payments.do_record_payment(session, org["staff"], invoice.id, amount="100", method="bank_transfer",
                               reference="ACME 123")
    session.commit()
    assert (invoice.status, invoice.paid, invoices.balance(invoice)) == ("partially_paid", 10000, 26000)
    with pytest.raises(Invalid, match="more than the balance due, £260.00") as err:
        payments.do_record_payment(session, org["staff"], invoice.id, amount="260.01", method="cash")
    assert err.value.field == "amount"
    session.rollback()
    payments.do_record_payment(session, org["staff"], invoice.id, amount="260", method="cheque")
    session.commit()
    assert invoice.status == "paid"
    with pytest.raises(Invalid, match="paid in full"):
        payments.do_record_payment(session, org["staff"], invoice.id, amount="1", method="cash")
    session.rollback()
    payments.do_refund(session, org["staff"], invoice.id, amount="60", method="bank_transfer")
    session.commit()
    assert (invoice.status, invoice.paid) == ("partially_paid", 30000)
    with pytest.raises(Invalid, match="more than was paid"):
        payments.do_refund(session, org["staff"], invoice.id, amount="300.01", method="cash")
    session.rollback()
    view = invoices.invoice_view(session, org["billing"], invoice.id)
    assert [(p.kind, p.amount, p.method) for p in view.payments] == [
        ("Payment", "£100.00", "Bank transfer"), ("Payment", "£260.00", "Cheque"), ("Refund", "£60.00", "Bank transfer")]
    told = session.exec(select(Notification.title).where(Notification.event == "invoice_paid",
                                                         Notification.user_id == org["billing"].user_id)).all()
    assert "Payment received on INV-" in told[0] and len(told) == 3


def test_payment_dates_and_methods_are_checked(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    future = (invoices.today() + timedelta(days=1)).isoformat()
    for kwargs, field in [({"method": "bitcoin"}, "method"), ({"method": ["cash"]}, "method"),
                          ({"method": "cash", "received_on": future}, "received_on"),
                          ({"method": "cash", "received_on": "2001-01-01"}, "received_on"),
                          ({"method": "cash", "received_on": "31/12/2026"}, "received_on"),
                          ({"method": "cash", "reference": "x" * 101}, "reference")]:
        with pytest.raises(Invalid) as err:
            payments.do_record_payment(session, org["staff"], invoice.id, amount="1", **kwargs)
        assert err.value.field == field
        session.rollback()
    assert not session.exec(select(Payment)).all()


def test_a_credit_note_lowers_the_balance_and_is_numbered(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    note = invoices.do_credit(session, org["staff"], invoice.id, amount="60", reason="Hours not used")
    session.commit()
    assert note.number.startswith("CN-") and note.total == 6000 and note.tax == 1000 and note.subtotal == 5000
    assert (invoice.credited, invoice.status, invoices.balance(invoice)) == (6000, "partially_paid", 30000)
    with pytest.raises(Invalid, match="more than the balance due"):
        invoices.do_credit(session, org["staff"], invoice.id, amount="300.01", reason="Too much")
    session.rollback()
    view = invoices.invoice_view(session, org["owner"], invoice.id)
    assert view.related == [(note.id, note.number, "£60.00")] and view.credited == "£60.00"
    note_view = invoices.invoice_view(session, org["owner"], note.id)
    assert note_view.related == [(invoice.id, invoice.number, "£360.00")] and note_view.status_word == "Credit note"


def test_voiding_needs_a_reason_and_no_money_moved(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    with pytest.raises(Invalid) as err:
        invoices.do_void(session, org["staff"], invoice.id, reason=" ")
    assert err.value.field == "reason"
    paid = _issued(session, org["staff"], _ours(org))
    payments.do_record_payment(session, org["staff"], paid.id, amount="1", method="cash")
    session.commit()
    with pytest.raises(Invalid, match="refund or credit it instead"):
        invoices.do_void(session, org["staff"], paid.id, reason="Wrong customer")
    session.rollback()
    invoices.do_void(session, org["staff"], invoice.id, reason="Sent twice")
    session.commit()
    assert invoice.status == "void" and invoice.void_reason == "Sent twice"
    with pytest.raises(Invalid, match="not an issued invoice"):
        payments.do_record_payment(session, org["staff"], invoice.id, amount="1", method="cash")
    session.rollback()
    with pytest.raises(Invalid, match="cannot be voided"):
        invoices.do_void(session, org["staff"], invoice.id, reason="Again")


def test_an_invoice_past_its_due_date_settles_as_overdue(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    invoices.settle(invoice, invoice.due_date + timedelta(days=1))
    assert invoice.status == "overdue"
    invoices.settle(invoice, invoice.due_date)
    assert invoice.status == "open"


# ---------------------------------------------------------------- the summary and the lists

def test_the_summary_adds_up_what_is_owed(session, org) -> None:
    first, second, third = (_issued(session, org["staff"], _ours(org)) for _ in range(3))
    payments.do_record_payment(session, org["staff"], first.id, amount="60", method="cash")
    payments.do_record_payment(session, org["staff"], third.id, amount="360", method="cash")
    session.execute(update(Invoice).where(Invoice.id == second.id)
                    .values(status="overdue", due_date=invoices.today() - timedelta(days=3)))
    _issued(session, org["staff"], org["theirs"].current.org_id)  # another organisation's: not counted
    session.commit()
    summary = invoice_lists.summary(session, org["billing"], _ours(org))
    assert (summary.balance_due, summary.overdue, summary.unpaid_count) == (30000 + 36000, 36000, 2)
    assert summary.next_due == first.due_date
    assert summary.shown["balance_due"] == "£660.00"
    page = invoice_lists.list_for_org(session, org["owner"], _ours(org), status="unpaid")
    assert [row.label for row in page.rows] == [second.number, first.number]
    assert page.rows[0].status_word == "Overdue" and page.rows[1].balance == "£300.00"
    with pytest.raises(Invalid):
        invoice_lists.list_for_org(session, org["owner"], _ours(org), status="draft")  # not a customer filter


def test_the_staff_list_filters_by_organisation_name(session, org) -> None:
    _issued(session, org["staff"], _ours(org))
    _issued(session, org["staff"], org["theirs"].current.org_id)
    rows = invoice_lists.list_all(session, org["agent"], org="THEIR").rows
    assert [row.org_name for row in rows] == ["Theirs"]
    assert invoice_lists.list_all(session, org["agent"], org="%").total == 0


def test_members_see_invoices_only_where_the_organisation_allows(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    with pytest.raises(NotFound):
        invoices.access_invoice(session, org["member"], invoice.id)
    with pytest.raises(Forbidden) as err:
        invoice_lists.list_for_org(session, org["member"], _ours(org))
    assert err.value.code == ErrorCode.ROLE_REQUIRED
    with pytest.raises(Forbidden):
        invoices.set_open_to_members(session, org["billing"], _ours(org), value=True)
    with pytest.raises(Invalid):
        invoices.set_open_to_members(session, org["owner"], _ours(org), value="yes")
    invoices.set_open_to_members(session, org["owner"], _ours(org), value=True)
    session.commit()
    assert invoices.access_invoice(session, org["member"], invoice.id).id == invoice.id
    assert invoice_lists.list_for_org(session, org["member"], _ours(org)).total == 1
    assert org["member"].user_id in invoices.billing_people(session, _ours(org))


def test_an_organisations_currency_is_its_invoices(session, org) -> None:
    session.execute(update(Organization).where(Organization.id == _ours(org)).values(currency="JPY"))
    session.commit()
    invoice = _issued(session, org["staff"], _ours(org), lines=[{"description": "Plan", "unit_price": "12000",
                                                                  "tax_rate": "10"}])
    assert (invoice.currency, invoice.total) == ("JPY", 13200)
    assert invoices.invoice_view(session, org["owner"], invoice.id).total == "JP¥13,200"
    with pytest.raises(Invalid, match="at most 0 digits"):
        invoices.do_create_draft(session, org["staff"], _ours(org), lines=[{"description": "x", "unit_price": "1.5"}])


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("lines, field, message", [
    ([], "lines", "at least one line"),
    ([{"description": "", "unit_price": ""}], "lines", "at least one line"),  # a blank row is dropped
    ([{"description": "", "unit_price": "", "quantity": "1"}], "lines", "at least one line"),  # the form's default
    ([{"description": "a", "unit_price": "1"}, {}, {"description": "b", "unit_price": "-1"}], "line-3-unit_price",
     "Line 3"),  # rows keep the form's numbers
    ("lines", "lines", "could not be read"),
    ([["x"]], "lines", "could not be read"),
    ([{"description": "", "unit_price": "5"}], "line-1-description", "description"),
    ([{"description": "x" * 501, "unit_price": "5"}], "line-1-description", "500"),
    ([{"description": "x", "unit_price": "-5"}], "line-1-unit_price", "cannot be negative"),
    ([{"description": "x", "unit_price": "5", "quantity": "0"}], "line-1-quantity", "more than zero"),
    ([{"description": "x", "unit_price": "5", "quantity": "1.0001"}], "line-1-quantity", "3 digits"),
    ([{"description": "x", "unit_price": "5", "tax_rate": "101"}], "line-1-tax_rate", "0 to 100"),
    ([{"description": "x", "unit_price": "5", "discount": {"a": 1}}], "line-1-discount", "must be a number"),
    ([{"description": "x", "unit_price": "5"}] * 101, "lines", "at most 100"),
])
def test_bad_lines_get_a_message_next_to_the_field(session, org, lines, field, message) -> None:
    with pytest.raises(Invalid, match=message) as err:
        invoices.do_create_draft(session, org["staff"], _ours(org), lines=lines)
    assert err.value.field == field
    session.rollback()
    assert not session.exec(select(Invoice)).all()


def test_hostile_text_is_kept_as_text(session, org) -> None:
    hostile = '<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1))'
    invoice = _issued(session, org["staff"], _ours(org), lines=[{"description": hostile, "unit_price": "1"}])
    view = invoices.invoice_view(session, org["owner"], invoice.id)
    assert view.lines[0].description == hostile  # shown as text by the page and the PDF, never as markup


def test_a_customer_cannot_issue_pay_or_void(session, org) -> None:
    invoice = _issued(session, org["staff"], _ours(org))
    for call in (lambda p: invoices.do_create_draft(session, p, _ours(org), lines=LINES),
                 lambda p: invoices.do_void(session, p, invoice.id, reason="x"),
                 lambda p: payments.do_record_payment(session, p, invoice.id, amount="1", method="cash")):
        for person in (org["owner"], org["billing"], org["agent"]):
            with pytest.raises(Forbidden) as err:
                call(person)
            assert err.value.code == ErrorCode.STAFF_ONLY
    session.rollback()
    assert invoice.paid == 0 and invoice.status == "open"


# ---------------------------------------------------------------- the three-case permission base

def _billing_staff(session: Session) -> Principal:
    user = session.exec(select(User).where(User.staff_role == "admin")).first()
    return principal_for_user(session, user, None)


def _an_invoice(session: Session, owner: Principal) -> int:
    return _issued(session, _billing_staff(session), owner.current.org_id).id


def _viewed(session, actor, invoice_id, view) -> None:
    assert view.id == invoice_id and view.total == "£360.00"


def _listed(session, actor, org_id, page) -> None:
    assert page.total == 1


def _summed(session, actor, org_id, summary) -> None:
    assert summary.balance_due == 36000


def _org_with_an_invoice(session: Session, owner: Principal) -> int:
    _an_invoice(session, owner)
    return owner.current.org_id


test_invoice_permissions = permission_tests(
    # Owners, admins and billing members read their organisation's invoices; a plain member does not (the
    # invoice is "not found" to them, the list refused by role); staff read every invoice in the back office.
    Permission("view", lambda s, p, i: invoices.invoice_view(s, p, i), invoices.READERS, target_row=_an_invoice,
               refused=NotFound, staff_allowed=True, check=_viewed),
    Permission("list", lambda s, p, o: invoice_lists.list_for_org(s, p, o), invoices.READERS,
               target_row=_org_with_an_invoice, check=_listed),
    Permission("summary", lambda s, p, o: invoice_lists.summary(s, p, o), invoices.READERS,
               target_row=_org_with_an_invoice, check=_summed),
    Permission("share with members", lambda s, p, o: invoices.set_open_to_members(s, p, o, value=True),
               ("owner", "admin")),
)


def _staff_invoice(session: Session, admin: Principal) -> int:
    theirs = session.exec(select(Organization.id).order_by(Organization.id)).first()
    return invoices.do_create_draft(session, admin, theirs, lines=LINES).id


def _payable(session: Session, admin: Principal) -> int:
    invoice_id = _staff_invoice(session, admin)
    invoices.do_issue(session, admin, invoice_id)
    return invoice_id


def _first_org(session: Session, admin: Principal) -> int:
    return session.exec(select(Organization.id).order_by(Organization.id)).first()


test_staff_invoice_permissions = staff_permission_tests(
    StaffPermission("draft", lambda s, p, o: invoices.do_create_draft(s, p, o, lines=LINES), _first_org,
                    allowed=invoices.MANAGERS),
    StaffPermission("issue", lambda s, p, i: invoices.do_issue(s, p, i), _staff_invoice, allowed=invoices.MANAGERS),
    StaffPermission("record a payment", lambda s, p, i: payments.do_record_payment(s, p, i, amount="1",
                                                                                   method="cash"),
                    _payable, allowed=invoices.MANAGERS),
    StaffPermission("credit", lambda s, p, i: invoices.do_credit(s, p, i, amount="1", reason="Goodwill"), _payable,
                    allowed=invoices.MANAGERS),
    StaffPermission("void", lambda s, p, i: invoices.do_void(s, p, i, reason="Twice"), _payable,
                    allowed=invoices.MANAGERS),
    StaffPermission("staff list", lambda s, p, _: invoice_lists.list_all(s, p), lambda s, p: None,
                    allowed=("admin", "agent", "billing"), takes_id=False),
)


def test_the_summary_is_one_statement(session, org) -> None:
    from tests.factories import statements

    for _ in range(3):
        _issued(session, org["staff"], _ours(org))
    with statements(session) as sent:
        summary = invoice_lists.summary(session, org["billing"], _ours(org))
    assert summary.unpaid_count == 3 and summary.currency == "GBP" and len(sent) == 1
    session.execute(update(Organization).where(Organization.id == _ours(org)).values(currency="EUR"))
    assert invoice_lists.summary(session, org["billing"], _ours(org)).unpaid_count == 0  # GBP ones left out


def test_staff_change_an_organisations_currency_while_nothing_is_owed(session, org) -> None:
    draft = invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, currency="eur")
    session.commit()
    assert draft.currency == "EUR" and session.get(Organization, _ours(org)).currency == "EUR"
    invoices.do_issue(session, org["staff"], draft.id)
    session.commit()
    with pytest.raises(Invalid, match="still owes invoices in EUR") as err:
        invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, currency="USD")
    assert err.value.field == "currency"
    session.rollback()
    for bad in ("XYZ", "euro", ["EUR"], 7):
        with pytest.raises(Invalid) as err:
            invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, currency=bad)
        assert err.value.field == "currency"
        session.rollback()
    invoices.do_credit(session, org["staff"], draft.id, amount="360", reason="Cancelled order")
    invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, currency="USD")
    session.commit()
    assert session.get(Organization, _ours(org)).currency == "USD"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "org.currency_changed")).all()


def test_no_currency_change_while_a_service_renews_in_the_old_one(session, org) -> None:
    """Renewals invoice the price agreed, in its currency: the organisation
    keeps its currency until its services end."""
    from portal_app.models.catalogue import Product, Subscription
    from portal_app.services import subscriptions as subs
    plan = Product(name="Hosting", sku="CUR-HOST", kind="recurring", interval="month", currency="GBP",
                   unit_price=1000)
    session.add(plan)
    session.commit()
    sub = subs.do_start(session, org["staff"], _ours(org), plan.id, 1)
    for invoice in session.exec(select(Invoice).where(Invoice.org_id == _ours(org))).all():
        invoices.do_credit(session, org["staff"], invoice.id, amount=money.typed(invoice.total, "GBP"),
                           reason="Trial")
    session.commit()
    with pytest.raises(Invalid, match="has services billed in GBP") as err:
        invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, currency="USD")
    assert err.value.field == "currency"
    session.rollback()
    ended = session.get(Subscription, sub.id)
    ended.status = "cancelled"
    session.add(ended)
    session.commit()
    invoices.do_create_draft(session, org["staff"], _ours(org), lines=LINES, currency="USD")
    assert session.get(Organization, _ours(org)).currency == "USD"


@pytest.mark.postgres
def test_two_payments_of_the_whole_balance_at_once_pay_it_once(pg_migrated_url) -> None:
    from portal_app.db import make_engine

    engine = make_engine(pg_migrated_url)
    with Session(engine, expire_on_commit=False) as session:
        people = _people(session)
        invoice_id = _issued(session, people["staff"], _ours(people)).id
    results = at_once(engine, lambda s, n: payments.do_record_payment(s, people["staff"], invoice_id, amount="360",
                                                                      method="cash"), 2)
    outcomes = [r.message if isinstance(r, Invalid) else "paid" for r in results]
    with Session(engine) as session:
        invoice = session.get(Invoice, invoice_id)
        rows = session.exec(select(Payment).where(Payment.invoice_id == invoice_id)).all()
        assert (invoice.paid, invoice.status, len(rows)) == (36000, "paid", 1)
    engine.dispose()
    assert outcomes.count("paid") == 1
    assert [o for o in outcomes if o != "paid"][0].endswith("is paid in full already.")


def test_the_draft_chooser_finds_organisations_by_name(session, org) -> None:
    orgs, more = invoice_lists.staff_orgs(session, org["staff"])
    assert [name for _, name in orgs] == ["Ours", "Theirs"] and more is False
    assert invoice_lists.staff_orgs(session, org["staff"], "HEIR")[0] == [(org["theirs"].current.org_id, "Theirs")]
    assert invoice_lists.staff_orgs(session, org["staff"], "%")[0] == []
    for junk in (["x"], 7, "x" * 101):
        with pytest.raises(Invalid):
            invoice_lists.staff_orgs(session, org["staff"], junk)
    with pytest.raises(Forbidden):
        invoice_lists.staff_orgs(session, org["owner"])
    for n in range(invoice_lists.ORG_CHOICES):
        session.add(Organization(name=f"Bulk {n:03d}", slug=f"bulk-{n:03d}"))
    session.commit()
    orgs, more = invoice_lists.staff_orgs(session, org["staff"])
    assert len(orgs) == invoice_lists.ORG_CHOICES and more is True
