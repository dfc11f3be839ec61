"""Speak Reflex's websocket protocol directly, as a hostile client would.

The browser only ever sends the events its compiled pages contain; an attacker
can send any handler name with any payload. `ReflexClient` does exactly what
the browser's `state.js` does on the wire (Reflex 0.10.1), minus the page, so
tests can call event handlers with arbitrary payloads and see what comes back.

The wire, briefly (Engine.IO 4 / Socket.IO 5 over one raw websocket, no
long-polling; `/_event` is both the path and the Socket.IO namespace):

    GET /_event/?token=<client token>&EIO=4&transport=websocket
        (Origin, Cookie and the `Sec-WebSocket-Protocol: <reflex version>`
        the browser sends)
    server  0{"sid": ..., "pingInterval": ...}        Engine.IO open
    client  40/_event,{"event": <hydrate_and_load>}   Socket.IO CONNECT; its
            `auth` carries the boot event, as 0.10.1's state.js does
    server  40/_event,{"sid": ...}  or  44/_event,{"message": ...} (refused)
    client  42/_event,["event",{"name", "payload", "router_data"}]
    server  42/_event,["event",{"delta": {...}, "events": [...]}]
    server  2  /  client  3                           Engine.IO ping / pong

Reflex 0.10.1 no longer marks an event's last update (`StateUpdate.final` is
deprecated and never sent), and a handler that changes nothing sends nothing.
So `call` follows each event with a *barrier*: a harmless event that always
answers, on the same client token. Reflex runs a token's foreground events in
order, so once the barrier's answer arrives the event before it has finished.
Events the handler chained run after the barrier, so barriers are repeated
until one round brings nothing else. Background (`@rx.event(background=True)`)
handlers are not ordered and may answer after `call` returns; their updates
are then merged into `state()` by the next call. The barrier's answer is
`{root: {"is_hydrated_rx_state_": True}}`; an update of exactly that shape is
taken for one, so a handler that sends just that is reported as sending nothing.
"""

from __future__ import annotations

import importlib.metadata
import json
import queue
import socket
import threading
import time
import uuid
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

NAMESPACE = "/_event"
DEFAULT_TIMEOUT = 15.0


class HandshakeRefused(ConnectionError):
    """The server would not open the connection: an HTTP status other than
    101 on the websocket upgrade (e.g. 403 for a foreign Origin), or a
    Socket.IO CONNECT_ERROR for the namespace (`status` is then None)."""

    def __init__(self, status: int | None, detail: str) -> None:
        self.status = status
        self.detail = detail
        where = f"HTTP {status}" if status is not None else "Socket.IO CONNECT refused"
        super().__init__(f"websocket handshake refused ({where}): {detail}")


def handler_name(state_cls: type, method_name: str) -> str:
    """The event name the browser sends for `state_cls.method_name`.

    Reflex 0.10.1 (`format.format_event_handler`) joins the state's full name
    (its dotted path from the root State, each part the snake-cased module and
    class) and the method name, e.g. for `StatusState.load`:
    `reflex___state____state.portal_app___state___system____status_state.load`.
    Any string can be sent, so tests may also build names by hand.
    """
    return f"{state_cls.get_full_name()}.{method_name}"  # type: ignore[attr-defined]


@cache
def _root_names() -> tuple[str, str, str, str]:
    """(root state key, its `is_hydrated` delta key, the boot event, the barrier
    event), taken from Reflex itself so a rename there is followed here."""
    from reflex.state import OnLoadInternalState, State

    root = State.get_full_name()
    return (
        root,
        "is_hydrated_rx_state_",
        handler_name(State, "hydrate_and_load"),
        handler_name(OnLoadInternalState, "set_is_hydrated"),
    )


