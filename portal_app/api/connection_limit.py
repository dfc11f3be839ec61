"""A cap on open websockets per client address. Every Reflex tab holds one
websocket, and each costs the server a state and a task; without a cap one
client can open hundreds (150 were accepted from one address) and starve
everyone else. Over the cap, the handshake is refused (HTTP 403) before
Reflex sees it; the count goes down when a socket ends, however it ends.

The count is per process and keyed by the address the connection comes from
(`scope["client"]`): behind a reverse proxy every client shares the proxy's
address, so raise `PORTAL_MAX_CONNECTIONS_PER_IP` there (0 turns the cap off)
and limit at the proxy instead."""

from __future__ import annotations

import logging
from collections import Counter

from portal_app.settings import get_settings

log = logging.getLogger(__name__)


def connection_limit(app, limit: int | None = None):  # noqa: ANN001, ANN201
    """Wrap `app` so that one address holds at most `limit` websockets at once
    (default: the configured `max_connections_per_ip`)."""
    open_by_ip: Counter[str] = Counter()

    async def wrapped(scope, receive, send):  # noqa: ANN001
        cap = limit if limit is not None else get_settings().max_connections_per_ip
        if scope["type"] != "websocket" or cap <= 0:
            await app(scope, receive, send)
            return
        ip = (scope.get("client") or ("unknown", 0))[0]
        if open_by_ip[ip] >= cap:
            log.warning("refused a websocket: %s already holds %d", ip, open_by_ip[ip])
            message = await receive()  # the websocket.connect event
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 1008,
                            "reason": "Too many open connections from your address."})
            return
        open_by_ip[ip] += 1
        try:
            await app(scope, receive, send)
        finally:
            open_by_ip[ip] -= 1
            if open_by_ip[ip] <= 0:
                del open_by_ip[ip]

    wrapped.open_by_ip = open_by_ip  # for tests and debugging
    return wrapped
