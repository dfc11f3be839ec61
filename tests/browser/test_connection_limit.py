"""The real portal refuses more than `PORTAL_MAX_CONNECTIONS_PER_IP` open
websockets from one address, and counts a closed one as gone. Raw Engine.IO
handshakes (as Reflex's client opens them) keep this fast: about a second."""

from __future__ import annotations

import time

import pytest

from portal_app.settings import Settings
from tests.ws_client import HandshakeRefused, ReflexClient

LIMIT = Settings.__dataclass_fields__["max_connections_per_ip"].default  # the fixture's app runs the default


def _open(portal) -> ReflexClient:
    client = ReflexClient(portal.url, timeout=10)
    client._open()  # the websocket upgrade and Engine.IO's open packet; no state needed
    return client


def _open_soon(portal, seconds: float = 5) -> ReflexClient:
    """A closed socket is counted off when the server notices the close: retry briefly."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _open(portal)
        except HandshakeRefused:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_one_address_holds_at_most_the_limit_and_a_closed_socket_frees_a_place(portal):
    clients: list[ReflexClient] = []
    try:
        with pytest.raises(HandshakeRefused) as refused:
            for _ in range(LIMIT + 10):
                clients.append(_open(portal))
        assert refused.value.status == 403
        # Sockets other tests left open count too, so at most LIMIT were ours.
        assert 0 < len(clients) <= LIMIT
        clients.pop().close()
        clients.append(_open_soon(portal))  # a place came free
        with pytest.raises(HandshakeRefused):
            _open(portal)  # and now it is full again
    finally:
        for client in clients:
            client.close()
    _open_soon(portal).close()  # all closed: accepted again
    assert "refused a websocket" in portal.log()
