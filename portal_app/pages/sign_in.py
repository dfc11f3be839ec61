"""Signing in (password or mailed link) and the page a mailed link opens."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import card, form_error, notice, submit_button, text_field
from portal_app.components.layout import portal_page
from portal_app.state.sign_in import MfaChallengeState, SignInLinkState, SignInState


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            text_field("Email", "email", SignInState.errors, type="email", autocomplete="username"),
            text_field("Password", "password", SignInState.errors, type="password",
                       autocomplete="current-password"),
            submit_button("Sign in", "sign_in_password"),
            spacing="3", width="100%",
        ),
        on_submit=SignInState.submit_password,
        aria_label="Sign in with password",
        width="100%",
    )


def _link_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            text_field("Email", "email", SignInState.errors, type="email", autocomplete="username"),
            submit_button("Email me a sign-in link", "sign_in_link"),
            spacing="3", width="100%",
        ),
        on_submit=SignInState.submit_link,
        aria_label="Sign in by email link",
        width="100%",
    )


@portal_page(route=routes.SIGN_IN, title="Sign in", on_load=SignInState.load)
def sign_in() -> rx.Component:
    return card(
        notice(SignInState.notice),
        form_error(SignInState.error),
        rx.cond(SignInState.mode == "password", _password_form(), _link_form()),
        rx.cond(
            SignInState.mode == "password",
            rx.button("Email me a sign-in link instead", variant="ghost",
                      on_click=SignInState.set_mode("link")),
            rx.button("Sign in with a password instead", variant="ghost",
                      on_click=SignInState.set_mode("password")),
        ),
        rx.hstack(
            rx.link("Forgot your password?", href=routes.FORGOT_PASSWORD),
            rx.link("Create an account", href=routes.REGISTER),
            justify="between", width="100%", wrap="wrap",
        ),
        heading="Sign in",
    )


@portal_page(route=routes.SIGN_IN_LINK, title="Sign in by link", on_load=SignInLinkState.load)
def sign_in_link() -> rx.Component:
    return card(
        rx.text("Continue to sign in with the link we emailed you."),
        form_error(SignInLinkState.error),
        rx.button("Continue signing in", size="3", on_click=SignInLinkState.continue_sign_in),
        rx.link("Back to sign in", href=routes.SIGN_IN),
        heading="Sign in by link",
    )


@portal_page(route=routes.SIGN_IN_CODE, title="Two-step verification", on_load=MfaChallengeState.load)
def sign_in_code() -> rx.Component:
    return card(
        rx.cond(
            MfaChallengeState.active,
            rx.form(
                rx.vstack(
                    rx.text("Enter the 6-digit code from your authenticator app."),
                    form_error(MfaChallengeState.error),
                    text_field("Code", "code", MfaChallengeState.errors, autocomplete="one-time-code",
                               max_length=40, hint="Lost your phone? Enter one of your recovery codes instead."),
                    submit_button("Verify", "sign_in_code"),
                    spacing="3", width="100%",
                ),
                on_submit=MfaChallengeState.submit_code,
                aria_label="Two-step verification",
                width="100%",
            ),
            rx.vstack(
                form_error(MfaChallengeState.error),
                rx.text("This sign-in has expired. Please start again."),
                rx.link("Sign in", href=routes.SIGN_IN),
                spacing="3",
            ),
        ),
        heading="Two-step verification",
    )
