"""The statement of account: a period, then the statement as a PDF or a
spreadsheet (CSV). A plain GET form to the authorised download route
(`api/invoices.py`), so it works without the websocket and the browser
downloads the file like any other."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import LABEL_STYLE
from portal_app.state.session import SessionState


def _date(label: str, name: str, hint: str) -> rx.Component:
    field_id = f"statement-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.input(type="date", id=field_id, name=name, size="3", aria_describedby=f"{field_id}-help"),
        rx.text(hint, id=f"{field_id}-help", size="1", color_scheme="gray", high_contrast=True),
        spacing="1", min_width="12em")


def statement_page() -> rx.Component:
    return rx.vstack(
        rx.link("Billing", href=routes.BILLING, size="2"),
        rx.heading("Statement of account", size="7", as_="h1"),
        rx.text("Everything invoiced, credited, paid and refunded over a period, with the balance before and "
                "after it.", size="2"),
        rx.el.form(
            rx.el.input(type="hidden", name="org", value=SessionState.org_id),
            rx.flex(
                _date("From", "since", "Empty: the first day of this month"),
                _date("To", "until", "Empty: today"),
                spacing="3", wrap="wrap"),
            rx.flex(
                rx.button(rx.icon("file-text", size=16, aria_hidden="true"), "Download PDF", type="submit",
                          name="format", value="pdf", size="3"),
                rx.button(rx.icon("sheet", size=16, aria_hidden="true"), "Download spreadsheet (CSV)",
                          type="submit", name="format", value="csv", size="3", variant="soft"),
                spacing="3", wrap="wrap", margin_top="1em"),
            action=routes.STATEMENT_API, method="get", aria_label="Statement period"),
        spacing="4", width="100%",
    )
