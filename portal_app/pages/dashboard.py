"""The signed-in person's start page: their organisation, role and security."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import callout_block
from portal_app.components.layout import portal_page
from portal_app.state.dashboard import DashboardState


def _verify_banner() -> rx.Component:
    return rx.cond(
        ~DashboardState.email_verified,
        callout_block(
            rx.vstack(
                rx.text("Confirm your email address to start working with your organisation. "
                        "We sent a link to ", rx.text.strong(DashboardState.user_email), "."),
                rx.button("Send the link again", size="2", variant="soft",
                          on_click=DashboardState.resend_verification),
                spacing="2", align="start",
            ),
            icon="mail-warning", color_scheme="amber", role="status", width="100%",
        ),
    )


def _require_mfa_switch() -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(checked=DashboardState.org_requires_mfa, on_change=DashboardState.set_require_mfa,
                      disabled=~DashboardState.email_verified),
            rx.text("Require two-step verification for every member", size="2"),
            spacing="2", align="center",
        ),
        style={"margin-top": "0.75em", "display": "block"},
    )


def _fact(label: str, value: rx.Var | str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _organisation_card() -> rx.Component:
    return rx.card(
        rx.heading("Your organisation", size="4", as_="h2"),
        rx.data_list.root(
            _fact("Organisation", DashboardState.org_name),
            _fact("Your role", DashboardState.org_role),
            _fact("Two-step verification", rx.cond(
                DashboardState.org_requires_mfa,
                "Required for every member (" + DashboardState.members_without_mfa.to_string()
                + " without it yet)",
                "Optional")),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        ),
        rx.cond(DashboardState.org_role == "owner", _require_mfa_switch()),
        rx.link("Members and profile", href=routes.ORGANIZATION),
        width="100%",
    )


def _billing_card() -> rx.Component:
    b = DashboardState.billing
    return rx.card(
        rx.heading("Billing", size="4", as_="h2"),
        rx.cond(b["unpaid_count"] == "0",
                rx.text("Nothing to pay: every invoice is settled."),
                rx.data_list.root(
                    _fact("Balance due", b["balance_due"]),
                    _fact("Overdue", b["overdue"]),
                    _fact("Next due date", rx.cond(b["next_due"] != "", b["next_due"], "None")),
                    orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                )),
        rx.link("Invoices and statements", href=routes.BILLING),
        width="100%",
    )


@portal_page(route=routes.DASHBOARD, title="Dashboard", on_load=DashboardState.load, private=True)
def dashboard() -> rx.Component:
    return rx.vstack(
        rx.heading("Hello, ", DashboardState.user_name, size="7", as_="h1"),
        _verify_banner(),
        rx.cond(DashboardState.staff_role != "",
                callout_block(rx.text("You are staff (", DashboardState.staff_role, "). ",
                                      rx.link("Open the back office", href=routes.STAFF,
                                              underline="always"), "."),
                              icon="briefcase", width="100%")),
        rx.cond(DashboardState.org_name != "", _organisation_card()),
        rx.cond(DashboardState.billing.contains("balance_due"), _billing_card()),
        rx.card(
            rx.heading("Security", size="4", as_="h2"),
            rx.data_list.root(
                _fact("Email", rx.cond(DashboardState.email_verified, "Confirmed", "Not confirmed yet")),
                _fact("Two-step verification", rx.cond(DashboardState.mfa_on, "On", "Off")),
                _fact("Signed-in sessions", DashboardState.session_count.to_string()),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.link("Manage password and sessions", href=routes.SECURITY),
            width="100%",
        ),
        spacing="4", width="100%",
    )
