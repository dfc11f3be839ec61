"""Orders: the cart at the organisation's prices, placing (prices checked
again, stock taken once even when two orders race on PostgreSQL), the
staff's steps and the status rules, order again, orders made from a quote,
who sees and does what, and bad input."""

from __future__ import annotations

import pytest
import time_machine
from sqlmodel import Session, select

from portal_app.models import AuditEvent, Invoice, Notification, Organization
from portal_app.models.catalogue import CustomerPrice, Product
from portal_app.models.orders import CartItem, Order, OrderEvent, OrderLine
from portal_app.services import order_lists, orders
from portal_app.services.errors import Forbidden, Invalid, NotFound
from portal_app.services.principal import Principal
from tests.factories import at_once, ours_and_theirs, staff_admin, staff_member
from tests.permissions import Permission, StaffPermission, join, permission_tests, staff_permission_tests

ADDRESS = "1 Quay Street\nBristol BS1 4DJ"
WHEN = "2026-03-02 10:00Z"


def _product(session: Session, sku: str, *, price: int = 1000, kind: str = "one_off", tax: int = 0,
             stock: int | None = None, currency: str = "GBP", active: bool = True) -> int:
    product = Product(name=f"Item {sku}", sku=sku, kind=kind, interval="month" if kind == "recurring" else "",
                      currency=currency, unit_price=price, tax_rate=tax, stock=stock, active=active)
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
    people["widget"] = _product(session, "widget", tax=2000, stock=5)
    people["cable"] = _product(session, "cable", price=250)
    people["plan"] = _product(session, "plan", kind="recurring")
    people["euro"] = _product(session, "euro", currency="EUR")
    people["retired"] = _product(session, "retired", active=False)
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session) -> dict:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _place(session: Session, people: dict, who: str = "owner", items=(("widget", 2), ("cable", 3)),
           po: str = "PO-1") -> Order:
    actor = people[who]
    with time_machine.travel(WHEN, tick=False):
        for name, quantity in items:
            orders.add_to_cart(session, actor, _ours(people), people[name], quantity)
        shown = order_lists.cart_view(session, actor, _ours(people))
        order = orders.do_place(session, actor, _ours(people), po_reference=po, delivery_address=ADDRESS,
                                expected_total=shown.total_minor)
        session.commit()
    return order


def _stock(session: Session, product_id: int) -> int | None:
    session.expire_all()
    return session.get(Product, product_id).stock


# ---------------------------------------------------------------- the cart and placing

def test_the_cart_is_priced_and_placing_takes_stock_and_empties_it(session, org) -> None:
    orders.add_to_cart(session, org["owner"], _ours(org), org["widget"], "2")
    orders.add_to_cart(session, org["owner"], _ours(org), org["cable"], 3)
    session.commit()
    cart = order_lists.cart_view(session, org["owner"], _ours(org))
    assert [(line.name, line.quantity, line.unit_price, line.net, line.stock) for line in cart.lines] == [
        ("Item widget", 2, "£10.00", "£20.00", "5 in stock"), ("Item cable", 3, "£2.50", "£7.50", "")]
    assert (cart.subtotal, cart.tax, cart.total, cart.total_minor) == ("£27.50", "£4.00", "£31.50", 3150)
    assert orders.cart_count(session, org["owner"], _ours(org)) == 2
    assert orders.cart_count(session, org["billing"], _ours(org)) == 0  # a cart is one person's
    order = _place(session, org, items=())
    assert (order.number, order.status, order.total, order.po_reference) == ("ORD-2026-0001", "placed", 3150, "PO-1")
    assert order.delivery_address == ADDRESS
    assert _stock(session, org["widget"]) == 3
    assert session.exec(select(CartItem)).all() == []
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    assert [(line.description, line.quantity, line.unit_price, line.net, line.tax) for line in lines] == [
        ("Item widget", 2000, 1000, 2000, 400), ("Item cable", 3000, 250, 750, 0)]
    assert [e.status for e in session.exec(select(OrderEvent)).all()] == ["placed"]
    told = set(session.exec(select(Notification.user_id).where(Notification.event == "order_changed")).all())
    assert told == {org["owner"].user_id, org["billing"].user_id}
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "order.placed")).one().org_id == _ours(org)
    assert _place(session, org, items=(("cable", 1),)).number == "ORD-2026-0002"


