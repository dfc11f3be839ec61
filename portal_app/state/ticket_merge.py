"""Merging a duplicate, in its ticket's page (staff agents): "Merge into…"
asks for the other request's number, then a confirmation names both, then
`services/ticket_merge.py` merges. The duplicate is the page's own ticket
(its route), never a payload's; the two numbers the confirmation named are
kept server-side (`_duplicate`, `_into`) and are what Merge merges; the
service checks everything again when it does."""

from __future__ import annotations

import reflex as rx

from portal_app.services import ticket_merge, tickets
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in
from portal_app.state.tickets import TicketState


class TicketMergeState(SessionState):
    open: bool = False
    confirming: bool = False  # the second step: both tickets named, "Merge" or "Back"
    plan: dict[str, str] = {}  # what the confirmation names
    errors: dict[str, str] = {}
    error: str = ""
    _duplicate: int = 0  # the numbers the confirmation named: what Merge merges
    _into: int = 0

    def _number(self) -> int | None:
        return tickets.parse_number(self.router.page.params.get("ticket_number", ""))

    def _reset(self) -> None:
        self.confirming, self.plan, self.errors, self.error = False, {}, {}, ""
        self._duplicate, self._into = 0, 0

    @rx.event
    def set_open(self, value: bool):
        """The dialog opens or closes (Escape, Cancel): it starts afresh."""
        self.open = value is True
        self._reset()

    @rx.event
    def back(self):
        self._reset()

    @rx.event
    def shown(self):
        """A ticket's page appeared (another ticket, in the same tab): closed, afresh."""
        self.open = False
        self._reset()

    @rx.event
    @busy("merge_check")
    @signed_in()
    async def check(self, principal: Principal, form: dict):
        into = form_values(form).get(ticket_merge.FIELD)
        self._reset()
        try:
            plan = await self._read(ticket_merge.check_merge, principal, self._number(), into)
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self._duplicate, self._into, self.confirming = plan.duplicate, plan.into, True
        self.plan = {"duplicate": tickets.label(plan.duplicate), "duplicate_subject": plan.duplicate_subject,
                     "into": tickets.label(plan.into), "into_subject": plan.into_subject, "org": plan.org,
                     "messages": str(plan.messages)}
        return None

    @rx.event
    @busy("merge")
    @signed_in()
    async def merge(self, principal: Principal):
        if not self.confirming or not self._duplicate or not self._into:
            return rx.toast.error("Enter the number of the request to merge into first.")
        try:
            target = await self._act(ticket_merge.do_merge, principal, self._duplicate, self._into)
        except PortalError as err:
            self._reset()
            self.error = err.message
            return None
        duplicate = self.plan.get("duplicate", "This request")
        self.open = False
        self._reset()
        return [TicketState.load, rx.toast.success(f"{duplicate} merged into {tickets.label(target.number)}.")]
