"""The instance's health for staff (the back office)."""

from __future__ import annotations

import reflex as rx

from portal_app.state.system import StatusState


def status_badge() -> rx.Component:
    """High-contrast badge text: the soft green alone fails contrast."""
    return rx.hstack(
        rx.text("Database", weight="medium", size="2"),
        rx.badge(StatusState.database, high_contrast=True,
                 color_scheme=rx.cond(StatusState.database == "connected", "green", "red")),
        align="center",
        role="status",
        aria_label="Service status",
    )
