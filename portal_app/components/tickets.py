"""Support requests: the list with its filters, the form that raises one,
and a ticket's page (conversation, reply box, actions)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import (
    LABEL_STYLE, SELECT_STYLE, TEXTAREA_STYLE, confirm_dialog, field_message, form_error, link_button, submit_button,
    text_field, textarea_field,
)
from portal_app.components.canned_replies import canned_reply_picker
from portal_app.components.csat import rating_badge, rating_panel
from portal_app.components.files import attachment_field, attachment_links
from portal_app.components.pagination import pager
from portal_app.components.sla import sla_badge, sla_words
from portal_app.components.ticket_merge import merge_dialog, merged_notice
from portal_app.services import ticket_lists, tickets
from portal_app.state.session import SessionState
from portal_app.state.tickets import NewTicketState, TicketListState, TicketState

MARKDOWN_HINT = "Markdown works: **bold**, *italic*, lists, `code`, [links](https://example.com)."
MENTION_HINT = "Type @ and a name to notify someone."  # services/mentions.py


def status_badge(words, colour) -> rx.Component:  # noqa: ANN001 — Vars
    return rx.badge(words, color_scheme=colour, variant="soft", high_contrast=True)


# ---------------------------------------------------------------- the list

def _native_select(label: str, name: str, options: list, *, field_id: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style=LABEL_STYLE),
        rx.el.select(*options, id=field_id, name=name, style={**SELECT_STYLE, "width": "100%"}),
        spacing="1", min_width="10em", flex="1",
    )


def _filters() -> rx.Component:
    statuses = [rx.el.option("Any status", value=""), rx.el.option("Open (us or you)", value="active")] + [
        rx.el.option(words, value=key) for key, words in tickets.STATUSES.items()]
    categories = [rx.el.option("Any category", value=""),
                  rx.foreach(TicketListState.categories, lambda c: rx.el.option(c["name"], value=c["id"]))]
    priorities = [rx.el.option("Any priority", value="")] + [
        rx.el.option(words, value=key) for key, words in tickets.PRIORITIES.items()]
    sorts = [rx.el.option(words, value=key) for key, (words, _) in ticket_lists.SORTS.items()]
    return rx.form(
        rx.flex(
            rx.box(text_field("Search", "q", TicketListState.errors, field_id="ticket-search", required=False,
                              max_length=ticket_lists.SEARCH_MAX, hint="Words of the subject, or a number like T-1042"),
                   flex="2", min_width="12em"),
            _native_select("Status", "status", statuses, field_id="ticket-status"),
            _native_select("Category", "category", categories, field_id="ticket-category"),
            _native_select("Priority", "priority", priorities, field_id="ticket-priority-filter"),
            _native_select("Order", "sort", sorts, field_id="ticket-sort"),
            rx.cond(TicketListState.is_staff, rx.fragment(
                rx.box(text_field("Organisation", "org", TicketListState.errors, field_id="ticket-org", required=False,
                                  max_length=ticket_lists.ORG_FILTER_MAX, hint="Words of its name"),
                       flex="1", min_width="10em"),
                _native_select("Assignee", "assignee", [
                    rx.el.option("Anyone", value=""), rx.el.option("Nobody (unassigned)", value="none"),
                    rx.foreach(TicketListState.agents, lambda a: rx.el.option(a["name"], value=a["id"]))],
                    field_id="ticket-assignee"))),
            rx.cond(~TicketListState.is_staff, rx.vstack(
                rx.el.label(rx.checkbox(name="mine", id="ticket-mine"), " Raised by me",
                            html_for="ticket-mine", style={"display": "flex", "gap": "0.4em"}),
                rx.el.label(rx.checkbox(name="following", id="ticket-following"), " Following",
                            html_for="ticket-following", style={"display": "flex", "gap": "0.4em"}),
                spacing="1", justify="end")),
            rx.box(rx.button("Apply", type="submit", size="3", variant="soft"), align_self="end"),
            spacing="3", wrap="wrap", width="100%", align="start",
        ),
        on_submit=TicketListState.apply,
        aria_label="Filter requests",
        width="100%",
    )


def _queues() -> rx.Component:
    """The agent console's queues, each with its live count."""
    def queue(name: str, words: str) -> rx.Component:
        current = TicketListState.queue == name
        count = TicketListState.counts[name].to(int)
        return rx.button(words, rx.badge(count.to_string(), variant="solid", color_scheme="gray",
                                         high_contrast=True),
                         variant=rx.cond(current, "solid", "soft"), aria_pressed=rx.cond(current, "true", "false"),
                         on_click=TicketListState.show_queue(name), size="2")

    everything = TicketListState.queue == ""
    return rx.flex(
        *[queue(name, words) for name, words in ticket_lists.QUEUE_WORDS.items()],
        rx.button("Everything", variant=rx.cond(everything, "solid", "soft"),
                  aria_pressed=rx.cond(everything, "true", "false"), on_click=TicketListState.show_queue(""),
                  size="2"),
        spacing="2", wrap="wrap", role="group", aria_label="Queues",
    )


