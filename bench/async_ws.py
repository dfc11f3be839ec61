"""Many Reflex websockets from one process, for load benchmarks.

`tests/ws_client.ReflexClient` holds one socket with a reader thread, which
is right for a test but not for 300 people at once. This is the same wire
(see that module's docstring) on asyncio streams with wsproto, one coroutine
per socket, and only what a benchmark needs: connect and hydrate, then send
an event and wait for its answer.

An event's answer is the first update that arrives after it: both benchmarked
handlers change vars, so Reflex sends exactly one update each. (No barrier
event as in `ReflexClient.call`: that would double the server's work and hide
the difference being measured.)
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

from tests.ws_client import NAMESPACE, _root_names


class AsyncReflexClient:
    """One tab: a websocket, its Reflex client token and the session cookie."""

    def __init__(self, base_url: str, *, cookie: str | None = None, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host, self.port = parts.hostname, parts.port or 80
        self.cookie = cookie
        self.token = str(uuid.uuid4())
        self.timeout = timeout
        self.path = "/"
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._updates: asyncio.Queue[dict[str, Any] | Exception] = asyncio.Queue()
        self._connected = asyncio.Event()
        self._pump: asyncio.Task | None = None
        self._text: list[str] = []
        # wsproto lets a client send frames only once the server accepted the
        # upgrade; frames sent before that wait here.
        self._accepted = False
        self._early: list[str] = []

    async def hydrate(self, router_path: str) -> None:
        """Open the socket and load the page as the browser's boot does."""
        root, hydrated_key, boot_event, _ = _root_names()
        self.path = router_path
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        headers = [("Origin", self.origin)] + ([("Cookie", self.cookie)] if self.cookie else [])
        query = urlencode({"token": self.token, "EIO": "4", "transport": "websocket"})
        self._writer.write(self._ws.send(Request(
            host=f"{self.host}:{self.port}", target=f"{NAMESPACE}/?{query}", extra_headers=headers,
            subprotocols=[importlib.metadata.version("reflex")])))
        self._pump = asyncio.get_running_loop().create_task(self._read_forever())
        self._send(f"40{NAMESPACE},{json.dumps({'event': self._event(boot_event, {})})}")
        await asyncio.wait_for(self._connected.wait(), self.timeout)
        while True:
            update = await self._next_update()
            if (update.get("delta") or {}).get(root, {}).get(hydrated_key) is True:
                return

    async def call(self, handler: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one event and return the update that answers it."""
        self._send(f"42{NAMESPACE},{json.dumps(['event', self._event(handler, payload)])}")
        return await self._next_update()

    async def close(self) -> None:
        if self._writer is None:
            return
        try:
            self._send(f"41{NAMESPACE},")
            self._writer.write(self._ws.send(CloseConnection(code=1000)))
            self._writer.close()
        except (OSError, RuntimeError):
            pass
        if self._pump is not None:
            self._pump.cancel()

    # -- internals ----------------------------------------------------------

    def _event(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "payload": payload, "router_data": {"pathname": self.path, "asPath": self.path}}

    def _send(self, text: str) -> None:
        if not self._accepted:
            self._early.append(text)
            return
        self._writer.write(self._ws.send(TextMessage(data=text)))

    async def _next_update(self) -> dict[str, Any]:
        item = await asyncio.wait_for(self._updates.get(), self.timeout)
        if isinstance(item, Exception):
            raise item
        return item

    async def _read_forever(self) -> None:
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    raise ConnectionError("the server closed the socket")
                self._ws.receive_data(data)
                for event in self._ws.events():
                    self._on_ws_event(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — handed to whoever waits
            self._updates.put_nowait(exc if isinstance(exc, ConnectionError) else ConnectionError(repr(exc)))

    def _on_ws_event(self, event: object) -> None:
        if isinstance(event, AcceptConnection):
            self._accepted = True
            for text in self._early:
                self._send(text)
            self._early = []
        elif isinstance(event, RejectConnection):
            raise ConnectionError(f"websocket refused: HTTP {event.status_code}")
        elif isinstance(event, Ping):
            self._writer.write(self._ws.send(event.response()))
        elif isinstance(event, CloseConnection):
            raise ConnectionError(f"websocket closed ({event.code})")
        elif isinstance(event, TextMessage):
            self._text.append(event.data)
            if event.message_finished:
                self._on_engineio("".join(self._text))
                self._text = []

    def _on_engineio(self, packet: str) -> None:
        kind, body = packet[:1], packet[1:]
        if kind == "2":  # ping: answer, or the server drops us
            self._send("3")
        elif kind == "4":
            self._on_socketio(body)
        elif kind == "1":
            raise ConnectionError("Engine.IO close")

    def _on_socketio(self, packet: str) -> None:
        kind, rest = packet[:1], packet[1:]
        if rest.startswith(NAMESPACE):
            rest = rest[len(NAMESPACE):].removeprefix(",")
        if kind == "0":
            self._connected.set()
        elif kind in ("1", "4"):
            raise ConnectionError(f"Socket.IO refused or closed: {rest[:200]}")
        elif kind == "2":
            name, *args = json.loads(rest)
            if name == "event" and args and isinstance(args[0], dict):
                self._updates.put_nowait(args[0])
