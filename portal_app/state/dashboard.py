"""The dashboard: the person's own facts at a glance and, for an owner, the
organisation's two-step requirement. Each handler resolves the principal afresh."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import accounts, mfa, organizations, sessions
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.session import SessionState, signed_in


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
