"""Attaching files in a form: a labelled file input that uploads what is
chosen at once (state/files.py), a progress bar while it does, and the files
attached so far, each removable."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import LABEL_STYLE
from portal_app.services import files, tickets
from portal_app.services.formatting import format_size
from portal_app.settings import get_settings
from portal_app.state.session import SessionState


def _limits() -> str:
    kinds = files.KINDS[tickets.ATTACHMENT_KIND]
    return (f"Up to {tickets.MAX_ATTACHMENTS} files, at most {format_size(kinds.max_bytes(get_settings()))} each: "
            "images, PDF, text or CSV files, office documents or zip archives.")


def attachment_field(state) -> rx.Component:  # noqa: ANN001 — a state class with AttachmentsMixin
    def attached(item) -> rx.Component:  # noqa: ANN001 — a Var of one attachment
        return rx.el.li(
            rx.hstack(
                rx.icon("paperclip", size=16, aria_hidden="true"),
                rx.text(item["name"], " (", item["size"], ")", size="2", style={"overflow-wrap": "anywhere"},
                        min_width="0", flex="1"),
                rx.button("Remove", type="button", size="1", variant="soft", color_scheme="gray",
                          aria_label="Remove " + item["name"], on_click=state.remove_attachment(item["id"])),
                align="center", spacing="2", width="100%",
            ),
            style={"list-style": "none", "padding": "0.25em 0"},
        )

    uploading = SessionState.busy == "upload"
    return rx.vstack(
        rx.el.label("Attach files", html_for="attachment-files", style=LABEL_STYLE),
        rx.el.input(type="file", id="attachment-files", multiple=True, disabled=uploading,
                    on_change=lambda _: state.upload_files(), aria_describedby="attachment-files-help",
                    style={"max-width": "100%"}),
        rx.text(_limits(), id="attachment-files-help", size="1", color_scheme="gray", high_contrast=True),
        rx.el.progress(id="attachment-progress", max=100, value=0, hidden=True, aria_label="Upload progress",
                       style={"width": "100%"}),
        rx.cond(uploading, rx.text("Uploading…", size="2", role="status")),
        rx.foreach(state.upload_errors, lambda problem: rx.text(problem, color_scheme="red", size="2", role="alert")),
        rx.cond(state.attachments.length() > 0,
                rx.el.ul(rx.foreach(state.attachments, attached), aria_label="Attached files",
                         style={"padding": "0", "margin": "0", "width": "100%"})),
        spacing="1", width="100%",
    )


def attachment_links(items) -> rx.Component:  # noqa: ANN001 — a Var of a list of {name, size, href}
    """A message's files, each a download through the authorised route."""
    return rx.cond(
        items.length() > 0,
        rx.el.ul(
            rx.foreach(items, lambda f: rx.el.li(
                rx.link(rx.hstack(rx.icon("paperclip", size=14, aria_hidden="true"), f["name"], spacing="1",
                                  align="center"), href=f["href"], size="2", high_contrast=True,
                        reload_document=True),  # a download the browser fetches, not a route of the page
                rx.text(" ", f["size"], as_="span", size="1", color_scheme="gray", high_contrast=True),
                style={"list-style": "none", "display": "flex", "gap": "0.4em", "align-items": "center",
                       "overflow-wrap": "anywhere"})),
            aria_label="Attachments", style={"padding": "0", "margin": "0"},
        ),
    )
