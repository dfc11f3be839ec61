"""The audit log pages: an organisation's (owners, admins) and everything
(staff admins). Filters arrive from a form and are validated by the service."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import audit, live
from portal_app.services.errors import Forbidden, NotFound, PortalError
from portal_app.services.formatting import format_datetime, format_number, zone_name
from portal_app.services.principal import Principal
from portal_app.state.forms import form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.session import SessionState, field_errors

FILTERS = ("person", "action", "since", "until")


def _org_log(session, principal: Principal, **kwargs):
    if principal.current is None:
        raise NotFound("Organisation not found.")
    return audit.list_for_org(session, principal, principal.current.org_id, **kwargs)


def _everything(session, principal: Principal, **kwargs):
    return audit.list_all(session, principal, **kwargs)


class AuditLogMixin(PagerMixin, mixin=True):
    """The log page's vars and handlers, copied into each page's state (a
    plain subclass would share the parent's vars and handlers instead)."""

    rows: list[dict[str, str]] = []
    filters: dict[str, str] = {}
    errors: dict[str, str] = {}
    error: str = ""
    summary: str = ""  # "1,234 events from 1 Nov 2026 to 26 Nov 2026 (UTC)", in PORTAL_LOCALE
    zone: str = ""  # the zone the times and the date filter's days are in

    def _reader(self):
        raise NotImplementedError

    def _live_key(self, principal: Principal) -> str | None:
        """The change signal this log follows (see `state/live.py`)."""
        raise NotImplementedError

    async def _live(self, keys: list[str]) -> None:
        """New events were recorded: read the shown page again (same
        filters; the first page shows the newest)."""
        await self._fetch()

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
            self._lose_page()
            return [rx.toast.error(err.message), rx.redirect(routes.DASHBOARD)]
        except PortalError as err:
            self._lose_page()
            self.error, self.errors = field_errors(err)
            return None
        self._show_page(result)
        self.rows = [{"sentence": r.sentence, "when": format_datetime(r.occurred_at, seconds=True), "ip": r.ip,
                      "actor": r.actor, "org": r.org, "action": r.action} for r in result.rows]
        count = f"{format_number(result.total)} event{'' if result.total == 1 else 's'}"
        count = f"more than {count}" if result.capped else count
        self.summary = f"{count} {period}" if period else count
        if key := self._live_key(principal):
            await self._watch(key)  # the log updates itself while open
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


class AuditLogState(AuditLogMixin, SessionState):
    """The current organisation's log, for its owners and admins."""

    def _reader(self):
        return _org_log

    def _live_key(self, principal: Principal) -> str | None:
        return live.org_key(principal.current.org_id, "audit") if principal.current else None


class StaffAuditLogState(AuditLogMixin, SessionState):
    """Every event, for staff admins."""

    def _reader(self):
        return _everything

    def _live_key(self, principal: Principal) -> str | None:
        return live.staff_key("audit")
