"""The invitation page: join as the signed-in owner of the invited address,
sign in to accept, or create an account for it."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import PASSWORD_HINT, card, form_error, link_button, submit_button, text_field
from portal_app.components.layout import portal_page
from portal_app.state.members import InvitationState


def _new_account_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Create your account to join. Your email address: ",
                    rx.text.strong(InvitationState.invited_email)),
            text_field("Your name", "name", InvitationState.errors, autocomplete="name", max_length=200),
            text_field("Password", "password", InvitationState.errors, type="password",
                       autocomplete="new-password", hint=PASSWORD_HINT),
            submit_button("Create account and join", "accept_new_account"),
            spacing="3", width="100%",
        ),
        on_submit=InvitationState.create_account,
        aria_label="Create an account and join",
        width="100%",
    )


def _signed_in_choice() -> rx.Component:
    return rx.cond(
        InvitationState.user_email == InvitationState.invited_email,
        rx.button("Accept and join", size="3", on_click=InvitationState.accept),
        rx.vstack(
            rx.text("This invitation is for ", rx.text.strong(InvitationState.invited_email),
                    ", but you are signed in as ", rx.text.strong(InvitationState.user_email), "."),
            rx.button("Sign out", variant="soft", on_click=InvitationState.sign_out),
            spacing="2",
        ),
    )


@portal_page(route=routes.ACCEPT_INVITATION, title="Invitation", on_load=InvitationState.load)
def accept_invitation() -> rx.Component:
    return card(
        form_error(InvitationState.error),
        rx.cond(
            InvitationState.valid,
            rx.vstack(
                rx.text("You are invited to join ", rx.text.strong(InvitationState.invited_org), " as ",
                        rx.text.strong(InvitationState.invited_role), "."),
                rx.cond(
                    InvitationState.signed_in,
                    _signed_in_choice(),
                    rx.cond(InvitationState.has_account,
                            link_button("Sign in to accept", InvitationState.sign_in_href),
                            _new_account_form()),
                ),
                spacing="4", width="100%",
            ),
            rx.cond(InvitationState.checked, rx.link("Go to sign in", href=routes.SIGN_IN),
                    rx.text("Checking your invitation…")),
        ),
        heading="Invitation",
    )
