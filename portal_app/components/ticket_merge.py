"""Merging a duplicate, on a ticket's page: the "Merge into…" dialog (the
other request's number, then a confirmation naming both), and what a merged
duplicate's page says at its top."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import callout_block, form_error, text_field
from portal_app.services import ticket_merge
from portal_app.state.session import SessionState
from portal_app.state.ticket_merge import TicketMergeState


def _ask() -> rx.Component:
    checking = SessionState.busy == "merge_check"
    return rx.form(
        rx.vstack(
            rx.dialog.description("Its messages, notes and files move to the other request, its people follow "
                                  "that one, and it is closed. The customers are told on both.", size="2"),
            form_error(TicketMergeState.error),
            text_field("Merge into request number", ticket_merge.FIELD, TicketMergeState.errors,
                       field_id="merge-into", max_length=20, hint="Like T-1042 or 1042"),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                rx.button("Continue", type="submit", loading=checking, disabled=checking),
                spacing="3", justify="end", width="100%",
            ),
            spacing="3", width="100%",
        ),
        on_submit=TicketMergeState.check,
        aria_label="Merge into another request",
    )


def _confirm() -> rx.Component:
    plan = TicketMergeState.plan
    merging = SessionState.busy == "merge"
    return rx.vstack(
        rx.dialog.description(
            "Merge ", rx.el.strong(plan["duplicate"], " \u201c", plan["duplicate_subject"], "\u201d"), " into ",
            rx.el.strong(plan["into"], " \u201c", plan["into_subject"], "\u201d"), " of ", plan["org"], "?",
            size="2", style={"overflow-wrap": "anywhere"}),
        rx.el.ul(
            rx.el.li(plan["messages"], " messages and notes of ", plan["duplicate"], " move to ", plan["into"],
                     ", in time order."),
            rx.el.li("Whoever raised or follows ", plan["duplicate"], " follows ", plan["into"], "."),
            rx.el.li(plan["duplicate"], " is closed, and both requests tell the customers."),
            style={"font-size": "0.9em", "padding-left": "1.2em", "margin": "0"},
        ),
        rx.hstack(
            rx.button("Back", type="button", variant="soft", color_scheme="gray", on_click=TicketMergeState.back),
            rx.button("Merge", type="button", color_scheme="red", high_contrast=True, loading=merging, disabled=merging,
                      on_click=TicketMergeState.merge),
            spacing="3", justify="end", width="100%",
        ),
        spacing="3", width="100%",
    )


def merge_dialog() -> rx.Component:
    return rx.box(rx.dialog.root(
        rx.dialog.trigger(rx.button("Merge into\u2026", variant="soft", color_scheme="gray")),
        rx.dialog.content(
            rx.dialog.title("Merge this request into another"),
            rx.cond(TicketMergeState.confirming, _confirm(), _ask()),
            max_width="32em",
        ),
        open=TicketMergeState.open,
        on_open_change=TicketMergeState.set_open,
    ), on_mount=TicketMergeState.shown)


def merged_notice(label, href) -> rx.Component:  # noqa: ANN001 — Vars of the ticket merged into
    return callout_block(
        rx.text("Merged into ", rx.link(label, href=href, weight="bold"), ": the conversation continues there."),
        icon="git-merge", width="100%",
    )
