"""The dashboard: the person's own facts at a glance and, for an owner, the
organisation's two-step requirement. Each handler resolves the principal afresh."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import accounts, members, mfa, organizations, sessions
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.session import SessionState, signed_in


@dataclass(frozen=True)
class _Facts:
    session_count: int
    org_requires_mfa: bool = False
    members_without_mfa: int = 0


def _facts(session: Session, principal: Principal) -> _Facts:
    """What the dashboard shows, read in one transaction."""
    count = len(sessions.list_for(session, principal))
    current = principal.current
    if current is None or principal.needs_mfa_setup:  # no organisation data until then
        return _Facts(count)
    org = organizations.access_organization(session, principal, current.org_id)
    return _Facts(count, org.require_mfa, members.count_without_mfa(session, principal, current.org_id))


class DashboardState(SessionState):
    session_count: int = 0
    mfa_on: bool = False
    org_requires_mfa: bool = False
    members_without_mfa: int = 0

    async def _refresh(self, principal) -> None:
        self.mfa_on = principal.mfa_enabled
        facts = await self._read(_facts, principal)
        self.session_count = facts.session_count
        if principal.current is not None and not principal.needs_mfa_setup:
            self.org_requires_mfa, self.members_without_mfa = facts.org_requires_mfa, facts.members_without_mfa

    @rx.event
    async def load(self) -> None:
        principal = self._principal()
        if principal is not None:
            await self._refresh(principal)

    @rx.event
    @signed_in(in_org=True)
    async def set_require_mfa(self, principal: Principal, required: bool):
        try:
            await self._act(mfa.set_requirement, principal, principal.current.org_id, required=required)
        except PortalError as err:
            return rx.toast.error(err.message)
        principal = self._principal()
        self._show(principal)
        await self._refresh(principal)
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
