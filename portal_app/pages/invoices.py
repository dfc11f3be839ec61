"""Billing: the organisation's invoices, one invoice, the statement of
account; and for staff every organisation's invoices and the draft editor."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.invoices import billing_page, draft_page, invoice_page, staff_invoices_page
from portal_app.components.layout import portal_page
from portal_app.components.statements import statement_page
from portal_app.state.cards import CardPaymentState, CardsState
from portal_app.state.invoices import BillingState, DraftState, InvoiceState, StaffInvoicesState, StatementState


@portal_page(route=routes.BILLING, title="Billing", on_load=[BillingState.load, CardsState.load], private=True)
def billing() -> rx.Component:
    return billing_page()


@portal_page(route=routes.INVOICE, title="Invoice", on_load=[InvoiceState.load, CardPaymentState.load], private=True)
def invoice() -> rx.Component:
    return invoice_page()


@portal_page(route=routes.STATEMENT, title="Statement of account", on_load=StatementState.load, private=True)
def statement() -> rx.Component:
    return statement_page()


@portal_page(route=routes.STAFF_INVOICES, title="Invoices", on_load=StaffInvoicesState.load, private=True)
def staff_invoices() -> rx.Component:
    return staff_invoices_page()


@portal_page(route=routes.STAFF_INVOICE_DRAFT, title="Draft invoice", on_load=DraftState.load, private=True)
def draft() -> rx.Component:
    return draft_page()
