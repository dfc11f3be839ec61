"""Orders from the catalogue: who sees them, each person's cart, placing an
order, the staff's steps (confirm, ship, deliver, cancel), "order again",
and orders made from an accepted quote.

Who: on the customer's side the owners, admins and billing members of an
organisation (`invoices.READERS`) keep a cart, place orders, read them and
cancel their own while they are only placed; every staff member reads
every order; staff billing and admins (`invoices.MANAGERS`) confirm, ship,
deliver and cancel (before shipping). Another organisation's order is not
found, whatever the id.

Prices: the cart is priced with `catalogue.prices_for` (the one price
rule) each time it is shown and again, on the server, when the order is
placed; if the total differs from the one the customer was shown, the
order is refused ("Prices changed: review your cart") and the cart kept.
Only active one-off products in the organisation's invoicing currency go
in a cart; recurring ones are started from My services.

Stock: a tracked product's stock is taken with one conditional UPDATE
(`stock >= quantity`), so two orders placed at once never sell more than
there is; a cancelled order gives its stock back.

Statuses: placed -> confirmed (its invoice is issued then) -> shipped
(carrier, tracking number, an https tracking link) -> delivered; placed or
confirmed -> cancelled. Each step adds a timeline event, is audited,
notifies the organisation's billing people and reloads open pages (live
topic "orders"). Lists and the pages' views are in `order_lists.py`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import delete, false, update
from sqlmodel import Session, select

from portal_app import routes
from portal_app.models import Organization
from portal_app.models.base import utcnow
from portal_app.models.catalogue import Product
from portal_app.models.orders import CartItem, Order, OrderEvent, OrderLine
from portal_app.services import audit, catalogue, invoices, live, money, notifications
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.formatting import format_money
from portal_app.services.invoices import as_id, today
from portal_app.services.numbering import next_number
from portal_app.services.principal import Principal, require_role
from portal_app.services.validation import clean_multiline, clean_text

STATUSES = ("placed", "confirmed", "shipped", "delivered", "cancelled")
STATUS_WORDS = {"placed": "Placed", "confirmed": "Confirmed", "shipped": "Shipped", "delivered": "Delivered",
                "cancelled": "Cancelled"}
READERS = invoices.READERS  # customers who order, read and cancel their organisation's orders
MANAGERS = invoices.MANAGERS  # staff who confirm, ship, deliver and cancel
NOT_FOUND = "Order not found."
QUANTITY_MAX = 9999
CART_MAX = 100  # distinct products in a cart (an invoice's line limit)
PO_MAX = 100
ADDRESS_MAX = 1000
CARRIER_MAX = 100
TRACKING_MAX = 100
TRACKING_URL_MAX = 500
REASON_MAX = 500
PRICES_CHANGED = "Prices changed: review your cart before placing the order."
STAFF_NAME = "Our team"  # how staff appear on a customer's timeline


# ---------------------------------------------------------------- who sees what

def reader_orgs(principal: Principal) -> list[int]:
    return [m.org_id for m in principal.memberships if m.role in READERS]


def visible_to(principal: Principal):  # noqa: ANN201 — a Select of Order
    """Every order `principal` may see: staff all; customers their
    organisations' where they are an owner, admin or billing member."""
    principal.require_mfa_ready()
    stmt = select(Order)
    if principal.is_staff:
        return stmt
    orgs = reader_orgs(principal)
    return stmt.where(Order.org_id.in_(orgs)) if orgs else stmt.where(false())


def access_order(session: Session, principal: Principal, order_id: object) -> Order:
    """The order with that id, if `principal` may see it."""
    wanted = as_id(order_id)
    order = session.exec(visible_to(principal).where(Order.id == wanted)).first() if wanted else None
    if order is None:
        raise NotFound(NOT_FOUND)
    return order


def check_manage(principal: Principal) -> None:
    """Confirming, shipping, delivering: staff billing and admins."""
    principal.require_staff(*MANAGERS)


def check_read_org(principal: Principal, org_id: object) -> None:
    """A customer reading their organisation's orders (or their cart)."""
    require_role(principal, org_id, *READERS, to="see orders")


