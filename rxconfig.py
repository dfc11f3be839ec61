"""Reflex configuration, derived from portal_app.settings (the one settings
module). The websocket only accepts the configured public URL as Origin."""

import reflex as rx

from portal_app.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="portal_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    backend_host=_settings.bind_host,
    cors_allowed_origins=[_settings.public_url],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color=_settings.primary_color, radius="medium"),
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
