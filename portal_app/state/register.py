"""Self-registration and confirming the email address."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import accounts
from portal_app.services.errors import PortalError
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, field_errors


class RegisterState(SessionState):
    errors: dict[str, str] = {}
    error: str = ""
    registered_email: str = ""

    @rx.event
    def load(self) -> None:
        self.errors, self.error, self.registered_email = {}, "", ""

    @rx.event
    @busy("register")
    async def submit(self, form: dict) -> None:
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            result = await self._act(accounts.register, name=data.get("name"), email=data.get("email"),
                               password=data.get("password"), company=data.get("company"),
                               ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return
        self.registered_email = result.email


class VerifyEmailState(SessionState):
    outcome: str = "checking"  # checking | verified | failed
    message: str = ""

    @rx.event
    async def verify(self):
        """Confirm the address. Someone signed in to that same account in this
        browser carries on into the portal; anyone else is offered to sign in."""
        principal = await self._principal()  # first: resolving may empty a tab loaded for another session
        try:
            confirmation = await self._act(accounts.verify_email, self._query("token"))
        except PortalError as err:
            self.outcome, self.message = "failed", err.message
            return None
        self.outcome = "verified"
        self.message = ("Thank you: your email address is confirmed." if confirmation.outcome == "verified"
                        else "Your email address is already confirmed.")
        principal = await self._principal()  # now with the address confirmed
        self._show(principal)
        if principal is not None and principal.user_id == confirmation.user_id:
            return [rx.redirect(routes.DASHBOARD), rx.toast.success(self.message)]
        return None