def _bulk_bar() -> rx.Component:
    count = TicketListState.selected.length()
    busy_now = SessionState.busy == "bulk"
    actions = [("Assign to me", "assign_to_me"), ("Unassign", "unassign"), ("Mark resolved", "resolve"),
               ("Waiting on the customer", "waiting")]
    return rx.cond(count > 0, rx.card(rx.flex(
        rx.text(count.to_string(), " selected", weight="medium", size="2"),
        *[rx.button(words, size="2", variant="soft", loading=busy_now, disabled=busy_now,
                    on_click=TicketListState.bulk(action)) for words, action in actions],
        spacing="2", wrap="wrap", align="center"), width="100%", role="region", aria_label="Bulk actions"))


def _row(row) -> rx.Component:  # noqa: ANN001 — a Var of one row dict
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.cond(TicketListState.is_staff, rx.checkbox(
                    checked=TicketListState.selected.contains(row["number"]),
                    on_change=lambda _: TicketListState.toggle(row["number"]),
                    aria_label="Select " + row["label"], margin_top="0.2em")),
                rx.link(row["label"], " · ", row["subject"], href=row["href"], weight="medium", high_contrast=True,
                        style={"overflow-wrap": "anywhere"}),
                rx.spacer(),
                sla_badge(row["sla_flag"]),
                rx.cond(row["rating"] != "", rating_badge(row["rating"])),
                status_badge(row["status"], row["status_colour"]),
                width="100%", align="start", spacing="2",
            ),
            rx.text(row["category"], " · ", row["priority"], " priority · ",
                    rx.cond(TicketListState.is_staff, row["org"] + " · ", ""), row["raised_by"], " · ", row["when"],
                    rx.cond(TicketListState.is_staff,
                            rx.cond(row["assignee"] != "", " · with " + row["assignee"], " · unassigned"), ""),
                    size="1", color_scheme="gray", high_contrast=True),
            sla_words(row["sla"]),
            spacing="1", width="100%",
        ),
        style={"padding": "0.75em 0", "border-bottom": "1px solid var(--gray-a4)", "list-style": "none"},
    )


def _empty() -> rx.Component:
    filtered = (TicketListState.filters.length() > 0) | TicketListState.mine | TicketListState.following
    return rx.cond(
        filtered,
        rx.text("No request matches these filters.", color_scheme="gray", high_contrast=True),
        rx.card(rx.vstack(
            rx.heading("No requests yet", size="4", as_="h2"),
            rx.text(rx.cond(TicketListState.is_staff, "When a customer raises a request, it appears here.",
                            "Something not working, a question about an invoice, a change you need? Raise a "
                            "request and follow it here; we reply in the portal and by email.")),
            rx.cond(~TicketListState.is_staff,
                    rx.flex(link_button("Raise a request", routes.NEW_TICKET),
                            rx.link("Or find an answer in the help centre", href=routes.HELP, size="2"),
                            spacing="3", align="center", wrap="wrap")),
            spacing="3", align="start")),
    )


