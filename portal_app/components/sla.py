"""Service levels in the page: a ticket's SLA badge and due words (lists and
the ticket page), and the staff admins' SLA screen (`/staff/sla`)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import LABEL_STYLE, SELECT_STYLE, confirm_dialog, field_message, form_error, \
    submit_button
from portal_app.services import tickets
from portal_app.state.sla import SlaAdminState


def sla_badge(flag) -> rx.Component:  # noqa: ANN001 — a Var: "breached", "at_risk" or ""
    return rx.match(
        flag,
        ("breached", rx.badge("SLA breached", color_scheme="red", variant="solid")),
        ("at_risk", rx.badge("SLA at risk", color_scheme="amber", variant="soft", high_contrast=True)),
        rx.fragment(),
    )


def sla_words(words) -> rx.Component:  # noqa: ANN001 — a Var of text, maybe ""
    return rx.cond(words != "", rx.text(words, size="1", weight="medium", high_contrast=True))


# ---------------------------------------------------------------- the staff screen

def _number_input(name: str, field_id, value, error_key) -> rx.Component:  # noqa: ANN001
    error = SlaAdminState.errors[error_key].to(str)
    return rx.input(id=field_id, name=name, type="number", min="1", step="1", default_value=value, required=True,
                    size="2", width="8em", aria_invalid=rx.cond(error, "true", "false"),
                    aria_describedby=field_id + "-help")


def _policy(row) -> rx.Component:  # noqa: ANN001 — a Var of one policy dict
    key = "default-" + row["priority"]
    first_id, resolution_id = key + "-first", key + "-resolution"
    return rx.el.li(rx.form(
        rx.flex(
            rx.heading(row["label"], size="3", as_="h3", width="6em"),
            rx.input(type="hidden", name="priority", value=row["priority"]),
            rx.vstack(
                rx.el.label("First response (business minutes)", html_for=first_id, style=LABEL_STYLE),
                _number_input("first_response", first_id, row["first"], key + "-first_response"),
                field_message(SlaAdminState.errors, key + "-first_response", first_id, "Now " + row["first_words"]),
                spacing="1"),
            rx.vstack(
                rx.el.label("Resolution (business minutes)", html_for=resolution_id, style=LABEL_STYLE),
                _number_input("resolution", resolution_id, row["resolution"], key + "-resolution"),
                field_message(SlaAdminState.errors, key + "-resolution", resolution_id,
                              "Now " + row["resolution_words"]),
                spacing="1"),
            rx.box(submit_button("Save " + row["label"].lower(), "save_policy"), width="12em", align_self="center"),
            spacing="4", wrap="wrap", align="start", width="100%",
        ),
        on_submit=SlaAdminState.save_policy, key=row["key"] + "-" + row["first"] + "-" + row["resolution"],
        aria_label=row["label"] + " priority targets",
    ), style={"list-style": "none", "padding": "0.75em 0", "border-bottom": "1px solid var(--gray-a4)"})


def _override(row) -> rx.Component:  # noqa: ANN001
    return rx.el.li(rx.flex(
        rx.text(row["org"], " · ", row["label"], ": reply within ", row["first_words"], ", resolve within ",
                row["resolution_words"], size="2"),
        rx.spacer(),
        rx.button("Remove", size="1", variant="soft", color_scheme="gray",
                  aria_label="Remove " + row["org"] + "'s " + row["label"].lower() + " targets",
                  on_click=SlaAdminState.remove_override(row["org_id"], row["priority"])),
        spacing="2", wrap="wrap", align="center", width="100%"),
        style={"list-style": "none", "padding": "0.5em 0", "border-bottom": "1px solid var(--gray-a4)"})


def _select(label: str, name: str, field_id: str, options) -> rx.Component:  # noqa: ANN001
    return rx.vstack(rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
                     rx.el.select(*options, id=field_id, name=name, required=True, style=SELECT_STYLE,
                                  aria_describedby=field_id + "-help"),
                     spacing="1")


def _add_override() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Targets of one organisation", size="3", as_="h3"),
            rx.flex(
                _select("Organisation", "org", "override-org", [rx.el.option("Choose…", value=""), rx.foreach(
                    SlaAdminState.orgs, lambda o: rx.el.option(o[1], value=o[0]))]),
                _select("Priority", "priority", "override-priority",
                        [rx.el.option(words, value=key) for key, words in tickets.PRIORITIES.items()]),
                rx.vstack(rx.el.label("First response (business minutes)", html_for="override-first",
                                      style=LABEL_STYLE),
                          _number_input("first_response", "override-first", "", "override-first_response"),
                          field_message(SlaAdminState.errors, "override-first_response", "override-first"),
                          spacing="1"),
                rx.vstack(rx.el.label("Resolution (business minutes)", html_for="override-resolution",
                                      style=LABEL_STYLE),
                          _number_input("resolution", "override-resolution", "", "override-resolution"),
                          field_message(SlaAdminState.errors, "override-resolution", "override-resolution"),
                          spacing="1"),
                spacing="4", wrap="wrap", align="start", width="100%"),
            field_message(SlaAdminState.errors, "override-org", "override-org"),
            field_message(SlaAdminState.errors, "override-priority", "override-priority"),
            rx.box(submit_button("Save the organisation's targets", "add_override"), width="min(20em, 100%)"),
            spacing="3", width="100%"),
        on_submit=SlaAdminState.add_override, key="override-" + SlaAdminState.form_key.to_string(),
        aria_label="Targets of one organisation",
    )


def _day(row) -> rx.Component:  # noqa: ANN001 — a Var of one weekday dict
    prefix = "day-" + row["weekday"]
    return rx.el.li(rx.flex(
        rx.text(row["name"], weight="medium", width="7em"),
        rx.el.label(rx.checkbox(name=prefix + "-closed", id=prefix + "-closed", default_checked=row["closed"] == "yes"),
                    " Closed", html_for=prefix + "-closed", style={"display": "flex", "gap": "0.4em"}),
        rx.vstack(rx.el.label("Opens", html_for=prefix + "-opens", style=LABEL_STYLE),
                  rx.input(id=prefix + "-opens", name=prefix + "-opens", type="time", default_value=row["opens"],
                           size="2", aria_describedby=prefix + "-opens-help"),
                  field_message(SlaAdminState.errors, prefix + "-opens", prefix + "-opens"), spacing="1"),
        rx.vstack(rx.el.label("Closes", html_for=prefix + "-closes", style=LABEL_STYLE),
                  rx.input(id=prefix + "-closes", name=prefix + "-closes", type="time", default_value=row["closes"],
                           size="2", aria_describedby=prefix + "-closes-help"),
                  field_message(SlaAdminState.errors, prefix + "-closes", prefix + "-closes"), spacing="1"),
        spacing="4", wrap="wrap", align="center", width="100%"),
        style={"list-style": "none", "padding": "0.5em 0", "border-bottom": "1px solid var(--gray-a4)"})


def _holiday(row) -> rx.Component:  # noqa: ANN001
    return rx.el.li(rx.flex(
        rx.text(row["day"], " · ", row["name"], size="2"),
        rx.spacer(),
        confirm_dialog(rx.button("Remove", size="1", variant="soft", color_scheme="gray",
                                 aria_label="Remove " + row["name"]),
                       title="Remove this holiday?",
                       description=rx.text(row["name"], " (", row["day"], ") becomes a normal day again."),
                       action_label="Remove holiday", on_confirm=SlaAdminState.remove_holiday(row["id"])),
        spacing="2", align="center", width="100%"),
        style={"list-style": "none", "padding": "0.5em 0", "border-bottom": "1px solid var(--gray-a4)"})


def _add_holiday() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.vstack(rx.el.label("Date", html_for="holiday-day", style=LABEL_STYLE),
                      rx.input(id="holiday-day", name="day", type="date", required=True, size="2",
                               aria_describedby="holiday-day-help"),
                      field_message(SlaAdminState.errors, "holiday-day", "holiday-day"), spacing="1"),
            rx.vstack(rx.el.label("Name", html_for="holiday-name", style=LABEL_STYLE),
                      rx.input(id="holiday-name", name="name", required=True, max_length=80, size="2",
                               aria_describedby="holiday-name-help"),
                      field_message(SlaAdminState.errors, "holiday-name", "holiday-name", "e.g. Christmas Day"),
                      spacing="1"),
            rx.box(submit_button("Add holiday", "add_holiday"), width="10em", align_self="center"),
            spacing="4", wrap="wrap", align="start", width="100%"),
        on_submit=SlaAdminState.add_holiday, key="holiday-" + SlaAdminState.form_key.to_string(),
        aria_label="Add a holiday",
    )


def sla_screen() -> rx.Component:
    card = {"width": "100%"}
    return rx.cond(SlaAdminState.loaded, rx.vstack(
        rx.link("Back office", href=routes.STAFF, size="2"),
        rx.heading("Service levels", size="7", as_="h1"),
        rx.text("Targets count business time only: the opening hours below, minus holidays, in ",
                SlaAdminState.zone, " (PORTAL_TIMEZONE). The clock pauses while a request waits on the customer. "
                "Changes apply to new requests and to requests whose priority changes.", size="2",
                color_scheme="gray", high_contrast=True),
        form_error(SlaAdminState.error),
        rx.card(rx.vstack(
            rx.heading("Targets per priority", size="4", as_="h2"),
            rx.el.ul(rx.foreach(SlaAdminState.policies, _policy), aria_label="Targets per priority",
                     style={"padding": "0", "margin": "0", "width": "100%"}),
            rx.cond(SlaAdminState.overrides.length() > 0,
                    rx.el.ul(rx.foreach(SlaAdminState.overrides, _override), aria_label="Organisations' own targets",
                             style={"padding": "0", "margin": "0", "width": "100%"})),
            _add_override(),
            spacing="3", width="100%"), style=card),
        rx.card(rx.form(rx.vstack(
            rx.heading("Opening hours", size="4", as_="h2"),
            rx.el.ul(rx.foreach(SlaAdminState.hours, _day), aria_label="Opening hours",
                     style={"padding": "0", "margin": "0", "width": "100%"}),
            rx.box(submit_button("Save opening hours", "save_hours"), width="min(16em, 100%)"),
            spacing="3", width="100%"), on_submit=SlaAdminState.save_hours, aria_label="Opening hours"), style=card),
        rx.card(rx.vstack(
            rx.heading("Holidays", size="4", as_="h2"),
            rx.cond(SlaAdminState.holidays.length() > 0,
                    rx.el.ul(rx.foreach(SlaAdminState.holidays, _holiday), aria_label="Holidays",
                             style={"padding": "0", "margin": "0", "width": "100%"}),
                    rx.text("No holidays yet.", size="2", color_scheme="gray", high_contrast=True)),
            _add_holiday(),
            spacing="3", width="100%"), style=card),
        spacing="4", width="100%",
    ), rx.skeleton(rx.box(height="12em", width="100%")))
