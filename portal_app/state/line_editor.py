"""The back office's editors of a document made of lines (an invoice
draft, a quote): who may open one, the rows the form starts from, and one
more empty row on request. One way for both; each editor's state says who
manages it, what an empty row holds and how a saved one is shown."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import invoices
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id

NEW_ROWS = 3  # empty line rows a new document starts with
ROWS_MAX = invoices.LINES_MAX


class LineEditorMixin(rx.State, mixin=True):
    """Mixed in before `SessionState`. The state defines `_check_manage`
    (refuse who may not write), `_blank_row` (an empty row's starting
    values) and `_show(principal, id or None)` (fill the form: `new_rows()`
    for a new one)."""

    lines: list[dict[str, str]] = []  # the form's starting values, one dict per row
    loaded: bool = False
    allowed: bool = False
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0

    def _check_manage(self, principal: Principal) -> None:
        raise NotImplementedError

    def _blank_row(self) -> dict[str, str]:
        raise NotImplementedError

    async def _show(self, principal: Principal, wanted: int | None) -> None:
        raise NotImplementedError

    def _new_rows(self) -> list[dict[str, str]]:
        return [self._blank_row() for _ in range(NEW_ROWS)]

    @rx.event
    async def load(self):
        """The editor of `?id=` (a saved one), else a new one."""
        self.errors, self.error, self.loaded, self.allowed = {}, "", False, False
        principal = await self._principal()
        if principal is None:
            return rx.redirect(routes.SIGN_IN)
        try:
            self._check_manage(principal)
            wanted = self._query("id")
            await self._show(principal, event_id(wanted) if wanted else None)
        except PortalError as err:
            self.error, self.loaded = err.message, True
            return None
        self.allowed, self.loaded = True, True
        return None

    @rx.event
    def add_line(self):
        """One more empty row (what was typed in the others stays)."""
        if len(self.lines) < ROWS_MAX:
            self.lines = [*self.lines, self._blank_row()]