def check_order(principal: Principal, org_id: object) -> None:
    """A customer changing their cart or placing an order."""
    require_role(principal, org_id, *READERS, to="order", acting=True)


def lock(session: Session, order: Order) -> Order:
    """Hold the order's row until the action commits (two staff acting at once take turns)."""
    session.refresh(order, with_for_update=True)
    return order


# ---------------------------------------------------------------- the cart

def parse_quantity(value: object) -> int:
    """A whole number of units, 1 to QUANTITY_MAX (typed text or an int)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid("Enter the quantity as a whole number.", field="quantity")
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise Invalid("Enter the quantity as a whole number.", field="quantity")
    number = int(text)
    if not 1 <= number <= QUANTITY_MAX:
        raise Invalid(f"The quantity must be between 1 and {QUANTITY_MAX:,}.", field="quantity")
    return number


def unavailable(product: Product | None, currency: str) -> str:
    """Why a product cannot be ordered ("" when it can)."""
    if product is None or not product.active:
        return "is no longer available"
    if product.kind != "one_off":
        return "is a recurring service: start it from My services"
    if product.currency != currency:
        return f"is priced in {product.currency}, and your organisation is invoiced in {currency}"
    if product.stock == 0:
        return "is out of stock"
    return ""


def _orderable(session: Session, principal: Principal, org: Organization, product_id: object) -> Product:
    product = catalogue.access_product(session, principal, product_id)
    why = unavailable(product, invoices.org_currency(org))
    if why:
        raise Invalid(f"{product.name} {why}.", field="quantity")
    return product


def _in_stock(product: Product, quantity: int) -> None:
    if product.stock is not None and quantity > product.stock:
        raise Invalid(f"Only {product.stock:,} of {product.name} in stock.", field="quantity")


def cart_items(session: Session, principal: Principal, org_id: int) -> list[CartItem]:
    return list(session.exec(select(CartItem).where(CartItem.org_id == org_id, CartItem.user_id == principal.user_id)
                             .order_by(CartItem.added_at, CartItem.id)).all())


def _item(session: Session, principal: Principal, org_id: int, product_id: int) -> CartItem | None:
    return session.exec(select(CartItem).where(CartItem.org_id == org_id, CartItem.user_id == principal.user_id,
                                               CartItem.product_id == product_id)).first()


def _cart_changed(session: Session, principal: Principal) -> None:
    """The person's other tabs (their cart link and cart page) reload."""
    live.changed(session, live.person_key(principal.user_id, "orders"))


def add_to_cart(session: Session, principal: Principal, org_id: object, product_id: object,
                quantity: object = 1) -> CartItem:
    """Put `quantity` of a product in the person's cart (added to what is there)."""
    check_order(principal, org_id)
    org = session.get(Organization, org_id)
    product = _orderable(session, principal, org, product_id)
    count = parse_quantity(quantity)
    item = _item(session, principal, org.id, product.id)
    if item is None:
        if len(cart_items(session, principal, org.id)) >= CART_MAX:
            raise Invalid(f"A cart holds at most {CART_MAX} products: place an order first.", field="quantity")
        item = CartItem(org_id=org.id, user_id=principal.user_id, product_id=product.id, quantity=0)
    total = item.quantity + count
    if total > QUANTITY_MAX:
        raise Invalid(f"The quantity must be between 1 and {QUANTITY_MAX:,}.", field="quantity")
    _in_stock(product, total)
    item.quantity = total
    session.add(item)
    session.flush()
    _cart_changed(session, principal)
    return item


def set_quantity(session: Session, principal: Principal, org_id: object, product_id: object,
                 quantity: object) -> CartItem:
    """Change how many of a product in the cart."""
    check_order(principal, org_id)
    item = _item(session, principal, org_id, as_id(product_id) or 0)
    if item is None:
        raise NotFound("That product is not in your cart.")
    count = parse_quantity(quantity)
    product = session.get(Product, item.product_id)
    _in_stock(product, count)
    item.quantity = count
    session.add(item)
    _cart_changed(session, principal)
    return item


def remove_from_cart(session: Session, principal: Principal, org_id: object, product_id: object) -> None:
    check_order(principal, org_id)
    item = _item(session, principal, org_id, as_id(product_id) or 0)
    if item is None:
        raise NotFound("That product is not in your cart.")
    session.delete(item)
    _cart_changed(session, principal)


