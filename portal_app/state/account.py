"""The signed-in person's own pages: the dashboard and account security
(password, sessions). Each handler resolves the principal afresh."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import accounts, mfa, organizations, sessions
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_datetime
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in


def _when(value) -> str:
    return format_datetime(value)


class DashboardState(SessionState):
    session_count: int = 0
    mfa_on: bool = False
    org_requires_mfa: bool = False
    members_without_mfa: int = 0

    def _refresh(self, principal) -> None:
        self.mfa_on = principal.mfa_enabled
        current = principal.current
        with session_scope() as session:
            self.session_count = len(sessions.list_for(session, principal))
            if current is not None and not principal.needs_mfa_setup:  # no organisation data until then
                org = organizations.get_for(session, principal, current.org_id)
                self.org_requires_mfa = org.require_mfa
                self.members_without_mfa = mfa.members_without_mfa(session, principal, current.org_id)

    @rx.event
    def load(self) -> None:
        principal = self._principal()
        if principal is not None:
            self._refresh(principal)

    @rx.event
    @signed_in(in_org=True)
    async def set_require_mfa(self, principal: Principal, required: bool):
        try:
            await self._act(mfa.set_requirement, principal, principal.current.org_id, required=required)
        except PortalError as err:
            return rx.toast.error(err.message)
        principal = self._principal()
        self._show(principal)
        self._refresh(principal)
        if principal.needs_mfa_setup:
            return [rx.toast.success("Two-step verification is now required. Set yours up first."),
                    rx.redirect(routes.SECURITY)]
        return rx.toast.success("Two-step verification is now " + ("required." if required else "optional."))

    @rx.event
    @signed_in()
    async def resend_verification(self, principal: Principal):
        try:
            await self._act(accounts.resend_verification, principal, ip=self._client_ip())
        except PortalError as err:
            return rx.toast.error(err.message)
        return rx.toast.success(f"We sent a new confirmation link to {principal.email}.")


class ProfileState(SessionState):
    errors: dict[str, str] = {}
    form_key: int = 0
    email_errors: dict[str, str] = {}
    email_error: str = ""
    email_notice: str = ""
    email_form_key: int = 0

    @rx.event
    def load(self) -> None:
        self.errors = {}
        self.email_errors, self.email_error, self.email_notice = {}, "", ""
        self.form_key += 1  # show the name just loaded

    @rx.event
    @busy("change_email")
    @signed_in()
    async def change_email(self, principal: Principal, form: dict):
        """Ask for a link to the new address; the answer is the same whether
        or not that address already has an account."""
        data = form_values(form)
        self.email_errors, self.email_error, self.email_notice = {}, "", ""
        try:
            new = await self._act(accounts.request_email_change, principal, new_email=data.get("new_email"),
                                  password=data.get("password"), ip=self._client_ip())
        except PortalError as err:
            self.email_error, self.email_errors = field_errors(err)
            return None
        self.email_form_key += 1
        self.email_notice = (f"We sent a link to {new}. Open it to confirm: until then you keep signing in "
                             f"with {principal.email}.")
        return None

    @rx.event
    @busy("save_profile")
    @signed_in()
    async def save(self, principal: Principal, form: dict):
        self.errors = {}
        try:
            await self._act(accounts.update_profile, principal, name=form_values(form).get("name"))
        except PortalError as err:
            _, self.errors = field_errors(err)
            return None
        self._show(self._principal())
        self.form_key += 1
        return rx.toast.success("Profile saved.")


class EmailChangeState(SessionState):
    """The page the link mailed to the new address opens."""

    outcome: str = "checking"  # checking | changed | failed
    message: str = ""

    @rx.event
    async def confirm(self):
        principal = self._principal()  # the browser following the link, if signed in
        try:
            change = await self._act(accounts.confirm_email_change, self._query("token"),
                                     keep_session_id=principal.session_id if principal else None,
                                     ip=self._client_ip())
        except PortalError as err:
            self.outcome, self.message = "failed", err.message
            self._show(principal)
            return None
        self.outcome = "changed"
        self.message = f"Your email address is now {change.email}. Sign in with it from now on."
        self._show(self._principal())
        if principal is not None and principal.user_id == change.user_id:
            return [rx.redirect(routes.PROFILE), rx.toast.success(f"Your email address is now {change.email}.")]
        return None


class SecurityState(SessionState):
    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0  # bumped to clear the password form after success

    def _reload(self, principal) -> None:
        with session_scope() as session:
            listed = sessions.list_for(session, principal)
        self.rows = [{"id": str(s.id), "device": s.device, "ip": s.ip or "unknown",
                      "last_seen": _when(s.last_seen_at), "started": _when(s.created_at),
                      "current": "yes" if s.current else ""} for s in listed]

    @rx.event
    def load(self) -> None:
        self.errors, self.error = {}, ""
        principal = self._principal()
        if principal is not None:
            self._reload(principal)

    @rx.event
    @busy("change_password")
    @signed_in()
    async def change_password(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        if data.get("new_password") != data.get("confirm"):
            self.errors = {"confirm": "The two new passwords are not the same."}
            return None
        try:
            ended = await self._act(accounts.change_password, principal, current=data.get("current_password"),
                              new=data.get("new_password"), ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        self._reload(principal)
        others = f" {ended} other session{'s' if ended != 1 else ''} signed out." if ended else ""
        return rx.toast.success(f"Password changed.{others}")

    @rx.event
    @signed_in()
    async def revoke(self, principal: Principal, session_id: str):
        try:
            await self._act(sessions.revoke, principal, event_id(session_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        self._reload(principal)
        return rx.toast.success("That session is signed out.")

    @rx.event
    @signed_in()
    async def revoke_others(self, principal: Principal):
        ended = await self._act(sessions.revoke_others, principal)
        self._reload(principal)
        return rx.toast.success(f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
