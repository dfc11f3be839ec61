"""The List-Unsubscribe address of notification mail (RFC 8058).

A mail client's one-click "Unsubscribe" POSTs `List-Unsubscribe=One-Click`
here from its own servers: no session, no Origin, the signed token in the
URL is the only authority, and it can only turn email off for one event type
of one person. A GET never changes anything (mail scanners and link previews
fetch every URL in a message): it leads a person to the confirmation page,
whose button does the same thing as this POST."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import notifications

router = APIRouter()


@router.get(routes.UNSUBSCRIBE_API, include_in_schema=False)
def unsubscribe_page(token: str = "") -> RedirectResponse:
    response = RedirectResponse(f"{routes.UNSUBSCRIBE}?{urlencode({'token': token})}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(routes.UNSUBSCRIBE_API, include_in_schema=False)
def unsubscribe_one_click(request: Request, token: str = "") -> JSONResponse:
    """Errors (a tampered or cut-short link) answer as problem+json."""
    with session_scope() as session:
        done = notifications.unsubscribe(session, token, ip=request.client.host if request.client else "")
        label = done.event.label
    return JSONResponse({"status": "unsubscribed", "detail": f"You will no longer get emails about \u201c{label}\u201d."},
                        headers={"Cache-Control": "no-store"})
