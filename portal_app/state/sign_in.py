"""Signing in: by password, or by a link sent by mail. Both end in a login
ticket and a full navigation to /auth/complete, which sets the cookie."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.services import accounts
from portal_app.services.errors import ErrorCode, PortalError
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, complete_sign_in, field_errors

MODES = ("password", "link")
QUERY_MESSAGES = {
    "expired": "That sign-in took too long or was already used. Please sign in again.",
}


class SignInState(SessionState):
    mode: str = "password"
    errors: dict[str, str] = {}
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self):
        self.errors, self.error, self.notice, self.mode = {}, "", "", "password"
        self.error = QUERY_MESSAGES.get(self._query("error"), "")
        if self._query("signed_out"):
            self.notice = "You have signed out."
        if await self._principal() is not None:
            return rx.redirect(routes.safe_next(self._query("next")))

    @rx.event
    def set_mode(self, mode: str) -> None:
        self.mode = mode if mode in MODES else "password"
        self.errors, self.error, self.notice = {}, "", ""

    @rx.event
    @busy("sign_in_password")
    async def submit_password(self, form: dict):
        data = form_values(form)
        self.errors, self.error, self.notice = {}, "", ""
        try:
            step = await self._act(accounts.login_with_password, email=data.get("email"),
                                   password=data.get("password"), ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            if err.code == ErrorCode.LOGIN_FAILED:  # not tied to one field: do not hint which was wrong
                self.error, self.errors = err.message, {}
            return None
        return await _continue(self, step, self._query("next"))

    @rx.event
    @busy("sign_in_link")
    async def submit_link(self, form: dict) -> None:
        data = form_values(form)
        self.errors, self.error, self.notice = {}, "", ""
        try:
            await self._act(accounts.request_login_link, email=data.get("email"), ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return
        self.notice = ("If an account uses that address, a sign-in link is on its way. "
                       "It works once, within 15 minutes.")


class SignInLinkState(SessionState):
    """The page a mailed link opens. It asks for a click before using the
    link, so mail scanners that prefetch links do not burn it."""

    error: str = ""

    @rx.event
    def load(self) -> None:
        self.error = ""

    @rx.event
    async def continue_sign_in(self):
        try:
            step = await self._act(accounts.login_with_link, self._query("token"))
        except PortalError as err:
            self.error = err.message
            return None
        return await _continue(self, step, None)


class MfaChallengeState(SessionState):
    """The second step of signing in. The challenge lives in a backend-only
    var: it never reaches the browser, and it is useless without the code."""

    active: bool = False
    errors: dict[str, str] = {}
    error: str = ""
    _challenge: str = ""
    _next: str = ""

    def _begin(self, challenge: str, next_path: object) -> None:
        self._challenge, self._next = challenge, routes.safe_next(next_path)
        self.active, self.errors, self.error = True, {}, ""

    @rx.event
    def load(self) -> None:
        self.errors, self.error = {}, ""

    @rx.event
    @busy("sign_in_code")
    async def submit_code(self, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            ticket = await self._act(accounts.complete_mfa, challenge=self._challenge,
                                     code=data.get("code"), ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            if err.code == ErrorCode.BAD_LINK:
                self.active = False
            return None
        self.active, self._challenge = False, ""
        return complete_sign_in(ticket, self._next)


async def _continue(state: SessionState, step: accounts.SignInStep, next_path: object):
    """After the first factor: straight to the cookie, or to the code page."""
    if step.ticket:
        return complete_sign_in(step.ticket, next_path)
    challenge_state = await state.get_state(MfaChallengeState)
    challenge_state._begin(step.mfa_challenge, next_path)
    return rx.redirect(routes.SIGN_IN_CODE)