def ticket_list() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading("Support requests", size="7", as_="h1"),
            rx.spacer(),
            rx.cond(~TicketListState.is_staff, link_button("Raise a request", routes.NEW_TICKET)),
            width="100%", align="center", spacing="3", wrap="wrap",
        ),
        rx.cond(TicketListState.can_share, rx.el.label(
            rx.switch(checked=TicketListState.shared, on_change=TicketListState.set_shared, id="tickets-shared"),
            rx.text("Every member sees all of the organisation's requests (otherwise: the ones they raised or "
                    "follow; owners and admins always see all)", size="2"),
            html_for="tickets-shared", style={"display": "flex", "gap": "0.6em", "align-items": "center"})),
        rx.cond(TicketListState.is_staff, _queues()),
        _filters(),
        form_error(TicketListState.error),
        rx.cond(TicketListState.is_staff, _bulk_bar()),
        rx.cond(
            TicketListState.loaded,
            rx.cond(
                TicketListState.total > 0,
                rx.vstack(
                    rx.el.ul(rx.foreach(TicketListState.rows, _row), aria_label="Requests",
                             style={"padding": "0", "margin": "0", "width": "100%"}),
                    rx.cond(TicketListState.pages > 1, pager(TicketListState.page, TicketListState.pages,
                                                             TicketListState.position, TicketListState.go_to)),
                    width="100%", spacing="3",
                ),
                _empty(),
            ),
            rx.skeleton(rx.box(height="8em", width="100%")),
        ),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- raising one

def _file_question(field, *, live: bool) -> rx.Component:  # noqa: ANN001 — a Var of one question dict
    """A file question: a file input that uploads the chosen file at once
    (as an attachment upload: state `upload_answer`), a progress bar and
    "Uploading…" while it does, then the file's name with a button to remove
    it. The input has no form name (the answer is the upload kept on the
    server) and no `required` (it is emptied after each upload): the
    server says when a required one is missing. `live=False`: the staff's
    preview, which uploads nothing."""
    name = field["name"]
    error = NewTicketState.errors[name].to(str) if live else ""
    control = rx.el.input(
        type="file", id=name, aria_describedby=name + "-help", aria_required=rx.cond(field["required"] == "yes",
                                                                                  "true", "false"),
        aria_invalid=rx.cond(error, "true", "false"), style={"max-width": "100%"},
        **({"disabled": NewTicketState.answer_uploading != "",
            "on_change": lambda _: NewTicketState.upload_answer(name)} if live else {"disabled": True}))
    if not live:
        return control
    chosen = rx.hstack(
        rx.icon("paperclip", size=16, aria_hidden="true"),
        rx.text(field["file_name"], " (", field["file_size"], ")", size="2", style={"overflow-wrap": "anywhere"},
                min_width="0", flex="1"),
        rx.button("Remove", type="button", size="1", variant="soft", color_scheme="gray",
                  aria_label="Remove " + field["file_name"], on_click=NewTicketState.remove_answer_file(name)),
        align="center", spacing="2", width="100%",
    )
    return rx.vstack(
        control,
        rx.el.progress(id=name + "-progress", max=100, value=0, hidden=True, aria_label="Upload progress",
                       style={"width": "100%"}),
        rx.cond(NewTicketState.answer_uploading == name, rx.text("Uploading…", size="2", role="status")),
        rx.cond(field["file_id"] != "", chosen),
        spacing="1", width="100%",
    )


