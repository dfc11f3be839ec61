"""The two-step verification card of the Security page."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import callout_block, form_error, submit_button, text_field
from portal_app.state.mfa import MfaState


def _narrow(*children: rx.Component) -> rx.Component:
    return rx.vstack(*children, spacing="3", width="100%", max_width="24em", align="start")


def _recovery_codes() -> rx.Component:
    return callout_block(
        rx.vstack(
            rx.text("Save these recovery codes somewhere safe. Each one signs you in once if you lose "
                    "your phone. They are shown only now.", weight="medium"),
            rx.el.ul(rx.foreach(MfaState.recovery_codes, lambda code: rx.el.li(rx.code(code))),
                     aria_label="Recovery codes",
                     style={"columns": "2", "list-style": "none", "padding": "0", "margin": "0"}),
            rx.flex(
                rx.button(rx.icon("copy", size=16), "Copy", size="2", variant="soft", type="button",
                          on_click=[rx.set_clipboard(MfaState.recovery_text), rx.toast.success("Copied")]),
                rx.button(rx.icon("download", size=16), "Download", size="2", variant="soft", type="button",
                          on_click=rx.download(data=MfaState.recovery_file, filename="recovery-codes.txt")),
                rx.button("I have saved them", on_click=MfaState.hide_codes, size="2"),
                spacing="2", wrap="wrap",
            ),
            spacing="3",
        ),
        icon="key-round", color_scheme="amber", role="status", width="100%",
    )


def _enrol() -> rx.Component:
    return _narrow(
        rx.text("1. Scan this QR code with an authenticator app (such as Aegis, Google Authenticator "
                "or 1Password), or type the key below."),
        rx.image(src=MfaState.qr_code, alt="QR code for your authenticator app", width="12em",
                 height="12em"),
        rx.text("Key: ", rx.code(MfaState.key_text, aria_label="Set-up key")),
        rx.form(
            _narrow(
                rx.text("2. Enter the 6-digit code the app shows."),
                form_error(MfaState.error),
                text_field("Code from the app", "code", MfaState.errors, autocomplete="one-time-code",
                           max_length=40, field_id="enrol-code"),
                rx.hstack(rx.box(submit_button("Turn on", "mfa_confirm"), width="10em"),
                          rx.button("Cancel", type="button", variant="soft", color_scheme="gray", size="3",
                                    on_click=MfaState.cancel),
                          spacing="3"),
            ),
            on_submit=MfaState.confirm,
            aria_label="Confirm two-step verification",
            width="100%",
        ),
    )


def _turn_off_form() -> rx.Component:
    return rx.form(
        _narrow(
            rx.heading("Turn off", size="3", as_="h3"),
            text_field("Your password", "password", MfaState.errors, type="password",
                       autocomplete="current-password", field_id="off-password"),
            text_field("Code from the app", "code", MfaState.errors, autocomplete="one-time-code",
                       max_length=40, field_id="off-code"),
            # Not the page's primary action: a quiet red button (the password and code confirm it),
            # busy like every submit button while its handler runs.
            rx.button("Turn off two-step verification", type="submit", size="3", variant="soft",
                      color_scheme="red", width="100%", loading=MfaState.busy == "mfa_turn_off",
                      disabled=MfaState.busy == "mfa_turn_off"),
        ),
        on_submit=MfaState.turn_off,
        key=MfaState.form_key,
        aria_label="Turn off two-step verification",
    )


def _new_codes_form() -> rx.Component:
    return rx.form(
        _narrow(
            rx.heading("New recovery codes", size="3", as_="h3"),
            text_field("Code for new recovery codes", "code", MfaState.errors, autocomplete="one-time-code",
                       max_length=40, field_id="new-codes-code"),
            rx.box(submit_button("Make new recovery codes", "mfa_new_codes"), width="100%"),
        ),
        on_submit=MfaState.new_codes,
        key=MfaState.form_key,
        aria_label="Make new recovery codes",
    )


def _when_on() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.badge("On", color_scheme="green"),
                  rx.text(MfaState.codes_left.to_string(), " recovery codes left", size="2"),
                  spacing="3", align="center"),
        form_error(MfaState.error),
        rx.flex(
            _new_codes_form(),
            rx.cond(MfaState.required_by_org,
                    rx.text(MfaState.required_because, ", so it stays on.",
                            size="2", color_scheme="gray"),
                    _turn_off_form()),
            gap="2em", wrap="wrap", width="100%",
        ),
        spacing="3", width="100%",
    )


def _when_off() -> rx.Component:
    return rx.vstack(
        rx.cond(MfaState.required_by_org,
                rx.callout(MfaState.required_because + ". Set it up to continue.",
                           icon="shield_alert", color_scheme="amber", role="alert", width="100%")),
        rx.text("Protect your account with a code from your phone at every sign-in."),
        rx.cond(MfaState.enrolling, _enrol(),
                rx.button("Set up two-step verification", on_click=MfaState.start, size="3")),
        spacing="3", width="100%",
    )


def mfa_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Two-step verification", size="4", as_="h2"),
            rx.cond(MfaState.recovery_codes.length() > 0, _recovery_codes()),
            rx.cond(MfaState.mfa_on, _when_on(), _when_off()),
            spacing="3", width="100%",
        ),
        width="100%",
    )
