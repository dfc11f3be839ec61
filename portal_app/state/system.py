"""The instance's health, shown to staff in the back office (customers have
no use for "database connected"; `/api/health` serves monitoring)."""

from __future__ import annotations

import reflex as rx

from portal_app.services.system import check_health
from portal_app.state.session import in_transaction


class StatusState(rx.State):
    database: str = "checking…"

    @rx.event
    async def load(self) -> None:
        """Ask the database (off the event loop); the answer arrives over the websocket."""
        health = await in_transaction(check_health)
        self.database = "connected" if health.database_ok else "unavailable"
