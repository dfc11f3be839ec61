"""Reflex's own upload endpoint (`/_upload`) is refused.

It runs a state's upload handler for anyone who knows a client token and the
handler's name, and that handler sees the *websocket's* cookies, not those of
the upload request: a leaked token was enough to act as its owner. It also
serves whatever lands in the upload directory publicly. Files reach the
portal through our own routes instead (`api/files.py`), which read the
session cookie of the request itself."""

from __future__ import annotations

from portal_app.api.problems import problem_bytes
from portal_app.services.errors import NotFound

PREFIX = "/_upload"


def refuse_reflex_upload(app):  # noqa: ANN001, ANN201
    async def wrapped(scope, receive, send):  # noqa: ANN001
        if scope["type"] == "http" and scope.get("path", "").startswith(PREFIX):
            status, headers, body = problem_bytes(NotFound("Not found."))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped
