"""Two-step verification settings on the Security page: set up (QR code or
key, confirmed by a code), recovery codes shown once, new codes, turning off.
The secret is shown only while setting up and cleared once confirmed."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from portal_app.services import mfa
from portal_app.services.errors import PortalError
from portal_app.services.principal import Principal
from portal_app.settings import get_settings
from portal_app.state.forms import form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class MfaState(SessionState):
    mfa_on: bool = False
    required_by_org: bool = False  # required by an organisation, or because the person is staff
    required_because: str = ""  # "Staff accounts require two-step verification" or the organisation's
    codes_left: int = 0
    enrolling: bool = False
    qr_code: str = ""
    key_text: str = ""
    recovery_codes: list[str] = []
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0

    async def _refresh(self, principal) -> None:
        self._show(principal)
        self.mfa_on, self.required_by_org = principal.mfa_enabled, principal.mfa_required
        self.required_because = principal.mfa_requirement
        self.codes_left = await self._read(mfa.recovery_codes_left, principal) if principal.mfa_enabled else 0

    def _clear_enrolment(self) -> None:
        self.enrolling, self.qr_code, self.key_text = False, "", ""

    @rx.event
    async def load(self) -> None:
        self.errors, self.error, self.recovery_codes = {}, "", []
        self._clear_enrolment()
        principal = await self._principal()
        if principal is not None:
            await self._refresh(principal)

    @rx.event
    @signed_in()
    async def start(self, principal: Principal):
        try:
            enrolment = await self._act(mfa.start_enrolment, principal)
        except PortalError as err:
            return rx.toast.error(err.message)
        self.errors, self.error = {}, ""
        self.enrolling, self.qr_code, self.key_text = True, enrolment.qr_data_uri, _grouped(enrolment.secret)
        return None

    @rx.event
    def cancel(self) -> None:
        self._clear_enrolment()

    @rx.event
    @busy("mfa_confirm")
    @signed_in()
    async def confirm(self, principal: Principal, form: dict):
        self.errors, self.error = {}, ""
        try:
            codes = await self._act(mfa.confirm_enrolment, principal, code=form_values(form).get("code"),
                                    ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self._clear_enrolment()
        self.recovery_codes = codes
        await self._refresh(await self._principal())
        return rx.toast.success("Two-step verification is on.")

    @rx.var
    def recovery_text(self) -> str:
        """The codes as the clipboard and the downloaded file get them: built
        from the codes this page already holds; the file is made by the
        browser from a data: URL, never written anywhere on the server."""
        if not self.recovery_codes:
            return ""
        header = f"Recovery codes for {self.user_email} ({get_settings().portal_name})"
        return "\n".join([header, "Each code signs you in once.", "", *self.recovery_codes, ""])

    @rx.var
    def recovery_file(self) -> str:
        """A data: URL of `recovery_text`, for the download button."""
        return "data:text/plain;charset=utf-8," + quote(self.recovery_text) if self.recovery_codes else ""

    @rx.event
    def hide_codes(self) -> None:
        self.recovery_codes = []

    @rx.event
    @busy("mfa_new_codes")
    @signed_in()
    async def new_codes(self, principal: Principal, form: dict):
        self.errors, self.error = {}, ""
        try:
            codes = await self._act(mfa.regenerate_recovery_codes, principal, code=form_values(form).get("code"),
                                    ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.recovery_codes, self.form_key = codes, self.form_key + 1
        await self._refresh(principal)
        return rx.toast.success("New recovery codes made; the old ones no longer work.")

    @rx.event
    @busy("mfa_turn_off")
    @signed_in()
    async def turn_off(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            await self._act(mfa.disable, principal, password=data.get("password"), code=data.get("code"),
                            ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._refresh(await self._principal())
        return rx.toast.success("Two-step verification is off.")