def question_field(field, *, errors=NewTicketState.errors, live: bool = True) -> rx.Component:  # noqa: ANN001
    """One question of a category's form as the customer answers it (also
    the staff's preview of the form: `live=False`, with the preview's
    `errors`)."""
    name, required = field["name"], field["required"] == "yes"
    error = errors[name].to(str)
    common = {"id": name, "name": name, "required": required, "aria_describedby": name + "-help",
              "aria_invalid": rx.cond(error, "true", "false")}
    control = rx.match(
        field["kind"],
        ("long_text", rx.text_area(rows="4", max_length=5000, size="3", style=TEXTAREA_STYLE, **common)),
        ("number", rx.input(type="number", step="any", size="3", width="min(12em, 100%)", **common)),
        ("date", rx.input(type="date", size="3", width="min(12em, 100%)", **common)),
        ("select", rx.el.select(rx.el.option("Choose…", value=""),
                                rx.foreach(field["options"].split("\n"), lambda o: rx.el.option(o, value=o)),
                                style={**SELECT_STYLE, "width": "100%"}, **common)),
        ("checkbox", rx.checkbox(**common)),
        ("file", _file_question(field, live=live)),
        rx.input(max_length=200, size="3", width="100%", **common),
    )
    return rx.vstack(
        rx.el.label(field["label"], rx.cond(required, "", " (optional)"), html_for=name, style=LABEL_STYLE),
        control,
        field_message(errors, name, name, field["help"]),
        spacing="1", width="100%",
    )


def suggestions() -> rx.Component:
    """Articles that may already answer the request, under its subject (a
    polite live region: a screen reader hears them arrive)."""
    return rx.box(
        rx.cond(
            NewTicketState.suggestions.length() > 0,
            rx.callout.root(rx.vstack(
                rx.text("These articles may answer it (they open in a new tab):", size="2", weight="medium"),
                rx.el.ul(rx.foreach(NewTicketState.suggestions, lambda hit: rx.el.li(
                    rx.link(hit["title"], href=hit["href"], is_external=True, high_contrast=True),
                    rx.cond(hit["category"], rx.text(" · ", hit["category"], as_="span", size="1",
                                                     color_scheme="gray", high_contrast=True)),
                )), style={"margin": "0", "padding-left": "1.2em"}),
                spacing="1", width="100%",
            ), color="blue", size="1", width="100%"),
        ),
        id="ticket-suggestions", aria_live="polite", width="100%",
    )


def new_ticket_form() -> rx.Component:
    priority = rx.vstack(
        rx.el.label("Priority", html_for="ticket-priority", style=LABEL_STYLE),
        rx.el.select(*[rx.el.option(words, value=key) for key, words in tickets.PRIORITIES.items()],
                     id="ticket-priority", name="priority", default_value=tickets.DEFAULT_PRIORITY,
                     style=SELECT_STYLE),
        spacing="1",
    )
    return rx.vstack(
        rx.heading("Raise a request", size="7", as_="h1"),
        rx.link("Back to your requests", href=routes.TICKETS, size="2"),
        rx.card(rx.form(
            rx.vstack(
                form_error(NewTicketState.error),
                rx.vstack(
                    rx.el.label("What is it about?", html_for="ticket-category-new", style=LABEL_STYLE),
                    rx.el.select(
                        rx.el.option("Choose…", value=""),
                        rx.foreach(NewTicketState.categories, lambda c: rx.el.option(c["name"], value=c["id"])),
                        id="ticket-category-new", name="category", required=True,
                        on_change=NewTicketState.choose, aria_describedby="ticket-category-new-help",
                        style={**SELECT_STYLE, "width": "100%"},
                    ),
                    field_message(NewTicketState.errors, "category", "ticket-category-new",
                                  NewTicketState.category_help),
                    spacing="1", width="100%",
                ),
                text_field("Subject", "subject", NewTicketState.errors, field_id="ticket-subject",
                           max_length=tickets.SUBJECT_MAX, hint="A few words that say what is wrong or needed",
                           on_change=NewTicketState.suggest.debounce(400)),
                suggestions(),
                rx.cond(NewTicketState.allows_priority, priority),
                rx.foreach(NewTicketState.fields, lambda field: question_field(field)),
                textarea_field("Description", "body", NewTicketState.errors, field_id="ticket-body",
                               hint=MARKDOWN_HINT, max_length=tickets.BODY_MAX),
                attachment_field(NewTicketState),
                rx.box(submit_button("Send request", "raise_ticket",
                                     waiting=(SessionState.busy == "upload") | (NewTicketState.answer_uploading != "")),
                       width="min(14em, 100%)"),
                spacing="4", width="100%",
            ),
            on_submit=NewTicketState.submit,
        ), width="100%"),
        spacing="4", width="100%",
    )


