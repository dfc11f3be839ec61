"""The notification centre, and the page an email's unsubscribe link opens."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.notifications import notification_list, settings_form, unsubscribe_card
from portal_app.state.notifications import NotificationsState, UnsubscribeState


@portal_page(route=routes.NOTIFICATIONS, title="Notifications", on_load=NotificationsState.load, private=True)
def notifications() -> rx.Component:
    return rx.vstack(
        rx.heading("Notifications", size="7", as_="h1"),
        notification_list(),
        settings_form(),
        spacing="5", width="100%",
    )


@portal_page(route=routes.UNSUBSCRIBE, title="Stop emails", on_load=UnsubscribeState.load)
def unsubscribe() -> rx.Component:
    return unsubscribe_card()
