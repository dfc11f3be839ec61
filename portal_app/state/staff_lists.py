"""The back office's lists of every organisation's rows (invoices, quotes,
orders): a status filter and words of the organisation's name, paged on the
server (`PagerMixin`), reloaded live. One way for all of them; each page's
state says what it lists."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal_app import routes
from portal_app.services import live
from portal_app.services.errors import PortalError
from portal_app.state.forms import form_values
from portal_app.state.session import field_errors


class StaffListMixin(rx.State, mixin=True):
    """Mixed in before `PagerMixin` and `SessionState`. The state defines
    `_list_all` (the service reading a page: `list_all(session, principal, *,
    status, org, page, cursor)`), `_show_row` (a row as the page shows it),
    `_managers` (the staff roles that write) and `_topic` (its live topic)."""

    rows: list[dict[str, str]] = []
    status: str = ""
    org: str = ""  # words of the organisation's name
    loaded: bool = False
    can_write: bool = False
    errors: dict[str, str] = {}
    error: str = ""

    def _list_all(self) -> Callable:
        raise NotImplementedError

    def _show_row(self, row: object) -> dict[str, str]:
        raise NotImplementedError

    def _managers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _topic(self) -> str:
        raise NotImplementedError

    async def _fetch(self):  # noqa: ANN202
        principal = await self._principal()
        if principal is None or not principal.is_staff:
            return rx.redirect(routes.DASHBOARD)
        self.errors, self.error = {}, ""
        try:
            result = await self._read(self._list_all(), principal, status=self.status, org=self.org,
                                      page=self.page, cursor=self._cursor)
        except PortalError as err:
            self._lose_page()
            self.error, self.errors = field_errors(err)
            self.rows, self.loaded = [], True
            return None
        self._show_page(result)
        self.rows = [self._show_row(row) for row in result.rows]
        self.can_write = principal.staff_role in self._managers()
        self.loaded = True
        await self._watch(live.staff_key(self._topic()))
        return None

    @rx.event
    async def load(self):
        self.status, self.org, self.page, self.loaded = "", "", 1, False
        self._lose_page()
        return await self._fetch()

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        await self._fetch()

    @rx.event
    async def apply(self, form: dict):
        data = form_values(form)
        status, org = data.get("status", ""), data.get("org", "")
        self.status = status if isinstance(status, str) else ""
        self.org = org if isinstance(org, str) else ""
        self.page = 1
        self._lose_page()
        return await self._fetch()