# ---------------------------------------------------------------- one ticket

def _message(message) -> rx.Component:  # noqa: ANN001 — a Var of one message dict
    internal = message["internal"] == "yes"
    return rx.el.li(
        rx.card(rx.vstack(
            rx.hstack(
                rx.text(message["author"], weight="bold", size="2"),
                rx.cond(message["side"] == "staff", rx.badge("Support team", color_scheme="indigo", variant="soft",
                                                              high_contrast=True)),
                rx.cond(internal, rx.badge("Internal note", color_scheme="orange", variant="solid")),
                rx.spacer(),
                rx.text(message["when"], size="1", color_scheme="gray", high_contrast=True),
                width="100%", align="center", wrap="wrap", spacing="2",
            ),
            rx.box(rx.html(message["html"]), class_name="ticket-message", width="100%",
                   style={"overflow-wrap": "anywhere"}),
            attachment_links(message["files"].to(list[dict[str, str]])),
            spacing="2", width="100%",
        ), width="100%", style=rx.cond(internal, {"background": "var(--orange-a3)"}, {})),
        style={"list-style": "none", "margin-bottom": "0.75em"},
    )


def _reply_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Reply", size="4", as_="h2"),
            form_error(TicketState.error),
            rx.cond(TicketState.can_note, canned_reply_picker()),
            textarea_field("Your reply", "body", TicketState.errors, field_id="reply-body", rows="5",
                           hint=f"{MARKDOWN_HINT} {MENTION_HINT}", max_length=tickets.BODY_MAX),
            rx.cond(~TicketState.can_note, attachment_field(TicketState)),
            rx.cond(TicketState.can_note, rx.el.label(
                rx.checkbox(name="internal", id="reply-internal"), " Internal note (staff only, never shown to "
                "the customer)", html_for="reply-internal", style={"display": "flex", "gap": "0.4em"})),
            rx.box(submit_button("Send reply", "reply"), width="min(14em, 100%)"),
            spacing="3", width="100%",
        ),
        on_submit=TicketState.reply,
        key=TicketState.reply_key,
        width="100%",
    )


def _actions() -> rx.Component:
    close = confirm_dialog(rx.button("Close request", variant="soft", color_scheme="gray"),
                           title="Close this request?",
                           description="Close it when it is settled. You can reopen it within "
                                       f"{tickets.reopen_days()} days.",
                           action_label="Close request", on_confirm=TicketState.close)
    return rx.flex(
        rx.cond(TicketState.can_close, close),
        rx.cond(TicketState.can_reopen, rx.button("Reopen", variant="soft", on_click=TicketState.reopen)),
        rx.cond(~TicketState.can_note, rx.cond(
            TicketState.following,
            rx.button("Stop following", variant="soft", color_scheme="gray", on_click=TicketState.unfollow),
            rx.button("Follow", variant="soft", color_scheme="gray", on_click=TicketState.follow))),
        rx.cond(TicketState.can_note, rx.cond(
            TicketState.ticket["mine"] == "yes",
            rx.button("Unassign", variant="soft", color_scheme="gray", on_click=TicketState.release),
            rx.button("Assign to me", variant="soft", on_click=TicketState.take))),
        rx.cond(TicketState.can_note, rx.select.root(
            rx.select.trigger(aria_label="Priority"),
            rx.select.content(*[rx.select.item(words, value=key) for key, words in tickets.PRIORITIES.items()]),
            value=TicketState.ticket["priority_key"], on_change=TicketState.set_priority)),
        rx.cond(TicketState.can_note, rx.select.root(
            rx.select.trigger(aria_label="Category"),
            rx.select.content(rx.foreach(TicketState.categories, lambda c: rx.select.item(c[1], value=c[0]))),
            value=TicketState.ticket["category_id"], on_change=TicketState.set_category)),
        rx.cond(TicketState.can_note, rx.select.root(
            rx.select.trigger(aria_label="Status"),
            rx.select.content(rx.foreach(TicketState.statuses, lambda s: rx.select.item(s[1], value=s[0]))),
            value=TicketState.ticket["status_key"], on_change=TicketState.set_status)),
        rx.cond(TicketState.can_note, merge_dialog()),
        spacing="2", wrap="wrap",
    )


