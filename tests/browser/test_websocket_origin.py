"""The websocket trusts only the configured public URL (rule 9): a page on a
foreign site cannot open it with the visitor's cookies."""

import base64
import os
import socket
from urllib.parse import urlsplit


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
