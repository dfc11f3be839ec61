"""Invoices: the organisation's billing page, one invoice's page (with the
staff's money forms), the staff's list and the draft editor.

Every text from the database is shown as text (descriptions, notes,
reasons): never as Markdown or HTML. Tables sit in a scrollable region so
that 375 px screens scroll the table, not the page."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, confirm_dialog, field_message, form_error, link_button, submit_button,
    text_field,
)
from portal_app.components.cards import cards_card, pay_by_card
from portal_app.components.org_finder import org_chooser
from portal_app.components.pagination import pager
from portal_app.services import invoice_lists, invoices, payments
from portal_app.state.invoices import BillingState, DraftState, InvoiceState, StaffInvoicesState
from portal_app.state.session import SessionState

MUTED = {"color_scheme": "gray", "high_contrast": True}


def status_badge(words, colour) -> rx.Component:  # noqa: ANN001 — Vars
    return rx.badge(words, color_scheme=colour, variant="soft", high_contrast=True)


TABLE_CSS = {
    "width": "100%", "border-collapse": "collapse", "font-size": "0.9em",
    "& th, & td": {"padding": "0.55em 0.75em", "text-align": "left", "vertical-align": "top",
                   "border-bottom": "1px solid var(--gray-a5)"},
    "& thead th": {"background": "var(--gray-a2)", "font-weight": "600", "white-space": "nowrap"},
    "& tbody th": {"font-weight": "400"},
    "& .num": {"text-align": "right", "white-space": "nowrap"},
}


def table(headers: list[str], rows, cells, label: str, *, numeric: tuple[int, ...] = ()) -> rx.Component:  # noqa: ANN001
    """A plain HTML table (its first cell a row header) in a focusable,
    labelled region that scrolls sideways on a narrow screen, so the page
    itself never does. `cells(row)` gives the row's cells' contents;
    columns in `numeric` align right."""
    def line(row) -> rx.Component:  # noqa: ANN001
        first, *rest = cells(row)
        return rx.el.tr(rx.el.th(first, scope="row", style={"overflow-wrap": "anywhere"}),
                        *[rx.el.td(cell, class_name="num" if i + 1 in numeric else "") for i, cell in enumerate(rest)])

    return rx.box(
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col", class_name="num" if i in numeric else "")
                                   for i, h in enumerate(headers)])),
            rx.el.tbody(rx.foreach(rows, line)),
            style=TABLE_CSS),
        role="region", aria_label=label, tab_index=0, width="100%",
        style={"overflow-x": "auto", "border": "1px solid var(--gray-a5)", "border-radius": "8px"})


def _figure(label: str, value, *, alert=False) -> rx.Component:  # noqa: ANN001 — Vars
    return rx.card(rx.vstack(
        rx.text(label, size="2", **MUTED),
        rx.text(value, size="6", weight="bold", color_scheme=rx.cond(alert, "red", "gray"), high_contrast=True),
        spacing="1"), flex="1", min_width="10em")


# ---------------------------------------------------------------- the organisation's billing page

def _summary() -> rx.Component:
    s = BillingState.summary
    return rx.flex(
        _figure("Balance due", s["balance_due"]),
        _figure("Overdue", s["overdue"], alert=s["overdue"] != s["zero"]),
        _figure("Next due date", rx.cond(s["next_due"] != "", s["next_due"], "None")),
        _figure("Unpaid invoices", s["unpaid_count"]),
        spacing="3", wrap="wrap", width="100%", role="group", aria_label="What you owe",
    )


def _status_filter(state, filters: dict) -> rx.Component:  # noqa: ANN001 — a state class
    def choice(key: str, words: str) -> rx.Component:
        current = state.status == key
        return rx.button(words, size="2", variant=rx.cond(current, "solid", "soft"),
                         aria_pressed=rx.cond(current, "true", "false"), on_click=state.filter(key))

    return rx.flex(*[choice(key, words) for key, (words, _) in filters.items()], spacing="2", wrap="wrap",
                   role="group", aria_label="Show")


def _list_table(rows, *, staff: bool) -> rx.Component:  # noqa: ANN001 — a Var of rows
    headers = ["Number", *(["Organisation"] if staff else []), "Status", "Issued", "Due", "Total", "Balance due"]
    return table(headers, rows, lambda row: [
        rx.link(row["label"], href=row["href"], weight="medium", high_contrast=True),
        *([row["org"]] if staff else []), status_badge(row["status"], row["colour"]), row["issued"], row["due"],
        row["total"], row["balance"]], "Invoices", numeric=(len(headers) - 2, len(headers) - 1))


def billing_page() -> rx.Component:
    listed = rx.vstack(
        _summary(),
        rx.flex(
            _status_filter(BillingState, invoice_lists.FILTERS),
            rx.spacer(),
            rx.link("Statement of account", href=routes.STATEMENT, size="2"),
            width="100%", align="center", spacing="3", wrap="wrap"),
        form_error(BillingState.error),
        rx.cond(BillingState.total > 0,
                rx.vstack(_list_table(BillingState.rows, staff=False),
                          rx.cond(BillingState.pages > 1, pager(BillingState.page, BillingState.pages,
                                                                BillingState.position, BillingState.go_to)),
                          width="100%", spacing="3"),
                rx.cond(BillingState.status != "",
                        rx.text("No invoice matches this filter.", **MUTED),
                        rx.card(rx.vstack(
                            rx.heading("No invoices yet", size="4", as_="h2"),
                            rx.text("When we send your organisation an invoice, it appears here with its PDF, "
                                    "how to pay it and what has been paid."),
                            spacing="2")))),
        cards_card(),
        rx.cond(BillingState.can_share, rx.el.label(
            rx.switch(checked=BillingState.shared, on_change=BillingState.set_shared, id="invoices-shared"),
            rx.text("Every member sees the invoices (otherwise only owners, admins and billing members)", size="2"),
            html_for="invoices-shared", style={"display": "flex", "gap": "0.6em", "align-items": "center"})),
        spacing="4", width="100%",
    )
    return rx.vstack(
        rx.heading("Billing", size="7", as_="h1"),
        rx.cond(BillingState.loaded,
                rx.cond(BillingState.refused != "",
                        rx.callout(BillingState.refused, icon="info", role="status", high_contrast=True),
                        listed),
                rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- one invoice

def _lines_table() -> rx.Component:
    return table(["Description", "Quantity", "Unit price", "Tax", "Discount", "Amount"], InvoiceState.lines,
                  lambda line: [rx.box(line["description"], min_width="10em"), line["quantity"], line["unit_price"],
                                line["tax_rate"], line["discount"], line["net"]],
                  "Lines", numeric=(1, 2, 3, 4, 5))


def _totals() -> rx.Component:
    i = InvoiceState.invoice

    def row(label: str, value, *, strong: bool = False) -> rx.Component:  # noqa: ANN001
        weight = "bold" if strong else "regular"
        return rx.fragment(rx.el.dt(rx.text(label, weight=weight)),
                           rx.el.dd(rx.text(value, weight=weight), style={"margin": "0", "text-align": "right"}))

    return rx.el.dl(
        row("Subtotal", i["subtotal"]), row("Tax", i["tax"]), row("Total", i["total"], strong=True),
        rx.cond(i["kind"] == "invoice", rx.fragment(
            row("Paid", i["paid"]),
            rx.cond(i["credited"] != i["zero"], row("Credited", i["credited"])),
            row("Balance due", i["balance"], strong=True))),
        aria_label="Totals",
        style={"display": "grid", "grid-template-columns": "1fr auto", "gap": "0.3em 2em", "margin": "0",
               "margin-left": "auto", "min-width": "min(100%, 18em)"},
    )


def _how_to_pay() -> rx.Component:
    i = InvoiceState.invoice
    return rx.cond(
        (i["owed"] != "") & (i["payable"] != ""),
        rx.callout.root(
            rx.callout.icon(rx.icon("landmark")),
            rx.box(
                rx.text("How to pay", weight="bold"),
                rx.cond(i["bank_details"] != "",
                        rx.fragment(
                            rx.text("Pay by bank transfer to:", size="2"),
                            rx.el.pre(i["bank_details"], style={"font-family": "inherit", "white-space": "pre-wrap",
                                                                "margin": "0.3em 0"}),
                            rx.text("Reference: ", rx.el.strong(i["label"]), size="2")),
                        rx.text("Pay by bank transfer quoting the reference ", rx.el.strong(i["label"]),
                                ". Ask us for our bank details if you do not have them.", size="2")),
                rx.cond(i["cards"] == "", rx.text("Card payment is not set up on this portal.", size="1")),
                rx.text("Payments show here once we have recorded them.", size="1"),
            ),
            role="note", high_contrast=True, width="100%"),
    )


def _payments_table() -> rx.Component:
    return rx.cond(InvoiceState.payment_rows.length() > 0, rx.vstack(
        rx.heading("Payments", size="4", as_="h2"),
        table(["Date", "Kind", "Method", "Reference", "Amount"], InvoiceState.payment_rows,
               lambda p: [p["when"], p["kind"], p["method"], p["reference"], p["amount"]], "Payments", numeric=(4,)),
        spacing="2", width="100%"))


def _method_select(name: str, field_id: str) -> rx.Component:
    return rx.vstack(
        rx.el.label("Method", html_for=field_id, style=LABEL_STYLE),
        rx.el.select(*[rx.el.option(words, value=key) for key, words in payments.METHODS.items()],
                     id=field_id, name=name, default_value="bank_transfer", style=SELECT_STYLE),
        spacing="1")


def _staff_forms() -> rx.Component:
    i = InvoiceState.invoice
    errors = InvoiceState.errors
    pay = rx.form(rx.vstack(
        rx.heading("Record a payment", size="3", as_="h3"),
        rx.flex(
            rx.box(text_field("Amount (" + i["currency"] + ")", "amount", errors, field_id="pay-amount",
                              default_value=i["balance_typed"], max_length=30), flex="1", min_width="8em"),
            _method_select("method", "pay-method"),
            rx.box(text_field("Reference", "reference", errors, field_id="pay-reference", required=False,
                              max_length=payments.REFERENCE_MAX), flex="1", min_width="8em"),
            rx.box(text_field("Received on", "received_on", errors, field_id="pay-date", type="date",
                              required=False, hint="Empty: today"), min_width="10em"),
            spacing="3", wrap="wrap", width="100%"),
        rx.box(submit_button("Record payment", "record_payment"), max_width="14em"),
        spacing="3", width="100%"), on_submit=InvoiceState.record_payment, key=InvoiceState.form_key.to_string())
    refund = rx.form(rx.vstack(
        rx.heading("Record a refund", size="3", as_="h3"),
        rx.flex(
            rx.box(text_field("Amount (" + i["currency"] + ")", "refund_amount", errors, field_id="refund-amount",
                              max_length=30), flex="1", min_width="8em"),
            _method_select("refund_method", "refund-method"),
            rx.box(text_field("Reference", "refund_reference", errors, field_id="refund-reference", required=False,
                              max_length=payments.REFERENCE_MAX), flex="1", min_width="8em"),
            spacing="3", wrap="wrap", width="100%"),
        rx.box(submit_button("Record refund", "refund"), max_width="14em"),
        spacing="3", width="100%"), on_submit=InvoiceState.refund, key="r" + InvoiceState.form_key.to_string())
    credit = rx.form(rx.vstack(
        rx.heading("Issue a credit note", size="3", as_="h3"),
        rx.flex(
            rx.box(text_field("Amount, tax included (" + i["currency"] + ")", "credit_amount", errors,
                              field_id="credit-amount", max_length=30), flex="1", min_width="8em"),
            rx.box(text_field("Reason", "credit_reason", errors, field_id="credit-reason",
                              max_length=invoices.REASON_MAX, hint="Printed on the credit note"),
                   flex="2", min_width="12em"),
            spacing="3", wrap="wrap", width="100%"),
        rx.box(submit_button("Issue credit note", "credit"), max_width="14em"),
        spacing="3", width="100%"), on_submit=InvoiceState.credit, key="c" + InvoiceState.form_key.to_string())
    void = rx.form(rx.vstack(
        rx.heading("Void this invoice", size="3", as_="h3"),
        rx.text("Only an invoice nothing was paid or credited on can be voided; its number stays used.", size="2"),
        text_field("Reason", "void_reason", errors, field_id="void-reason", max_length=invoices.REASON_MAX),
        rx.box(rx.button("Void invoice", type="submit", size="3", color_scheme="red", variant="soft",
                         loading=SessionState.busy == "void", disabled=SessionState.busy == "void"),
               max_width="14em"),
        spacing="3", width="100%"), on_submit=InvoiceState.void, key="v" + InvoiceState.form_key.to_string())
    return rx.cond(InvoiceState.may_manage & (i["kind"] == "invoice") & (i["status_key"] != "void"), rx.card(
        rx.vstack(
            rx.flex(rx.heading("Staff", size="4", as_="h2"), rx.spacer(),
                    rx.link("This organisation's statement (PDF)", href=i["statement"], reload_document=True,
                            size="2"),
                    spacing="3", align="center", wrap="wrap", width="100%"),
            form_error(InvoiceState.error),
            rx.cond(i["payable"] != "", pay),
            rx.cond(i["refundable"] != "", rx.fragment(rx.separator(size="4"), refund)),
            rx.cond(i["payable"] != "", rx.fragment(rx.separator(size="4"), credit, rx.separator(size="4"), void)),
            spacing="4", width="100%"),
        width="100%"))


def invoice_page() -> rx.Component:
    i = InvoiceState.invoice
    found = rx.vstack(
        rx.link(rx.cond(SessionState.staff_role != "", "All invoices", "Billing"),
                href=rx.cond(SessionState.staff_role != "", routes.STAFF_INVOICES, routes.BILLING), size="2"),
        rx.flex(
            rx.heading(rx.cond(i["kind"] == "credit_note", "Credit note ", "Invoice "), i["label"], size="6",
                       as_="h1"),
            status_badge(i["status"], i["colour"]),
            rx.spacer(),
            rx.link(rx.hstack(rx.icon("download", size=16, aria_hidden="true"), "Download PDF", spacing="1",
                              align="center"),
                    href=i["pdf"], reload_document=True, size="2", weight="medium"),  # a download, not a route
            spacing="3", align="center", wrap="wrap", width="100%"),
        rx.text(rx.cond(SessionState.staff_role != "", i["org"] + " · ", ""), "Issued ", i["issued"],
                rx.cond((i["kind"] == "invoice") & (i["due"] != ""), " · Due " + i["due"], ""), size="2", **MUTED),
        rx.cond(i["void_reason"] != "", rx.callout("Voided: " + i["void_reason"], icon="ban", role="status",
                                                   high_contrast=True, width="100%")),
        pay_by_card(),
        _how_to_pay(),
        _lines_table(),
        _totals(),
        rx.cond(i["memo"] != "", rx.text(i["memo"], size="2", style={"white-space": "pre-wrap"})),
        rx.cond(InvoiceState.related.length() > 0, rx.vstack(
            rx.heading(rx.cond(i["kind"] == "invoice", "Credit notes", "Credits invoice"), size="4", as_="h2"),
            rx.el.ul(rx.foreach(InvoiceState.related, lambda r: rx.el.li(
                rx.link(r["label"], href=r["href"]), " · ", r["total"])), style={"margin": "0"}),
            spacing="2")),
        _payments_table(),
        _staff_forms(),
        spacing="4", width="100%",
    )
    missing = rx.vstack(
        rx.heading("Invoice not found", size="6", as_="h1"),
        rx.text("It may not exist, or you may not be allowed to see it: owners, admins and billing members see "
                "their organisation's invoices."),
        rx.link("Back to billing", href=routes.BILLING),
        spacing="3")
    return rx.cond(InvoiceState.loaded, rx.cond(InvoiceState.found, found, missing),
                   rx.skeleton(rx.box(height="12em", width="100%")))


# ---------------------------------------------------------------- the staff's list

def staff_invoices_page() -> rx.Component:
    statuses = [rx.el.option(words, value=key) for key, (words, _) in invoice_lists.STAFF_FILTERS.items()]
    filters = rx.form(rx.flex(
        rx.vstack(rx.el.label("Status", html_for="invoice-status", style=LABEL_STYLE),
                  rx.el.select(*statuses, id="invoice-status", name="status", style=SELECT_STYLE),
                  spacing="1"),
        rx.box(text_field("Organisation", "org", StaffInvoicesState.errors, field_id="invoice-org", required=False,
                          max_length=invoice_lists.ORG_FILTER_MAX, hint="Words of its name"),
               flex="1", min_width="10em"),
        rx.box(rx.button("Apply", type="submit", size="3", variant="soft"), align_self="end"),
        spacing="3", wrap="wrap", width="100%", align="start"), on_submit=StaffInvoicesState.apply,
        aria_label="Filter invoices", width="100%")
    return rx.vstack(
        rx.flex(rx.heading("Invoices", size="7", as_="h1"), rx.spacer(),
                rx.cond(StaffInvoicesState.can_write, link_button("New invoice", routes.STAFF_INVOICE_DRAFT)),
                width="100%", align="center", spacing="3", wrap="wrap"),
        filters,
        form_error(StaffInvoicesState.error),
        rx.cond(StaffInvoicesState.loaded, rx.cond(
            StaffInvoicesState.total > 0,
            rx.vstack(_list_table(StaffInvoicesState.rows, staff=True),
                      rx.cond(StaffInvoicesState.pages > 1,
                              pager(StaffInvoicesState.page, StaffInvoicesState.pages, StaffInvoicesState.position,
                                    StaffInvoicesState.go_to)),
                      width="100%", spacing="3"),
            rx.text("No invoice matches.", **MUTED)), rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- the draft editor

def _line_field(label: str, name: str, line, n, *, default, width: str, hint: str = "") -> rx.Component:  # noqa: ANN001
    field_id = "line-" + n + "-" + name
    error = DraftState.errors[field_id].to(str)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.input(id=field_id, name=field_id, default_value=default, max_length=invoices.DESCRIPTION_MAX, size="2",
                 width="100%", aria_invalid=rx.cond(error, "true", "false"), aria_describedby=field_id + "-help"),
        field_message(DraftState.errors, field_id, field_id, hint),
        spacing="1", flex=width, min_width="6em")


def _line_row(line, index) -> rx.Component:  # noqa: ANN001 — Vars
    n = (index + 1).to_string()
    return rx.el.fieldset(
        rx.el.legend("Line ", n, style={"font-weight": "500", "font-size": "0.9em"}),
        rx.flex(
            rx.box(_line_field("Description", "description", line, n, default=line["description"], width="1"),
                   flex="3", min_width="14em"),
            _line_field("Quantity", "quantity", line, n, default=line["quantity"], width="1"),
            _line_field("Unit price", "unit_price", line, n, default=line["unit_price"], width="1"),
            _line_field("Tax %", "tax_rate", line, n, default=line["tax_rate"], width="1"),
            _line_field("Discount %", "discount", line, n, default=line["discount"], width="1"),
            spacing="2", wrap="wrap", width="100%"),
        style={"border": "1px solid var(--gray-a5)", "border-radius": "8px", "padding": "0.5em 0.75em",
               "margin": "0", "width": "100%", "min-width": "0"})


def _draft_form() -> rx.Component:
    t = DraftState.totals
    return rx.form(rx.vstack(
        rx.cond(DraftState.draft_id == "",
                rx.vstack(org_chooser(DraftState, field_id="draft-org", name="org", default=DraftState.org_choice),
                          rx.box(text_field("Currency", "currency", DraftState.errors, field_id="draft-currency",
                                            required=False, max_length=3,
                                            hint="Three letters, such as EUR. Empty: the organisation's usual "
                                                 "currency. A new one becomes its usual one."),
                                 max_width="24em"),
                          spacing="1", width="100%"),
                rx.text("For ", rx.el.strong(DraftState.org_name), " · in ", DraftState.currency, size="2")),
        rx.text("Amounts in the organisation's currency; a rate as a percentage (20 for 20 %). Leave a line "
                "empty to drop it.", size="2", **MUTED),
        rx.foreach(DraftState.lines, _line_row),
        rx.button(rx.icon("plus", size=16, aria_hidden="true"), "Add a line", type="button", variant="soft",
                  size="2", on_click=DraftState.add_line),
        rx.vstack(rx.el.label("Note to the customer", html_for="draft-memo", style=LABEL_STYLE),
                  rx.text_area(id="draft-memo", name="memo", default_value=DraftState.memo, rows="3",
                               max_length=invoices.MEMO_MAX, style={**TEXTAREA_STYLE, "min-height": "4em"},
                               aria_describedby="draft-memo-help",
                               aria_invalid=rx.cond(DraftState.errors["memo"].to(str), "true", "false")),
                  field_message(DraftState.errors, "memo", "draft-memo", "Printed under the lines (optional)"),
                  spacing="1", width="100%"),
        rx.box(text_field("Due date", "due_date", DraftState.errors, field_id="draft-due", type="date",
                          required=False, default_value=DraftState.due_date,
                          hint="Empty: the usual terms from the day it is issued"), max_width="16em"),
        rx.cond(t["total"], rx.text("Saved totals: ", t["subtotal"], " + tax ", t["tax"], " = ",
                                    rx.el.strong(t["total"]), size="2")),
        form_error(DraftState.error),
        rx.box(submit_button("Save draft", "save_draft"), max_width="14em"),
        spacing="3", width="100%"), on_submit=DraftState.save, key=DraftState.form_key.to_string(), width="100%")


def draft_page() -> rx.Component:
    saved = DraftState.draft_id != ""
    busy_issue = SessionState.busy == "issue_draft"
    actions = rx.cond(saved, rx.flex(
        confirm_dialog(rx.button("Issue invoice", size="3", loading=busy_issue, disabled=busy_issue),
                       title="Issue this invoice?",
                       description="It gets its number and its organisation's billing people are told. "
                                   "What is saved is what is sent: save your changes first.",
                       action_label="Issue", on_confirm=DraftState.issue),
        confirm_dialog(rx.button("Delete draft", size="3", variant="soft", color_scheme="red"),
                       title="Delete this draft?", description="It was never sent; this cannot be undone.",
                       action_label="Delete", on_confirm=DraftState.delete),
        spacing="3", wrap="wrap"))
    return rx.vstack(
        rx.link("All invoices", href=routes.STAFF_INVOICES, size="2"),
        rx.heading(rx.cond(saved, "Draft invoice", "New invoice"), size="7", as_="h1"),
        rx.cond(DraftState.loaded,
                rx.cond(DraftState.allowed, rx.vstack(_draft_form(), actions, spacing="4", width="100%"),
                        form_error(DraftState.error)),
                rx.skeleton(rx.box(height="12em", width="100%"))),
        spacing="4", width="100%",
    )
