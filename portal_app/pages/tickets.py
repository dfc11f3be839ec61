"""Support requests: the list, raising one, and one ticket's page."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.tickets import new_ticket_form, ticket_list, ticket_page
from portal_app.state.tickets import NewTicketState, TicketListState, TicketState


@portal_page(route=routes.TICKETS, title="Support requests", on_load=TicketListState.load, private=True)
def tickets() -> rx.Component:
    return ticket_list()


@portal_page(route=routes.NEW_TICKET, title="Raise a request", on_load=NewTicketState.load, private=True)
def new_ticket() -> rx.Component:
    return new_ticket_form()


@portal_page(route=routes.TICKET, title="Support request", on_load=TicketState.load, private=True)
def ticket() -> rx.Component:
    return ticket_page()
