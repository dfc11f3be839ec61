"""Subscriptions: the organisation's "My services" page (each service as
a card with its actions and usage chart, the change and cancel dialogs) and
the staff's list with the forms that start one and record usage.

Texts from the database are shown as text. Cards wrap and tables scroll
sideways in their own region, so a 375 px screen never scrolls the page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, field_message, form_error, submit_button, text_field,
)
from portal_app.components.org_finder import org_chooser
from portal_app.components.invoices import MUTED, status_badge, table
from portal_app.services import subscriptions as subs
from portal_app.state.session import SessionState
from portal_app.state.subscriptions import StaffSubscriptionsState, SubscriptionsState

S = SubscriptionsState


def _fact(label: str, value) -> rx.Component:  # noqa: ANN001 — a Var
    return rx.vstack(rx.text(label, size="1", **MUTED), rx.text(value, size="2", weight="medium"), spacing="0",
                     min_width="8em")


def _usage_chart(row) -> rx.Component:  # noqa: ANN001 — a Var of a row
    return rx.cond(row["metered"] != "", rx.vstack(
        rx.heading("Usage this period", size="3", as_="h3"),
        rx.text("So far: ", row["usage_so_far"], " ", row["usage_unit"], ", costing ", row["running_cost"],
                " (invoiced at the next renewal).", size="2"),
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.bar(data_key="quantity", fill="var(--accent-9)", name=row["usage_unit"]),
                rx.recharts.x_axis(data_key="day"),
                rx.recharts.y_axis(),
                rx.recharts.graphing_tooltip(),
                data=S.charts[row["id"]], height=180, width="100%"),
            role="img", aria_label="Usage per day this period, in " + row["usage_unit"], width="100%"),
        spacing="2", width="100%"))


def _actions(row, S=S, size: str = "2") -> rx.Component:  # noqa: ANN001, N803 — a row Var, the page's state
    """The buttons on one service, for whoever may change it (the state's `can_change`)."""
    active = row["status_key"] == "active"
    return rx.cond(S.can_change & (row["status_key"] != "cancelled"), rx.flex(
        rx.cond(active, rx.button("Change quantity or plan", variant="soft", size=size,
                                        on_click=S.open_change(row["id"]))),
        rx.cond(row["pending"] != "",
                rx.button("Undo cancellation", variant="soft", size=size, on_click=S.undo_cancel(row["id"])),
                rx.cond(active, rx.button("Cancel service", variant="soft", color_scheme="red", size=size,
                                          high_contrast=True, on_click=S.open_cancel(row["id"])))),
        rx.cond(row["pausable"] != "", rx.cond(
            active, rx.button("Pause", variant="outline", size=size, on_click=S.pause(row["id"])),
            rx.cond(row["status_key"] == "paused",
                    rx.button("Resume", variant="outline", size=size, on_click=S.resume(row["id"]))))),
        spacing="2", wrap="wrap"))


def _service(row) -> rx.Component:  # noqa: ANN001
    return rx.card(rx.vstack(
        rx.flex(rx.heading(row["product"], size="4", as_="h2"), status_badge(row["status"], row["colour"]),
                spacing="3", align="center", wrap="wrap"),
        rx.cond(row["pending"] != "", rx.callout(
            "Cancelled: it ends on " + row["next_renewal"] + " (" + row["reason"] + ").", icon="calendar-x",
            color_scheme="amber", role="status", high_contrast=True, width="100%")),
        rx.flex(_fact("Quantity", row["quantity"]), _fact("Price each", row["price"]),
                _fact("Each period", row["period_total"]), _fact("Started", row["started"]),
                _fact("Current period", row["period"]),
                rx.cond(row["next_renewal"] != "", _fact(rx.cond(row["pending"] != "", "Ends on", "Next renewal"),
                                                         row["next_renewal"])),
                rx.cond(row["contract"] != "", rx.vstack(
                    rx.text("Contract", size="1", **MUTED),
                    rx.link(rx.hstack(rx.icon("file-text", size=14, aria_hidden="true"), "Quote ",
                                      row["contract"], " (PDF)", spacing="1", align="center"),
                            href=row["contract_href"], reload_document=True, size="2", weight="medium"),
                    spacing="0", min_width="8em")),
                spacing="4", wrap="wrap", width="100%"),
        _actions(row),
        _usage_chart(row),
        spacing="3", width="100%"), width="100%")


def _change_dialog(S=S) -> rx.Component:  # noqa: N803 — the page's state
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title("Change ", S.change_product),
        rx.alert_dialog.description("See what it costs for the rest of this period before you confirm.", size="2"),
        rx.form(rx.vstack(
            form_error(S.error),
            rx.vstack(rx.el.label("Plan", html_for="change-plan", style=LABEL_STYLE),
                      rx.el.select(rx.foreach(S.plans, lambda o: rx.el.option(o[1], value=o[0])),
                                   id="change-plan", name="product_id", style=SELECT_STYLE,
                                   aria_describedby="change-plan-help"),
                      field_message(S.errors, "product_id", "change-plan"), spacing="1", width="100%"),
            text_field("New quantity", "quantity", S.errors, field_id="change-quantity", max_length=6,
                       type="number"),
            rx.button("Show the cost", type="submit", variant="soft", loading=SessionState.busy == "preview_change"),
            spacing="3", width="100%"), on_submit=S.preview, width="100%", margin_top="1em"),
        rx.cond(S.preview_words != "", rx.callout(S.preview_words, icon="calculator", role="status",
                                                  high_contrast=True, width="100%", margin_top="1em")),
        rx.flex(
            rx.alert_dialog.cancel(rx.button("Keep as it is", variant="soft", color_scheme="gray")),
            rx.button("Confirm change", on_click=S.confirm_change, disabled=S.preview_words == "",
                      loading=SessionState.busy == "confirm_change"),
            spacing="3", justify="end", wrap="wrap", margin_top="1em"),
    ), open=S.change_for != "", on_open_change=S.close_change)


