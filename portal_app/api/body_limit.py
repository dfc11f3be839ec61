"""A cap on request bodies. Reflex's upload endpoint has no size limit of its
own and buffers what it receives, so without this a client could fill the
disk or memory; our handlers check each file's real size and type as well."""

from __future__ import annotations

import re

from portal_app import routes
from portal_app.api.problems import problem_bytes
from portal_app.services.errors import TooLarge
from portal_app.settings import get_settings

MAX_BODY_BYTES = 5 * 1024 * 1024  # any request but a file upload: the largest form, with room to spare
# The one route that takes files as a raw streamed body (`api/files.py`): up
# to the largest file a kind allows; the service checks each kind's own limit
# and the organisation's quota while the bytes stream.
FILE_UPLOAD = re.compile(r"/api/organizations/\d{1,18}/files")
# Stripe's events are a few kilobytes; the webhook reads its whole body
# before the signature can be checked, so anyone may send one: keep it small.
WEBHOOK_MAX_BYTES = 1024 * 1024


def limit_for(path: str, default: int) -> int:
    if path == routes.STRIPE_WEBHOOK_API:
        return min(default, WEBHOOK_MAX_BYTES)
    return max(default, get_settings().max_upload_bytes) if FILE_UPLOAD.fullmatch(path) else default


class _TooLarge(Exception):
    pass


async def _refuse(send) -> None:  # noqa: ANN001
    status, headers, body = problem_bytes(TooLarge("That upload is too large."))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def body_limit(app, limit: int = MAX_BODY_BYTES):  # noqa: ANN001, ANN201
    """Refuse a declared Content-Length over `limit` at once, and stop reading
    a body (chunked or lying about its length) as soon as it passes `limit`."""

    async def wrapped(scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        allowed = limit_for(scope.get("path", ""), limit)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > allowed:
            await _refuse(send)
            return
        seen = 0
        started = False

        async def counting_receive():  # noqa: ANN202
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > allowed:
                    raise _TooLarge
            return message

        async def tracking_send(message):  # noqa: ANN001
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _refuse(send)

    return wrapped
