"""Reading quotes: the customer's and the staff's lists (paged on the
server, each row with its current version's figures in a constant number
of statements), the quote's page and the staff editor's form. Everything
reads through `quotes.visible_to`/`access_quote`; nothing here changes a
quote."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.models import Organization
from portal_app.models.catalogue import Product
from portal_app.models.orders import Order
from portal_app.models.quotes import Quote, QuoteVersion
from portal_app.services import catalogue, money
from portal_app.services.invoices import today
from portal_app.services.errors import Invalid
from portal_app.services.formatting import format_date, format_datetime, format_money
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal, require_role
from portal_app.services.validation import clean_text
from portal_app.services.quotes import (  # the domain's rules; this module only reads
    DECLINE_REASONS, MANAGERS, READERS, STAFF_STATUS_WORDS, STATUS_WORDS, access_quote, check_manage,
    current_version, label, lines_of, shown_status, staff_quote, visible_to,
)

PAGE_SIZE = 20
ORDER = Keys((Quote.created_at, Quote.id), descending=True)


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class QuoteRow:
    id: int
    label: str
    org_name: str
    title: str
    status: str
    status_word: str
    total: str
    valid_until: str
    version: int


def _row(session: Session, quote: Quote, version: QuoteVersion, org_name: str, staff: bool) -> QuoteRow:
    status = shown_status(quote, version)
    words = STAFF_STATUS_WORDS if staff else STATUS_WORDS
    return QuoteRow(quote.id, label(quote), org_name, quote.title, status, words[status],
                    format_money(version.total, quote.currency), format_date(version.valid_until), quote.version)


def _page(session: Session, stmt, page: object, cursor: object, *, staff: bool) -> Page:  # noqa: ANN001
    """One page of `stmt` (quotes, filtered), newest first, each with its current version's figures."""
    stmt = stmt.join(Organization, Organization.id == Quote.org_id).add_columns(Organization.name)
    result = paginate(session, stmt, page, PAGE_SIZE, keys=ORDER, cursor=cursor)
    ids = [row[0].id for row in result.rows]
    versions = {(v.quote_id, v.number): v for v in session.exec(
        select(QuoteVersion).where(QuoteVersion.quote_id.in_(ids))).all()} if ids else {}
    return result.mapped(lambda row: _row(session, row[0], versions[(row[0].id, row[0].version)], row[1], staff))


def list_for_org(session: Session, principal: Principal, org_id: object, *, page: object = 1,
                 cursor: object = None) -> Page:
    """One page of the organisation's sent and answered quotes, newest first
    (its owners, admins and billing members)."""
    require_role(principal, org_id, *READERS, to="see quotes")
    return _page(session, visible_to(principal).where(Quote.org_id == org_id), page, cursor, staff=False)


STAFF_FILTERS = {"": "All", "draft": "Drafts", "sent": "Sent", "changes_requested": "Changes requested",
                 "expired": "Expired", "accepted": "Accepted", "declined": "Declined"}
WAITING = ("sent", "changes_requested")  # past its current version's validity, either is "expired"


def list_all(session: Session, principal: Principal, *, status: object = "", org: object = "", page: object = 1,
             cursor: object = None) -> Page:
    """One page of every organisation's quotes for staff, newest first; `org` narrows by name."""
    principal.require_staff()
    if not isinstance(status, str) or status not in STAFF_FILTERS:
        raise Invalid("Choose a status from the list.", field="status")
    stmt = visible_to(principal)
    lapsed = select(QuoteVersion.id).where(QuoteVersion.quote_id == Quote.id, QuoteVersion.number == Quote.version,
                                           QuoteVersion.valid_until < today()).exists()
    if status == "expired":
        stmt = stmt.where(Quote.status.in_(WAITING), lapsed)
    elif status in WAITING:
        stmt = stmt.where(Quote.status == status, ~lapsed)  # as the list shows them: not the expired ones
    elif status:
        stmt = stmt.where(Quote.status == status)
    words = clean_text(org, field="org", label="Organisation", max_length=100, required=False)
    if words:
        stmt = stmt.where(Quote.org_id.in_(select(Organization.id).where(
            func.lower(Organization.name).contains(words.lower(), autoescape=True))))
    return _page(session, stmt, page, cursor, staff=True)


@dataclass(frozen=True)
class LineView:
    description: str
    quantity: str
    unit_price: str
    tax_rate: str
    discount: str
    net: str
    recurring: str  # "Monthly" / "Yearly" for a subscription line, else ""


@dataclass(frozen=True)
class VersionView:
    number: int
    sent: str
    valid_until: str
    total: str
    change_request: str
    current: bool