def test_the_cart_uses_the_organisations_own_price(session, org) -> None:
    session.add(CustomerPrice(org_id=_ours(org), product_id=org["cable"], unit_price=200))
    ours = session.get(Organization, _ours(org))
    ours.catalogue_discount = 1000
    session.add(ours)
    session.commit()
    orders.add_to_cart(session, org["owner"], _ours(org), org["cable"], 1)
    orders.add_to_cart(session, org["owner"], _ours(org), org["widget"], 1)
    cart = order_lists.cart_view(session, org["owner"], _ours(org))
    assert [line.unit_price for line in cart.lines] == ["£2.00", "£9.00"]


def test_changed_prices_refuse_the_order_and_keep_the_cart(session, org) -> None:
    orders.add_to_cart(session, org["owner"], _ours(org), org["cable"], 2)
    shown = order_lists.cart_view(session, org["owner"], _ours(org)).total_minor
    session.get(Product, org["cable"]).unit_price = 300
    session.commit()
    with pytest.raises(Invalid, match="(?i)prices changed: review your cart"):
        orders.do_place(session, org["owner"], _ours(org), po_reference="", delivery_address=ADDRESS,
                        expected_total=shown)
    session.rollback()
    assert session.exec(select(Order)).all() == []
    assert orders.cart_count(session, org["owner"], _ours(org)) == 1
    for bogus in ("500", 5.0, None, True):
        with pytest.raises(Invalid, match="(?i)prices changed"):
            orders.do_place(session, org["owner"], _ours(org), po_reference="", delivery_address=ADDRESS,
                            expected_total=bogus)
        session.rollback()


@pytest.mark.parametrize("product, quantity, error, message", [
    ("plan", 1, Invalid, "My services"), ("euro", 1, Invalid, "priced in EUR"), ("retired", 1, NotFound, "Product not found"),
    ("widget", 6, Invalid, "Only 5"), ("cable", 0, Invalid, "between 1 and"), ("cable", 10_000, Invalid, "between"),
    ("cable", "1.5", Invalid, "whole number"), ("cable", True, Invalid, "whole number"),
    ("cable", None, Invalid, "whole number"), ("cable", "9" * 30, Invalid, "whole number"),
    ("cable", "<b>2</b>", Invalid, "whole number"),
])
def test_what_cannot_go_in_a_cart(session, org, product, quantity, error, message) -> None:
    with pytest.raises(error, match=message):
        orders.add_to_cart(session, org["owner"], _ours(org), org[product], quantity)
    session.rollback()
    assert session.exec(select(CartItem)).all() == []


def test_an_empty_cart_places_nothing(session, org) -> None:
    with pytest.raises(Invalid, match="cart is empty"):
        orders.do_place(session, org["owner"], _ours(org), po_reference="", delivery_address=ADDRESS,
                        expected_total=0)


def test_quantities_change_and_items_go(session, org) -> None:
    orders.add_to_cart(session, org["owner"], _ours(org), org["widget"], 1)
    orders.set_quantity(session, org["owner"], _ours(org), org["widget"], "4")
    with pytest.raises(Invalid, match="Only 5"):
        orders.set_quantity(session, org["owner"], _ours(org), org["widget"], 6)
    with pytest.raises(NotFound):
        orders.set_quantity(session, org["owner"], _ours(org), org["cable"], 1)
    assert order_lists.cart_view(session, org["owner"], _ours(org)).lines[0].quantity == 4
    orders.remove_from_cart(session, org["owner"], _ours(org), org["widget"])
    with pytest.raises(NotFound):
        orders.remove_from_cart(session, org["owner"], _ours(org), org["widget"])
    assert orders.cart_count(session, org["owner"], _ours(org)) == 0


