"""The person's own profile: their name, and changing their email address
(confirmed from the new address), plus the page that link opens."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import card, form_error, link_button, link_outcome, notice, submit_button, text_field
from portal_app.components.layout import portal_page
from portal_app.state.profile import EmailChangeState, ProfileState


def _name_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                text_field("Your name", "name", ProfileState.errors, autocomplete="name", max_length=200,
                           default_value=ProfileState.user_name),
                rx.box(submit_button("Save", "save_profile"), width="10em"),
                spacing="3", width="100%", max_width="28em",
            ),
            on_submit=ProfileState.save,
            key=ProfileState.form_key,
            aria_label="Your profile",
        ),
        width="100%",
    )


def _email_card() -> rx.Component:
    errors = ProfileState.email_errors
    return rx.card(
        rx.vstack(
            rx.heading("Email address", size="4", as_="h2"),
            rx.text("You sign in with ", rx.text.strong(ProfileState.user_email, aria_label="Current email"), "."),
            notice(ProfileState.email_notice),
            form_error(ProfileState.email_error),
            rx.form(
                rx.vstack(
                    text_field("New email address", "new_email", errors, type="email", autocomplete="email",
                               max_length=254, field_id="new-email",
                               hint="We send a link to the new address; the change takes effect when you open it."),
                    text_field("Current password", "password", errors, type="password",
                               autocomplete="current-password", field_id="email-password"),
                    rx.box(submit_button("Change email address", "change_email"), width="100%", max_width="16em"),
                    spacing="3", width="100%",
                ),
                on_submit=ProfileState.change_email,
                key=ProfileState.email_form_key,
                aria_label="Change email address",
                width="100%",
            ),
            spacing="3", width="100%", max_width="28em",
        ),
        width="100%",
    )


@portal_page(route=routes.PROFILE, title="Profile", on_load=ProfileState.load, private=True)
def profile() -> rx.Component:
    return rx.vstack(
        rx.heading("Your profile", size="7", as_="h1"),
        _name_card(),
        _email_card(),
        spacing="4", width="100%",
    )


@portal_page(route=routes.CONFIRM_EMAIL_CHANGE, title="Confirm your new email address",
             on_load=EmailChangeState.confirm)
def confirm_email_change() -> rx.Component:
    return card(
        link_outcome(EmailChangeState.outcome, EmailChangeState.message, success="changed"),
        rx.cond(EmailChangeState.signed_in, rx.link("Go to your dashboard", href=routes.DASHBOARD),
                link_button("Sign in", routes.SIGN_IN)),
        heading="Confirm your new email address",
    )
