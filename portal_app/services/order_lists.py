"""Reading orders: an organisation's list, the staff's list of every
organisation's, one order's page (lines, totals, tracking, timeline) and
the cart as its page shows it. Each list page is two statements whatever
the data (services/paging.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal_app.models import Invoice, Organization
from portal_app.models.orders import Order, OrderEvent, OrderLine
from portal_app.services import catalogue, invoices, money
from portal_app.services.errors import Invalid
from portal_app.services.formatting import format_date, format_datetime, format_money
from portal_app.services.orders import (
    MANAGERS, READERS, STATUS_WORDS, access_order, check_read_org, priced_cart, visible_to,
)
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import Principal
from portal_app.services.validation import clean_text

PAGE_SIZE = 20
ORG_FILTER_MAX = 100
FILTERS = {"": ("All", None), **{key: (words, Order.status == key) for key, words in STATUS_WORDS.items()}}
ORDER_KEYS = Keys((Order.created_at, Order.id), descending=True)


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    org_name: str
    status: str
    status_word: str
    placed: str
    po_reference: str
    total: str


def _row(order: Order, org_name: str) -> OrderRow:
    return OrderRow(order.id, order.number, org_name, order.status, STATUS_WORDS[order.status],
                    format_date(order.created_at), order.po_reference, format_money(order.total, order.currency))


def _narrowed(stmt, status: object):  # noqa: ANN001, ANN202
    if status in ("", None):
        return stmt
    if not isinstance(status, str) or status not in FILTERS:
        raise Invalid("Choose a status from the list.", field="status")
    return stmt.where(FILTERS[status][1])


def list_for_org(session: Session, principal: Principal, org_id: object, *, status: object = "",
                 page: object = 1, cursor: object = None) -> Page:
    """One page of an organisation's orders, newest first."""
    check_read_org(principal, org_id)
    stmt = _narrowed(visible_to(principal).where(Order.org_id == org_id), status)
    return paginate(session, stmt, page, PAGE_SIZE, keys=ORDER_KEYS, cursor=cursor).mapped(lambda o: _row(o, ""))


def list_all(session: Session, principal: Principal, *, status: object = "", org: object = "",
             page: object = 1, cursor: object = None) -> Page:
    """Every organisation's orders for staff, newest first; `org` narrows
    to organisations whose name contains it."""
    principal.require_staff()
    stmt = visible_to(principal).join(Organization, Organization.id == Order.org_id).add_columns(Organization.name)
    stmt = _narrowed(stmt, status)
    words = clean_text(org, field="org", label="Organisation", max_length=ORG_FILTER_MAX, required=False)
    if words:
        stmt = stmt.where(func.lower(Organization.name).contains(words.lower(), autoescape=True))
    result = paginate(session, stmt, page, PAGE_SIZE, keys=ORDER_KEYS, cursor=cursor)
    return result.mapped(lambda row: _row(row[0], row[1]))


# ---------------------------------------------------------------- one order

@dataclass(frozen=True)
class LineView:
    product_id: int | None
    description: str
    quantity: str
    unit_price: str
    tax_rate: str
    net: str


@dataclass(frozen=True)
class StepView:
    status: str
    status_word: str
    when: str
    actor: str
    note: str


@dataclass(frozen=True)
class OrderView:
    """One order as its page shows it: figures formatted, texts plain."""

    id: int
    org_id: int
    org_name: str
    number: str
    status: str
    status_word: str
    placed: str
    po_reference: str
    delivery_address: str
    carrier: str
    tracking_number: str
    tracking_url: str
    cancel_reason: str
    lines: list[LineView]
    subtotal: str
    tax: str
    total: str
    timeline: list[StepView]
    invoice_id: int | None  # only when the person may see that invoice
    invoice_label: str
    may_manage: bool  # staff billing or admin: the staff's panel shows
    may_cancel: bool
    may_order_again: bool


def order_view(session: Session, principal: Principal, order_id: object) -> OrderView:
    """Everything the order's page shows, for whoever may see it."""
    order = access_order(session, principal, order_id)
    org = session.get(Organization, order.org_id)
    m = lambda amount: format_money(amount, order.currency)  # noqa: E731
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    steps = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)).all()
    invoice = None
    if order.invoice_id is not None:
        invoice = session.exec(invoices.visible_to(principal).where(Invoice.id == order.invoice_id)).first()
    staff = principal.is_staff
    manager = principal.staff_role in MANAGERS
    customer = principal.role_in(order.org_id) in READERS
    return OrderView(
        id=order.id, org_id=order.org_id, org_name=org.name if org else "", number=order.number,
        status=order.status, status_word=STATUS_WORDS[order.status], placed=format_date(order.created_at),
        po_reference=order.po_reference, delivery_address=order.delivery_address, carrier=order.carrier,
        tracking_number=order.tracking_number, tracking_url=order.tracking_url, cancel_reason=order.cancel_reason,
        lines=[LineView(line.product_id, line.description, money.typed_quantity(line.quantity), m(line.unit_price),
                        f"{money.typed_rate(line.tax_rate)} %", m(line.net)) for line in lines],
        subtotal=m(order.subtotal), tax=m(order.tax), total=m(order.total),
        timeline=[StepView(s.status, STATUS_WORDS.get(s.status, s.status), format_datetime(s.at), s.actor, s.note)
                  for s in steps],
        invoice_id=invoice.id if invoice is not None else None,
        invoice_label=invoices.label(invoice) if invoice is not None else "",
        may_manage=manager,
        may_cancel=(manager and order.status in ("placed", "confirmed")) or
                   (not staff and customer and order.status == "placed"),
        may_order_again=not staff and customer and any(line.product_id for line in lines),
    )


# ---------------------------------------------------------------- the cart

@dataclass(frozen=True)
class CartLine:
    product_id: int
    name: str
    sku: str
    quantity: int
    unit_price: str
    net: str
    stock: str
    problem: str  # why it cannot be ordered now ("" when it can)


@dataclass(frozen=True)
class CartView:
    lines: list[CartLine]
    subtotal: str
    tax: str
    total: str
    total_minor: int  # what "Place order" is checked against (kept on the server)
    currency: str
    address: str  # the organisation's address: the delivery address's default


def cart_view(session: Session, principal: Principal, org_id: object) -> CartView:
    """The person's cart at the organisation's prices today."""
    check_read_org(principal, org_id)
    org = session.get(Organization, org_id)
    rows, (subtotal, tax, total), currency = priced_cart(session, principal, org)
    m = lambda amount: format_money(amount, currency)  # noqa: E731
    lines = [CartLine(item.product_id, product.name if product else "A product", product.sku if product else "",
                      item.quantity, m(price), m(net), catalogue.stock_words(product) if product else "", why)
             for item, product, price, net, _tax, why in rows]
    return CartView(lines, m(subtotal), m(tax), m(total), total, currency, org.address or "")