def test_stock_never_goes_below_zero(session, org) -> None:
    orders.add_to_cart(session, org["billing"], _ours(org), org["widget"], 4)
    session.commit()
    _place(session, org, items=(("widget", 4),))
    assert _stock(session, org["widget"]) == 1
    shown = order_lists.cart_view(session, org["billing"], _ours(org))
    assert shown.lines[0].problem == "has only 1 in stock"
    with pytest.raises(Invalid, match="only 1 in stock"):
        orders.do_place(session, org["billing"], _ours(org), po_reference="", delivery_address=ADDRESS,
                        expected_total=shown.total_minor)
    session.rollback()
    assert _stock(session, org["widget"]) == 1
    assert orders.cart_count(session, org["billing"], _ours(org)) == 1


def test_take_stock_refuses_more_than_there_is(session, org) -> None:
    with pytest.raises(Invalid, match="Only 5"):
        orders.take_stock(session, org["widget"], 6, "Item widget")
    orders.take_stock(session, org["cable"], 10**6, "Item cable")  # not tracked: nothing to take
    assert _stock(session, org["cable"]) is None


@pytest.mark.postgres
def test_two_orders_at_once_never_oversell(pg_migrated_url) -> None:
    from portal_app.db import make_engine

    engine = make_engine(pg_migrated_url)
    with Session(engine, expire_on_commit=False) as session:
        people = _people(session)
        totals = {}
        for who in ("owner", "billing"):
            orders.add_to_cart(session, people[who], _ours(people), people["widget"], 3)
            session.commit()
            totals[who] = order_lists.cart_view(session, people[who], _ours(people)).total_minor
    who = ("owner", "billing")
    results = at_once(engine, lambda s, n: orders.do_place(
        s, people[who[n]], _ours(people), po_reference="", delivery_address=ADDRESS,
        expected_total=totals[who[n]]).number, 2)
    with Session(engine) as session:
        placed = session.exec(select(Order)).all()
        stock = session.get(Product, people["widget"]).stock
    engine.dispose()
    assert len(placed) == 1 and stock == 2
    assert sorted(type(r).__name__ for r in results) == ["Invalid", "str"]


# ---------------------------------------------------------------- the staff's steps and the status rules

def test_confirm_ship_deliver(session, org) -> None:
    order = _place(session, org)
    with time_machine.travel(WHEN, tick=False):
        orders.do_confirm(session, org["staff"], order.id)
        session.commit()
    invoice = session.get(Invoice, order.invoice_id)
    assert (order.status, invoice.status, invoice.total, invoice.number) == ("confirmed", "open", 3150,
                                                                              "INV-2026-0001")
    with pytest.raises(Invalid, match="cannot be confirmed"):
        orders.do_confirm(session, org["staff"], order.id)
    orders.do_ship(session, org["staff"], order.id, carrier="Royal Mail", tracking_number="RM123",
                   tracking_url="https://track.example/RM123")
    session.commit()
    assert (order.status, order.carrier, order.tracking_url) == ("shipped", "Royal Mail", "https://track.example/RM123")
    orders.do_deliver(session, org["staff"], order.id)
    session.commit()
    view = order_lists.order_view(session, org["owner"], order.id)
    assert [s.status for s in view.timeline] == ["placed", "confirmed", "shipped", "delivered"]
    assert view.timeline[0].actor == "Olive Owner" and view.timeline[1].actor == "Our team"
    assert (view.invoice_id, view.invoice_label, view.may_cancel, view.may_order_again) == (
        invoice.id, "INV-2026-0001", False, True)
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.target_type == "order")).all()
    assert sorted(actions) == ["order.confirmed", "order.delivered", "order.placed", "order.shipped"]
    assert len(session.exec(select(Notification).where(Notification.event == "order_changed",
                                                       Notification.user_id == org["owner"].user_id)).all()) == 4


