"""Reflex's 404 page (`route="404"`), inside the shell with a way home."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page


@portal_page(route=rx.constants.Page404.SLUG, title="Page not found")
def not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("Page not found", size="7", as_="h1"),
        rx.text("There is no page at this address. It may have moved, or the link may be mistyped."),
        rx.link("Go to the start page", href=routes.HOME),
        spacing="4", align="start",
    )
