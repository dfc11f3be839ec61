"""The landing page: what the portal is for and whether it is up."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.settings import get_settings
from portal_app.state.status import StatusState


@portal_page(route=routes.HOME, title="Home", on_load=StatusState.load)
def home() -> rx.Component:
    return rx.vstack(
        rx.heading(f"Welcome to {get_settings().portal_name}", size="7", as_="h1"),
        rx.text(
            "Raise and follow support requests, find answers, pay invoices and "
            "manage your services — without emailing or phoning.",
            size="3",
        ),
        rx.hstack(
            rx.text("Database", weight="medium"),
            rx.badge(StatusState.database, color_scheme=rx.cond(
                StatusState.database == "connected", "green", "gray")),
            align="center",
            aria_label="Service status",
        ),
        spacing="4",
        align="start",
    )
