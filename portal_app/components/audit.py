"""The audit log view shared by the organisation and back-office pages: one
sentence per event (built by the service, shown as plain text, so a detail
can never become markup), then when, who and from where. Dates and numbers
arrive formatted in PORTAL_LOCALE; the date filters are the browser's own
date inputs (they send ISO days whatever the browser's language), and the
text around them names the days and the zone in PORTAL_LOCALE."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import LABEL_STYLE, form_error, select_field
from portal_app.components.pagination import pager
from portal_app.services.audit import ACTIONS

def _filter_input(label: str, name: str, state, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"audit-{name}", style=LABEL_STYLE),
        rx.input(id=f"audit-{name}", name=name, **props),
        rx.cond(state.errors[name].to(str), rx.text(state.errors[name].to(str), color_scheme="red", size="1",
                                                    role="alert")),
        spacing="1",
    )


def _filters(state) -> rx.Component:
    return rx.form(
        rx.flex(
            _filter_input("Person (email)", "person", state, max_length=254, placeholder="name@"),
            select_field("Action", "action", [("", "Any action"), *ACTIONS.items()], field_id="audit-action"),
            _filter_input("From", "since", state, type="date"),
            _filter_input("To", "until", state, type="date"),
            rx.button("Filter", type="submit", align_self="end"),
            gap="1em", wrap="wrap", align="start",
        ),
        rx.text("Times are shown, and days are counted, in ", state.zone, ".", size="1", color_scheme="gray",
                margin_top="0.5em"),
        on_submit=state.apply,
        aria_label="Filter the audit log",
        width="100%",
    )


def _row(row: rx.Var, show_org: bool) -> rx.Component:
    meta = [row["when"], " · ", row["actor"], rx.cond(row["ip"] != "", rx.fragment(" · IP ", row["ip"]))]
    if show_org:
        meta.append(rx.cond(row["org"] != "", rx.fragment(" · ", row["org"])))
    return rx.vstack(
        rx.text(row["sentence"], weight="medium", style={"overflow-wrap": "anywhere"}),  # a long file name wraps
        rx.text(*meta, size="1", color_scheme="gray"),
        spacing="0", width="100%", role="listitem", padding_y="0.5em", border_bottom="1px solid var(--gray-a4)",
    )


def audit_log(state, *, show_org: bool = False) -> rx.Component:
    """`show_org` adds each event's organisation (the staff log spans them all)."""
    return rx.vstack(
        _filters(state),
        form_error(state.error),
        rx.text(state.summary, size="2", aria_live="polite"),
        rx.cond(state.rows.length() > 0,
                rx.vstack(rx.foreach(state.rows, lambda row: _row(row, show_org)), spacing="0", width="100%",
                          role="list",
                          aria_label="Audit events"),
                rx.text("No events match.", color_scheme="gray")),
        pager(state.page, state.pages, state.position, state.go_to),
        spacing="4", width="100%",
    )
