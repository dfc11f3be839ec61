"""Reading invoices in bulk: an organisation's list with its balance
summary (the customer's billing page and dashboard), and every
organisation's list for staff. Each page is two statements whatever the
data (services/paging.py) and the summary one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, select

from portal_app.models import Invoice, Organization
from portal_app.services.errors import Invalid
from portal_app.services.formatting import format_date, format_money
from portal_app.services.invoices import STATUS_WORDS, UNPAID, balance, check_read_org, label, today, visible_to
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_text
from portal_app.settings import get_settings

PAGE_SIZE = 20
ORG_FILTER_MAX = 100
# What the list can be narrowed to, as the filter offers it.
FILTERS = {
    "": ("All", None),
    "unpaid": ("Unpaid", Invoice.status.in_(UNPAID)),
    "overdue": ("Overdue", Invoice.status == "overdue"),
    "paid": ("Paid", Invoice.status == "paid"),
    "void": ("Void", Invoice.status == "void"),
    "credit_note": ("Credit notes", Invoice.kind == "credit_note"),
}
STAFF_FILTERS = {**FILTERS, "draft": ("Drafts", Invoice.status == "draft")}
ISSUED_ORDER = Keys((Invoice.issue_date, Invoice.id), descending=True)
CREATED_ORDER = Keys((Invoice.created_at, Invoice.id), descending=True)


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    label: str
    kind: str
    org_name: str
    status: str
    status_word: str
    issued: str
    due: str
    total: str
    balance: str


def _row(invoice: Invoice, org_name: str) -> InvoiceRow:
    return InvoiceRow(
        id=invoice.id, label=label(invoice), kind=invoice.kind, org_name=org_name, status=invoice.status,
        status_word="Credit note" if invoice.kind == "credit_note" else STATUS_WORDS[invoice.status],
        issued=format_date(invoice.issue_date) if invoice.issue_date else "",
        due=format_date(invoice.due_date) if invoice.due_date and invoice.kind == "invoice" else "",
        total=format_money(invoice.total, invoice.currency),
        balance=format_money(balance(invoice), invoice.currency) if invoice.kind == "invoice" else "",
    )


def _narrowed(stmt, status: object, filters: dict):  # noqa: ANN001, ANN202
    if status in ("", None):
        return stmt
    if not isinstance(status, str) or status not in filters:
        raise Invalid("Choose a status from the list.", field="status")
    return stmt.where(filters[status][1])


def list_for_org(session: Session, principal: Principal, org_id: object, *, status: object = "",
                 page: object = 1, cursor: object = None) -> Page:
    """One page of an organisation's invoices and credit notes, newest first."""
    check_read_org(session, principal, org_id)
    stmt = _narrowed(visible_to(principal).where(Invoice.org_id == org_id), status, FILTERS)
    result = paginate(session, stmt, page, PAGE_SIZE, keys=ISSUED_ORDER, cursor=cursor)
    return result.mapped(lambda invoice: _row(invoice, ""))


def list_all(session: Session, principal: Principal, *, status: object = "", org: object = "",
             page: object = 1, cursor: object = None) -> Page:
    """Every organisation's invoices for staff, drafts included, newest
    first; `org` narrows to organisations whose name contains it."""
    principal.require_staff()
    stmt = (visible_to(principal).join(Organization, Organization.id == Invoice.org_id)
            .add_columns(Organization.name))
    stmt = _narrowed(stmt, status, STAFF_FILTERS)
    words = clean_text(org, field="org", label="Organisation", max_length=ORG_FILTER_MAX, required=False)
    if words:
        stmt = stmt.where(func.lower(Organization.name).contains(words.lower(), autoescape=True))
    result = paginate(session, stmt, page, PAGE_SIZE, keys=CREATED_ORDER, cursor=cursor)
    return result.mapped(lambda row: _row(row[0], row[1]))


@dataclass(frozen=True)
class Summary:
    """What an organisation owes now, for its billing page and dashboard."""

    currency: str
    balance_due: int
    overdue: int
    unpaid_count: int
    next_due: date | None

    @property
    def shown(self) -> dict[str, str]:
        return {"balance_due": format_money(self.balance_due, self.currency),
                "overdue": format_money(self.overdue, self.currency), "unpaid_count": str(self.unpaid_count),
                "next_due": format_date(self.next_due) if self.next_due else "",
                "zero": format_money(0, self.currency)}


def summary(session: Session, principal: Principal, org_id: object) -> Summary:
    """The balance due, the overdue part, how many are unpaid and the next
    due date, in the organisation's currency (invoices in an earlier one are
    left out), in one statement: the dashboard shows it on every load."""
    check_read_org(session, principal, org_id)
    currency = func.coalesce(func.nullif(
        select(Organization.currency).where(Organization.id == org_id).scalar_subquery(), ""),
        get_settings().currency)
    owed = Invoice.total - Invoice.paid - Invoice.credited
    row = session.execute(
        visible_to(principal)
        .where(Invoice.org_id == org_id, Invoice.kind == "invoice", Invoice.status.in_(UNPAID),
               Invoice.currency == currency)
        .with_only_columns(
            func.coalesce(func.sum(owed), 0),
            func.coalesce(func.sum(case((Invoice.status == "overdue", owed), else_=0)), 0),
            func.count(),
            func.min(case((Invoice.due_date >= today(), Invoice.due_date), else_=None)),
            select(currency).scalar_subquery()),
    ).one()
    return Summary(row[4], int(row[0]), int(row[1]), int(row[2]), row[3])


ORG_CHOICES = 50  # organisations a draft's chooser lists at once: type to narrow it


def staff_orgs(session: Session, principal: Principal, words: object = "") -> tuple[list[tuple[int, str]], bool]:
    """Organisations to draft an invoice for (staff), by name: the first
    `ORG_CHOICES` whose name contains `words`, and whether there are more."""
    principal.require_staff()
    text = clean_text(words, field="org_search", label="Organisation", max_length=ORG_FILTER_MAX, required=False)
    stmt = select(Organization.id, Organization.name).order_by(Organization.name, Organization.id)
    if text:
        stmt = stmt.where(func.lower(Organization.name).contains(text.lower(), autoescape=True))
    rows = session.exec(stmt.limit(ORG_CHOICES + 1)).all()
    return [(org_id, name) for org_id, name in rows[:ORG_CHOICES]], len(rows) > ORG_CHOICES
