"""Orders: the organisation's orders, the cart, one order's page (its
timeline, live; the customer's cancel and order again; the staff's panel)
and the staff's list.

Every text from the database (product names, references, addresses,
carriers, notes) is shown as text, never as Markdown or HTML; a tracking
link is only ever an https address the service checked, opened in a new
tab with rel="noopener noreferrer". Tables sit in a scrollable region
(`invoices.table`)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, confirm_dialog, field_message, form_error, submit_button,
    text_field,
)
from portal_app.components.invoices import MUTED, status_badge, table
from portal_app.components.pagination import pager
from portal_app.services import order_lists, orders
from portal_app.state.orders import CartState, OrderState, OrdersState, StaffOrdersState
from portal_app.state.session import SessionState


def cart_link(count) -> rx.Component:  # noqa: ANN001 — a Var of the count
    """"Cart (2)": the way to the cart from the catalogue and the orders page."""
    return rx.link(rx.hstack(rx.icon("shopping-cart", size=16, aria_hidden="true"),
                             rx.text("Cart (", count.to_string(), ")"), spacing="1", align="center"),
                   href=routes.ORDER_CART, weight="medium")


def _list_table(rows, *, staff: bool) -> rx.Component:  # noqa: ANN001 — a Var of rows
    headers = ["Number", *(["Organisation"] if staff else []), "Status", "Placed", "Your reference" if not staff
               else "Reference", "Total"]
    return table(headers, rows, lambda row: [
        rx.link(row["number"], href=row["href"], weight="medium", high_contrast=True),
        *([row["org"]] if staff else []), status_badge(row["status"], row["colour"]), row["placed"], row["po"],
        row["total"]], "Orders", numeric=(len(headers) - 1,))


def _status_filter() -> rx.Component:
    def choice(key: str, words: str) -> rx.Component:
        current = OrdersState.status == key
        return rx.button(words, size="2", variant=rx.cond(current, "solid", "soft"),
                         aria_pressed=rx.cond(current, "true", "false"), on_click=OrdersState.filter(key))

    return rx.flex(*[choice(key, words) for key, (words, _) in order_lists.FILTERS.items()], spacing="2",
                   wrap="wrap", role="group", aria_label="Show")


# ---------------------------------------------------------------- the organisation's orders

def orders_page() -> rx.Component:
    S = OrdersState  # noqa: N806
    listed = rx.vstack(
        rx.flex(_status_filter(), rx.spacer(), cart_link(S.cart_count), width="100%", align="center", spacing="3",
                wrap="wrap"),
        form_error(S.error),
        rx.cond(S.total > 0,
                rx.vstack(_list_table(S.rows, staff=False),
                          rx.cond(S.pages > 1, pager(S.page, S.pages, S.position, S.go_to)),
                          width="100%", spacing="3"),
                rx.cond(S.status != "",
                        rx.text("No order matches this filter.", **MUTED),
                        rx.card(rx.vstack(
                            rx.heading("No orders yet", size="4", as_="h2"),
                            rx.text("Choose products in the ",
                                    rx.link("catalogue", href=routes.CATALOGUE, underline="always"),
                                    ", add them to your cart and place an order: you can follow it here until "
                                    "it is delivered."),
                            spacing="2")))),
        spacing="4", width="100%")
    return rx.vstack(
        rx.heading("Orders", size="7", as_="h1"),
        rx.cond(S.loaded,
                rx.cond(S.refused != "", rx.callout(S.refused, icon="info", role="status", high_contrast=True),
                        listed),
                rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")


# ---------------------------------------------------------------- the cart

def _quantity_cell(line) -> rx.Component:  # noqa: ANN001 — a Var of a line
    return rx.hstack(
        rx.input(type="number", min="1", max=str(orders.QUANTITY_MAX), default_value=line["quantity"],
                 aria_label="Quantity of " + line["name"], width="5.5em", size="2",
                 on_blur=lambda value: CartState.set_quantity(line["product_id"], value)),
        rx.button(rx.icon("trash-2", size=14, aria_hidden="true"), size="1", variant="soft", color_scheme="gray",
                  aria_label="Remove " + line["name"], on_click=CartState.remove(line["product_id"])),
        spacing="2", align="center")


def _cart_totals(totals) -> rx.Component:  # noqa: ANN001 — a Var of the totals
    def row(label: str, value, *, strong: bool = False) -> rx.Component:  # noqa: ANN001
        weight = "bold" if strong else "regular"
        return rx.fragment(rx.el.dt(rx.text(label, weight=weight)),
                           rx.el.dd(rx.text(value, weight=weight), style={"margin": "0", "text-align": "right"}))

    return rx.el.dl(row("Subtotal", totals["subtotal"]), row("Tax", totals["tax"]),
                    row("Total", totals["total"], strong=True), aria_label="Totals",
                    style={"display": "grid", "grid-template-columns": "1fr auto", "gap": "0.3em 2em", "margin": "0",
                           "margin-left": "auto", "min-width": "min(100%, 18em)"})


def _place_form() -> rx.Component:
    S = CartState  # noqa: N806
    return rx.card(rx.form(rx.vstack(
        rx.heading("Place the order", size="4", as_="h2"),
        form_error(S.error),
        text_field("Your purchase-order reference", "po_reference", S.errors, field_id="order-po", required=False,
                   max_length=orders.PO_MAX, hint="Optional: printed on the invoice"),
        rx.vstack(
            rx.el.label("Delivery address", html_for="order-address", style=LABEL_STYLE),
            rx.text_area(id="order-address", name="delivery_address", default_value=S.address, rows="4",
                         max_length=orders.ADDRESS_MAX, required=True, aria_describedby="order-address-help",
                         style={**TEXTAREA_STYLE, "min-height": "6em"}),
            field_message(S.errors, "delivery_address", "order-address", "Where we send it"),
            spacing="1", width="100%"),
        rx.text("You pay the total shown above; we confirm the order and send its invoice.", size="2", **MUTED),
        rx.box(submit_button("Place order", "place_order", waiting=~S.orderable), max_width="16em"),
        spacing="3", width="100%"), on_submit=S.place, key=S.form_key.to_string(), aria_label="Place the order",
        width="100%"), width="100%")


def cart_page() -> rx.Component:
    S = CartState  # noqa: N806
    filled = rx.vstack(
        rx.box(table(["Product", "Quantity", "Unit price", "Amount", "Stock"], S.lines, lambda line: [
            rx.vstack(rx.text(line["name"], weight="medium"),
                      rx.cond(line["problem"] != "", rx.text(line["name"] + " " + line["problem"] + ".",
                                                             color_scheme="red", size="2", role="alert")),
                      spacing="1", min_width="9em"),
            _quantity_cell(line), line["unit_price"], line["net"], line["stock"]], "Your cart", numeric=(2, 3)),
            key=S.form_key.to_string(), width="100%"),
        _cart_totals(S.totals),
        rx.text("Prices are your organisation's prices today, before tax in the amounts; tax is added below them.",
                size="1", **MUTED),
        _place_form(),
        spacing="4", width="100%")
    empty = rx.card(rx.vstack(
        rx.heading("Your cart is empty", size="4", as_="h2"),
        rx.text("Add products from the ", rx.link("catalogue", href=routes.CATALOGUE, underline="always"),
                " at your organisation's prices."),
        spacing="2"))
    return rx.vstack(
        rx.link("Orders", href=routes.ORDERS, size="2"),
        rx.heading("Your cart", size="7", as_="h1"),
        rx.cond(S.loaded,
                rx.cond(S.refused != "", rx.callout(S.refused, icon="info", role="status", high_contrast=True),
                        rx.cond(S.lines.length() > 0, filled, empty)),
                rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")


# ---------------------------------------------------------------- one order

def _timeline() -> rx.Component:
    def step(s) -> rx.Component:  # noqa: ANN001 — a Var of a step
        return rx.el.li(rx.vstack(
            rx.hstack(status_badge(s["status"], s["colour"]), rx.text(s["when"], size="2"), spacing="2",
                      align="center", wrap="wrap"),
            rx.text(s["actor"], rx.cond(s["note"] != "", " · " + s["note"], ""), size="2",
                    style={"overflow-wrap": "anywhere"}),
            spacing="1"), style={"margin-bottom": "0.8em"})

    return rx.vstack(
        rx.heading("Timeline", size="4", as_="h2"),
        rx.el.ol(rx.foreach(OrderState.timeline, step), style={"margin": "0", "padding-left": "1.2em"}),
        spacing="2", width="100%", role="region", aria_label="Timeline", aria_live="polite")


def _tracking() -> rx.Component:
    o = OrderState.order
    return rx.cond(o["carrier"] != "", rx.callout.root(
        rx.callout.icon(rx.icon("truck")),
        rx.box(
            rx.text("Shipped with ", rx.el.strong(o["carrier"]), style={"overflow-wrap": "anywhere"}),
            rx.cond(o["tracking_number"] != "", rx.text("Tracking number ", o["tracking_number"], size="2")),
            rx.cond(o["tracking_url"] != "", rx.link("Track the parcel", href=o["tracking_url"], is_external=True,
                                                     rel="noopener noreferrer", underline="always", size="2")),
            style={"overflow-wrap": "anywhere", "min-width": "0"}),
        role="note", high_contrast=True, width="100%"))


def _details() -> rx.Component:
    o = OrderState.order
    return rx.flex(
        rx.vstack(rx.text("Delivery address", size="2", weight="bold"),
                  rx.text(o["address"], size="2", style={"white-space": "pre-wrap", "overflow-wrap": "anywhere"}),
                  spacing="1", min_width="12em", flex="1"),
        rx.vstack(rx.text("Your reference", size="2", weight="bold"),
                  rx.text(rx.cond(o["po"] != "", o["po"], "None"), size="2", style={"overflow-wrap": "anywhere"}),
                  rx.cond(o["invoice_href"] != "", rx.fragment(
                      rx.text("Invoice", size="2", weight="bold"),
                      rx.link(o["invoice"], href=o["invoice_href"], size="2", underline="always"))),
                  spacing="1", min_width="10em", flex="1"),
        spacing="4", wrap="wrap", width="100%")


def _cancel_dialog() -> rx.Component:
    S = OrderState  # noqa: N806
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Cancel order", variant="soft", color_scheme="red", high_contrast=True,
                                          on_click=S.open_cancel)),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel order ", S.order["number"], "?"),
            rx.alert_dialog.description("Nothing is sent and its stock goes back. This cannot be undone.", size="2"),
            rx.form(rx.vstack(
                form_error(S.error),
                text_field("Reason", "reason", S.errors, field_id="cancel-reason", max_length=orders.REASON_MAX),
                rx.flex(
                    rx.alert_dialog.cancel(rx.button("Keep the order", type="button", variant="soft",
                                                     color_scheme="gray")),
                    rx.button("Cancel order", type="submit", color_scheme="red", variant="soft", high_contrast=True,
                              loading=SessionState.busy == "cancel_order"),
                    spacing="3", justify="end", wrap="wrap"),
                spacing="3", width="100%"), on_submit=S.cancel, width="100%", margin_top="1em")),
        open=S.cancelling, on_open_change=S.close_cancel)


def _customer_actions() -> rx.Component:
    S = OrderState  # noqa: N806
    return rx.flex(
        rx.cond(S.may_order_again, rx.button("Order again", size="3", on_click=S.order_again,
                                             loading=SessionState.busy == "order_again")),
        rx.cond(S.may_cancel & ~S.may_manage, _cancel_dialog()),
        spacing="3", wrap="wrap", width="100%")


def _staff_panel() -> rx.Component:
    S = OrderState  # noqa: N806
    status = S.order["status_key"]
    busy = SessionState.busy
    ship = rx.form(rx.vstack(
        rx.heading("Ship", size="3", as_="h3"),
        rx.flex(
            rx.box(text_field("Carrier", "carrier", S.errors, field_id="ship-carrier", max_length=orders.CARRIER_MAX),
                   flex="1", min_width="10em"),
            rx.box(text_field("Tracking number", "tracking_number", S.errors, field_id="ship-number",
                              required=False, max_length=orders.TRACKING_MAX), flex="1", min_width="10em"),
            spacing="3", wrap="wrap", width="100%"),
        text_field("Tracking link", "tracking_url", S.errors, field_id="ship-url", required=False, type="url",
                   max_length=orders.TRACKING_URL_MAX, hint="An https:// address the customer can open"),
        rx.box(submit_button("Mark shipped", "ship_order"), max_width="14em"),
        spacing="3", width="100%"), on_submit=S.ship, key="s" + S.form_key.to_string(), width="100%")
    return rx.cond(S.may_manage, rx.card(rx.vstack(
        rx.heading("Staff", size="4", as_="h2"),
        form_error(rx.cond(S.cancelling, "", S.error)),
        rx.cond(status == "placed", confirm_dialog(
            rx.button("Confirm order", size="3", loading=busy == "confirm_order"),
            title="Confirm this order?", description="Its invoice is issued and sent to the customer now.",
            action_label="Confirm order", on_confirm=S.confirm)),
        rx.cond(status == "confirmed", ship),
        rx.cond(status == "shipped", confirm_dialog(
            rx.button("Mark delivered", size="3", loading=busy == "deliver_order"),
            title="Mark this order delivered?", description="The customer is told it has arrived.",
            action_label="Mark delivered", on_confirm=S.deliver)),
        rx.cond(S.may_cancel, rx.box(_cancel_dialog())),
        rx.cond((status == "delivered") | (status == "cancelled"), rx.text("Nothing left to do on this order.",
                                                                           size="2", **MUTED)),
        spacing="3", width="100%"), width="100%"))


def order_page() -> rx.Component:
    S = OrderState  # noqa: N806
    o = S.order
    found = rx.vstack(
        rx.link(rx.cond(SessionState.staff_role != "", "All orders", "Orders"),
                href=rx.cond(SessionState.staff_role != "", routes.STAFF_ORDERS, routes.ORDERS), size="2"),
        rx.flex(rx.heading("Order ", o["number"], size="6", as_="h1"),
                rx.box(status_badge(o["status"], o["colour"]), aria_live="polite"),
                spacing="3", align="center", wrap="wrap", width="100%"),
        rx.text(rx.cond(SessionState.staff_role != "", o["org"] + " · ", ""), "Placed ", o["placed"], size="2",
                **MUTED),
        rx.cond(o["cancel_reason"] != "", rx.callout("Cancelled: " + o["cancel_reason"], icon="ban", role="status",
                                                     high_contrast=True, width="100%")),
        _tracking(),
        _customer_actions(),
        _timeline(),
        table(["Product", "Quantity", "Unit price", "Tax", "Amount"], S.lines,
              lambda line: [rx.box(line["description"], min_width="9em"), line["quantity"], line["unit_price"],
                            line["tax_rate"], line["net"]], "Lines", numeric=(1, 2, 3, 4)),
        rx.el.dl(*[rx.fragment(rx.el.dt(rx.text(label, weight="bold" if label == "Total" else "regular")),
                               rx.el.dd(rx.text(o[key], weight="bold" if label == "Total" else "regular"),
                                        style={"margin": "0", "text-align": "right"}))
                   for label, key in (("Subtotal", "subtotal"), ("Tax", "tax"), ("Total", "total"))],
                 aria_label="Totals",
                 style={"display": "grid", "grid-template-columns": "1fr auto", "gap": "0.3em 2em", "margin": "0",
                        "margin-left": "auto", "min-width": "min(100%, 18em)"}),
        _details(),
        _staff_panel(),
        spacing="4", width="100%")
    missing = rx.vstack(
        rx.heading("Order not found", size="6", as_="h1"),
        rx.text("It may not exist, or you may not be allowed to see it: owners, admins and billing members see "
                "their organisation's orders."),
        rx.link("Back to orders", href=routes.ORDERS),
        spacing="3")
    return rx.cond(S.loaded, rx.cond(S.found, found, missing), rx.skeleton(rx.box(height="12em", width="100%")))


# ---------------------------------------------------------------- the staff's list

def staff_orders_page() -> rx.Component:
    S = StaffOrdersState  # noqa: N806
    statuses = [rx.el.option(words, value=key) for key, (words, _) in order_lists.FILTERS.items()]
    filters = rx.form(rx.flex(
        rx.vstack(rx.el.label("Status", html_for="order-status", style=LABEL_STYLE),
                  rx.el.select(*statuses, id="order-status", name="status", style=SELECT_STYLE),
                  spacing="1"),
        rx.box(text_field("Organisation", "org", S.errors, field_id="order-org", required=False,
                          max_length=order_lists.ORG_FILTER_MAX, hint="Words of its name"),
               flex="1", min_width="10em"),
        rx.box(rx.button("Apply", type="submit", size="3", variant="soft"), align_self="end"),
        spacing="3", wrap="wrap", width="100%", align="start"), on_submit=S.apply, aria_label="Filter orders",
        width="100%")
    return rx.vstack(
        rx.heading("Orders", size="7", as_="h1"),
        filters,
        form_error(S.error),
        rx.cond(S.loaded, rx.cond(
            S.total > 0,
            rx.vstack(_list_table(S.rows, staff=True),
                      rx.cond(S.pages > 1, pager(S.page, S.pages, S.position, S.go_to)),
                      width="100%", spacing="3"),
            rx.text("No order matches.", **MUTED)), rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")
