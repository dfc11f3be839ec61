"""The catalogue and customer price lists: products and plans, who reads
them, staff writing them, and the one rule for what an organisation pays.

Staff with the billing or admin role create, edit, archive and restore
products (never delete them: subscriptions and past orders point at them),
adjust stock, set an organisation's own price for a product and its
discount on the catalogue. Every staff member reads the whole catalogue;
a customer (any member role) reads the active products only, each at
their organisation's price.

**The price rule** (`price_for`, and `prices_for` for a page of products
without a query per product): the organisation's own price for the
product (`CustomerPrice`), else the catalogue price less the
organisation's `catalogue_discount` (basis points), rounded half away from
zero to the currency's minor unit, else the catalogue price. The discount
applies to the unit price, not to a usage price."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import false, func, or_
from sqlmodel import Session, select

from portal_app.models import Organization
from portal_app.models.base import utcnow
from portal_app.models.catalogue import CustomerPrice, Product, Subscription
from portal_app.services import audit, live, money
from portal_app.services.errors import Invalid, NotFound
from portal_app.services.formatting import format_money
from portal_app.services.organizations import access_organization
from portal_app.services.paging import Keys, Page, paginate
from portal_app.services.principal import ROLES, Principal, require_role
from portal_app.services.validation import clean_long_text, clean_text, contains_pattern
from portal_app.settings import get_settings

KINDS = {"one_off": "One-off", "recurring": "Recurring"}
INTERVALS = {"month": "Monthly", "year": "Yearly"}
MANAGERS = ("admin", "billing")  # staff who write the catalogue and the price lists
NOT_FOUND = "Product not found."
NAME_MAX = 120
SKU_MAX = 40
DESCRIPTION_MAX = 2000
USAGE_UNIT_MAX = 30
STOCK_MAX = 10**9
SEARCH_MAX = 100
PAGE_SIZE = 20
SKU_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SHOWN = {"active": ("Active", Product.active), "archived": ("Archived", ~Product.active), "": ("All", None)}
ORDER = Keys((Product.name, Product.id))
PRODUCT_FIELDS = ("name", "sku", "description", "kind", "interval", "currency", "unit_price", "tax_rate",
                  "usage_unit", "usage_unit_price", "pausable", "stock")


# ---------------------------------------------------------------- who sees what

def visible_to(principal: Principal):  # noqa: ANN201 — a Select of Product
    """Every product `principal` may read: staff all of them, a member of
    an organisation the active ones, anyone else none."""
    principal.require_mfa_ready()
    stmt = select(Product)
    if principal.is_staff:
        return stmt
    if not principal.memberships:
        return stmt.where(false())
    return stmt.where(Product.active)


def as_id(value: object) -> int | None:
    """An id as an int (states read a client's text with `event_id`): anything else is None."""
    if type(value) is int:  # noqa: E721 — True is an int too
        return value if 0 < value < 2**63 else None
    return None


def access_product(session: Session, principal: Principal, product_id: object) -> Product:
    """The product with that id, if `principal` may read it."""
    wanted = as_id(product_id)
    product = session.exec(visible_to(principal).where(Product.id == wanted)).first() if wanted else None
    if product is None:
        raise NotFound(NOT_FOUND)
    return product


def check_manage(principal: Principal) -> None:
    """Writing the catalogue and price lists: staff billing and admins."""
    principal.require_staff(*MANAGERS)


def check_read_org(principal: Principal, org_id: object) -> None:
    """A customer reading their organisation's catalogue: every member."""
    require_role(principal, org_id, *ROLES, to="see the catalogue")


# ---------------------------------------------------------------- the price rule

def discounted(unit_price: int, discount: int) -> int:
    """The unit price less a discount in basis points, rounded half away from zero."""
    return money.divide_half_up(unit_price * (money.RATE_SCALE - discount), money.RATE_SCALE)


def _discount(session: Session, org_id: int) -> int:
    return session.exec(select(Organization.catalogue_discount).where(Organization.id == org_id)).first() or 0


def price_for(session: Session, org_id: int, product: Product) -> int:
    """What the organisation pays per unit of `product` (THE rule: see the module's docstring)."""
    own = session.exec(select(CustomerPrice.unit_price).where(CustomerPrice.org_id == org_id,
                                                              CustomerPrice.product_id == product.id)).first()
    if own is not None:
        return own
    discount = _discount(session, org_id)
    return discounted(product.unit_price, discount) if discount else product.unit_price


def prices_for(session: Session, org_id: int, products: Sequence[Product]) -> dict[int, int]:
    """`price_for` of each product (by id), in two statements whatever the
    number of products: the organisation's own prices for them, and its discount."""
    ids = [p.id for p in products]
    own = dict(session.exec(select(CustomerPrice.product_id, CustomerPrice.unit_price).where(
        CustomerPrice.org_id == org_id, CustomerPrice.product_id.in_(ids))).all()) if ids else {}
    discount = _discount(session, org_id) if ids else 0
    return {p.id: own[p.id] if p.id in own else discounted(p.unit_price, discount) if discount else p.unit_price
            for p in products}


# ---------------------------------------------------------------- writing products

def _flag(value: object, *, field: str, label: str) -> bool:
    """A checkbox as forms send it ("on", or nothing) or a plain bool."""
    if value is None or value in ("", "off", "false", False):
        return False
    if value in ("on", "true", True):
        return True
    raise Invalid(f"{label}: choose yes or no.", field=field)


def _choice(value: object, choices: dict, *, field: str, label: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise Invalid(f"Choose {label} from the list.", field=field)
    return value


def clean_sku(value: object) -> str:
    """A SKU: lower-case letters, digits and single hyphens ("support-gold-m")."""
    sku = clean_text(value, field="sku", label="SKU", max_length=SKU_MAX).lower()
    if not SKU_PATTERN.fullmatch(sku):
        raise Invalid("A SKU may hold only letters, digits and single hyphens between them, such as "
                      "\u201csupport-gold-monthly\u201d.", field="sku")
    return sku


def parse_stock(value: object, *, required: bool = False) -> int | None:
    """Stock as typed: a whole number from 0, or "" for not tracked."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid("Enter the stock, a whole number from 0.", field="stock")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Invalid("Stock must be a whole number.", field="stock")
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,10}", text):
        raise Invalid("Stock must be a whole number from 0 (leave it empty not to track stock).", field="stock")
    stock = int(text)
    if stock > STOCK_MAX:
        raise Invalid("Stock is too large.", field="stock")
    return stock


def clean_product(session: Session, form: object, *, product_id: int | None = None) -> dict[str, object]:
    """The product's fields as typed (a form's dict of strings), checked; a
    SKU another product has is refused on its field."""
    if not isinstance(form, dict):
        raise Invalid("The form could not be read: reload the page and try again.")
    name = clean_text(form.get("name"), field="name", label="Name", max_length=NAME_MAX)
    sku = clean_sku(form.get("sku"))
    description = clean_long_text(form.get("description"), field="description", label="Description",
                                  max_length=DESCRIPTION_MAX, required=False)
    kind = _choice(form.get("kind") or "one_off", KINDS, field="kind", label="one-off or recurring")
    recurring = kind == "recurring"
    interval = _choice(form.get("interval") or "month", INTERVALS, field="interval",
                       label="how often it recurs") if recurring else ""
    currency = money.check_currency(form.get("currency") or get_settings().currency)
    unit_price = money.parse_amount(form.get("unit_price"), currency, field="unit_price", label="Unit price",
                                    allow_zero=True)
    tax_rate = money.parse_rate(form.get("tax_rate", ""), field="tax_rate", label="Tax rate")
    usage_unit = clean_text(form.get("usage_unit"), field="usage_unit", label="Usage unit",
                            max_length=USAGE_UNIT_MAX, required=False) if recurring else ""
    usage_price = form.get("usage_unit_price")
    usage_unit_price = 0
    if recurring and usage_unit:
        usage_unit_price = money.parse_amount(usage_price, currency, field="usage_unit_price",
                                              label="Usage price", allow_zero=True)
    elif recurring and isinstance(usage_price, str) and usage_price.strip():
        raise Invalid("Name the usage unit (such as GB) to charge per unit of it.", field="usage_unit")
    pausable = _flag(form.get("pausable"), field="pausable", label="Pausable") if recurring else False
    stock = None if recurring else parse_stock(form.get("stock"))
    taken = session.exec(select(Product.id).where(Product.sku == sku, Product.id != (product_id or 0))).first()
    if taken is not None:
        raise Invalid("Another product has this SKU: choose another.", field="sku")
    return {"name": name, "sku": sku, "description": description, "kind": kind, "interval": interval,
            "currency": currency, "unit_price": unit_price, "tax_rate": tax_rate, "usage_unit": usage_unit,
            "usage_unit_price": usage_unit_price, "pausable": pausable, "stock": stock}


def _publish(session: Session) -> None:
    """Every page showing the catalogue reloads (staff's, and each organisation's: a product is everyone's)."""
    live.changed(session, live.staff_key("catalogue"))


def _audit_product(session: Session, principal: Principal, action: str, product: Product, **details: object) -> None:
    audit.record(session, action, actor=principal, target_type="product", target_id=product.id,
                 target_label=product.name, details={"sku": product.sku, **details})


def do_create_product(session: Session, principal: Principal, form: object) -> Product:
    """Staff add a product to the catalogue (active at once)."""
    check_manage(principal)
    values = clean_product(session, form)
    product = Product(**values)
    session.add(product)
    session.flush()
    _audit_product(session, principal, "product.created", product,
                   price=format_money(product.unit_price, product.currency))
    _publish(session)
    return product


def do_update_product(session: Session, principal: Principal, product_id: object, form: object) -> Product:
    """Staff change a product. Its kind and currency stay while subscriptions use it."""
    check_manage(principal)
    product = access_product(session, principal, product_id)
    values = clean_product(session, form, product_id=product.id)
    if (values["kind"], values["currency"]) != (product.kind, product.currency) and _in_use(session, product.id):
        raise Invalid("Subscriptions use this product: its kind and currency cannot change. Archive it and add "
                      "a new one instead.", field="kind" if values["kind"] != product.kind else "currency")
    changed = sorted(name for name, value in values.items() if getattr(product, name) != value)
    if not changed:
        return product
    old_name = product.name
    for name, value in values.items():
        setattr(product, name, value)
    product.updated_at = utcnow()
    session.add(product)
    _audit_product(session, principal, "product.updated", product, fields=", ".join(changed),
                   **({"from": old_name} if old_name != product.name else {}))
    _publish(session)
    return product


def _in_use(session: Session, product_id: int) -> bool:
    return session.exec(select(Subscription.id).where(Subscription.product_id == product_id).limit(1)).first() \
        is not None


def do_set_active(session: Session, principal: Principal, product_id: object, *, active: object) -> Product:
    """Archive a product (customers no longer see it; subscriptions to it
    carry on) or restore it. Products are never deleted."""
    check_manage(principal)
    if not isinstance(active, bool):
        raise Invalid("Choose archive or restore.", field="active")
    product = access_product(session, principal, product_id)
    if product.active == active:
        return product
    product.active, product.updated_at = active, utcnow()
    session.add(product)
    _audit_product(session, principal, "product.restored" if active else "product.archived", product)
    _publish(session)
    return product


def do_set_stock(session: Session, principal: Principal, product_id: object, *, stock: object) -> Product:
    """Staff set a one-off product's stock ("" stops tracking it)."""
    check_manage(principal)
    product = access_product(session, principal, product_id)
    if product.kind != "one_off":
        raise Invalid("Only one-off products have stock.", field="stock")
    new = parse_stock(stock)
    if new == product.stock:
        return product
    old, product.stock, product.updated_at = product.stock, new, utcnow()
    session.add(product)
    _audit_product(session, principal, "product.stock_changed", product,
                   **{"from": "" if old is None else str(old), "to": "" if new is None else str(new)})
    _publish(session)
    return product


# ---------------------------------------------------------------- customer price lists

def _org(session: Session, principal: Principal, org_id: object) -> Organization:
    check_manage(principal)
    return access_organization(session, principal, org_id, back_office=True)


def _org_changed(session: Session, org_id: int) -> None:
    live.changed(session, live.staff_key("catalogue"), live.org_key(org_id, "catalogue"))


def do_set_discount(session: Session, principal: Principal, org_id: object, *, discount: object) -> Organization:
    """Staff set an organisation's discount on the catalogue (0 to 100 %)."""
    org = _org(session, principal, org_id)
    rate = money.parse_rate(discount, field="discount", label="Discount")
    if rate == org.catalogue_discount:
        return org
    old, org.catalogue_discount = org.catalogue_discount, rate
    session.add(org)
    audit.record(session, "org.catalogue_discount_changed", actor=principal, org_id=org.id,
                 target_type="organization", target_id=org.id, target_label=org.name,
                 details={"from": f"{money.typed_rate(old)} %", "to": f"{money.typed_rate(rate)} %"})
    _org_changed(session, org.id)
    return org


def do_set_price(session: Session, principal: Principal, org_id: object, product_id: object, *,
                 price: object) -> CustomerPrice:
    """Staff set an organisation's own price for a product (in the product's currency)."""
    org = _org(session, principal, org_id)
    product = access_product(session, principal, product_id)
    amount = money.parse_amount(price, product.currency, field="price", label="Price", allow_zero=True)
    row = session.exec(select(CustomerPrice).where(CustomerPrice.org_id == org.id,
                                                   CustomerPrice.product_id == product.id)).first()
    if row is not None and row.unit_price == amount:
        return row
    old = row.unit_price if row is not None else None
    if row is None:
        row = CustomerPrice(org_id=org.id, product_id=product.id, unit_price=amount)
    row.unit_price = amount
    session.add(row)
    session.flush()
    audit.record(session, "customer_price.set", actor=principal, org_id=org.id, target_type="product",
                 target_id=product.id, target_label=product.name,
                 details={"price": format_money(amount, product.currency),
                          **({"from": format_money(old, product.currency)} if old is not None else {})})
    _org_changed(session, org.id)
    return row


def do_remove_price(session: Session, principal: Principal, org_id: object, product_id: object) -> None:
    """Staff remove an organisation's own price: it pays the catalogue price (less its discount) again."""
    org = _org(session, principal, org_id)
    product = access_product(session, principal, product_id)
    row = session.exec(select(CustomerPrice).where(CustomerPrice.org_id == org.id,
                                                   CustomerPrice.product_id == product.id)).first()
    if row is None:
        raise NotFound("This organisation has no price of its own for this product.")
    session.delete(row)
    audit.record(session, "customer_price.removed", actor=principal, org_id=org.id, target_type="product",
                 target_id=product.id, target_label=product.name,
                 details={"price": format_money(row.unit_price, product.currency)})
    _org_changed(session, org.id)


# ---------------------------------------------------------------- reading

def describe_price(product: Product, amount: int) -> str:
    """"£49.00 a month", "£120.00" (one-off), with the usage price after it."""
    text = format_money(amount, product.currency)
    if product.kind == "recurring":
        text += " a month" if product.interval == "month" else " a year"
    return text


def usage_words(product: Product) -> str:
    if product.kind != "recurring" or not product.usage_unit:
        return ""
    return f"plus {format_money(product.usage_unit_price, product.currency)} per {product.usage_unit}"


def stock_words(product: Product) -> str:
    if product.kind != "one_off" or product.stock is None:
        return ""
    return "Out of stock" if product.stock == 0 else f"{product.stock:,} in stock"


@dataclass(frozen=True)
class CatalogueRow:
    """A product as a customer sees it, at their organisation's price."""

    id: int
    name: str
    sku: str
    description: str
    kind: str
    price: str  # theirs
    list_price: str  # the catalogue's; "" when theirs is the same
    usage: str
    stock: str


def catalogue_for(session: Session, principal: Principal, org_id: object, *, page: object = 1,
                  cursor: object = None) -> Page:
    """One page of the active products, by name, each at the organisation's
    price: four statements whatever the page (count, rows, own prices, discount)."""
    check_read_org(principal, org_id)
    result = paginate(session, visible_to(principal).where(Product.active), page, PAGE_SIZE, keys=ORDER,
                      cursor=cursor)
    prices = prices_for(session, org_id, result.rows)

    def row(product: Product) -> CatalogueRow:
        price = prices[product.id]
        return CatalogueRow(product.id, product.name, product.sku, product.description,
                            KINDS[product.kind] if product.kind == "one_off" else INTERVALS.get(product.interval, ""),
                            describe_price(product, price),
                            describe_price(product, product.unit_price) if price != product.unit_price else "",
                            usage_words(product), stock_words(product))

    return result.mapped(row)


@dataclass(frozen=True)
class ProductRow:
    """A product as staff list it."""

    id: int
    name: str
    sku: str
    kind: str
    price: str
    usage: str
    stock: str
    active: bool


def _staff_row(product: Product) -> ProductRow:
    kind = KINDS["one_off"] if product.kind == "one_off" else f"Recurring, {INTERVALS.get(product.interval, '').lower()}"
    return ProductRow(product.id, product.name, product.sku, kind, describe_price(product, product.unit_price),
                      usage_words(product), stock_words(product) or ("Not tracked" if product.kind == "one_off" else ""),
                      product.active)


def list_products(session: Session, principal: Principal, *, search: object = "", shown: object = "active",
                  page: object = 1, cursor: object = None) -> Page:
    """The catalogue for staff (every staff role reads it), by name; `search`
    matches a name or SKU, `shown` is active, archived or "" for all."""
    principal.require_staff()
    if not isinstance(shown, str) or shown not in SHOWN:
        raise Invalid("Choose active, archived or all.", field="shown")
    words = clean_text(search, field="search", label="Search", max_length=SEARCH_MAX, required=False)
    stmt = visible_to(principal)
    if SHOWN[shown][1] is not None:
        stmt = stmt.where(SHOWN[shown][1])
    if words:
        pattern = contains_pattern(words)
        stmt = stmt.where(or_(func.lower(Product.name).like(pattern, escape="\\"),
                              Product.sku.like(pattern, escape="\\")))
    return paginate(session, stmt, page, PAGE_SIZE, keys=ORDER, cursor=cursor).mapped(_staff_row)


def product_form(session: Session, principal: Principal, product_id: object) -> dict[str, str]:
    """A product's fields as its edit form shows them (staff billing and admins)."""
    check_manage(principal)
    p = access_product(session, principal, product_id)
    return {"id": str(p.id), "name": p.name, "sku": p.sku, "description": p.description, "kind": p.kind,
            "interval": p.interval or "month", "currency": p.currency,
            "unit_price": money.typed(p.unit_price, p.currency), "tax_rate": money.typed_rate(p.tax_rate),
            "usage_unit": p.usage_unit,
            "usage_unit_price": money.typed(p.usage_unit_price, p.currency) if p.usage_unit else "",
            "pausable": "on" if p.pausable else "", "stock": "" if p.stock is None else str(p.stock),
            "active": "yes" if p.active else ""}


@dataclass(frozen=True)
class OrgPriceRow:
    product_id: int
    name: str
    sku: str
    list_price: str
    price: str  # what the organisation pays
    own: str  # its own price, typed ("" when it has none)
    active: bool


@dataclass(frozen=True)
class OrgPrices:
    org_id: int
    org_name: str
    discount: str  # typed, "12.5"
    rows: list[OrgPriceRow]


OWN_PRICES_MAX = 500


def org_prices(session: Session, principal: Principal, org_id: object) -> OrgPrices:
    """An organisation's price list for staff: its discount and, for every
    product (at most OWN_PRICES_MAX, by name), the list price, its own price
    if any and what it pays. Three statements."""
    org = _org(session, principal, org_id)
    products = session.exec(visible_to(principal).order_by(Product.name, Product.id).limit(OWN_PRICES_MAX)).all()
    own = dict(session.exec(select(CustomerPrice.product_id, CustomerPrice.unit_price)
                            .where(CustomerPrice.org_id == org.id)).all())
    rows = []
    for p in products:
        price = own[p.id] if p.id in own else discounted(p.unit_price, org.catalogue_discount)
        rows.append(OrgPriceRow(p.id, p.name, p.sku, describe_price(p, p.unit_price), describe_price(p, price),
                                money.typed(own[p.id], p.currency) if p.id in own else "", p.active))
    return OrgPrices(org.id, org.name, money.typed_rate(org.catalogue_discount), rows)
