"""The instance's health, shown to staff in the back office (customers have
no use for "database connected"; `/api/health` serves monitoring)."""

from __future__ import annotations

import reflex as rx

from portal_app.db import session_scope
from portal_app.services.system import check_health


class StatusState(rx.State):
    database: str = "checking…"

    @rx.event
    def load(self) -> None:
        """Ask the database; the answer arrives over the websocket."""
        with session_scope() as session:
            health = check_health(session)
        self.database = "connected" if health.database_ok else "unavailable"