def cart_count(session: Session, principal: Principal, org_id: object) -> int:
    """How many products are in the person's cart (0 for those who cannot order)."""
    if principal.role_in(org_id) not in READERS:
        return 0
    return len(cart_items(session, principal, org_id))


def priced_cart(session: Session, principal: Principal, org: Organization):  # noqa: ANN201
    """[(item, product, unit price, net, tax, why not orderable)] and the
    totals (subtotal, tax, total) of the orderable ones, at today's prices."""
    items = cart_items(session, principal, org.id)
    products = {p.id: p for p in session.exec(select(Product).where(
        Product.id.in_([i.product_id for i in items]))).all()} if items else {}
    prices = catalogue.prices_for(session, org.id, list(products.values()))
    currency = invoices.org_currency(org)
    rows, subtotal, tax = [], 0, 0
    for item in items:
        product = products.get(item.product_id)
        why = unavailable(product, currency)
        if not why and product.stock is not None and item.quantity > product.stock:
            why = f"has only {product.stock:,} in stock"
        price = prices.get(item.product_id, 0)
        net, line_tax = money.line_amounts(item.quantity * money.QUANTITY_SCALE, price, product.tax_rate if product
                                           else 0)
        if not why:
            subtotal, tax = subtotal + net, tax + line_tax
        rows.append((item, product, price, net, line_tax, why))
    return rows, (subtotal, tax, subtotal + tax), currency


# ---------------------------------------------------------------- placing

def _number(session: Session) -> str:
    """ORD-2026-0001: gap-free per year, never given twice."""
    year = today().year
    return f"ORD-{year}-{next_number(session, f'ord-{year}'):04d}"


def take_stock(session: Session, product_id: int, units: int, name: str) -> None:
    """Take `units` of a tracked product's stock, only if there are that many
    (one conditional UPDATE: two orders at once never oversell)."""
    taken = session.execute(update(Product).where(Product.id == product_id, Product.stock.is_not(None),
                                                  Product.stock >= units)
                            .values(stock=Product.stock - units)).rowcount
    if taken:
        return
    left = session.exec(select(Product.stock).where(Product.id == product_id)).first()
    if left is not None:
        raise Invalid(f"Only {left:,} of {name} left in stock: change the quantity.", field="quantity")


def _take_line_stock(session: Session, lines: list[OrderLine]) -> None:
    tracked = {p.id: p for p in session.exec(select(Product).where(
        Product.id.in_([line.product_id for line in lines if line.product_id]), Product.stock.is_not(None))).all()}
    for line in lines:
        if line.product_id in tracked:
            take_stock(session, line.product_id, units(line.quantity), tracked[line.product_id].name)


