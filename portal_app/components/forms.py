"""Form pieces used by every page: a visibly labelled input with its error
underneath, a general error callout and a submit button. Values the person
typed stay in the (uncontrolled) inputs when the server refuses them."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from portal_app.services.passwords import MAX_LENGTH, MIN_LENGTH
from portal_app.state.session import SessionState

# Under every new-password field (registration, reset, invitation, security).
PASSWORD_HINT = (f"{MIN_LENGTH} to {MAX_LENGTH} characters; a few unrelated words work well. "
                 "Not your email address.")


def field_message(errors: Var, name: str | Var, field_id: str | Var, hint: str | Var = "") -> rx.Component:
    """What stands under a field, where its `aria-describedby` points: the
    server's message for it (an alert) or, without one, its hint."""
    error = errors[name].to(str)
    help_id = field_id + "-help"
    quiet = (rx.text(hint, id=help_id, color_scheme="gray", size="1", high_contrast=True)
             if not isinstance(hint, str) or hint else rx.fragment())
    # A missing key is `undefined` in the browser: test truthiness.
    return rx.cond(error, rx.text(error, id=help_id, color_scheme="red", size="2", role="alert"), quiet)


TEXTAREA_STYLE = {"width": "100%", "min-height": "10em", "font-family": "inherit"}


def textarea_field(label: str, name: str, errors: Var, *, field_id: str, hint: str = "", rows: str = "8",
                   max_length: int = 20_000) -> rx.Component:
    """A visibly labelled multi-line field with its message underneath."""
    error = errors[name].to(str)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font-weight": "500", "font-size": "0.9em"}),
        rx.text_area(id=field_id, name=name, rows=rows, max_length=max_length, required=True, size="3",
                     aria_invalid=rx.cond(error, "true", "false"), aria_describedby=f"{field_id}-help",
                     style=TEXTAREA_STYLE),
        field_message(errors, name, field_id, hint),
        spacing="1", width="100%",
    )


def text_field(label: str, name: str, errors: Var, *, type: str = "text", autocomplete: str = "off",
               hint: str = "", max_length: int = 256, required: bool = True,
               field_id: str = "", default_value: Var | str | None = None,
               on_change: object = None) -> rx.Component:
    """`field_id` keeps ids unique when two forms on a page share a field name;
    `on_change` (debounced, say) hears the text as it is typed, while the
    form still sends the value with the rest on submit."""
    error = errors[name].to(str)
    field_id = field_id or name
    initial = {} if default_value is None else {"default_value": default_value}
    if on_change is not None:
        initial["on_change"] = on_change
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font-weight": "500", "font-size": "0.9em"}),
        rx.input(id=field_id, name=name, type=type, auto_complete=autocomplete, max_length=max_length, **initial,
                 required=required, width="100%", size="3",
                 aria_invalid=rx.cond(error, "true", "false"),
                 aria_describedby=f"{field_id}-help"),
        field_message(errors, name, field_id, hint),
        spacing="1",
        width="100%",
    )


LABEL_STYLE = {"font-weight": "500", "font-size": "0.9em"}
SELECT_STYLE = {"height": "2.5em", "max-width": "100%", "padding": "0 0.5em", "border-radius": "6px", "border": "1px solid var(--gray-a7)"}


def select_field(label: str, name: str, options: list[tuple[str, str]], *, field_id: str,
                 default: str = "") -> rx.Component:
    """A native select (value, text) with a visible label: keyboard- and
    phone-friendly, and its value arrives with the form like any input."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.el.select(*[rx.el.option(text, value=value) for value, text in options], id=field_id, name=name,
                     default_value=default, style=SELECT_STYLE),
        spacing="1",
    )


def confirm_dialog(trigger: rx.Component, *, title: str, description, action_label: str,
                   on_confirm) -> rx.Component:
    """A destructive action behind a confirmation dialog (Escape or Cancel
    leaves everything as it was)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(action_label, color_scheme="red", on_click=on_confirm)),
                spacing="3", justify="end", margin_top="1em",
            ),
        ),
    )


def callout_block(*children: rx.Component, icon: str, color_scheme: str | None = None, role: str = "status",
                  **props) -> rx.Component:
    """A callout holding components (paragraphs, a list, a button). Given a
    component, `rx.callout` puts it inside Radix's `<p class=CalloutText>`;
    a <div> or <p> inside a <p> is invalid HTML that the browser's parser
    rewrites, so the prerendered page no longer matches React's tree (React
    error #418 on every load of the dashboard, and the page's styles lost).
    High contrast: the soft colours fail WCAG contrast for body text."""
    colour = {} if color_scheme is None else {"color_scheme": color_scheme}
    return rx.callout.root(rx.callout.icon(rx.icon(icon)), rx.box(*children), role=role, high_contrast=True,
                           **colour, **props)


def form_error(message: Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def notice(message: Var, color: str = "green") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", color_scheme=color, role="status", width="100%"),
    )


def submit_button(label: str, action: str, *, waiting: Var | None = None) -> rx.Component:
    """`action` names the handler's `@busy(...)`: while it runs the button
    shows a spinner and cannot be pressed again. While `waiting` (a file
    still uploading, say) it cannot be pressed either, so nothing half-done
    is sent."""
    running = SessionState.busy == action
    return rx.button(label, type="submit", size="3", loading=running,
                     disabled=running if waiting is None else running | waiting, width="100%")


def link_button(label: str, href: str | Var) -> rx.Component:
    """A link that looks like a button: one element, one tab stop (a button
    inside a link is two nested controls, which axe reports as serious)."""
    return rx.button(rx.el.a(label, href=href), as_child=True, size="3")


def link_outcome(outcome: Var, message: Var, *, success: str) -> rx.Component:
    """What a page opened from a mailed link says: checking, then the
    success (`outcome == success`) or the failure message."""
    return rx.match(
        outcome,
        (success, rx.callout(message, icon="circle_check", color_scheme="green", role="status")),
        ("failed", rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert")),
        rx.text("Checking your link…"),
    )


def card(*children: rx.Component, heading: str) -> rx.Component:
    """A narrow, centred panel for the sign-in family of pages."""
    return rx.card(
        rx.vstack(rx.heading(heading, size="6", as_="h1"), *children, spacing="4", width="100%"),
        width="100%",
        max_width="28em",
        size="3",
    )
