"""Account security: the password and the signed-in sessions (two-step
verification has its own state, `state/mfa.py`)."""

from __future__ import annotations

import reflex as rx

from portal_app.services import accounts, sessions
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_datetime
from portal_app.services.principal import Principal
from portal_app.state.forms import event_id, form_values
from portal_app.state.session import SessionState, busy, field_errors, signed_in


class SecurityState(SessionState):
    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0  # bumped to clear the password form after success

    async def _reload(self, principal) -> None:
        listed = await self._read(sessions.list_for, principal)
        self.rows = [{"id": str(s.id), "device": s.device, "ip": s.ip or "unknown",
                      "last_seen": format_datetime(s.last_seen_at), "started": format_datetime(s.created_at),
                      "current": "yes" if s.current else ""} for s in listed]

    @rx.event
    async def load(self) -> None:
        self.errors, self.error = {}, ""
        principal = await self._principal()
        if principal is not None:
            await self._reload(principal)

    @rx.event
    @busy("change_password")
    @signed_in()
    async def change_password(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        if data.get("new_password") != data.get("confirm"):
            self.errors = {"confirm": "The two new passwords are not the same."}
            return None
        try:
            ended = await self._act(accounts.change_password, principal, current=data.get("current_password"),
                              new=data.get("new_password"), ip=self._client_ip())
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._reload(principal)
        others = f" {ended} other session{'s' if ended != 1 else ''} signed out." if ended else ""
        return rx.toast.success(f"Password changed.{others}")

    @rx.event
    @signed_in()
    async def revoke(self, principal: Principal, session_id: str):
        try:
            await self._act(sessions.revoke, principal, event_id(session_id))
        except PortalError as err:
            return rx.toast.error(err.message)
        await self._reload(principal)
        return rx.toast.success("That session is signed out.")

    @rx.event
    @signed_in()
    async def revoke_others(self, principal: Principal):
        ended = await self._act(sessions.revoke_others, principal)
        await self._reload(principal)
        return rx.toast.success(f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
