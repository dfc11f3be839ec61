"""The audit log pages: an organisation's (owners, admins) and everything
(staff admins). Filters arrive from a form and are validated by the service."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import audit
from portal_app.services.errors import Forbidden, NotFound, PortalError
from portal_app.services.formatting import format_datetime, format_number, page_position, zone_name
from portal_app.services.paging import Cursor
from portal_app.services.principal import Principal
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, field_errors

FILTERS = ("person", "action", "since", "until")


def _org_log(session, principal: Principal, **kwargs):
    if principal.current is None:
        raise NotFound("Organisation not found.")
    return audit.list_for_org(session, principal, principal.current.org_id, **kwargs)


def _everything(session, principal: Principal, **kwargs):
    return audit.list_all(session, principal, **kwargs)


class AuditLogMixin(rx.State, mixin=True):
    """The log page's vars and handlers, copied into each page's state (a
    plain subclass would share the parent's vars and handlers instead)."""

    rows: list[dict[str, str]] = []
    filters: dict[str, str] = {}
    page: int = 1
    pages: int = 1
    total: int = 0
    position: str = ""  # "Page 1 of 3 · 120 in all", in the instance locale
    errors: dict[str, str] = {}
    error: str = ""
    summary: str = ""  # "1,234 events from 1 Nov 2026 to 26 Nov 2026 (UTC)", in PORTAL_LOCALE
    zone: str = ""  # the zone the times and the date filter's days are in
    _cursor: Cursor | None = None  # the page shown, for Previous/Next by seek (services/paging.py)

    def _reader(self):
        raise NotImplementedError

    async def _fetch(self):
        principal = await self._principal()
        if principal is None:
            return rx.redirect(routes.SIGN_IN)
        self.errors, self.error = {}, ""
        self.zone = zone_name()
        try:
            result = await self._read(self._reader(), principal, page=self.page, cursor=self._cursor, **self.filters)
            period = audit.period(self.filters.get("since", ""), self.filters.get("until", ""))
        except Forbidden as err:
            self._cursor = None
            return [rx.toast.error(err.message), rx.redirect(routes.DASHBOARD)]
        except PortalError as err:
            self._cursor = None
            self.error, self.errors = field_errors(err)
            return None
        self._cursor = result.cursor
        self.rows = [{"sentence": r.sentence, "when": format_datetime(r.occurred_at, seconds=True), "ip": r.ip,
                      "actor": r.actor, "org": r.org, "action": r.action} for r in result.rows]
        self.page, self.pages, self.total = result.page, result.pages, result.total
        self.position = page_position(result.page, result.pages, result.total)
        count = f"{format_number(result.total)} event{'' if result.total == 1 else 's'}"
        self.summary = f"{count} {period}" if period else count
        return None

    @rx.event
    async def load(self):
        self.filters, self.page = {}, 1
        return await self._fetch()

    @rx.event
    async def apply(self, form: dict):
        data = form_values(form)
        self.filters = {key: data[key] for key in FILTERS if isinstance(data.get(key), str) and data[key]}
        self.page = 1
        return await self._fetch()

    @rx.event
    async def go_to(self, page: int):
        self.page = page if type(page) is int else 1  # noqa: E721
        return await self._fetch()


class AuditLogState(AuditLogMixin, SessionState):
    """The current organisation's log, for its owners and admins."""

    def _reader(self):
        return _org_log


class StaffAuditLogState(AuditLogMixin, SessionState):
    """Every event, for staff admins."""

    def _reader(self):
        return _everything
