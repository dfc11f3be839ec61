"""Canned replies in the page: the staff's page that lists them (admins
create, edit and delete there), and the menu next to a ticket's reply box
that inserts one, filled in for that ticket.

Handlers resolve the person and call `services/canned_replies.py`, which
authorises (agents read, admins change); ids arrive as strings and go
through `event_id`, the ticket through the page's own route and
`access_ticket`. The filled reply reaches the reply box as a JavaScript
string literal (`json.dumps`) set as the box's text: never as markup."""

from __future__ import annotations

import json

import reflex as rx

from portal_app import routes
from portal_app.services import canned_replies, live, tickets
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_datetime
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

REPLY_BOX = "reply-body"  # the id of the ticket page's reply box (components/tickets.py)


class CannedRepliesState(PagerMixin, SessionState):
    """The list, a page at a time, and the one form that adds or edits one."""

    rows: list[dict[str, str]] = []
    loaded: bool = False
    can_manage: bool = False  # a staff admin: the form and the buttons show
    editing: str = ""  # the id of the one being edited; "" while adding a new one
    draft_title: str = ""  # what the form starts with (the one being edited)
    draft_body: str = ""
    form_key: int = 0  # bumped to start the form afresh
    errors: dict[str, str] = {}
    error: str = ""

    async def _fetch(self):
        principal = await self._principal()
        if principal is None or principal.staff_role not in tickets.AGENT_ROLES:
            return rx.redirect(routes.DASHBOARD)
        try:
            result = await self._read(canned_replies.list_replies, principal, page=self.page, cursor=self._cursor)
        except PortalError as err:  # e.g. staff who have not set up two-step verification yet
            self._lose_page()
            return rx.toast.error(err.message)
        self._show_page(result)
        self.rows = [{"id": str(r.id), "title": r.title, "excerpt": r.excerpt, "by": r.updated_by,
                      "when": format_datetime(r.updated_at)} for r in result.rows]
        self.can_manage = principal.staff_role in canned_replies.MANAGERS
        self.loaded = True
        await self._watch(live.staff_key("canned_replies"))
        return None

    @rx.event
    async def load(self):
        self.page, self.loaded, self.errors, self.error = 1, False, {}, ""
        self._start_new()
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        """Another admin changed one: read the page again."""
        await self._fetch()

    def _start_new(self) -> None:
        self.editing, self.draft_title, self.draft_body = "", "", ""
        self.form_key += 1

    @rx.event
    @signed_in()
    async def edit(self, principal: Principal, reply_id: str):
        """Put one into the form (admins)."""
        try:
            canned_replies.check_manage(principal)
            reply = await self._read(canned_replies.access_canned_reply, principal, event_id(reply_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        self.editing, self.draft_title, self.draft_body = str(reply.id), reply.title, reply.body
        self.errors, self.error = {}, ""
        self.form_key += 1
        return None

    @rx.event
    def cancel_edit(self):
        self.errors, self.error = {}, ""
        self._start_new()

    @rx.event
    @busy("save_canned_reply")
    @signed_in()
    async def save(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            if self.editing:
                reply = await self._act(canned_replies.update, principal, event_id(self.editing),
                                        title=data.get("title"), body=data.get("body"))
            else:
                reply = await self._act(canned_replies.create, principal, title=data.get("title"),
                                        body=data.get("body"))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        words = "saved" if self.editing else "added"
        self._start_new()
        await self._fetch()
        return rx.toast.success(f"Canned reply \u201c{reply.title}\u201d {words}.")

    @rx.event
    @signed_in()
    async def delete(self, principal: Principal, reply_id: str):
        try:
            title = await self._act(canned_replies.delete, principal, event_id(reply_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        if self.editing == reply_id:
            self._start_new()
        await self._fetch()
        return rx.toast.success(f"Canned reply \u201c{title}\u201d deleted.")


def _insert_script(text: str) -> str:
    """Put `text` into the reply box where its caret is (replacing what is
    selected), as plain text, and leave the caret after it."""
    return (f"(() => {{ const box = document.getElementById({json.dumps(REPLY_BOX)}); if (!box) return;"
            f" const text = {json.dumps(text)}; const start = box.selectionStart ?? box.value.length;"
            " const end = box.selectionEnd ?? start; box.focus();"
            " box.setRangeText(text, start, end, 'end');"
            " box.dispatchEvent(new Event('input', {bubbles: true})); })()")


class CannedReplyPickerState(SessionState):
    """The menu next to a ticket's reply box (staff agents)."""

    options: list[list[str]] = []  # [id, title]
    more: bool = False  # the menu shows the first canned_replies.MENU_MAX: type to narrow it
    query: str = ""
    chosen: str = ""
    unknown: list[str] = []  # placeholders of the last one inserted that were left as written

    def _number(self) -> int | None:
        return tickets.parse_number(self.router.page.params.get("ticket_number", ""))

    @rx.event
    async def load(self):
        """When the menu appears (staff only: the services refuse anyone else).
        It follows the replies while the page is open: one an admin adds,
        renames or deletes shows (or goes) without a reload."""
        self.chosen, self.unknown, self.query = "", [], ""
        if await self._fill():
            await self._watch(live.staff_key("canned_replies"))

    async def _live(self, keys: list[str]) -> None:
        await self._fill()

    async def _fill(self) -> bool:
        """The menu for the words in Find; whether the person may use it."""
        self.options, self.more = [], False
        principal = await self._principal()
        if principal is None or principal.staff_role not in tickets.AGENT_ROLES:
            return False
        try:
            rows = await self._read(canned_replies.menu, principal, self.query)
        except PortalError:
            return False
        self.options = [[str(i), title] for i, title in rows]
        self.more = len(rows) >= canned_replies.MENU_MAX
        if not any(self.chosen == option[0] for option in self.options):
            self.chosen = ""
        return True

    @rx.event
    async def find(self, text: str):
        """Narrow the menu to the replies with these words (typed, debounced)."""
        self.query = text[:canned_replies.FIND_MAX] if isinstance(text, str) else ""
        await self._fill()

    @rx.event
    def choose(self, reply_id: str):
        """Only an id the menu offers is kept."""
        self.chosen = reply_id if any(reply_id == option[0] for option in self.options) else ""

    @rx.event
    @busy("insert_canned_reply")
    @signed_in()
    async def insert(self, principal: Principal):
        if not self.chosen:
            return rx.toast.error("Choose a canned reply first.")
        try:
            filled = await self._read(canned_replies.fill, principal, event_id(self.chosen), self._number())
        except PortalError as err:
            return rx.toast.error(err.message)
        self.unknown, self.chosen = list(filled.unknown), ""
        return rx.call_script(_insert_script(filled.text))