def units(quantity: int) -> int:
    """Whole units of stock for a line's quantity in thousandths (rounded up)."""
    return -(-quantity // money.QUANTITY_SCALE)


def _actor_name(principal: Principal | None) -> str:
    if principal is None:
        return STAFF_NAME
    return STAFF_NAME if principal.is_staff else (principal.name or principal.email)


def _event(session: Session, order: Order, status: str, principal: Principal | None, note: str = "") -> None:
    session.add(OrderEvent(order_id=order.id, status=status, actor=_actor_name(principal)[:200], note=note[:1000]))


def _audit(session: Session, action: str, principal: Principal | None, order: Order, **details: object) -> None:
    audit.record(session, action, actor=principal, actor_label="" if principal else "Orders", org_id=order.org_id,
                 target_type="order", target_id=order.id, target_label=order.number, details=details)


def _tell(session: Session, order: Order, change: str) -> None:
    """Tell the organisation's billing people; reload open pages."""
    notifications.notify(session, invoices.billing_people(session, order.org_id),
                         notifications.EVENTS["order_changed"],
                         notifications.Target(routes.order_path(order.id), order.org_id),
                         facts={"order": order.number, "change": change})
    changed(session, order)


def changed(session: Session, order: Order) -> None:
    """Open pages showing the order (its page, the lists) reload once the action commits."""
    live.changed(session, live.staff_key("orders"), live.org_key(order.org_id, "orders"))


def _totals(order: Order, lines: list[OrderLine]) -> None:
    order.subtotal = sum(line.net for line in lines)
    order.tax = sum(line.tax for line in lines)
    order.total = order.subtotal + order.tax


def do_place(session: Session, principal: Principal, org_id: object, *, po_reference: object,
             delivery_address: object, expected_total: object) -> Order:
    """Place an order of everything in the person's cart at the
    organisation's prices now. `expected_total` is the total the page
    showed: if the prices have changed since, nothing is placed."""
    check_order(principal, org_id)
    org = session.get(Organization, org_id)
    po = clean_text(po_reference, field="po_reference", label="Purchase-order reference", max_length=PO_MAX,
                    required=False)
    address = clean_multiline(delivery_address, field="delivery_address", label="Delivery address",
                              max_length=ADDRESS_MAX)
    if not address:
        raise Invalid("Enter the delivery address.", field="delivery_address")
    if isinstance(expected_total, bool) or not isinstance(expected_total, int):
        raise Invalid(PRICES_CHANGED)
    rows, (subtotal, tax, total), currency = priced_cart(session, principal, org)
    if not rows:
        raise Invalid("Your cart is empty: add products from the catalogue first.")
    problems = [f"{product.name if product else 'A product'} {why}" for _, product, _, _, _, why in rows if why]
    if problems:
        raise Invalid("; ".join(problems)[:400] + ". Change or remove it in your cart.")
    if total != expected_total:
        raise Invalid(PRICES_CHANGED)
    order = Order(org_id=org.id, number=_number(session), status="placed", currency=currency, po_reference=po,
                  delivery_address=address, placed_by_id=principal.user_id)
    session.add(order)
    session.flush()
    lines = [OrderLine(order_id=order.id, product_id=product.id, description=product.name[:500],
                       quantity=item.quantity * money.QUANTITY_SCALE, unit_price=price, tax_rate=product.tax_rate,
                       net=net, tax=line_tax) for item, product, price, net, line_tax, _ in rows]
    session.add_all(lines)
    _totals(order, lines)
    _take_line_stock(session, lines)
    session.execute(delete(CartItem).where(CartItem.org_id == org.id, CartItem.user_id == principal.user_id))
    session.add(order)
    session.flush()
    _event(session, order, "placed", principal, f"PO {po}" if po else "")
    _audit(session, "order.placed", principal, order, total=format_money(order.total, currency),
           **({"po_reference": po} if po else {}))
    _tell(session, order, f"placed for {format_money(order.total, currency)}.")
    _cart_changed(session, principal)
    catalogue_changed(session)
    return order


def catalogue_changed(session: Session) -> None:
    """Stock moved: catalogue pages reload."""
    live.changed(session, live.staff_key("catalogue"))


def create_from_quote(session: Session, org_id: int, lines: list[dict], *, quote_id: int, invoice_id: int | None,
                      actor: Principal | None) -> Order:
    """A CONFIRMED order for organisation `org_id` from an accepted quote's
    lines, already priced: each {"product_id": int | None, "description",
    "quantity" (thousandths), "unit_price", "tax_rate", "discount"} (ints,
    minor units and basis points). The caller has checked access; the cart
    is not touched. Stock is taken as when an order is placed (refused with
    `Invalid` when short); the order gets its timeline event, audit event,
    notification and live signal. `actor` is who accepted (None: the system)."""
    org = session.get(Organization, org_id) if type(org_id) is int else None  # noqa: E721
    if org is None:
        raise NotFound("Organisation not found.")
    if not isinstance(lines, list) or not lines or len(lines) > CART_MAX or \
            not all(isinstance(line, dict) for line in lines):
        raise Invalid(f"An order has 1 to {CART_MAX} lines.")
    order = Order(org_id=org.id, number=_number(session), status="confirmed", currency=invoices.org_currency(org),
                  placed_by_id=actor.user_id if actor is not None else None,
                  quote_id=quote_id, invoice_id=invoice_id)
    session.add(order)
    session.flush()
    rows = []
    for line in lines:
        values = {name: line.get(name, 0) for name in ("quantity", "unit_price", "tax_rate", "discount")}
        whole = all(type(v) is int and v >= 0 for v in values.values())  # noqa: E721 — True is an int too
        if not whole or not 0 < values["quantity"] <= money.QUANTITY_MAX or values["unit_price"] > money.AMOUNT_MAX \
                or values["tax_rate"] > money.RATE_SCALE or values["discount"] > money.RATE_SCALE:
            raise Invalid("A quote line's quantity, price and rates must be whole numbers within their limits.")
        product_id = line.get("product_id")
        net, line_tax = money.line_amounts(values["quantity"], values["unit_price"], values["tax_rate"],
                                           values["discount"])
        known = product_id if type(product_id) is int else None  # noqa: E721 — True is an int too
        rows.append(OrderLine(order_id=order.id, product_id=known,
                              description=str(line.get("description", ""))[:500], net=net, tax=line_tax, **values))
    session.add_all(rows)
    _totals(order, rows)
    _take_line_stock(session, rows)
    session.add(order)
    session.flush()
    _event(session, order, "confirmed", actor, "From an accepted quote")
    _audit(session, "order.created_from_quote", actor, order, total=format_money(order.total, order.currency),
           quote=str(quote_id))
    _tell(session, order, f"confirmed from an accepted quote, {format_money(order.total, order.currency)}.")
    catalogue_changed(session)
    return order


# ---------------------------------------------------------------- the staff's steps

def _managed(session: Session, principal: Principal, order_id: object) -> Order:
    check_manage(principal)
    return lock(session, access_order(session, principal, order_id))


def _must_be(order: Order, *statuses: str, doing: str) -> None:
    if order.status not in statuses:
        raise Invalid(f"{order.number} is {STATUS_WORDS[order.status].lower()}: it cannot be {doing}.")


def _order_lines(session: Session, order: Order) -> list[OrderLine]:
    return list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all())


