"""The document library: folders (with document counts), one folder's
documents (search, sort, upload several files with a progress bar each),
one document (preview, versions, a new version, delete), and the staff's
page (choose an organisation, browse it, share a document into several).

Previews: a PDF as images of its pages rendered on the server
(`/api/files/<id>/pages/<n>`, one page at a time with a pager), an image
in an <img> through the download route with `?preview=1` (inline,
sandboxing CSP, stored nowhere); a text file's first 64 KB as text in a
<pre>, never as HTML; anything else downloads."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, confirm_dialog, field_message, form_error, submit_button, text_field,
)
from portal_app.components.invoices import MUTED, table
from portal_app.components.pagination import pager
from portal_app.components.org_finder import org_chooser
from portal_app.services import documents
from portal_app.state.documents import (
    AUDIENCES, SHARE_INPUT, UPLOAD_INPUT, UPLOAD_LIST, VERSION_INPUT, DocumentsState, DocumentState,
    StaffDocumentsState,
)
from portal_app.state.session import SessionState

FILE_HELP = "Images, PDF, text or CSV files, office documents or zip archives."


def _folders(S) -> rx.Component:  # noqa: ANN001, N803 — a library state class
    def card(folder) -> rx.Component:  # noqa: ANN001
        return rx.el.li(rx.card(rx.flex(
            rx.icon("folder", size=20, aria_hidden="true"),
            rx.vstack(
                rx.button(folder["name"], variant="ghost", size="3", high_contrast=True,
                          on_click=S.open_folder(folder["id"]), style={"overflow-wrap": "anywhere"}),
                rx.text(folder["count"], " documents · ", folder["audience"], size="1", **MUTED),
                spacing="1", min_width="0"),
            spacing="3", align="center")), style={"list-style": "none"})

    return rx.cond(
        S.folders.length() > 0,
        rx.el.ul(rx.foreach(S.folders, card), aria_label="Folders",
                 style={"display": "grid", "grid-template-columns": "repeat(auto-fill, minmax(14em, 1fr))",
                        "gap": "0.75em", "padding": "0", "margin": "0", "width": "100%"}),
        rx.card(rx.vstack(rx.heading("No folders yet", size="4", as_="h2"),
                          rx.text("Folders shared between you and us appear here."), spacing="2")))


def _new_folder(S) -> rx.Component:  # noqa: ANN001, N803
    return rx.cond(S.can_manage, rx.card(rx.form(rx.vstack(
        rx.heading("New folder", size="3", as_="h2"),
        form_error(S.error),
        rx.flex(
            rx.box(text_field("Folder name", "name", S.errors, field_id="folder-name",
                              max_length=documents.FOLDER_NAME_MAX), flex="1", min_width="12em"),
            rx.vstack(
                rx.el.label("Who sees it", html_for="folder-audience", style=LABEL_STYLE),
                rx.el.select(*[rx.el.option(words, value=key) for key, words in AUDIENCES], id="folder-audience",
                             name="audience", aria_describedby="folder-audience-help", style=SELECT_STYLE),
                field_message(S.errors, "audience", "folder-audience"),
                spacing="1"),
            spacing="3", wrap="wrap", width="100%", align="start"),
        rx.box(submit_button("Create folder", "create_folder")),
        spacing="3", width="100%"), on_submit=S.create_folder, key="f" + S.form_key.to_string(), width="100%"),
        width="100%"))


def _upload(S) -> rx.Component:  # noqa: ANN001, N803
    uploading = SessionState.busy == "upload"
    return rx.vstack(
        rx.el.label("Upload files", html_for=UPLOAD_INPUT, style=LABEL_STYLE),
        rx.el.input(type="file", id=UPLOAD_INPUT, multiple=True, disabled=uploading,
                    on_change=lambda _: S.upload_files(), aria_describedby=f"{UPLOAD_INPUT}-help",
                    style={"max-width": "100%"}),
        rx.text("Several at once. A file with the name of a document here becomes its new version. " + FILE_HELP,
                id=f"{UPLOAD_INPUT}-help", size="1", **MUTED),
        rx.el.ul(id=UPLOAD_LIST, aria_label="Uploads", style={"padding": "0", "margin": "0", "width": "100%",
                                                             "list-style": "none"}),
        rx.cond(uploading, rx.text("Uploading…", size="2", role="status")),
        rx.foreach(S.upload_errors, lambda problem: rx.text(problem, color_scheme="red", size="2", role="alert")),
        spacing="1", width="100%")


def _folder_settings(S) -> rx.Component:  # noqa: ANN001, N803
    """Rename the open folder and set who sees it (those who manage folders)."""
    return rx.cond(S.can_manage, rx.el.details(
        rx.el.summary("Folder settings", style={"cursor": "pointer", "font-weight": "500"}),
        rx.form(rx.vstack(
            form_error(S.error),
            text_field("Folder name", "name", S.errors, field_id="rename-folder", default_value=S.folder["name"],
                       max_length=documents.FOLDER_NAME_MAX),
            rx.vstack(
                rx.el.label("Who sees it", html_for="rename-audience", style=LABEL_STYLE),
                rx.el.select(*[rx.el.option(words, value=key) for key, words in AUDIENCES], id="rename-audience",
                             name="audience", default_value=S.folder["audience_key"],
                             aria_describedby="rename-audience-help", style=SELECT_STYLE),
                field_message(S.errors, "audience", "rename-audience"),
                spacing="1"),
            rx.box(submit_button("Save folder", "save_folder")),
            spacing="3", width="100%"), on_submit=S.save_folder,
            key="r" + S.form_key.to_string() + S.folder["id"], width="100%", margin_top="0.5em"),
        style={"width": "100%"}))


def _folder(S) -> rx.Component:  # noqa: ANN001, N803
    def sort_button(key: str, words: str) -> rx.Component:
        current = S.sort == key
        return rx.button(words, size="2", variant=rx.cond(current, "solid", "soft"),
                         aria_pressed=rx.cond(current, "true", "false"), on_click=S.sort_by(key))

    return rx.vstack(
        rx.button(rx.icon("arrow-left", size=16, aria_hidden="true"), "All folders", variant="ghost", size="2",
                  on_click=S.close_folder),
        rx.heading(S.folder["name"], size="5", as_="h2", style={"overflow-wrap": "anywhere"}),
        rx.text("Seen by: ", S.folder["audience"], size="2", **MUTED),
        _folder_settings(S),
        _upload(S),
        rx.flex(
            rx.vstack(rx.el.label("Find by name", html_for="document-search", style=LABEL_STYLE),
                      rx.input(id="document-search", type="search", max_length=documents.NAME_MAX,
                               on_change=S.search.debounce(300)), spacing="1"),
            rx.flex(sort_button("name", "By name"), sort_button("date", "Newest first"), spacing="2",
                    role="group", aria_label="Sort"),
            spacing="3", wrap="wrap", align="end", width="100%"),
        rx.cond(
            S.docs.length() > 0,
            table(["Name", "Version", "Size", "Updated", "By"], S.docs, lambda d: [
                rx.link(d["name"], href=d["href"], weight="medium", high_contrast=True),
                d["version"], d["size"], d["updated"], d["by"]], "Documents", numeric=(1, 2)),
            rx.text(rx.cond(S.query != "", "No document has that in its name.",
                            "No documents here yet: upload the first one above."), **MUTED)),
        spacing="3", width="100%")


def _library(S) -> rx.Component:  # noqa: ANN001, N803
    return rx.cond(S.folder.contains("id"), _folder(S),
                   rx.vstack(_folders(S), _new_folder(S), spacing="4", width="100%"))


def documents_page() -> rx.Component:
    S = DocumentsState  # noqa: N806
    return rx.vstack(
        rx.heading("Documents", size="7", as_="h1"),
        rx.cond(S.loaded,
                rx.cond(S.refused != "", rx.callout(S.refused, icon="info", role="status", high_contrast=True),
                        _library(S)),
                rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")


# ---------------------------------------------------------------- one document

def _preview() -> rx.Component:
    S = DocumentState  # noqa: N806
    return rx.match(
        S.preview,
        ("pdf", rx.vstack(
            rx.image(src=S.pdf_page_href, alt=S.pdf_position + " of " + S.doc["name"],
                     style={"max-width": "100%", "height": "auto", "border": "1px solid var(--gray-a5)",
                            "background": "white"}),
            rx.cond(S.pdf_pages > 1, pager(S.pdf_page, S.pdf_pages, S.pdf_position, S.show_page),
                    rx.text(S.pdf_position, size="2", **MUTED)),
            spacing="2", width="100%")),
        ("pdf_none", rx.text("This PDF cannot be previewed here (it is protected, damaged or over 50 MB): "
                             "download it.", **MUTED)),
        ("image", rx.image(src=S.doc["preview_href"], alt="Preview of " + S.doc["name"],
                           style={"max-width": "100%", "height": "auto"})),
        ("text", rx.el.pre(S.text, tab_index=0, aria_label="Preview of " + S.doc["name"],
                           style={"white-space": "pre-wrap", "overflow-wrap": "anywhere", "max-height": "60vh",
                                  "overflow": "auto", "width": "100%", "padding": "0.75em",
                                  "border": "1px solid var(--gray-a5)", "border-radius": "6px"})),
        rx.text("No preview for this kind of file: download it.", **MUTED),
    )


def _new_version() -> rx.Component:
    S = DocumentState  # noqa: N806
    return rx.cond(S.can_upload, rx.card(rx.form(rx.vstack(
        rx.heading("Upload a new version", size="3", as_="h2"),
        form_error(S.error),
        rx.el.label("File", html_for=VERSION_INPUT, style=LABEL_STYLE),
        rx.el.input(type="file", id=VERSION_INPUT, required=True, aria_describedby=f"{VERSION_INPUT}-help",
                    style={"max-width": "100%"}),
        rx.text(FILE_HELP, id=f"{VERSION_INPUT}-help", size="1", **MUTED),
        rx.el.ul(id=UPLOAD_LIST, aria_label="Uploads", style={"padding": "0", "margin": "0", "width": "100%",
                                                             "list-style": "none"}),
        text_field("Note", "note", S.note_errors, field_id="version-note", required=False,
                   max_length=documents.NOTE_MAX, hint="What changed, for whoever reads the history"),
        rx.box(submit_button("Upload version", "upload_version", waiting=SessionState.busy == "upload")),
        spacing="2", width="100%"), on_submit=S.upload_version, key="v" + S.form_key.to_string(), width="100%"),
        width="100%"))


def document_page() -> rx.Component:
    S = DocumentState  # noqa: N806
    d = S.doc
    history = table(["Version", "By", "When", "Size", "Note", "Download"], S.versions, lambda v: [
        rx.text("Version ", v["number"], rx.cond(v["current"] != "", " (current)", "")),
        v["by"], v["when"], v["size"], v["note"],
        rx.link("Download", href=v["href"], reload_document=True, high_contrast=True,
                aria_label="Download version " + v["number"])], "Versions", numeric=(3,))
    found = rx.vstack(
        rx.link("Documents", href=d["back"], size="2"),
        rx.heading(d["name"], size="6", as_="h1", style={"overflow-wrap": "anywhere"}),
        rx.text("In ", d["folder"], " · version ", d["version"], size="2", **MUTED),
        rx.flex(
            rx.link(rx.button("Download", size="3"), href=d["href"], reload_document=True),
            rx.cond(S.can_manage, confirm_dialog(
                rx.button("Delete", size="3", variant="soft", color_scheme="red", high_contrast=True),
                title="Delete this document?",
                description="Every version of it is removed for everyone. This cannot be undone.",
                action_label="Delete document", on_confirm=S.delete)),
            spacing="3", wrap="wrap"),
        _preview(),
        rx.heading("History", size="4", as_="h2"),
        history,
        _new_version(),
        spacing="4", width="100%")
    missing = rx.vstack(
        rx.heading("Document not found", size="6", as_="h1"),
        rx.text("It may not exist, or its folder may not be shared with you."),
        rx.link("Back to documents", href=routes.DOCUMENTS),
        spacing="3")
    return rx.cond(S.loaded, rx.cond(S.found, found, missing), rx.skeleton(rx.box(height="12em", width="100%")))


# ---------------------------------------------------------------- staff

def _share_form() -> rx.Component:
    S = StaffDocumentsState  # noqa: N806
    return rx.card(rx.form(rx.vstack(
        rx.heading("Share a document", size="4", as_="h2"),
        rx.text("One file into a folder of this name in each organisation you tick (made for every member if "
                "it is missing). Each organisation gets its own copy and its members are told.", size="2"),
        form_error(S.share_error),
        rx.el.label("File", html_for=SHARE_INPUT, style=LABEL_STYLE),
        rx.el.input(type="file", id=SHARE_INPUT, required=True, style={"max-width": "100%"},
                    aria_describedby=f"{SHARE_INPUT}-help"),
        rx.text(FILE_HELP, id=f"{SHARE_INPUT}-help", size="1", **MUTED),
        rx.el.fieldset(
            rx.el.legend("Organisations", style=LABEL_STYLE),
            rx.cond(S.orgs.length() > 0,
                    # Keyed by organisation: when a new search changes the list, a tick stays with its
                    # organisation (or goes with it), never with whichever row takes its place.
                    rx.foreach(S.orgs, lambda o: rx.el.label(
                        rx.el.input(type="checkbox", name="org_" + o[0], id="share-org-" + o[0]), " ", o[1],
                        style={"display": "flex", "gap": "0.4em", "align-items": "center"}, key=o[0])),
                    rx.text("Find organisations above to choose from.", size="2", **MUTED)),
            field_message(S.share_errors, "orgs", "share-orgs"),
            style={"border": "none", "padding": "0", "margin": "0"}),
        text_field("Folder", "folder", S.share_errors, field_id="share-folder",
                   max_length=documents.FOLDER_NAME_MAX, default_value="Shared with you"),
        text_field("Note", "note", S.share_errors, field_id="share-note", required=False,
                   max_length=documents.NOTE_MAX),
        rx.box(submit_button("Share", "share_document", waiting=SessionState.busy == "upload")),
        spacing="2", width="100%"), on_submit=S.share, key="s" + S.share_key.to_string(), width="100%"),
        width="100%")


def staff_documents_page() -> rx.Component:
    S = StaffDocumentsState  # noqa: N806
    chooser = rx.form(rx.vstack(
        org_chooser(S, field_id="library-org", name="org"),
        rx.box(rx.button("Open library", type="submit", size="2")),
        spacing="2", width="100%"), on_submit=S.choose_org, width="100%")
    return rx.vstack(
        rx.heading("Documents", size="7", as_="h1"),
        rx.cond(S.loaded, rx.vstack(
            chooser,
            rx.cond(S.org_name != "", rx.vstack(
                rx.heading(S.org_name, size="5", as_="h2"),
                _library(S),
                spacing="3", width="100%")),
            _share_form(),
            spacing="5", width="100%"), rx.skeleton(rx.box(height="8em", width="100%"))),
        spacing="4", width="100%")
