"""Quotes: the organisation's list, one quote's page (the terms first, then
the lines and totals, the history, then the answers), the staff's list and
the staff's editor.

Every text from the database is shown as text (terms, descriptions,
comments), never as Markdown or HTML. The drawn signature is a canvas
the person draws on with a pointer (mouse, finger, pen); a small script
(`SIGNATURE_JS`, run with `rx.call_script`, which the CSP allows) copies
it as a PNG data URL into a hidden field of the accept form, and "Clear"
empties both. The server checks what arrives (`quotes.check_signature`)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, confirm_dialog, field_message, form_error, link_button, submit_button,
    text_field,
)
from portal_app.components.invoices import MUTED, status_badge, table
from portal_app.components.org_finder import org_chooser
from portal_app.components.pagination import pager
from portal_app.services import quote_lists, quotes
from portal_app.state.quotes import QuoteEditorState, QuotesState, QuoteState, StaffQuotesState
from portal_app.state.session import SessionState

# Pointer events on the signature canvas, bound once per page (delegated from the document, so a canvas
# rendered later works too). Drawing fills the hidden "signature" field with the picture as a PNG.
SIGNATURE_JS = """
(() => {
  if (window.__portalSignature) return;
  window.__portalSignature = true;
  let drawing = false;
  const pad = () => document.getElementById('signature-pad');
  const point = (c, e) => { const r = c.getBoundingClientRect();
    return [(e.clientX - r.left) * c.width / r.width, (e.clientY - r.top) * c.height / r.height]; };
  document.addEventListener('pointerdown', (e) => {
    const c = pad(); if (!c || e.target !== c) return;
    drawing = true; c.setPointerCapture(e.pointerId);
    const x = c.getContext('2d'); x.lineWidth = 2.5; x.lineCap = 'round'; x.strokeStyle = '#111';
    x.beginPath(); const [px, py] = point(c, e); x.moveTo(px, py); e.preventDefault();
  });
  document.addEventListener('pointermove', (e) => {
    const c = pad(); if (!drawing || !c || e.target !== c) return;
    const x = c.getContext('2d'); const [px, py] = point(c, e); x.lineTo(px, py); x.stroke(); e.preventDefault();
  });
  const done = () => { const c = pad(); if (!drawing || !c) return; drawing = false;
    const f = document.getElementById('signature-data'); if (f) f.value = c.toDataURL('image/png'); };
  document.addEventListener('pointerup', done);
  document.addEventListener('pointercancel', done);
})();
"""
CLEAR_SIGNATURE_JS = """
(() => { const c = document.getElementById('signature-pad');
  if (c) c.getContext('2d').clearRect(0, 0, c.width, c.height);
  const f = document.getElementById('signature-data'); if (f) f.value = ''; })();