def do_confirm(session: Session, principal: Principal, order_id: object) -> Order:
    """Confirm a placed order and issue its invoice (linked on the order)."""
    order = _managed(session, principal, order_id)
    _must_be(order, "placed", doing="confirmed")
    lines = [{"description": line.description, "quantity": money.typed_quantity(line.quantity),
              "unit_price": money.typed(line.unit_price, order.currency),
              "tax_rate": money.typed_rate(line.tax_rate), "discount": money.typed_rate(line.discount)}
             for line in _order_lines(session, order)]
    memo = f"Order {order.number}" + (f", your reference {order.po_reference}" if order.po_reference else "")
    draft = invoices.do_create_draft(session, principal, order.org_id, lines=lines, memo=memo,
                                     currency=order.currency)
    invoice = invoices.do_issue(session, principal, draft.id)
    order.status, order.invoice_id, order.updated_at = "confirmed", invoice.id, utcnow()
    session.add(order)
    _event(session, order, "confirmed", principal, f"Invoice {invoice.number}")
    _audit(session, "order.confirmed", principal, order, invoice=invoice.number)
    _tell(session, order, f"confirmed; invoice {invoice.number} issued.")
    return order


def clean_tracking_url(value: object) -> str:
    """A tracking link: empty, or an https URL with a host (never javascript:, data: or http:)."""
    text = clean_text(value, field="tracking_url", label="Tracking link", max_length=TRACKING_URL_MAX,
                      required=False)
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname or " " in text or "@" in parts.netloc:
        raise Invalid("The tracking link must be an https:// address, such as https://carrier.example/track/123.",
                      field="tracking_url")
    return text


def do_ship(session: Session, principal: Principal, order_id: object, *, carrier: object,
            tracking_number: object = "", tracking_url: object = "") -> Order:
    """Mark a confirmed order shipped, with its carrier and tracking."""
    order = _managed(session, principal, order_id)
    _must_be(order, "confirmed", doing="shipped")
    order.carrier = clean_text(carrier, field="carrier", label="Carrier", max_length=CARRIER_MAX)
    order.tracking_number = clean_text(tracking_number, field="tracking_number", label="Tracking number",
                                       max_length=TRACKING_MAX, required=False)
    order.tracking_url = clean_tracking_url(tracking_url)
    order.status, order.updated_at = "shipped", utcnow()
    session.add(order)
    note = order.carrier + (f", tracking {order.tracking_number}" if order.tracking_number else "")
    _event(session, order, "shipped", principal, note)
    _audit(session, "order.shipped", principal, order, carrier=order.carrier,
           **({"tracking": order.tracking_number} if order.tracking_number else {}))
    _tell(session, order, f"shipped with {note}.")
    return order