def test_the_status_rules(session, org) -> None:
    order = _place(session, org)
    with pytest.raises(Invalid, match="cannot be shipped"):
        orders.do_ship(session, org["staff"], order.id, carrier="DHL")
    with pytest.raises(Invalid, match="before it is shipped"):
        orders.do_deliver(session, org["staff"], order.id)
    orders.do_confirm(session, org["staff"], order.id)
    with pytest.raises(Invalid, match="ask us to cancel"):
        orders.do_cancel(session, org["owner"], order.id, reason="Changed my mind")
    orders.do_ship(session, org["staff"], order.id, carrier="DHL")
    session.commit()
    with pytest.raises(Invalid, match="cannot be cancelled"):
        orders.do_cancel(session, org["staff"], order.id, reason="Too late")
    other = _place(session, org, items=(("cable", 1),))
    orders.do_cancel(session, org["staff"], other.id, reason="Out of range")
    session.commit()
    with pytest.raises(Invalid, match="cannot be shipped"):
        orders.do_ship(session, org["staff"], other.id, carrier="DHL")
    with pytest.raises(Invalid, match="cannot be confirmed"):
        orders.do_confirm(session, org["staff"], other.id)


def test_a_customer_cancels_a_placed_order_and_the_stock_comes_back(session, org) -> None:
    order = _place(session, org)
    assert _stock(session, org["widget"]) == 3
    assert order_lists.order_view(session, org["billing"], order.id).may_cancel
    with pytest.raises(Invalid, match="Reason is required"):
        orders.do_cancel(session, org["billing"], order.id, reason="  ")
    orders.do_cancel(session, org["billing"], order.id, reason="Ordered twice")
    session.commit()
    assert (order.status, order.cancel_reason, _stock(session, org["widget"])) == ("cancelled", "Ordered twice", 5)


def test_staff_cancelling_a_confirmed_order_voids_its_invoice(session, org) -> None:
    order = _place(session, org)
    orders.do_confirm(session, org["staff"], order.id)
    orders.do_cancel(session, org["staff"], order.id, reason="Supplier discontinued it")
    session.commit()
    assert session.get(Invoice, order.invoice_id).status == "void"
    assert _stock(session, org["widget"]) == 5


@pytest.mark.parametrize("field, value, message", [
    ("carrier", "", "Carrier is required"), ("carrier", "x" * 101, "at most 100"), ("carrier", 7, "must be text"),
    ("carrier", "DHL\nExpress", "single line"), ("tracking_number", "x" * 101, "at most 100"),
    ("tracking_url", "javascript:alert(1)", "https://"), ("tracking_url", "http://track.example/1", "https://"),
    ("tracking_url", "https://", "https://"), ("tracking_url", "data:text/html,<script>", "https://"),
    ("tracking_url", "https://user:pw@evil.example/", "https://"), ("tracking_url", ["https://x.example"], "text"),
    ("tracking_url", "https://x.example/" + "a" * 500, "at most 500"),
])
def test_bad_shipping_details_are_refused(session, org, field, value, message) -> None:
    order = _place(session, org)
    orders.do_confirm(session, org["staff"], order.id)
    session.commit()
    values = {"carrier": "DHL", "tracking_number": "", "tracking_url": "", field: value}
    with pytest.raises(Invalid, match=message) as err:
        orders.do_ship(session, org["staff"], order.id, **values)
    assert err.value.field == field
    session.rollback()
    assert session.get(Order, order.id).status == "confirmed"