"""


def _list_table(rows, *, staff: bool) -> rx.Component:  # noqa: ANN001 — a Var of rows
    headers = ["Number", *(["Organisation"] if staff else []), "Title", "Status", "Valid until", "Total"]
    return table(headers, rows, lambda row: [
        rx.link(row["label"], href=row["href"], weight="medium", high_contrast=True),
        *([row["org"]] if staff else []), row["title"], status_badge(row["status"], row["colour"]),
        row["valid_until"], row["total"]], "Quotes", numeric=(len(headers) - 1,))


def quotes_page() -> rx.Component:
    listed = rx.cond(
        QuotesState.total > 0,
        rx.vstack(_list_table(QuotesState.rows, staff=False),
                  rx.cond(QuotesState.pages > 1, pager(QuotesState.page, QuotesState.pages, QuotesState.position,
                                                       QuotesState.go_to)),
                  width="100%", spacing="3"),
        rx.card(rx.vstack(
            rx.heading("No quotes yet", size="4", as_="h2"),
            rx.text("When we send your organisation a quote, it appears here: read its terms, then accept it, "
                    "decline it or ask us for changes."),
            spacing="2")))
    return rx.vstack(
        rx.heading("Quotes", size="7", as_="h1"),
        rx.cond(QuotesState.loaded,
                rx.cond(QuotesState.refused != "",
                        rx.callout(QuotesState.refused, icon="info", role="status", high_contrast=True),
                        listed),
                rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- one quote

def _terms() -> rx.Component:
    q = QuoteState.quote
    return rx.card(rx.vstack(
        rx.heading("Terms", size="4", as_="h2"),
        rx.text(q["terms"], size="2", style={"white-space": "pre-wrap", "overflow-wrap": "anywhere"}),
        rx.text("Valid until ", rx.el.strong(q["valid_until"]), " · version ", q["version"], size="2", **MUTED),
        spacing="2", width="100%"), width="100%", role="region", aria_label="Terms")


def _lines_table() -> rx.Component:
    return table(["Description", "Quantity", "Unit price", "Tax", "Discount", "Amount"], QuoteState.lines,
                 lambda line: [rx.box(line["description"],
                                      rx.cond(line["recurring"] != "", rx.text(line["recurring"], " subscription",
                                                                               size="1", **MUTED)),
                                      min_width="10em"),
                               line["quantity"], line["unit_price"], line["tax_rate"], line["discount"], line["net"]],
                 "Lines", numeric=(1, 2, 3, 4, 5))


def _totals() -> rx.Component:
    q = QuoteState.quote

    def row(label: str, value, *, strong: bool = False) -> rx.Component:  # noqa: ANN001
        weight = "bold" if strong else "regular"
        return rx.fragment(rx.el.dt(rx.text(label, weight=weight)),
                           rx.el.dd(rx.text(value, weight=weight), style={"margin": "0", "text-align": "right"}))

    return rx.el.dl(row("Subtotal", q["subtotal"]), row("Tax", q["tax"]), row("Total", q["total"], strong=True),
                    aria_label="Totals",
                    style={"display": "grid", "grid-template-columns": "1fr auto", "gap": "0.3em 2em", "margin": "0",
                           "margin-left": "auto", "min-width": "min(100%, 18em)"})


def _history() -> rx.Component:
    return rx.cond(QuoteState.versions.length() > 1, rx.vstack(
        rx.heading("History", size="4", as_="h2"),
        table(["Version", "Sent", "Valid until", "Total", "Changes asked for"], QuoteState.versions,
              lambda v: [rx.cond(v["current"] != "", v["number"] + " (current)", v["number"]), v["sent"],
                         v["valid_until"], v["total"], v["change_request"]], "History", numeric=(3,)),
        spacing="2", width="100%"))


def _state_callout() -> rx.Component:
    q = QuoteState.quote
    return rx.match(
        q["status_key"],
        ("accepted", rx.callout.root(rx.callout.icon(rx.icon("circle_check")), rx.box(
            rx.text("Accepted by ", rx.el.strong(q["accepted_name"]), " on ", q["accepted_at"], " from ",
                    q["accepted_ip"], " (version ", q["accepted_version"], ").", size="2"),
            rx.text("Content hash (SHA-256): ", rx.el.code(q["accepted_hash"], style={"overflow-wrap": "anywhere"}),
                    size="1"),
            rx.flex(
                rx.cond(q["invoice"] != "", rx.link("See the first invoice", href=q["invoice"], size="2",
                                                    underline="always", high_contrast=True)),
                rx.cond(q["order"] != "", rx.link("Follow the order", href=q["order"], size="2",
                                                  underline="always", high_contrast=True)),
                spacing="4", wrap="wrap")),
            color_scheme="green", role="status", high_contrast=True, width="100%")),
        ("declined", rx.callout("Declined: " + q["decline_reason"] + rx.cond(q["decline_comment"] != "",
                                                                              " — " + q["decline_comment"], ""),
                                icon="ban", role="status", high_contrast=True, width="100%")),
        ("expired", rx.callout("This quote expired on " + q["valid_until"] + ": it can no longer be accepted. "
                               "Ask us for a new one.", icon="clock", role="status", high_contrast=True,
                               width="100%")),
        ("changes_requested", rx.callout("Changes were asked for: a revised version will follow.", icon="pencil",
                                         role="status", high_contrast=True, width="100%")),
        rx.fragment(),
    )


def _signature_pad() -> rx.Component:
    return rx.vstack(
        rx.el.label("Signature (optional): draw it below", html_for="signature-pad", style=LABEL_STYLE),
        rx.el.canvas(id="signature-pad", width="480", height="140", tab_index=0,
                     aria_label="Signature pad: draw your signature with a mouse, finger or pen",
                     aria_describedby="signature-help", role="img",
                     style={"width": "100%", "max-width": "480px", "height": "140px", "touch-action": "none",
                            "border": "1px dashed var(--gray-a8)", "border-radius": "6px", "background": "white"}),
        rx.el.input(type="hidden", id="signature-data", name="signature"),
        field_message(QuoteState.errors, "signature", "signature", "Optional; your typed name is what counts."),
        rx.button("Clear signature", type="button", variant="soft", size="1",
                  on_click=rx.call_script(CLEAR_SIGNATURE_JS)),
        spacing="1", width="100%")


def _answers() -> rx.Component:
    errors = QuoteState.errors
    busy_accept = SessionState.busy == "accept_quote"
    accept = rx.form(rx.vstack(
        rx.heading("Accept this quote", size="4", as_="h2"),
        rx.text("Accepting records your name, the time, your connection's address and a fingerprint of this "
                "version's content, printed on the quote's PDF. It creates the first invoice.", size="2"),
        rx.box(text_field("Your full name", "full_name", errors, field_id="accept-name", autocomplete="name",
                          max_length=quotes.NAME_MAX), max_width="28em", width="100%"),
        rx.vstack(
            rx.el.label(rx.checkbox(name="agree", id="accept-agree"),
                        rx.text("I have read and accept the terms", size="2"), html_for="accept-agree",
                        style={"display": "flex", "gap": "0.6em", "align-items": "center"}),
            field_message(errors, "agree", "accept-agree"),
            spacing="1"),
        _signature_pad(),
        rx.box(rx.button("Accept quote", type="submit", size="3", loading=busy_accept, disabled=busy_accept,
                         width="100%"), max_width="14em"),
        spacing="3", width="100%"), on_submit=QuoteState.accept, key="a" + QuoteState.form_key.to_string(),
        width="100%")
    decline = rx.form(rx.vstack(
        rx.heading("Decline", size="3", as_="h3"),
        rx.vstack(rx.el.label("Reason", html_for="decline-reason", style=LABEL_STYLE),
                  rx.el.select(rx.el.option("Choose…", value=""),
                               *[rx.el.option(words, value=key) for key, words in quotes.DECLINE_REASONS.items()],
                               id="decline-reason", name="reason", style=SELECT_STYLE,
                               aria_describedby="decline-reason-help"),
                  field_message(errors, "reason", "decline-reason"), spacing="1"),
        rx.vstack(rx.el.label("Comment (optional)", html_for="decline-comment", style=LABEL_STYLE),
                  rx.text_area(id="decline-comment", name="comment", rows="2", max_length=quotes.COMMENT_MAX,
                               style={**TEXTAREA_STYLE, "min-height": "3em"}, aria_describedby="decline-comment-help"),
                  field_message(errors, "comment", "decline-comment"), spacing="1", width="100%"),
        rx.box(rx.button("Decline quote", type="submit", size="2", color_scheme="red", variant="soft",
                         loading=SessionState.busy == "decline_quote",
                         disabled=SessionState.busy == "decline_quote"), max_width="14em"),
        spacing="2", width="100%"), on_submit=QuoteState.decline, key="d" + QuoteState.form_key.to_string(),
        width="100%")
    changes = rx.form(rx.vstack(
        rx.heading("Ask for changes", size="3", as_="h3"),
        rx.vstack(rx.el.label("What should change?", html_for="quote-changes", style=LABEL_STYLE),
                  rx.text_area(id="quote-changes", name="changes", rows="3", max_length=quotes.COMMENT_MAX,
                               style={**TEXTAREA_STYLE, "min-height": "4em"}, aria_describedby="quote-changes-help"),
                  field_message(errors, "changes", "quote-changes"), spacing="1", width="100%"),
        rx.box(submit_button("Ask for changes", "request_changes"), max_width="14em"),
        spacing="2", width="100%"), on_submit=QuoteState.request_changes, key="c" + QuoteState.form_key.to_string(),
        width="100%")
    return rx.cond(QuoteState.may_answer, rx.vstack(
        rx.card(accept, width="100%"),
        rx.card(rx.vstack(decline, rx.separator(size="4"), changes, spacing="4", width="100%"), width="100%"),
        spacing="4", width="100%"))


def _staff_actions() -> rx.Component:
    q = QuoteState.quote
    return rx.cond(QuoteState.may_manage & ((q["status_key"] == "sent") | (q["status_key"] == "changes_requested")
                                            | (q["status_key"] == "expired")),
                   rx.box(link_button("Revise (new version)", q["editor"])))


def quote_page() -> rx.Component:
    q = QuoteState.quote
    found = rx.vstack(
        rx.link(rx.cond(SessionState.staff_role != "", "All quotes", "Quotes"),
                href=rx.cond(SessionState.staff_role != "", routes.STAFF_QUOTES, routes.QUOTES), size="2"),
        rx.flex(
            rx.heading("Quote ", q["label"], size="6", as_="h1"),
            status_badge(q["status"], q["colour"]),
            rx.spacer(),
            rx.cond(q["pdf"] != "", rx.link(
                rx.hstack(rx.icon("download", size=16, aria_hidden="true"), "Download PDF", spacing="1",
                          align="center"), href=q["pdf"], reload_document=True, size="2", weight="medium")),
            spacing="3", align="center", wrap="wrap", width="100%"),
        rx.text(rx.cond(SessionState.staff_role != "", q["org"] + " · ", ""), q["title"], size="3", weight="medium"),
        rx.cond(QuoteState.revised, rx.callout("This quote was revised while you were reading it: read the new "
                                               "version below before you answer.", icon="refresh-cw",
                                               role="alert", high_contrast=True, width="100%")),
        _terms(),
        _state_callout(),
        _lines_table(),
        _totals(),
        _history(),
        form_error(QuoteState.error),
        _answers(),
        _staff_actions(),
        spacing="4", width="100%",
    )
    missing = rx.vstack(
        rx.heading("Quote not found", size="6", as_="h1"),
        rx.text("It may not exist, or you may not be allowed to see it: owners, admins and billing members see "
                "their organisation's quotes."),
        rx.link("Back to quotes", href=routes.QUOTES),
        spacing="3")
    return rx.cond(QuoteState.loaded, rx.cond(QuoteState.found, found, missing),
                   rx.skeleton(rx.box(height="12em", width="100%")))


# ---------------------------------------------------------------- the staff's list

def staff_quotes_page() -> rx.Component:
    statuses = [rx.el.option(words, value=key) for key, words in quote_lists.STAFF_FILTERS.items()]
    filters = rx.form(rx.flex(
        rx.vstack(rx.el.label("Status", html_for="quote-status", style=LABEL_STYLE),
                  rx.el.select(*statuses, id="quote-status", name="status", style=SELECT_STYLE), spacing="1"),
        rx.box(text_field("Organisation", "org", StaffQuotesState.errors, field_id="quote-org", required=False,
                          max_length=100, hint="Words of its name"), flex="1", min_width="10em"),
        rx.box(rx.button("Apply", type="submit", size="3", variant="soft"), align_self="end"),
        spacing="3", wrap="wrap", width="100%", align="start"), on_submit=StaffQuotesState.apply,
        aria_label="Filter quotes", width="100%")
    return rx.vstack(
        rx.flex(rx.heading("Quotes", size="7", as_="h1"), rx.spacer(),
                rx.cond(StaffQuotesState.can_write, link_button("New quote", routes.STAFF_QUOTE_EDITOR)),
                width="100%", align="center", spacing="3", wrap="wrap"),
        filters,
        form_error(StaffQuotesState.error),
        rx.cond(StaffQuotesState.loaded, rx.cond(
            StaffQuotesState.total > 0,
            rx.vstack(_list_table(StaffQuotesState.rows, staff=True),
                      rx.cond(StaffQuotesState.pages > 1,
                              pager(StaffQuotesState.page, StaffQuotesState.pages, StaffQuotesState.position,
                                    StaffQuotesState.go_to)),
                      width="100%", spacing="3"),
            rx.text("No quote matches.", **MUTED)), rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- the editor

def _line_field(label: str, name: str, n, *, default) -> rx.Component:  # noqa: ANN001
    field_id = "line-" + n + "-" + name
    error = QuoteEditorState.errors[field_id].to(str)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.input(id=field_id, name=field_id, default_value=default, max_length=500, size="2", width="100%",
                 aria_invalid=rx.cond(error, "true", "false"), aria_describedby=field_id + "-help"),
        field_message(QuoteEditorState.errors, field_id, field_id),
        spacing="1", flex="1", min_width="6em")


def _line_row(line, index) -> rx.Component:  # noqa: ANN001 — Vars
    n = (index + 1).to_string()
    product_id = "line-" + n + "-product_id"
    return rx.el.fieldset(
        rx.el.legend("Line ", n, style={"font-weight": "500", "font-size": "0.9em"}),
        rx.vstack(
            rx.vstack(
                rx.el.label("Catalogue product", html_for=product_id, style=LABEL_STYLE),
                rx.el.select(rx.el.option("None (a line of its own)", value=""),
                             rx.foreach(QuoteEditorState.products, lambda p: rx.el.option(p[1], value=p[0])),
                             id=product_id, name=product_id, default_value=line["product_id"],
                             aria_describedby=product_id + "-help", style={**SELECT_STYLE, "width": "100%"}),
                field_message(QuoteEditorState.errors, product_id, product_id,
                              "Empty description or price: the product's name and this organisation's price"),
                spacing="1", width="100%", max_width="32em"),
            rx.flex(
                rx.box(_line_field("Description", "description", n, default=line["description"]), flex="3",
                       min_width="14em"),
                _line_field("Quantity", "quantity", n, default=line["quantity"]),
                _line_field("Unit price", "unit_price", n, default=line["unit_price"]),
                _line_field("Tax %", "tax_rate", n, default=line["tax_rate"]),
                _line_field("Discount %", "discount", n, default=line["discount"]),
                spacing="2", wrap="wrap", width="100%"),
            spacing="2", width="100%"),
        style={"border": "1px solid var(--gray-a5)", "border-radius": "8px", "padding": "0.5em 0.75em",
               "margin": "0", "width": "100%", "min-width": "0"})


def _editor_form() -> rx.Component:
    s = QuoteEditorState
    revising = (s.status == "sent") | (s.status == "changes_requested")
    return rx.form(rx.vstack(
        rx.cond(s.quote_id == "",
                org_chooser(s, field_id="quote-org-choice", name="org", default=s.org_choice),
                rx.text("For ", rx.el.strong(s.org_name), size="2")),
        rx.box(text_field("Title", "title", s.errors, field_id="quote-title", max_length=quotes.TITLE_MAX,
                          default_value=s.title), max_width="32em", width="100%"),
        rx.vstack(rx.el.label("Terms", html_for="quote-terms", style=LABEL_STYLE),
                  rx.text_area(id="quote-terms", name="terms", default_value=s.terms, rows="6",
                               max_length=quotes.TERMS_MAX, style={**TEXTAREA_STYLE, "min-height": "8em"},
                               aria_describedby="quote-terms-help",
                               aria_invalid=rx.cond(s.errors["terms"].to(str), "true", "false")),
                  field_message(s.errors, "terms", "quote-terms", "Shown to the customer first, before anything else"),
                  spacing="1", width="100%"),
        rx.box(text_field("Valid until", "valid_until", s.errors, field_id="quote-valid", type="date",
                          default_value=s.valid_until), max_width="16em"),
        rx.text("Amounts in the organisation's currency; a rate as a percentage (20 for 20 %). Leave a line "
                "empty to drop it. A recurring product starts a subscription when the quote is accepted.",
                size="2", **MUTED),
        rx.foreach(s.lines, _line_row),
        rx.button(rx.icon("plus", size=16, aria_hidden="true"), "Add a line", type="button", variant="soft",
                  size="2", on_click=s.add_line),
        form_error(s.error),
        rx.box(submit_button(rx.cond(revising, "Send the new version", "Save draft"), "save_quote"),
               max_width="16em"),
        spacing="3", width="100%"), on_submit=s.save, key=s.form_key.to_string(), width="100%")


def editor_page() -> rx.Component:
    s = QuoteEditorState
    busy_send = SessionState.busy == "send_quote"
    send = rx.cond(s.status == "draft", rx.flex(
        confirm_dialog(rx.button("Send to the customer", size="3", loading=busy_send, disabled=busy_send),
                       title="Send this quote?",
                       description="It gets its number and its organisation's billing people are told. What is "
                                   "saved is what is sent: save your changes first.",
                       action_label="Send", on_confirm=s.send),
        confirm_dialog(rx.button("Delete draft", size="3", variant="soft", color_scheme="red"),
                       title="Delete this draft?", description="It was never sent; this cannot be undone.",
                       action_label="Delete", on_confirm=s.delete),
        spacing="3", wrap="wrap"))
    return rx.vstack(
        rx.link("All quotes", href=routes.STAFF_QUOTES, size="2"),
        rx.heading(rx.match(s.status, ("draft", "Draft quote"), ("", "New quote"), "Revise " + s.label), size="7",
                   as_="h1"),
        rx.cond(s.loaded,
                rx.cond(s.allowed, rx.vstack(_editor_form(), send, spacing="4", width="100%"), form_error(s.error)),
                rx.skeleton(rx.box(height="12em", width="100%"))),
        spacing="4", width="100%",
    )