def _answer_file(qa) -> rx.Component:  # noqa: ANN001 — a Var of one answer dict
    """A file question's answer: the file's name, a download through the authorised route."""
    return rx.hstack(
        rx.link(rx.hstack(rx.icon("paperclip", size=14, aria_hidden="true"), qa["answer"], spacing="1",
                          align="center"), href=qa["href"], high_contrast=True,
                reload_document=True),  # the browser fetches it (a download), not the page's router
        rx.text(qa["size"], as_="span", size="1", color_scheme="gray", high_contrast=True),
        spacing="2", align="center", wrap="wrap",
    )


def _details() -> rx.Component:
    t = TicketState.ticket
    return rx.text(
        t["category"], " · ", t["priority"], " priority · raised by ", t["raised_by"],
        rx.cond(TicketState.can_note, " of " + t["org"], ""), " on ", t["opened"],
        rx.cond(t["assignee"] != "", " · with " + t["assignee"], ""),
        size="2", color_scheme="gray", high_contrast=True,
    )


def ticket_page() -> rx.Component:
    t = TicketState.ticket
    found = rx.vstack(
        rx.link("All requests", href=routes.TICKETS, size="2"),
        rx.heading(t["label"], " · ", t["subject"], size="6", as_="h1", style={"overflow-wrap": "anywhere"}),
        rx.hstack(status_badge(t["status"], t["status_colour"]), rx.text(t["promise"], size="2"),
                  rx.cond(TicketState.can_note, sla_badge(t["sla_flag"])),
                  align="center", wrap="wrap", spacing="2"),
        rx.cond(TicketState.can_note, sla_words(t["sla"])),
        rx.cond(t["merged_into"] != "", merged_notice(t["merged_into"], t["merged_href"])),
        _details(),
        rx.cond(TicketState.answers.length() > 0, rx.el.dl(
            rx.foreach(TicketState.answers, lambda qa: rx.fragment(
                rx.el.dt(qa["question"], style={"font-weight": "500", "font-size": "0.9em"}),
                rx.el.dd(rx.cond(qa["href"] != "", _answer_file(qa), qa["answer"]),
                         style={"margin": "0 0 0.5em 0", "overflow-wrap": "anywhere"}))),
            aria_label="Details given", style={"margin": "0"})),
        _actions(),
        rx.cond(TicketState.followers.length() > 0,
                rx.text("Following: ", TicketState.followers.join(", "), size="2", color_scheme="gray",
                        high_contrast=True)),
        rx.el.ol(rx.foreach(TicketState.messages, _message), aria_label="Conversation",
                 style={"padding": "0", "margin": "0", "width": "100%"}),
        rating_panel(),
        rx.cond(TicketState.can_reply, _reply_form(),
                rx.cond(t["merged_into"] == "",
                        rx.callout("This request is closed. Raise a new request if you need more help.",
                                   icon="info", role="status"))),
        spacing="4", width="100%",
    )
    missing = rx.vstack(
        rx.heading("Request not found", size="6", as_="h1"),
        rx.text("It does not exist, or it is not shared with you."),
        rx.link("All requests", href=routes.TICKETS),
        spacing="3",
    )
    return rx.cond(TicketState.loaded, rx.cond(TicketState.found, found, missing),
                   rx.skeleton(rx.box(height="12em", width="100%")))
