"""The staff admins' service-level screen: targets, opening hours, holidays."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import portal_page
from portal_app.components.sla import sla_screen
from portal_app.state.sla import SlaAdminState


@portal_page(route=routes.STAFF_SLA, title="Service levels", on_load=SlaAdminState.load, private=True)
def sla_settings() -> rx.Component:
    return sla_screen()