class ReflexClient:
    """One browser tab's websocket to a Reflex app, without the browser.

    Synchronous: a daemon thread reads the socket (answering Engine.IO pings so
    the server does not drop an idle test) and queues Socket.IO packets; the
    calling thread sends and waits on that queue.
    """

    def __init__(
        self,
        base_url: str,
        *,
        cookie: str | None = None,
        origin: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        parts = urlsplit(base_url)
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        # The server accepts only the configured public URL as Origin, and a
        # browser sends scheme://host:port without a path.
        self.origin = origin if origin is not None else self.base_url
        self.cookie = cookie
        self.token = token or str(uuid.uuid4())
        self.timeout = timeout
        #: Frontend events (toasts, redirects, scripts) the server asked the
        #: "browser" to run during the last `hydrate` or `call`.
        self.last_events: list[dict[str, Any]] = []
        #: Every update as it arrived, so a test can see what was ever sent,
        #: not only what the merged state holds at the end.
        self.received: list[dict[str, Any]] = []
        self._state: dict[str, dict[str, Any]] = {}
        self._inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._sock: socket.socket | None = None
        self._ws: WSConnection | None = None
        self._send_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._connected = False
        self._path = "/"

    # -- public API ---------------------------------------------------------

    def hydrate(self, router_path: str = "/") -> dict[str, dict[str, Any]]:
        """Connect as the browser does and return the full merged state.

        The browser's boot event (`State.hydrate_and_load`, without the
        compiled-defaults hashes, so the server sends every var) rides in the
        CONNECT packet's `auth`. The page counts as loaded once the root's
        `is_hydrated` turns true, which Reflex does after the page's on_load
        handlers have run.
        """
        if self._connected:
            raise RuntimeError("already connected; use a new ReflexClient to rehydrate")
        root, hydrated_key, boot_event, _ = _root_names()
        self._path = router_path
        self._open()
        self._send_packet("0", {"event": self._event(boot_event, {}, router_path)})
        self._await_connect_ack()
        self.last_events = []
        deadline = time.monotonic() + self.timeout
        while self._state.get(root, {}).get(hydrated_key) is not True:
            self._receive_update(deadline, "hydration")
        return self.state()

    def call(
        self,
        handler: str,
        payload: dict[str, Any] | None = None,
        *,
        router_path: str | None = None,
    ) -> list[dict[str, Any]]:
        """Send one event, wait until it (and what it chained) is done, and
        return the deltas it caused, in order (barrier answers left out).

        Hydrates first if not connected yet. An empty list means the server
        changed nothing for this client: an unknown handler name, a handler
        that returned early, or one that raised (then `last_events` usually
        holds the error toast).
        """
        # Default to the hydrated page: an event from another path makes the
        # server answer the barrier with router deltas first (seen to stall).
        router_path = router_path or self._path
        if not self._connected:
            self.hydrate(router_path)
        _, _, _, barrier = _root_names()
        self._drain()
        self.last_events = []
        self._send_packet("2", ["event", self._event(handler, payload or {}, router_path)])
        deltas: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.timeout
        while True:
            self._send_packet("2", ["event", self._event(barrier, {"value": True}, router_path)])
            others = 0
            while True:
                update = self._receive_update(deadline, f"the answer to {handler!r}")
                if self._is_barrier_answer(update):
                    break
                others += 1
                if update.get("delta"):
                    deltas.append(update["delta"])
            if others == 0:
                return deltas

    def wait_for(self, predicate, timeout: float) -> float:  # noqa: ANN001 — (state) -> bool
        """Wait, sending nothing, until updates the server pushes on its own
        (a live page's reload) make `predicate(state())` true; returns the
        seconds it took, or raises TimeoutError."""
        started = time.monotonic()
        deadline = started + timeout
        self._drain()
        while not predicate(self.state()):
            try:
                self._receive_update(deadline, "a pushed update")
            except TimeoutError:
                raise TimeoutError(f"no pushed update made the state match within {timeout} s") from None
        return time.monotonic() - started

    def state(self) -> dict[str, dict[str, Any]]:
        """The merged state so far: every delta applied per substate key, as
        the browser's reducers do. A deep copy, safe to keep."""
        return json.loads(json.dumps(self._state))

    def close(self) -> None:
        """Say goodbye at both protocol levels and stop the reader thread."""
        sock, ws = self._sock, self._ws
        if sock is None or ws is None:
            return
        try:
            with self._send_lock:
                if self._connected:
                    sock.sendall(ws.send(TextMessage(data=f"41{NAMESPACE},")))
                sock.sendall(ws.send(CloseConnection(code=1000)))
        except OSError:
            pass  # already gone
        finally:
            self._sock = None
            self._connected = False
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
            if self._reader is not None:
                self._reader.join(timeout=5)

    def __enter__(self) -> ReflexClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- connection ---------------------------------------------------------

    def _open(self) -> None:
        """Upgrade straight to a websocket, as Reflex's `transports:
        ["websocket"]` client does, and wait for Engine.IO's open packet."""
        parts = urlsplit(self.base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if parts.scheme == "https":
            raise NotImplementedError("only plain http/ws is needed by these tests")
        query = urlencode({"token": self.token, "EIO": "4", "transport": "websocket"})
        headers = [("Origin", self.origin)]
        if self.cookie is not None:
            headers.append(("Cookie", self.cookie))
        sock = socket.create_connection((parts.hostname, port), timeout=self.timeout)
        ws = WSConnection(ConnectionType.CLIENT)
        sock.sendall(ws.send(Request(
            host=parts.netloc, target=f"{NAMESPACE}/?{query}", extra_headers=headers,
            subprotocols=[importlib.metadata.version("reflex")],
        )))
        status: int | None = None
        body = b""
        while status != 101:
            data = sock.recv(65536)
            if not data:
                sock.close()
                raise HandshakeRefused(status, f"closed during the upgrade (Origin {self.origin})")
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, AcceptConnection):
                    # Stop here: the open packet may share this read, and the
                    # reader thread takes the events still pending.
                    status = 101
                    break
                if isinstance(event, RejectConnection):
                    status, finished = event.status_code, not event.has_body
                elif isinstance(event, RejectData):
                    body, finished = body + event.data, event.body_finished
                else:
                    continue
                if finished:
                    sock.close()
                    text = body.decode(errors="replace").strip()[:300]
                    raise HandshakeRefused(status, f"Origin {self.origin}; body {text!r}")
        sock.settimeout(None)
        self._sock, self._ws = sock, ws
        self._reader = threading.Thread(target=self._read_forever, daemon=True,
                                        name=f"ReflexClient-{self.token[:8]}")
        self._reader.start()
        kind, _ = self._next(time.monotonic() + self.timeout, "the Engine.IO open packet")
        if kind != "open":
            raise HandshakeRefused(None, f"expected the Engine.IO open packet, got {kind!r}")

    def _await_connect_ack(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            kind, data = self._next(deadline, "the Socket.IO CONNECT answer")
            if kind == "connect":
                self._connected = True
                return
            if kind == "connect_error":
                self.close()
                raise HandshakeRefused(None, json.dumps(data))
            if kind == "event":
                self._handle_server_event(data)

    # -- receiving ----------------------------------------------------------

    def _read_forever(self) -> None:
        """Reader thread: websocket frames -> Engine.IO -> Socket.IO packets."""
        sock, ws = self._sock, self._ws
        assert sock is not None and ws is not None
        text: list[str] = []
        try:
            while True:
                for event in ws.events():  # first those left by the handshake
                    if isinstance(event, TextMessage):
                        text.append(event.data)
                        if event.message_finished:
                            self._on_engineio("".join(text))
                            text = []
                    elif isinstance(event, Ping):
                        with self._send_lock:
                            sock.sendall(ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        self._inbox.put(("closed", f"websocket closed ({event.code})"))
                        return
                data = sock.recv(65536)
                if not data:
                    break
                ws.receive_data(data)
        except OSError as exc:
            self._inbox.put(("closed", f"socket error: {exc}"))
            return
        self._inbox.put(("closed", "the server closed the socket"))

    def _on_engineio(self, packet: str) -> None:
        kind, body = packet[:1], packet[1:]
        if kind == "0":
            self._inbox.put(("open", json.loads(body)))
        elif kind == "2":  # the server pings, the client must pong
            self._send_raw("3")
        elif kind == "1":
            self._inbox.put(("closed", "Engine.IO close"))
        elif kind == "4":
            self._on_socketio(body)

    def _on_socketio(self, packet: str) -> None:
        kind, rest = packet[:1], packet[1:]
        if rest.startswith(NAMESPACE):
            rest = rest[len(NAMESPACE):].removeprefix(",")
        data = json.loads(rest) if rest else None
        if kind == "0":
            self._inbox.put(("connect", data))
        elif kind == "1":
            self._inbox.put(("closed", "Socket.IO disconnect from the server"))
        elif kind == "2":
            self._inbox.put(("event", data))
        elif kind == "4":
            self._inbox.put(("connect_error", data))

    def _next(self, deadline: float, waiting_for: str) -> tuple[str, Any]:
        try:
            item = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"nothing from the server while waiting for {waiting_for}") from None
        if item[0] == "closed":
            self._connected = False
            raise ConnectionError(f"{item[1]} while waiting for {waiting_for}")
        return item

    def _receive_update(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        """The next `event` update, merged into the state before returning."""
        while True:
            kind, data = self._next(deadline, waiting_for)
            if kind == "event" and (update := self._handle_server_event(data)) is not None:
                return update

    def _handle_server_event(self, data: list[Any]) -> dict[str, Any] | None:
        name, args = data[0], data[1:]
        if name == "new_token" and args:
            # The token was already in use by another connection.
            self.token = args[0]
            return None
        if name != "event" or not args or not isinstance(args[0], dict):
            return None  # e.g. state_mismatch (never sent: no schema is sent)
        update: dict[str, Any] = args[0]
        self.received.append(update)
        for substate, changes in (update.get("delta") or {}).items():
            self._state.setdefault(substate, {}).update(changes)
        self.last_events.extend(update.get("events") or [])
        return update

    def _drain(self) -> None:
        """Merge updates that arrived between calls (background tasks)."""
        while True:
            try:
                kind, data = self._inbox.get_nowait()
            except queue.Empty:
                return
            if kind == "closed":
                self._connected = False
                raise ConnectionError(data)
            if kind == "event":
                self._handle_server_event(data)

    def _is_barrier_answer(self, update: dict[str, Any]) -> bool:
        root, hydrated_key, _, _ = _root_names()
        return not update.get("events") and update.get("delta") == {root: {hydrated_key: True}}

    # -- sending ------------------------------------------------------------

    @staticmethod
    def _event(name: str, payload: dict[str, Any], router_path: str) -> dict[str, Any]:
        """An event as state.js's `withRouterData` sends it. The router data
        matters: without a pathname the server routes the event to "404"."""
        url = urlsplit(router_path)
        router_data: dict[str, Any] = {"pathname": url.path or "/", "asPath": router_path}
        if url.query:
            router_data["query"] = dict(parse_qsl(url.query))
        return {"name": name, "payload": payload, "router_data": router_data}

    def _send_packet(self, socketio_type: str, data: Any) -> None:
        """Engine.IO message (4) + Socket.IO type + namespace + JSON."""
        self._send_raw(f"4{socketio_type}{NAMESPACE},{json.dumps(data)}")

    def _send_raw(self, text: str) -> None:
        if self._sock is None or self._ws is None:
            raise ConnectionError("not connected")
        with self._send_lock:
            self._sock.sendall(self._ws.send(TextMessage(data=text)))
