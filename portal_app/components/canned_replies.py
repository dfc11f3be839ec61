"""Canned replies: the staff's page (the list; for admins the form that adds
or edits one, and Delete behind a confirmation) and the menu next to a
ticket's reply box that inserts one."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, callout_block, confirm_dialog, field_message, form_error, submit_button, text_field,
)
from portal_app.components.pagination import pager
from portal_app.services import canned_replies
from portal_app.state.canned_replies import CannedRepliesState, CannedReplyPickerState
from portal_app.state.session import SessionState

PLACEHOLDER_HINT = ("Markdown works. Placeholders are filled in for the request when an agent inserts the reply: "
                    + ", ".join("{{" + key + "}}" for key in canned_replies.PLACEHOLDERS) + ".")


# ---------------------------------------------------------------- the ticket page's menu

def canned_reply_picker() -> rx.Component:
    """A select of the canned replies and Insert: the reply, filled in for
    this request, goes into the reply box at its caret. Placeholders the
    portal does not know are named underneath, to be edited by hand."""
    busy_now = SessionState.busy == "insert_canned_reply"
    return rx.vstack(
        rx.el.label("Canned reply", html_for="canned-reply-choice", style=LABEL_STYLE),
        rx.flex(
            rx.el.select(
                rx.el.option("Choose a canned reply…", value=""),
                rx.foreach(CannedReplyPickerState.options, lambda o: rx.el.option(o[1], value=o[0])),
                id="canned-reply-choice", value=CannedReplyPickerState.chosen,
                on_change=CannedReplyPickerState.choose,
                style={**SELECT_STYLE, "flex": "1", "min-width": "0", "width": "100%"},
            ),
            rx.button("Insert", type="button", size="2", variant="soft", loading=busy_now,
                      disabled=busy_now | (CannedReplyPickerState.chosen == ""),
                      on_click=CannedReplyPickerState.insert),
            spacing="2", align="center", width="100%",
        ),
        rx.input(id="canned-reply-find", type="search", aria_label="Find a canned reply",
                 placeholder="Find a canned reply by its words…", max_length=canned_replies.FIND_MAX, size="2", width="100%",
                 on_change=CannedReplyPickerState.find.debounce(300)),
        rx.cond(
            CannedReplyPickerState.unknown.length() > 0,
            callout_block(
                rx.text("Not filled in, edit by hand before sending: ",
                        CannedReplyPickerState.unknown.join(", "), " (the portal knows ",
                        ", ".join("{{" + key + "}}" for key in canned_replies.PLACEHOLDERS), ").", size="2"),
                icon="triangle_alert", color_scheme="amber", size="1", width="100%"),
        ),
        rx.cond(CannedReplyPickerState.more,
                rx.text(f"Showing the first {canned_replies.MENU_MAX}: type words of the one you need to narrow them.", size="1",
                        color_scheme="gray", high_contrast=True)),
        spacing="1", width="100%",
        on_mount=CannedReplyPickerState.load,
    )


# ---------------------------------------------------------------- the staff's page

def _row(row) -> rx.Component:  # noqa: ANN001 — a Var of one row dict
    return rx.el.li(
        rx.flex(
            rx.vstack(
                rx.text(row["title"], weight="medium", style={"overflow-wrap": "anywhere"}),
                rx.text(row["excerpt"], size="2", color_scheme="gray", high_contrast=True,
                        style={"overflow-wrap": "anywhere"}),
                rx.text("Updated ", row["when"], rx.cond(row["by"] != "", " by " + row["by"], ""), size="1",
                        color_scheme="gray", high_contrast=True),
                spacing="1", min_width="0", flex="1",
            ),
            rx.cond(CannedRepliesState.can_manage, rx.hstack(
                rx.button("Edit", size="1", variant="soft", aria_label="Edit " + row["title"],
                          on_click=CannedRepliesState.edit(row["id"])),
                confirm_dialog(
                    rx.button("Delete", size="1", variant="soft", color_scheme="red",
                              aria_label="Delete " + row["title"]),
                    title="Delete this canned reply?",
                    description=rx.text("\u201c", row["title"], "\u201d is deleted for every agent. Replies "
                                        "already sent with it stay as they are."),
                    action_label="Delete",
                    on_confirm=CannedRepliesState.delete(row["id"]),
                ),
                spacing="2")),
            spacing="3", width="100%", align="start", wrap="wrap",
        ),
        style={"padding": "0.75em 0", "border-bottom": "1px solid var(--gray-a4)", "list-style": "none"},
    )


def _form() -> rx.Component:
    editing = CannedRepliesState.editing != ""
    body_error = CannedRepliesState.errors["body"].to(str)
    return rx.card(rx.form(
        rx.vstack(
            rx.heading(rx.cond(editing, "Edit the canned reply", "New canned reply"), size="4", as_="h2"),
            form_error(CannedRepliesState.error),
            text_field("Title", "title", CannedRepliesState.errors, field_id="canned-title",
                       max_length=canned_replies.TITLE_MAX, default_value=CannedRepliesState.draft_title,
                       hint=f"What agents pick it by; at most {canned_replies.TITLE_MAX} characters"),
            rx.vstack(
                rx.el.label("Text", html_for="canned-body", style=LABEL_STYLE),
                rx.text_area(id="canned-body", name="body", rows="8", max_length=canned_replies.BODY_MAX,
                             required=True, size="3", default_value=CannedRepliesState.draft_body,
                             aria_invalid=rx.cond(body_error, "true", "false"), aria_describedby="canned-body-help",
                             style=TEXTAREA_STYLE),
                field_message(CannedRepliesState.errors, "body", "canned-body", PLACEHOLDER_HINT),
                spacing="1", width="100%",
            ),
            rx.flex(
                rx.box(submit_button(rx.cond(editing, "Save changes", "Add canned reply"), "save_canned_reply"),
                       width="min(14em, 100%)"),
                rx.cond(editing, rx.button("Cancel", type="button", size="3", variant="soft", color_scheme="gray",
                                           on_click=CannedRepliesState.cancel_edit)),
                spacing="3", wrap="wrap", align="center",
            ),
            spacing="3", width="100%",
        ),
        on_submit=CannedRepliesState.save,
        key=CannedRepliesState.form_key,
        aria_label="Canned reply",
    ), width="100%")


def canned_replies_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Canned replies", size="7", as_="h1"),
        rx.text("Answers every agent can insert into a reply from a request's page, with the placeholders filled "
                "in for that request. Staff admins add, edit and delete them.", size="2", color_scheme="gray",
                high_contrast=True),
        rx.cond(CannedRepliesState.can_manage, _form()),
        rx.cond(
            CannedRepliesState.loaded,
            rx.cond(
                CannedRepliesState.total > 0,
                rx.vstack(
                    rx.el.ul(rx.foreach(CannedRepliesState.rows, _row), aria_label="Canned replies",
                             style={"padding": "0", "margin": "0", "width": "100%"}),
                    rx.cond(CannedRepliesState.pages > 1,
                            pager(CannedRepliesState.page, CannedRepliesState.pages, CannedRepliesState.position,
                                  CannedRepliesState.go_to)),
                    spacing="3", width="100%",
                ),
                rx.text("No canned replies yet.", color_scheme="gray", high_contrast=True),
            ),
            rx.skeleton(rx.box(height="6em", width="100%")),
        ),
        spacing="4", width="100%",
    )