def _cancel_dialog(S=S, *, for_customer: bool = False) -> rx.Component:  # noqa: N803 — the page's state
    """Cancel at the period's end with a reason: in the customer's words, or
    the staff's when they act for a customer who asked."""
    options = [rx.el.option("Choose a reason", value="")] + [
        rx.el.option(words, value=key) for key, words in subs.CANCEL_REASONS.items()]
    return rx.alert_dialog.root(rx.alert_dialog.content(
        rx.alert_dialog.title("Cancel ", S.cancel_product, "?"),
        rx.alert_dialog.description(
            "It stays on until the end of the period the customer has paid for, then ends. Their billing people "
            "are told; it can be undone until then." if for_customer else
            "It stays on until the end of the period you have paid for, then ends. You can undo this until then.",
            size="2"),
        rx.form(rx.vstack(
            form_error(S.error),
            rx.vstack(rx.el.label("Why is the customer cancelling?" if for_customer else "Why are you cancelling?",
                                  html_for="cancel-reason", style=LABEL_STYLE),
                      rx.el.select(*options, id="cancel-reason", name="reason", required=True, style=SELECT_STYLE,
                                   aria_describedby="cancel-reason-help"),
                      field_message(S.errors, "reason", "cancel-reason"), spacing="1", width="100%"),
            rx.vstack(rx.el.label("Comment", html_for="cancel-comment", style=LABEL_STYLE),
                      rx.el.textarea(id="cancel-comment", name="comment", rows="3", max_length=subs.COMMENT_MAX,
                                     style=TEXTAREA_STYLE, aria_describedby="cancel-comment-help"),
                      field_message(S.errors, "comment", "cancel-comment", "Required when the reason is Other"),
                      spacing="1", width="100%"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Keep the service", type="button", variant="soft",
                                                 color_scheme="gray")),
                rx.button("Cancel at period end", type="submit", color_scheme="red", variant="soft",
                          high_contrast=True, loading=SessionState.busy == "cancel_service"),
                spacing="3", justify="end", wrap="wrap"),
            spacing="3", width="100%"), on_submit=S.cancel, width="100%", margin_top="1em"),
    ), open=S.cancel_for != "", on_open_change=S.close_cancel)


