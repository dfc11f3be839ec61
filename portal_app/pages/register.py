"""Creating an account (and its organisation), and confirming the address."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (PASSWORD_HINT, callout_block, card, form_error, link_button, link_outcome,
                                         submit_button, text_field)
from portal_app.components.layout import portal_page
from portal_app.state.register import RegisterState, VerifyEmailState

def _form() -> rx.Component:
    errors = RegisterState.errors
    return rx.form(
        rx.vstack(
            form_error(RegisterState.error),
            text_field("Your name", "name", errors, autocomplete="name", max_length=200),
            text_field("Work email", "email", errors, type="email", autocomplete="email", max_length=254),
            text_field("Password", "password", errors, type="password", autocomplete="new-password",
                       hint=PASSWORD_HINT),
            text_field("Company name", "company", errors, autocomplete="organization", max_length=200),
            submit_button("Create account", "register"),
            spacing="3", width="100%",
        ),
        on_submit=RegisterState.submit,
        aria_label="Create an account",
        width="100%",
    )


def _check_inbox() -> rx.Component:
    return rx.vstack(
        callout_block(
            rx.text("We sent a confirmation link to ", rx.text.strong(RegisterState.registered_email),
                    ". Open it to confirm your address. You can sign in now; some actions wait "
                    "until the address is confirmed."),
            icon="mail", color_scheme="green", role="status",
        ),
        link_button("Go to sign in", routes.SIGN_IN),
        spacing="3", width="100%",
    )


@portal_page(route=routes.REGISTER, title="Create an account", on_load=RegisterState.load)
def register() -> rx.Component:
    return card(
        rx.cond(RegisterState.registered_email != "", _check_inbox(), _form()),
        rx.text("Already have an account? ", rx.link("Sign in", href=routes.SIGN_IN, underline="always"), size="2"),
        heading="Create an account",
    )


@portal_page(route=routes.VERIFY_EMAIL, title="Confirm your email", on_load=VerifyEmailState.verify)
def verify_email() -> rx.Component:
    return card(
        link_outcome(VerifyEmailState.outcome, VerifyEmailState.message, success="verified"),
        rx.cond(VerifyEmailState.signed_in, rx.link("Go to your dashboard", href=routes.DASHBOARD),
                rx.cond(VerifyEmailState.outcome == "verified",
                        link_button("Sign in", routes.SIGN_IN),
                        rx.link("Sign in", href=routes.SIGN_IN))),
        heading="Confirm your email",
    )