@pytest.mark.parametrize("field, value, message", [
    ("po_reference", "x" * 101, "at most 100"), ("po_reference", 5, "must be text"),
    ("po_reference", "PO\n1", "single line"), ("delivery_address", "", "Enter the delivery address"),
    ("delivery_address", "x" * 1001, "at most 1000"), ("delivery_address", {"a": 1}, "must be text"),
    ("delivery_address", "\n".join("line" for _ in range(11)), "at most 10 lines"),
])
def test_bad_order_details_are_refused(session, org, field, value, message) -> None:
    orders.add_to_cart(session, org["owner"], _ours(org), org["cable"], 1)
    values = {"po_reference": "", "delivery_address": ADDRESS, field: value}
    with pytest.raises(Invalid, match=message) as err:
        orders.do_place(session, org["owner"], _ours(org), expected_total=250, **values)
    assert err.value.field == field


def test_hostile_html_is_kept_as_the_text_it_is(session, org) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    orders.add_to_cart(session, org["owner"], _ours(org), org["cable"], 1)
    order = orders.do_place(session, org["owner"], _ours(org), po_reference=hostile,
                            delivery_address=f"{hostile}\n<script>alert(2)</script>", expected_total=250)
    orders.do_confirm(session, org["staff"], order.id)
    orders.do_ship(session, org["staff"], order.id, carrier=hostile)
    session.commit()
    view = order_lists.order_view(session, org["owner"], order.id)
    assert (view.po_reference, view.carrier) == (hostile, hostile)
    assert view.delivery_address == f"{hostile}\n<script>alert(2)</script>"


# ---------------------------------------------------------------- order again

def test_order_again_uses_todays_prices_and_skips_what_is_gone(session, org) -> None:
    gone = _product(session, "gone", price=500)
    session.commit()
    order = _place(session, org, items=(("widget", 1), ("cable", 2), ("retired", 0)) [:2] + ())
    orders.add_to_cart(session, org["owner"], _ours(org), gone, 1)
    old = _place(session, org, items=())
    session.get(Product, org["cable"]).unit_price = 400
    session.get(Product, gone).active = False
    session.commit()
    assert orders.order_again(session, org["owner"], order.id) == []
    session.commit()
    cart = order_lists.cart_view(session, org["owner"], _ours(org))
    assert [(line.name, line.quantity, line.unit_price) for line in cart.lines] == [
        ("Item widget", 1, "£10.00"), ("Item cable", 2, "£4.00")]
    with pytest.raises(Invalid, match="Item gone \\(is no longer available\\)"):
        orders.order_again(session, org["owner"], old.id)
    session.rollback()
    session.get(Product, org["widget"]).stock = 0
    session.commit()
    skipped = orders.order_again(session, org["billing"], order.id)
    assert skipped == ["Item widget (is out of stock)"]


def test_order_again_is_the_customers_path_only(session, org) -> None:
    order = _place(session, org)
    for who in ("staff", "theirs", "member"):
        with pytest.raises(NotFound):
            orders.order_again(session, org[who], order.id)


# ---------------------------------------------------------------- made from a quote

def test_create_from_quote_makes_a_confirmed_order_without_the_cart(session, org) -> None:
    orders.add_to_cart(session, org["owner"], _ours(org), org["cable"], 1)
    session.commit()
    with time_machine.travel(WHEN, tick=False):
        order = orders.create_from_quote(session, _ours(org), [
            {"product_id": org["widget"], "description": "Widget, as quoted", "quantity": 2000, "unit_price": 900,
             "tax_rate": 2000, "discount": 1000},
            {"product_id": None, "description": "Installation", "quantity": 1500, "unit_price": 4000,
             "tax_rate": 0, "discount": 0}], quote_id=7, invoice_id=None, actor=org["owner"])
        session.commit()
    assert (order.status, order.quote_id, order.number, order.placed_by_id) == (
        "confirmed", 7, "ORD-2026-0001", org["owner"].user_id)
    assert (order.subtotal, order.tax, order.total) == (1620 + 6000, 324, 7944)
    assert _stock(session, org["widget"]) == 3
    assert orders.cart_count(session, org["owner"], _ours(org)) == 1
    assert [e.status for e in session.exec(select(OrderEvent)).all()] == ["confirmed"]
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "order.created_from_quote")).one()
    assert order_lists.order_view(session, org["billing"], order.id).may_cancel is False


