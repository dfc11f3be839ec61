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
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from portal_app.db import session_scope
# documents and tickets register who reads their files (files.READERS)
from portal_app.services import documents, files, org_profile, previews, sessions, tickets  # noqa: F401
from portal_app.services.errors import ErrorCode, Forbidden, NotFound, Unauthenticated
from portal_app.services.principal import Principal
from portal_app.settings import get_settings

router = APIRouter()


FILE_CSP = "default-src 'none'; sandbox"
IMAGE_PREVIEW_MAX_AGE = 300


def download_headers(filename: str) -> dict[str, str]:
    """Headers for a private file: a download, stored nowhere."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store", "Content-Security-Policy": FILE_CSP,
            "X-Content-Type-Options": "nosniff"}


def preview_headers(filename: str) -> dict[str, str]:
    """An image or PDF shown in a page's preview: inline, but sandboxed (no
    script, no same origin) and stored nowhere. (A PDF is shown in a page as
    images of its pages: `pdf_page`.)"""
    return {**download_headers(filename), "Content-Disposition": download_headers(filename)[
        "Content-Disposition"].replace("attachment", "inline", 1)}


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
        data, content_type = org_profile.read_logo(session, _principal(session, request), org_id)
    return Response(data, media_type=content_type, headers=image_preview_headers())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _from_our_pages(request: Request) -> bool:
    """A state-changing request must come from the portal's own pages (the
    cookie is SameSite=Lax already; this also stops same-site neighbours)."""
    origin = request.headers.get("origin")
    return origin is not None and origin in {_origin(u) for u in get_settings().allowed_origins}


def _set_logo(request: Request, org_id: int) -> None:
    ip = request.client.host if request.client else ""
    with session_scope() as session:
        org_profile.set_logo(session, _principal(session, request, ip), org_id, chunks=_body(request))


@router.post("/api/organizations/{org_id}/logo", include_in_schema=False)
async def upload_organization_logo(org_id: int, request: Request) -> Response:
    """The organisation page posts the chosen file here (not through Reflex's
    `/_upload`): the session is that of this very request. Errors are raised
    and answered as problem+json by the handler in `api/app.py`."""
    if not _from_our_pages(request):
        raise Forbidden("This request did not come from the portal.", code=ErrorCode.BAD_ORIGIN)
    await run_in_threadpool(_set_logo, request, org_id)
    return JSONResponse({"ok": True, "message": "Logo updated."})


def _principal(session, request: Request, ip: str = "") -> Principal:  # noqa: ANN001
    principal = sessions.resolve(session, request.cookies.get(sessions.cookie_name()))
    if principal is None:
        raise Unauthenticated("Sign in first.")
    return dataclasses.replace(principal, ip=ip) if ip else principal


def _body(request: Request) -> Iterator[bytes]:
    """The request body, chunk by chunk as it arrives, for code running in a
    worker thread (the service's `store` reads a plain iterator)."""
    stream = request.stream().__aiter__()
    while True:
        try:
            yield anyio.from_thread.run(stream.__anext__)
        except StopAsyncIteration:
            return


def _store(request: Request, org_id: int, kind: str, filename: str) -> files.StoredFile:
    ip = request.client.host if request.client else ""
    with session_scope() as session:
        principal = _principal(session, request, ip)
        return files.store(session, principal, org_id, kind=kind, filename=filename, chunks=_body(request))


@router.post("/api/organizations/{org_id}/files", include_in_schema=False)
async def upload_file(org_id: int, request: Request, kind: str = "attachment", filename: str = "") -> Response:
    """A file as the raw request body (`Content-Type: application/octet-stream`,
    the name in `?filename=`), streamed into storage: never whole in memory.
    Checked while it streams: who may add files here, the real type from the
    first bytes, the kind's size limit and the organisation's quota."""
    if not _from_our_pages(request):
        raise Forbidden("This request did not come from the portal.", code=ErrorCode.BAD_ORIGIN)
    stored = await run_in_threadpool(_store, request, org_id, kind, filename)
    return JSONResponse({"ok": True, "id": stored.id, "filename": stored.filename, "size": stored.size,
                         "content_type": stored.content_type, "message": f"{stored.filename} uploaded."},
                        status_code=201)


def _opened(request: Request, file_id: int) -> tuple[files.StoredFile, Iterator[bytes]]:
    with session_scope() as session:
        stored = files.access_file(session, _principal(session, request), file_id)
    chunks = files.open_file(stored)
    return stored, chunks


@router.get("/api/files/{file_id}", include_in_schema=False)
async def download_file(file_id: int, request: Request, preview: bool = False) -> Response:
    """The one way a private file leaves the portal: to a signed-in person
    allowed to see it, streamed, as an attachment (`?preview=1`: inline, for
    an image or PDF shown in a page), sandboxed, never stored by a cache."""
    stored, chunks = await run_in_threadpool(_opened, request, file_id)
    inline = preview and stored.content_type in files.PREVIEWABLE
    headers = (preview_headers if inline else download_headers)(stored.filename)
    headers["Content-Length"] = str(stored.size)
    return StreamingResponse(chunks, media_type=stored.content_type, headers=headers)


def _page(request: Request, file_id: int, page: int) -> bytes:
    with session_scope() as session:
        return previews.page_png(session, _principal(session, request), file_id, page)


@router.get("/api/files/{file_id}/pages/{page}", include_in_schema=False)
async def pdf_page(file_id: int, page: int, request: Request) -> Response:
    """Page `page` of a PDF the person may see, as a PNG for its preview (the
    same access check as the download; rendered on the server, see
    services/previews.py), stored nowhere."""
    png = await run_in_threadpool(_page, request, file_id, page)
    return Response(png, media_type="image/png", headers={
        "Content-Disposition": "inline", "Cache-Control": "private, no-store", "Content-Security-Policy": FILE_CSP,
        "X-Content-Type-Options": "nosniff"})
