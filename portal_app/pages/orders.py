"""Orders: the organisation's orders, the cart, one order; for staff every
organisation's orders (one order's page has the staff's panel)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.orders import cart_page, order_page, orders_page, staff_orders_page
from portal_app.state.orders import CartState, OrderState, OrdersState, StaffOrdersState


@portal_page(route=routes.ORDERS, title="Orders", on_load=OrdersState.load, private=True)
def customer_orders() -> rx.Component:
    return orders_page()


@portal_page(route=routes.ORDER_CART, title="Your cart", on_load=CartState.load, private=True)
def cart() -> rx.Component:
    return cart_page()


@portal_page(route=routes.ORDER, title="Order", on_load=OrderState.load, private=True)
def order() -> rx.Component:
    return order_page()


@portal_page(route=routes.STAFF_ORDERS, title="Orders", on_load=StaffOrdersState.load, private=True)
def staff_orders() -> rx.Component:
    return staff_orders_page()
