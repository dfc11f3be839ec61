"""The bell in the header, the notification list, the settings form (one
labelled select per event type, built from the service's registry) and what
an unsubscribe link's page says."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import LABEL_STYLE, SELECT_STYLE, card, form_error, submit_button
from portal_app.components.pagination import pager
from portal_app.services.notifications import CHANNELS, EVENTS
from portal_app.state.notifications import NotificationsState, UnsubscribeState
from portal_app.state.session import SessionState


def bell() -> rx.Component:
    """A link to the centre; its accessible name says how many are unread
    (the badge alone would be read as a bare number)."""
    count = SessionState.unread
    return rx.link(
        rx.icon("bell", size=20, aria_hidden="true"),
        rx.cond(count > 0, rx.badge(rx.cond(count > 99, "99+", count.to_string()), color_scheme="red",
                                    variant="solid", high_contrast=True,  # white on red 9 is 3.9:1
                                    radius="full", size="1", aria_hidden="true",
                                    style={"position": "absolute", "top": "-0.35em", "right": "-0.6em"})),
        href=routes.NOTIFICATIONS,
        aria_label=rx.cond(count > 0, "Notifications, " + count.to_string() + " unread", "Notifications, none unread"),
        color_scheme="gray", high_contrast=True,
        style={"position": "relative", "display": "inline-flex", "padding": "0.4em", "flex-shrink": "0"},
    )


def _row(row) -> rx.Component:  # noqa: ANN001 — a Var of one row dict
    unread = row["read"] == ""
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.link(row["title"], href=row["target"], weight=rx.cond(unread, "bold", "regular"),
                        high_contrast=True, on_click=NotificationsState.mark_read(row["id"])),
                rx.text(row["kind"], " · ", row["when"], rx.cond(unread, " · unread", ""), size="1",
                        color_scheme="gray", high_contrast=True),
                spacing="1", min_width="0", flex="1",
            ),
            rx.cond(unread, rx.button("Mark read", size="1", variant="soft",
                                      aria_label="Mark read: " + row["title"],
                                      on_click=NotificationsState.mark_read(row["id"]))),
            align="start", spacing="3", width="100%",
        ),
        style={"padding": "0.75em 0", "border-bottom": "1px solid var(--gray-a4)", "list-style": "none",
               "overflow-wrap": "anywhere"},
    )


def notification_list() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(rx.cond(SessionState.unread > 0, SessionState.unread.to_string() + " unread", "All read"),
                    size="2"),
            rx.spacer(),
            rx.button("Mark all read", size="2", variant="soft", on_click=NotificationsState.mark_all_read,
                      disabled=SessionState.unread == 0),
            width="100%", align="center",
        ),
        rx.cond(
            NotificationsState.total > 0,
            rx.vstack(
                rx.el.ul(rx.foreach(NotificationsState.rows, _row), aria_label="Notifications",
                         style={"padding": "0", "margin": "0", "width": "100%"}),
                rx.cond(NotificationsState.pages > 1, pager(NotificationsState.page, NotificationsState.pages,
                                                            NotificationsState.position, NotificationsState.go_to)),
                width="100%", spacing="3",
            ),
            rx.text("Nothing yet. When something happens that concerns you — a new role, a sign-in from a "
                    "new device — it shows up here.", color_scheme="gray", high_contrast=True),
        ),
        spacing="3", width="100%",
    )


def _setting(key: str) -> rx.Component:
    event = EVENTS[key]
    field_id = key  # Reflex sends each field by its id as well as its name: keep them one
    error = NotificationsState.errors[key].to(str)
    return rx.vstack(
        rx.el.label(event.label, html_for=field_id, style=LABEL_STYLE),
        rx.el.select(*[rx.el.option(CHANNELS[c], value=c) for c in event.channels], id=field_id, name=key,
                     default_value=NotificationsState.prefs[key].to(str), style=SELECT_STYLE,
                     aria_describedby=f"{field_id}-help"),
        rx.cond(error, rx.text(error, id=f"{field_id}-help", color_scheme="red", size="2", role="alert"),
                rx.text("" if key != "invitation" else "The invitation itself is always emailed.",
                        id=f"{field_id}-help", color_scheme="gray", size="1")),
        spacing="1", width="100%",
    )


def settings_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("How you hear about things", size="4", as_="h2"),
                rx.text("For each kind of news: in the portal, by email, both, or not at all. Every email has "
                        "a link to stop that kind of email.", size="2", color_scheme="gray", high_contrast=True),
                form_error(NotificationsState.error),
                *[rx.cond(SessionState.staff_role != "", _setting(key)) if EVENTS[key].staff_only else _setting(key)
                  for key in EVENTS],
                rx.box(submit_button("Save settings", "notification_settings"), width="min(14em, 100%)"),
                spacing="3", width="100%",
            ),
            on_submit=NotificationsState.save_settings,
            key=NotificationsState.prefs_key,
        ),
        width="100%",
    )


def unsubscribe_card() -> rx.Component:
    return card(
        rx.match(
            UnsubscribeState.outcome,
            ("ready", rx.vstack(
                rx.text("You will no longer get emails about ", rx.text.strong(UnsubscribeState.kind), " at ",
                        UnsubscribeState.address, ". You still see them in the portal, and you can change "
                        "this any time in your notification settings."),
                rx.button("Stop these emails", size="3", on_click=UnsubscribeState.confirm,
                          loading=SessionState.busy == "unsubscribe", disabled=SessionState.busy == "unsubscribe"),
                spacing="4")),
            ("done", rx.callout(UnsubscribeState.message, icon="circle_check", color_scheme="green", role="status")),
            ("failed", rx.callout(UnsubscribeState.message, icon="triangle_alert", color_scheme="red",
                                  role="alert")),
            rx.text("Checking your link…"),
        ),
        rx.link("Notification settings", href=routes.NOTIFICATIONS),
        heading="Stop emails",
    )
