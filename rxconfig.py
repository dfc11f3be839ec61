"""Reflex configuration, derived from portal_app.settings (the one settings
module). The websocket only accepts the portal's own origin: the configured
public URL, or without one both http://localhost:PORT and http://127.0.0.1:PORT
(see Settings.allowed_origins).

With PORTAL_REDIS_URL, Reflex keeps every tab's state in Redis, so several
portal instances (and the web server's own worker processes) share them and
an update made on one reaches a socket held by another. Without it Reflex's
default (states on this machine) stays. Redis is never combined with another
state manager mode: Redis alone makes Reflex start several worker processes,
which with disk or memory states would each hold different states."""

import reflex as rx
from reflex.constants import StateManagerMode

from portal_app.settings import get_settings

_settings = get_settings()
_state_manager = ({"redis_url": _settings.redis_url, "state_manager_mode": StateManagerMode.REDIS}
                  if _settings.redis_url else {})

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
    **_state_manager,
)
