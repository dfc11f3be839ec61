"""Account security: change the password, see and end sessions."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import PASSWORD_HINT, confirm_dialog, form_error, submit_button, text_field
from portal_app.components.layout import portal_page
from portal_app.components.mfa import mfa_card
from portal_app.state.security import SecurityState
from portal_app.state.mfa import MfaState


def _password_card() -> rx.Component:
    errors = SecurityState.errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Change password", size="4", as_="h2"),
                form_error(SecurityState.error),
                text_field("Current password", "current_password", errors, type="password",
                           autocomplete="current-password"),
                text_field("New password", "new_password", errors, type="password",
                           autocomplete="new-password", hint=PASSWORD_HINT),
                text_field("Repeat the new password", "confirm", errors, type="password",
                           autocomplete="new-password"),
                rx.box(submit_button("Change password", "change_password"), max_width="16em", width="100%"),
                spacing="3", width="100%",
            ),
            on_submit=SecurityState.change_password,
            key=SecurityState.form_key,
            aria_label="Change password",
        ),
        width="100%",
    )


def _session_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(row["device"], weight="medium"),
                      rx.cond(row["current"] == "yes", rx.badge("This device", color_scheme="green")),
                      spacing="2", align="center", wrap="wrap"),
            rx.text("IP ", row["ip"], " · last active ", row["last_seen"], size="2", color_scheme="gray"),
            spacing="1", align="start",
        ),
        rx.spacer(),
        rx.cond(row["current"] == "yes", rx.fragment(),
                rx.button("Sign out", size="2", variant="soft", color_scheme="red",
                          aria_label="Sign out " + row["device"] + " at " + row["ip"],
                          on_click=SecurityState.revoke(row["id"]))),
        align="center", width="100%", wrap="wrap", role="listitem",
        padding_y="0.5em", border_bottom="1px solid var(--gray-a4)",
    )


def _confirm_sign_out_others() -> rx.Component:
    return confirm_dialog(
        rx.button("Sign out of all other sessions", variant="outline", color_scheme="red"),
        title="Sign out everywhere else?",
        description="Every other browser and device signed in to your account will have to sign in again. "
                    "This one stays signed in.",
        action_label="Sign out others", on_confirm=SecurityState.revoke_others)


def _sessions_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Where you are signed in", size="4", as_="h2"),
            rx.cond(
                SecurityState.rows.length() > 0,
                rx.vstack(rx.foreach(SecurityState.rows, _session_row), spacing="0", width="100%",
                          role="list", aria_label="Sessions"),
                rx.text("No active sessions.", color_scheme="gray"),
            ),
            rx.cond(SecurityState.rows.length() > 1, _confirm_sign_out_others()),
            spacing="3", width="100%",
        ),
        width="100%",
    )


@portal_page(route=routes.SECURITY, title="Security", on_load=[SecurityState.load, MfaState.load],
             private=True)
def security() -> rx.Component:
    return rx.vstack(
        rx.heading("Security", size="7", as_="h1"),
        mfa_card(),
        _password_card(),
        _sessions_card(),
        spacing="4", width="100%",
    )
