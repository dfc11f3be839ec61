"""The person's own profile."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import submit_button, text_field
from portal_app.components.layout import portal_page
from portal_app.state.account import ProfileState


@portal_page(route=routes.PROFILE, title="Profile", on_load=ProfileState.load, private=True)
def profile() -> rx.Component:
    return rx.vstack(
        rx.heading("Your profile", size="7", as_="h1"),
        rx.card(
            rx.form(
                rx.vstack(
                    text_field("Your name", "name", ProfileState.errors, autocomplete="name", max_length=200,
                               default_value=ProfileState.user_name),
                    rx.vstack(
                        rx.text("Email", weight="medium", size="2"),
                        rx.text(ProfileState.user_email),
                        rx.text("Your email address is how you sign in. To change it, ask the business's staff.",
                                size="1", color_scheme="gray"),
                        spacing="1",
                    ),
                    rx.box(submit_button("Save", "save_profile"), width="10em"),
                    spacing="3", width="100%", max_width="28em",
                ),
                on_submit=ProfileState.save,
                key=ProfileState.form_key,
                aria_label="Your profile",
            ),
            width="100%",
        ),
        spacing="4", width="100%",
    )
