"""Support categories and their intake forms (staff admins), in the back office."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.ticket_forms import ticket_forms_page
from portal_app.state.ticket_forms import TicketFormsState


@portal_page(route=routes.TICKET_FORMS, title="Support categories and forms", on_load=TicketFormsState.load,
             private=True)
def ticket_forms() -> rx.Component:
    return ticket_forms_page()
