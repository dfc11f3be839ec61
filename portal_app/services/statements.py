"""The statement of account: an organisation's invoices, credit notes,
payments and refunds over a period, with the balance brought forward and
the balance after each entry, in the organisation's currency; on screen
(`statement`), as CSV (`statement_csv`) and as PDF (`statement_pdf`).

What counts: an issued invoice is a debit of its total on its issue date; a
credit note a credit of its total on its issue date; a payment a credit and
a refund a debit on the day the money moved. Drafts never show; a void
invoice is left out altogether (nothing can have been paid or credited on
it). Documents in an earlier currency of the organisation are left out, as
in the balance summary (`invoice_lists.summary`).

Cost: the same few SQL statements however many documents there are: one
aggregate for the opening balance, one query for the documents in the
period and one for the payments."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal_app.models import Invoice, Organization, Payment
from portal_app.services import invoices, money, paging
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.formatting import format_date, format_money
from portal_app.services.invoice_pdf import customer_lines
from portal_app.services.payments import METHODS
from portal_app.services.pdf import Document
from portal_app.services.principal import Principal

YEARS_MAX = 5
PAGE_SIZE = 100  # entries per screen page; the PDF and CSV hold them all
TYPE_WORDS = {"invoice": "Invoice", "credit_note": "Credit note", "payment": "Payment", "refund": "Refund"}
CSV_COLUMNS = ("date", "type", "number", "description", "debit", "credit", "balance", "currency")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
PDF_HEADINGS = ("Date", "Type", "Number", "Description", "Debit", "Credit", "Balance")
PDF_WIDTHS = (13, 11, 15, 25, 12, 12, 12)
PDF_ALIGN = ("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")


@dataclass(frozen=True)
class Entry:
    """One line of the statement; `balance` is the balance after it."""

    day: date
    kind: str  # invoice / credit_note / payment / refund
    number: str
    description: str
    debit: int
    credit: int
    balance: int
    invoice_id: int  # the document's page (a payment's invoice)

    @property
    def type_word(self) -> str:
        return TYPE_WORDS[self.kind]


@dataclass(frozen=True)
class Statement:
    org_id: int
    org_name: str
    customer: list[str]  # legal name, address, tax id
    currency: str
    since: date
    until: date
    opening: int
    entries: list[Entry]
    closing: int

    @property
    def debits(self) -> int:
        return sum(entry.debit for entry in self.entries)

    @property
    def credits(self) -> int:
        return sum(entry.credit for entry in self.entries)

    def money(self, amount: int) -> str:
        return format_money(amount, self.currency)

    @property
    def period(self) -> str:
        return f"{format_date(self.since)} to {format_date(self.until)}"


# ---------------------------------------------------------------- the period

def _day(value: object, *, field: str, label: str, default: date) -> date:
    if value in (None, ""):
        return default
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value.strip()) > 10:
        raise Invalid(f"Enter the {label} as a date, such as 2026-01-31.", field=field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"Enter the {label} as a date, such as 2026-01-31.", field=field) from None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period(since: object = None, until: object = None) -> tuple[date, date]:
    """The period as a form sends it ("2026-01-01", "" for the default):
    from the first of this month to today unless given; at most five years."""
    today = invoices.today()
    start = _day(since, field="since", label="start date", default=today.replace(day=1))
    end = _day(until, field="until", label="end date", default=today)
    if end < start:
        raise Invalid("The end date is before the start date.", field="until")
    if end > _years_after(start, YEARS_MAX):
        raise Invalid(f"Choose a period of at most {YEARS_MAX} years.", field="until")
    return start, end


# ---------------------------------------------------------------- the statement

def _sum(condition, amount):  # noqa: ANN001, ANN202
    return func.coalesce(func.sum(case((condition, amount), else_=0)), 0)


def statement(session: Session, principal: Principal, org_id: object, *, since: object = None,
              until: object = None) -> Statement:
    """The organisation's statement of account from `since` to `until`
    (inclusive) for a person who may read its invoices: its owners, admins
    and billing members (members where it allows), and every staff member
    (the back office answers "what do we owe?" on the phone)."""
    wanted = invoices.as_id(org_id)  # True is not organisation 1
    if wanted is None:
        raise NotFound("Organisation not found.")
    if principal.is_staff:
        principal.require_staff()
    else:
        invoices.check_read_org(session, principal, wanted)
    start, end = period(since, until)
    org = session.get(Organization, wanted)
    if org is None:
        raise NotFound("Organisation not found.")
    currency = invoices.org_currency(org)
    documents = invoices.visible_to(principal).where(
        Invoice.org_id == org.id, Invoice.currency == currency, Invoice.status.not_in(("draft", "void")))
    seen = documents.with_only_columns(Invoice.id)  # payments count on documents the person may see

    # The balance brought forward, in one statement: documents and money before `since`.
    is_invoice = Invoice.kind == "invoice"
    docs_before = documents.where(Invoice.issue_date < start).with_only_columns(
        _sum(is_invoice, Invoice.total) - _sum(~is_invoice, Invoice.total)).scalar_subquery()
    money_before = (select(_sum(Payment.kind == "refund", Payment.amount)
                           - _sum(Payment.kind == "payment", Payment.amount))
                    .where(Payment.org_id == org.id, Payment.currency == currency, Payment.received_on < start,
                           Payment.invoice_id.in_(seen)).scalar_subquery())
    opening = _opening(session, docs_before, money_before)

    credited = aliased(Invoice)  # the invoice a credit note credits, read with it
    # The columns the entries show, not whole rows: a year's statement has
    # thousands of entries, and building an ORM object for each cost several
    # times the query (bench/bench_invoices.py).
    in_period = (documents.where(Invoice.issue_date >= start, Invoice.issue_date <= end)
                 .outerjoin(credited, credited.id == Invoice.credit_for_id)
                 .with_only_columns(Invoice.id, Invoice.kind, Invoice.number, Invoice.issue_date, Invoice.due_date,
                                    Invoice.total, Invoice.memo, credited.number.label("credits")))
    rows: list[tuple[date, int, int, str, str, str, int, int, int]] = []
    due_words: dict[date, str] = {}  # several invoices a day share a due date: format each once
    for doc in session.execute(in_period).all():
        credits = doc.credits
        if doc.kind == "invoice":
            if doc.due_date and doc.due_date not in due_words:
                due_words[doc.due_date] = f"Due {format_date(doc.due_date)}"
            what = due_words.get(doc.due_date, "") if doc.due_date else ""
            rows.append((doc.issue_date, 0, doc.id, "invoice", invoices.label(doc), what, doc.total, 0, doc.id))
        else:
            what = ": ".join(part for part in (f"Credit for {credits}" if credits else "", doc.memo) if part)
            rows.append((doc.issue_date, 1, doc.id, "credit_note", invoices.label(doc), what, 0, doc.total, doc.id))
    payments = session.execute(
        select(Payment.id, Payment.kind, Payment.amount, Payment.method, Payment.reference, Payment.received_on,
               Payment.invoice_id, Invoice.number)
        .select_from(Payment).join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.org_id == org.id, Payment.currency == currency, Payment.received_on >= start,
               Payment.received_on <= end, Payment.invoice_id.in_(seen))).all()
    for payment in payments:
        number = payment.number
        refund = payment.kind == "refund"
        what = " · ".join(part for part in (METHODS.get(payment.method, payment.method), payment.reference) if part)
        rows.append((payment.received_on, 2, payment.id, payment.kind, number or "", what,
                     payment.amount if refund else 0, 0 if refund else payment.amount, payment.invoice_id))
    rows.sort(key=lambda row: row[:3])

    balance, entries = opening, []
    for day, _, _, kind, number, what, debit, credit, page in rows:
        balance += debit - credit
        entries.append(Entry(day, kind, number, what, debit, credit, balance, page))
    return Statement(org_id=org.id, org_name=org.name, customer=[line for line in customer_lines(org) if line],
                     currency=currency, since=start, until=end, opening=opening, entries=entries, closing=balance)


@dataclass(frozen=True)
class StatementPage:
    """One screen page of a statement: `entries.rows` are its part of the
    whole, `brought` the balance before its first entry (the opening
    balance on page 1), so each page reads on its own."""

    statement: Statement
    entries: paging.Page
    brought: int


def statement_page(session: Session, principal: Principal, org_id: object, *, since: object = None,
                   until: object = None, page: object = 1) -> StatementPage:
    """Page `page` (from 1; out of range means the nearest) of the statement
    for the screen: a busy account's year has thousands of entries, which
    the browser should not receive at once. The whole is still computed
    (a year of 18,676 entries in ~0.4 s, bench/bench_invoices.py): the
    running balance depends on every entry before the page."""
    result = statement(session, principal, org_id, since=since, until=until)
    total = len(result.entries)
    pages = max(1, -(-total // PAGE_SIZE))
    number = page if type(page) is int else 1  # noqa: E721 — True is an int too
    number = min(max(number, 1), pages)
    start = (number - 1) * PAGE_SIZE
    brought = result.entries[start - 1].balance if start else result.opening
    return StatementPage(result, paging.Page(result.entries[start:start + PAGE_SIZE], number, pages, total), brought)


def _opening(session: Session, docs_before, money_before) -> int:  # noqa: ANN001
    documents, payments = session.execute(select(docs_before, money_before)).one()
    return int(documents or 0) + int(payments or 0)


# ---------------------------------------------------------------- CSV and PDF

def _filename(result: Statement, extension: str) -> str:
    return f"statement-{result.since.isoformat()}-{result.until.isoformat()}.{extension}"


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula
    gets a leading apostrophe. Plain numbers (our amounts, "-12.50") stay
    numbers: they cannot be a formula."""
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def statement_csv(session: Session, principal: Principal, org_id: object, *, since: object = None,
                  until: object = None) -> tuple[str, bytes]:
    """(file name, UTF-8 CSV) of the statement: the opening balance, one row
    per entry, the closing balance; amounts as plain decimals ("12.50")
    with the currency in its own column."""
    result = statement(session, principal, org_id, since=since, until=until)
    typed = lambda amount: money.typed(amount, result.currency)  # noqa: E731
    amount = lambda value: typed(value) if value else ""  # noqa: E731
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = [(result.since.isoformat(), "Opening balance", "", "", "", "", typed(result.opening), result.currency)]
    rows += [(e.day.isoformat(), e.type_word, e.number, e.description, amount(e.debit), amount(e.credit),
              typed(e.balance), result.currency) for e in result.entries]
    rows.append((result.until.isoformat(), "Closing balance", "", "", typed(result.debits), typed(result.credits),
                 typed(result.closing), result.currency))
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return _filename(result, "csv"), out.getvalue().encode("utf-8-sig")  # the BOM: spreadsheets read UTF-8


def statement_pdf(session: Session, principal: Principal, org_id: object, *, since: object = None,
                  until: object = None) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the statement in the business's branding."""
    result = statement(session, principal, org_id, since=since, until=until)
    doc = Document("Statement of account")
    doc.branded_header("Statement of account", [("Period", result.period), ("Currency", result.currency)])
    doc.block("ACCOUNT", result.customer or [result.org_name])
    rows = [(format_date(result.since), "", "", "Balance brought forward", "", "", result.money(result.opening))]
    rows += [(format_date(e.day), e.type_word, e.number, e.description, result.money(e.debit) if e.debit else "",
              result.money(e.credit) if e.credit else "", result.money(e.balance)) for e in result.entries]
    doc.grid(PDF_HEADINGS, rows, widths=PDF_WIDTHS, align=PDF_ALIGN)
    doc.figures([("Opening balance", result.money(result.opening)), ("Debits", result.money(result.debits)),
                 ("Credits", result.money(result.credits)), ("Closing balance", result.money(result.closing))],
                strong=("Closing balance",))
    if not result.entries:
        doc.line_of("Nothing was invoiced, credited, paid or refunded in this period.", colour=(110, 110, 110))
    return _filename(result, "pdf"), doc.output_bytes()
