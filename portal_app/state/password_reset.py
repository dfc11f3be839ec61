"""Forgotten passwords: ask for a link (the answer never says whether the
address has an account), then choose a new password from it."""

from __future__ import annotations

import reflex as rx

from portal_app.services import accounts
from portal_app.services.errors import PortalError
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, field_errors


class ForgotPasswordState(SessionState):
    errors: dict[str, str] = {}
    error: str = ""
    notice: str = ""

    @rx.event
    def load(self) -> None:
        self.errors, self.error, self.notice = {}, "", ""

    @rx.event
    @busy("forgot_password")
    async def submit(self, form: dict) -> None:
        data = form_values(form)
        self.errors, self.error, self.notice = {}, "", ""
        try:
            await self._act(accounts.request_password_reset, email=data.get("email"), ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return
        self.notice = ("If an account uses that address, we have sent it a link to choose a new "
                       "password. The link works once, within 1 hour.")


class ResetPasswordState(SessionState):
    link_ok: bool = False
    checked: bool = False
    done: bool = False
    errors: dict[str, str] = {}
    error: str = ""

    @rx.event
    async def load(self) -> None:
        self.errors, self.error, self.done = {}, "", False
        self.link_ok = await self._read(accounts.reset_link_is_valid, self._query("token"))
        self.checked = True

    @rx.event
    @busy("reset_password")
    async def submit(self, form: dict) -> None:
        data = form_values(form)
        self.errors, self.error = {}, ""
        if data.get("password") != data.get("confirm"):
            self.errors = {"confirm": "The two passwords are not the same."}
            return
        try:
            await self._act(accounts.reset_password, token=self._query("token"), password=data.get("password"),
                            ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return
        self.done = True
