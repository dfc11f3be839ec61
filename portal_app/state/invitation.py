"""Accepting an invitation: as the signed-in owner of the invited address, or
by creating an account for it (then signed in straight away)."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import accounts, members, sessions
from portal_app.services.errors import PortalError
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, complete_sign_in, field_errors


def _create_and_sign_in(session: Session, raw: str, name: object, password: object, ip: str) -> str:
    user = members.accept_new_account(session, raw, name=name, password=password, ip=ip)
    return accounts.ticket_for_new_account(session, user)


class InvitationState(SessionState):
    valid: bool = False
    checked: bool = False
    invited_org: str = ""
    invited_email: str = ""
    invited_role: str = ""
    has_account: bool = False
    sign_in_href: str = routes.SIGN_IN
    errors: dict[str, str] = {}
    error: str = ""

    @property
    def _token(self) -> str:
        return self._query("token")

    @rx.event
    def load(self) -> None:
        self.errors, self.error = {}, ""
        self._show(self._principal())
        try:
            with session_scope() as session:
                view = members.describe_invitation(session, self._token)
        except PortalError as err:
            self.valid, self.error = False, err.message
        else:
            self.valid = True
            self.invited_org, self.invited_email = view.org_name, view.email
            self.invited_role, self.has_account = view.role, view.has_account
        self.sign_in_href = self._sign_in_href()
        self.checked = True

    def _sign_in_href(self) -> str:
        back = routes.safe_next(f"{routes.ACCEPT_INVITATION}?{urlencode({'token': self._token})}")
        return f"{routes.SIGN_IN}?{urlencode({'next': back})}"

    @rx.event
    async def accept(self):
        principal = self._principal()
        if principal is None:
            return rx.redirect(self._sign_in_href())
        try:
            org_id = await self._act(members.accept_as, principal, self._token)
        except PortalError as err:
            self.error = err.message
            return None
        # Work in the organisation just joined (this session only), and say so.
        joined = self._principal() or principal
        try:
            await self._act(sessions.switch_organization, joined, org_id)
        except PortalError:
            pass  # joined all the same; the switcher in the header still offers it
        self._show(self._principal())
        name = next((m.org_name for m in joined.memberships if m.org_id == org_id), self.invited_org)
        return [rx.redirect(routes.DASHBOARD), rx.toast.success(f"You joined {name}.")]

    @rx.event
    @busy("accept_new_account")
    async def create_account(self, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            ticket = await self._act(_create_and_sign_in, self._token, data.get("name"), data.get("password"),
                                     self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        return complete_sign_in(ticket)
