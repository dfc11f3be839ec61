"""The back office pages: organisations and people with search and paging,
adding staff, giving an organisation without an owner one, and the mail outbox. Services check the staff role on every
call; the redirects here only spare customers a page of errors."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import staff
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_date, format_datetime, format_number
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.paging import PagerMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

TABS = ("organisations", "people")


def _day(value) -> str:
    return format_date(value) if value else ""


class StaffState(PagerMixin, SessionState):
    tab: str = "organisations"
    query: str = ""
    rows: list[dict[str, str]] = []
    is_admin: bool = False
    demo_mfa_exempt: bool = False  # the demo staff admin: say that its 2-step is not enforced
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0
    # The organisation an admin is giving an owner, and its members.
    owner_org_name: str = ""
    owner_candidates: list[dict[str, str]] = []
    _owner_org_id: int | None = None

    async def _fetch(self):
        principal = await self._principal()
        if principal is None or not principal.is_staff:
            return rx.redirect(routes.DASHBOARD)
        self.is_admin = principal.staff_role == "admin"
        self.demo_mfa_exempt = principal.demo_mfa_exempt
        try:
            if self.tab == "people":
                result = await self._read(staff.list_users, principal, query=self.query, page=self.page,
                                         cursor=self._cursor)
                self.rows = [{"id": str(r.id), "name": r.name, "detail": r.email,
                              "extra": r.staff_role or "customer",
                              "flags": " · ".join(f for f, on in (("confirmed", r.verified), ("2-step", r.mfa)) if on),
                              "created": _day(r.created_at)} for r in result.rows]
            else:
                result = await self._read(staff.list_organizations, principal, query=self.query, page=self.page,
                                         cursor=self._cursor)
                self.rows = [{"id": str(r.id), "name": r.name, "detail": r.slug,
                              "extra": f"{format_number(r.members)} member{'s' if r.members != 1 else ''}",
                              "flags": "no owner" if r.owners == 0 else "",
                              "created": _day(r.created_at)} for r in result.rows]
        except PortalError as err:
            self._lose_page()
            return rx.toast.error(err.message)
        self._show_page(result)
        return None

    @rx.event
    async def load(self):
        self.page = 1
        return await self._fetch()

    @rx.event
    async def set_tab(self, tab: str):
        self.tab = tab if tab in TABS else "organisations"
        self.page = 1
        return await self._fetch()

    @rx.event
    async def search(self, form: dict):
        query = form_values(form).get("q")
        self.query = query[:100] if isinstance(query, str) else ""
        self.page = 1
        return await self._fetch()

    @rx.event
    @busy("add_staff")
    @signed_in()
    async def add_staff(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            user = await self._act(staff.add_staff, principal, name=data.get("name"), email=data.get("email"),
                                   role=data.get("role"))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._fetch()
        return rx.toast.success(f"{user.email} can now choose a password from the mail we sent.")

    @rx.event
    @signed_in()
    async def choose_owner_org(self, principal: Principal, org_id: str):
        """Open "give an owner" for one organisation (admins; the service checks)."""
        try:
            principal.require_staff("admin")
            org, rows = await self._read(staff.list_org_members, principal, event_id(org_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        self._owner_org_id, self.owner_org_name = org.id, org.name
        self.owner_candidates = [{"id": str(r.membership_id), "name": r.name, "email": r.email, "role": r.role}
                                 for r in rows]
        return None

    @rx.event
    def close_owner_org(self):
        self._owner_org_id, self.owner_org_name, self.owner_candidates = None, "", []

    @rx.event
    @signed_in()
    async def make_owner(self, principal: Principal, membership_id: str):
        try:
            await self._act(staff.make_owner, principal, self._owner_org_id, event_id(membership_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        name = self.owner_org_name
        self.close_owner_org()
        await self._fetch()
        return rx.toast.success(f"{name} has an owner again.")


class OutboxState(PagerMixin, SessionState):
    rows: list[dict[str, str]] = []

    async def _fetch(self):
        principal = await self._principal()
        if principal is None or principal.staff_role != "admin":
            return rx.redirect(routes.DASHBOARD)
        try:
            result = await self._read(staff.list_outbox, principal, page=self.page, cursor=self._cursor)
        except PortalError as err:  # e.g. an admin who has not set up two-step verification yet
            self._lose_page()
            return rx.toast.error(err.message)
        self._show_page(result)
        self.rows = [{"id": str(r.id), "to": r.to_address, "subject": r.subject,
                      "created": format_datetime(r.created_at),
                      "status": r.status,
                      "error": r.last_error or "", "attempts": format_number(r.attempts)} for r in result.rows]
        return None

    @rx.event
    async def load(self):
        self.page = 1
        return await self._fetch()

    @rx.event
    @signed_in()
    async def resend(self, principal: Principal, mail_id: str):
        try:
            mail = await self._act(staff.resend_mail, principal, event_id(mail_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._fetch()
        return rx.toast.success(f"The mail to {mail.to_address} is queued again.")
