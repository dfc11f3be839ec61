"""Audit log pages: the organisation's, and the whole instance's for staff admins."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.audit import audit_log
from portal_app.components.layout import portal_page
from portal_app.state.audit import AuditLogState, StaffAuditLogState


@portal_page(route=routes.ORGANIZATION_AUDIT, title="Audit log", on_load=AuditLogState.load, private=True)
def organization_audit() -> rx.Component:
    return rx.vstack(
        rx.heading("Audit log", size="7", as_="h1"),
        rx.text("Everything that changed in ", rx.text.strong(AuditLogState.org_name), ", newest first.",
                size="2", color_scheme="gray"),
        audit_log(AuditLogState),
        spacing="4", width="100%",
    )


@portal_page(route=routes.STAFF_AUDIT, title="Audit log (all)", on_load=StaffAuditLogState.load, private=True)
def staff_audit() -> rx.Component:
    return rx.vstack(
        rx.heading("Audit log — everything", size="7", as_="h1"),
        audit_log(StaffAuditLogState, show_org=True),
        spacing="4", width="100%",
    )