def do_deliver(session: Session, principal: Principal, order_id: object) -> Order:
    """Mark a shipped order delivered."""
    order = _managed(session, principal, order_id)
    _must_be(order, "shipped", doing="marked delivered before it is shipped" if order.status in
             ("placed", "confirmed") else "marked delivered")
    order.status, order.updated_at = "delivered", utcnow()
    session.add(order)
    _event(session, order, "delivered", principal)
    _audit(session, "order.delivered", principal, order)
    _tell(session, order, "delivered.")
    return order


def do_cancel(session: Session, principal: Principal, order_id: object, *, reason: object) -> Order:
    """Cancel an order before it ships, with a reason; its stock goes back.
    Staff billing and admins cancel placed or confirmed orders (an unpaid
    invoice of it is voided); the organisation's owners, admins and billing
    members cancel their own while it is only placed."""
    order = access_order(session, principal, order_id)
    if principal.is_staff:
        check_manage(principal)
        allowed = ("placed", "confirmed")
    else:
        require_role(principal, order.org_id, *READERS, to="cancel orders", acting=True)
        allowed = ("placed",)
    order = lock(session, order)
    if order.status not in allowed:
        if order.status == "confirmed":
            raise Invalid(f"{order.number} is confirmed: ask us to cancel it.")
        _must_be(order, *allowed, doing="cancelled")
    why = clean_text(reason, field="reason", label="Reason", max_length=REASON_MAX)
    for line in _order_lines(session, order):
        if line.product_id is not None:
            session.execute(update(Product).where(Product.id == line.product_id, Product.stock.is_not(None))
                            .values(stock=Product.stock + units(line.quantity)))
    if order.invoice_id is not None:
        invoice = session.get(invoices.Invoice, order.invoice_id)
        if invoice is not None and invoice.status in invoices.UNPAID and not invoice.paid and not invoice.credited:
            invoices.do_void(session, principal, invoice.id, reason=f"Order {order.number} cancelled: {why}"[:500])
    order.status, order.cancel_reason, order.updated_at = "cancelled", why, utcnow()
    session.add(order)
    _event(session, order, "cancelled", principal, why)
    _audit(session, "order.cancelled", principal, order, reason=why)
    _tell(session, order, f"cancelled: {why}")
    catalogue_changed(session)
    return order


# ---------------------------------------------------------------- order again

def order_again(session: Session, principal: Principal, order_id: object) -> list[str]:
    """Put a past order's products in the person's cart, at today's prices
    (the cart shows them before anything is placed). Returns what was left
    out and why ("Router (no longer available)")."""
    order = access_order(session, principal, order_id)
    if principal.is_staff:
        raise NotFound(NOT_FOUND)
    check_order(principal, order.org_id)
    org = session.get(Organization, order.org_id)
    currency = invoices.org_currency(org)
    skipped: list[str] = []
    added = 0
    for line in _order_lines(session, order):
        product = session.get(Product, line.product_id) if line.product_id else None
        why = unavailable(product, currency)
        if why:
            skipped.append(f"{product.name if product else line.description} ({why})")
            continue
        item = _item(session, principal, org.id, product.id) or CartItem(
            org_id=org.id, user_id=principal.user_id, product_id=product.id, quantity=0)
        wanted = min(QUANTITY_MAX, item.quantity + units(line.quantity))
        if product.stock is not None and wanted > product.stock:
            skipped.append(f"{product.name} (only {product.stock:,} in stock: {product.stock:,} put in your cart)")
            wanted = product.stock
        item.quantity = wanted
        session.add(item)
        added += 1
    if not added:
        raise Invalid("Nothing from this order can be ordered now: " + "; ".join(skipped)[:400] + ".")
    session.flush()
    _cart_changed(session, principal)
    return skipped
