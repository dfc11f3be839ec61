"""Authorised downloads: private files are streamed only to a signed-in
person allowed to see them, never from a public directory.

Headers, on purpose: a private file is an attachment (never rendered in our
origin, where an HTML or SVG upload could run script) and is not stored by
the browser or any proxy (`no-store`: a shared computer keeps no copy after
sign-out). The one exception is an image shown in the page itself, the
organisation logo: it stays `inline` (an <img> needs it), with a short
*private* cache (5 minutes: it is in the header of every page, is branding
rather than a secret, and someone removed from the organisation keeps at
most that long a copy in their own browser, never in a shared cache). Every
private file also gets a sandboxing CSP, so even a file opened directly
cannot run script."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from portal_app.db import session_scope
from portal_app.services import org_profile, sessions
from portal_app.services.errors import ErrorCode, Forbidden, NotFound, Unauthenticated
from portal_app.settings import get_settings

router = APIRouter()


FILE_CSP = "default-src 'none'; sandbox"
IMAGE_PREVIEW_MAX_AGE = 300


def download_headers(filename: str) -> dict[str, str]:
    """Headers for a private file: a download, stored nowhere."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store", "Content-Security-Policy": FILE_CSP}


def image_preview_headers() -> dict[str, str]:
    """Headers for a private image shown in a page (the organisation logo)."""
    return {"Content-Disposition": "inline", "Cache-Control": f"private, max-age={IMAGE_PREVIEW_MAX_AGE}",
            "Content-Security-Policy": FILE_CSP}


@router.get("/api/branding/logo", include_in_schema=False)
def branding_logo() -> Response:
    """The instance's logo (PORTAL_LOGO): public, like the portal's name."""
    path = get_settings().logo_path
    if path is None or not path.is_file():
        raise NotFound("No logo.")
    data = path.read_bytes()[: org_profile.LOGO_MAX_BYTES + 1]
    content_type = org_profile.image_type(data)
    if content_type is None or len(data) > org_profile.LOGO_MAX_BYTES:
        raise NotFound("No usable logo.")
    return Response(data, media_type=content_type, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/api/organizations/{org_id}/logo", include_in_schema=False)
def organization_logo(org_id: int, request: Request) -> Response:
    with session_scope() as session:
        principal = sessions.resolve(session, request.cookies.get(sessions.cookie_name()))
        if principal is None:
            raise Unauthenticated("Sign in first.")
        data, content_type = org_profile.read_logo(session, principal, org_id)
    return Response(data, media_type=content_type, headers=image_preview_headers())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _from_our_pages(request: Request) -> bool:
    """A state-changing request must come from the portal's own pages (the
    cookie is SameSite=Lax already; this also stops same-site neighbours)."""
    origin = request.headers.get("origin")
    return origin is not None and origin in {_origin(u) for u in get_settings().allowed_origins}


async def _read_at_most(request: Request, limit: int) -> bytes:
    """The body, but never more than `limit` + 1 bytes: a larger upload is
    refused without being buffered."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            break
    return bytes(data[: limit + 1])


def _set_logo(token: str | None, ip: str, org_id: int, data: bytes) -> None:
    with session_scope() as session:
        principal = sessions.resolve(session, token)
        if principal is None:
            raise Unauthenticated("Please sign in again.")
        org_profile.set_logo(session, dataclasses.replace(principal, ip=ip), org_id, data=data)


@router.post("/api/organizations/{org_id}/logo", include_in_schema=False)
async def upload_organization_logo(org_id: int, request: Request) -> Response:
    """The organisation page posts the chosen file here (not through Reflex's
    `/_upload`): the session is that of this very request. Errors are raised
    and answered as problem+json by the handler in `api/app.py`."""
    if not _from_our_pages(request):
        raise Forbidden("This request did not come from the portal.", code=ErrorCode.BAD_ORIGIN)
    data = await _read_at_most(request, org_profile.LOGO_MAX_BYTES)
    ip = request.client.host if request.client else ""
    await run_in_threadpool(_set_logo, request.cookies.get(sessions.cookie_name()), ip, org_id, data)
    return JSONResponse({"ok": True, "message": "Logo updated."})
