"""The raw websocket client (tests/ws_client.py) against the real app, so the
tests that use it to attack event handlers can trust what it reports."""

import json
import socket
import threading
import time
import uuid
from importlib.metadata import version

import pytest

from portal_app.state.system import StatusState
from tests.ws_client import HandshakeRefused, ReflexClient, handler_name

STATUS = StatusState.get_full_name()
# Reflex 0.10.1 suffixes every var's key in a delta.
DATABASE = "database_rx_state_"


def test_hydrate_returns_the_state_and_load_answers_with_a_delta(portal):
    with ReflexClient(portal.url) as client:
        state = client.hydrate()
        assert STATUS in state  # every state, also those the page does not load

        deltas = client.call(handler_name(StatusState, "load"))

    assert deltas == [{STATUS: {DATABASE: "connected"}}]
    assert client.last_events == []


def test_unknown_handler_changes_nothing_and_keeps_the_connection(portal):
    name = handler_name(StatusState, f"no_such_handler_{uuid.uuid4().hex[:8]}")
    with ReflexClient(portal.url) as client:
        before = client.hydrate()

        # The server logs a KeyError and sends nothing: no delta, no error toast.
        assert client.call(name, {"anything": 1}) == []
        assert client.last_events == []
        assert client.state() == before
        # Same socket, still served.
        assert client.call(handler_name(StatusState, "load")) == [{STATUS: {DATABASE: "connected"}}]

    deadline = time.monotonic() + 10
    while f"No registered handler found for event: {name}" not in portal.log():
        assert time.monotonic() < deadline, "the server did not log the unknown handler"
        time.sleep(0.2)


def test_handshake_sends_what_the_browser_sends():
    """Checked on the wire with a stand-in server: Reflex 0.10 keeps request
    cookies out of the state it sends back, so the app cannot show them."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    request: list[bytes] = []

    def refuse_once() -> None:
        conn, _ = listener.accept()
        with conn:
            request.append(conn.recv(65536))
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    server = threading.Thread(target=refuse_once, daemon=True)
    server.start()
    client = ReflexClient(f"http://localhost:{port}/", cookie="portal_session=abc", token="tok-1")
    with pytest.raises(HandshakeRefused):
        client.hydrate()
    server.join(timeout=5)
    listener.close()

    head = request[0].decode().lower()
    assert head.startswith("get /_event/?token=tok-1&eio=4&transport=websocket http/1.1")
    assert f"host: localhost:{port}\r\n" in head
    assert f"origin: http://localhost:{port}\r\n" in head
    assert "cookie: portal_session=abc\r\n" in head
    assert f"sec-websocket-protocol: {version('reflex')}\r\n" in head


def test_the_cookie_is_not_echoed_back(portal):
    with ReflexClient(portal.url, cookie="portal_session=not-a-real-one") as client:
        state = client.hydrate()
    assert "not-a-real-one" not in json.dumps(state)


def test_foreign_origin_handshake_is_refused(portal):
    client = ReflexClient(portal.url, origin="https://evil.example")
    with pytest.raises(HandshakeRefused) as refused:
        client.hydrate()
    assert refused.value.status == 403
    client.close()
