"""The person's profile: their name, and changing their email address
(requested here, confirmed from the link mailed to the new address)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import accounts
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in


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
        self._show(await self._principal())
        self.form_key += 1
        return rx.toast.success("Profile saved.")


class EmailChangeState(SessionState):
    """The page the link mailed to the new address opens."""

    outcome: str = "checking"  # checking | changed | failed
    message: str = ""

    @rx.event
    async def confirm(self):
        principal = await self._principal()  # the browser following the link, if signed in
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
        self._show(await self._principal())
        if principal is not None and principal.user_id == change.user_id:
            return [rx.redirect(routes.PROFILE), rx.toast.success(f"Your email address is now {change.email}.")]
        return None
