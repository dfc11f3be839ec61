"""Quotes: the organisation's list, one quote's page (customers and staff),
the staff's list and the staff's editor."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.quotes import editor_page, quote_page, quotes_page, staff_quotes_page
from portal_app.state.quotes import QuoteEditorState, QuotesState, QuoteState, StaffQuotesState


@portal_page(route=routes.QUOTES, title="Quotes", on_load=QuotesState.load, private=True)
def quotes_list() -> rx.Component:
    return quotes_page()


@portal_page(route=routes.QUOTE, title="Quote", on_load=QuoteState.load, private=True)
def quote() -> rx.Component:
    return quote_page()


@portal_page(route=routes.STAFF_QUOTES, title="Quotes", on_load=StaffQuotesState.load, private=True)
def staff_quotes() -> rx.Component:
    return staff_quotes_page()


@portal_page(route=routes.STAFF_QUOTE_EDITOR, title="Quote editor", on_load=QuoteEditorState.load, private=True)
def quote_editor() -> rx.Component:
    return editor_page()