@dataclass(frozen=True)
class QuoteView:
    """One quote as its page and PDF show it: figures formatted, texts plain."""

    id: int
    org_id: int
    org_name: str
    label: str
    title: str
    status: str  # shown_status: expired included
    status_word: str
    version: int
    terms: str
    valid_until: str
    currency: str
    lines: list[LineView]
    subtotal: str
    tax: str
    total: str
    content_hash: str
    versions: list[VersionView]
    accepted_name: str
    accepted_at: str  # UTC
    accepted_ip: str
    accepted_hash: str
    accepted_version: int
    signature_png: bytes | None
    decline_reason: str
    decline_comment: str
    invoice_id: int
    order_id: int  # the order accepting made (0: none, or only services)
    may_answer: bool  # a customer who may accept, decline or ask for changes now
    may_manage: bool  # staff billing or admin


def quote_view(session: Session, principal: Principal, quote_id: object) -> QuoteView:
    """Everything the quote's page shows, for whoever may see it."""
    quote = access_quote(session, principal, quote_id)
    org = session.get(Organization, quote.org_id)
    version = current_version(session, quote)
    status = shown_status(quote, version)
    m = lambda amount: format_money(amount, quote.currency)  # noqa: E731
    rows = lines_of(session, version)
    product_ids = {line.product_id for line in rows if line.product_id}
    products = {p.id: p for p in session.exec(select(Product).where(Product.id.in_(product_ids))).all()} \
        if product_ids else {}
    versions = session.exec(select(QuoteVersion).where(QuoteVersion.quote_id == quote.id)
                            .order_by(QuoteVersion.number.desc())).all()
    if not principal.is_staff:
        versions = [v for v in versions if v.sent_at is not None]
    may_answer = (not principal.is_staff and status == "sent" and principal.role_in(quote.org_id) in READERS)
    return QuoteView(
        id=quote.id, org_id=quote.org_id, org_name=org.name if org else "", label=label(quote), title=quote.title,
        status=status, status_word=(STAFF_STATUS_WORDS if principal.is_staff else STATUS_WORDS)[status],
        version=quote.version, terms=version.terms, valid_until=format_date(version.valid_until),
        currency=quote.currency,
        lines=[LineView(line.description, money.typed_quantity(line.quantity), m(line.unit_price),
                        f"{money.typed_rate(line.tax_rate)} %",
                        f"{money.typed_rate(line.discount)} %" if line.discount else "", m(line.net),
                        catalogue.INTERVALS.get(products[line.product_id].interval, "")
                        if line.product_id in products and products[line.product_id].kind == "recurring" else "")
               for line in rows],
        subtotal=m(version.subtotal), tax=m(version.tax), total=m(version.total), content_hash=version.content_hash,
        versions=[VersionView(v.number, format_date(v.sent_at.date()) if v.sent_at else "not sent",
                              format_date(v.valid_until), m(v.total), v.change_request, v.number == quote.version)
                  for v in versions],
        accepted_name=quote.accepted_name,
        accepted_at=quote.accepted_at.strftime("%Y-%m-%d %H:%M:%S UTC") if quote.accepted_at else "",
        accepted_ip=quote.accepted_ip, accepted_hash=quote.accepted_hash,
        accepted_version=quote.accepted_version or 0, signature_png=quote.signature_png,
        decline_reason=DECLINE_REASONS.get(quote.decline_reason, ""), decline_comment=quote.decline_comment,
        invoice_id=quote.invoice_id or 0, may_answer=may_answer,
        order_id=session.exec(select(Order.id).where(Order.quote_id == quote.id)).first() or 0
        if quote.status == "accepted" else 0,
        may_manage=principal.staff_role in MANAGERS,
    )


@dataclass(frozen=True)
class DraftView:
    """A quote as the staff's editor fills its form (a draft, or the current
    version of a sent quote to revise)."""

    id: int
    org_id: int
    org_name: str
    label: str
    status: str
    currency: str
    title: str
    terms: str
    valid_until: str
    lines: list[dict[str, str]]


def draft_view(session: Session, principal: Principal, quote_id: object) -> DraftView:
    quote = staff_quote(session, principal, quote_id, "draft", "sent", "changes_requested")
    org = session.get(Organization, quote.org_id)
    version = current_version(session, quote)
    return DraftView(
        id=quote.id, org_id=quote.org_id, org_name=org.name if org else "", label=label(quote), status=quote.status,
        currency=quote.currency, title=quote.title, terms=version.terms, valid_until=version.valid_until.isoformat(),
        lines=[{"product_id": str(line.product_id or ""), "description": line.description,
                "quantity": money.typed_quantity(line.quantity), "unit_price": money.typed(line.unit_price,
                                                                                          quote.currency),
                "tax_rate": money.typed_rate(line.tax_rate), "discount": money.typed_rate(line.discount)}
               for line in lines_of(session, version)])


def products_for(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """(id, "name (SKU)") of the active products a quote line may name (staff)."""
    check_manage(principal)
    return [(str(p.id), f"{p.name} ({p.sku})") for p in
            session.exec(select(Product).where(Product.active).order_by(Product.name)).all()]


def accepted_when(quote: Quote) -> str:
    return format_datetime(quote.accepted_at) if quote.accepted_at else ""