def services_page() -> rx.Component:
    return rx.vstack(
        rx.heading("My services", size="7", as_="h1"),
        rx.cond(S.loaded, rx.cond(
            S.refused != "", rx.callout(S.refused, icon="lock", role="status", width="100%"),
            rx.cond(S.rows.length() > 0,
                    rx.vstack(rx.foreach(S.rows, _service), spacing="3", width="100%"),
                    rx.text("Your organisation has no services yet. Ask us to start one.", **MUTED))),
            rx.skeleton(rx.box(height="10em", width="100%"))),
        _change_dialog(),
        _cancel_dialog(),
        spacing="4", width="100%")


# ---------------------------------------------------------------- the staff's page

T = StaffSubscriptionsState


def _select(label: str, name: str, field_id: str, options, errors) -> rx.Component:  # noqa: ANN001 — Vars
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.el.select(rx.el.option("Choose…", value=""),
                     rx.foreach(options, lambda o: rx.el.option(o[1], value=o[0])),
                     id=field_id, name=name, required=True, style=SELECT_STYLE,
                     aria_describedby=field_id + "-help"),
        field_message(errors, name, field_id), spacing="1", min_width="12em", max_width="100%")


def _start_form() -> rx.Component:
    return rx.form(rx.vstack(
        rx.heading("Start a subscription", size="4", as_="h2"),
        form_error(T.start_error),
        rx.flex(
            org_chooser(T, field_id="start-org", name="org_id", errors=T.start_errors),
            _select("Recurring product", "product_id", "start-product", T.products, T.start_errors),
            rx.box(text_field("Quantity", "quantity", T.start_errors, field_id="start-quantity", default_value="1",
                              max_length=6), min_width="6em"),
            spacing="3", wrap="wrap", width="100%", align="start"),
        rx.text("The organisation's price for the product is agreed now; the first period is invoiced at once.",
                size="2", **MUTED),
        rx.box(submit_button("Start subscription", "start_subscription"), max_width="16em"),
        spacing="3", width="100%"), on_submit=T.start, key="s" + T.form_key.to_string(), width="100%")


def _usage_form() -> rx.Component:
    return rx.form(rx.vstack(
        rx.heading("Record usage", size="4", as_="h2"),
        form_error(T.usage_error),
        rx.flex(
            _select("Subscription", "subscription_id", "usage-subscription", T.metered, T.usage_errors),
            rx.box(text_field("Day", "day", T.usage_errors, field_id="usage-day", type="date"), min_width="10em"),
            rx.box(text_field("Quantity", "usage_quantity", T.usage_errors, field_id="usage-quantity",
                              max_length=30, hint="In the product's unit, up to 3 decimals"), min_width="8em"),
            spacing="3", wrap="wrap", width="100%", align="start"),
        rx.box(submit_button("Record usage", "record_usage"), max_width="16em"),
        spacing="3", width="100%"), on_submit=T.record_usage, key="u" + T.form_key.to_string(), width="100%")


def staff_subscriptions_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Subscriptions", size="7", as_="h1"),
        rx.cond(T.loaded, rx.vstack(
            rx.cond(T.rows.length() > 0,
                    table(["Organisation", "Product", "Quantity", "Price each", "Next renewal", "Status", "Actions"],
                          T.rows,
                          lambda r: [r["org"], r["product"], r["quantity"], r["price"],
                                     rx.cond(r["pending"] != "", r["next_renewal"] + " (ends)", r["next_renewal"]),
                                     r["status"], _actions(r, T, size="1")],
                          "Subscriptions", numeric=(2, 3)),
                    rx.text("No subscriptions yet.", **MUTED)),
            rx.cond(T.can_write, rx.vstack(
                rx.card(_start_form(), width="100%"),
                rx.cond(T.metered.length() > 0, rx.card(_usage_form(), width="100%")),
                spacing="4", width="100%")),
            spacing="4", width="100%"), rx.skeleton(rx.box(height="10em", width="100%"))),
        _change_dialog(T),
        _cancel_dialog(T, for_customer=True),
        spacing="4", width="100%")
