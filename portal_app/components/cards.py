"""Cards: the organisation's saved cards on the billing page, and paying an
invoice with one on its page. Stripe.js draws the card fields in the box
(`CARD_BOX`); nothing here ever holds a card number."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import LABEL_STYLE, SELECT_STYLE, confirm_dialog
from portal_app.state.cards import CARD_BOX, CardPaymentState, CardsState
from portal_app.state.invoices import InvoiceState
from portal_app.state.session import SessionState

MUTED = {"color_scheme": "gray", "high_contrast": True}


def _card_row(card) -> rx.Component:  # noqa: ANN001 — a Var of one card
    return rx.el.li(
        rx.flex(
            rx.icon("credit-card", size=18, aria_hidden="true"),
            rx.text(card["label"], " · expires ", card["expires"], weight="medium"),
            rx.cond(card["default"] != "", rx.badge("Default", variant="soft", high_contrast=True)),
            rx.spacer(),
            rx.cond(card["default"] == "",
                    rx.button("Make default", size="1", variant="soft", on_click=CardsState.make_default(card["id"]),
                              aria_label="Make " + card["label"] + " the default")),
            confirm_dialog(rx.button("Remove", size="1", variant="soft", color_scheme="red",
                                     aria_label="Remove " + card["label"]),
                           title="Remove this card?", description=card["label"] + " will no longer be offered.",
                           action_label="Remove", on_confirm=CardsState.remove(card["id"])),
            spacing="2", align="center", wrap="wrap", width="100%"),
        style={"list-style": "none", "padding": "0.5em 0", "border-bottom": "1px solid var(--gray-a4)"})


def cards_card() -> rx.Component:
    """The billing page's "Saved cards" (only when card payments are set up)."""
    busy_add, busy_save = SessionState.busy == "add_card", SessionState.busy == "save_card"
    adding = rx.vstack(
        rx.el.label("Card details", html_for=CARD_BOX, style=LABEL_STYLE),
        rx.box(id=CARD_BOX, width="100%", min_height="2.5em",
               style={"border": "1px solid var(--gray-a7)", "border-radius": "6px", "padding": "0.5em",
                      "display": "flex", "flex-wrap": "wrap", "gap": "0.4em"}),
        rx.text("Your card details go straight to our payment provider, Stripe; we keep only its brand, last "
                "four digits and expiry.", size="1", **MUTED),
        rx.flex(
            rx.button("Save card", size="2", loading=busy_save, disabled=busy_save, on_click=CardsState.save),
            rx.button("Cancel", size="2", variant="soft", color_scheme="gray", on_click=CardsState.cancel_adding),
            spacing="2"),
        spacing="2", width="100%")
    return rx.cond(CardsState.enabled, rx.card(rx.vstack(
        rx.heading("Saved cards", size="4", as_="h2"),
        rx.cond(CardsState.error != "", rx.callout(CardsState.error, icon="triangle_alert", color_scheme="red",
                                                   role="alert", width="100%")),
        rx.cond(CardsState.cards.length() > 0,
                rx.el.ul(rx.foreach(CardsState.cards, _card_row), aria_label="Saved cards",
                         style={"padding": "0", "margin": "0", "width": "100%"}),
                rx.text("No card saved yet. Save one to pay invoices in one click.", **MUTED)),
        rx.cond(CardsState.adding, adding,
                rx.button(rx.icon("plus", size=16, aria_hidden="true"), "Add a card", size="2", variant="soft",
                          loading=busy_add, disabled=busy_add, on_click=CardsState.start_adding)),
        spacing="3", width="100%"), width="100%"))


def pay_by_card() -> rx.Component:
    """The invoice page's "Pay by card" (customers who may, while something is owed)."""
    i = InvoiceState.invoice
    busy_pay = SessionState.busy == "pay_by_card"
    form = rx.form(rx.flex(
        rx.cond(CardPaymentState.cards.length() > 1, rx.vstack(
            rx.el.label("Card", html_for="pay-card", style=LABEL_STYLE),
            rx.el.select(rx.foreach(CardPaymentState.cards, lambda c: rx.el.option(
                c["label"], value=c["id"], selected=c["default"] != "")), id="pay-card", name="card",
                style=SELECT_STYLE),
            spacing="1")),
        rx.button("Pay ", i["balance"], " by card", type="submit", size="3", loading=busy_pay, disabled=busy_pay,
                  align_self="end"),
        spacing="3", wrap="wrap", align="end"), on_submit=CardPaymentState.pay)
    outcome = rx.match(
        CardPaymentState.status,
        ("failed", rx.callout(CardPaymentState.message, icon="triangle_alert", color_scheme="red", role="alert",
                              width="100%")),
        ("processing", rx.callout(CardPaymentState.message, icon="hourglass", role="status", high_contrast=True,
                                  width="100%")),
        ("requires_action", rx.callout("Waiting for your bank's confirmation…", icon="shield-check",
                                       role="status", high_contrast=True, width="100%")),
        ("succeeded", rx.callout(CardPaymentState.message, icon="circle_check", color_scheme="green",
                                 role="status", high_contrast=True, width="100%")),
        rx.fragment())
    return rx.cond(CardPaymentState.enabled, rx.fragment(
        rx.cond((i["owed"] != "") & (i["payable"] != ""), rx.card(rx.vstack(
            rx.heading("Pay by card", size="4", as_="h2"),
            rx.cond(CardPaymentState.cards.length() > 0, form,
                    rx.text("Save a card on the ", rx.link("Billing", href="/billing", underline="always"),
                            " page to pay here.")),
            spacing="3", width="100%"), width="100%")),
        outcome))
