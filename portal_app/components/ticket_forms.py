"""Support categories and their intake forms (staff admins): the categories
with their order and archive/restore, one category's details and questions,
the question form, and the customer's form as a preview (the very
component the customer answers, `tickets.question_field`)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, confirm_dialog, field_message, form_error, submit_button, text_field,
)
from portal_app.components.tickets import question_field
from portal_app.services import ticket_forms
from portal_app.services.tickets import FIELD_KINDS
from portal_app.state.ticket_forms import TicketFormsState as S

ROW_STYLE = {"padding": "0.6em 0", "border-bottom": "1px solid var(--gray-a4)", "list-style": "none"}
LIST_STYLE = {"padding": "0", "margin": "0", "width": "100%"}


def _tick(label: str, name: str, field_id: str, checked) -> rx.Component:  # noqa: ANN001 — a bool Var or bool
    return rx.el.label(rx.checkbox(name=name, id=field_id, default_checked=checked), label, html_for=field_id,
                       style={"display": "flex", "gap": "0.5em", "align-items": "center", "font-size": "0.95em"})


def _small(*children, **props) -> rx.Component:  # noqa: ANN002, ANN003
    return rx.text(*children, size="1", color_scheme="gray", high_contrast=True, **props)


def _move_buttons(what, on_up, on_down) -> rx.Component:  # noqa: ANN001 — a Var of the row's name, two events
    return rx.fragment(
        rx.icon_button(rx.icon("arrow-up", size=16), size="1", variant="soft", color_scheme="gray",
                       aria_label="Move " + what + " up", on_click=on_up),
        rx.icon_button(rx.icon("arrow-down", size=16), size="1", variant="soft", color_scheme="gray",
                       aria_label="Move " + what + " down", on_click=on_down),
    )


# ---------------------------------------------------------------- categories

def _category_row(row) -> rx.Component:  # noqa: ANN001 — a Var of one category dict
    archived = row["archived"] == "yes"
    return rx.el.li(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(row["name"], weight="medium", style={"overflow-wrap": "anywhere"}),
                    rx.cond(archived, rx.badge("Archived", color_scheme="gray", variant="solid")),
                    rx.cond(row["billing"] == "yes", rx.badge("Billing", color_scheme="amber", variant="soft",
                                                              high_contrast=True)),
                    rx.cond(row["priority"] == "yes", rx.badge("Customer picks priority", variant="soft",
                                                               high_contrast=True)),
                    spacing="2", wrap="wrap", align="center"),
                rx.cond(row["description"] != "", _small(row["description"], style={"overflow-wrap": "anywhere"})),
                _small(row["questions"], " · ", row["tickets"]),
                spacing="1", min_width="0", flex="1 1 16em",
            ),
            rx.flex(
                rx.button("Edit", size="1", variant=rx.cond(S.selected == row["id"], "solid", "soft"),
                          aria_label="Edit " + row["name"], on_click=S.open_category(row["id"])),
                _move_buttons(row["name"], S.move_category(row["id"], "up"), S.move_category(row["id"], "down")),
                rx.cond(
                    archived,
                    rx.button("Restore", size="1", variant="soft", aria_label="Restore " + row["name"],
                              on_click=S.restore_category(row["id"])),
                    confirm_dialog(
                        rx.button("Archive", size="1", variant="soft", color_scheme="red",
                                  aria_label="Archive " + row["name"]),
                        title="Archive this category?",
                        description=rx.text("Customers will no longer be able to choose \u201c", row["name"],
                                            "\u201d. Requests already raised in it keep it, and you can "
                                            "restore it at any time."),
                        action_label="Archive", on_confirm=S.archive_category(row["id"])),
                ),
                spacing="2", align="center", wrap="wrap",
            ),
            spacing="3", wrap="wrap", align="center", width="100%",
        ),
        style=ROW_STYLE,
    )


def _add_category() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Add a category", size="3", as_="h3"),
            form_error(S.add_error),
            text_field("Name", "name", S.add_errors, field_id="category-new-name", max_length=ticket_forms.NAME_MAX,
                       hint="What customers choose, e.g. \u201cWarranty claim\u201d"),
            text_field("Description", "description", S.add_errors, field_id="category-new-description",
                       max_length=ticket_forms.DESCRIPTION_MAX, required=False,
                       hint="Shown under the choice: when to pick it (optional)"),
            _tick("Customers choose a priority", "allows_priority", "category-new-priority", True),
            _tick("Billing category (billing members of the organisation see its requests)", "billing",
                  "category-new-billing", False),
            rx.box(submit_button("Add category", "add_category"), width="min(14em, 100%)"),
            spacing="3", width="100%",
        ),
        on_submit=S.add_category, key=S.add_key, aria_label="Add a category", width="100%",
    )


def _categories() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Categories", size="5", as_="h2"),
        _small("Customers choose one of these, in this order, when they raise a request. A category that requests "
               "use is never deleted: archive it and it is no longer offered, while its requests keep it."),
        rx.el.ul(rx.foreach(S.categories, _category_row), aria_label="Categories", style=LIST_STYLE),
        _add_category(),
        spacing="3", width="100%",
    ), width="100%")


# ---------------------------------------------------------------- one category

def _details() -> rx.Component:
    c = S.category
    return rx.form(
        rx.vstack(
            rx.heading("Details", size="3", as_="h3"),
            form_error(S.category_error),
            text_field("Name", "name", S.category_errors, field_id="category-name", max_length=ticket_forms.NAME_MAX,
                       default_value=c["name"]),
            text_field("Description", "description", S.category_errors, field_id="category-description",
                       max_length=ticket_forms.DESCRIPTION_MAX, required=False, default_value=c["description"]),
            _tick("Customers choose a priority", "allows_priority", "category-priority", c["priority"] == "yes"),
            _tick("Billing category (billing members of the organisation see its requests)", "billing",
                  "category-billing", c["billing"] == "yes"),
            rx.box(submit_button("Save category", "save_category"), width="min(14em, 100%)"),
            spacing="3", width="100%",
        ),
        on_submit=S.save_category, key=S.category_key, aria_label="Category details", width="100%",
    )


def _question_row(row) -> rx.Component:  # noqa: ANN001 — a Var of one question dict
    return rx.el.li(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(row["label"], weight="medium", style={"overflow-wrap": "anywhere"}),
                    rx.cond(row["required"] == "yes", rx.badge("Required", variant="soft", high_contrast=True)),
                    rx.cond(row["internal"] == "yes", rx.badge("Agents only", color_scheme="orange",
                                                               variant="solid")),
                    spacing="2", wrap="wrap", align="center"),
                _small(row["kind"], " · ", row["answers"]),
                spacing="1", min_width="0", flex="1 1 14em",
            ),
            rx.flex(
                rx.button("Edit", size="1", variant=rx.cond(S.editing == row["id"], "solid", "soft"),
                          aria_label="Edit question " + row["label"], on_click=S.edit_question(row["id"])),
                _move_buttons("question " + row["label"], S.move_question(row["id"], "up"),
                              S.move_question(row["id"], "down")),
                confirm_dialog(
                    rx.button("Remove", size="1", variant="soft", color_scheme="red",
                              aria_label="Remove question " + row["label"]),
                    title="Remove this question?",
                    description=rx.text("New requests will no longer ask \u201c", row["label"], "\u201d. Requests "
                                        "that already answered it keep their answer (", row["answers"], ")."),
                    action_label="Remove", on_confirm=S.remove_question(row["id"])),
                spacing="2", align="center", wrap="wrap",
            ),
            spacing="3", wrap="wrap", align="center", width="100%",
        ),
        style=ROW_STYLE,
    )


def _archived_row(row) -> rx.Component:  # noqa: ANN001
    return rx.el.li(
        rx.flex(
            rx.vstack(rx.text(row["label"], style={"overflow-wrap": "anywhere"}),
                      _small(row["kind"], " · ", row["answers"]), spacing="1", min_width="0", flex="1"),
            rx.button("Restore", size="1", variant="soft", aria_label="Restore question " + row["label"],
                      on_click=S.restore_question(row["id"])),
            spacing="3", wrap="wrap", align="center", width="100%",
        ),
        style=ROW_STYLE,
    )


def _question_form() -> rx.Component:
    q = S.question
    editing = S.editing != ""
    options_error = S.question_errors["options"].to(str)
    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(editing, "Edit the question", "Add a question"), size="3", as_="h3"),
            form_error(S.question_error),
            rx.vstack(
                rx.el.label("Kind of answer", html_for="question-kind", style=LABEL_STYLE),
                rx.el.select(*[rx.el.option(words, value=key) for key, words in FIELD_KINDS.items()],
                             id="question-kind", name="kind", default_value=q["kind"],
                             aria_describedby="question-kind-help", style={**SELECT_STYLE, "width": "100%"}),
                field_message(S.question_errors, "kind", "question-kind"),
                spacing="1", width="100%",
            ),
            text_field("Question", "label", S.question_errors, field_id="question-label",
                       max_length=ticket_forms.LABEL_MAX, default_value=q["label"],
                       hint="As the customer reads it, e.g. \u201cWhich product?\u201d"),
            text_field("Help text", "help_text", S.question_errors, field_id="question-help",
                       max_length=ticket_forms.HELP_MAX, required=False, default_value=q["help_text"],
                       hint="Shown under the question (optional)"),
            rx.vstack(
                rx.el.label("Answers to choose from", html_for="question-options", style=LABEL_STYLE),
                rx.text_area(id="question-options", name="options", rows="4", size="3", default_value=q["options"],
                             max_length=ticket_forms.OPTIONS_TEXT_MAX, aria_describedby="question-options-help",
                             aria_invalid=rx.cond(options_error, "true", "false"),
                             style={**TEXTAREA_STYLE, "min-height": "6em"}),
                field_message(S.question_errors, "options", "question-options",
                              f"For \u201c{FIELD_KINDS['select']}\u201d only: one answer per line, at most "
                              f"{ticket_forms.MAX_OPTIONS}, each at most {ticket_forms.OPTION_MAX} characters"),
                spacing="1", width="100%",
            ),
            _tick("Required: the customer must answer it", "required", "question-required", q["required"] == "yes"),
            _tick("Agents only: never asked of or shown to the customer", "internal", "question-internal",
                  q["internal"] == "yes"),
            rx.flex(
                rx.box(submit_button(rx.cond(editing, "Save question", "Add question"), "save_question"),
                       width="min(14em, 100%)"),
                rx.cond(editing, rx.button("Cancel", type="button", size="3", variant="soft", color_scheme="gray",
                                           on_click=S.cancel_question)),
                spacing="3", wrap="wrap",
            ),
            spacing="3", width="100%",
        ),
        on_submit=S.save_question, key=S.question_key, aria_label="Add or edit a question", width="100%",
    )


def _editor() -> rx.Component:
    return rx.card(rx.vstack(
        rx.flex(
            rx.heading("Category \u201c", S.category["name"], "\u201d", size="5", as_="h2",
                       style={"overflow-wrap": "anywhere"}),
            rx.cond(S.category["archived"] == "yes", rx.badge("Archived", color_scheme="gray", variant="solid")),
            rx.spacer(),
            rx.button("Close", size="2", variant="soft", color_scheme="gray", on_click=S.close_category),
            width="100%", align="center", spacing="2", wrap="wrap",
        ),
        _details(),
        rx.divider(),
        rx.heading("Questions", size="3", as_="h3"),
        rx.cond(S.questions.length() > 0,
                rx.el.ol(rx.foreach(S.questions, _question_row), aria_label="Questions", style=LIST_STYLE),
                _small("No questions yet: customers write a subject and a description.")),
        _question_form(),
        rx.cond(S.archived.length() > 0, rx.vstack(
            rx.heading("Removed questions", size="3", as_="h3"),
            _small("No longer asked. Requests that answered them still show the answers; restore one to ask "
                   "it again."),
            rx.el.ul(rx.foreach(S.archived, _archived_row), aria_label="Removed questions", style=LIST_STYLE),
            spacing="2", width="100%")),
        spacing="4", width="100%",
    ), width="100%")


def _preview() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Preview: what the customer fills in", size="5", as_="h2"),
        _small("The questions as they appear on \u201cRaise a request\u201d after the customer chooses this category "
               "(agents-only questions are never shown). The preview cannot be sent."),
        rx.cond(S.preview.length() > 0,
                rx.el.fieldset(
                    rx.el.legend("Preview of the request form", class_name="rt-sr-only",
                                 style={"position": "absolute", "width": "1px", "height": "1px",
                                        "overflow": "hidden"}),
                    rx.vstack(rx.foreach(S.preview, lambda f: question_field(f, errors=S.preview_errors, live=False)),
                              spacing="4", width="100%"),
                    disabled=True, style={"border": "none", "padding": "0", "margin": "0", "width": "100%",
                                          "min-width": "0"}),
                _small("This category asks the customer no questions of its own.")),
        spacing="3", width="100%",
    ), width="100%", role="region", aria_label="Preview of the customer's form")


def ticket_forms_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Support categories and forms", size="7", as_="h1"),
        rx.text("What customers choose when they raise a request, and the questions each choice asks.",
                size="2", color_scheme="gray", high_contrast=True),
        rx.cond(S.loaded, rx.fragment(
            _categories(),
            rx.cond(S.selected != "", rx.fragment(_editor(), _preview())),
        ), rx.skeleton(rx.box(height="12em", width="100%"))),
        spacing="4", width="100%",
    )
