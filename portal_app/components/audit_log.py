"""The audit log view shared by the organisation and back-office pages."""

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
        on_submit=state.apply,
        aria_label="Filter the audit log",
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(rx.text.strong(row["actor"]), " ", row["what"],
                rx.cond(row["target"] != "", rx.fragment(": ", row["target"]))),
        rx.text(row["when"], rx.cond(row["ip"] != "", rx.fragment(" · IP ", row["ip"])),
                rx.cond(row["details"] != "", rx.fragment(" · ", row["details"])), size="1", color_scheme="gray"),
        spacing="0", width="100%", role="listitem", padding_y="0.5em", border_bottom="1px solid var(--gray-a4)",
    )


def audit_log(state) -> rx.Component:
    return rx.vstack(
        _filters(state),
        form_error(state.error),
        rx.cond(state.rows.length() > 0,
                rx.vstack(rx.foreach(state.rows, _row), spacing="0", width="100%", role="list",
                          aria_label="Audit events"),
                rx.text("No events match.", color_scheme="gray")),
        pager(state.page, state.pages, state.total, state.go_to),
        spacing="4", width="100%",
    )
