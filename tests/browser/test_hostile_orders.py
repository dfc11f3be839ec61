"""The order handlers under a hostile client (Reflex's websocket spoken
directly): no session, another organisation's order and product ids,
customers and agents calling the staff's steps, and payloads carrying
prices, totals, organisation ids and statuses, which are ignored or
refused. Nothing changes that should not and nothing leaks."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models.catalogue import Product
from portal_app.models.orders import CartItem, Order, OrderLine
from portal_app.services import order_lists, orders
from portal_app.state.catalogue import CatalogueState
from portal_app.state.orders import CartState, OrderState, OrdersState, StaffOrdersState
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.ws_client import ReflexClient, handler_name

SECRET = "Victim's confidential purchase order"
ADDRESS = "1 Quay Street\nBristol"


def _victim(portal, prefix: str) -> tuple[str, int, int, int]:
    """A new organisation with a placed order: (its owner's cookie, org id, order id, product id)."""
    cookie, _, victim = _person(portal, prefix)
    with portal_session(portal) as session:
        product = Product(name=f"Router {prefix}", sku=f"r-{prefix}-{victim.user_id}"[:40], currency="GBP",
                          unit_price=4000, tax_rate=2000, stock=10)
        session.add(product)
        session.flush()
        org_id = victim.current.org_id
        orders.add_to_cart(session, victim, org_id, product.id, 2)
        total = order_lists.cart_view(session, victim, org_id).total_minor
        order = orders.do_place(session, victim, org_id, po_reference=SECRET, delivery_address=ADDRESS,
                                expected_total=total)
        session.commit()
        return cookie, org_id, order.id, product.id


def _rows(portal, order_id: int) -> tuple:
    with portal_session(portal) as session:
        order = session.get(Order, order_id)
        stock = session.exec(select(Product.id, Product.stock).join(OrderLine, OrderLine.product_id == Product.id)
                             .where(OrderLine.order_id == order_id)).all()
        cart = session.exec(select(CartItem.quantity).where(CartItem.org_id == order.org_id)).all()
        count = session.exec(select(Order.id).where(Order.org_id == order.org_id)).all()
        return (order.org_id, order.status, order.total, order.carrier, order.tracking_url, order.invoice_id,
                order.po_reference, sorted(cart), len(count), sorted(stock))


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def _order_route(order_id: object) -> str:
    return f"/orders/[order_id]?order_id={order_id}"


def _step_calls(client: ReflexClient, order_id: object) -> None:
    route = _order_route(order_id)
    call = lambda name, payload: client.call(handler_name(OrderState, name), payload, router_path=route)  # noqa: E731
    call("load", {})
    call("confirm", {})
    call("ship", {"form": {"carrier": "DHL", "tracking_number": "1", "tracking_url": "https://t.example/1",
                           "status": "delivered"}})
    call("deliver", {})


def _customer_calls(client: ReflexClient, order_id: object, product_id: object) -> None:
    call = lambda state, name, payload, route: client.call(handler_name(state, name), payload,  # noqa: E731
                                                           router_path=route)
    route = _order_route(order_id)
    call(OrderState, "load", {}, route)
    call(OrderState, "cancel", {"form": {"reason": "because"}}, route)
    call(OrderState, "order_again", {}, route)
    call(CartState, "load", {}, "/orders/cart")
    call(CartState, "set_quantity", {"product_id": product_id, "quantity": "1"}, "/orders/cart")
    call(CartState, "remove", {"product_id": product_id}, "/orders/cart")
    call(OrdersState, "load", {}, "/orders")


def test_nobody_and_another_organisation_get_nothing(portal):
    _, _, order_id, product_id = _victim(portal, "ordvictim")
    thief_cookie, _, _ = _person(portal, "ordthief")
    before = _rows(portal, order_id)
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/orders")
            for wanted in (str(order_id), order_id, f"{order_id} OR 1=1", "", "0", "-1", 10**30, True, None, ["1"]):
                _customer_calls(client, wanted, str(product_id))
                _step_calls(client, wanted)
                state = client.state().get(OrderState.get_full_name(), {})
                assert state.get("found_rx_state_", False) is False
            assert SECRET not in _leaked(client)
    assert _rows(portal, order_id) == before


def test_customers_and_agents_cannot_take_the_staff_steps(portal):
    cookie, _, order_id, _ = _victim(portal, "ordcustomer")
    before = _rows(portal, order_id)
    agent_cookie, _ = _staff_cookie(portal, "agent")
    for who in (cookie, agent_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate(_order_route(order_id))
            _step_calls(client, str(order_id))
    with ReflexClient(portal.url, cookie=agent_cookie) as client:  # agents read; they cancel nothing
        client.hydrate(_order_route(order_id))
        client.call(handler_name(OrderState, "cancel"), {"form": {"reason": "no"}},
                    router_path=_order_route(order_id))
        assert client.state()[OrderState.get_full_name()]["found_rx_state_"] is True
        client.call(handler_name(StaffOrdersState, "apply"), {"form": {"status": "<b>", "org": ["x"]}},
                    router_path="/staff/orders")
    assert _rows(portal, order_id) == before


def test_the_owner_orders_only_what_the_cart_has_at_their_price(portal):
    cookie, org_id, order_id, product_id = _victim(portal, "ordowner")
    _, other_org, other_order, other_product = _victim(portal, "ordother")
    other_before = _rows(portal, other_order)
    cart = CartState.get_full_name()
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/catalogue")
        add = lambda form: client.call(handler_name(CatalogueState, "add_to_cart"), {"form": form},  # noqa: E731
                                       router_path="/catalogue")
        for quantity in ("", "-1", "0", "1.5", ["3"], 3.5, None, "9" * 40, "<b>1</b>"):
            add({"product_id": str(product_id), "quantity": quantity})
        for junk in (product_id, "abc", ["1"], "99999999999"):
            add({"product_id": junk, "quantity": "1"})
        add({"product_id": str(product_id), "quantity": "3", "unit_price": "0.01", "price": "0", "org_id":
             str(other_org), "total": "1", "status": "delivered"})
        client.call(handler_name(CartState, "load"), {}, router_path="/orders/cart")
        assert [line["quantity"] for line in client.state()[cart]["lines_rx_state_"]] == ["3"]
        call = lambda name, payload: client.call(handler_name(CartState, name), payload,  # noqa: E731
                                                 router_path="/orders/cart")
        call("set_quantity", {"product_id": str(other_product), "quantity": "5"})  # not in this cart
        call("remove", {"product_id": str(other_product)})
        call("set_quantity", {"product_id": str(product_id), "quantity": "99999"})
        call("place", {"form": {"po_reference": "PO", "delivery_address": ADDRESS}, "expected_total": 1})  # extra
        call("place", {"form": "po_reference=PO"})  # not a form
        call("place", {"form": {"po_reference": "PO", "delivery_address": ADDRESS, "total": "1",
                                "expected_total": 1, "org_id": str(other_org), "status": "delivered",
                                "unit_price": "0", "currency": "JPY", "quote_id": "1", "invoice_id": "1"}})
        client.call(handler_name(OrdersState, "filter"), {"status": ["placed"]}, router_path="/orders")
        route = _order_route(other_order)
        client.call(handler_name(OrderState, "load"), {}, router_path=route)
        client.call(handler_name(OrderState, "cancel"), {"form": {"reason": "mine now"}}, router_path=route)
        client.call(handler_name(OrderState, "order_again"), {}, router_path=route)
        assert SECRET not in json.dumps(client.state().get(OrderState.get_full_name(), {}))
    with portal_session(portal) as session:
        placed = session.exec(select(Order).where(Order.org_id == org_id).order_by(Order.id)).all()
        cart_left = session.exec(select(CartItem).where(CartItem.org_id == org_id)).all()
    assert len(placed) == 2 and cart_left == []
    newest = placed[-1]
    assert (newest.status, newest.currency, newest.total, newest.quote_id, newest.invoice_id) == (
        "placed", "GBP", 3 * 4800, None, None)
    assert _rows(portal, other_order) == other_before


def test_staff_shipping_refuses_unsafe_tracking_links(portal):
    _, _, order_id, _ = _victim(portal, "ordship")
    billing_cookie, _ = _staff_cookie(portal, "billing")
    state = OrderState.get_full_name()
    route = _order_route(order_id)
    with ReflexClient(portal.url, cookie=billing_cookie) as client:
        client.hydrate(route)
        call = lambda name, payload: client.call(handler_name(OrderState, name), payload,  # noqa: E731
                                                 router_path=route)
        call("load", {})
        call("deliver", {})  # not shipped yet
        call("confirm", {})
        for url in ("javascript:alert(1)", "http://track.example/1", "data:text/html,x", ["https://x.example"]):
            call("ship", {"form": {"carrier": "DHL", "tracking_url": url}})
            assert "tracking_url" in client.state()[state]["errors_rx_state_"], url
        call("ship", {"form": {"carrier": "DHL", "tracking_url": "https://t.example/1", "status": "delivered",
                               "org_id": "1", "total": "0"}})
    with portal_session(portal) as session:
        order = session.get(Order, order_id)
        assert (order.status, order.tracking_url, order.total) == ("shipped", "https://t.example/1", 9600)