@pytest.mark.parametrize("lines, error", [
    ([], Invalid), ([{"product_id": None, "description": "x", "quantity": "1", "unit_price": 1, "tax_rate": 0,
                      "discount": 0}], Invalid),
    ([{"product_id": None, "description": "x", "quantity": 0, "unit_price": 1, "tax_rate": 0, "discount": 0}],
     Invalid),
    ([{"product_id": 1, "description": "x", "quantity": 6000, "unit_price": 1, "tax_rate": 0, "discount": 0}],
     Invalid),  # product 1 is the widget: 5 in stock
    ([{"product_id": None, "description": "x", "quantity": 1000, "unit_price": 1, "tax_rate": 10_001,
       "discount": 0}], Invalid),
    ([{"product_id": None, "description": "x", "quantity": 1000, "unit_price": 1, "tax_rate": 0,
       "discount": True}], Invalid),
    (["not a line"], Invalid), ("lines", Invalid),
])
def test_create_from_quote_refuses_bad_lines(session, org, lines, error) -> None:
    assert org["widget"] == 1
    with pytest.raises(error):
        orders.create_from_quote(session, _ours(org), lines, quote_id=1, invoice_id=None, actor=None)
    with pytest.raises(NotFound):
        orders.create_from_quote(session, 10**6, [], quote_id=1, invoice_id=None, actor=None)


# ---------------------------------------------------------------- who sees and does what

def test_other_organisations_and_members_see_nothing(session, org) -> None:
    order = _place(session, org)
    for who in ("theirs", "member"):
        with pytest.raises(NotFound):
            order_lists.order_view(session, org[who], order.id)
        with pytest.raises(NotFound):
            orders.do_cancel(session, org[who], order.id, reason="x")
    with pytest.raises(NotFound):
        order_lists.cart_view(session, org["theirs"], _ours(org))
    with pytest.raises(NotFound):
        orders.add_to_cart(session, org["theirs"], _ours(org), org["cable"], 1)
    with pytest.raises(Forbidden):
        orders.add_to_cart(session, org["member"], _ours(org), org["cable"], 1)
    assert order_lists.list_for_org(session, org["theirs"], org["theirs"].current.org_id).rows == []
    assert [r.id for r in order_lists.list_all(session, org["agent"]).rows] == [order.id]
    assert [r.id for r in order_lists.list_all(session, org["agent"], org="theirs").rows] == []
    with pytest.raises(Forbidden):
        orders.do_confirm(session, org["agent"], order.id)
    with pytest.raises(Invalid):
        order_lists.list_all(session, org["agent"], status="<b>")


def _org_with_product(session: Session, owner: Principal) -> int:
    if session.exec(select(Product).where(Product.sku == "perm-item")).first() is None:
        _product(session, "perm-item", price=700)
    return owner.current.org_id


def _perm_product(session: Session) -> int:
    return session.exec(select(Product.id).where(Product.sku == "perm-item")).one()


def _place_one(session: Session, principal: Principal, org_id: object) -> Order:
    orders.add_to_cart(session, principal, org_id, _perm_product(session), 1)
    return orders.do_place(session, principal, org_id, po_reference="", delivery_address=ADDRESS, expected_total=700)


def _an_order(session: Session, owner: Principal, status: str = "placed") -> int:
    org_id = _org_with_product(session, owner)
    order = Order(org_id=org_id, number=f"ORD-T-{org_id}-{status}", status=status, currency="GBP", total=700,
                  delivery_address=ADDRESS)
    session.add(order)
    session.flush()
    session.add(OrderLine(order_id=order.id, product_id=_perm_product(session), description="Item", quantity=1000,
                          unit_price=700, net=700))
    session.flush()
    return order.id


