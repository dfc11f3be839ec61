"""The notification centre (the person's own list, marks and settings) and
the page an unsubscribe link opens. Ids from the browser go through
`event_id` and the service's `access_notification`; the unsubscribe token
is read from the page's URL, never from an event's payload."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app.services import live, notifications
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_datetime
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.session import SIGN_IN_AGAIN, SessionState, busy, field_errors, signed_in


def _centre(session: Session, principal: Principal, page: int, cursor: object) -> tuple:
    """One page of the list, the settings and the unread count, in one transaction."""
    return (notifications.list_for(session, principal, page=page, cursor=cursor),
            notifications.preferences(session, principal), notifications.unread_count(session, principal))


class NotificationsState(PagerMixin, SessionState):
    rows: list[dict[str, str]] = []
    prefs: dict[str, str] = {}  # event key -> channel, as saved
    prefs_key: int = 0  # bumped to re-mount the settings form with what was saved
    errors: dict[str, str] = {}
    error: str = ""

    async def _reload(self, principal: Principal) -> None:
        result, prefs, unread = await self._read(_centre, principal, self.page, self._cursor)
        labels = {key: event.label for key, event in notifications.EVENTS.items()}
        self.rows = [{"id": str(r.id), "title": r.title, "target": r.target, "kind": labels.get(r.event, ""),
                      "when": format_datetime(r.created_at), "read": "yes" if r.read else ""} for r in result.rows]
        self._show_page(result)
        self.prefs = {p.event: p.channel for p in prefs}
        self.unread = unread  # the bell agrees with the list

    @rx.event
    async def load(self):
        self.page, self.errors, self.error = 1, {}, ""
        principal = await self._principal()
        if principal is not None:
            await self._reload(principal)
            self.prefs_key += 1
            await self._watch(live.person_key(principal.user_id, "notifications"))

    async def _live(self, keys: list[str]) -> None:
        """A new notification, or one marked read in another tab: the list
        and the bell, again. (The settings form keeps what is being edited.)"""
        principal = await self._principal()
        if principal is not None:
            await self._reload(principal)

    async def _fetch(self):
        """The pager's read (`PagerMixin.go_to`), for the signed-in person only."""
        principal = await self._principal()
        if principal is None:
            return rx.toast.error(SIGN_IN_AGAIN)
        await self._reload(principal)
        return None

    @rx.event
    @signed_in()
    async def mark_read(self, principal: Principal, notification_id: str):
        try:
            await self._act(notifications.mark_read, principal, event_id(notification_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._reload(principal)
        return None

    @rx.event
    @signed_in()
    async def mark_all_read(self, principal: Principal):
        count = await self._act(notifications.mark_all_read, principal)
        await self._reload(principal)
        return rx.toast.success("All marked as read." if count else "Nothing was unread.")

    @rx.event
    @busy("notification_settings")
    @signed_in()
    async def save_settings(self, principal: Principal, form: dict):
        self.errors, self.error = {}, ""
        try:
            changed = await self._act(notifications.set_preferences, principal, form_values(form))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        await self._reload(principal)
        return rx.toast.success("Notification settings saved." if changed else "Nothing changed.")


class UnsubscribeState(SessionState):
    """The page an unsubscribe link opens: says what will stop, and stops it
    only when the button is pressed (never on load: mail scanners open links)."""

    outcome: str = "checking"  # checking | ready | done | failed
    kind: str = ""  # the event type's label
    address: str = ""
    message: str = ""

    @rx.event
    async def load(self):
        self.outcome, self.message, self.kind, self.address = "checking", "", "", ""
        try:
            found = await self._read(notifications.describe_unsubscribe, self._query("token"))
        except PortalError as err:
            self.outcome, self.message = "failed", err.message
            return
        self.outcome, self.kind, self.address = "ready", found.event.label, found.email

    @rx.event
    @busy("unsubscribe")
    async def confirm(self):
        try:
            found = await self._act(notifications.unsubscribe, self._query("token"), ip=self._client_ip())
        except PortalError as err:
            self.outcome, self.message = "failed", err.message
            return
        self.outcome = "done"
        self.message = f"Done: you will no longer get emails about \u201c{found.event.label}\u201d."
