"""The statement of account: a period, the statement itself (opening
balance, everything invoiced, credited, paid and refunded, the running and
closing balance), and the same as a PDF or a spreadsheet (CSV) through the
authorised download route (`api/invoices.py`)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.invoices import MUTED, table
from portal_app.components.forms import text_field
from portal_app.components.pagination import pager
from portal_app.state.invoices import StatementState


def _download(label: str, icon: str, href) -> rx.Component:  # noqa: ANN001 — a Var
    return rx.link(rx.hstack(rx.icon(icon, size=16, aria_hidden="true"), label, spacing="1", align="center"),
                   href=href, reload_document=True, size="2", weight="medium")  # a download, not a route


def _period_form() -> rx.Component:
    return rx.form(rx.flex(
        rx.box(text_field("From", "since", StatementState.errors, field_id="statement-since", type="date",
                          required=False, default_value=StatementState.since), min_width="12em"),
        rx.box(text_field("To", "until", StatementState.errors, field_id="statement-until", type="date",
                          required=False, default_value=StatementState.until), min_width="12em"),
        rx.box(rx.button("Show", type="submit", size="3", variant="soft"), align_self="end"),
        spacing="3", wrap="wrap", align="start"),
        on_submit=StatementState.apply, key=StatementState.form_key.to_string(), aria_label="Statement period")


def _statement() -> rx.Component:
    rows = table(["Date", "Type", "Number", "Description", "Debit", "Credit", "Balance"], StatementState.entries,
                 lambda e: [e["day"], e["type"], rx.link(e["number"], href=e["href"]), e["description"], e["debit"],
                            e["credit"], e["balance"]], "Statement", numeric=(4, 5, 6))
    return rx.vstack(
        rx.flex(
            rx.text("Statement for ", StatementState.period, weight="medium"),
            rx.spacer(),
            _download("Download PDF", "file-text", StatementState.downloads["pdf"]),
            _download("Download spreadsheet (CSV)", "sheet", StatementState.downloads["csv"]),
            spacing="4", wrap="wrap", width="100%", align="center"),
        rx.text("Opening balance: ", rx.el.strong(StatementState.opening)),
        rx.cond(StatementState.page > 1, rx.text("Brought forward from page ", StatementState.page - 1, ": ",
                                                 rx.el.strong(StatementState.brought))),
        rx.cond(StatementState.entries.length() > 0, rows,
                rx.text("Nothing was invoiced, credited, paid or refunded in this period.", **MUTED)),
        rx.cond(StatementState.pages > 1, pager(StatementState.page, StatementState.pages, StatementState.position,
                                                StatementState.go_to)),
        rx.text("Closing balance: ", rx.el.strong(StatementState.closing)),
        spacing="3", width="100%")


def statement_page() -> rx.Component:
    return rx.vstack(
        rx.link("Billing", href=routes.BILLING, size="2"),
        rx.heading("Statement of account", size="7", as_="h1"),
        rx.text("Everything invoiced, credited, paid and refunded over a period, with the balance before and "
                "after it.", size="2"),
        rx.cond(StatementState.loaded,
                rx.cond(StatementState.refused != "",
                        rx.callout(StatementState.refused, icon="info", role="status", high_contrast=True),
                        rx.vstack(_period_form(), _statement(), spacing="4", width="100%")),
                rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%",
    )
