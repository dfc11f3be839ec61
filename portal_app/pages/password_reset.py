"""Asking for a password reset link, and using it."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import PASSWORD_HINT, card, form_error, notice, submit_button, text_field
from portal_app.components.layout import portal_page
from portal_app.state.password_reset import ForgotPasswordState, ResetPasswordState


@portal_page(route=routes.FORGOT_PASSWORD, title="Forgot password", on_load=ForgotPasswordState.load)
def forgot_password() -> rx.Component:
    return card(
        rx.text("Enter your email address and we will send you a link to choose a new password."),
        notice(ForgotPasswordState.notice),
        form_error(ForgotPasswordState.error),
        rx.form(
            rx.vstack(
                text_field("Email", "email", ForgotPasswordState.errors, type="email", autocomplete="username"),
                submit_button("Send reset link", "forgot_password"),
                spacing="3", width="100%",
            ),
            on_submit=ForgotPasswordState.submit,
            aria_label="Ask for a reset link",
            width="100%",
        ),
        rx.link("Back to sign in", href=routes.SIGN_IN),
        heading="Forgot your password?",
    )


def _reset_form() -> rx.Component:
    errors = ResetPasswordState.errors
    return rx.form(
        rx.vstack(
            form_error(ResetPasswordState.error),
            text_field("New password", "password", errors, type="password", autocomplete="new-password",
                       hint=PASSWORD_HINT),
            text_field("Repeat the new password", "confirm", errors, type="password",
                       autocomplete="new-password"),
            submit_button("Set new password", "reset_password"),
            spacing="3", width="100%",
        ),
        on_submit=ResetPasswordState.submit,
        aria_label="Choose a new password",
        width="100%",
    )


@portal_page(route=routes.RESET_PASSWORD, title="Choose a new password", on_load=ResetPasswordState.load)
def reset_password() -> rx.Component:
    return card(
        rx.cond(
            ResetPasswordState.done,
            rx.vstack(
                rx.callout("Your password is changed, and every session was signed out. "
                           "Sign in with the new password.", icon="circle_check", color_scheme="green",
                           role="status"),
                rx.link("Sign in", href=routes.SIGN_IN),
            ),
            rx.cond(
                ResetPasswordState.link_ok,
                _reset_form(),
                rx.cond(
                    ResetPasswordState.checked,
                    rx.vstack(
                        rx.callout("This reset link has expired or was already used.",
                                   icon="triangle_alert", color_scheme="red", role="alert"),
                        rx.link("Ask for a new link", href=routes.FORGOT_PASSWORD),
                    ),
                    rx.text("Checking your link…"),
                ),
            ),
        ),
        heading="Choose a new password",
    )