test_order_permissions = permission_tests(
    Permission("place", _place_one, orders.READERS, target_row=_org_with_product,
               check=lambda s, a, o, order: order.status == "placed" or pytest.fail("placed")),
    Permission("cart", lambda s, p, o: order_lists.cart_view(s, p, o), orders.READERS, target_row=_org_with_product),
    Permission("list", lambda s, p, o: order_lists.list_for_org(s, p, o), orders.READERS, target_row=_org_with_product),
    Permission("read", lambda s, p, i: order_lists.order_view(s, p, i), orders.READERS, target_row=_an_order,
               refused=NotFound, staff_allowed=True),  # every staff member reads every order
    Permission("cancel", lambda s, p, i: orders.do_cancel(s, p, i, reason="No longer needed"), orders.READERS,
               target_row=_an_order, refused=NotFound, staff_allowed=True),  # a staff admin cancels too
    Permission("order again", lambda s, p, i: orders.order_again(s, p, i), orders.READERS, target_row=_an_order,
               refused=NotFound),
)


def _first_org(session: Session) -> int:
    return session.exec(select(Organization.id).order_by(Organization.id)).first()


def _staff_order(status: str):  # noqa: ANN202
    def build(session: Session, admin: Principal) -> int:
        org_id = _first_org(session)
        order = Order(org_id=org_id, number=f"ORD-S-{status}", status=status, currency="GBP",
                      delivery_address=ADDRESS)
        session.add(order)
        session.flush()
        session.add(OrderLine(order_id=order.id, description="Item", quantity=1000, unit_price=700, net=700))
        session.flush()
        return order.id
    return build


test_staff_order_permissions = staff_permission_tests(
    StaffPermission("confirm", lambda s, p, i: orders.do_confirm(s, p, i), _staff_order("placed"),
                    allowed=orders.MANAGERS),
    StaffPermission("ship", lambda s, p, i: orders.do_ship(s, p, i, carrier="DHL"), _staff_order("confirmed"),
                    allowed=orders.MANAGERS),
    StaffPermission("deliver", lambda s, p, i: orders.do_deliver(s, p, i), _staff_order("shipped"),
                    allowed=orders.MANAGERS),
    StaffPermission("staff list", lambda s, p, _: order_lists.list_all(s, p), lambda s, p: None,
                    allowed=("admin", "agent", "billing"), takes_id=False),
)


def test_the_demo_has_orders_in_several_states_and_removing_it_removes_them(any_engine) -> None:
    from portal_app.models import User
    from portal_app.services.demo import remove_demo, seed_if_empty
    from portal_app.services.principal import principal_for_user

    with Session(any_engine, expire_on_commit=False) as session:
        lines = seed_if_empty(session)
        session.commit()
        assert "created 3 demo orders for Acme Ltd" in lines
        alice = principal_for_user(session, session.exec(select(User).where(
            User.email == "alice@acme.example.com")).one(), None)
        rows = order_lists.list_for_org(session, alice, alice.current.org_id).rows
        assert sorted(r.status for r in rows) == ["delivered", "placed", "shipped"]
        shipped = order_lists.order_view(session, alice, next(r.id for r in rows if r.status == "shipped"))
        assert shipped.carrier == "DPD" and shipped.tracking_url.startswith("https://")
        assert [s.status for s in shipped.timeline] == ["placed", "confirmed", "shipped"]
        assert orders.cart_count(session, alice, alice.current.org_id) == 1
        remove_demo(session)
        session.commit()
        assert session.exec(select(Order)).all() == [] and session.exec(select(CartItem)).all() == []
        real = ours_and_theirs(session)["owner"]
        session.add(Product(name="Real", sku="real-thing", currency="GBP", unit_price=100))
        session.commit()
        real_product = session.exec(select(Product.id).where(Product.sku == "real-thing")).one()
        orders.add_to_cart(session, real, real.current.org_id, real_product, 1)
        order = orders.do_place(session, real, real.current.org_id, po_reference="", delivery_address=ADDRESS,
                                expected_total=100)
        assert order.number.endswith("-0001")
