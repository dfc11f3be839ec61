"""The dashboard: the person's own facts at a glance and, for an owner, the
organisation's two-step requirement. Each handler resolves the principal afresh,
off the event loop, in one statement."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import accounts, dashboard, invoice_lists, invoices, mfa, sessions
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.session import SessionState, signed_in


def _principal_and_summary(session: Session, token: str | None) -> tuple[Principal | None, dashboard.Summary | None,
                                                                         invoice_lists.Summary | None]:
    """Who is signed in and what their dashboard shows: one transaction, two
    statements (see services/dashboard.py), and a third for the owners,
    admins and billing members of an organisation: what it owes."""
    principal = sessions.resolve(session, token)
    if principal is None:
        return None, None, None
    current = principal.current
    billing = None
    if current is not None and current.role in invoices.READERS and not principal.needs_mfa_setup:
        billing = invoice_lists.summary(session, principal, current.org_id)
    return principal, dashboard.summary(session, principal), billing


class DashboardState(SessionState):
    session_count: int = 0
    mfa_on: bool = False
    org_requires_mfa: bool = False
    members_without_mfa: int = 0
    billing: dict[str, str] = {}  # what the organisation owes (owners, admins, billing members); {} otherwise

    async def _reload(self) -> Principal | None:
        """Resolve the person and read the dashboard's facts on a worker
        thread: this is the portal's most frequent event."""
        principal, summary, billing = await self._read(_principal_and_summary, self._cookie_token())
        principal = self._adopt(principal)
        self.billing = billing.shown if billing is not None else {}
        if principal is not None and summary is not None:
            self.mfa_on = principal.mfa_enabled
            self.session_count = summary.session_count
            self.org_requires_mfa = summary.org_requires_mfa
            self.members_without_mfa = summary.members_without_mfa
        return principal

    @rx.event
    async def load(self) -> None:
        await self._reload()

    @rx.event
    @signed_in(in_org=True)
    async def set_require_mfa(self, principal: Principal, required: bool):
        try:
            await self._act(mfa.set_requirement, principal, principal.current.org_id, required=required)
        except PortalError as err:
            return rx.toast.error(err.message)
        principal = await self._reload()
        self._show(principal)
        if principal is not None and principal.needs_mfa_setup:
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
