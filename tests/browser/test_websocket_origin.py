"""The websocket trusts only the portal's own origin (rule 9): a page on a
foreign site cannot open it with the visitor's cookies. With a configured
public URL that is the only origin; without one (a newcomer's first run) both
http://localhost:PORT and http://127.0.0.1:PORT are the portal's own, since
Reflex prints the one and our scripts the other."""

import base64
import os
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests import live_app


def _handshake_status(app_url: str, origin: str) -> int:
    parts = urlsplit(app_url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", parts.port), timeout=10) as sock:
        sock.sendall(request.encode())
        status_line = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def test_websocket_accepts_the_public_url_origin(portal):
    assert _handshake_status(portal.url, portal.url) == 101


def test_websocket_refuses_foreign_origins(portal):
    port = urlsplit(portal.url).port
    for origin in ("https://evil.example", f"http://127.0.0.1:{port}", "null"):
        assert _handshake_status(portal.url, origin) != 101, origin


@pytest.fixture(scope="module")
def default_url_portal(tmp_path_factory) -> Iterator[live_app.LiveApp]:
    """The portal as `scripts/run.sh` starts it when PORTAL_PUBLIC_URL is not
    set. Backend only: the origin check is the backend's, and a second
    frontend build would overwrite the session portal's pages."""
    app = live_app.start(tmp_path_factory.mktemp("portal-default-url"), set_public_url=False, backend_only=True)
    yield app
    live_app.stop(app)


def test_without_a_public_url_both_loopback_origins_are_accepted(default_url_portal):
    port = urlsplit(default_url_portal.url).port
    assert default_url_portal.url == f"http://localhost:{port}"
    for origin in (f"http://localhost:{port}", f"http://127.0.0.1:{port}"):
        assert _handshake_status(default_url_portal.url, origin) == 101, origin


def test_without_a_public_url_foreign_origins_are_refused(default_url_portal):
    port = urlsplit(default_url_portal.url).port
    for origin in ("https://evil.example", f"http://localhost:{port + 1}", f"https://127.0.0.1:{port}",
                   "null"):
        assert _handshake_status(default_url_portal.url, origin) == 403, origin


def test_without_a_public_url_state_changing_routes_take_both_loopback_origins(default_url_portal):
    # The same rule for our own routes that check Origin: the logo upload gets
    # as far as the missing session (401) and sign-out signs out (303) for our
    # origins; any other origin is refused.
    import httpx

    from portal_app import routes

    port = urlsplit(default_url_portal.url).port
    logo = f"{default_url_portal.url}/api/organizations/1/logo"
    logout = default_url_portal.url + routes.AUTH_LOGOUT
    for origin in (f"http://localhost:{port}", f"http://127.0.0.1:{port}", "https://evil.example"):
        ours = origin != "https://evil.example"
        headers = {"origin": origin}
        assert httpx.post(logo, content=b"x", headers=headers).status_code == (401 if ours else 403), origin
        assert httpx.post(logout, headers=headers).status_code == (303 if ours else 403), origin
