"""The two HTTP steps of signing in and out. Only an HTTP response can set an
HttpOnly cookie, so the sign-in form (over the websocket) hands the browser a
60-second single-use ticket and navigates here; this exchanges it for the
session cookie. Logout clears the cookie and ends the session server-side.

Logout is a POST that must come from one of our own origins: as a GET, any
other web site could sign people out with a link or an <img>."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services import accounts, sessions, tokens
from portal_app.services.errors import ErrorCode, Forbidden
from portal_app.settings import get_settings

router = APIRouter()


def _redirect(path: str) -> RedirectResponse:
    response = RedirectResponse(path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get(routes.AUTH_COMPLETE, include_in_schema=False)
def complete_sign_in(request: Request, ticket: str = "", next: str = "") -> RedirectResponse:
    binding = request.cookies.get(sessions.TICKET_BINDING_COOKIE, "")
    combined = f"{ticket}{tokens.TICKET_SEPARATOR}{binding}" if ticket and binding else ""
    with session_scope() as session:
        raw = accounts.complete_login(session, combined, ip=_client_ip(request),
                                      user_agent=request.headers.get("user-agent", ""))
        principal = sessions.resolve(session, raw) if raw is not None else None
        lifetime = sessions.max_age(principal is not None and principal.is_staff)
    if raw is None:
        response = _redirect(f"{routes.SIGN_IN}?{urlencode({'error': 'expired'})}")
        response.delete_cookie(sessions.TICKET_BINDING_COOKIE, path=routes.AUTH_COMPLETE)
        return response
    settings = get_settings()
    response = _redirect(routes.safe_next(next))
    response.delete_cookie(sessions.TICKET_BINDING_COOKIE, path=routes.AUTH_COMPLETE)
    response.set_cookie(sessions.cookie_name(), raw, max_age=int(lifetime.total_seconds()),
                        path="/", httponly=True, samesite="lax", secure=settings.is_https)
    return response


def from_our_origin(request: Request) -> bool:
    """Whether the request's Origin is one we trust. A missing or "null"
    Origin is refused: browsers send it on every POST, so only a non-browser
    client or a sandboxed document would lack it."""
    origin = request.headers.get("origin", "")
    return bool(origin) and origin in get_settings().allowed_origins


@router.get(routes.AUTH_LOGOUT, include_in_schema=False)
def sign_out_link() -> RedirectResponse:
    """A link signs nobody out (a GET must not change anything): it leads to
    the dashboard, whose menu has the real sign-out button."""
    return _redirect(routes.DASHBOARD)


@router.post(routes.AUTH_LOGOUT, include_in_schema=False, response_model=None)
def sign_out(request: Request) -> RedirectResponse:
    if not from_our_origin(request):
        raise Forbidden("Sign out from the portal's own pages.", code=ErrorCode.CROSS_ORIGIN)
    with session_scope() as session:
        sessions.end(session, request.cookies.get(sessions.cookie_name()), ip=_client_ip(request))
    response = _redirect(f"{routes.SIGN_IN}?signed_out=1")
    response.delete_cookie(sessions.cookie_name(), path="/", httponly=True, samesite="lax",
                           secure=get_settings().is_https)
    return response
