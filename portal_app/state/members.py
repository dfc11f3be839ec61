"""Members of the current organisation and invitations to it: listing and
managing them (the organisation is always the person's current one, never an
id from the browser), and accepting an invitation, as the signed-in owner of
the invited address or by creating an account for it."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from portal_app import routes
from portal_app.services import accounts, live, members, sessions
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_date
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.session import SessionState, busy, complete_sign_in, field_errors, signed_in


def _members_and_invitations(session: Session, principal: Principal, org_id: int) -> tuple[list, list]:
    return members.list_members(session, principal, org_id), members.list_invitations(session, principal, org_id)


class MembersState(SessionState):
    """The organisation's members and pending invitations, and (for owners
    and admins) inviting, withdrawing, changing roles and removing."""

    members: list[dict[str, str]] = []
    invitations: list[dict[str, str]] = []
    can_manage: bool = False
    sole_owner: bool = False  # the person is this organisation's only owner: no "Leave" for them
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0

    async def _reload(self, principal: Principal) -> None:
        self._show(principal)
        current = principal.current
        if current is None or principal.needs_mfa_setup:  # no organisation data until MFA is set up
            self.members, self.invitations, self.can_manage, self.sole_owner = [], [], False, False
            return
        rows, pending = await self._read(_members_and_invitations, principal, current.org_id)
        self.can_manage = current.role in members.MANAGERS
        self.members = [{"id": str(r.membership_id), "name": r.name, "email": r.email, "role": r.role,
                         "mfa": "yes" if r.mfa_enabled else "", "me": "yes" if r.user_id == principal.user_id else ""}
                        for r in rows]
        self.sole_owner = current.role == "owner" and sum(r.role == "owner" for r in rows) == 1
        self.invitations = [{"id": str(i.id), "email": i.email, "role": i.role,
                             "expires": format_date(i.expires_at)} for i in pending]

    @signed_in(in_org=True)
    async def _manage(self, principal: Principal, fn, *args, success: str, **kwargs):
        """Run a member action on the current organisation and report it."""
        try:
            await self._act(fn, principal, principal.current.org_id, *args, **kwargs)
        except PortalError as err:
            return rx.toast.error(err.message)
        refreshed = await self._principal()
        if refreshed is not None:
            await self._reload(refreshed)
        return rx.toast.success(success)

    @rx.event
    async def load(self):
        self.errors, self.error = {}, ""
        principal = await self._principal()
        if principal is not None and principal.current is None:
            return rx.redirect(routes.DASHBOARD)  # staff belong to no organisation
        if principal is not None:
            await self._reload(principal)
            if principal.current is not None:
                await self._watch(live.org_key(principal.current.org_id, "members"))
        return None

    async def _live(self, keys: list[str]) -> None:
        """Someone changed the members or invitations: show them again, as
        the person signed in here may see them now."""
        principal = await self._principal()
        try:
            if principal is not None:
                await self._reload(principal)
        except PortalError:
            self.members, self.invitations, self.can_manage, self.sole_owner = [], [], False, False

    @rx.event
    @busy("invite")
    @signed_in(in_org=True)
    async def invite(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            invitation = await self._act(members.invite, principal, principal.current.org_id,
                                         email=data.get("email"), role=data.get("role"))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._reload(principal)
        return rx.toast.success(f"Invitation sent to {invitation.email}.")

    @rx.event
    async def withdraw(self, invitation_id: str):
        return await self._manage(members.revoke_invitation, event_id(invitation_id), success="Invitation withdrawn.")

    @rx.event
    async def set_role(self, membership_id: str, role: str):
        return await self._manage(members.change_role, event_id(membership_id), role=role, success="Role changed.")

    @rx.event
    async def remove(self, membership_id: str):
        return await self._manage(members.remove_member, event_id(membership_id), success="Member removed.")


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
    async def load(self) -> None:
        self.errors, self.error = {}, ""
        self._show(await self._principal())
        try:
            view = await self._read(members.describe_invitation, self._token)
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
        principal = await self._principal()
        if principal is None:
            return rx.redirect(self._sign_in_href())
        try:
            org_id = await self._act(members.accept_as, principal, self._token)
        except PortalError as err:
            self.error = err.message
            return None
        # Work in the organisation just joined (this session only), and say so.
        joined = await self._principal() or principal
        try:
            await self._act(sessions.switch_organization, joined, org_id)
        except PortalError:
            pass  # joined all the same; the switcher in the header still offers it
        self._show(await self._principal())
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
