"""Subscriptions: the organisation's services ("My services") and, for
staff, every organisation's subscriptions with the forms that start one
and record usage."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.subscriptions import services_page, staff_subscriptions_page
from portal_app.state.subscriptions import StaffSubscriptionsState, SubscriptionsState


@portal_page(route=routes.SERVICES, title="My services", on_load=SubscriptionsState.load, private=True)
def services() -> rx.Component:
    return services_page()


@portal_page(route=routes.STAFF_SUBSCRIPTIONS, title="Subscriptions", on_load=StaffSubscriptionsState.load,
             private=True)
def staff_subscriptions() -> rx.Component:
    return staff_subscriptions_page()
