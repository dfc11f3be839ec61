"""The staff admins' SLA screen (`/staff/sla`): each priority's targets,
organisations' own targets, opening hours per weekday and holidays. Every
handler resolves the person and calls `services/sla.py`, which allows staff
admins only; the redirect on load only spares others a page of errors.

Also the SLA words of a ticket row (`row_sla`), for the ticket lists."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import sla, tickets
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_date, format_due
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in


def duration(minutes: int) -> str:
    """Business minutes as people say them: "4 h", "1 h 30 min", "45 min"."""
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part) or "0 min"


def row_sla(clock: sla.Clock | None, status: str, now, *, staff: bool) -> dict[str, str]:  # noqa: ANN001
    """A list row's SLA words: "sla" (a short due time or promise) and
    "sla_flag" ("breached", "at_risk" or "") for its badge."""
    if clock is None or status not in tickets.ACTIVE:
        return {"sla": "", "sla_flag": ""}
    flag = "breached" if clock.breached(now) else "at_risk" if clock.at_risk(now) else ""
    if status == "waiting":
        words = "Clock paused: waiting for the customer" if staff else ""
    elif (due := clock.next_due()) is None:
        words = ""
    elif staff:
        words = ("Reply" if clock.first_due is not None and not clock.responded else "Resolve") + \
            " due " + format_due(due, now=now)
    else:
        words = sla.promise(status, clock, now)
    return {"sla": words, "sla_flag": flag if staff else ""}


def _screen(session: Session, principal: Principal) -> tuple:
    return sla.settings_view(session, principal), sla.organisations(session, principal)


class SlaAdminState(SessionState):
    loaded: bool = False
    # Each: key, priority, label, org_id ("" default), org, first, resolution, first_words, resolution_words.
    policies: list[dict[str, str]] = []
    overrides: list[dict[str, str]] = []
    hours: list[dict[str, str]] = []  # weekday, name, opens, closes, closed ("yes"/"")
    holidays: list[dict[str, str]] = []  # id, day, name
    orgs: list[list[str]] = []  # [id, name] for the override form
    zone: str = ""
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0  # bumped to empty the add forms after a success

    async def _fetch(self, principal: Principal | None = None):
        principal = principal or await self._principal()
        if principal is None:
            return rx.redirect(routes.SIGN_IN)
        try:
            view, orgs = await self._read(_screen, principal)
        except PortalError:
            return rx.redirect(routes.DASHBOARD)
        rows = [{"key": f"{p.org_id or 'default'}-{p.priority}", "priority": p.priority,
                 "label": tickets.PRIORITIES.get(p.priority, p.priority), "org_id": str(p.org_id or ""),
                 "org": p.org, "first": str(p.first_response_minutes), "resolution": str(p.resolution_minutes),
                 "first_words": duration(p.first_response_minutes),
                 "resolution_words": duration(p.resolution_minutes)} for p in view.policies]
        self.policies = [r for r in rows if not r["org_id"]]
        self.overrides = [r for r in rows if r["org_id"]]
        self.hours = [{"weekday": str(h.weekday), "name": h.name, "opens": h.opens or "09:00",
                       "closes": h.closes or "17:30", "closed": "" if h.opens else "yes"} for h in view.hours]
        self.holidays = [{"id": str(h.id), "day": format_date(h.day), "name": h.name} for h in view.holidays]
        self.orgs = [[str(i), n] for i, n in orgs]
        self.zone, self.loaded = view.zone, True
        return None

    @rx.event
    async def load(self):
        self.errors, self.error, self.loaded = {}, "", False
        return await self._fetch()

    def _failed(self, err: PortalError, prefix: str = "") -> None:
        self.error, errors = field_errors(err)
        self.errors = {f"{prefix}{k}": v for k, v in errors.items()}

    @rx.event
    @busy("save_policy")
    @signed_in()
    async def save_policy(self, principal: Principal, form: dict):
        """One priority's default targets (the row's own form)."""
        data = form_values(form)
        priority = data.get("priority") if isinstance(data.get("priority"), str) else ""
        self.errors, self.error = {}, ""
        try:
            await self._act(sla.do_set_policy, principal, priority, first_response=data.get("first_response"),
                            resolution=data.get("resolution"))
        except PortalError as err:
            self._failed(err, f"default-{priority}-")
            return None
        await self._fetch(principal)
        return rx.toast.success(f"Targets for {tickets.PRIORITIES.get(priority, priority).lower()} priority saved.")

    @rx.event
    @busy("add_override")
    @signed_in()
    async def add_override(self, principal: Principal, form: dict):
        """An organisation's own targets for one priority."""
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            await self._act(sla.do_set_override, principal, data.get("org"),
                            data.get("priority"), first_response=data.get("first_response"),
                            resolution=data.get("resolution"))
        except PortalError as err:
            self._failed(err, "override-")
            return None
        self.form_key += 1
        await self._fetch(principal)
        return rx.toast.success("The organisation's targets are saved.")

    @rx.event
    @signed_in()
    async def remove_override(self, principal: Principal, org_id: str, priority: str):
        try:
            await self._act(sla.do_remove_override, principal, event_id(org_id), priority)
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch(principal)
        return rx.toast.success("The organisation now has the default targets.")

    @rx.event
    @busy("save_hours")
    @signed_in()
    async def save_hours(self, principal: Principal, form: dict):
        data = form_values(form)
        week = {day: ({"closed": True} if data.get(f"day-{day}-closed") == "on" else
                      {"opens": data.get(f"day-{day}-opens"), "closes": data.get(f"day-{day}-closes")})
                for day in range(7)}
        self.errors, self.error = {}, ""
        try:
            await self._act(sla.do_set_hours, principal, week)
        except PortalError as err:
            self._failed(err)
            return None
        await self._fetch(principal)
        return rx.toast.success("Opening hours saved.")

    @rx.event
    @busy("add_holiday")
    @signed_in()
    async def add_holiday(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            await self._act(sla.do_add_holiday, principal, day=data.get("day"), name=data.get("name"))
        except PortalError as err:
            self._failed(err, "holiday-")
            return None
        self.form_key += 1
        await self._fetch(principal)
        return rx.toast.success("Holiday added.")

    @rx.event
    @signed_in()
    async def remove_holiday(self, principal: Principal, holiday_id: str):
        try:
            await self._act(sla.do_remove_holiday, principal, event_id(holiday_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch(principal)
        return rx.toast.success("Holiday removed.")
