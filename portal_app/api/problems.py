"""The one mapping from a domain error to an HTTP answer: RFC 9457 problem
details (`application/problem+json`).

Routes raise `PortalError` subclasses; the exception handler registered in
`api/app.py` turns them into this body. `type` is `about:blank` (the RFC's
"no more than the status" type) with the status phrase as `title`; what a
client branches on is the extension member `code` (an `ErrorCode`), and
`detail` is the sentence to show a person. `field`, when set, names the form
field the message belongs to. Errors are never cached (`no-store`).

The ASGI middlewares in front of the app answer in the same format through
`problem_bytes`, so a client reads every error the same way."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.responses import JSONResponse

from portal_app.services.errors import PortalError

PROBLEM_JSON = "application/problem+json"


def problem_body(err: PortalError) -> dict[str, object]:
    return {"type": "about:blank", "title": HTTPStatus(err.http_status).phrase, "status": err.http_status,
            "detail": err.message, "code": str(err.code), "field": err.field}


def problem_bytes(err: PortalError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of the same answer, for the plain ASGI
    middlewares (`body_limit`, `reflex_upload`) that sit outside FastAPI."""
    response = problem_response(err)
    return response.status_code, list(response.raw_headers), bytes(response.body)


def problem_response(err: PortalError) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    retry_after = getattr(err, "retry_after", None)
    if isinstance(retry_after, int):
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(problem_body(err), status_code=err.http_status, media_type=PROBLEM_JSON, headers=headers)


async def portal_error_handler(request: Request, err: Exception) -> JSONResponse:
    """FastAPI exception handler: any `PortalError` a route raises."""
    assert isinstance(err, PortalError)  # registered for PortalError only
    return problem_response(err)
