"""Reflex configuration, derived from portal_app.settings (the one settings
module). The websocket only accepts the portal's own origin: the configured
public URL, or without one both http://localhost:PORT and http://127.0.0.1:PORT
(see Settings.allowed_origins)."""

import reflex as rx

from portal_app.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="portal_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    backend_host=_settings.bind_host,
    cors_allowed_origins=_settings.allowed_origins,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color=_settings.primary_color, radius="medium"),
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
