"""The websocket cap in-process: the count follows sockets that end in any
way (closed, or the app failing), other addresses and plain HTTP are not
affected, and 0 turns the cap off. The live portal is tested in
tests/browser/test_connection_limit.py."""

from __future__ import annotations

import asyncio
import threading

import pytest

from portal_app.api.connection_limit import connection_limit


def _run(coro_fn):
    """A thread of its own: the browser tests' Playwright keeps a loop in this one."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", asyncio.run(coro_fn())))
    thread.start()
    thread.join(timeout=10)
    return result["value"]


async def _socket_app(scope, receive, send):
    """Accept, then hold the socket until the client goes (or fail on "boom")."""
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "boom":
            raise RuntimeError("the app failed")


class _Socket:
    def __init__(self, wrapped, ip: str) -> None:
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.sent: list[dict] = []
        self.inbox.put_nowait({"type": "websocket.connect"})
        scope = {"type": "websocket", "client": (ip, 50000), "path": "/_event/", "headers": []}
        self.task = asyncio.create_task(wrapped(scope, self.inbox.get, self._send))

    async def _send(self, message) -> None:
        self.sent.append(message)

    async def settle(self) -> str:
        for _ in range(20):
            await asyncio.sleep(0)
        return self.sent[0]["type"] if self.sent else "pending"


def test_the_count_follows_sockets_however_they_end():
    async def scenario():
        wrapped = connection_limit(_socket_app, limit=2)
        a, b = _Socket(wrapped, "198.51.100.7"), _Socket(wrapped, "198.51.100.7")
        assert [await a.settle(), await b.settle()] == ["websocket.accept"] * 2
        refused = _Socket(wrapped, "198.51.100.7")
        assert await refused.settle() == "websocket.close"
        other = _Socket(wrapped, "203.0.113.9")  # another address has its own count
        assert await other.settle() == "websocket.accept"
        a.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await a.task
        assert wrapped.open_by_ip["198.51.100.7"] == 1
        b.inbox.put_nowait({"type": "websocket.receive", "text": "boom"})
        with pytest.raises(RuntimeError):
            await b.task
        counts = dict(wrapped.open_by_ip)
        other.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await other.task
        return counts, dict(wrapped.open_by_ip)

    during, after = _run(scenario)
    assert during == {"203.0.113.9": 1}  # the failed socket was counted off too
    assert after == {}


def test_http_passes_and_zero_means_no_cap():
    async def scenario():
        wrapped = connection_limit(_socket_app, limit=0)
        sockets = [_Socket(wrapped, "198.51.100.7") for _ in range(5)]
        states = [await s.settle() for s in sockets]
        for s in sockets:
            s.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
            await s.task
        seen = []

        async def http_app(scope, receive, send):
            seen.append(scope["type"])

        await connection_limit(http_app, limit=1)({"type": "http", "client": ("198.51.100.7", 1)}, None, None)
        return states, seen

    states, seen = _run(scenario)
    assert states == ["websocket.accept"] * 5 and seen == ["http"]
