"""The back office (staff only): organisations and people, adding staff,
giving an organisation without an owner one, and the mail outbox."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import confirm_dialog, form_error, select_field, submit_button, text_field
from portal_app.components.layout import portal_page
from portal_app.components.pagination import pager
from portal_app.components.system import status_badge
from portal_app.services.staff import STAFF_ROLES
from portal_app.state.staff import StaffState, OutboxState
from portal_app.state.system import StatusState


def _row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row["name"], weight="medium"),
                  rx.text(row["detail"], size="2", color_scheme="gray"), spacing="0", align="start", min_width="0"),
        rx.spacer(),
        rx.vstack(rx.badge(row["extra"]), rx.text(row["flags"], size="1", color_scheme="gray"),
                  rx.text("since ", row["created"], size="1", color_scheme="gray"),
                  rx.cond(StaffState.is_admin & (row["flags"] == "no owner"),
                          rx.button("Give an owner", size="1", variant="soft",
                                    on_click=StaffState.choose_owner_org(row["id"]))),
                  spacing="1", align="end"),
        width="100%", role="listitem", padding_y="0.5em", border_bottom="1px solid var(--gray-a4)", wrap="wrap",
    )


def _search() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.label("Search", html_for="staff-search", class_name="rt-sr-only",
                        style={"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden"}),
            rx.input(id="staff-search", name="q", placeholder="Name, email or slug", max_length=100,
                     default_value=StaffState.query, width="100%"),
            rx.button("Search", type="submit"),
            width="100%",
        ),
        on_submit=StaffState.search,
        role="search",
        width="100%",
    )


def _add_staff() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Add staff", size="4", as_="h2"),
                form_error(StaffState.error),
                text_field("Name", "name", StaffState.errors, field_id="staff-name", max_length=200),
                text_field("Email", "email", StaffState.errors, type="email", field_id="staff-email",
                           max_length=254),
                select_field("Staff role", "role", [(role, role) for role in STAFF_ROLES], field_id="staff-role",
                             default="agent"),
                rx.box(submit_button("Add staff member", "add_staff"), width="14em"),
                spacing="3", width="100%", max_width="28em",
            ),
            on_submit=StaffState.add_staff,
            key=StaffState.form_key,
            aria_label="Add staff",
        ),
        width="100%",
    )


def _candidate(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row["name"], weight="medium"),
                  rx.text(row["email"], " · ", row["role"], size="2", color_scheme="gray"),
                  spacing="0", align="start", min_width="0"),
        rx.spacer(),
        confirm_dialog(
            rx.button("Make owner", size="2", aria_label="Make " + row["name"] + " owner"),
            title="Make this member the owner?",
            description=rx.text(row["name"], " (", row["email"], ") becomes an owner of ",
                                StaffState.owner_org_name, " and can manage its members and roles."),
            action_label="Make owner",
            on_confirm=StaffState.make_owner(row["id"]),
        ),
        width="100%", role="listitem", padding_y="0.5em", border_bottom="1px solid var(--gray-a4)", wrap="wrap",
    )


def _give_owner() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading("Give ", StaffState.owner_org_name, " an owner", size="4", as_="h2"),
                      rx.spacer(),
                      rx.button("Close", variant="soft", color_scheme="gray", on_click=StaffState.close_owner_org),
                      width="100%", align="center", wrap="wrap"),
            rx.text("This organisation has no owner, so nobody in it can manage members. Choose one of its "
                    "members.", size="2", color_scheme="gray"),
            rx.cond(StaffState.owner_candidates.length() > 0,
                    rx.vstack(rx.foreach(StaffState.owner_candidates, _candidate), spacing="0", width="100%",
                              role="list", aria_label="Members"),
                    rx.text("It has no members.", color_scheme="gray")),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _results() -> rx.Component:
    return rx.vstack(
        _search(),
        rx.cond(
            StaffState.rows.length() > 0,
            rx.vstack(rx.foreach(StaffState.rows, _row), spacing="0", width="100%", role="list",
                      aria_label="Results"),
            rx.text("Nothing matches your search.", color_scheme="gray"),
        ),
        pager(StaffState.page, StaffState.pages, StaffState.position, StaffState.go_to),
        spacing="4", width="100%",
    )


@portal_page(route=routes.STAFF, title="Back office", on_load=[StaffState.load, StatusState.load],
             private=True)
def staff_overview() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.heading("Back office", size="7", as_="h1"), rx.spacer(),
                  rx.cond(StaffState.is_admin, rx.hstack(rx.link("Audit log", href=routes.STAFF_AUDIT),
                                                              rx.link("Mail outbox", href=routes.OUTBOX),
                                                              rx.link("Service levels", href=routes.STAFF_SLA),
                                                              rx.link("Support forms", href=routes.TICKET_FORMS),
                                                              spacing="4", wrap="wrap")),
                  width="100%", align="center", wrap="wrap"),
        status_badge(),
        rx.cond(StaffState.demo_mfa_exempt,
                rx.callout("Demo account: two-step verification not enforced. Real staff accounts must "
                           "set it up; remove the demo logins before real use.",
                           icon="triangle_alert", color_scheme="amber", high_contrast=True, width="100%")),
        rx.tabs.root(
            rx.tabs.list(rx.tabs.trigger("Organisations", value="organisations"),
                         rx.tabs.trigger("People", value="people")),
            # The tabs control a real panel: one, always the active tab's, so
            # the search box keeps what was typed while the tab changes.
            rx.tabs.content(_results(), value=StaffState.tab, padding_top="1em"),
            value=StaffState.tab,
            on_change=StaffState.set_tab,
            width="100%",
        ),
        rx.cond(StaffState.owner_org_name != "", _give_owner()),
        rx.cond(StaffState.is_admin, _add_staff()),
        spacing="4", width="100%",
    )


def _mail_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row["subject"], weight="medium"),
                  rx.text("To ", row["to"], " · ", row["created"], size="2", color_scheme="gray"),
                  rx.cond(row["error"] != "", rx.text(row["error"], size="1", color_scheme="red")),
                  spacing="0", align="start", min_width="0"),
        rx.spacer(),
        rx.hstack(
            rx.badge(row["status"], high_contrast=True,  # soft colours alone fail contrast
                     color_scheme=rx.match(row["status"], ("sent", "green"), ("failed", "red"), ("retrying", "orange"),
                                           "gray")),
            rx.cond(row["status"] == "failed",
                    rx.button("Send again", size="1", variant="soft", on_click=OutboxState.resend(row["id"]),
                              aria_label="Send again to " + row["to"])),
            spacing="2", align="center",
        ),
        width="100%", role="listitem", padding_y="0.5em", border_bottom="1px solid var(--gray-a4)", wrap="wrap",
    )


@portal_page(route=routes.OUTBOX, title="Mail outbox", on_load=OutboxState.load, private=True)
def outbox() -> rx.Component:
    return rx.vstack(
        rx.heading("Mail outbox", size="7", as_="h1"),
        rx.text("What the portal has sent or is trying to send. A mail that cannot be sent is tried again "
                "after 30 seconds, 2, 10 and 30 minutes, then marked failed; once the mail server works again, "
                "send it again here. Message bodies are not shown: they hold people's sign-in and reset links.",
                size="2", color_scheme="gray"),
        rx.cond(OutboxState.rows.length() > 0,
                rx.vstack(rx.foreach(OutboxState.rows, _mail_row), spacing="0", width="100%", role="list",
                          aria_label="Outgoing mail"),
                rx.text("No mail yet.", color_scheme="gray")),
        pager(OutboxState.page, OutboxState.pages, OutboxState.position, OutboxState.go_to),
        spacing="4", width="100%",
    )
