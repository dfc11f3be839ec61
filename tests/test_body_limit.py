"""Request bodies over the limit are refused before the app buffers them."""

import asyncio
import threading

from portal_app.api.body_limit import body_limit


async def _echo_app(scope, receive, send):
    total = 0
    while True:
        message = await receive()
        total += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(total).encode()})


def _call(headers, chunks, limit=100):
    sent = []
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return queue.pop(0)

    async def send(message):
        sent.append(message)

    # A thread of its own: the browser tests' Playwright keeps a loop running in this one.
    runner = threading.Thread(target=asyncio.run, args=(
        body_limit(_echo_app, limit)({"type": "http", "headers": headers}, receive, send),))
    runner.start()
    runner.join()
    return sent[0]["status"], sent[-1].get("body", b"")


def test_small_bodies_pass():
    assert _call([(b"content-length", b"10")], [b"x" * 10]) == (200, b"10")


def test_declared_large_body_is_refused_at_once():
    status, body = _call([(b"content-length", b"1000")], [b"x" * 10])
    assert status == 413 and b"too large" in body


def test_chunked_body_is_cut_off_when_it_passes_the_limit():
    status, _ = _call([], [b"x" * 60, b"x" * 60, b"x" * 60])
    assert status == 413
